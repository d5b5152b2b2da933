"""What each Boundaries figure shows, in words: the text alternative shown beside it.

Each function takes the same inputs as its figure builder in
:mod:`integramap.figures.boundaries` and draws on the same choices (which
units a capped figure shows, each area's main unit), so the words state the
figure's own numbers. Screen readers read them as the figure's description;
everyone else reads them under the figure.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from integramap.analysis.boundary_results import BoundaryReport, Overlap
from integramap.analysis.layers import Layer
from integramap.io.geometry import Geometry
from integramap.model import Site
from integramap.wording import first_upper, plural
from integramap.figures.boundaries import (
    MAX_COLUMNS,
    MAX_MAP_AREAS,
    MAX_ROWS,
    Overlay,
    counted,
    main_units,
    nothing_shared,
    shown_units,
)

__all__ = ["MAX_NAMED", "flow_sankey_words", "footprint_map_words", "overlap_heatmap_words"]

MAX_NAMED = 30
"""Units named one by one in the map's words; the rest are counted."""


def _count(n: int, layer: str) -> str:
    parsed = Layer.parse(layer)
    return plural(n, parsed.singular, parsed.label)


def _pct(share: float) -> str:
    # The same rounding as the heatmap's cell labels, so the words and the cells read alike.
    return f"{share * 100:.0f}%"


def _rows(report: BoundaryReport, highlight: Collection[str], max_rows: int,
          max_columns: int) -> tuple[list[tuple[str, list[Overlap]]], str]:
    """The rows a capped figure draws, each with its overlaps in the drawn columns (largest first)."""
    shown = shown_units(report, highlight, max_rows, max_columns)
    columns = set(shown.columns)
    by_a: dict[str, list[Overlap]] = {a: [] for a in shown.rows}
    for o in report.overlaps:
        if o.a in by_a and o.b in columns:
            by_a[o.a].append(o)
    rows = [(a, sorted(by_a[a], key=lambda o: (-o.population, o.b_name))) for a in shown.rows]
    return rows, shown.note


def overlap_heatmap_words(report: BoundaryReport, highlight: Collection[str] = (), *, max_rows: int = MAX_ROWS,
                          max_columns: int = MAX_COLUMNS) -> str:
    """The overlap heatmap in words: each row's unit and the share of its people in each column's unit.

    Examples
    --------
    >>> from integramap.model import Site, Unit, Area
    >>> from integramap.analysis.boundaries import analyse
    >>> site = Site(id="s", name="S", areas=[Area(id="x", population=60), Area(id="y", population=40)],
    ...     units=[Unit(id="p", name="Riverbend PCN", kind="pcn", footprint={"x": 1, "y": 1}),
    ...            Unit(id="n", name="North", kind="lcn", footprint={"x": 1}),
    ...            Unit(id="s", name="South", kind="lcn", footprint={"y": 1})])
    >>> print(overlap_heatmap_words(analyse(site, "pcn", "lcn")))  # doctest: +NORMALIZE_WHITESPACE
    1 PCN down the side, 2 LCNs across; each cell is the share of the row's people in that LCN.
    1 PCN straddles. Riverbend PCN: 60% in North, 40% in South.
    """
    if not report.overlaps:
        return nothing_shared(report)
    rows, note = _rows(report, highlight, max_rows, max_columns)
    columns = {o.b for _, overlaps in rows for o in overlaps}
    b = Layer.parse(report.layer_b)
    people = counted(report)
    straddling = sum(1 for _, overlaps in rows if len(overlaps) > 1)
    parts = [f"{_count(len(rows), report.layer_a)} down the side, {_count(len(columns), report.layer_b)} across; "
             f"each cell is the share of the row's {people} in that {b.singular}.",
             f"{straddling} {Layer.parse(report.layer_a).singular if straddling == 1 else report.label_a} "
             f"straddle{'s' if straddling == 1 else ''}."]
    for _, overlaps in rows:
        if overlaps:
            parts.append(f"{overlaps[0].a_name}: "
                         + ", ".join(f"{_pct(o.share_of_a)} in {o.b_name}" for o in overlaps) + ".")
    if note:
        parts.append(note)
    return " ".join(parts)


