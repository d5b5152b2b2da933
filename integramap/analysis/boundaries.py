"""Boundary mismatches between layers of units (DESIGN.md, "Boundary analysis").

Every function is a pure function of a :class:`~integramap.model.Site` and
returns pydantic results sorted deterministically, carrying names beside ids.
Layers are :class:`~integramap.analysis.layers.Layer` values or their string
specs (``"pcn"``, ``"local_authority"``, ``"team:mental_health"``).

Overlap ``O(U, V) = Σ_a pop(a)·min(w(U, a), w(V, a))`` over the units'
effective footprints (see :mod:`integramap.analysis.footprints`). Where
weights are fractions, the minimum assumes the two shares of an area are the
same people as far as they can be: overlaps are upper bounds.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import compress
from operator import is_, is_not
from typing import Any

import numpy as np
from scipy import sparse

from ..bulk import collector_paused
from ..model import Site, Unit, UnitKind
from ..model.trusted import construct
from .boundary_results import (
    BoundaryCounts,
    BoundaryReport,
    Coterminosity,
    DoubleCover,
    Gap,
    LayerUnit,
    NestingViolation,
    Overlap,
    OverlapMatrix,
    Partner,
    Straddle,
    UnitRef,
    UnmanagedInterface,
)
from .footprints import EPS, FloatArray, Footprints, IntArray, footprints, overlap
from .layers import Layer, as_layer

__all__ = [
    "DEFAULT_THRESHOLD", "PARTNERSHIP_KINDS", "analyse", "carry_structure", "coterminosity",
    "coterminosity_figures", "double_cover", "gaps", "nesting_violations",
    "no_footprint", "overlap_matrix", "straddles", "unmanaged_interfaces",
]

DEFAULT_THRESHOLD = 0.05
"""Unmanaged interfaces: least shared population, as a share of the smaller unit's, to report."""

OPERATIONAL_KINDS = frozenset({UnitKind.DIRECTORATE, UnitKind.TEAM, UnitKind.PCN, UnitKind.LCN, UnitKind.HUB})
"""Containers below organisation level: a link from one of these runs a daily interface.

A link between organisations, places or systems (a section 75 board, a
place partnership) is strategic: it does not run the interface between a
community mental health team and a PCN (DESIGN.md, "unmanaged interface").
"""

PARTNERSHIP_KINDS = frozenset({UnitKind.PLACE, UnitKind.SYSTEM})
"""Parents whose children are not managed by them as siblings: strategic partnerships.

A directorate manages its teams' shared population, and an organisation its
directorates'; a place-based partnership or an ICS board does not run the
daily interface between the PCNs and LCNs beneath it.
"""

LayerLike = Layer | str


# Layer rows, overlaps and nesting are kept on the site's (cached) footprints, so the
# several findings of one report, and later reports of the same site, share them.
# Nothing kept there refers back to the footprints: no cycle outlives the site.

@dataclass(frozen=True)
class _LayerRows:
    layer: Layer
    units: list[Unit]
    index: IntArray
    """Each unit's row in the site's footprints."""
    matrix: sparse.csr_matrix
    population: FloatArray

    @classmethod
    def of(cls, site: Site, fp: Footprints, layer: LayerLike) -> _LayerRows:
        lay = as_layer(layer)

        def build() -> _LayerRows:
            units = lay.units(site)
            index = fp.index_of([u.id for u in units])
            rows: sparse.csr_matrix = fp.matrix[index]
            return cls(lay, units, index, rows, np.asarray(rows @ fp.population, dtype=np.float64))

        return fp.memo(("layer", lay), build)


@dataclass(frozen=True)
class _Pair:
    a: _LayerRows
    b: _LayerRows
    overlaps: sparse.csr_matrix

    @classmethod
    def of(cls, site: Site, a: LayerLike, b: LayerLike) -> _Pair:
        fp = footprints(site)
        ra, rb = _LayerRows.of(site, fp, a), _LayerRows.of(site, fp, b)
        return fp.memo(("pair", ra.layer, rb.layer),
                       lambda: cls(ra, rb, overlap(ra.matrix, rb.matrix, fp.population)))


def _ref(unit: Unit, population: float) -> UnitRef:
    return construct(UnitRef, id=unit.id, name=unit.name, population=float(population))


