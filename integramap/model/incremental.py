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
from typing import Any

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

    Items taken unchanged from ``site`` are trusted; new items must already be
    validated models (as the editor's forms make them). Raises pydantic's
    ``ValidationError`` for an invalid result, exactly as full validation does.

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
        indexes = _clean(site, new_units, new_links)
    except _OverBudget:
        indexes = None
    if indexes is None:
        return Site.model_validate(data)
    derived = construct(Site, **data)
    # The check built the new site's look-ups on the way: keep them (a Site is frozen, so they stay true).
    derived.__dict__["units_by_id"], derived.__dict__["links_by_id"] = indexes
    if "areas_by_id" in site.__dict__:
        derived.__dict__["areas_by_id"] = dict(site.areas_by_id)
    if "children_by_id" in site.__dict__:
        derived.__dict__["children_by_id"] = _children(site, derived)
    return derived


def _children(before: Site, after: Site) -> dict[str, list[str]]:
    """``after.children_by_id`` from ``before``'s: only the parents that gained or lost a child are redone."""
    old_units, new_units = before.units_by_id, after.units_by_id
    touched: set[str] = set()
    for unit in after.units:
        was = old_units.get(unit.id)
        if was is not unit and (was is None or was.parent != unit.parent):
            touched.update(p for p in (unit.parent, was.parent if was is not None else None) if p is not None)
    gone = [u for u in before.units if u.id not in new_units]
    touched.update(u.parent for u in gone if u.parent is not None)
    touched.update(u.id for u in gone)
    out = {parent: list(kids) for parent, kids in before.children_by_id.items()}
    if not touched:
        return out
    for parent in touched:
        out.pop(parent, None)
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
           links: Sequence[Any]) -> tuple[dict[str, Unit], dict[str, Link]] | None:
    """The new site's units and links by id when it is certainly valid, else ``None``."""
    old_units = site.units_by_id
    by_id: dict[str, Unit] = {}
    changed: list[Unit] = []
    for unit in units:
        if type(unit) is not Unit:  # a subclass or plain data takes the full path
            return None
        if old_units.get(unit.id) is not unit:
            changed.append(unit)
        by_id[unit.id] = unit
    if len(by_id) != len(units):
        return None  # a duplicate id
    removed = [uid for uid in old_units if uid not in by_id]

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
    return (by_id, links_by_id) if len(links_by_id) == len(links) else None


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
