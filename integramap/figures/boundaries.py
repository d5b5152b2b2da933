"""Figures for the Boundaries page: where two layers' boundaries cut each other.

Pure functions from a :class:`~integramap.analysis.boundary_results.BoundaryReport`
(and, for the map, the site and its area shapes) to plotly figures, so the
numbers behind every picture are tested without a browser:

- :func:`overlap_heatmap`: units of layer A down the side, units of B across,
  each cell the share of the A unit's people who are in the B unit;
- :func:`flow_sankey`: the people of each A unit flowing to the B units,
  straddling flows in orange;
- :func:`footprint_map`: layer A's footprints coloured by unit with layer B's
  boundaries drawn over them, on a plain background: plotly's ``geo`` with
  ``fitbounds`` and no base map, so nothing is fetched from the internet
  (``assets/plotly-geo-offline.js`` gives plotly an empty world so that it
  asks for none).

Large layers are capped: the least aligned units (the top straddlers) are
drawn, and the figure says how many were left out. Names are escaped:
plotly reads a little HTML in labels and hover text.
"""

from __future__ import annotations

import html
import math
import textwrap
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import plotly.graph_objects as go

from integramap.analysis.boundary_results import BoundaryReport, Overlap
from integramap.analysis.footprints import footprints
from integramap.analysis.layers import Layer
from integramap.io.geometry import Geometry, feature_collection, outline
from integramap.model import Site
from integramap.wording import first_upper

__all__ = [
    "MAX_COLUMNS", "MAX_MAP_AREAS", "MAX_ROWS", "OVERLAY", "Overlay", "counted", "first_upper", "flow_sankey",
    "footprint_map", "main_units", "nothing_shared", "overlap_heatmap", "shown_units",
]

MAX_ROWS = 40
"""Units of layer A drawn in the heatmap and the Sankey; above this, the least aligned are kept."""
MAX_COLUMNS = 25
"""Units of layer B drawn in the heatmap and the Sankey; above this, those sharing most are kept."""
MAX_MAP_AREAS = 6000
"""Areas drawn on the map at most: a figure of more is too heavy for a browser to move smoothly."""

ROW_LABEL_WIDTH = 30
"""Characters per line of a heatmap row's name; longer names wrap."""
OVERLAY = "overlay"
"""The ``meta`` of the map's overlay traces, so a page can show or hide them all."""
SELECTED_AREAS = "selected areas"
"""The name of the map's trace outlining the areas a finding is about."""
FONT = "Helvetica, Arial, sans-serif"
HIGHLIGHT = "#d62728"
STRADDLE = "#e8772e"
CALM = "#7f9cbf"
OUTLINE = "#243b53"
NOT_COVERED = "#e4e7eb"
PALETTE = ["#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#edc948", "#76b7b2", "#e15759", "#9c755f",
           "#ff9da7", "#8cd17d", "#499894", "#d4a6c8", "#86bcb6", "#f1ce63", "#a0cbe8", "#bab0ac"]
"""Fill colours of layer A's units on the map (Tableau 20, without the greys), repeated as needed."""


def _wrap(text: str, width: int) -> list[str]:
    """Text broken into lines of about ``width`` characters at spaces (``0``: one line)."""
    if width <= 0 or len(text) <= width:
        return [text]
    return textwrap.wrap(text, width, break_long_words=False) or [text]


def _esc(text: str) -> str:
    return html.escape(text, quote=False)


def _pct(share: float) -> str:
    return f"{share * 100:.0f}%"


@dataclass(frozen=True)
class Shown:
    """Which units a capped figure draws, in drawing order, and what it left out."""

    rows: list[str]
    columns: list[str]
    names: dict[str, str]
    rows_total: int
    columns_total: int
    label_a: str = "units"
    label_b: str = "units"

    @property
    def note(self) -> str:
        """What was left out, in words for the figure; empty when nothing was."""
        if len(self.rows) == self.rows_total and len(self.columns) == self.columns_total:
            return ""
        if len(self.rows) < self.rows_total:
            text = (f"Showing the {len(self.rows)} least aligned of {self.rows_total:,} {self.label_a} "
                    f"and the {len(self.columns)} {self.label_b} they overlap")
        else:
            text = f"Showing the {len(self.columns)} of {self.columns_total:,} {self.label_b} sharing most"
        partial = len(self.rows) < self.rows_total and len(self.columns) < self.columns_total
        return text + (f" ({self.columns_total:,} {self.label_b} in all)." if partial else ".")