def _entries(pair: _Pair) -> list[Overlap]:
    coo = pair.overlaps.tocoo()
    rows, cols, values = coo.row.tolist(), coo.col.tolist(), coo.data.tolist()
    pop_a = pair.a.population[coo.row].tolist()
    pop_b = pair.b.population[coo.col].tolist()
    units_a, units_b = pair.a.units, pair.b.units
    found = sorted(zip(rows, cols, values, pop_a, pop_b),
                   key=lambda e: (units_a[e[0]].id, -e[2], units_b[e[1]].id))
    return [construct(Overlap, a=units_a[i].id, a_name=units_a[i].name, b=units_b[j].id, b_name=units_b[j].name,
                      population=v, share_of_a=v / pa if pa > 0 else 0.0, share_of_b=v / pb if pb > 0 else 0.0)
            for i, j, v, pa, pb in found]


def overlap_matrix(site: Site, a: LayerLike, b: LayerLike) -> OverlapMatrix:
    """The population-weighted overlap of every unit of layer ``a`` with every unit of ``b``.

    Examples
    --------
    >>> from integramap.model import Site, Unit, Area
    >>> site = Site(id="s", name="S", areas=[Area(id="x", population=30), Area(id="y", population=10)],
    ...     units=[Unit(id="p", name="PCN", kind="pcn", footprint={"x": 1, "y": 1}),
    ...            Unit(id="l1", name="LCN 1", kind="lcn", footprint={"x": 1}),
    ...            Unit(id="l2", name="LCN 2", kind="lcn", footprint={"y": 0.5})])
    >>> overlap_matrix(site, "pcn", "lcn").to_dict()
    {'p': {'l1': 30.0, 'l2': 5.0}}
    """
    pair = _Pair.of(site, a, b)
    return OverlapMatrix(
        layer_a=str(pair.a.layer), layer_b=str(pair.b.layer),
        units_a=[_ref(u, p) for u, p in zip(pair.a.units, pair.a.population.tolist())],
        units_b=[_ref(u, p) for u, p in zip(pair.b.units, pair.b.population.tolist())],
        overlaps=_entries(pair))


def _straddles(pair: _Pair) -> list[Straddle]:
    o = pair.overlaps
    counts = np.diff(o.indptr)
    out = []
    for i in np.flatnonzero(counts >= 2).tolist():
        lo, hi = o.indptr[i], o.indptr[i + 1]
        values = o.data[lo:hi].tolist()
        cols = o.indices[lo:hi].tolist()
        total = float(sum(values))
        # Largest share first; ties go to the partner with the smaller id.
        ranked = sorted(zip(cols, values), key=lambda cv: (-cv[1], pair.b.units[cv[0]].id))
        partners = [construct(Partner, id=pair.b.units[j].id, name=pair.b.units[j].name, share=v / total,
                              population=v) for j, v in ranked]
        unit = pair.a.units[i]
        out.append(construct(Straddle, unit=unit.id, name=unit.name, population=total,
                             alignment=partners[0].share, split={p.id: p.share for p in partners},
                             partner_names=[p.name for p in partners], partners=partners))
    out.sort(key=lambda s: (s.alignment, -s.population, s.unit))
    return out


def straddles(site: Site, a: LayerLike, b: LayerLike) -> list[Straddle]:
    """Units of ``a`` that overlap two or more units of ``b``, least aligned first.

    ``split`` gives each partner's share of the unit's overlap with ``b``
    (summing to 1); ``alignment`` is the largest share. Overlaps through
    zero-population areas carry no weight and so make no straddle.

    Examples
    --------
    >>> from integramap.model import Site, Unit, Area
    >>> site = Site(id="s", name="S", areas=[Area(id=f"a{i}") for i in range(3)], units=[
    ...     Unit(id="lam", name="Lambeth", kind="organisation", org_type="local_authority",
    ...          footprint={"a0": 1, "a1": 1}),
    ...     Unit(id="sou", name="Southwark", kind="organisation", org_type="local_authority",
    ...          footprint={"a2": 1}),
    ...     Unit(id="crox", name="Croxted PCN", kind="pcn"),
    ...     *[Unit(id=f"gp{i}", name=f"GP {i}", kind="practice", parent="crox", footprint={f"a{i}": 1})
    ...       for i in range(3)]])
    >>> [(s.name, s.partner_names, round(s.alignment, 3)) for s in straddles(site, "pcn", "local_authority")]
    [('Croxted PCN', ['Lambeth', 'Southwark'], 0.667)]
    """
    return _straddles(_Pair.of(site, a, b))


