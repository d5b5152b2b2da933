"""What-if: a scenario's effect on a site, as before, after and the difference.

:func:`what_if` applies a scenario to a copy of a site (the site given is
never changed) and compares the two on every boundary figure — straddles,
gaps, double cover, nesting violations, both coterminosity figures and
unmanaged interfaces, per pair of layers — and on the typology code. The
difference lists what was gained and what was lost, so that a change which
closes one interface and opens others says so: Leutz's third law, "your
integration is my fragmentation", made visible.

Layer pairs are keyed ``"A/B"`` (``"pcn/lcn"``). Findings are compared by
what they are about (the straddling unit, the area, the pair of units), so
a straddle whose split changes is *changed*, not lost and gained.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal, TypeVar

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ..bulk import collector_paused
from ..model import Site
from ..scenario import Scenario
from ..scenario_edits import Applied, apply_scenario
from . import boundaries
from .boundaries import analyse, nesting_violations
from .boundary_results import DoubleCover, Gap, NestingViolation, Straddle, UnmanagedInterface
from .footprints import EPS, footprints, footprints_from
from .layers import Layer, as_layer
from .typology import typology_code
from .typology_alignment import LAYER_PAIRS

__all__ = [
    "Coterminosity", "Delta", "FigureChange", "Finding", "Findings", "PopulationChange", "Side", "WhatIf",
    "coterminosity_figures", "pair_key", "what_if",
]


T = TypeVar("T")


class _Result(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Coterminosity(_Result):
    """How far layer A lies inside layer B, as two named figures (``None`` where the layers do not meet).

    ``people``: ``Σ_U max_V O(U,V) / Σ_U Σ_V O(U,V)``, the share of A's people in
    their unit's main partner of B. ``units``: the share of A's units (of those
    that meet B at all) lying wholly within one unit of B.
    """

    people: float | None
    units: float | None


def coterminosity_figures(site: Site, a: Layer | str, b: Layer | str) -> Coterminosity:
    """Both coterminosity figures of layer ``a`` with layer ``b``, as the what-if and atlas reports carry them.

    The figures are :func:`integramap.analysis.boundaries.coterminosity_figures`'s (one definition for
    the whole project); these reports keep the two numbers only.

    Examples
    --------
    >>> from integramap.model import Site, Unit, Area
    >>> site = Site(id="s", name="S", areas=[Area(id="x", population=3), Area(id="y", population=1)],
    ...     units=[Unit(id="p1", name="P1", kind="pcn", footprint={"x": 1, "y": 1}),
    ...            Unit(id="p2", name="P2", kind="pcn", footprint={"x": 1}),
    ...            Unit(id="l1", name="L1", kind="lcn", footprint={"x": 1}),
    ...            Unit(id="l2", name="L2", kind="lcn", footprint={"y": 1})])
    >>> coterminosity_figures(site, "pcn", "lcn")
    Coterminosity(people=0.8571428571428571, units=0.5)
    """
    figures = boundaries.coterminosity_figures(site, a, b)
    return Coterminosity(people=figures.people, units=figures.units)


def pair_key(a: Layer | str, b: Layer | str) -> str:
    """The key of a layer pair in a report: ``"pcn/lcn"``.

    Examples
    --------
    >>> pair_key("pcn", Layer.parse("team:mental_health"))
    'pcn/team:mental_health'
    """
    return f"{as_layer(a)}/{as_layer(b)}"


class Side(_Result):
    """Every figure of one side (before or after) of a what-if."""

    site: str
    site_name: str
    code: str = Field(description="The typology code.")
    units: int
    links: int
    straddles: dict[str, list[Straddle]] = Field(description="By layer pair: A's units across B's.")
    coterminosity: dict[str, Coterminosity] = Field(description="By layer pair.")
    unmanaged_interfaces: dict[str, list[UnmanagedInterface]] = Field(description="By layer pair.")
    gaps: dict[str, list[Gap]] = Field(description="By layer: areas no unit of the layer covers.")
    double_cover: dict[str, list[DoubleCover]] = Field(description="By layer.")
    nesting_violations: list[NestingViolation]


class Finding(_Result):
    """One finding gained, lost or changed: what it is about, and how it reads."""

    id: str
    name: str
    population: float
    detail: str = ""
    before: str = Field(default="", description="For a changed finding: how it read before.")


class Findings(_Result):
    """Findings of one kind that the change adds (gained), removes (lost) or alters (changed)."""

    gained: list[Finding] = Field(default_factory=list)
    lost: list[Finding] = Field(default_factory=list)
    changed: list[Finding] = Field(default_factory=list)

    @property
    def any(self) -> bool:
        return bool(self.gained or self.lost or self.changed)


class FigureChange(_Result):
    """A figure before and after; ``change`` is after − before where both are defined."""

    before: float | None
    after: float | None
    change: float | None


class PopulationChange(_Result):
    """A unit whose footprint population the change alters (a PCN a practice leaves or joins)."""

    id: str
    name: str
    before: float
    after: float
    status: Literal["changed", "new", "removed"] = "changed"


class Delta(_Result):
    """What the change does: every finding gained or lost, every figure before and after."""

    code: dict[str, str]
    straddles: dict[str, Findings]
    coterminosity: dict[str, dict[str, FigureChange]]
    unmanaged_interfaces: dict[str, Findings]
    gaps: dict[str, Findings]
    double_cover: dict[str, Findings]
    nesting_violations: Findings
    populations: list[PopulationChange]
    changed_units: list[str]
    added_units: list[str]
    removed_units: list[str]
    changed_links: list[str]
    added_links: list[str]
    removed_links: list[str]


class WhatIf(_Result):
    """A scenario's report: ``before``, ``after`` and ``delta``."""

    scenario: str
    description: str
    layers: list[tuple[str, str]]
    population_known: bool
    before: Side
    after: Side
    delta: Delta


