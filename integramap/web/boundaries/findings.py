"""A boundary report in words for the Boundaries page: the layers to offer, the verdict, the findings.

Pure functions of a site or a :class:`~integramap.analysis.boundary_results.BoundaryReport`,
returning plain values, so what the page says is tested without a browser.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from integramap.analysis.boundary_results import BoundaryReport
from integramap.analysis.layers import Layer
from integramap.figures.boundaries import counted
from integramap.io.csv_safe import csv_rows_text
from integramap.model import Site, UnitKind
from integramap.wording import plural

__all__ = [
    "FINDING_COLUMNS", "Finding", "LayerOption", "default_layers", "findings", "findings_csv",
    "site_layers", "verdict",
]

KIND_LABELS: dict[str, str] = {
    "straddle": "Straddle", "gap": "Gap", "double_cover": "Double cover",
    "nesting_violation": "Nesting violation", "unmanaged_interface": "Unmanaged interface",
    "unchecked": "Not checked",
}
"""Each kind of finding as the table names it, in the order the table lists them."""

FINDING_COLUMNS = ["kind", "layer", "units", "unit_ids", "areas", "population", "share", "detail"]
"""The columns of the findings CSV."""

# Layers a manager compares most often, first; any other layer the site offers follows.
_PREFERRED = ["pcn", "lcn", "local_authority", "place", "system", "practice", "nhs_trust", "hub",
              "team", "directorate", "organisation"]
_SECTORED_KINDS = (UnitKind.TEAM, UnitKind.DIRECTORATE, UnitKind.HUB)


@dataclass(frozen=True)
class LayerOption:
    """A layer the site offers: its spec (``team:mental_health``), a label and its size."""

    spec: str
    label: str
    units: int


def _pct(share: float) -> str:
    return f"{share * 100:.0f}%"


def _count(value: float) -> str:
    return f"{value:,.0f}"


def site_layers(site: Site) -> list[LayerOption]:
    """Every layer the site's units make up: kinds, organisation types, and teams by sector.

    Examples
    --------
    >>> from integramap.model import Site, Unit
    >>> site = Site(id="s", name="S", units=[
    ...     Unit(id="la", name="Council", kind="organisation", org_type="local_authority"),
    ...     Unit(id="p1", name="PCN 1", kind="pcn"), Unit(id="p2", name="PCN 2", kind="pcn"),
    ...     Unit(id="t", name="CMHT", kind="team", sectors=["mental_health"])])
    >>> [(o.spec, o.label, o.units) for o in site_layers(site)]  # doctest: +NORMALIZE_WHITESPACE
    [('pcn', 'PCNs', 2), ('local_authority', 'local authorities', 1), ('team', 'teams', 1),
     ('organisation', 'organisations', 1), ('team:mental_health', 'mental health teams', 1)]
    """
    counts: Counter[str] = Counter()
    for unit in site.units:
        counts[str(unit.kind)] += 1
        if unit.org_type is not None:
            counts[str(unit.org_type)] += 1
        if unit.kind in _SECTORED_KINDS:
            for sector in unit.sectors:
                counts[f"{unit.kind}:{sector}"] += 1
    order = {word: i for i, word in enumerate(_PREFERRED)}
    specs = sorted(counts, key=lambda s: (":" in s, order.get(s, len(order)), s))
    return [LayerOption(spec=s, label=Layer.parse(s).label, units=counts[s]) for s in specs]


def default_layers(options: list[LayerOption]) -> tuple[str | None, str | None]:
    """PCNs against LCNs where both exist, else against local authorities, else the first two.

    Examples
    --------
    >>> opts = [LayerOption("pcn", "PCNs", 4), LayerOption("local_authority", "local authorities", 1)]
    >>> default_layers(opts)
    ('pcn', 'local_authority')
    >>> default_layers([LayerOption("team", "teams", 3)])
    ('team', None)
    """
    specs = [o.spec for o in options]
    for a, b in (("pcn", "lcn"), ("pcn", "local_authority")):
        if a in specs and b in specs:
            return a, b
    return (specs[0] if specs else None), (specs[1] if len(specs) > 1 else None)


def verdict(report: BoundaryReport) -> str:
    """The one line a manager reads first: how many units nest, and the worst straddle.

    Examples
    --------
    >>> from integramap.model import Site, Unit, Area
    >>> from integramap.analysis.boundaries import analyse
    >>> site = Site(id="s", name="S", areas=[Area(id="x", population=62), Area(id="y", population=38)],
    ...     units=[Unit(id="p", name="Riverbend PCN", kind="pcn", footprint={"x": 1, "y": 1}),
    ...            Unit(id="q", name="Quay PCN", kind="pcn", footprint={"x": 1}),
    ...            Unit(id="c", name="Central", kind="lcn", footprint={"x": 1}),
    ...            Unit(id="s", name="South", kind="lcn", footprint={"y": 1})])
    >>> verdict(analyse(site, "pcn", "lcn"))
    '1 of 2 PCNs lies within one LCN; Riverbend PCN straddles Central and South (62% / 38%).'
    """
    la, lb = Layer.parse(report.layer_a), Layer.parse(report.layer_b)
    if report.units_a == 0 or report.units_b == 0:
        empty = report.label_a if report.units_a == 0 else report.label_b
        return f"This site has no {empty}, so there is nothing to compare."
    if report.coterminosity.people is None:
        return f"The {report.label_a} and the {report.label_b} share no population: they do not meet."
    meeting = {o.a for o in report.overlaps}
    inside = len(meeting) - len(report.straddles)
    noun = la.singular if len(meeting) == 1 else report.label_a
    verb = "lies" if inside == 1 else "lie"
    text = f"{inside:,} of {len(meeting):,} {noun} {verb} within one {lb.singular}"
    if not report.straddles:
        return text + ": the boundaries nest."
    worst = report.straddles[0]
    names = worst.partner_names
    where = (" and ".join(names) if len(names) <= 3
             else f"{', '.join(names[:3])} and {len(names) - 3} more")
    shares = " / ".join(_pct(p.share) for p in worst.partners[:4])
    text += f"; {worst.name} straddles {where} ({shares})"
    others = len(report.straddles) - 1
    if others:
        text += f", and {others} other {la.singular if others == 1 else report.label_a} " \
                f"{'straddles' if others == 1 else 'straddle'}"
    return text + "."


@dataclass(frozen=True)
class Finding:
    """One row of the findings table: what kind, which units (and areas), and the detail in words.

    ``unit_ids`` are the units the row highlights on the page; ``focus`` the
    unit the map opens on; ``areas`` the small areas the finding is about.
    """

    kind: str
    layer: str
    names: tuple[str, ...]
    unit_ids: tuple[str, ...]
    detail: str
    population: float | None = None
    share: float | None = None
    areas: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def focus(self) -> str | None:
        return self.unit_ids[0] if self.unit_ids else None


def findings(report: BoundaryReport) -> list[Finding]:
    """Every finding of the report, one row each: straddles first, then gaps, double cover,
    nesting violations, unmanaged interfaces and units not checked.

    Examples
    --------
    >>> from integramap.model import Site, Unit, Area
    >>> from integramap.analysis.boundaries import analyse
    >>> site = Site(id="s", name="S", areas=[Area(id="x", population=60), Area(id="y", population=40)],
    ...     units=[Unit(id="p", name="PCN", kind="pcn", footprint={"x": 1, "y": 1}),
    ...            Unit(id="l1", name="North", kind="lcn", footprint={"x": 1}),
    ...            Unit(id="l2", name="South", kind="lcn", footprint={"y": 1})])
    >>> [(f.label, f.names, f.detail) for f in findings(analyse(site, "pcn", "lcn"))][0]
    ('Straddle', ('PCN', 'North', 'South'), 'PCN lies across 2 LCNs: 60% North, 40% South')
    """
    r = report
    la, lb = Layer.parse(r.layer_a), Layer.parse(r.layer_b)
    singular = {r.layer_a: la.singular, r.layer_b: lb.singular}
    people = counted(r)
    out: list[Finding] = []
    for s in r.straddles:
        out.append(Finding(
            "straddle", r.layer_a, (s.name, *s.partner_names), (s.unit, *(p.id for p in s.partners)),
            f"{s.name} lies across {len(s.partners)} {r.label_b}: "
            + ", ".join(f"{_pct(p.share)} {p.name}" for p in s.partners),
            s.population, s.alignment))
    for g in r.gaps:
        within = f"; it lies in {', '.join(g.within_names)}" if g.within_names else ""
        amount = f" ({_count(g.uncovered_population)} {people})" if r.population_known else ""
        out.append(Finding(
            "gap", g.layer, (g.name or g.area,), tuple(g.within),
            f"No {singular.get(g.layer, g.layer)} covers {g.name or g.area}{amount}{within}",
            g.uncovered_population, 1.0 - g.covered, (g.area,)))
    for d in r.double_cover:
        out.append(Finding(
            "double_cover", d.layer, (d.name or d.area, *d.unit_names), tuple(d.units),
            f"{', '.join(d.unit_names)} together claim {_pct(d.total_weight)} of {d.name or d.area}",
            d.excess_population, d.total_weight, (d.area,)))
    for v in r.nesting_violations:
        out.append(Finding(
            "nesting_violation", v.kind, (v.name, v.parent_name), (v.unit, v.parent),
            f"{_pct(v.outside_share)} of {v.name} lies outside {v.parent_name} "
            f"({plural(v.outside_areas, 'area')})",
            v.outside_population, v.outside_share))
    if r.unmanaged_interfaces and r.links_recorded == 0:
        # An imported site has no links yet: one line, not a row for every pair of units.
        out.append(Finding(
            "unmanaged_interface", f"{r.layer_a} with {r.layer_b}", (), (),
            f"No links recorded yet: every {la.singular}–{lb.singular} pair that shares people counts as "
            f"unmanaged ({plural(len(r.unmanaged_interfaces), 'pair')})",
            sum(m.population for m in r.unmanaged_interfaces)))
    for m in (r.unmanaged_interfaces if r.links_recorded else []):
        out.append(Finding(
            "unmanaged_interface", f"{r.layer_a} with {r.layer_b}", (m.a_name, m.b_name), (m.a, m.b),
            f"{m.a_name} and {m.b_name} share {_count(m.population)} {people} "
            f"({_pct(m.share_of_a)} of {m.a_name}) with no link between them or the teams, PCNs, LCNs "
            "or hubs above them",
            m.population, m.share))
    for u in r.no_footprint:
        out.append(Finding("unchecked", u.layer, (u.name,), (u.id,),
                           f"{u.name} has no footprint, its own or from the units beneath it"))
    return out


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:.6g}"


def findings_csv(rows: list[Finding]) -> str:
    """The findings as CSV text with a header; every text cell is formula-safe.

    Examples
    --------
    >>> row = Finding("unchecked", "pcn", ("=HYPERLINK(1)",), ("p",), "no footprint")
    >>> print(findings_csv([row]).splitlines()[1])
    unchecked,pcn,'=HYPERLINK(1),p,,,,no footprint
    """
    return csv_rows_text([FINDING_COLUMNS, *([f.kind, f.layer, "; ".join(f.names), "; ".join(f.unit_ids),
                                               "; ".join(f.areas), _num(f.population), _num(f.share), f.detail]
                                              for f in rows)])