def _coterminosity(pair: _Pair) -> float | None:
    o = pair.overlaps
    total = float(o.sum())
    if total <= 0.0:
        return None
    best = float(np.asarray(o.max(axis=1).todense()).sum())
    return min(best / total, 1.0)


def _figures(pair: _Pair) -> Coterminosity:
    counts = np.diff(pair.overlaps.indptr)
    meeting = int(np.count_nonzero(counts))
    within = int(np.count_nonzero(counts == 1))
    return construct(Coterminosity, layer_a=str(pair.a.layer), layer_b=str(pair.b.layer),
                     people=_coterminosity(pair), units=within / meeting if meeting else None,
                     units_within=within, units_meeting=meeting)


def coterminosity_figures(site: Site, a: LayerLike, b: LayerLike) -> Coterminosity:
    """Coterminosity of ``a`` with ``b`` as two named figures: by people and by units.

    Examples
    --------
    >>> from integramap.model import Site, Unit, Area
    >>> site = Site(id="s", name="S", areas=[Area(id="x", population=3), Area(id="y", population=1),
    ...     Area(id="z", population=4)],
    ...     units=[Unit(id="p", name="P", kind="pcn", footprint={"x": 1, "y": 1}),
    ...            Unit(id="q", name="Q", kind="pcn", footprint={"z": 1}),
    ...            Unit(id="l1", name="L1", kind="lcn", footprint={"x": 1, "z": 1}),
    ...            Unit(id="l2", name="L2", kind="lcn", footprint={"y": 1})])
    >>> c = coterminosity_figures(site, "pcn", "lcn")
    >>> c.people, c.units, c.units_within, c.units_meeting
    (0.875, 0.5, 1, 2)
    """
    return _figures(_Pair.of(site, a, b))


def coterminosity(site: Site, a: LayerLike, b: LayerLike) -> float | None:
    """The *people* figure alone: ``Σ_U max_V O(U,V) / Σ_U Σ_V O(U,V)`` (see :func:`coterminosity_figures`).

    1.0 when every unit of ``a`` lies in one of ``b``.

    ``None`` where the two layers share no population (either is empty, or
    they do not meet).

    Examples
    --------
    >>> from integramap.model import Site, Unit, Area
    >>> site = Site(id="s", name="S", areas=[Area(id="x", population=3), Area(id="y", population=1)],
    ...     units=[Unit(id="p", name="P", kind="pcn", footprint={"x": 1, "y": 1}),
    ...            Unit(id="l1", name="L1", kind="lcn", footprint={"x": 1}),
    ...            Unit(id="l2", name="L2", kind="lcn", footprint={"y": 1})])
    >>> coterminosity(site, "pcn", "lcn"), coterminosity(site, "lcn", "pcn"), coterminosity(site, "pcn", "place")
    (0.75, 1.0, None)
    """
    return _coterminosity(_Pair.of(site, a, b))


def _column_lists(matrix: sparse.csr_matrix, units: Sequence[Unit],
                  columns: Sequence[int]) -> list[list[tuple[Unit, float]]]:
    """For each column asked for, the units with a non-zero entry there, largest first."""
    csc = sparse.csc_matrix(matrix)[:, np.asarray(columns, dtype=np.int64)]
    csc.sort_indices()
    indptr = csc.indptr.tolist()
    indices = csc.indices.tolist()
    data = csc.data.tolist()
    out: list[list[tuple[Unit, float]]] = []
    for k in range(len(columns)):
        lo, hi = indptr[k], indptr[k + 1]
        if hi - lo == 1:
            out.append([(units[indices[lo]], data[lo])])
        else:
            found = [(units[i], w) for i, w in zip(indices[lo:hi], data[lo:hi])]
            found.sort(key=lambda uw: (-uw[1], uw[0].id))
            out.append(found)
    return out