def default_layers(*sites: Site) -> list[tuple[str, str]]:
    """The layer pairs that matter (PCN–LCN, LCN–local authority, PCN–local authority) found in any site.

    Examples
    --------
    >>> from integramap.model import Site, Unit
    >>> default_layers(Site(id="s", name="S", units=[Unit(id="p", name="P", kind="pcn"),
    ...                                               Unit(id="l", name="L", kind="lcn")]))
    [('pcn', 'lcn')]
    """
    # The few distinct kinds and org types are turned into text, not every unit's.
    present = [{str(w) for w in {u.kind for u in s.units} | {u.org_type for u in s.units} if w is not None}
               for s in sites]
    return [pair for pair in LAYER_PAIRS if any(pair[0] in words and pair[1] in words for words in present)]


def what_if(site: Site, scenario: Scenario, layers: Sequence[tuple[Layer | str, Layer | str]] | None = None,
            applied: Applied | None = None) -> WhatIf:
    """Apply ``scenario`` to a copy of ``site`` and report before, after and the difference.

    ``layers`` are the layer pairs to compare (default: :func:`default_layers`
    of the two sites). ``applied`` may be given when the scenario has already
    been applied to ``site``. Raises :class:`~integramap.model.SiteError`
    naming the edit that cannot be made.

    Examples
    --------
    >>> from integramap.model import Site, Unit, Area
    >>> from integramap.scenario import validate_scenario
    >>> site = Site(id="s", name="S", areas=[Area(id=a, population=100) for a in "wxyz"], units=[
    ...     Unit(id="n", name="North LCN", kind="lcn", footprint={"x": 1, "y": 1}),
    ...     Unit(id="s", name="South LCN", kind="lcn", footprint={"z": 1, "w": 1}),
    ...     Unit(id="p1", name="Riverbend PCN", kind="pcn"), Unit(id="p2", name="Southgate PCN", kind="pcn"),
    ...     Unit(id="g1", name="GP 1", kind="practice", parent="p1", footprint={"y": 1}),
    ...     Unit(id="g2", name="GP 2", kind="practice", parent="p1", footprint={"z": 1}),
    ...     Unit(id="g3", name="GP 3", kind="practice", parent="p2", footprint={"w": 1})])
    >>> report = what_if(site, validate_scenario({"name": "GP 2 moves",
    ...     "edits": [{"move": {"unit": "g2", "to": "p2"}}]}))
    >>> [s.name for s in report.before.straddles["pcn/lcn"]], report.after.straddles["pcn/lcn"]
    (['Riverbend PCN'], [])
    >>> [f.name for f in report.delta.straddles["pcn/lcn"].lost], report.delta.coterminosity["pcn/lcn"]["units"]
    (['Riverbend PCN'], FigureChange(before=0.5, after=1.0, change=0.5))
    """
    if applied is None:
        applied = apply_scenario(site, scenario)
    after = applied.site
    pairs = [(as_layer(a), as_layer(b)) for a, b in layers] if layers is not None else [
        (as_layer(a), as_layer(b)) for a, b in default_layers(site, after)]
    with collector_paused():
        footprints_from(after, site)  # most of the site is as it was: reuse its footprints
        before_side = _side(site, pairs)
        boundaries.carry_structure(after, site)  # and its containment, but for the units moved
        after_side = _side(after, pairs)
        delta = _delta(site, after, before_side, after_side, applied)
    return WhatIf(scenario=scenario.name, description=scenario.description,
                  layers=[(str(a), str(b)) for a, b in pairs],
                  population_known=any(area.population is not None for area in site.areas),
                  before=before_side, after=after_side, delta=delta)


