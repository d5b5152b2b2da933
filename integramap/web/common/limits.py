"""How often one person may start heavy work: uploading a site file, building the demo.

Each use is a line in the store's audit log, and the limit counts that
person's lines in a recent window, so it holds across every server process
and machine sharing the database (as the sign-in limit does); the use is
written before it is counted, so a burst of requests at once cannot go over. Single-user
mode has no limit: one person on this computer has no one to crowd out.
"""

from __future__ import annotations

from dataclasses import dataclass

from integramap.people import acting_person
from integramap.store import Store
from integramap.wording import plural


@dataclass(frozen=True)
class Limit:
    """At most ``most`` uses of ``action`` by one person in ``seconds``."""

    action: str
    """The audit log's name for one use."""
    most: int
    seconds: int
    verb: str
    noun: str
    """What a use is, for the message: "uploaded" "file"."""


UPLOADS = Limit(action="upload", most=20, seconds=10 * 60, verb="uploaded", noun="file")
DEMO_BUILDS = Limit(action="demo build", most=5, seconds=60 * 60, verb="started", noun="demo build")


def minutes(seconds: int) -> str:
    """A window in words.

    Examples
    --------
    >>> minutes(600), minutes(3600), minutes(60)
    ('10 minutes', 'hour', 'minute')
    """
    if seconds in (60, 3600):
        return "minute" if seconds == 60 else "hour"
    return plural(seconds // 60, "minute")


def refused_by_limit(store: Store, limit: Limit, *, site_id: str | None = None, detail: str = "") -> str | None:
    """``None`` (and the use recorded) when the signed-in person may go ahead; else why not, for them.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from integramap.people import Person, acting_as
    >>> store = Store(data_dir=Path(tempfile.mkdtemp()))
    >>> with acting_as(Person(name="Asha")):
    ...     [refused_by_limit(store, Limit("upload", 2, 60, "uploaded", "file")) for _ in range(3)]
    [None, None, 'You have uploaded 2 files in the last minute, the most allowed: please wait a little, then try again.']
    >>> store.close()
    """
    person = acting_person()
    if person is None or person.local:
        return None
    if store.accounts.use_within_limit(person.name, limit.action, limit.most, limit.seconds, site_id, detail[:200]):
        return None
    return (f"You have {limit.verb} {plural(limit.most, limit.noun)} in the last {minutes(limit.seconds)}, the most "
            "allowed: please wait a little, then try again.")