def shown_units(report: BoundaryReport, highlight: Collection[str] = (), max_rows: int = MAX_ROWS,
                max_columns: int = MAX_COLUMNS) -> Shown:
    """The units of each layer a figure draws, ordered so that nesting boundaries form blocks.

    Columns (layer B) go largest shared population first; rows (layer A) by
    the column they mostly lie in, so a straddler stands out as a row with
    two coloured cells. Above ``max_rows`` the least aligned units are kept
    (straddlers first), above ``max_columns`` the B units they share most
    with; highlighted units are always kept.

    Examples
    --------
    >>> from integramap.model import Site, Unit, Area
    >>> from integramap.analysis.boundaries import analyse
    >>> site = Site(id="s", name="S", areas=[Area(id=f"a{i}", population=10) for i in range(4)],
    ...     units=[Unit(id=f"p{i}", name=f"PCN {i}", kind="pcn", footprint={f"a{i}": 1}) for i in range(3)]
    ...     + [Unit(id="p3", name="PCN 3", kind="pcn", footprint={"a2": 1, "a3": 1}),
    ...        Unit(id="n", name="North", kind="lcn", footprint={"a0": 1, "a1": 1, "a2": 1}),
    ...        Unit(id="s", name="South", kind="lcn", footprint={"a3": 1})])
    >>> shown = shown_units(analyse(site, "pcn", "lcn"))
    >>> shown.rows, shown.columns, shown.note
    (['p0', 'p1', 'p2', 'p3'], ['n', 's'], '')
    >>> small = shown_units(analyse(site, "pcn", "lcn"), max_rows=2)
    >>> small.rows, small.note
    (['p3'], 'Showing the 1 least aligned of 4 PCNs and the 2 LCNs they overlap.')
    """
    by_a: dict[str, list[Overlap]] = {}
    names: dict[str, str] = {}
    column_total: dict[str, float] = {}
    for o in report.overlaps:
        by_a.setdefault(o.a, []).append(o)
        names[o.a], names[o.b] = o.a_name, o.b_name
        column_total[o.b] = column_total.get(o.b, 0.0) + o.population
    rows_all = list(by_a)
    alignment = {a: max(o.share_of_a for o in entries) / max(sum(o.share_of_a for o in entries), 1e-12)
                 for a, entries in by_a.items()}
    ranked = sorted(rows_all, key=lambda a: (a not in highlight, alignment[a],
                                             -sum(o.population for o in by_a[a]), a))
    # Rows are taken in turn with every unit they overlap, while both caps allow, so that no row drawn
    # lacks a cell; a unit's minor overlaps are dropped only when it alone needs more columns than fit.
    if len(rows_all) > max_rows and any(len(by_a[a]) > 1 for a in rows_all):
        # Too many to draw: the straddlers (and anything highlighted) are what the figure is for.
        ranked = [a for a in ranked if len(by_a[a]) > 1 or a in highlight]
    rows: list[str] = []
    taken: set[str] = set()
    for a in ranked:
        if len(rows) >= max_rows:
            break
        partners = sorted(by_a[a], key=lambda o: -o.population)
        needed = [o.b for o in partners if o.b not in taken]
        if len(taken) + len(needed) <= max_columns:
            taken.update(needed)
            rows.append(a)
        elif a in highlight or not rows:
            taken.update(needed[:max(1, max_columns - len(taken))])
            rows.append(a)
    shared: dict[str, float] = {}
    for a in rows:
        for o in by_a[a]:
            if o.b in taken:
                shared[o.b] = shared.get(o.b, 0.0) + o.population
    columns = sorted(shared, key=lambda b: (-shared[b], names[b], b))
    position = {b: i for i, b in enumerate(columns)}

    def order(a: str) -> tuple[int, float, str, str]:
        inside = [o for o in by_a[a] if o.b in position]
        if not inside:
            return len(columns), 0.0, names[a], a
        main = max(inside, key=lambda o: (o.population, o.b))
        return position[main.b], -main.share_of_a, names[a], a
    rows = sorted(rows, key=order)
    return Shown(rows=rows, columns=columns, names=names, rows_total=len(rows_all),
                 columns_total=len(column_total), label_a=report.label_a, label_b=report.label_b)


