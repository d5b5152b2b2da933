"""Groups the map draws that the site does not hold: practices in no PCN, one per sub-ICB location.

The national files put some practices in no primary care network (PCN code ``U``), so they
have no parent and would sit at the top of the map beside the ICBs: 69 of them nationally,
each name competing for room with the 42 ICBs at the opening view. The map draws them instead
inside one closed group for each place (sub-ICB location) whose footprint holds their
registered lists, "Practices in no PCN", counted and opened like any box.

The group exists only on the map: the site, its analyses and its exports are unchanged (for the
boundary analysis these practices stay the PCN layer's gaps), nothing can be edited on it, and
positions saved never name it. Pure functions of a site: no Dash here.
"""

from __future__ import annotations

import threading
from collections import defaultdict

from integramap.model import Sector, Site, Unit, UnitKind
from integramap.model.trusted import construct
from integramap.wording import plural

GROUP_PREFIX = "no-pcn:"
"""Prefix of a group's id, followed by its place's id (ids of units never contain a space)."""
GROUP_NAME = "Practices in no PCN"

_CACHE: dict[int, tuple[Site, Site]] = {}
_CACHE_SIZE = 8
_LOCK = threading.Lock()


def is_group(uid: str) -> bool:
    """Whether an id on the map is a group of practices in no PCN rather than a unit of the site.

    Examples
    --------
    >>> is_group("no-pcn:LOC:72Q"), is_group("LOC:72Q")
    (True, False)
    """
    return uid.startswith(GROUP_PREFIX)


def homes(site: Site) -> dict[str, str]:
    """For each practice in no PCN, the one place whose footprint holds all of its areas.

    A practice held by no place, or by more than one, has no home and stays where it is.

    Examples
    --------
    >>> from integramap.model import Area
    >>> site = Site(id="s", name="S", areas=[Area(id=a, name=a) for a in "abz"], units=[
    ...     Unit(id="loc", name="Location", kind="place", footprint={"a": 1, "b": 1}),
    ...     Unit(id="pcn", name="Network", kind="pcn", parent="loc"),
    ...     Unit(id="p1", name="In a network", kind="practice", parent="pcn", footprint={"a": 1}),
    ...     Unit(id="p2", name="In none", kind="practice", footprint={"b": 1}),
    ...     Unit(id="p3", name="Nowhere", kind="practice", footprint={"z": 1})])
    >>> homes(site)
    {'p2': 'loc'}
    """
    loose = [u for u in site.units if u.kind is UnitKind.PRACTICE and u.parent is None and u.footprint]
    if not loose:
        return {}
    # Only the areas these practices cover are looked up (a national site's places cover thousands).
    needed = {area for practice in loose for area in practice.footprint}
    places: dict[str, set[str]] = defaultdict(set)
    for unit in site.units:
        if unit.kind is UnitKind.PLACE:
            for area in needed.intersection(unit.footprint) if len(unit.footprint) > len(needed) else (
                    a for a in unit.footprint if a in needed):
                places[area].add(unit.id)
    out: dict[str, str] = {}
    for practice in loose:
        holders: set[str] | None = None
        for area in practice.footprint:
            holders = set(places.get(area, ())) if holders is None else holders & places.get(area, set())
            if not holders:
                break
        if holders is not None and len(holders) == 1:
            out[practice.id] = next(iter(holders))
    return out


def grouped(site: Site) -> Site:
    """The site as the map draws it: each place's practices in no PCN inside one group.

    The same site object comes back when there is nothing to group.

    Examples
    --------
    >>> from integramap.model import Area
    >>> site = Site(id="s", name="S", areas=[Area(id=a, name=a) for a in "ab"], units=[
    ...     Unit(id="loc", name="Location", kind="place", footprint={"a": 1, "b": 1}),
    ...     Unit(id="p1", name="One", kind="practice", footprint={"a": 1}),
    ...     Unit(id="p2", name="Two", kind="practice", footprint={"b": 1})])
    >>> drawn = grouped(site)
    >>> [(u.id, u.parent) for u in drawn.units]
    [('loc', None), ('no-pcn:loc', 'loc'), ('p1', 'no-pcn:loc'), ('p2', 'no-pcn:loc')]
    >>> site.unit("p1").parent is None, grouped(site) is drawn
    (True, True)
    """
    with _LOCK:
        hit = _CACHE.get(id(site))
    if hit is not None and hit[0] is site:
        return hit[1]
    home = homes(site)
    if not home:
        result = site
    else:
        held: dict[str, int] = defaultdict(int)
        for place in home.values():
            held[place] += 1
        units: list[Unit] = []
        for unit in site.units:
            if unit.id in home:
                units.append(unit.model_copy(update={"parent": GROUP_PREFIX + home[unit.id]}))
                continue
            units.append(unit)
            if unit.id in held:
                units.append(construct(Unit, id=GROUP_PREFIX + unit.id, name=GROUP_NAME, kind=UnitKind.PCN,
                                       sectors=[Sector.PRIMARY_CARE], parent=unit.id))
        values = {name: getattr(site, name) for name in type(site).model_fields}
        values["units"] = units
        result = construct(Site, **values)
    with _LOCK:
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[id(site)] = (site, result)
    return result


def describe(site: Site, group_id: str) -> str:
    """What a group is, in words for the unit panel.

    Examples
    --------
    >>> from integramap.model import Area
    >>> site = Site(id="s", name="S", areas=[Area(id="a", name="a")], units=[
    ...     Unit(id="loc", name="North Location", kind="place", footprint={"a": 1}),
    ...     Unit(id="p1", name="One", kind="practice", footprint={"a": 1})])
    >>> describe(site, "no-pcn:loc")
    '1 practice commissioned by North Location belongs to no primary care network (PCN code U in the national files). Open the group to see it.'
    """
    place = group_id[len(GROUP_PREFIX):]
    count = sum(1 for p in homes(site).values() if p == place)
    name = site.units_by_id[place].name if place in site.units_by_id else "this location"
    verb = "belongs" if count == 1 else "belong"
    return (f"{plural(count, 'practice')} commissioned by {name} {verb} to no primary care network "
            f"(PCN code U in the national files). Open the group to see {'it' if count == 1 else 'them'}.")
