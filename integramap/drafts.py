"""Working copies of sites being edited, kept on the server, one per browser tab.

A :class:`Draft` holds the site as edited so far, the store revision it
started from, and its undo and redo stacks. Sites are immutable, so each stack
entry is just a reference to an earlier site: undo is free, whatever the size.
A :class:`DraftRegistry` hands each tab a token for its draft, so large sites
never travel between browser and server on every edit; the oldest unused
drafts are dropped when there are too many, and a tab whose token is gone
reloads its site from the store.

Both classes are safe to use from several threads at once, as a web server does.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from .model import Site

__all__ = ["Draft", "DraftRegistry", "Step", "NothingToRedo", "NothingToUndo", "UNDO_DEPTH", "MAX_DRAFTS"]

UNDO_DEPTH = 100
"""Edits that can be undone; older ones are forgotten."""

MAX_DRAFTS = 200
"""Drafts kept at once; opening one more drops the least recently used."""


class NothingToUndo(LookupError):
    """Undo was asked for with no edit left to undo."""


class NothingToRedo(LookupError):
    """Redo was asked for with no undone edit to redo."""


@dataclass(frozen=True)
class Step:
    """One edit on an undo or redo stack: the site before it, and what it was."""

    site: Site
    label: str


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

    def __init__(self, site: Site, base: int | None, *, undo_depth: int = UNDO_DEPTH) -> None:
        self._lock = threading.RLock()
        self._site = site
        self._saved: Site | None = site if base is not None else None
        self.base = base
        self.version = 0
        self.undo_depth = undo_depth
        self._undo: list[Step] = []
        self._redo: list[Step] = []
        self._dirty_at: tuple[int, bool] | None = None

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
            if self._saved is None:
                return True
            if self._dirty_at is None or self._dirty_at[0] != self.version:
                # Comparing whole sites costs milliseconds at national scale: once per version.
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
        site object changes nothing and is not recorded.
        """
        with self._lock:
            before = self._site
            after = fn(before)
            if not isinstance(after, Site):
                raise TypeError(f"an edit must return a Site, got {type(after).__name__}")
            if after is before:
                return after
            self._undo.append(Step(before, label))
            del self._undo[: max(0, len(self._undo) - self.undo_depth)]
            self._redo.clear()
            self._site = after
            self.version += 1
            return after

    def undo(self) -> Site:
        """Take back the last edit; :class:`NothingToUndo` when there is none."""
        with self._lock:
            if not self._undo:
                raise NothingToUndo("nothing to undo")
            step = self._undo.pop()
            self._redo.append(Step(self._site, step.label))
            self._site = step.site
            self.version += 1
            return self._site

    def redo(self) -> Site:
        """Do again the last undone edit; :class:`NothingToRedo` when there is none."""
        with self._lock:
            if not self._redo:
                raise NothingToRedo("nothing to redo")
            step = self._redo.pop()
            self._undo.append(Step(self._site, step.label))
            self._site = step.site
            self.version += 1
            return self._site

    def mark_saved(self, revision: int) -> None:
        """Record that the current site was stored as ``revision``: later saves are based on it.

        The undo history is kept, so an edit saved by mistake can still be taken back
        (and saved again as a further revision).
        """
        with self._lock:
            self.base = revision
            self._saved = self._site
            self._dirty_at = None

    def reset(self, site: Site, base: int | None) -> None:
        """Start again from ``site`` (a reload or a discard): history is cleared."""
        with self._lock:
            self._site = site
            self._saved = site if base is not None else None
            self.base = base
            self._undo.clear()
            self._redo.clear()
            self._dirty_at = None
            self.version += 1


class DraftRegistry:
    """The drafts of every open tab, by token; at most ``capacity``, least recently used dropped first.

    Examples
    --------
    >>> from integramap.edit import new_site
    >>> registry = DraftRegistry(capacity=2)
    >>> first = registry.open(new_site("a", "A"), base=1)
    >>> registry.get(first).site_id
    'a'
    >>> second = registry.open(new_site("b", "B"), base=1)
    >>> third = registry.open(new_site("c", "C"), base=None)
    >>> first in registry, len(registry)
    (False, 2)
    >>> registry.get(first)
    Traceback (most recent call last):
    ...
    KeyError: 'this draft has expired; reload the site'
    """

    def __init__(self, capacity: int = MAX_DRAFTS, *, undo_depth: int = UNDO_DEPTH) -> None:
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1, got {capacity}")
        self.capacity = capacity
        self.undo_depth = undo_depth
        self._drafts: OrderedDict[str, Draft] = OrderedDict()
        self._lock = threading.Lock()

    def open(self, site: Site, base: int | None) -> str:
        """Start a draft of ``site`` (loaded from revision ``base``, or new); returns its token."""
        draft = Draft(site, base, undo_depth=self.undo_depth)
        token = secrets.token_urlsafe(16)
        with self._lock:
            self._drafts[token] = draft
            while len(self._drafts) > self.capacity:
                self._drafts.popitem(last=False)
        return token

    def get(self, token: str) -> Draft:
        """The draft for a token; ``KeyError`` when it has expired or never existed."""
        with self._lock:
            draft = self._drafts.get(token) if isinstance(token, str) else None
            if draft is None:
                raise KeyError("this draft has expired; reload the site")
            self._drafts.move_to_end(token)
            return draft

    def discard(self, token: str) -> None:
        """Forget a draft; forgetting one already gone is not an error."""
        with self._lock:
            self._drafts.pop(token, None)

    def __contains__(self, token: object) -> bool:
        with self._lock:
            return token in self._drafts

    def __len__(self) -> int:
        with self._lock:
            return len(self._drafts)
