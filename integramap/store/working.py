"""Working copies in the store: each person's unsaved edits of a site, shared by every server process.

A working copy is written as where it starts (a stored revision, or a document) and
the edits made since, one row per edit, so an edit writes a few hundred bytes
whatever the size of the site. Every write compares-and-sets the copy's
``version``: a process holding an older version is refused with
:class:`StaleWorkingCopy` and reloads, so two processes never both change a copy
from the same state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from .schema import WorkingCopyRow, WorkingStepRow

__all__ = ["StaleWorkingCopy", "StepRecord", "WorkingCopyRecord", "WorkingCopyStore"]


class StaleWorkingCopy(Exception):
    """The working copy changed in another window or server process since it was read."""

    def __init__(self, person: str, site_id: str) -> None:
        super().__init__("this map was changed in another window meanwhile; it now shows those changes, "
                         "so check them and try again")
        self.person = person
        self.site_id = site_id


@dataclass(frozen=True)
class StepRecord:
    """One stored edit: its order, what it was called and its replayable record (JSON)."""

    seq: int
    label: str
    change: str


@dataclass(frozen=True)
class WorkingCopyRecord:
    """A working copy as stored: enough to rebuild it, and to say whether it has unsaved edits."""

    person: str
    site_id: str
    version: int
    base: int | None
    origin_revision: int | None
    origin: str | None
    origin_step: int
    saved_step: int | None
    next_step: int
    edited_at: datetime | None
    done: list[StepRecord] = field(default_factory=list)
    undone: list[StepRecord] = field(default_factory=list)

    @property
    def current_step(self) -> int:
        """The last edit applied (``origin_step`` when none is)."""
        return self.done[-1].seq if self.done else self.origin_step

    @property
    def dirty(self) -> bool:
        """Whether the copy differs from what was last opened or saved (always, if never saved)."""
        return self.saved_step is None or self.current_step != self.saved_step


class WorkingCopyStore:
    """The ``working_copies`` and ``working_copy_steps`` tables of a store's database.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from integramap.store import Store
    >>> copies = Store(data_dir=Path(tempfile.mkdtemp())).working_copies
    >>> v = copies.start("me", "demo", base=1, origin_revision=1, origin=None, version=None)
    >>> v = copies.push("me", "demo", v, StepRecord(1, "add a team", '{"op": "add_unit"}'))
    >>> record = copies.load("me", "demo")
    >>> record.dirty, [s.label for s in record.done]
    (True, ['add a team'])
    >>> copies.push("me", "demo", v - 1, StepRecord(2, "stale", "{}"))
    Traceback (most recent call last):
    ...
    integramap.store.working.StaleWorkingCopy: this map was changed in another window meanwhile; ...
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def version(self, person: str, site_id: str) -> int | None:
        """The copy's version, or ``None`` when there is no copy: one cheap read per request."""
        with self.engine.connect() as conn:
            found = conn.execute(select(WorkingCopyRow.version).where(*_key(person, site_id))).scalar()
        return None if found is None else int(found)

    def load(self, person: str, site_id: str) -> WorkingCopyRecord | None:
        """The whole copy with its steps, or ``None``."""
        with self.engine.connect() as conn:
            copy = conn.execute(select(*WorkingCopyRow.__table__.c).where(*_key(person, site_id))).first()
            if copy is None:
                return None
            steps = conn.execute(select(WorkingStepRow.seq, WorkingStepRow.label, WorkingStepRow.change,
                                        WorkingStepRow.undone)
                                 .where(*_step_key(person, site_id)).order_by(WorkingStepRow.seq)).all()
        done = [StepRecord(s.seq, s.label, s.change) for s in steps if not s.undone]
        undone = [StepRecord(s.seq, s.label, s.change) for s in steps if s.undone]
        return WorkingCopyRecord(
            person=copy.person, site_id=copy.site_id, version=copy.version, base=copy.base,
            origin_revision=copy.origin_revision, origin=copy.origin, origin_step=copy.origin_step,
            saved_step=copy.saved_step, next_step=copy.next_step,
            edited_at=_utc(copy.edited_at) if copy.edited_at else None, done=done, undone=undone)

    def start(self, person: str, site_id: str, *, base: int | None, origin_revision: int | None,
              origin: str | None, version: int | None, next_step: int = 1) -> int:
        """Begin the copy again from a revision or a document, with no edits; returns its version.

        ``version`` is the version being replaced (``None`` to create the copy, which fails
        with :class:`StaleWorkingCopy` if another process created it first).
        """
        now = datetime.now(UTC)
        start = next_step - 1
        values = {"base": base, "origin_revision": origin_revision, "origin": origin, "origin_step": start,
                  "saved_step": start if base is not None else None, "next_step": next_step,
                  "edited_at": None, "updated_at": now}
        try:
            with self.engine.begin() as conn:
                if version is None:
                    conn.execute(insert(WorkingCopyRow).values(person=person, site_id=site_id, version=1,
                                                               **values))
                    conn.execute(delete(WorkingStepRow).where(*_step_key(person, site_id)))
                    return 1
                _bump(conn, person, site_id, version, values)
                conn.execute(delete(WorkingStepRow).where(*_step_key(person, site_id)))
        except IntegrityError:
            raise StaleWorkingCopy(person, site_id) from None
        return version + 1

    def push(self, person: str, site_id: str, version: int, step: StepRecord) -> int:
        """Record a new edit (the redo stack is dropped); returns the new version."""
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            _bump(conn, person, site_id, version,
                  {"next_step": step.seq + 1, "edited_at": now, "updated_at": now})
            conn.execute(delete(WorkingStepRow).where(*_step_key(person, site_id), WorkingStepRow.undone))
            conn.execute(insert(WorkingStepRow).values(person=person, site_id=site_id, seq=step.seq,
                                                       undone=False, label=step.label, change=step.change))
        return version + 1

    def move(self, person: str, site_id: str, version: int, seq: int, *, undone: bool) -> int:
        """Mark one edit undone (undo) or done again (redo); returns the new version."""
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            _bump(conn, person, site_id, version, {"edited_at": now, "updated_at": now})
            conn.execute(update(WorkingStepRow).where(*_step_key(person, site_id), WorkingStepRow.seq == seq)
                         .values(undone=undone))
        return version + 1

    def saved(self, person: str, site_id: str, version: int, *, base: int, step: int) -> int:
        """Record that the copy as at ``step`` was stored as revision ``base``."""
        with self.engine.begin() as conn:
            _bump(conn, person, site_id, version,
                  {"base": base, "saved_step": step, "updated_at": datetime.now(UTC)})
        return version + 1

    def fold(self, person: str, site_id: str, version: int, *, origin: str, upto: int) -> int:
        """Make the copy start from ``origin``, the site after edit ``upto``; older edits are forgotten."""
        with self.engine.begin() as conn:
            _bump(conn, person, site_id, version, {"origin": origin, "origin_revision": None,
                                                    "origin_step": upto, "updated_at": datetime.now(UTC)})
            conn.execute(delete(WorkingStepRow).where(*_step_key(person, site_id), WorkingStepRow.seq <= upto))
        return version + 1

    def forget(self, person: str, site_id: str) -> None:
        """Delete the copy and its edits; forgetting one that is not there is not an error."""
        with self.engine.begin() as conn:
            conn.execute(delete(WorkingStepRow).where(*_step_key(person, site_id)))
            conn.execute(delete(WorkingCopyRow).where(*_key(person, site_id)))


def _key(person: str, site_id: str) -> tuple[Any, ...]:
    return WorkingCopyRow.person == person, WorkingCopyRow.site_id == site_id


def _step_key(person: str, site_id: str) -> tuple[Any, ...]:
    return WorkingStepRow.person == person, WorkingStepRow.site_id == site_id


def _bump(conn: Connection, person: str, site_id: str, version: int, values: dict[str, Any]) -> None:
    """Compare-and-set the version first, so the write lock orders concurrent writers."""
    moved = conn.execute(update(WorkingCopyRow).where(*_key(person, site_id), WorkingCopyRow.version == version)
                         .values(version=version + 1, **values))
    if moved.rowcount != 1:
        raise StaleWorkingCopy(person, site_id)


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