def gaps(site: Site, layer: LayerLike, scope: LayerLike | None = None, *, partial: bool = False,
         within: LayerLike | None = None) -> list[Gap]:
    """Areas in scope that no unit of ``layer`` covers, largest population first.

    The scope is every area of the site, or, given ``scope``, the areas that
    layer's units cover. With ``partial`` an area counts also when the layer
    covers less than all of it. Each gap names the units of ``within``
    (default: the scope layer) that cover it. Ties go to the smaller area id.

    Examples
    --------
    >>> from integramap.model import Site, Unit, Area
    >>> site = Site(id="s", name="S",
    ...     areas=[Area(id="x", name="Ward X", population=3), Area(id="y", name="Ward Y", population=5)],
    ...     units=[Unit(id="t", name="Team", kind="team", footprint={"x": 1}),
    ...            Unit(id="la", name="Council", kind="organisation", org_type="local_authority",
    ...                 footprint={"x": 1, "y": 1})])
    >>> [(g.name, g.population, g.within_names) for g in gaps(site, "team", "local_authority")]
    [('Ward Y', 5.0, ['Council'])]
    """
    with collector_paused():
        return _gaps(site, layer, scope, partial=partial, within=within)


def _gaps(site: Site, layer: LayerLike, scope: LayerLike | None = None, *, partial: bool = False,
         within: LayerLike | None = None) -> list[Gap]:
    fp = footprints(site)
    rows = _LayerRows.of(site, fp, layer)
    cover = np.minimum(np.asarray(rows.matrix.sum(axis=0), dtype=np.float64).ravel(), 1.0)
    if scope is None:
        in_scope = np.ones(len(fp.area_ids), dtype=bool)
    else:
        scope_rows = _LayerRows.of(site, fp, scope)
        in_scope = np.asarray(scope_rows.matrix.sum(axis=0), dtype=np.float64).ravel() > EPS
    uncovered = cover < 1.0 - EPS if partial else cover <= EPS
    found = np.flatnonzero(in_scope & uncovered)
    missing = fp.population[found] * (1.0 - cover[found])
    found = found[np.lexsort((fp.area_rank[found], -missing))]
    columns = found.tolist()
    named_by = within if within is not None else scope
    names: list[list[tuple[Unit, float]]] = [[] for _ in columns]
    if named_by is not None:
        name_rows = _LayerRows.of(site, fp, named_by)
        names = _column_lists(name_rows.matrix, name_rows.units, columns)
    label = str(rows.layer)
    pops = fp.population[found].tolist()
    covers = cover[found].tolist()
    areas = site.areas
    return [construct(Gap, layer=label, area=areas[j].id, name=areas[j].name, population=pop, covered=c,
                      uncovered_population=pop * (1.0 - c), within=[u.id for u, _ in inside],
                      within_names=[u.name for u, _ in inside])
            for j, pop, c, inside in zip(columns, pops, covers, names)]


def double_cover(site: Site, layer: LayerLike) -> list[DoubleCover]:
    """Areas that two or more units of one layer cover with total weight above 1.

    Examples
    --------
    >>> from integramap.model import Site, Unit, Area
    >>> site = Site(id="s", name="S", areas=[Area(id="x", population=10)], units=[
    ...     Unit(id="t1", name="Team 1", kind="team", footprint={"x": 1}),
    ...     Unit(id="t2", name="Team 2", kind="team", footprint={"x": 0.5})])
    >>> [(d.area, d.total_weight, d.excess_population, d.units) for d in double_cover(site, "team")]
    [('x', 1.5, 5.0, {'t1': 1.0, 't2': 0.5})]
    """
    with collector_paused():
        return _double_cover(site, layer)


def _double_cover(site: Site, layer: LayerLike) -> list[DoubleCover]:
    fp = footprints(site)
    rows = _LayerRows.of(site, fp, layer)
    csc = sparse.csc_matrix(rows.matrix)
    counts = np.diff(csc.indptr)
    totals = np.asarray(csc.sum(axis=0), dtype=np.float64).ravel()
    found = np.flatnonzero((counts >= 2) & (totals > 1.0 + EPS)).tolist()
    label = str(rows.layer)
    out: list[dict[str, Any]] = []
    for j, units in zip(found, _column_lists(rows.matrix, rows.units, found)):
        area = site.areas[j]
        pop = float(fp.population[j])
        total = float(totals[j])
        out.append({"layer": label, "area": area.id, "name": area.name, "population": pop,
                    "total_weight": total, "excess_population": pop * (total - 1.0),
                    "units": {u.id: w for u, w in units}, "unit_names": [u.name for u, _ in units]})
    out.sort(key=lambda d: (-float(d["excess_population"]), -float(d["total_weight"]), str(d["area"])))
    return [construct(DoubleCover, **d) for d in out]


