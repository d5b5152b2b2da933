"""What the web app's callbacks share: the store, the working copies and layout caches."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from flask import current_app, has_app_context

from integramap.drafts import WorkingCopies
from integramap.store import Store

Point = tuple[float, float]


class PositionCache:
    """Positions computed for units that have none saved, per working copy.

    Kept beside the draft rather than in it: showing an unarranged site must not
    count as an unsaved edit. Least recently used working copies are forgotten.
    """

    def __init__(self, capacity: int = 200) -> None:
        self._lock = threading.Lock()
        self._data: OrderedDict[str, dict[str, Point]] = OrderedDict()
        self._capacity = capacity

    def get(self, token: str) -> dict[str, Point]:
        with self._lock:
            positions = self._data.setdefault(token, {})
            self._data.move_to_end(token)
            while len(self._data) > self._capacity:
                self._data.popitem(last=False)
            return positions

    def update(self, token: str, positions: dict[str, Point]) -> None:
        cache = self.get(token)
        with self._lock:
            cache.update(positions)

    def forget(self, token: str) -> None:
        with self._lock:
            self._data.pop(token, None)


class SentOnce:
    """Remembers what each page was last sent, so unchanged lists (8,000 unit names) are not resent."""

    def __init__(self, capacity: int = 1000) -> None:
        self._lock = threading.Lock()
        self._data: OrderedDict[tuple[str, str], int] = OrderedDict()
        self._capacity = capacity

    def changed(self, token: str, what: str, fingerprint: int) -> bool:
        """Whether ``fingerprint`` differs from the last one recorded for this page and list."""
        key = (token, what)
        with self._lock:
            if self._data.get(key) == fingerprint:
                self._data.move_to_end(key)
                return False
            self._data[key] = fingerprint
            while len(self._data) > self._capacity:
                self._data.popitem(last=False)
            return True


@dataclass
class Services:
    """The app's server-side state, handed to every page's ``register_callbacks``."""

    store: Store
    drafts: WorkingCopies = field(init=False)
    """Every person's working copies, kept in the store so that any server process can serve them."""
    positions: PositionCache = field(default_factory=PositionCache)
    revision_positions: PositionCache = field(default_factory=PositionCache)
    """Positions computed for a stored revision's unplaced units (keyed ``site@revision``), shared by
    every working copy opened on it unchanged: an unarranged site is laid out once, not at each visit."""
    sent: SentOnce = field(default_factory=SentOnce)

    def __post_init__(self) -> None:
        self.drafts = WorkingCopies(self.store)


def current_services() -> Services:
    """The services of the app serving the current request (a page layout has no other way in)."""
    found = current_app.extensions.get("integramap") if has_app_context() else None
    if not isinstance(found, Services):
        raise RuntimeError("no IntegraMap app is serving this request: build it with create_app()")
    return found