def _side(site: Site, pairs: Sequence[tuple[Layer, Layer]]) -> Side:
    # Kept with the site's footprints: trying one change after another on the same site
    # works out its "before" once.
    return footprints(site).memo(("what-if side", tuple(pairs)), lambda: _side_of(site, pairs))


def _side_of(site: Site, pairs: Sequence[tuple[Layer, Layer]]) -> Side:
    # One boundary report per pair serves both the findings and the typology code's alignment.
    wanted = list(dict.fromkeys([*pairs, *((as_layer(a), as_layer(b)) for a, b in default_layers(site))]))
    reports = {(str(a), str(b)): analyse(site, a, b) for a, b in wanted}
    chosen = [reports[(str(a), str(b))] for a, b in pairs]
    keys = [pair_key(a, b) for a, b in pairs]
    gaps: dict[str, list[Gap]] = {}
    cover: dict[str, list[DoubleCover]] = {}
    for report in chosen:
        for layer in (report.layer_a, report.layer_b):
            gaps.setdefault(layer, [g for g in report.gaps if g.layer == layer])
            cover.setdefault(layer, [d for d in report.double_cover if d.layer == layer])
    return Side(
        site=site.id, site_name=site.name, code=typology_code(site, reports), units=len(site.units),
        links=len(site.links),
        straddles={k: r.straddles for k, r in zip(keys, chosen)},
        coterminosity={k: coterminosity_figures(site, a, b) for k, (a, b) in zip(keys, pairs)},
        unmanaged_interfaces={k: r.unmanaged_interfaces for k, r in zip(keys, chosen)},
        gaps=gaps, double_cover=cover,
        nesting_violations=chosen[0].nesting_violations if chosen else nesting_violations(site))


def _pct(share: float) -> str:
    return f"{share * 100:.0f}%"


def _straddle(s: Straddle) -> tuple[str, str, float, str]:
    return s.unit, s.name, s.population, ", ".join(f"{_pct(p.share)} {p.name}" for p in s.partners)


def _interface(m: UnmanagedInterface) -> tuple[str, str, float, str]:
    return f"{m.a}|{m.b}", f"{m.a_name} and {m.b_name}", m.population, ""


def _gap(g: Gap) -> tuple[str, str, float, str]:
    return g.area, g.name or g.area, g.uncovered_population, ", ".join(g.within_names)


def _double(d: DoubleCover) -> tuple[str, str, float, str]:
    return d.area, d.name or d.area, d.excess_population, ", ".join(d.unit_names)