def nesting_violations(site: Site, layers: Sequence[LayerLike] | None = None) -> list[NestingViolation]:
    """Units whose effective footprint is not inside their parent's, most outside first.

    Only units with a parent and a footprint are checked; ``layers`` narrows
    the check to units of those layers. The share outside is by population,
    or by weight where the unit's areas have no population at all.

    Examples
    --------
    >>> from integramap.model import Site, Unit, Area
    >>> site = Site(id="s", name="S", areas=[Area(id="x", population=30), Area(id="y", population=10)],
    ...     units=[Unit(id="org", name="Trust", kind="organisation", footprint={"x": 1}),
    ...            Unit(id="t", name="Team", kind="team", parent="org", footprint={"x": 1, "y": 1})])
    >>> [(v.name, v.parent_name, v.outside_population, v.outside_share) for v in nesting_violations(site)]
    [('Team', 'Trust', 10.0, 0.25)]
    """
    fp = footprints(site)
    if layers is None:
        return list(fp.memo("nesting", lambda: _nesting(site, fp, None)))
    wanted = {u.id for lay in layers for u in as_layer(lay).units(site)}
    return _nesting(site, fp, wanted)


def _nesting(site: Site, fp: Footprints, wanted: set[str] | None) -> list[NestingViolation]:
    children = [i for i, u in enumerate(site.units) if u.parent is not None and (wanted is None or u.id in wanted)]
    if not children:
        return []
    idx = np.asarray(children, dtype=np.int64)
    child = fp.matrix[idx]
    outside = sparse.csr_matrix(child - fp.matrix[fp.parent[idx]])
    outside.data[outside.data <= EPS] = 0.0
    outside.eliminate_zeros()
    n_out = np.diff(outside.indptr)
    pop = np.asarray(child @ fp.population, dtype=np.float64)
    pop_out = np.asarray(outside @ fp.population, dtype=np.float64)
    weight = np.asarray(child.sum(axis=1), dtype=np.float64).ravel()
    weight_out = np.asarray(outside.sum(axis=1), dtype=np.float64).ravel()
    out = []
    for k in np.flatnonzero(n_out > 0).tolist():
        unit = site.units[children[k]]
        par = site.units[int(fp.parent[children[k]])]
        share = pop_out[k] / pop[k] if pop[k] > EPS else weight_out[k] / weight[k]
        out.append(construct(NestingViolation, unit=unit.id, name=unit.name, kind=str(unit.kind), parent=par.id,
                             parent_name=par.name, population=float(pop[k]),
                             outside_population=float(pop_out[k]), outside_share=float(share),
                             outside_areas=int(n_out[k])))
    out.sort(key=lambda v: (-v.outside_share, -v.outside_population, v.unit))
    return out


