"""The typology descriptor: a site's integration model described in established terms.

Computed from the map, never typed in: "is it geographically or functionally
based, which age groups and population types does it serve, which
organisations and teams are involved, and how closely aligned or merged are
they?" — in the terms of Leutz, Ahgren & Axelsson and Valentijn's Rainbow
Model. The same site always gives the same descriptor and the same code.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from ..model import AgeGroup, Level, Mechanism, OrgType, Sector, Site, UnitKind
from .rainbow import RAINBOW_ENABLERS, RAINBOW_TYPES, RainbowFinding, rainbow
from .typology_alignment import BoundaryAlignment, boundary_alignment, lowest_coterminosity
from .typology_challenges import StructuralChallenge, structural_challenges
from .typology_code import format_code
from .typology_terms import (
    BREADTH_DEFINITIONS,
    LEUTZ,
    LEUTZ_DEGREES,
    TIER_OF_SECTOR,
    TIERS,
    sector_pair_key,
    sectors_by_unit,
    unit_sectors,
    unit_tiers,
)

BasisValue = Literal["geographic", "functional", "mixed", "unknown"]
BASIS_DOMINANCE = 0.75
"""Share of units with a recorded basis that must agree for a site to be called by that basis."""

_BASIS_UNITS = (UnitKind.TEAM, UnitKind.HUB)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class SiteRef(_Frozen):
    id: str
    name: str


class BasisSummary(_Frozen):
    """Geographic, functional or mixed, and the counts it rests on."""

    value: BasisValue
    geographic: int
    functional: int
    unrecorded: int
    counted: str


class Populations(_Frozen):
    """Age groups and population types served, each with how many units serve it."""

    age_groups: dict[str, int]
    population_types: dict[str, int]


class Organisation(_Frozen):
    id: str
    name: str
    org_type: OrgType | None
    sectors: list[Sector]


class SectorPair(_Frozen):
    """Two sectors joined by at least one link, and the highest level joining them.

    ``links`` and ``highest`` count only links between single-sector units: what the
    link actually joins. A link with a multi-sector end (a hub, an LCN, a single point
    of access serving several sectors) is counted apart in ``through_shared``: it joins
    the sectors only through a shared hub, so it never raises the pair's level.
    """

    pair: str
    sectors: tuple[Sector, Sector]
    links: int
    highest: Level | None
    through_shared: int = 0
    highest_through_shared: Level | None = None


class Depth(_Frozen):
    """How closely units are joined: level distribution, highest, median, Leutz degree."""

    distribution: dict[str, int]
    highest: Level | None
    median: Level | None
    leutz_degree: str | None
    leutz_distribution: dict[str, int]
    per_sector_pair: dict[str, dict[str, int]]


class Breadth(_Frozen):
    """Horizontal and vertical links, with the definitions used."""

    value: Literal["horizontal", "vertical", "both", "none"]
    horizontal: int
    vertical: int
    outside_tiers: int
    tiers_present: list[str]
    tier_pairs: dict[str, int]
    definitions: dict[str, str]


class Rainbow(_Frozen):
    """Valentijn's Rainbow-model integration types and enablers present, with evidence."""

    types_present: list[str]
    enablers_present: list[str]
    types: dict[str, RainbowFinding]
    enablers: dict[str, RainbowFinding]


class AmbitionLink(_Frozen):
    link: str
    source: str
    target: str
    source_name: str
    target_name: str
    actual: Level
    target_level: Level
    gap: int


class Ambition(_Frozen):
    """Links whose target level is above their actual level, and the gap in ranks."""

    links: list[AmbitionLink]
    count: int
    total_gap: int
    largest_gap: int
    at_target: int
    above_target: int


class TypologyDescriptor(_Frozen):
    """A site's integration model, computed from its map (see ``docs/typology.md``)."""

    site: SiteRef
    basis: BasisSummary
    populations: Populations
    organisations: list[Organisation]
    sectors: dict[str, int]
    sector_pairs: list[SectorPair]
    depth: Depth
    breadth: Breadth
    rainbow: Rainbow
    mechanisms: dict[str, int]
    boundary_alignment: BoundaryAlignment
    ambition: Ambition
    structural_challenges: list[StructuralChallenge]
    code: str


