"""The national atlas: every integrated care board (ICB) as a comparable site.

From a site imported from the national files (:func:`integramap.io.nhs.import_nhs`),
:func:`icb_site` cuts out one ICB: its practices, every PCN with a practice in
it — kept whole, so a PCN across two ICBs appears in both — their sub-ICB
locations and ICBs, and the local authority districts they lie in, each unit's
footprint kept to the ICB's areas. :func:`atlas` reports, per ICB, its
practices and PCNs, the practices in no PCN, the PCNs straddling local
authorities and sub-ICB locations with their splits, both coterminosity
figures of PCNs with each, and the typology code.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from ..bulk import collector_paused
from ..model import Site, Unit, UnitKind
from ..model.trusted import construct
from .boundaries import overlap_matrix, straddles
from .boundary_results import Straddle
from .typology import typology_code
from .whatif import Coterminosity

__all__ = ["ATLAS_LAYERS", "Atlas", "AtlasIndex", "IcbEntry", "PcnSplit", "atlas", "atlas_index", "icb_site"]

ATLAS_LAYERS: tuple[str, ...] = ("local_authority", "place")
"""The layers each ICB's PCNs are compared with: districts, then sub-ICB locations."""


class _Result(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PcnSplit(_Result):
    """A PCN across two or more units of a layer, with each one's share of its practices' lists."""

    pcn: str
    name: str
    split: dict[str, float] = Field(description="{unit id: share}, largest first; sums to 1.")
    partner_names: list[str]
    other_icbs: list[str] = Field(default_factory=list, description="Other ICBs with practices of this PCN.")


class IcbEntry(_Result):
    """One ICB in the atlas."""

    code: str = Field(description="The ICB's ODS code.")
    name: str
    practices: int = Field(description="Practices of the ICB (a shared PCN's others are not counted).")
    pcns: int = Field(description="PCNs with a practice in the ICB, each whole.")
    unallocated_practices: int = Field(description="Practices of the ICB in no PCN.")
    shared_pcns: list[str] = Field(description="PCNs with practices in another ICB too.")
    straddles: dict[str, list[PcnSplit]] = Field(description="By layer: local_authority, place.")
    coterminosity: dict[str, Coterminosity] = Field(description="PCNs with each layer.")
    typology_code: str


class Atlas(_Result):
    """Every ICB of a national site, by code."""

    icbs: list[IcbEntry]


@dataclass(frozen=True)
class _Index:
    """What cutting out each ICB needs, worked out once for the whole country."""

    icb_of_area: dict[str, str]
    practices_of_icb: dict[str, list[str]]
    units_of_area: dict[str, list[int]]
    """Area → the units other than practices and PCNs whose footprint holds it, by position."""
    area_position: dict[str, int]
    unit_position: dict[str, int]

    @classmethod
    def of(cls, site: Site) -> _Index:
        icb_of_area: dict[str, str] = {}
        for unit in site.units:
            if unit.kind is UnitKind.SYSTEM:
                for area in unit.footprint:
                    icb_of_area.setdefault(area, unit.id)
        practices_of_icb: dict[str, list[str]] = {}
        units_of_area: dict[str, list[int]] = {}
        for i, unit in enumerate(site.units):
            if unit.kind is UnitKind.PRACTICE:
                for icb in dict.fromkeys(icb_of_area[a] for a in unit.footprint if a in icb_of_area):
                    practices_of_icb.setdefault(icb, []).append(unit.id)
            elif unit.kind is not UnitKind.PCN:
                for area in unit.footprint:
                    units_of_area.setdefault(area, []).append(i)
        return cls(icb_of_area, practices_of_icb, units_of_area, {a.id: i for i, a in enumerate(site.areas)},
                   {u.id: i for i, u in enumerate(site.units)})


AtlasIndex = _Index
"""What cutting out each ICB needs, for callers that cut many ICBs from one national site."""


def atlas_index(site: Site) -> AtlasIndex:
    """The index :func:`icb_site` uses, worked out once for a national site and handed to each cut."""
    return _Index.of(site)


def icb_site(site: Site, icb_id: str, index: _Index | None = None) -> Site:
    """One ICB of a national site as a site of its own, every PCN with a practice in it kept whole.

    Units outside the ICB that its PCNs reach (another ICB's sub-ICB location,
    a district over the border) are kept with their footprints cut to the
    ICB's areas; a unit whose parent is not kept has none here. Links are not
    kept (the national files have none).

    Examples
    --------
    >>> from integramap.model import Site, Unit, Area
    >>> site = Site(id="n", name="N", areas=[Area(id=a) for a in ("l1", "l2", "l3")], units=[
    ...     Unit(id="ICB:A", name="ICB A", kind="system", footprint={"l1": 1, "l2": 1}),
    ...     Unit(id="ICB:B", name="ICB B", kind="system", footprint={"l3": 1}),
    ...     Unit(id="pcn", name="Border PCN", kind="pcn", parent="ICB:A"),
    ...     Unit(id="p1", name="P1", kind="practice", parent="pcn", footprint={"l1": 1}),
    ...     Unit(id="p3", name="P3", kind="practice", parent="pcn", footprint={"l3": 1}),
    ...     Unit(id="p2", name="P2", kind="practice", footprint={"l2": 1})])
    >>> [(u.id, u.parent, u.footprint) for u in icb_site(site, "ICB:B").units]  # doctest: +NORMALIZE_WHITESPACE
    [('ICB:A', None, {'l1': 1.0}), ('ICB:B', None, {'l3': 1.0}), ('pcn', 'ICB:A', {}),
     ('p1', 'pcn', {'l1': 1.0}), ('p3', 'pcn', {'l3': 1.0})]
    """
    found = index if index is not None else _Index.of(site)
    icb = site.unit(icb_id)
    units, children = site.units_by_id, site.children_by_id
    own = found.practices_of_icb.get(icb_id, [])
    pcns = {p for p in (units[u].parent for u in own) if p is not None and units[p].kind is UnitKind.PCN}
    practices = set(own) | {c for p in pcns for c in children.get(p, [])}
    areas = [a for p in practices for a in units[p].footprint]
    area_set = set(areas)
    others = sorted({i for a in area_set for i in found.units_of_area.get(a, [])}
                    | {found.unit_position[icb.id]})
    cut: dict[str, Unit] = {}
    for i in others:
        unit = site.units[i]
        weights = {a: unit.footprint[a] for a in areas if a in unit.footprint}
        whole = len(weights) == len(unit.footprint)
        cut[unit.id] = unit if whole else unit.model_copy(update={"footprint": weights})
    # In the national site's order, so that every cut is laid out as the whole country is.
    positions = sorted([*others, *(found.unit_position[u] for u in (*practices, *pcns))])
    kept = [cut.get(site.units[i].id, site.units[i]) for i in positions]
    ids = {u.id for u in kept}
    kept = [u if u.parent is None or u.parent in ids else u.model_copy(update={"parent": None}) for u in kept]
    # Every piece comes from a valid site, cut consistently: no reference leaves the new one.
    return construct(Site, id=f"{site.id}-{icb.attributes.code or icb.id}".replace(":", "-"), name=icb.name,
                     description=f"{icb.name}, cut from {site.name}: every PCN with a practice in it, whole.",
                     source=site.source, units=kept,
                     areas=[site.areas[i] for i in sorted(found.area_position[a] for a in area_set)],
                     metadata={"atlas": {"icb": icb.id}})


def atlas(site: Site) -> Atlas:
    """Every ICB of a national site, compared on the same figures, by ICB code.

    Examples
    --------
    >>> from integramap.model import Site, Unit, Area
    >>> site = Site(id="n", name="N", areas=[Area(id=a) for a in ("l1", "l2", "l3")], units=[
    ...     Unit(id="ICB:A", name="ICB A", kind="system", footprint={"l1": 1, "l2": 1, "l3": 1}),
    ...     Unit(id="LAD:X", name="Lambeth", kind="organisation", org_type="local_authority",
    ...          footprint={"l1": 1, "l2": 1}),
    ...     Unit(id="LAD:Y", name="Southwark", kind="organisation", org_type="local_authority",
    ...          footprint={"l3": 1}),
    ...     Unit(id="pcn", name="Croxted PCN", kind="pcn", parent="ICB:A"),
    ...     *[Unit(id=f"p{i}", name=f"P{i}", kind="practice", parent="pcn", footprint={f"l{i}": 1})
    ...       for i in (1, 2, 3)]])
    >>> [entry] = atlas(site).icbs
    >>> entry.practices, entry.pcns, [s.name for s in entry.straddles["local_authority"]]
    (3, 1, ['Croxted PCN'])
    >>> entry.coterminosity["local_authority"]
    Coterminosity(people=0.6666666666666666, units=0.0)
    """
    with collector_paused():
        index = _Index.of(site)
        pcn_icbs: dict[str, set[str]] = {}
        for icb_id, practices in index.practices_of_icb.items():
            for practice in practices:
                parent = site.units_by_id[practice].parent
                if parent is not None:
                    pcn_icbs.setdefault(parent, set()).add(icb_id)
        national = {layer: _PcnFigures.of(site, layer) for layer in ATLAS_LAYERS}
        out = []
        for icb in sorted((u for u in site.units if u.kind is UnitKind.SYSTEM),
                          key=lambda u: (u.attributes.code or u.id)):
            out.append(_entry(site, icb, icb_site(site, icb.id, index), index, pcn_icbs, national))
    return Atlas(icbs=out)


@dataclass(frozen=True)
class _PcnFigures:
    """Each PCN's overlap with one layer, worked out once for the whole country.

    Every ICB holds its PCNs whole, and a layer's units keep their footprints
    over those PCNs' practices, so a PCN's split in an ICB is its split in the
    country, and an ICB's coterminosity figures add up from its PCNs' own.
    """

    straddles: list[Straddle]
    """Every straddling PCN, least aligned first (the order an ICB lists its own in)."""
    best: dict[str, float]
    """PCN → its overlap with its main unit of the layer."""
    total: dict[str, float]
    """PCN → its overlap with the whole layer."""
    meets: dict[str, int]
    """PCN → how many units of the layer it overlaps."""

    @classmethod
    def of(cls, site: Site, layer: str) -> _PcnFigures:
        best: dict[str, float] = {}
        total: dict[str, float] = {}
        meets: dict[str, int] = {}
        for o in overlap_matrix(site, "pcn", layer).overlaps:
            if o.population > 0:
                best[o.a] = max(best.get(o.a, 0.0), o.population)
                total[o.a] = total.get(o.a, 0.0) + o.population
                meets[o.a] = meets.get(o.a, 0) + 1
        return cls(straddles(site, "pcn", layer), best, total, meets)

    def coterminosity(self, pcns: set[str]) -> Coterminosity:
        """Both figures for these PCNs, as :func:`~integramap.analysis.whatif.coterminosity_figures` gives them."""
        together = sum(self.total.get(p, 0.0) for p in pcns)
        people = min(sum(self.best.get(p, 0.0) for p in pcns) / together, 1.0) if together > 0 else None
        meeting = sum(1 for p in pcns if self.meets.get(p, 0) >= 1)
        within = sum(1 for p in pcns if self.meets.get(p, 0) == 1)
        return Coterminosity(people=people, units=within / meeting if meeting else None)


@dataclass(frozen=True)
class _Figures:
    """What :func:`~integramap.analysis.typology.typology_code` reads of a boundary report made already."""

    coterminosity: Coterminosity


def _entry(site: Site, icb: Unit, cut: Site, index: _Index, pcn_icbs: dict[str, set[str]],
           national: dict[str, _PcnFigures]) -> IcbEntry:
    own = [cut.units_by_id[p] for p in index.practices_of_icb.get(icb.id, [])]
    pcns = [u for u in cut.units if u.kind is UnitKind.PCN]
    pcn_ids = {p.id for p in pcns}

    def others(pcn: str) -> list[str]:
        return sorted(_code(site, i) for i in pcn_icbs.get(pcn, set()) if i != icb.id)

    found = {layer: [PcnSplit(pcn=s.unit, name=s.name, split=s.split, partner_names=s.partner_names,
                              other_icbs=others(s.unit)) for s in national[layer].straddles if s.unit in pcn_ids]
             for layer in ATLAS_LAYERS}
    figures = {layer: national[layer].coterminosity(pcn_ids) for layer in ATLAS_LAYERS}
    # Consulted only where the ICB has both layers, as the code's own analysis would be.
    reports = {("pcn", "local_authority"): _Figures(figures["local_authority"])}
    return IcbEntry(
        code=_code(site, icb.id), name=icb.name, practices=len(own), pcns=len(pcns),
        unallocated_practices=sum(1 for u in own if u.parent is None
                                  or cut.units_by_id[u.parent].kind is not UnitKind.PCN),
        shared_pcns=sorted(p.id for p in pcns if others(p.id)), straddles=found,
        coterminosity=figures, typology_code=typology_code(cut, reports))


def _code(site: Site, unit_id: str) -> str:
    return site.units_by_id[unit_id].attributes.code or unit_id