@dataclass(frozen=True)
class _Structure:
    """Each unit's chain (itself, then its ancestors) and link neighbours, by footprint row."""

    chains: list[tuple[int, ...]]
    neighbours: dict[int, set[int]]
    partnerships: frozenset[int] = frozenset()
    operational: frozenset[int] = frozenset()

    @classmethod
    def of(cls, site: Site, fp: Footprints) -> _Structure:
        return fp.memo("structure", lambda: cls._build(site, fp))

    @classmethod
    def _build(cls, site: Site, fp: Footprints) -> _Structure:
        parent = fp.parent.tolist()
        chains: list[tuple[int, ...]] = [()] * len(parent)
        _chains(parent, chains, [False] * len(parent), range(len(parent)))
        neighbours: dict[int, set[int]] = {}
        index = fp.unit_index
        for link in site.links:
            s, t = index[link.source], index[link.target]
            neighbours.setdefault(s, set()).add(t)
            neighbours.setdefault(t, set()).add(s)
        partnerships = frozenset(i for i, u in enumerate(site.units) if u.kind in PARTNERSHIP_KINDS)
        operational = frozenset(i for i, u in enumerate(site.units) if u.kind in OPERATIONAL_KINDS)
        return cls(chains, neighbours, partnerships, operational)

    @classmethod
    def carried(cls, site: Site, base: Site) -> _Structure | None:
        """``site``'s structure from ``base``'s, when ``site`` was made from ``base`` by edits that kept its
        units in order and its links (a practice moved): only the chains through a moved unit are
        worked out again. ``None`` when that does not apply."""
        fp, old = footprints(site), footprints(base)
        before = old.derived.get("structure")
        if (not isinstance(before, _Structure) or fp.unit_ids is not old.unit_ids
                or len(site.links) != len(base.links) or not all(map(is_, site.links, base.links))):
            return None
        places = list(compress(range(len(site.units)), map(is_not, site.units, base.units)))
        if any(site.units[i].kind != base.units[i].kind for i in places):
            return None
        moved = set(np.flatnonzero(fp.parent != old.parent).tolist())
        chains = list(before.chains)
        if moved:
            # A chain changes exactly when it passes through a unit whose parent changed, on the old
            # tree as on the new (above the first such unit, the two trees agree).
            stale = [i for i, chain in enumerate(chains) if not moved.isdisjoint(chain)]
            done = [True] * len(chains)
            for i in stale:
                done[i] = False
            _chains(fp.parent.tolist(), chains, done, stale)
        return cls(chains, before.neighbours, before.partnerships, before.operational)

    def managed(self, a: int, b: int) -> bool:
        """Whether structure or a link manages the interface of units ``a`` and ``b``.

        It is managed when one unit contains the other, when the two share a
        parent that manages them (siblings answer to it; a place or system
        partnership is not such a parent), or when a link joins either unit, or
        a container above it below organisation level (:data:`OPERATIONAL_KINDS`),
        to the other or such a container above that. Links between
        organisations, places or systems are strategic and manage no interface.
        """
        chain_a, chain_b = self.chains[a], self.chains[b]
        if a in chain_b or b in chain_a:
            return True
        if (len(chain_a) > 1 and len(chain_b) > 1 and chain_a[1] == chain_b[1]
                and chain_a[1] not in self.partnerships):
            return True
        if not self.neighbours:
            return False
        ends_a = self._ends(chain_a)
        others = set(self._ends(chain_b))
        return any(not others.isdisjoint(self.neighbours.get(x, ())) for x in ends_a)

    def _ends(self, chain: tuple[int, ...]) -> list[int]:
        # The unit itself, then its operational containers up to the first that is not one.
        out = [chain[0]]
        for x in chain[1:]:
            if x not in self.operational:
                break
            out.append(x)
        return out


def carry_structure(site: Site, base: Site) -> bool:
    """Work out what the interface analysis needs of ``site``'s containment from ``base``'s, if it can.

    For a site made from ``base`` by edits that kept its units in order and its
    links as they were (a practice moved to another PCN), with its footprints
    worked out by :func:`~integramap.analysis.footprints.footprints_from` and
    ``base`` already analysed: only the chains of containers through a moved
    unit are worked out again. Returns whether it could; the analysis of
    ``site`` is the same either way.

    Examples
    --------
    >>> from integramap.model import Site, Unit, Area
    >>> from integramap.analysis.footprints import footprints_from
    >>> base = Site(id="s", name="S", areas=[Area(id="a1"), Area(id="a2")],
    ...     units=[Unit(id="n1", name="N1", kind="pcn"), Unit(id="n2", name="N2", kind="pcn"),
    ...            Unit(id="l1", name="L1", kind="lcn", footprint={"a1": 1, "a2": 1}),
    ...            Unit(id="p1", name="P1", kind="practice", parent="n1", footprint={"a1": 1}),
    ...            Unit(id="p2", name="P2", kind="practice", parent="n1", footprint={"a2": 1})])
    >>> before = unmanaged_interfaces(base, "practice", "pcn")
    >>> moved = base.model_copy(update={"units": [*base.units[:4],
    ...                                           base.units[4].model_copy(update={"parent": "n2"})]})
    >>> _ = footprints_from(moved, base)
    >>> carry_structure(moved, base)
    True
    >>> [(m.a, m.b) for m in unmanaged_interfaces(moved, "pcn", "lcn")]
    [('n1', 'l1'), ('n2', 'l1')]
    """
    fp = footprints(site)
    if "structure" in fp.derived:
        return True
    carried = _Structure.carried(site, base)
    if carried is not None:
        fp.derived["structure"] = carried
    return carried is not None


