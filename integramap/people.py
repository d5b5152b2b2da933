"""People who use IntegraMap and what each may do with each site.

A :class:`Person` is what the rest of the code needs to know about whoever is
asking: their name (the author of what they save), whether they are a global
admin, and their :class:`Role` on each site. Accounts themselves are kept by
:class:`integramap.store.accounts.Accounts`.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

__all__ = ["LOCAL_PERSON", "NotSignedIn", "Person", "Role", "acting_as", "acting_person"]


class Role(StrEnum):
    """What a person may do with a site; each role includes the ones before it."""

    VIEWER = "viewer"
    """Open the site and its analyses."""
    EDITOR = "editor"
    """Also save new revisions and restore old ones."""
    OWNER = "owner"
    """Also share the site: give and take away others' roles on it."""

    @property
    def rank(self) -> int:
        """The role's place in the order viewer < editor < owner.

        Examples
        --------
        >>> Role.EDITOR.rank > Role.VIEWER.rank
        True
        """
        return _ORDER.index(self)

    def includes(self, other: "Role") -> bool:
        """Whether this role allows everything ``other`` allows.

        Examples
        --------
        >>> Role.OWNER.includes(Role.EDITOR), Role.VIEWER.includes(Role.EDITOR)
        (True, False)
        """
        return self.rank >= other.rank


_ORDER = [Role.VIEWER, Role.EDITOR, Role.OWNER]


class Person(BaseModel):
    """Someone using the app or the API, with their roles.

    Examples
    --------
    >>> asha = Person(name="Asha", roles={"riverside": Role.EDITOR})
    >>> asha.may("riverside", Role.VIEWER), asha.may("riverside", Role.OWNER), asha.may("other")
    (True, False, False)
    >>> Person(name="Root", admin=True).role("anything")
    <Role.OWNER: 'owner'>
    """

    model_config = ConfigDict(frozen=True)

    name: str
    """The account name, recorded as the author of every revision this person saves."""
    admin: bool = False
    """A global admin may see, edit and share every site and create new ones."""
    roles: dict[str, Role] = {}
    """Role per site id; a site not named here is not visible to this person."""
    local: bool = False
    """The single-user mode's person: no accounts exist and the app listens on loopback only."""

    def role(self, site_id: str) -> Role | None:
        """This person's role on a site (owner for an admin), or ``None``."""
        if self.admin:
            return Role.OWNER
        return self.roles.get(site_id)

    def may(self, site_id: str, needed: Role = Role.VIEWER) -> bool:
        """Whether this person's role on the site includes ``needed``."""
        role = self.role(site_id)
        return role is not None and role.includes(needed)


LOCAL_PERSON = Person(name="Local user", admin=True, local=True)
"""Who uses the app when no accounts exist: one person on this computer, who may do everything."""


class NotSignedIn(PermissionError):
    """Something needed to know who is asking, and no one is signed in."""

    def __str__(self) -> str:
        return "Please sign in again: your session has ended."


_ACTING: contextvars.ContextVar[Person | None] = contextvars.ContextVar("integramap_person", default=None)


def acting_person() -> Person | None:
    """The person the current request (or the background job it started) acts for, if any.

    Examples
    --------
    >>> acting_person() is None
    True
    >>> with acting_as(Person(name="Asha")):
    ...     acting_person().name
    'Asha'
    """
    return _ACTING.get()


@contextlib.contextmanager
def acting_as(person: Person | None) -> Iterator[None]:
    """Act for ``person`` inside the block (the web app does so for each request)."""
    token = _ACTING.set(person)
    try:
        yield
    finally:
        _ACTING.reset(token)


def set_acting(person: Person | None) -> contextvars.Token[Person | None]:
    """Act for ``person`` until :func:`reset_acting` is called with the returned token: for
    frameworks whose request start and end are separate hooks."""
    return _ACTING.set(person)


def reset_acting(token: contextvars.Token[Person | None]) -> None:
    """Stop acting for the person set by :func:`set_acting`."""
    _ACTING.reset(token)
