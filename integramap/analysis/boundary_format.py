"""A boundary report as plain text (for an email) and as CSV rows (one per finding)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from ..io.csv_safe import csv_text
from ..wording import plural
from .boundary_results import BoundaryReport, Coterminosity
from .layers import Layer

__all__ = ["CSV_COLUMNS", "format_report", "report_csv", "report_rows"]

T = TypeVar("T")

CSV_COLUMNS = ["kind", "layer", "id", "name", "other_id", "other_name", "population", "share", "detail"]


def _pct(share: float) -> str:
    return f"{share * 100:.1f}%"


def _count(value: float) -> str:
    return f"{value:,.0f}" if abs(value - round(value)) < 0.05 or value >= 100 else f"{value:,.1f}"


def _section(lines: list[str], title: str, items: Sequence[T], render: Callable[[T], str],
             limit: int) -> None:
    lines.append("")
    lines.append(title)
    shown = items if limit <= 0 else items[:limit]
    lines += [f"  - {render(item)}" for item in shown]
    if len(items) > len(shown):
        lines.append(f"  … and {len(items) - len(shown)} more (--format csv lists them all)")


def format_report(report: BoundaryReport, limit: int = 25) -> str:
    """The report in words a manager could paste into an email: names first, percentages.

    Straddles are always listed in full; other sections show their first
    ``limit`` findings (0 shows all).

    Examples
    --------
    >>> from integramap.model import Site, Unit, Area
    >>> from integramap.analysis.boundaries import analyse
    >>> site = Site(id="s", name="Demo", areas=[Area(id="x", population=300), Area(id="y", population=100)],
    ...     units=[Unit(id="p", name="Croxted PCN", kind="pcn", footprint={"x": 1, "y": 1}),
    ...            Unit(id="l1", name="North LCN", kind="lcn", footprint={"x": 1}),
    ...            Unit(id="l2", name="South LCN", kind="lcn", footprint={"y": 1})])
    >>> print("\\n".join(format_report(analyse(site, "pcn", "lcn")).splitlines()[3:6]))
    Straddles: 1 PCN lies across more than one LCN
      - Croxted PCN (p), population 400: 75.0% North LCN, 25.0% South LCN
    <BLANKLINE>
    """
    r = report
    la, lb = Layer.parse(r.layer_a), Layer.parse(r.layer_b)
    one = {r.layer_a: la.singular, r.layer_b: lb.singular}
    many = {r.layer_a: r.label_a, r.layer_b: r.label_b}
    known = r.population_known
    people = "population" if known else "areas"

    def amount(value: float) -> str:
        if known:
            return f"population {_count(value)}"
        return f"{_count(value)} area{'' if abs(value - 1.0) < 0.05 else 's'}"
    title = f"Boundary check for {r.site_name} ({r.site}): {r.label_a} ({r.units_a}) "
    lines = [title + f"against {r.label_b} ({r.units_b})"]
    c = r.coterminosity
    if c.people is None or c.units is None:
        lines.append(f"Coterminosity: not defined, as the {r.label_a} and {r.label_b} share no population.")
    else:
        lines.append(f"Coterminosity by people: {_pct(c.people)} — the share of the people in each "
                     f"{la.singular} who are in its main {lb.singular}")
        lines.append(f"Coterminosity by units: {_pct(c.units)} — {c.units_within:,} of {c.units_meeting:,} "
                     f"{la.singular if c.units_meeting == 1 else r.label_a} lie wholly within one {lb.singular}")
    if not r.population_known:
        lines.append("No area has a population, so the figures below count areas, not people.")

    n = len(r.straddles)
    _section(lines, f"Straddles: {plural(n, la.singular, r.label_a)} {'lies' if n == 1 else 'lie'} "
             f"across more than one {lb.singular}", r.straddles,
             lambda s: f"{s.name} ({s.unit}), {amount(s.population)}: "
             + ", ".join(f"{_pct(p.share)} {p.name}" for p in s.partners), 0)
    for layer in dict.fromkeys([r.layer_a, r.layer_b]):
        found = [g for g in r.gaps if g.layer == layer]
        uncovered = sum(g.uncovered_population for g in found)
        total = f" ({amount(uncovered)})" if known else ""
        title = (f"Gaps: {plural(len(found), 'area', 'areas')}{total} that no {one[layer]} covers" if found
                 else f"Gaps: none; every area is covered by the {many[layer]}")
        _section(lines, title, found,
                 lambda g: f"{g.name or g.area} ({g.area})"
                 + (f", {amount(g.uncovered_population)}" if known else "")
                 + (f", within {', '.join(g.within_names)}" if g.within_names else ""), limit)
    _section(lines, f"Double cover: {plural(len(r.double_cover), 'area', 'areas')} claimed by more than "
             "one unit of the same layer", r.double_cover,
             lambda d: f"{d.name or d.area} ({d.area})" + (f", {amount(d.population)}" if known else "")
             + f": {', '.join(d.unit_names)} (total {_pct(d.total_weight)})", limit)
    _section(lines, f"Nesting: {plural(len(r.nesting_violations), 'unit reaches', 'units reach')} "
             "outside the footprint of the unit above", r.nesting_violations,
             lambda v: f"{v.name} ({v.unit}): {_pct(v.outside_share)} outside {v.parent_name} "
             + (f"({amount(v.outside_population)} in {plural(v.outside_areas, 'area', 'areas')})" if known
                else f"({plural(v.outside_areas, 'area', 'areas')})"),
             limit)
    if r.unmanaged_interfaces and r.links_recorded == 0:
        # An imported site has no links yet: one line says so instead of a row per pair.
        lines += ["", f"Unmanaged interfaces: no links recorded yet, so every {la.singular}–{lb.singular} "
                  f"pair that shares {people} counts as unmanaged "
                  f"({plural(len(r.unmanaged_interfaces), 'pair')})."]
    else:
        _section(lines, f"Unmanaged interfaces: {plural(len(r.unmanaged_interfaces), 'pair', 'pairs')} "
                 f"sharing at least {_pct(r.threshold)} of the smaller one's {people}, with no link between "
                 "them or the directorates, teams, PCNs, LCNs or hubs above them", r.unmanaged_interfaces,
                 lambda m: f"{m.a_name} and {m.b_name}: {amount(m.population)} shared "
                 f"({_pct(m.share_of_a)} of {m.a_name}, {_pct(m.share_of_b)} of {m.b_name})", limit)
    if r.no_footprint:
        _section(lines, f"Not checked: {plural(len(r.no_footprint), 'unit has', 'units have')} no footprint",
                 r.no_footprint, lambda u: f"{u.name} ({u.id}, {one.get(u.layer, u.layer)})", limit)
    return "\n".join(lines)


def _num(value: float) -> str:
    return f"{value:.6g}"


def report_rows(report: BoundaryReport) -> list[dict[str, str]]:
    """One row per finding, with a ``kind`` column, as plain text (:func:`report_csv` makes it formula-safe).

    Examples
    --------
    >>> from integramap.model import Site, Unit, Area
    >>> from integramap.analysis.boundaries import analyse
    >>> site = Site(id="s", name="S", areas=[Area(id="x", name="-x")],
    ...     units=[Unit(id="p", name="=PCN", kind="pcn")])
    >>> [(row["kind"], row["name"]) for row in report_rows(analyse(site, "pcn", "lcn"))]
    [('coterminosity_people', ''), ('coterminosity_units', ''), ('gap', '-x'), ('gap', '-x'), ('unchecked', '=PCN')]
    """
    rows: list[dict[str, str]] = []

    def add(kind: str, layer: str, id_: str, name: str, other_id: str = "", other_name: str = "",
            population: float | None = None, share: float | None = None, detail: str = "") -> None:
        rows.append({"kind": kind, "layer": layer, "id": id_, "name": name,
                     "other_id": other_id, "other_name": other_name,
                     "population": "" if population is None else _num(population),
                     "share": "" if share is None else _num(share), "detail": detail})

    r = report
    c = r.coterminosity
    undefined = "undefined: no shared population"
    add("coterminosity_people", f"{r.layer_a} with {r.layer_b}", "", "", share=c.people,
        detail=Coterminosity.PEOPLE_DEFINITION if c.people is not None else undefined)
    add("coterminosity_units", f"{r.layer_a} with {r.layer_b}", "", "", share=c.units,
        detail=Coterminosity.UNITS_DEFINITION if c.units is not None else undefined)
    for s in r.straddles:
        add("straddle", r.layer_a, s.unit, s.name, s.partners[0].id, s.partners[0].name, s.population,
            s.alignment, "; ".join(f"{p.name} ({p.id}) {_pct(p.share)}" for p in s.partners))
    for g in r.gaps:
        add("gap", g.layer, g.area, g.name, population=g.uncovered_population, share=1.0 - g.covered,
            detail=("within " + "; ".join(g.within_names)) if g.within_names else "")
    for d in r.double_cover:
        add("double_cover", d.layer, d.area, d.name, population=d.excess_population, share=d.total_weight,
            detail="; ".join(f"{n} ({u}) {_pct(w)}" for (u, w), n in zip(d.units.items(), d.unit_names)))
    for v in r.nesting_violations:
        add("nesting_violation", v.kind, v.unit, v.name, v.parent, v.parent_name, v.outside_population,
            v.outside_share, f"{v.outside_areas} areas outside")
    for m in r.unmanaged_interfaces:
        add("unmanaged_interface", f"{r.layer_a} with {r.layer_b}", m.a, m.a_name, m.b, m.b_name,
            m.population, m.share)
    for u in r.no_footprint:
        add("unchecked", u.layer, u.id, u.name, detail="no footprint")
    return rows


def report_csv(report: BoundaryReport) -> str:
    """:func:`report_rows` as CSV text with a header row; every text cell is formula-safe."""
    return csv_text(CSV_COLUMNS, report_rows(report))