def _nesting(v: NestingViolation) -> tuple[str, str, float, str]:
    return v.unit, v.name, v.outside_population, f"{_pct(v.outside_share)} outside {v.parent_name}"


def _findings(before: Sequence[T], after: Sequence[T],
              read: Callable[[T], tuple[str, str, float, str]]) -> Findings:
    """Findings gained, lost and changed, matched by what they are about.

    Findings are read as (key, name, population, detail) tuples and made into
    models only where they differ: a national site has thousands that do not.
    """
    old = {row[0]: row for row in map(read, before)}
    new = {row[0]: row for row in map(read, after)}

    def finding(row: tuple[str, str, float, str], was: str = "") -> Finding:
        return Finding(id=row[0], name=row[1], population=row[2], detail=row[3], before=was)

    return Findings(
        gained=[finding(row) for key, row in new.items() if key not in old],
        lost=[finding(row) for key, row in old.items() if key not in new],
        changed=[finding(row, old[key][3]) for key, row in new.items() if key in old and row != old[key]
                 and (row[3] != old[key][3] or abs(row[2] - old[key][2]) > EPS)])


def _figure(before: float | None, after: float | None) -> FigureChange:
    return FigureChange(before=before, after=after,
                        change=None if before is None or after is None else after - before)


def _populations(before: Site, after: Site) -> list[PopulationChange]:
    """Units whose population changes, most changed first; new and removed units among them."""
    fp_old, fp_new = footprints(before), footprints(after)
    pop_old = np.asarray(fp_old.matrix @ fp_old.population, dtype=np.float64)
    pop_new = np.asarray(fp_new.matrix @ fp_new.population, dtype=np.float64)
    shared = [u for u in after.units if u.id in fp_old.unit_index]
    out: list[PopulationChange] = []
    if shared:
        old_rows = fp_old.index_of([u.id for u in shared])
        new_rows = fp_new.index_of([u.id for u in shared])
        differ = np.flatnonzero(np.abs(pop_old[old_rows] - pop_new[new_rows]) > EPS).tolist()
        out += [PopulationChange(id=shared[k].id, name=shared[k].name, before=float(pop_old[old_rows[k]]),
                                 after=float(pop_new[new_rows[k]])) for k in differ]
    if len(shared) != len(after.units) or len(shared) != len(before.units):
        out += [PopulationChange(id=u.id, name=u.name, before=0.0, after=float(pop_new[i]), status="new")
                for i, u in enumerate(after.units) if u.id not in fp_old.unit_index]
        out += [PopulationChange(id=u.id, name=u.name, before=float(pop_old[i]), after=0.0, status="removed")
                for i, u in enumerate(before.units) if u.id not in fp_new.unit_index]
    out.sort(key=lambda p: (-abs(p.after - p.before), p.id))
    return out


def _delta(before_site: Site, after_site: Site, before: Side, after: Side, applied: Applied) -> Delta:
    return Delta(
        code={"before": before.code, "after": after.code},
        straddles={k: _findings(v, after.straddles[k], _straddle) for k, v in before.straddles.items()},
        coterminosity={k: {"people": _figure(v.people, after.coterminosity[k].people),
                           "units": _figure(v.units, after.coterminosity[k].units)}
                       for k, v in before.coterminosity.items()},
        unmanaged_interfaces={k: _findings(v, after.unmanaged_interfaces[k], _interface)
                              for k, v in before.unmanaged_interfaces.items()},
        gaps={k: _findings(v, after.gaps[k], _gap) for k, v in before.gaps.items()},
        double_cover={k: _findings(v, after.double_cover[k], _double)
                      for k, v in before.double_cover.items()},
        nesting_violations=_findings(before.nesting_violations, after.nesting_violations, _nesting),
        populations=_populations(before_site, after_site),
        changed_units=applied.changed_units, added_units=applied.added_units,
        removed_units=applied.removed_units, changed_links=applied.changed_links,
        added_links=applied.added_links, removed_links=applied.removed_links)