def describe_site(site: Site) -> TypologyDescriptor:
    """Compute the typology descriptor of a site.

    Examples
    --------
    >>> from integramap.model import Site, Unit, Link
    >>> site = Site(id="s", name="Demo", units=[
    ...     Unit(id="mh", name="MH team", kind="team", sectors=["mental_health"], basis="geographic",
    ...          age_groups=["adults"]),
    ...     Unit(id="sc", name="Social work", kind="team", sectors=["social_care"], basis="geographic",
    ...          age_groups=["adults", "older_people"])],
    ...     links=[Link(id="l1", source="mh", target="sc", level="co_located",
    ...                 target_level="fully_merged", mechanisms=["interface_meeting"])])
    >>> d = describe_site(site)
    >>> d.basis.value, list(d.populations.age_groups), str(d.depth.highest), d.depth.leutz_degree
    ('geographic', ['adults', 'older_people'], 'co_located', 'coordination')
    >>> d.breadth.value, d.ambition.total_gap
    ('vertical', 3)
    >>> d.code
    'G-AO-2S-CL/V-R1-C-'
    """
    depth = _depth(site)
    breadth = _breadth(site)
    rb = _rainbow(site)
    basis = _basis(site)
    populations = _populations(site)
    sectors = _sectors(site)
    alignment = boundary_alignment(site)
    code = _code(basis, populations, sectors, depth, breadth, rb, alignment.lowest_coterminosity)
    return TypologyDescriptor(
        site=SiteRef(id=site.id, name=site.name), basis=basis, populations=populations,
        organisations=_organisations(site), sectors=sectors, sector_pairs=_sector_pairs(site),
        depth=depth, breadth=breadth, rainbow=rb, mechanisms=_mechanisms(site),
        boundary_alignment=alignment, ambition=_ambition(site),
        structural_challenges=structural_challenges(site), code=code,
    )


def typology_code(site: Site, reports: Mapping[tuple[str, str], Any] | None = None) -> str:
    """The typology code alone: what :func:`describe_site` gives as ``code``, without the rest.

    ``reports``: boundary reports of the site already made, by layer pair (see
    :func:`~integramap.analysis.typology_alignment.boundary_alignment`).

    Examples
    --------
    >>> from integramap.model import Site, Unit
    >>> typology_code(Site(id="s", name="S", units=[Unit(id="t", name="T", kind="team")]))
    'U-X-0S-NL/N-R0-C-'
    """
    return _code(_basis(site), _populations(site), _sectors(site), _depth(site), _breadth(site),
                 _rainbow(site), lowest_coterminosity(site, reports))


def _code(basis: BasisSummary, populations: Populations, sectors: dict[str, int], depth: Depth,
          breadth: Breadth, rb: Rainbow, coterminosity: float | None) -> str:
    return format_code(
        basis.value, [AgeGroup(a) for a in populations.age_groups], len(sectors), depth.highest,
        breadth.value, len(rb.types_present), "functional" in rb.enablers_present,
        "normative" in rb.enablers_present, coterminosity,
    )


def descriptor_json_schema() -> dict[str, Any]:
    """The JSON Schema of a descriptor as ``describe --format json`` writes it."""
    return TypologyDescriptor.model_json_schema(mode="serialization")


def _basis(site: Site) -> BasisSummary:
    units = [u for u in site.units if u.kind in _BASIS_UNITS]
    counted = "teams and hubs"
    if not any(u.basis is not None for u in units):
        units, counted = list(site.units), "all units (no team or hub records a basis)"
    geo = sum(1 for u in units if u.basis == "geographic")
    fun = sum(1 for u in units if u.basis == "functional")
    value: BasisValue = "unknown"
    if geo + fun:
        if geo / (geo + fun) >= BASIS_DOMINANCE:
            value = "geographic"
        elif fun / (geo + fun) >= BASIS_DOMINANCE:
            value = "functional"
        else:
            value = "mixed"
    return BasisSummary(value=value, geographic=geo, functional=fun, unrecorded=len(units) - geo - fun,
                        counted=counted)


def _populations(site: Site) -> Populations:
    # Most units of a large site record neither: they are passed over without a look at their lists.
    recorded = [u for u in site.units if u.age_groups or u.population_types]
    ages = Counter(a for u in recorded for a in set(u.age_groups))
    # Free tags: "Homeless" and "homeless " are one population; the first spelling met is kept.
    spelling: dict[str, str] = {}
    tags: Counter[str] = Counter()
    for unit in recorded:
        for tag in {t.strip().casefold(): t.strip() for t in unit.population_types}.values():
            key = spelling.setdefault(tag.casefold(), tag)
            tags[key] += 1
    return Populations(age_groups={str(a): ages[a] for a in AgeGroup if ages[a]},
                       population_types={t: tags[t] for t in sorted(tags, key=str.casefold)})


def _organisations(site: Site) -> list[Organisation]:
    return [Organisation(id=u.id, name=u.name, org_type=u.org_type, sectors=list(unit_sectors(site, u.id)))
            for u in site.units if u.kind is UnitKind.ORGANISATION]


def _sectors(site: Site) -> dict[str, int]:
    # Units share a handful of sector tuples: count the tuples, then their sectors.
    counts: Counter[Sector] = Counter()
    for found, n in Counter(sectors_by_unit(site).values()).items():
        for s in found:
            counts[s] += n
    return {str(s): counts[s] for s in Sector if counts[s]}


def _link_pairs(site: Site) -> list[tuple[str, tuple[Sector, Sector], Level]]:
    """Each (sector pair, link level) a link joins; a link between multi-sector units joins several."""
    out = []
    for link in site.links:
        out += [(key, pair, link.level) for key, pair in _pairs_of(site, link.source, link.target).items()]
    return out


def _pairs_of(site: Site, source: str, target: str) -> dict[str, tuple[Sector, Sector]]:
    keys: dict[str, tuple[Sector, Sector]] = {}
    for a in unit_sectors(site, source):
        for b in unit_sectors(site, target):
            keys.setdefault(sector_pair_key(a, b),
                            tuple(sorted((a, b), key=list(Sector).index)))  # type: ignore[arg-type]
    return keys


