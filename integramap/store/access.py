"""The store as one person may use it: only the sites they may see, saves only where they may edit.

The web app and the REST API hand their callbacks a :class:`PersonalStore`,
so every read and write path is checked on the server whatever the browser
shows or sends. The person is whoever the current request acts for
(:func:`integramap.people.acting_person`); with no accounts in the database
the app is single-user and that is :data:`~integramap.people.LOCAL_PERSON`.
"""

from __future__ import annotations

from sqlalchemy import Engine

from ..model import Site
from ..people import LOCAL_PERSON, Person, Role, acting_person, set_acting
from ..scenario import Scenario
from .scenarios import SavedScenario
from .store import ConflictError, Revision, RevisionInfo, SiteInfo, Store, StoreError, UnknownSiteError
from .working import StepRecord, WorkingCopyStore


class NotAllowed(StoreError):
    """The person may see the site but their role does not allow this change."""


class PersonalStore(Store):
    """A view of ``inner`` that checks the acting person's role before every read and write.

    It shares ``inner``'s connections and cache; the author of every save is
    the signed-in person, whatever the caller passes (single-user mode keeps
    the name the page asked for, as there is no account to name).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from integramap.people import acting_as
    >>> store = Store(data_dir=Path(tempfile.mkdtemp()))
    >>> store.accounts.add("Vic", None, actor="setup")
    >>> _ = store.save(Site(id="demo", name="Demo"), author="setup", message="", base=None)
    >>> mine = PersonalStore(store)
    >>> vic = Person(name="Vic", roles={"demo": Role.VIEWER})
    >>> with acting_as(vic):
    ...     print([s.id for s in mine.list_sites()], mine.get("demo").number)
    ['demo'] 1
    >>> with acting_as(vic):
    ...     mine.save(Site(id="demo", name="Changed"), author="Chief Executive", message="", base=1)
    Traceback (most recent call last):
    ...
    integramap.store.access.NotAllowed: You can view this site but not change it: ask its owner ...
    >>> store.close()
    """

    def __init__(self, inner: Store) -> None:  # noqa: D107 - shares inner's state on purpose
        self.__dict__.update(inner.__dict__)
        self.inner = inner
        self.working_copies = EditorsWorkingCopies(inner.working_copies.engine, self)

    def person(self) -> Person:
        """Who is asking: the acting person, or the local person when there are no accounts."""
        found = acting_person()
        if found is not None:
            return found
        if self.accounts.count() == 0:
            return LOCAL_PERSON
        raise NotAllowed("Please sign in again: your session has ended.")

    def require(self, site_id: str, role: Role = Role.VIEWER) -> Person:
        """The person, if their role on the site includes ``role``.

        A site they may not see is reported exactly as a site that does not exist.
        """
        person = self.person()
        if not person.may(site_id, Role.VIEWER):
            raise self._unknown(site_id)
        if not person.may(site_id, role):
            needed = "an editor" if role is Role.EDITOR else "an owner"
            raise NotAllowed(f"You can view this site but not change it: ask its owner to make you "
                             f"{needed} of it.")
        return person

    def may_edit(self, site_id: str | None) -> bool:
        """Whether the person may change the site: they are its editor or owner, or it is not stored
        yet (a new site becomes its creator's). Pages leave out the controls of what they may not do.

        Examples
        --------
        >>> import tempfile
        >>> from pathlib import Path
        >>> from integramap.people import acting_as
        >>> store = Store(data_dir=Path(tempfile.mkdtemp()))
        >>> _ = store.save(Site(id="demo", name="Demo"), author="setup", message="", base=None)
        >>> with acting_as(Person(name="Vic", roles={"demo": Role.VIEWER})):
        ...     PersonalStore(store).may_edit("demo"), PersonalStore(store).may_edit("new-site")
        (False, True)
        >>> store.close()
        """
        if not site_id:
            return True
        try:
            person = self.person()
        except NotAllowed:
            return False
        return person.may(site_id, Role.EDITOR) or not Store.exists(self, site_id)

    def require_edit(self, site_id: str) -> None:
        """:class:`NotAllowed` (or, for a site they may not see, :class:`UnknownSiteError`) unless
        :meth:`may_edit`: the check made on every change to a working copy."""
        if not self.may_edit(site_id):
            self.require(site_id, Role.EDITOR)
            raise NotAllowed("Please sign in again: your session has ended.")

    # Reading -----------------------------------------------------------------------------

    def list_sites(self) -> list[SiteInfo]:
        """The sites the person may see."""
        person = self.person()
        return [s for s in super().list_sites() if person.may(s.id)]

    def exists(self, site_id: str) -> bool:
        """Whether the site is stored and the person may see it."""
        return self.person().may(site_id) and super().exists(site_id)

    def latest(self, site_id: str) -> int:
        self.require(site_id)
        return super().latest(site_id)

    def get(self, site_id: str, revision: int | None = None) -> Revision:
        self.require(site_id)
        return super().get(site_id, revision)

    def history(self, site_id: str) -> list[RevisionInfo]:
        self.require(site_id)
        return super().history(site_id)

    def list_scenarios(self, site_id: str) -> list[SavedScenario]:
        self.require(site_id)
        return super().list_scenarios(site_id)

    def get_scenario(self, site_id: str, name: str) -> Scenario:
        self.require(site_id)
        return super().get_scenario(site_id, name)

    # Writing -----------------------------------------------------------------------------

    def save(self, site: Site, *, author: str, message: str, base: int | None) -> RevisionInfo:
        """Save as the signed-in person; a new site makes them its owner."""
        if base is None:
            person = self.person()
            if not person.may(site.id) and super().exists(site.id):
                raise ConflictError(f"A site with id {site.id!r} already exists: choose another id for "
                                    "the new site", site_id=site.id, base=None)
        else:
            person = self.require(site.id, Role.EDITOR)
        info = super().save(site, author=author if person.local else person.name, message=message,
                            base=base)
        if base is None and not person.admin:
            self.accounts.grant(person.name, site.id, Role.OWNER, actor=person.name)
            # The rest of this request sees the new site as theirs too.
            set_acting(person.model_copy(update={"roles": {**person.roles, site.id: Role.OWNER}}))
        return info

    def restore(self, site_id: str, revision: int, *, author: str,
                message: str | None = None) -> RevisionInfo:
        person = self.require(site_id, Role.EDITOR)
        return super().restore(site_id, revision, author=author if person.local else person.name,
                               message=message)

    def save_scenario(self, site_id: str, scenario: Scenario, *, author: str,
                      base: int | None) -> SavedScenario:
        """Keep a scenario beside the site; only its editors may (a viewer can still try one)."""
        person = self.require(site_id, Role.EDITOR)
        return super().save_scenario(site_id, scenario, author=author if person.local else person.name,
                                     base=base)

    def delete_scenario(self, site_id: str, name: str) -> None:
        self.require(site_id, Role.EDITOR)
        super().delete_scenario(site_id, name)

    def share(self, name: str, site_id: str, role: Role | None) -> None:
        """Give ``name`` a role on the site (``None`` takes it away); only its owner may."""
        person = self.require(site_id, Role.OWNER)
        if role is None:
            self.accounts.revoke(name, site_id, actor=person.name)
        else:
            self.accounts.grant(name, site_id, role, actor=person.name)


class EditorsWorkingCopies(WorkingCopyStore):
    """Working copies as one person may change them: opening a copy (which only reads) is open to
    every viewer, but recording an edit, an undo or a redo needs the editor's role on a stored site.

    So a viewer who sends the Map page's edit requests by hand changes nothing, whichever
    callback they reach: every edit of a working copy passes through here.
    """

    def __init__(self, engine: Engine, store: PersonalStore) -> None:  # noqa: D107
        super().__init__(engine)
        self.store = store

    def push(self, person: str, site_id: str, version: int, step: StepRecord) -> int:
        self.store.require_edit(site_id)
        return super().push(person, site_id, version, step)

    def move(self, person: str, site_id: str, version: int, seq: int, *, undone: bool) -> int:
        self.store.require_edit(site_id)
        return super().move(person, site_id, version, seq, undone=undone)


__all__ = ["EditorsWorkingCopies", "NotAllowed", "PersonalStore", "UnknownSiteError"]