def flow_sankey_words(report: BoundaryReport, highlight: Collection[str] = (), *, max_rows: int = MAX_ROWS,
                      max_columns: int = MAX_COLUMNS) -> str:
    """The flow diagram in words: how many people of each unit on the left live in each unit on the right.

    Examples
    --------
    >>> from integramap.model import Site, Unit, Area
    >>> from integramap.analysis.boundaries import analyse
    >>> site = Site(id="s", name="S", areas=[Area(id="x", population=6000), Area(id="y", population=4000)],
    ...     units=[Unit(id="p", name="Riverbend PCN", kind="pcn", footprint={"x": 1, "y": 1}),
    ...            Unit(id="n", name="North", kind="lcn", footprint={"x": 1}),
    ...            Unit(id="s", name="South", kind="lcn", footprint={"y": 1})])
    >>> print(flow_sankey_words(analyse(site, "pcn", "lcn")))  # doctest: +NORMALIZE_WHITESPACE
    The people of 1 PCN (left) flowing to the 2 LCNs they live in (right).
    Riverbend PCN (straddles): 6,000 people to North, 4,000 people to South.
    """
    if not report.overlaps:
        return nothing_shared(report)
    rows, note = _rows(report, highlight, max_rows, max_columns)
    columns = {o.b for _, overlaps in rows for o in overlaps}
    people = counted(report)
    straddling = {s.unit for s in report.straddles}
    parts = [f"The {people} of {_count(len(rows), report.layer_a)} (left) flowing to the "
             f"{_count(len(columns), report.layer_b)} they live in (right)."]
    for a, overlaps in rows:
        if overlaps:
            parts.append(f"{overlaps[0].a_name}{' (straddles)' if a in straddling else ''}: "
                         + ", ".join(f"{o.population:,.0f} {people} to {o.b_name}" for o in overlaps) + ".")
    if note:
        parts.append(note)
    return " ".join(parts)


def _names(items: Sequence[str]) -> str:
    if len(items) <= MAX_NAMED:
        return ", ".join(items)
    return ", ".join(items[:MAX_NAMED]) + f" and {len(items) - MAX_NAMED:,} more"


def footprint_map_words(site: Site, shapes: Mapping[str, Geometry], layer_a: str, layer_b: str,
                        overlays: Sequence[Overlay] = ()) -> str:
    """The area map in words: how many areas each unit of layer A colours, and which boundaries lie over them.

    Examples
    --------
    >>> from integramap.model import Site, Unit, Area
    >>> sq = lambda x: {"type": "Polygon", "coordinates": [[[x, 0], [x + 1, 0], [x + 1, 1], [x, 1], [x, 0]]]}
    >>> site = Site(id="s", name="S", areas=[Area(id="a"), Area(id="b"), Area(id="c")],
    ...     units=[Unit(id="p", name="Riverbend PCN", kind="pcn", footprint={"a": 1, "b": 1}),
    ...            Unit(id="l", name="North LCN", kind="lcn", footprint={"a": 1})])
    >>> print(footprint_map_words(site, {"a": sq(0), "b": sq(1), "c": sq(2)}, "pcn", "lcn"))
    ... # doctest: +NORMALIZE_WHITESPACE
    3 areas drawn, each coloured by the PCN covering most of it: Riverbend PCN 2 areas; 1 area in no PCN.
    The boundaries of the LCNs are drawn over them as dark lines: North LCN.
    """
    if not shapes:
        return "No area of this site has a shape to draw."
    if len(shapes) > MAX_MAP_AREAS:
        return f"This site has {len(shapes):,} areas with shapes: the map is drawn for up to {MAX_MAP_AREAS:,}."
    main_a, names_a = main_units(site, layer_a, shapes)
    main_b, names_b = main_units(site, layer_b, shapes)
    a, b = Layer.parse(layer_a), Layer.parse(layer_b)
    per_unit: dict[str, int] = {}
    for area in shapes:
        if area in main_a:
            per_unit[main_a[area]] = per_unit.get(main_a[area], 0) + 1
    # In the figure's own order: the layer's units as the site lists them.
    coloured = [f"{names_a[u]} {plural(per_unit[u], 'area')}" for u in names_a if u in per_unit]
    uncovered = len(shapes) - sum(per_unit.values())
    parts = [f"{plural(len(shapes), 'area')} drawn, each coloured by the {a.singular} covering most of it: "
             + (_names(coloured) if coloured else f"no {a.singular} covers any")
             + (f"; {plural(uncovered, 'area')} in no {a.singular}." if uncovered else ".")]
    drawn_b = set(main_b.values())
    outlined = [names_b[u] for u in names_b if u in drawn_b]
    if outlined:
        parts.append(f"The boundaries of the {b.label} are drawn over them as dark lines: {_names(outlined)}.")
    if overlays:
        parts.append("Also drawn: " + ", ".join(first_upper(o.name) for o in overlays) + ".")
    return " ".join(parts)
