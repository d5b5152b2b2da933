"""The fixed terms the typology descriptor is built from: tiers of care, Leutz degrees, sector inference.

Frameworks use "horizontal", "vertical" and "degree of integration" in
different ways; IntegraMap fixes one meaning for each here, and the
descriptor repeats the definitions in its output so that a reader never has
to guess.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Mapping

from ..model import Level, Link, OrgType, Sector, Site, UnitKind

TIERS: dict[str, tuple[Sector, ...]] = {
    "primary": (Sector.PRIMARY_CARE,),
    "secondary": (Sector.MENTAL_HEALTH, Sector.COMMUNITY_HEALTH, Sector.ACUTE),
    "social_care": (Sector.SOCIAL_CARE,),
}
"""Tiers of care and the sectors in each. Secondary includes tertiary (specialist) care.

Public health, commissioning, voluntary, independent and housing are not a
tier of care in this sense: they can be in any tier, or in none, so a link
with such an end is counted as outside the tiers rather than guessed.
"""

TIER_OF_SECTOR: dict[Sector, str] = {s: tier for tier, sectors in TIERS.items() for s in sectors}

BREADTH_DEFINITIONS: dict[str, str] = {
    "tiers": "primary = primary care; secondary = mental health, community health and acute "
             "(including tertiary) care; social_care = social care. Public health, commissioning, "
             "voluntary, independent and housing are outside the tiers.",
    "horizontal": "a link whose two ends work in exactly the same tier or tiers of care",
    "vertical": "a link whose two ends work in different tiers of care "
                "(primary, secondary/tertiary, social care)",
    "outside_tiers": "a link with an end whose sectors are in no tier of care",
}

LEUTZ: dict[Level, str] = {
    Level.INTERFACE: "linkage",
    Level.CLOSER_WORKING: "linkage",
    Level.CO_LOCATED: "coordination",
    Level.POOLED_MANAGEMENT: "coordination",
    Level.MERGED_GOVERNANCE: "full_integration",
    Level.FULLY_MERGED: "full_integration",
}
"""Leutz's (1999) degree of each integration level, as in DESIGN.md's level table."""

LEUTZ_DEGREES: tuple[str, ...] = ("linkage", "coordination", "full_integration")

LEVEL_ABBREVIATIONS: dict[Level, str] = {
    Level.INTERFACE: "IF",
    Level.CLOSER_WORKING: "CW",
    Level.CO_LOCATED: "CL",
    Level.POOLED_MANAGEMENT: "PM",
    Level.MERGED_GOVERNANCE: "MG",
    Level.FULLY_MERGED: "FM",
}
"""Two letters per level, used in the typology code."""

_KIND_SECTORS: dict[UnitKind, tuple[Sector, ...]] = {
    UnitKind.PRACTICE: (Sector.PRIMARY_CARE,),
    UnitKind.PCN: (Sector.PRIMARY_CARE,),
}

_ORG_TYPE_SECTORS: dict[OrgType, tuple[Sector, ...]] = {
    OrgType.LOCAL_AUTHORITY: (Sector.SOCIAL_CARE,),
    OrgType.GP_FEDERATION: (Sector.PRIMARY_CARE,),
    OrgType.VOLUNTARY: (Sector.VOLUNTARY,),
    OrgType.INDEPENDENT: (Sector.INDEPENDENT,),
    OrgType.COMMISSIONER: (Sector.COMMISSIONING,),
}


def unit_sectors(site: Site, unit_id: str) -> tuple[Sector, ...]:
    """The sectors a unit works in: its own, else its nearest ancestor's, else implied by its kind.

    A practice or PCN with no sectors recorded is primary care; an organisation
    is taken from its org type (a local authority is social care, a GP
    federation primary care…). The result is in the order the sectors are
    declared, so everything built from it is deterministic.

    Examples
    --------
    >>> from integramap.model import Site, Unit
    >>> site = Site(id="s", name="S", units=[
    ...     Unit(id="trust", name="Trust", kind="organisation", org_type="nhs_trust",
    ...          sectors=["community_health", "mental_health"]),
    ...     Unit(id="t", name="Team", kind="team", parent="trust"),
    ...     Unit(id="p", name="Practice", kind="practice")])
    >>> [str(s) for s in unit_sectors(site, "t")], [str(s) for s in unit_sectors(site, "p")]
    (['mental_health', 'community_health'], ['primary_care'])
    """
    return _sectors_by_unit(site)[unit_id]


def sectors_by_unit(site: Site) -> Mapping[str, tuple[Sector, ...]]:
    """Every unit's sectors (:func:`unit_sectors`) by unit id, worked out once per site; read only.

    Examples
    --------
    >>> from integramap.model import Site, Unit
    >>> site = Site(id="s", name="S", units=[Unit(id="p", name="Practice", kind="practice")])
    >>> [str(s) for s in sectors_by_unit(site)["p"]]
    ['primary_care']
    """
    return _sectors_by_unit(site)


def _own_sectors(site: Site, unit_id: str) -> tuple[Sector, ...]:
    unit = site.units_by_id[unit_id]
    key = (unit.kind, unit.org_type, tuple(unit.sectors))
    found = _OWN.get(key)
    if found is None:
        named: tuple[Sector, ...] = tuple(unit.sectors)
        if not named and unit.kind in _KIND_SECTORS:
            named = _KIND_SECTORS[unit.kind]
        if not named and unit.org_type is not None:
            named = _ORG_TYPE_SECTORS.get(unit.org_type, ())
        found = _OWN[key] = tuple(s for s in _SECTOR_ORDER if s in named)
    return found


_SECTOR_ORDER = tuple(Sector)
_OWN: dict[tuple[UnitKind, OrgType | None, tuple[Sector, ...]], tuple[Sector, ...]] = {}
"""Sectors by (kind, org type, sectors recorded): a handful of combinations serve every unit."""


def _sectors_by_unit(site: Site) -> dict[str, tuple[Sector, ...]]:
    """Every unit's sectors, worked out once per site: each unit's chain of ancestors is
    walked once in all, not once per question (the descriptor asks tens of thousands at
    national scale)."""
    cached = _CACHE.get(id(site))  # a dict read needs no lock; writes take it
    if cached is not None and cached[0]() is site:
        return cached[1]
    out: dict[str, tuple[Sector, ...]] = {}
    units = site.units_by_id
    for start in site.units:
        found = _own_sectors(site, start.id)
        if found:
            out[start.id] = found
            continue
        # Units on the way up without sectors of their own take the first found above them.
        path = [start.id]
        parent = start.parent
        while parent is not None and parent in units and parent not in out and parent not in path:
            found = _own_sectors(site, parent)
            if found:
                out[parent] = found
                break
            path.append(parent)
            parent = units[parent].parent
        else:
            found = out.get(parent, ()) if parent is not None else ()
        for below in path:
            out[below] = found
    with _LOCK:
        _CACHE[id(site)] = (weakref.ref(site), out)
        weakref.finalize(site, _CACHE.pop, id(site), None)
    return out


_CACHE: dict[int, tuple[weakref.ReferenceType[Site], dict[str, tuple[Sector, ...]]]] = {}
_LOCK = threading.Lock()


def unit_tiers(site: Site, unit_id: str) -> frozenset[str]:
    """The tiers of care a unit works in (empty when none of its sectors is in a tier)."""
    return frozenset(TIER_OF_SECTOR[s] for s in unit_sectors(site, unit_id) if s in TIER_OF_SECTOR)


def sector_pair_key(a: Sector, b: Sector) -> str:
    """The name of an unordered pair of sectors, in declaration order: ``primary_care+social_care``.

    Examples
    --------
    >>> sector_pair_key(Sector.SOCIAL_CARE, Sector.PRIMARY_CARE)
    'primary_care+social_care'
    """
    first, second = sorted((a, b), key=lambda s: list(Sector).index(s))
    return f"{first}+{second}"


def unit_label(site: Site, unit_id: str) -> str:
    """A unit's name, for explanations read by managers (names, never ids): ``Riverside MH team``."""
    unit = site.units_by_id.get(unit_id)
    return unit.name if unit is not None else unit_id


def link_label(site: Site, link: Link) -> str:
    """A link named by the units it joins: ``the link between Adult Social Care and District Nursing``."""
    return f"the link between {unit_label(site, link.source)} and {unit_label(site, link.target)}"
