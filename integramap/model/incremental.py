"""A site derived from a valid one by an edit, checked by what the edit touches.

The editor changes a few units or links of a site that is already valid. The
full integrity check (:func:`integramap.model.integrity.check_site`) reads every
unit and link again; at national size that is most of an edit's cost.
:func:`derive` checks only what the edit can break: the changed units and links
themselves, the parent chains of units that moved, and the links that meet
those chains. When that finds nothing the new site is built without the full
check; when it finds anything, or cannot tell cheaply, the site is validated in
full, so a refused edit is refused with exactly the message it always had.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import compress
from operator import is_not
from typing import Any, NamedTuple

from .enums import UnitKind
from .site import Link, Site, Unit
from .trusted import construct

__all__ = ["derive", "edit_is_clean"]

WALK_BUDGET = 200_000
"""Parent-chain steps the incremental check may take before it hands over to the full check:
an adversarial site (a chain thousands deep under a moved unit) must not make it quadratic."""


class _OverBudget(Exception):
    pass


def derive(site: Site, *, units: Sequence[Unit] | None = None, links: Sequence[Link] | None = None) -> Site:
    """``site`` with new unit and/or link lists, as valid as :meth:`Site.model_validate` would make it.

    ``site`` must be valid, as every site built by validation or by the editor
    is (one built by ``model_copy``/``model_construct`` skipped its checks and
    may not be). Items taken unchanged from ``site`` are trusted; new items must
    already be validated models (as the editor's forms make them). Raises
    pydantic's ``ValidationError`` for an invalid result, exactly as full
    validation does.

    Examples
    --------
    >>> from integramap.model import problems_from_validation
    >>> site = Site(id="s", name="S", units=[Unit(id="a", name="A", kind="team")])
    >>> grown = derive(site, units=[*site.units, Unit(id="b", name="B", kind="team", parent="a")])
    >>> [u.id for u in grown.units], grown.unit("b").parent
    (['a', 'b'], 'a')
    >>> try:
    ...     derive(grown, units=[grown.units[0].model_copy(update={"parent": "b"}), grown.units[1]])
    ... except ValueError as err:
    ...     print(problems_from_validation(err.errors())[0])  # type: ignore[attr-defined]
    units[0].parent: parent chain loops back to 'a' (a → b → a); a unit cannot contain itself
    """
    new_units = list(site.units if units is None else units)
    new_links = list(site.links if links is None else links)
    data = {name: getattr(site, name) for name in Site.model_fields}
    data.update(units=new_units, links=new_links)
    try:
        found = _clean(site, new_units, new_links)
    except _OverBudget:
        found = None
    if found is None:
        return Site.model_validate(data)
    derived = construct(Site, **data)
    # The check built the new site's look-ups on the way: keep them (a Site is frozen, so they stay true).
    derived.__dict__["units_by_id"], derived.__dict__["links_by_id"] = found.units_by_id, found.links_by_id
    if "areas_by_id" in site.__dict__:
        derived.__dict__["areas_by_id"] = dict(site.areas_by_id)
    if "children_by_id" in site.__dict__:
        derived.__dict__["children_by_id"] = _children(site, derived, found)
    return derived


class _Found(NamedTuple):
    units_by_id: dict[str, Unit]
    links_by_id: dict[str, Link]
    moved: list[str]
    """Units whose parent changed, and new units."""
    removed: list[str]


def _children(before: Site, after: Site, found: _Found) -> dict[str, list[str]]:
    """``after.children_by_id`` from ``before``'s: only the parents that gained or lost a child are redone."""
    old_units = before.units_by_id
    touched: set[str] = set()
    for uid in found.moved:
        was = old_units.get(uid)
        touched.update(p for p in (found.units_by_id[uid].parent, was.parent if was is not None else None)
                       if p is not None)
    for uid in found.removed:
        touched.add(uid)
        parent = old_units[uid].parent
        if parent is not None:
            touched.add(parent)
    out = {parent: list(kids) for parent, kids in before.children_by_id.items() if parent not in touched}
    if touched:
        for unit in after.units:  # in site order, as a full build lists them
            if unit.parent in touched:
                out.setdefault(unit.parent, []).append(unit.id)
    return out


def edit_is_clean(site: Site, units: Sequence[Any], links: Sequence[Any]) -> bool:
    """Whether ``site`` (valid) with these unit and link lists would pass the full integrity check.

    ``True`` only when it certainly would. ``False`` when it would not, or when a
    list holds something other than a model, or when telling would cost more than
    the full check: the caller then validates in full.

    Examples
    --------
    >>> site = Site(id="s", name="S", units=[Unit(id="a", name="A", kind="team"),
    ...                                      Unit(id="b", name="B", kind="team", parent="a")])
    >>> edit_is_clean(site, site.units, [Link(id="l", source="a", target="b", level="interface")])
    False
    >>> edit_is_clean(site, [*site.units, Unit(id="c", name="C", kind="team")],
    ...               [Link(id="l", source="c", target="b", level="interface")])
    True
    """
    try:
        return _clean(site, units, links) is not None
    except _OverBudget:
        return False


def _clean(site: Site, units: Sequence[Any],
           links: Sequence[Any]) -> _Found | None:
    """The new site's units and links by id when it is certainly valid, else ``None``."""
    old_units = site.units_by_id
    diff = _diff(site.units, units, old_units)
    if diff is None:
        return None
    by_id, changed, removed = diff

    areas = site.areas_by_id
    moved: list[str] = []
    for unit in changed:
        if unit.parent is not None and unit.parent not in by_id:
            return None
        if unit.org_type is not None and unit.kind != UnitKind.ORGANISATION:
            return None
        if any(area not in areas for area in unit.footprint):
            return None
        before = old_units.get(unit.id)
        if before is None or before.parent != unit.parent:
            moved.append(unit.id)
    if removed:
        gone = set(removed)
        # Units kept as they were whose parent went (changed units were checked above).
        if any(u.parent in gone for u in units):
            return None

    budget = [WALK_BUDGET]
    # A new parent loop runs through a unit whose parent changed (the old site had none).
    for start in moved:
        if _loops(by_id, start, budget):
            return None
    # A link to an ancestor, new in this edit, is between a unit and one of the new ancestors of a
    # moved unit (its chain changed below that ancestor) unless the link itself is new.
    above: set[str] = set()
    for start in moved:
        above.update(_chain(by_id, start, budget))

    old_links = site.links_by_id
    links_by_id: dict[str, Link] = {}
    for link in links:
        if type(link) is not Link:
            return None
        links_by_id[link.id] = link
        fresh = old_links.get(link.id) is not link
        if fresh:
            if link.source not in by_id or link.target not in by_id or link.source == link.target:
                return None
        elif removed and (link.source not in by_id or link.target not in by_id):
            return None
        if (fresh or link.source in above or link.target in above) and (
                _is_above(by_id, link.target, link.source, budget)
                or _is_above(by_id, link.source, link.target, budget)):
            return None
    return _Found(by_id, links_by_id, moved, removed) if len(links_by_id) == len(links) else None


def _diff(old: Sequence[Unit], new: Sequence[Any],
          old_by_id: dict[str, Unit]) -> tuple[dict[str, Unit], list[Unit], list[str]] | None:
    """The new units by id, those not taken unchanged from ``old``, and the ids no longer there;
    ``None`` for a duplicate id or an item that is not a unit."""
    if len(new) >= len(old):
        # An edit replaces units in place or adds them at the end: compare place by place, at C speed,
        # and start from a copy of the old index.
        places = list(compress(range(len(old)), map(is_not, new, old)))
        changed = [new[i] for i in places] + list(new[len(old):])
        if any(type(u) is not Unit for u in changed):  # a subclass or plain data takes the full path
            return None
        by_id = dict(old_by_id)
        for i in places:
            del by_id[old[i].id]
        for unit in changed:
            if unit.id in by_id:
                return None  # a duplicate id
            by_id[unit.id] = unit
        return by_id, changed, [old[i].id for i in places if old[i].id not in by_id]
    by_id = {}
    changed = []
    for unit in new:
        if type(unit) is not Unit:  # a subclass or plain data takes the full path
            return None
        if old_by_id.get(unit.id) is not unit:
            changed.append(unit)
        by_id[unit.id] = unit
    if len(by_id) != len(new):
        return None  # a duplicate id
    return by_id, changed, [uid for uid in old_by_id if uid not in by_id]


def _spend(budget: list[int]) -> None:
    budget[0] -= 1
    if budget[0] < 0:
        raise _OverBudget


def _loops(by_id: dict[str, Unit], start: str, budget: list[int]) -> bool:
    """Whether walking up from ``start`` ever comes back to a unit already passed."""
    seen = {start}
    current = by_id[start].parent
    while current is not None:
        _spend(budget)
        if current in seen:
            return True
        seen.add(current)
        unit = by_id.get(current)
        current = unit.parent if unit is not None else None
    return False


def _chain(by_id: dict[str, Unit], start: str, budget: list[int]) -> list[str]:
    """The ancestors of ``start``, nearest first (the tree has no loop by now)."""
    out: list[str] = []
    current = by_id[start].parent
    while current is not None:
        _spend(budget)
        out.append(current)
        unit = by_id.get(current)
        current = unit.parent if unit is not None else None
    return out


def _is_above(by_id: dict[str, Unit], upper: str, lower: str, budget: list[int]) -> bool:
    unit = by_id.get(lower)
    current = unit.parent if unit is not None else None
    while current is not None:
        _spend(budget)
        if current == upper:
            return True
        unit = by_id.get(current)
        current = unit.parent if unit is not None else None
    return False
