"""Effective footprints as sparse matrices, and population-weighted overlaps.

A unit's *effective* footprint is its own footprint or, where it has none,
the sum of its children's effective footprints, each weight capped at 1 (a
PCN without a footprint of its own covers what its member practices cover).
Children's shares add up because they stand for different people (practice
lists in one area do not share patients); the cap keeps a share a share.

Everything is held as ``scipy.sparse`` matrices, units × areas, beside the
areas' population vector, so that national data (tens of thousands of areas,
thousands of units) never meets a Python loop over areas × units.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from itertools import chain, compress
from operator import attrgetter, eq, is_not
from typing import TypeVar, cast

import numpy as np
import numpy.typing as npt
from scipy import sparse

from ..model import Site

__all__ = ["EPS", "Footprints", "footprints", "footprints_from", "overlap"]

EPS = 1e-9
"""Weights and populations closer than this to a bound count as on it (float noise)."""

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
T = TypeVar("T")


@dataclass(frozen=True, eq=False)
class Footprints:
    """Every unit's effective footprint: ``matrix[i, j]`` is unit i's weight on area j.

    Examples
    --------
    >>> from integramap.model import Site, Unit, Area
    >>> site = Site(id="s", name="S",
    ...     areas=[Area(id="a1", population=100), Area(id="a2", population=50), Area(id="a3")],
    ...     units=[Unit(id="pcn", name="PCN", kind="pcn"),
    ...            Unit(id="p1", name="P1", kind="practice", parent="pcn", footprint={"a1": 0.7}),
    ...            Unit(id="p2", name="P2", kind="practice", parent="pcn", footprint={"a1": 0.6, "a2": 1})])
    >>> fp = footprints(site)
    >>> fp.weights("pcn")
    {'a1': 1.0, 'a2': 1.0}
    >>> fp.population_of(["pcn", "p1"]).tolist()
    [150.0, 70.0]
    """

    unit_ids: tuple[str, ...]
    area_ids: tuple[str, ...]
    population: FloatArray
    matrix: sparse.csr_matrix
    unit_index: dict[str, int] = field(repr=False)
    area_index: dict[str, int] = field(repr=False)
    area_rank: IntArray = field(repr=False)
    """Each area's position in id order: a vectorised tie-break for sorting."""
    parent: IntArray = field(repr=False)
    """Each unit's parent's row, or -1 for a unit with no parent."""
    derived: dict[object, object] = field(default_factory=dict, repr=False)
    """Results computed from these footprints, kept for the life of the site (layer rows…)."""

    def index_of(self, unit_ids: Sequence[str]) -> IntArray:
        """The rows of these units, in the order given."""
        index = self.unit_index
        return np.array([index[u] for u in unit_ids], dtype=np.int64)

    def rows(self, unit_ids: Sequence[str]) -> sparse.csr_matrix:
        """The footprints of these units, one row each, in the order given."""
        out: sparse.csr_matrix = self.matrix[self.index_of(unit_ids)]
        return out

    def memo(self, key: object, build: Callable[[], T]) -> T:
        """What ``build`` returns, built once per key and kept in :attr:`derived`.

        Whatever is kept must not refer back to these footprints, so that no
        cycle outlives the site.
        """
        if key not in self.derived:
            self.derived[key] = build()
        return cast(T, self.derived[key])

    def population_of(self, unit_ids: Sequence[str]) -> FloatArray:
        """Each unit's population: ``Σ_a pop(a)·w(U, a)``."""
        out: FloatArray = np.asarray(self.rows(unit_ids) @ self.population, dtype=np.float64)
        return out

    def weights(self, unit_id: str) -> dict[str, float]:
        """One unit's effective footprint as ``{area_id: weight}``, in area order."""
        row = self.matrix[self.unit_index[unit_id]]
        return {self.area_ids[j]: float(w) for j, w in zip(row.indices, row.data)}


def footprints(site: Site) -> Footprints:
    """The effective footprints of every unit of a site (cached per site object).

    A footprint whose weights are all zero counts as none. The loops here run
    over units and footprint entries only; the union over children is one
    sparse product.
    """
    with _LOCK:
        cached = _CACHE.get(id(site))
        if cached is not None and cached[0]() is site:
            return cached[1]
    built = _build(site)
    with _LOCK:
        _CACHE[id(site)] = (weakref.ref(site), built)
        weakref.finalize(site, _CACHE.pop, id(site), None)
    return built


_CACHE: dict[int, tuple[weakref.ReferenceType[Site], Footprints]] = {}
_LOCK = threading.Lock()