def _pair_order(key: str) -> tuple[int, int]:
    a, b = key.split("+")
    order = list(Sector)
    return order.index(Sector(a)), order.index(Sector(b))


def _direct(site: Site, link_id: str) -> bool:
    """Whether both ends of a link work in one sector each (so the link joins exactly that pair)."""
    link = site.link(link_id)
    return len(unit_sectors(site, link.source)) == 1 and len(unit_sectors(site, link.target)) == 1


def _sector_pairs(site: Site) -> list[SectorPair]:
    sectors: dict[str, tuple[Sector, Sector]] = {}
    direct: dict[str, list[Level]] = {}
    shared: dict[str, list[Level]] = {}
    for link in site.links:
        into = direct if _direct(site, link.id) else shared
        for key, pair in _pairs_of(site, link.source, link.target).items():
            sectors.setdefault(key, pair)
            into.setdefault(key, []).append(link.level)
    return [SectorPair(pair=key, sectors=sectors[key], links=len(direct.get(key, [])),
                       highest=max(direct[key]) if key in direct else None,
                       through_shared=len(shared.get(key, [])),
                       highest_through_shared=max(shared[key]) if key in shared else None)
            for key in sorted(sectors, key=_pair_order)]


def _depth(site: Site) -> Depth:
    levels = [lk.level for lk in site.links]
    counts = Counter(levels)
    highest = max(levels) if levels else None
    median = Level(list(Level)[int(statistics.median_low([lv.rank for lv in levels]))]) if levels else None
    per_pair: dict[str, Counter[Level]] = {}
    for key, _, level in _link_pairs(site):
        per_pair.setdefault(key, Counter())[level] += 1
    return Depth(
        distribution={str(lv): counts[lv] for lv in Level},
        highest=highest, median=median,
        leutz_degree=LEUTZ[highest] if highest is not None else None,
        leutz_distribution={d: sum(n for lv, n in counts.items() if LEUTZ[lv] == d) for d in LEUTZ_DEGREES},
        per_sector_pair={key: {str(lv): c[lv] for lv in Level if c[lv]}
                         for key, c in sorted(per_pair.items(), key=lambda kv: _pair_order(kv[0]))},
    )


def _breadth(site: Site) -> Breadth:
    horizontal = vertical = outside = 0
    tier_pairs: Counter[str] = Counter()
    tier_order = list(TIERS)
    for link in site.links:
        a, b = unit_tiers(site, link.source), unit_tiers(site, link.target)
        if not a or not b:
            outside += 1
            continue
        if a == b:
            horizontal += 1
        else:
            vertical += 1
        for ta in a:
            for tb in b:
                first, second = sorted((ta, tb), key=tier_order.index)
                tier_pairs[f"{first}+{second}"] += 1
    value: Literal["horizontal", "vertical", "both", "none"] = (
        "both" if horizontal and vertical else "horizontal" if horizontal else
        "vertical" if vertical else "none")
    present = {TIER_OF_SECTOR[s] for found in set(sectors_by_unit(site).values()) for s in found
               if s in TIER_OF_SECTOR}
    return Breadth(
        value=value, horizontal=horizontal, vertical=vertical, outside_tiers=outside,
        tiers_present=[t for t in tier_order if t in present],
        tier_pairs={k: tier_pairs[k] for k in sorted(tier_pairs, key=lambda k: [tier_order.index(t)
                                                                                 for t in k.split("+")])},
        definitions=dict(BREADTH_DEFINITIONS),
    )


def _rainbow(site: Site) -> Rainbow:
    found = rainbow(site)
    return Rainbow(
        types_present=[t for t in RAINBOW_TYPES if found[t].present],
        enablers_present=[e for e in RAINBOW_ENABLERS if found[e].present],
        types={t: found[t] for t in RAINBOW_TYPES}, enablers={e: found[e] for e in RAINBOW_ENABLERS},
    )


def _mechanisms(site: Site) -> dict[str, int]:
    counts = Counter(m for lk in site.links for m in set(lk.mechanisms))
    return {str(m): counts[m] for m in Mechanism if counts[m]}


def _ambition(site: Site) -> Ambition:
    names = {u.id: u.name for u in site.units}
    links = [AmbitionLink(link=lk.id, source=lk.source, target=lk.target, source_name=names[lk.source],
                          target_name=names[lk.target], actual=lk.level,
                          target_level=lk.target_level, gap=lk.target_level.rank - lk.level.rank)
             for lk in site.links if lk.target_level is not None and lk.target_level > lk.level]
    targets = [lk for lk in site.links if lk.target_level is not None]
    return Ambition(
        links=links, count=len(links), total_gap=sum(a.gap for a in links),
        largest_gap=max((a.gap for a in links), default=0),
        at_target=sum(1 for lk in targets if lk.target_level == lk.level),
        above_target=sum(1 for lk in targets if lk.target_level is not None and lk.target_level < lk.level),
    )
