"""Cross-reference checks of a site, each fault reported with its location.

The checks run after pydantic has checked every field's type, and collect
every fault rather than stopping at the first.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from .enums import UnitKind
from .errors import IntegrityError, Problem

if TYPE_CHECKING:
    from .site import Site

__all__ = ["IntegrityError", "check_site"]


def check_site(site: "Site") -> list[Problem]:
    """Every cross-reference fault in a site, in file order.

    Examples
    --------
    >>> from integramap.model import Site, Unit
    >>> site = Site.model_construct(id="s", name="S", areas=[], links=[], units=[
    ...     Unit(id="a", name="A", kind="team", parent="b"),
    ...     Unit(id="b", name="B", kind="team", parent="a")])
    >>> [str(p) for p in check_site(site)]  # doctest: +NORMALIZE_WHITESPACE
    ["units[0].parent: parent chain loops back to 'a' (a → b → a); a unit cannot contain itself",
     "units[1].parent: parent chain loops back to 'b' (b → a → b); a unit cannot contain itself"]
    """
    problems: list[Problem] = []
    problems += _duplicates("areas", [a.id for a in site.areas], "area")
    problems += _duplicates("units", [u.id for u in site.units], "unit")
    problems += _duplicates("links", [lk.id for lk in site.links], "link")

    unit_ids = {u.id for u in site.units}
    area_ids = {a.id for a in site.areas}
    parents = {u.id: u.parent for u in site.units}

    for i, unit in enumerate(site.units):
        if unit.parent is not None and unit.parent not in unit_ids:
            problems.append(Problem(("units", i, "parent"),
                                    f"unknown unit {unit.parent!r}; expected the id of a unit in this site"))
        if unit.org_type is not None and unit.kind is not UnitKind.ORGANISATION:
            problems.append(Problem(("units", i, "org_type"),
                                    f"org_type is only for organisations, and this unit's kind is {unit.kind}"))
        for area_id in unit.footprint:
            if area_id not in area_ids:
                problems.append(Problem(("units", i, "footprint", area_id),
                                        f"unknown area {area_id!r}; expected the id of an area in this site"))
        loop = _parent_loop(unit.id, parents)
        if loop:
            chain = " → ".join(loop)
            problems.append(Problem(("units", i, "parent"),
                                    f"parent chain loops back to {unit.id!r} ({chain}); a unit cannot contain itself"))

    for i, link in enumerate(site.links):
        for end in ("source", "target"):
            ref = getattr(link, end)
            if ref not in unit_ids:
                problems.append(Problem(("links", i, end),
                                        f"unknown unit {ref!r}; expected the id of a unit in this site"))
        if link.source == link.target:
            problems.append(Problem(("links", i, "target"),
                                    f"link joins {link.source!r} to itself; expected two different units"))
            continue
        for a, b in ((link.source, link.target), (link.target, link.source)):
            if a in unit_ids and b in unit_ids and b in _ancestors(a, parents):
                problems.append(Problem(("links", i),
                                        f"link joins {a!r} to its own ancestor {b!r}; containment is "
                                        "already given by `parent`, a link is for integration between units"))
    return problems


def _duplicates(section: str, ids: list[str], what: str) -> list[Problem]:
    counts = Counter(ids)
    seen: set[str] = set()
    out = []
    for i, item_id in enumerate(ids):
        if counts[item_id] > 1:
            if item_id in seen:
                out.append(Problem((section, i, "id"),
                                   f"duplicate {what} id {item_id!r}; every {what} needs its own id"))
            seen.add(item_id)
    return out


def _ancestors(unit_id: str, parents: dict[str, str | None]) -> list[str]:
    out: list[str] = []
    current = parents.get(unit_id)
    while current is not None and current not in out and current != unit_id:
        out.append(current)
        current = parents.get(current)
    return out


def _parent_loop(unit_id: str, parents: dict[str, str | None]) -> list[str]:
    """The chain from a unit back to itself, or [] when the unit is not on a loop."""
    chain = [unit_id]
    current = parents.get(unit_id)
    while current is not None and current in parents:
        chain.append(current)
        if current == unit_id:
            return chain
        if current in chain[:-1]:
            return []  # a loop further up that this unit merely hangs from
        current = parents.get(current)
    return []