def footprints_from(site: Site, base: Site) -> Footprints:
    """The footprints of ``site``, worked out from those of ``base``, a site it was made from by edits.

    Where the two have the same areas and the same units in the same order (a
    practice moved to another PCN, a footprint changed), only the rows of the
    units that changed and of the units above them, before and after, are
    worked out again; otherwise the footprints are built afresh. Either way the
    result is what :func:`footprints` gives, and is kept for ``site`` as it is.

    Examples
    --------
    >>> from integramap.model import Site, Unit, Area
    >>> base = Site(id="s", name="S", areas=[Area(id="a1"), Area(id="a2")],
    ...     units=[Unit(id="n1", name="N1", kind="pcn"), Unit(id="n2", name="N2", kind="pcn"),
    ...            Unit(id="p1", name="P1", kind="practice", parent="n1", footprint={"a1": 1}),
    ...            Unit(id="p2", name="P2", kind="practice", parent="n1", footprint={"a2": 1})])
    >>> moved = base.model_copy(update={"units": [*base.units[:3],
    ...                                           base.units[3].model_copy(update={"parent": "n2"})]})
    >>> fp = footprints_from(moved, base)
    >>> fp.weights("n1"), fp.weights("n2")
    ({'a1': 1.0}, {'a2': 1.0})
    >>> footprints(moved) is fp
    True
    """
    with _LOCK:
        cached = _CACHE.get(id(site))
        if cached is not None and cached[0]() is site:
            return cached[1]
    old = footprints(base)
    same_shape = (len(site.units) == len(old.unit_ids) and len(site.areas) == len(old.area_ids)
                  and (site.areas is base.areas or all(a.id == b for a, b in zip(site.areas, old.area_ids)))
                  and all(map(eq, map(_ID, site.units), old.unit_ids)))
    built = _rebuilt_rows(site, base, old) if same_shape else _build(site)
    with _LOCK:
        _CACHE[id(site)] = (weakref.ref(site), built)
        weakref.finalize(site, _CACHE.pop, id(site), None)
    return built


_ID = attrgetter("id")


def _rebuilt_rows(site: Site, base: Site, old: Footprints) -> Footprints:
    index = old.unit_index
    # Units an edit did not touch are the very same objects: only the others are compared.
    changed = [i for i in compress(range(len(site.units)), map(is_not, site.units, base.units))
               if (site.units[i].footprint, site.units[i].parent)
               != (base.units[i].footprint, base.units[i].parent)]
    parent_of = np.asarray([index[u.parent] if u.parent is not None else -1 for u in site.units],
                           dtype=np.int64)
    # Rows to work out again: each changed unit and every unit above it, on the old and the new tree.
    affected: set[int] = set()
    for start in changed:
        for parents in (old.parent, parent_of):
            i, steps = start, 0
            while i >= 0 and steps <= len(parent_of):
                affected.add(i)
                i = int(parents[i])
                steps += 1
    if not affected:
        return replace(old, parent=parent_of, derived={})
    children: dict[int, list[int]] = {}
    for i in affected:
        children[i] = []
    for child, up in enumerate(parent_of.tolist()):
        if up in children:
            children[up].append(child)
    area_index = old.area_index
    rows: dict[int, sparse.csr_matrix] = {}
    n_areas = len(old.area_ids)
    # Deepest first on the new tree: a unit without a footprint of its own covers what its
    # members cover, capped at 1, so its members' rows must be done before it.
    for i in sorted(affected, key=lambda k: -_depth(parent_of, k)):
        unit = site.units[i]
        own = {area_index[a]: w for a, w in unit.footprint.items() if w > 0.0}
        if own:
            cols = np.fromiter(own, dtype=np.int64, count=len(own))
            vals = np.fromiter(own.values(), dtype=np.float64, count=len(own))
            row = sparse.csr_matrix((np.minimum(vals, 1.0), (np.zeros(len(own), dtype=np.int64), cols)),
                                    shape=(1, n_areas))
        else:
            parts = [rows[c] if c in rows else old.matrix[c] for c in children[i]]
            row = sparse.csr_matrix(sum(parts[1:], parts[0]) if parts else (1, n_areas))
            np.minimum(row.data, 1.0, out=row.data)
        row.eliminate_zeros()
        rows[i] = row
    keep = np.ones(len(parent_of), dtype=np.float64)
    order = sorted(rows)
    keep[order] = 0.0
    placed = sparse.csr_matrix((np.ones(len(order)), (order, np.arange(len(order)))),
                               shape=(len(parent_of), len(order)))
    replaced = placed @ sparse.vstack([rows[i] for i in order])
    matrix = sparse.csr_matrix(sparse.diags(keep) @ old.matrix + replaced)
    matrix.eliminate_zeros()
    matrix.sort_indices()
    return replace(old, matrix=matrix, parent=parent_of, derived={})