def _empty(message: str, height: int = 260) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(text=_esc(message), x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False,
                       font={"size": 14, "color": "#52606d"})
    fig.update_layout(height=height, xaxis={"visible": False}, yaxis={"visible": False},
                      plot_bgcolor="#ffffff", paper_bgcolor="#ffffff", font={"family": FONT},
                      margin={"l": 10, "r": 10, "t": 10, "b": 10})
    return fig


def _note(fig: go.Figure, text: str, below: bool = False) -> None:
    if text:
        fig.add_annotation(text="<br>".join(_esc(line) for line in _wrap(text, 80)), x=0, align="left", y=0.0 if below else 1.0, xref="paper", yref="paper",
                           yshift=-10 if below else 8, xanchor="left", yanchor="top" if below else "bottom",
                           showarrow=False, font={"size": 12, "color": "#8a4b00"})


def counted(report: BoundaryReport) -> str:
    """What the report's shares count: "people", or "areas" where no area has a population."""
    return "people" if report.population_known else "areas"


def nothing_shared(report: BoundaryReport) -> str:
    """What a figure of two layers that never meet says instead."""
    return f"The {report.label_a} and the {report.label_b} share no {counted(report)}."


def overlap_heatmap(report: BoundaryReport, highlight: Collection[str] = (), *, max_rows: int = MAX_ROWS,
                    max_columns: int = MAX_COLUMNS) -> go.Figure:
    """Each A unit's people split over the B units, as a heatmap of shares (0–100%).

    Names on the axes; hover gives the people shared and the share of each
    unit. Highlighted units are outlined in red.

    Examples
    --------
    >>> from integramap.model import Site, Unit, Area
    >>> from integramap.analysis.boundaries import analyse
    >>> site = Site(id="s", name="S", areas=[Area(id="x", population=60), Area(id="y", population=40)],
    ...     units=[Unit(id="p", name="PCN", kind="pcn", footprint={"x": 1, "y": 1}),
    ...            Unit(id="n", name="North", kind="lcn", footprint={"x": 1}),
    ...            Unit(id="s", name="South", kind="lcn", footprint={"y": 1})])
    >>> fig = overlap_heatmap(analyse(site, "pcn", "lcn"))
    >>> [list(r) for r in fig.data[0].z], list(fig.layout.xaxis.ticktext), list(fig.layout.yaxis.ticktext)
    ([[0.6, 0.4]], ['North', 'South'], ['PCN'])
    """
    if not report.overlaps:
        return _empty(nothing_shared(report))
    shown = shown_units(report, highlight, max_rows, max_columns)
    ri = {a: i for i, a in enumerate(shown.rows)}
    ci = {b: j for j, b in enumerate(shown.columns)}
    z = np.full((len(shown.rows), len(shown.columns)), np.nan)
    hover = np.full(z.shape, "", dtype=object)
    people = counted(report)
    for o in report.overlaps:
        if o.a in ri and o.b in ci:
            i, j = ri[o.a], ci[o.b]
            z[i, j] = o.share_of_a
            hover[i, j] = (f"<b>{_esc(o.a_name)}</b> in <b>{_esc(o.b_name)}</b><br>"
                           f"{o.population:,.0f} {people} shared<br>{_pct(o.share_of_a)} of "
                           f"{_esc(o.a_name)}, {_pct(o.share_of_b)} of {_esc(o.b_name)}")
    for i, a in enumerate(shown.rows):
        for j, b in enumerate(shown.columns):
            if not hover[i, j]:
                hover[i, j] = f"{_esc(shown.names[a])} and {_esc(shown.names[b])} share no {people}"
    label = len(shown.rows) <= 40 and len(shown.columns) <= 15
    text = [[_pct(v) if not math.isnan(v) else "" for v in row] for row in z.tolist()]
    fig = go.Figure(go.Heatmap(
        z=z.tolist(), x=list(range(len(shown.columns))), y=list(range(len(shown.rows))),
        colorscale="Blues", zmin=0, zmax=1, xgap=1, ygap=1, hoverongaps=False,
        customdata=hover.tolist(), hovertemplate="%{customdata}<extra></extra>",
        text=text if label else None, texttemplate="%{text}" if label else None,
        colorbar={"title": {"text": f"share of the row's {counted(report)}",
                            "side": "right"}, "tickformat": ".0%", "thickness": 10}))

    slanted = len(shown.columns) > 4

    def tick(uid: str, width: int = 0) -> str:
        name = "<br>".join(_esc(line) for line in _wrap(shown.names[uid], width))
        return f"<b style='color:{HIGHLIGHT}'>{name}</b>" if uid in highlight else name
    fig.update_xaxes(tickvals=list(range(len(shown.columns))),
                     ticktext=[tick(b, 0 if slanted else max(10, 50 // max(len(shown.columns), 1)))
                               for b in shown.columns],
                     side="top", tickangle=-35 if slanted else 0, showgrid=False,
                     title={"text": _esc(first_upper(report.label_b))})
    fig.update_yaxes(tickvals=list(range(len(shown.rows))),
                     ticktext=[tick(a, ROW_LABEL_WIDTH) for a in shown.rows],
                     autorange="reversed", showgrid=False, title={"text": _esc(first_upper(report.label_a))})
    shapes = []
    for a in shown.rows:
        if a in highlight:
            shapes.append({"type": "rect", "xref": "paper", "x0": 0, "x1": 1, "y0": ri[a] - 0.5,
                           "y1": ri[a] + 0.5, "line": {"color": HIGHLIGHT, "width": 3}})
    for b in shown.columns:
        if b in highlight:
            shapes.append({"type": "rect", "yref": "paper", "y0": 0, "y1": 1, "x0": ci[b] - 0.5,
                           "x1": ci[b] + 0.5, "line": {"color": HIGHLIGHT, "width": 2, "dash": "dot"}})
    longest_row = max((len(line) for a in shown.rows for line in _wrap(shown.names[a], ROW_LABEL_WIDTH)),
                      default=10)
    longest_col = max((len(shown.names[b]) for b in shown.columns), default=10)
    lines = max((len(_wrap(shown.names[b], max(10, 50 // max(len(shown.columns), 1)))) for b in shown.columns),
                default=1)
    top = 50 + (min(longest_col, 30) * 5 if slanted else 15 * lines)
    bottom = 20 + 16 * len(_wrap(shown.note, 80)) if shown.note else 20
    fig.update_layout(
        shapes=shapes, height=max(260, 26 * len(shown.rows) + top + bottom), font={"family": FONT, "size": 12},
        margin={"l": 10 + round(min(longest_row, ROW_LABEL_WIDTH) * 6.5), "r": 10, "t": top, "b": bottom},
        plot_bgcolor="#f5f7fa", paper_bgcolor="#ffffff")
    _note(fig, shown.note, below=True)
    return fig


def flow_sankey(report: BoundaryReport, highlight: Collection[str] = (), *, max_rows: int = MAX_ROWS,
                max_columns: int = MAX_COLUMNS) -> go.Figure:
    """People flowing from each A unit (left) to the B units it overlaps (right).

    Flows out of a straddling unit are orange, the rest a calm blue; with a
    highlight, flows touching the highlighted units are drawn strongly and
    the rest faded.

    Examples
    --------
    >>> from integramap.model import Site, Unit, Area
    >>> from integramap.analysis.boundaries import analyse
    >>> site = Site(id="s", name="S", areas=[Area(id="x", population=60), Area(id="y", population=40)],
    ...     units=[Unit(id="p", name="PCN", kind="pcn", footprint={"x": 1, "y": 1}),
    ...            Unit(id="n", name="North", kind="lcn", footprint={"x": 1}),
    ...            Unit(id="s", name="South", kind="lcn", footprint={"y": 1})])
    >>> link = flow_sankey(analyse(site, "pcn", "lcn")).data[0].link
    >>> list(link.source), list(link.target), list(link.value)
    ([0, 0], [1, 2], [60.0, 40.0])
    """
    if not report.overlaps:
        return _empty(nothing_shared(report))
    shown = shown_units(report, highlight, max_rows, max_columns)
    straddling = {s.unit for s in report.straddles}
    left = {a: i for i, a in enumerate(shown.rows)}
    right = {b: len(left) + j for j, b in enumerate(shown.columns)}
    labels = [_esc(shown.names[a]) for a in shown.rows] + [_esc(shown.names[b]) for b in shown.columns]
    node_colours = [STRADDLE if a in straddling else "#1d3557" for a in shown.rows] + ["#52606d"] * len(right)
    if highlight:
        node_colours = [HIGHLIGHT if uid in highlight else c
                        for uid, c in zip([*shown.rows, *shown.columns], node_colours)]
    people = counted(report)
    source, target, value, colour, hover = [], [], [], [], []
    for o in report.overlaps:
        if o.a not in left or o.b not in right:
            continue
        source.append(left[o.a])
        target.append(right[o.b])
        value.append(o.population)
        base = STRADDLE if o.a in straddling else CALM
        alpha = 0.55
        if highlight:
            touched = o.a in highlight and (o.b in highlight or not (set(highlight) & set(right)))
            base, alpha = (HIGHLIGHT, 0.75) if touched else (base, 0.15)
        colour.append(_rgba(base, alpha))
        hover.append(f"{_esc(o.a_name)} → {_esc(o.b_name)}<br>{o.population:,.0f} {people} "
                     f"({_pct(o.share_of_a)} of {_esc(o.a_name)})")
    fig = go.Figure(go.Sankey(
        arrangement="snap",
        node={"label": labels, "color": node_colours, "pad": 8, "thickness": 14,
              "line": {"color": "#ffffff", "width": 0.5},
              "hovertemplate": "%{label}: %{value:,.0f} " + people + "<extra></extra>"},
        link={"source": source, "target": target, "value": value, "color": colour, "customdata": hover,
              "hovertemplate": "%{customdata}<extra></extra>"}))
    n = max(len(left), len(right))
    fig.update_layout(height=max(300, 22 * n + 80), font={"family": FONT, "size": 12},
                      margin={"l": 10, "r": 10, "t": 20 + 16 * len(_wrap(shown.note, 80)) if shown.note else 20,
                              "b": 10},
                      paper_bgcolor="#ffffff")
    _note(fig, shown.note)
    return fig


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


@dataclass(frozen=True)
class Overlay:
    """Extra boundaries drawn over the map (boroughs, wards): a name, polylines of (lon, lat) and labels.

    ``bold`` draws a solid line for the outer edges of larger areas; otherwise a thin dotted one.
    """

    name: str
    lines: list[list[tuple[float, float]]]
    labels: list[tuple[float, float, str]] = field(default_factory=list)
    bold: bool = False
    parts: dict[str, list[list[tuple[float, float]]]] = field(default_factory=dict)
    """The lines of each labelled shape, by label: a highlighted unit of that name is drawn along them."""


def _line_xy(lines: Sequence[Sequence[tuple[float, float]]]) -> tuple[list[float | None], list[float | None]]:
    lon: list[float | None] = []
    lat: list[float | None] = []
    for line in lines:
        lon.extend(float(p[0]) for p in line)
        lat.extend(float(p[1]) for p in line)
        lon.append(None)
        lat.append(None)
    return lon, lat


def main_units(site: Site, layer: str, areas: Collection[str]) -> tuple[dict[str, str], dict[str, str]]:
    """Each area's main unit in the layer (the largest weight) and the units' names."""
    fp = footprints(site)
    units = Layer.parse(layer).units(site)
    if not units:
        return {}, {}
    rows = fp.rows([u.id for u in units]).tocsc()
    best: dict[str, str] = {}
    wanted = set(areas)
    for j, area in enumerate(fp.area_ids):
        if area not in wanted:
            continue
        lo, hi = rows.indptr[j], rows.indptr[j + 1]
        if hi > lo:
            k = int(np.argmax(rows.data[lo:hi]))
            best[area] = units[int(rows.indices[lo + k])].id
    return best, {u.id: u.name for u in units}


def footprint_map(site: Site, shapes: Mapping[str, Geometry], layer_a: str, layer_b: str,
                  highlight: Collection[str] = (), *, highlight_areas: Collection[str] = (),
                  overlays: Sequence[Overlay] = (), show_overlays: bool = True) -> go.Figure:
    """Layer A's footprints coloured by unit, with layer B's boundaries drawn over them.

    Each area takes the colour of the A unit that covers most of it (grey
    where none does); B's units are outlined in dark lines and named at their
    middle. Highlighted A units keep their colour while the others fade;
    highlighted B units and areas are outlined in red. Overlays are thin
    lines, one legend entry each, that a click on the legend hides.

    Examples
    --------
    >>> from integramap.model import Site, Unit, Area
    >>> sq = lambda x: {"type": "Polygon", "coordinates": [[[x, 0], [x + 1, 0], [x + 1, 1], [x, 1], [x, 0]]]}
    >>> site = Site(id="s", name="S", areas=[Area(id="a"), Area(id="b")],
    ...     units=[Unit(id="p", name="PCN", kind="pcn", footprint={"a": 1, "b": 1}),
    ...            Unit(id="l", name="LCN", kind="lcn", footprint={"a": 1})])
    >>> fig = footprint_map(site, {"a": sq(0), "b": sq(1)}, "pcn", "lcn")
    >>> [(t.type, t.name) for t in fig.data]
    [('choropleth', 'PCN'), ('scattergeo', 'LCN'), ('scattergeo', 'LCNs (names)'), ('scattergeo', 'selected areas')]
    >>> fig.layout.geo.fitbounds, fig.layout.geo.visible
    ('locations', False)
    """
    if not shapes:
        return _empty("No area of this site has a shape to draw.")
    if len(shapes) > MAX_MAP_AREAS:
        return _empty(f"This site has {len(shapes):,} areas with shapes: the map is drawn for up to "
                      f"{MAX_MAP_AREAS:,}.")
    area_names = {a.id: a.name or a.id for a in site.areas}
    main_a, names_a = main_units(site, layer_a, shapes)
    main_b, names_b = main_units(site, layer_b, shapes)
    label_a, label_b = Layer.parse(layer_a), Layer.parse(layer_b)
    fig = go.Figure()
    groups: dict[str, list[str]] = {}
    for area in shapes:
        groups.setdefault(main_a.get(area, ""), []).append(area)
    order = [u for u in names_a if u in groups] + ([""] if "" in groups else [])
    focus_a = set(highlight) & set(names_a)
    many = len(order) > 20
    for n, uid in enumerate(order):
        areas = groups[uid]
        colour = PALETTE[n % len(PALETTE)] if uid else NOT_COVERED
        name = names_a[uid] if uid else f"not in any {label_a.singular}"
        faded = bool(focus_a) and uid not in focus_a
        fig.add_trace(go.Choropleth(
            geojson=feature_collection({a: shapes[a] for a in areas}), locations=areas,
            z=[1] * len(areas), colorscale=[[0, colour], [1, colour]], showscale=False,
            marker={"line": {"color": "#ffffff", "width": 0.4}, "opacity": 0.25 if faded else 0.85},
            name=_esc(name), showlegend=not many or uid in focus_a,
            customdata=[_esc(area_names.get(a, a)) for a in areas],
            hovertemplate=f"<b>{_esc(name)}</b><br>%{{customdata}}<extra></extra>"))
    outlines: dict[str, list[str]] = {}
    for area, uid in main_b.items():
        outlines.setdefault(uid, []).append(area)
    # An overlay that already draws B's units (the demo's boroughs, labelled by name) draws their real
    # edges; outlines of the areas would only ring each area there, so they are drawn when highlighted.
    labelled = {label.casefold(): lines for o in overlays for label, lines in o.parts.items()}
    drawn_by_overlay = bool(labelled) and all(n.casefold() in labelled for n in names_b.values())
    label_points: tuple[list[float], list[float], list[str]] = ([], [], [])
    for uid in [u for u in names_b if u in outlines]:
        hot = uid in highlight
        # Drawn empty rather than left out, so that a highlight never changes how many traces there are.
        if drawn_by_overlay:
            lon, lat = _line_xy(labelled[names_b[uid].casefold()] if hot else [])
        else:
            lon, lat = _line_xy(outline([shapes[a] for a in outlines[uid]]))
        fig.add_trace(go.Scattergeo(
            lon=lon, lat=lat, mode="lines", name=_esc(names_b[uid]), showlegend=False,
            line={"color": HIGHLIGHT if hot else OUTLINE, "width": 4 if hot else 2},
            hoverinfo="text", text=_esc(names_b[uid])))
        xs = [x for x in lon if x is not None]
        ys = [y for y in lat if y is not None]
        if xs:
            label_points[0].append((min(xs) + max(xs)) / 2)
            label_points[1].append((min(ys) + max(ys)) / 2)
            label_points[2].append(_esc(names_b[uid]))
    if label_points[0] and len(label_points[0]) <= 30 and not drawn_by_overlay:
        fig.add_trace(go.Scattergeo(
            lon=label_points[0], lat=label_points[1], text=label_points[2], mode="text",
            name=_esc(f"{label_b.label} (names)"), showlegend=False, hoverinfo="skip",
            textfont={"size": 12, "color": OUTLINE, "family": FONT}))
    # Always drawn, empty when nothing is selected, so that a highlight changes traces, never their number.
    marked = set(highlight_areas) | {a for a, u in main_a.items() if u in focus_a}
    lon, lat = _line_xy(outline([shapes[a] for a in sorted(marked) if a in shapes]))
    fig.add_trace(go.Scattergeo(lon=lon, lat=lat, mode="lines", name=SELECTED_AREAS, showlegend=False,
                                line={"color": HIGHLIGHT, "width": 3}, hoverinfo="skip"))
    visible: Any = True if show_overlays else "legendonly"
    for n, overlay in enumerate(overlays):
        lon, lat = _line_xy(overlay.lines)
        group = f"overlay-{n}"
        fig.add_trace(go.Scattergeo(
            lon=lon, lat=lat, mode="lines", name=_esc(overlay.name), hoverinfo="skip", visible=visible,
            legendgroup=group, meta=OVERLAY,
            line={"color": "#3e4c59", "width": 1.6} if overlay.bold
            else {"color": "#7b8794", "width": 0.7, "dash": "dot"}))
        if overlay.labels:
            fig.add_trace(go.Scattergeo(
                lon=[x for x, _, _ in overlay.labels], lat=[y for _, y, _ in overlay.labels],
                text=[_esc(t) for _, _, t in overlay.labels], mode="text", name=_esc(overlay.name),
                showlegend=False, hoverinfo="skip", visible=visible, legendgroup=group, meta=OVERLAY,
                textfont={"size": 13, "color": "#3e4c59", "family": FONT}))
    fig.update_geos(fitbounds="locations", visible=False, projection={"type": "mercator"},
                    scope="world", resolution=110, bgcolor="#ffffff")
    fig.update_layout(
        height=620, margin={"l": 0, "r": 0, "t": 10, "b": 0}, font={"family": FONT, "size": 12},
        paper_bgcolor="#ffffff",
        legend={"title": {"text": _esc(f"{first_upper(label_a.label)} (fill), {label_b.label} (dark lines)")},
                "itemclick": "toggle", "bgcolor": "rgba(255,255,255,0.85)", "x": 0, "y": 1,
                "yanchor": "top"})
    return fig


def figure_config() -> Any:
    """``dcc.Graph`` config for these figures: no plotly logo, a PNG button for board papers."""
    return {"displaylogo": False, "modeBarButtonsToRemove": ["select2d", "lasso2d"],
            "toImageButtonOptions": {"format": "png", "scale": 2}}
