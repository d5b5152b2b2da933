"""Working copies of sites being edited: undo, redo, and kept in the store between requests.

A :class:`Draft` holds the site as edited so far, the store revision it
started from, and its undo and redo stacks. Sites are immutable, so each stack
entry is just a reference to an earlier site: undo is free, whatever the size.

:class:`WorkingCopies` keeps one draft per person and site in the store (see
:mod:`integramap.store.working`): each edit is written as a replayable
:class:`Change`, so a working copy survives a reload, a closed tab and a server
restart, and any server process can serve any request. Drafts are cached in the
process; a cached draft is used only while its stored version is unchanged.

Both classes are safe to use from several threads at once, as a web server does.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from . import edit
from .io.sitefile import site_to_data
from .model import Site, SiteError, validate_site
from .store import Store, UnknownSiteError
from .store.working import StaleWorkingCopy, StepRecord, WorkingCopyRecord, WorkingCopyStore

__all__ = [
    "Change", "Draft", "NothingToRedo", "NothingToUndo", "Opened", "StaleWorkingCopy", "Step", "UNDO_DEPTH",
    "WorkingCopies",
]

log = logging.getLogger(__name__)

UNDO_DEPTH = 100
"""Edits that can be undone; older ones are forgotten."""

FOLD_BATCH = 20
"""Edits beyond the undo depth forgotten at once: the stored copy then starts from a new document,
which costs one write of the whole site, so it is done once in this many edits, not at every one."""

CACHED_DRAFTS = 64
"""Drafts kept in a process's memory; one dropped is read back from the store when next used."""


class NothingToUndo(LookupError):
    """Undo was asked for with no edit left to undo."""


class NothingToRedo(LookupError):
    """Redo was asked for with no undone edit to redo."""


def _replace(site: Site, document: dict[str, Any]) -> Site:
    return validate_site(document, source="the uploaded file")


def _set_positions(site: Site, positions: dict[str, list[float]]) -> Site:
    return edit.set_positions(site, {uid: (float(p[0]), float(p[1])) for uid, p in positions.items()})


_OPS: dict[str, Callable[..., Site]] = {
    "add_unit": edit.add_unit, "update_unit": edit.update_unit, "delete_unit": edit.delete_unit,
    "add_link": edit.add_link, "update_link": edit.update_link, "delete_link": edit.delete_link,
    "set_positions": _set_positions, "replace": _replace,
}