def _chains(parent: list[int], chains: list[tuple[int, ...]], done: list[bool],
            starts: Iterable[int]) -> None:
    """Fill in the chain (the row, then the rows above it) of each start not ``done``, walking each
    row's ancestors once: a chain already done is shared by those below it."""
    for start in starts:
        path: list[int] = []
        i = start
        while i >= 0 and not done[i] and len(path) <= len(parent):
            path.append(i)
            i = parent[i]
        above = chains[i] if i >= 0 and done[i] else ()
        for j in reversed(path):
            above = (j, *above)
            chains[j] = above
            done[j] = True


def _serve_different_ages(a: Unit, b: Unit) -> bool:
    # An adults' psychosis team and an older people's memory service cover the same streets
    # but not the same people: with both age ranges recorded and disjoint, nobody is shared.
    return bool(a.age_groups) and bool(b.age_groups) and not set(a.age_groups) & set(b.age_groups)


def _unmanaged(site: Site, pair: _Pair, threshold: float) -> list[UnmanagedInterface]:
    if not 0.0 <= threshold <= 1.0:
        raise ValueError(f"threshold must be a share between 0 and 1, got {threshold}")
    coo = pair.overlaps.tocoo()
    pa = pair.a.population[coo.row]
    pb = pair.b.population[coo.col]
    smaller = np.minimum(pa, pb)
    share = np.divide(coo.data, smaller, out=np.zeros_like(coo.data), where=smaller > 0)
    keep = np.flatnonzero((share >= threshold - EPS) & (coo.data > 0))
    structure = _Structure.of(site, footprints(site))
    in_a = set(pair.a.index.tolist())
    in_b = set(pair.b.index.tolist())
    rows_a = pair.a.index[coo.row[keep]].tolist()
    rows_b = pair.b.index[coo.col[keep]].tolist()
    out = []
    for k, a, b in zip(keep.tolist(), rows_a, rows_b):
        ua, ub = site.units[a], site.units[b]
        if ua.id > ub.id and a in in_b and b in in_a:
            continue  # a unit in both layers: report each pair once
        if structure.managed(a, b) or _serve_different_ages(ua, ub):
            continue
        v = float(coo.data[k])
        out.append(construct(UnmanagedInterface, a=ua.id, a_name=ua.name, b=ub.id, b_name=ub.name, population=v,
                             share=min(float(share[k]), 1.0), share_of_a=v / float(pa[k]),
                             share_of_b=v / float(pb[k])))
    out.sort(key=lambda m: (-m.population, m.a, m.b))
    return out


def unmanaged_interfaces(site: Site, a: LayerLike, b: LayerLike,
                         threshold: float = DEFAULT_THRESHOLD) -> list[UnmanagedInterface]:
    """Pairs sharing population with no link between them or their operational containers.

    A pair counts when the population it shares is at least ``threshold`` (a
    share from 0 to 1) of the smaller unit's population. A unit and one that
    contains it are never an interface, nor are two units with the same parent
    (the parent manages both) unless that parent is a place or system: a
    partnership board does not run the day-to-day interface between, say, a
    PCN and an LCN of its footprint — the mismatch the analysis is there to find.
    Two units that both record the age groups they serve, with none in common,
    share no people however their footprints overlap.

    Examples
    --------
    >>> from integramap.model import Site, Unit, Area, Link
    >>> site = Site(id="s", name="S", areas=[Area(id=a, population=100) for a in "xyz"],
    ...     units=[Unit(id="mh", name="MH trust", kind="organisation", org_type="nhs_trust"),
    ...            Unit(id="t", name="Psychosis team", kind="team", parent="mh", footprint={"x": 1, "y": 1}),
    ...            Unit(id="p1", name="PCN 1", kind="pcn", footprint={"x": 1}),
    ...            Unit(id="p2", name="PCN 2", kind="pcn", footprint={"y": 1, "z": 1})],
    ...     links=[Link(id="l", source="mh", target="p1", level="interface")])
    >>> [(m.b_name, m.population, m.share) for m in unmanaged_interfaces(site, "team", "pcn")]
    [('PCN 1', 100.0, 1.0), ('PCN 2', 100.0, 0.5)]

    The trust's link to PCN 1 is strategic; a link from the team itself manages the interface:

    >>> site = site.model_copy(update={"links": [Link(id="l", source="t", target="p1", level="interface")]})
    >>> [m.b_name for m in unmanaged_interfaces(site, "team", "pcn")]
    ['PCN 2']
    >>> unmanaged_interfaces(site, "team", "pcn", threshold=0.6)
    []
    """
    return _unmanaged(site, _Pair.of(site, a, b), threshold)