def _build(site: Site) -> Footprints:
    area_ids = tuple(a.id for a in site.areas)
    area_index = {a: j for j, a in enumerate(area_ids)}
    population = np.fromiter((a.weight_population for a in site.areas), dtype=np.float64,
                             count=len(area_ids))
    unit_ids = tuple(u.id for u in site.units)
    unit_index = {u: i for i, u in enumerate(unit_ids)}

    # One pass over the footprints gathers the entries (chained and mapped at C speed); the rest is numpy.
    owned = [u.footprint for u in site.units]
    lengths = np.fromiter(map(len, owned), dtype=np.int64, count=len(unit_ids))
    total = int(lengths.sum())
    cols = np.fromiter(map(area_index.__getitem__, chain.from_iterable(owned)), dtype=np.int64, count=total)
    vals = np.fromiter(chain.from_iterable(map(dict.values, owned)), dtype=np.float64, count=total)
    rows = np.repeat(np.arange(len(unit_ids), dtype=np.int64), lengths)
    positive = vals > 0.0
    rows, cols, vals = rows[positive], cols[positive], vals[positive]
    own = np.zeros(len(unit_ids), dtype=bool)
    own[rows] = True
    own_matrix = sparse.csr_matrix((vals, (rows, cols)), shape=(len(unit_ids), len(area_ids)))

    # contrib[u, v] = 1 when v's own footprint counts towards u's: v itself, or v the
    # nearest unit with a footprint of its own below a chain of units without one.
    c_rows: list[int] = []
    c_cols: list[int] = []
    parent_of = [unit_index[u.parent] if u.parent is not None else -1 for u in site.units]
    has_own = own.tolist()
    for v in np.flatnonzero(own).tolist():
        c_rows.append(v)
        c_cols.append(v)
        up = parent_of[v]
        seen = 0
        while up >= 0 and not has_own[up] and seen < len(unit_ids):
            c_rows.append(up)
            c_cols.append(v)
            up = parent_of[up]
            seen += 1
    contrib = sparse.csr_matrix((np.ones(len(c_rows)), (c_rows, c_cols)),
                                shape=(len(unit_ids), len(unit_ids)))
    matrix = sparse.csr_matrix(contrib @ own_matrix)
    np.minimum(matrix.data, 1.0, out=matrix.data)
    matrix.eliminate_zeros()
    matrix.sort_indices()
    return Footprints(unit_ids=unit_ids, area_ids=area_ids, population=population, matrix=matrix,
                      unit_index=unit_index, area_index=area_index, area_rank=_ranks(area_ids),
                      parent=np.asarray(parent_of, dtype=np.int64))


def _depth(parent: IntArray, i: int) -> int:
    depth = 0
    while parent[i] >= 0 and depth <= len(parent):
        i = int(parent[i])
        depth += 1
    return depth


def _ranks(ids: Sequence[str]) -> IntArray:
    order = sorted(range(len(ids)), key=ids.__getitem__)
    rank = np.empty(len(ids), dtype=np.int64)
    rank[np.asarray(order, dtype=np.int64)] = np.arange(len(ids), dtype=np.int64)
    return rank


def overlap(a: sparse.spmatrix, b: sparse.spmatrix, population: FloatArray) -> sparse.csr_matrix:
    """``O[i, j] = Σ_area pop(area)·min(a[i, area], b[j, area])``, vectorised.

    The minimum is taken only where both are non-zero: the two matrices are
    joined column by column on their non-zero patterns (every pair of entries
    in the same area), so the work is the number of such pairs, never
    rows × columns × areas. Pairs that share only zero-population areas drop
    out.

    Examples
    --------
    >>> a = sparse.csr_matrix(np.array([[1.0, 0.5, 0.0], [0.0, 1.0, 1.0]]))
    >>> b = sparse.csr_matrix(np.array([[1.0, 1.0, 0.0], [0.0, 0.25, 1.0]]))
    >>> overlap(a, b, np.array([10.0, 20.0, 30.0])).toarray().tolist()
    [[20.0, 5.0], [20.0, 35.0]]
    """
    ac = sparse.csc_matrix(a)
    bc = sparse.csc_matrix(b)
    ac.sort_indices()
    bc.sort_indices()
    n_areas = ac.shape[1]
    a_area = np.repeat(np.arange(n_areas, dtype=np.int64), np.diff(ac.indptr))
    reps = np.diff(bc.indptr).astype(np.int64)[a_area]
    total = int(reps.sum())
    a_pos = np.repeat(np.arange(ac.nnz, dtype=np.int64), reps)
    # Position of each pair's b entry: the start of its area's run in b, plus a
    # ragged arange (0, 1, … within each run of repeats).
    run_start = np.cumsum(reps) - reps
    offsets = np.arange(total, dtype=np.int64) - np.repeat(run_start, reps)
    b_pos = np.repeat(bc.indptr[:-1].astype(np.int64)[a_area], reps) + offsets
    values = population[a_area[a_pos]] * np.minimum(ac.data[a_pos], bc.data[b_pos])
    out = sparse.csr_matrix((values, (ac.indices[a_pos], bc.indices[b_pos])),
                            shape=(ac.shape[0], bc.shape[0]))
    out.sum_duplicates()
    out.eliminate_zeros()
    return out