@dataclass(frozen=True)
class Change:
    """One edit as a record that can be stored and applied again: an operation of
    :mod:`integramap.edit` and its arguments (plain JSON values).

    Examples
    --------
    >>> from integramap.edit import new_site
    >>> change = Change("add_unit", {"fields": {"name": "Crisis team", "kind": "team"}})
    >>> [u.name for u in change(new_site("demo", "Demo")).units]
    ['Crisis team']
    >>> Change.from_json(change.to_json()) == change
    True
    """

    op: str
    args: dict[str, Any]
    result: Site | None = field(default=None, compare=False, repr=False)
    """For ``replace``: the site already validated, so applying it now need not validate it again."""

    def __post_init__(self) -> None:
        if self.op not in _OPS:
            raise ValueError(f"unknown edit {self.op!r}; expected one of {', '.join(sorted(_OPS))}")

    @classmethod
    def replace(cls, site: Site) -> "Change":
        """Replace the whole site (an upload)."""
        return cls("replace", {"document": site_to_data(site)}, result=site)

    @classmethod
    def positions(cls, positions: dict[str, tuple[float, float]]) -> "Change":
        """Place units on the map (a drag, or Arrange)."""
        return cls("set_positions", {"positions": {uid: [round(x, 2), round(y, 2)]
                                                   for uid, (x, y) in positions.items()}})

    def __call__(self, site: Site) -> Site:
        if self.result is not None:
            return self.result
        return _OPS[self.op](site, **self.args)

    def to_json(self) -> str:
        return json.dumps({"op": self.op, "args": self.args}, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> "Change":
        data = json.loads(text)
        return cls(str(data["op"]), dict(data["args"]))


@dataclass(frozen=True)
class Step:
    """One edit on an undo or redo stack: the site before it (undo) or after it (redo), and what it was."""

    site: Site
    label: str
    seq: int = 0
    change: Callable[[Site], Site] | None = None


class Journal:
    """Where a draft writes each change: one person's working copy of one site in the store."""

    def __init__(self, records: WorkingCopyStore, person: str, site_id: str,
                 on_stale: Callable[[], None]) -> None:
        self.records = records
        self.person = person
        self.site_id = site_id
        self.on_stale = on_stale

    def write(self, fn: Callable[..., int], *args: Any, **kwargs: Any) -> int:
        try:
            return fn(self.person, self.site_id, *args, **kwargs)
        except StaleWorkingCopy:
            self.on_stale()
            raise


class Draft:
    """An editor's working copy of one site.

    Parameters
    ----------
    site
        The site as it stands when editing starts.
    base
        The store revision the site was loaded from; ``None`` for a site not yet saved.
    undo_depth
        How many edits can be undone.

    Examples
    --------
    >>> from integramap.edit import add_unit, new_site
    >>> draft = Draft(new_site("demo", "Demo"), base=3)
    >>> _ = draft.apply(lambda s: add_unit(s, {"name": "Crisis team", "kind": "team"}), "add Crisis team")
    >>> len(draft.site.units), draft.dirty, draft.undo_label
    (1, True, 'add Crisis team')
    >>> len(draft.undo().units), draft.can_redo, draft.dirty
    (0, True, False)
    >>> len(draft.redo().units)
    1
    >>> draft.mark_saved(4)
    >>> draft.base, draft.dirty, draft.can_undo
    (4, False, True)
    """

    def __init__(self, site: Site, base: int | None, *, undo_depth: int = UNDO_DEPTH,
                 journal: Journal | None = None, version: int = 0, step: int = 0) -> None:
        self._lock = threading.RLock()
        self._site = site
        self.base = base
        self.version = version
        self.undo_depth = undo_depth
        self.journal = journal
        self.step = step
        """The last edit applied (its sequence number), or where the copy started."""
        self.saved_step: int | None = step if base is not None else None
        self._next = step + 1
        self._origin = step
        self._saved: Site | None = site if base is not None else None
        self._dirty_at: tuple[int, bool] | None = None
        self._undo: list[Step] = []
        self._redo: list[Step] = []
        self.edited_at: datetime | None = None

    @property
    def site(self) -> Site:
        """The site as edited so far."""
        return self._site

    @property
    def site_id(self) -> str:
        return self._site.id

    @property
    def dirty(self) -> bool:
        """Whether the draft differs from what was last loaded or saved (always, if never saved)."""
        with self._lock:
            if self.saved_step is None:
                return True
            if self.step == self.saved_step:
                return False
            if self._saved is None:
                return True
            if self._dirty_at is None or self._dirty_at[0] != self.version:
                # An edit and its reverse give an equal site. Comparing whole sites costs
                # milliseconds at national scale: once per version.
                self._dirty_at = (self.version, self._site is not self._saved and self._site != self._saved)
            return self._dirty_at[1]

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    @property
    def undo_label(self) -> str | None:
        """What undo would take back, for a button's tooltip."""
        with self._lock:
            return self._undo[-1].label if self._undo else None

    @property
    def redo_label(self) -> str | None:
        with self._lock:
            return self._redo[-1].label if self._redo else None

    def apply(self, fn: Callable[[Site], Site], label: str) -> Site:
        """Replace the site by ``fn(site)``, which can be undone; any redo is dropped.

        An exception from ``fn`` (a :class:`~integramap.model.SiteError` for a
        refused edit) leaves the draft as it was. An edit that returns the same
        site object changes nothing and is not recorded. A draft kept in the
        store takes only a :class:`Change`, which it writes before changing.
        """
        with self._lock:
            before = self._site
            after = fn(before)
            if not isinstance(after, Site):
                raise TypeError(f"an edit must return a Site, got {type(after).__name__}")
            if after is before:
                return after
            seq = self._next
            if self.journal is not None:
                if not isinstance(fn, Change):
                    raise TypeError("a working copy kept in the store records Change edits only")
                self.version = self.journal.write(self.journal.records.push, self.version,
                                                  StepRecord(seq, label, fn.to_json()))
            else:
                self.version += 1
            self._undo.append(Step(before, label, seq, fn))
            self._redo.clear()
            self._site = after
            self.step = seq
            self._next = seq + 1
            self.edited_at = datetime.now(UTC)
            self._forget_oldest()
            return after

    def _forget_oldest(self) -> None:
        extra = len(self._undo) - self.undo_depth
        if extra <= 0 or (self.journal is not None and extra < FOLD_BATCH):
            return
        dropped = self._undo[:extra]
        if self.journal is not None:
            # The oldest kept step's "before" is where the stored copy now starts.
            origin = json.dumps(site_to_data(self._undo[extra].site), ensure_ascii=False, separators=(",", ":"))
            self.version = self.journal.write(self.journal.records.fold, self.version, origin=origin,
                                              upto=dropped[-1].seq)
        del self._undo[:extra]
        self._origin = dropped[-1].seq

    def undo(self) -> Site:
        """Take back the last edit; :class:`NothingToUndo` when there is none."""
        with self._lock:
            if not self._undo:
                raise NothingToUndo("nothing to undo")
            step = self._undo[-1]
            if self.journal is not None:
                self.version = self.journal.write(self.journal.records.move, self.version, step.seq, undone=True)
            else:
                self.version += 1
            self._undo.pop()
            self._redo.append(Step(self._site, step.label, step.seq, step.change))
            self._site = step.site
            self.step = self._undo[-1].seq if self._undo else self._origin
            self.edited_at = datetime.now(UTC)
            return self._site

    def redo(self) -> Site:
        """Do again the last undone edit; :class:`NothingToRedo` when there is none."""
        with self._lock:
            if not self._redo:
                raise NothingToRedo("nothing to redo")
            step = self._redo[-1]
            if self.journal is not None:
                self.version = self.journal.write(self.journal.records.move, self.version, step.seq, undone=False)
            else:
                self.version += 1
            self._redo.pop()
            self._undo.append(Step(self._site, step.label, step.seq, step.change))
            self._site = step.site
            self.step = step.seq
            self.edited_at = datetime.now(UTC)
            return self._site

    def mark_saved(self, revision: int) -> None:
        """Record that the current site was stored as ``revision``: later saves are based on it.

        The undo history is kept, so an edit saved by mistake can still be taken back
        (and saved again as a further revision).
        """
        with self._lock:
            if self.journal is not None:
                self.version = self.journal.write(self.journal.records.saved, self.version, base=revision,
                                                  step=self.step)
            self.base = revision
            self.saved_step = self.step
            self._saved = self._site
            self._dirty_at = None

    def reset(self, site: Site, base: int | None) -> None:
        """Start again from ``site`` (a reload or a discard): history is cleared.

        A stored draft starts from revision ``base`` of the store when ``site`` is that revision,
        else from ``site``'s document.
        """
        with self._lock:
            start = self._next
            if self.journal is not None:
                origin = None if base is not None else json.dumps(site_to_data(site), ensure_ascii=False,
                                                                  separators=(",", ":"))
                self.version = self.journal.write(self.journal.records.start, base=base, origin_revision=base,
                                                  origin=origin, version=self.version, next_step=start + 1)
            else:
                self.version += 1
            self._site = site
            self.base = base
            self._undo.clear()
            self._redo.clear()
            self.step = start
            self._origin = start
            self._saved = site if base is not None else None
            self._dirty_at = None
            self.saved_step = start if base is not None else None
            self._next = start + 1


@dataclass(frozen=True)
class Opened:
    """A working copy as a page opens it: the draft, and when its unsaved edits were made
    (``None`` when it has none to offer resuming)."""

    draft: Draft
    unsaved_since: datetime | None


class WorkingCopies:
    """Every person's working copies, kept in the store and cached in this process.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from integramap.edit import new_site
    >>> store = Store(data_dir=Path(tempfile.mkdtemp()))
    >>> _ = store.save(new_site("demo", "Demo"), author="Asha", message="start", base=None)
    >>> copies = WorkingCopies(store)
    >>> draft = copies.open("browser-1", "demo").draft
    >>> _ = draft.apply(Change("add_unit", {"fields": {"name": "Crisis team", "kind": "team"}}), "add")
    >>> again = WorkingCopies(store).open("browser-1", "demo")   # another process, or after a restart
    >>> [u.name for u in again.draft.site.units], again.draft.dirty, again.unsaved_since is not None
    (['Crisis team'], True, True)
    >>> [u.name for u in WorkingCopies(store).open("browser-2", "demo").draft.site.units]
    []
    """

    def __init__(self, store: Store, *, undo_depth: int = UNDO_DEPTH, cached: int = CACHED_DRAFTS) -> None:
        self.store = store
        self.records: WorkingCopyStore = store.working_copies
        self.undo_depth = undo_depth
        self.cached = cached
        self._drafts: OrderedDict[tuple[str, str], Draft] = OrderedDict()
        self._lock = threading.RLock()

    def open(self, person: str, site_id: str) -> Opened:
        """The person's working copy of a site, started from its latest revision if there is none.

        A copy with no unsaved edits follows the latest revision (someone may have saved since);
        a copy with unsaved edits is kept, and :attr:`Opened.unsaved_since` says when they were made.
        :class:`~integramap.store.UnknownSiteError` when the site is neither stored nor being edited.
        """
        with self._lock:
            draft = self._stored(person, site_id)
            if draft is not None and draft.dirty:
                return Opened(draft, draft.edited_at or datetime.now(UTC))
            latest = self.store.get(site_id)
            if draft is not None and draft.base == latest.number:
                return Opened(draft, None)
            step = draft._next - 1 if draft is not None else 0
            try:
                version = self.records.start(person, site_id, base=latest.number, origin_revision=latest.number,
                                             origin=None, version=draft.version if draft else None,
                                             next_step=step + 1)
            except StaleWorkingCopy:
                self._drafts.pop((person, site_id), None)
                return self.open(person, site_id)  # another process changed it meanwhile
            fresh = Draft(latest.site, latest.number, undo_depth=self.undo_depth, version=version, step=step,
                          journal=self._journal(person, site_id))
            return Opened(self._cache(person, site_id, fresh), None)

    def _stored(self, person: str, site_id: str) -> Draft | None:
        """The stored copy (from this process's cache while its version is current), or ``None``."""
        version = self.records.version(person, site_id)
        if version is None:
            return None
        cached = self._drafts.get((person, site_id))
        if cached is not None:
            with cached._lock:  # an edit half-way through in another thread finishes first
                if cached.version == self.records.version(person, site_id):
                    self._drafts.move_to_end((person, site_id))
                    return cached
        record = self.records.load(person, site_id)
        return None if record is None else self._cache(person, site_id, self._build(record))

    def get(self, person: str, site_id: str) -> Draft:
        """The person's working copy of a site; ``KeyError`` when there is none."""
        with self._lock:
            cached = self._drafts.get((person, site_id))
        if cached is not None:
            # Under the draft's lock, an edit half-way through in another thread finishes first: its
            # stored version and the draft's then agree, and every thread keeps using the one draft.
            # The registry's lock is not held meanwhile, so requests for other copies do not wait.
            with cached._lock:
                version = self.records.version(person, site_id)
                if version is not None and version == cached.version:
                    return cached
        with self._lock:
            draft = self._stored(person, site_id)
        if draft is None:
            raise KeyError(f"no working copy of {site_id!r}")
        return draft

    def start_new(self, person: str, site: Site) -> Draft:
        """A working copy of a site that is not stored yet (an upload of a new site): always unsaved."""
        with self._lock:
            record = self.records.load(person, site.id)
            draft = Draft(site, None, undo_depth=self.undo_depth, journal=self._journal(person, site.id),
                          version=record.version if record else 0,
                          step=(record.next_step if record else 1) - 1)
            if record is None:
                document = json.dumps(site_to_data(site), ensure_ascii=False, separators=(",", ":"))
                draft.version = self.records.start(person, site.id, base=None, origin_revision=None,
                                                   origin=document, version=None)
            else:
                draft.reset(site, None)
            return self._cache(person, site.id, draft)

    def forget(self, person: str, site_id: str) -> None:
        """Drop a working copy (its edits are lost)."""
        with self._lock:
            self._drafts.pop((person, site_id), None)
            self.records.forget(person, site_id)

    def _journal(self, person: str, site_id: str) -> Journal:
        def stale() -> None:
            # Called while holding the draft's lock, so not taking the registry's (which is taken
            # before a draft's, in _stored): one pop from the C-implemented OrderedDict is atomic.
            self._drafts.pop((person, site_id), None)
        return Journal(self.records, person, site_id, stale)

    def _cache(self, person: str, site_id: str, draft: Draft) -> Draft:
        self._drafts[(person, site_id)] = draft
        self._drafts.move_to_end((person, site_id))
        while len(self._drafts) > self.cached:
            self._drafts.popitem(last=False)
        return draft

    def _origin_site(self, record: WorkingCopyRecord) -> Site:
        if record.origin is not None:
            return validate_site(json.loads(record.origin), source=f"the working copy of {record.site_id!r}")
        if record.origin_revision is None:
            raise UnknownSiteError(f"No site called {record.site_id!r}. Choose one from the list.",
                                   site_id=record.site_id)
        return self.store.get(record.site_id, record.origin_revision).site

    def _build(self, record: WorkingCopyRecord) -> Draft:
        """The draft a stored copy describes: its origin with its edits applied again, in order."""
        site = self._origin_site(record)
        draft = Draft(site, record.base, undo_depth=max(self.undo_depth, len(record.done)),
                      journal=self._journal(record.person, record.site_id), version=record.version,
                      step=record.origin_step)
        draft._saved = site if record.saved_step == record.origin_step else None
        for step in record.done:
            change = Change.from_json(step.change)
            try:
                after = change(site)
            except SiteError as err:  # stored edits no longer apply: keep what does, and say so in the log
                log.warning("working copy of %s: edit %s no longer applies: %s", record.site_id, step.label, err)
                break
            draft._undo.append(Step(site, step.label, step.seq, change))
            site = after
            if step.seq == record.saved_step:
                draft._saved = site
        redo: list[Step] = []
        ahead = site
        for step in record.undone:
            change = Change.from_json(step.change)
            try:
                ahead = change(ahead)
            except SiteError:
                break
            redo.append(Step(ahead, step.label, step.seq, change))
        draft._redo = redo[::-1]
        draft._site = site
        draft.step = record.current_step
        draft.saved_step = record.saved_step
        draft._next = record.next_step
        draft.edited_at = record.edited_at
        draft.undo_depth = self.undo_depth
        return draft