def no_footprint(site: Site, layer: LayerLike) -> list[LayerUnit]:
    """Units of a layer with no footprint, own or from below: they cannot be checked.

    Examples
    --------
    >>> from integramap.model import Site, Unit
    >>> [u.id for u in no_footprint(Site(id="s", name="S", units=[Unit(id="p", name="P", kind="pcn")]), "pcn")]
    ['p']
    """
    fp = footprints(site)
    rows = _LayerRows.of(site, fp, layer)
    empty = np.flatnonzero(np.diff(rows.matrix.indptr) == 0).tolist()
    label = str(rows.layer)
    return sorted((construct(LayerUnit, layer=label, id=rows.units[i].id, name=rows.units[i].name,
                             population=0.0) for i in empty), key=lambda u: u.id)


def analyse(site: Site, a: LayerLike, b: LayerLike, threshold: float = DEFAULT_THRESHOLD) -> BoundaryReport:
    """Every boundary finding for layers ``a`` and ``b``, with counts.

    Straddles and unmanaged interfaces are of ``a``'s units over ``b``'s; gaps
    and double cover are reported for both layers over all the site's areas
    (each gap naming the other layer's units that cover it); nesting
    violations for every unit of the site.

    Examples
    --------
    >>> from integramap.model import Site, Unit, Area
    >>> site = Site(id="s", name="S", areas=[Area(id="x", population=3), Area(id="y", population=1)],
    ...     units=[Unit(id="p", name="P", kind="pcn", footprint={"x": 1, "y": 1}),
    ...            Unit(id="l1", name="L1", kind="lcn", footprint={"x": 1}),
    ...            Unit(id="l2", name="L2", kind="lcn", footprint={"y": 1})])
    >>> report = analyse(site, "pcn", "lcn")
    >>> report.coterminosity.people, report.coterminosity.units, report.counts.straddles
    (0.75, 0.0, 1)
    """
    with collector_paused():
        return _analyse(site, a, b, threshold)


def _analyse(site: Site, a: LayerLike, b: LayerLike, threshold: float = DEFAULT_THRESHOLD) -> BoundaryReport:
    if not 0.0 <= threshold <= 1.0:
        raise ValueError(f"threshold must be a share between 0 and 1, got {threshold}")
    pair = _Pair.of(site, a, b)
    la, lb = pair.a.layer, pair.b.layer
    found_straddles = _straddles(pair)
    # Each layer's findings together, first layer first: each list is already in order.
    found_gaps = gaps(site, la, within=lb) + (gaps(site, lb, within=la) if lb != la else [])
    found_double = double_cover(site, la) + (double_cover(site, lb) if lb != la else [])
    found_nesting = nesting_violations(site)
    found_unmanaged = _unmanaged(site, pair, threshold)
    found_empty = no_footprint(site, la) + (no_footprint(site, lb) if lb != la else [])
    counts = BoundaryCounts(
        straddles=len(found_straddles), gaps=len(found_gaps), double_cover=len(found_double),
        nesting_violations=len(found_nesting), unmanaged_interfaces=len(found_unmanaged),
        no_footprint=len(found_empty),
        mismatches=len(found_straddles) + len(found_gaps) + len(found_double) + len(found_nesting)
        + len(found_unmanaged))
    return BoundaryReport(
        site=site.id, site_name=site.name, layer_a=str(la), layer_b=str(lb), label_a=la.label,
        label_b=lb.label, units_a=len(pair.a.units), units_b=len(pair.b.units), threshold=threshold,
        population_known=any(area.population is not None for area in site.areas),
        coterminosity=_figures(pair), links_recorded=len(site.links), counts=counts, straddles=found_straddles, gaps=found_gaps,
        double_cover=found_double, nesting_violations=found_nesting, unmanaged_interfaces=found_unmanaged,
        no_footprint=found_empty, overlaps=_entries(pair))
