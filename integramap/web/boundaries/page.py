"""The Boundaries page: where two layers' boundaries cut each other, at a glance.

Choose two layers (PCNs and LCNs, say). The page answers first in one line
("3 of 4 PCNs lie within one LCN; Riverbend PCN straddles …"), then shows
the overlap heatmap, the people flowing from one layer's units to the
other's, the findings one per row (a click highlights their units in the
figures and offers the unit on the Map page), a CSV of the findings and,
where areas have shapes, a map of both layers' footprints.

``/boundaries?site=ID[&a=LAYER&b=LAYER]``. A large site (national data) is
analysed in the background with a progress bar.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from dash import ALL, Dash, Input, Output, Patch, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate
from pydantic import AfterValidator, Field
from typing_extensions import TypedDict

from integramap.analysis.boundary_results import BoundaryReport
from integramap.analysis.layers import Layer
from integramap.store import StoreError
from integramap.wording import first_upper, plural
from integramap.web.boundaries.data import RESULTS, Result, collect, compute, compute_in_background, site_units
from integramap.web.boundaries.findings import Finding, findings_csv, verdict
from integramap.web.boundaries.demo_offer import demo_offer, register_demo_callbacks
from integramap.figures.boundaries import (
    OVERLAY,
    figure_config,
    flow_sankey,
    footprint_map,
    overlap_heatmap,
)
from integramap.figures.boundary_words import flow_sankey_words, footprint_map_words, overlap_heatmap_words
from integramap.web.common.figure import figure_with_words
from integramap.web.common.jobs import Step, default_runner, follow_job, progress_bar
from integramap.web.common.pagespec import PageSpec
from integramap.web.common.inputs import (MAX_ITEMS, CallbackInputs, Clicks, Id, Ids, Json, ManyClicks, Number,
                                          Request, bounded_json, typed_callback)
from integramap.web.common.services import Services
from integramap.web.typology.page import CARD, HINT_STYLE, PAGE_STYLE, error_box, problem_text, send_text

REQUEST = "boundaries-request"
"""``{"site", "a", "b"}`` from the address."""
LAYER_A = "boundaries-layer-a"
LAYER_B = "boundaries-layer-b"
SWAP = "boundaries-swap"
TITLE = "boundaries-title"
MESSAGE = "boundaries-message"
PROGRESS = "boundaries-progress"
JOB = "boundaries-job"
POLL = "boundaries-poll"
READY = "boundaries-ready"
CURRENT = "boundaries-current"
"""What is shown: ``{"site", "revision", "a", "b"}``; the key of the cached result."""
BODY = "boundaries-body"
VERDICT = "boundaries-verdict"
COUNTS = "boundaries-counts"
HEATMAP = "boundaries-heatmap"
HEATMAP_WORDS = "boundaries-heatmap-words"
SANKEY = "boundaries-sankey"
SANKEY_WORDS = "boundaries-sankey-words"
MAP_BOX = "boundaries-map-box"
MAP = "boundaries-map"
MAP_WORDS = "boundaries-map-words"
MAP_NOTE = "boundaries-map-note"
OVERLAYS = "boundaries-overlays"
TABLE = "boundaries-table"
ROW = "boundaries-row"
SELECTED = "boundaries-selected"
SELECTION = "boundaries-selection"
DOWNLOAD_CSV = "boundaries-download-csv"
DOWNLOAD = "boundaries-download"
DEMO_BOX = "boundaries-demo-box"

BACKGROUND_UNITS = 3000
"""Sites with more units than this are opened and analysed in the background, with progress."""
MAX_TABLE_ROWS = 200
"""Findings listed on the page at most; the CSV has them all."""
def counts_line(report: BoundaryReport) -> list[Any]:
    """Coterminosity and how many of each kind of mismatch, as small labelled figures."""
    c = report.counts
    figures = report.coterminosity

    def pct(value: float | None) -> str:
        return "n/a" if value is None else f"{value * 100:.0f}%"
    counts = [(c.straddles, "straddle", None), (c.gaps, "gap", None), (c.double_cover, "area", "areas"),
              (c.nesting_violations, "nesting violation", None),
              (c.unmanaged_interfaces, "unmanaged interface", None)]
    chips: list[tuple[str, str]] = [(pct(figures.people), " coterminous by people"),
                                    (pct(figures.units), " coterminous by units")]
    for value, one, many in counts:
        number, _, words = plural(value, one, many).partition(" ")
        chips.append((number, f" {words}" + (" covered twice" if one == "area" else "")))
    if c.no_footprint:
        number, _, words = plural(c.no_footprint, "unit").partition(" ")
        chips.append((number, f" {words} not checked"))
    return [html.Span([html.Strong(number), words], className="count-chip") for number, words in chips] + [
        html.P(coterminosity_definition(report), className="count-definition")]


def coterminosity_definition(report: BoundaryReport) -> str:
    """What the two coterminosity figures mean, in this report's own layer names."""
    lb = Layer.parse(report.layer_b)
    return (f"Coterminous by people: of the people in each {Layer.parse(report.layer_a).singular}, the share who are in its main "
            f"{lb.singular}. Coterminous by units: the share of {report.label_a} lying wholly within one "
            f"{lb.singular}.")


def findings_table(rows: list[Finding], selected: int | None = None) -> list[Any]:
    """The findings, one row each, clickable; the first :data:`MAX_TABLE_ROWS` of them."""
    if not rows:
        return [html.P("No mismatches: the two layers' boundaries line up.", className="hint")]
    shown = rows[:MAX_TABLE_ROWS]
    body = [html.Tr([html.Td(f.label, className=f"kind kind-{f.kind}"), html.Td(", ".join(f.names)),
                     html.Td(f.detail)],
                    id={"type": ROW, "index": i}, n_clicks=0, title="Click to highlight on this page",
                    className=_row_class(i, selected)) for i, f in enumerate(shown)]
    out: list[Any] = [html.Table([html.Thead(html.Tr([html.Th("Kind"), html.Th("Units"), html.Th("Detail")])),
                                  html.Tbody(body)], className="table findings")]
    if len(rows) > len(shown):
        out.append(html.P(f"… and {len(rows) - len(shown):,} more findings in the CSV.", className="hint"))
    return out


def _row_class(i: int, selected: int | None) -> str:
    return "finding-row selected" if i == selected else "finding-row"


def selection_banner(result: Result, index: int | None) -> list[Any]:
    """What the selected row highlights, and a link to the unit on the Map page."""
    if index is None or not 0 <= index < len(result.rows):
        return [html.Span("Click a finding to highlight its units in the figures.", style=HINT_STYLE)]
    f = result.rows[index]
    parts: list[Any] = [html.Strong(f"{f.label}: "), ", ".join(f.names), " "]
    if f.focus:
        href = f"/map?{urlencode({'site': result.site.id, 'focus': f.focus})}"
        parts.append(dcc.Link("show on map", href=href, className="show-on-map"))
    return parts


def _figures(result: Result, highlight: set[str], areas: set[str],
             show_overlays: bool = True) -> tuple[Any, Any, Any]:
    assert result.report is not None and result.a is not None and result.b is not None
    geo = result.shapes.geometries
    map_figure: Any = (footprint_map(result.site, geo, result.a, result.b, highlight, highlight_areas=areas,
                                     overlays=result.overlays, show_overlays=show_overlays) if geo else {})
    return overlap_heatmap(result.report, highlight), flow_sankey(result.report, highlight), map_figure


def _highlight_of(result: Result, index: int | None) -> tuple[set[str], set[str]]:
    if index is None or not 0 <= index < len(result.rows):
        return set(), set()
    f = result.rows[index]
    return set(f.unit_ids), set(f.areas)


def _map_note(result: Result) -> str:
    s = result.shapes
    note = f"{len(s.geometries):,} areas drawn from their shapes."
    if s.problems:
        note += " Some shapes could not be read: " + "; ".join(s.problems[:3])
    return note


def demo_box() -> html.Section:
    """Offers the south-east London demo where the site has no shapes to draw."""
    return html.Section([html.H3("See it on a map"), demo_offer(
        "boundaries", "This site's areas have no shapes, so there is no map to draw. The south-east London "
        "demo is a real case: every GP practice of the ICB in its PCN, over the six boroughs, drawn on the "
        "ONS boundaries. It is built on this computer from public NHS and ONS files that you keep.")],
        id=DEMO_BOX, style={**CARD, "display": "none"})


def layout(site: str | None = None, a: str | None = None, b: str | None = None, **_query: Any) -> html.Div:
    """The page for ``/boundaries?site=ID[&a=LAYER&b=LAYER]``."""
    return html.Div([
        dcc.Store(id=REQUEST, data={"site": site, "a": a, "b": b}),
        dcc.Store(id=JOB),
        dcc.Store(id=READY),
        dcc.Store(id=CURRENT),
        dcc.Store(id=SELECTED),
        dcc.Interval(id=POLL, interval=500, disabled=True),
        html.H2("Boundaries", id=TITLE, className="site-title"),
        html.Section([
            html.Div([
                html.Div([html.Label("Compare these units…", htmlFor=LAYER_A),
                          dcc.Dropdown(id=LAYER_A, clearable=False, placeholder="Choose a layer…")],
                         style={"flex": "1"}),
                html.Button("⇄", id=SWAP, className="button", title="Swap the two layers",
                            style={"alignSelf": "flex-end", "height": "36px"}),
                html.Div([html.Label("…with the boundaries of these", htmlFor=LAYER_B),
                          dcc.Dropdown(id=LAYER_B, clearable=False, placeholder="Choose a layer…")],
                         style={"flex": "1"}),
            ], style={"display": "flex", "gap": "12px"}),
        ], style=CARD),
        html.Div(id=MESSAGE),
        html.Div(id=PROGRESS),
        dcc.Loading(html.Div(id=BODY, style={"display": "none"}, children=[
            html.Section([
                html.P(id=VERDICT, className="verdict",
                       style={"fontSize": "1.25rem", "fontWeight": "600", "margin": "2px 0 8px",
                              "color": "#1d3557"}),
                html.Div(id=COUNTS, className="counts"),
            ], style=CARD),
            html.Div([
                html.Section([html.H3("Who lies where"),
                              html.P("Each row is one unit; each cell the share of its people in a unit "
                                     "of the other layer. A row with two coloured cells straddles.",
                                     style=HINT_STYLE),
                              figure_with_words(dcc.Graph(id=HEATMAP, config=figure_config()), HEATMAP_WORDS,
                                                "Heatmap of who lies where")], style=CARD),
                html.Section([html.H3("Where the people go"),
                              html.P("The people of each unit on the left, flowing to the units on the right "
                                     "they live in; orange flows leave a straddling unit.", style=HINT_STYLE),
                              figure_with_words(dcc.Graph(id=SANKEY, config=figure_config()), SANKEY_WORDS,
                                                "Flow diagram of where the people go")], style=CARD),
            ], style={"display": "grid", "gridTemplateColumns": "repeat(auto-fit, minmax(440px, 1fr))",
                      "gap": "16px", "alignItems": "start"}),
            html.Section([
                html.H3("Findings"),
                html.Div(id=SELECTION, className="selection", style={"margin": "4px 0 8px"}),
                html.Div(id=TABLE),
                html.Div([html.Button("Download the findings (CSV)", id=DOWNLOAD_CSV, className="button")],
                         className="buttons"),
                dcc.Download(id=DOWNLOAD),
            ], style=CARD),
            html.Section([
                html.H3("On the map"),
                html.Div([
                    html.P(id=MAP_NOTE, style={**HINT_STYLE, "margin": "0", "flex": "1"}),
                    dcc.Checklist(id=OVERLAYS, options=[{"label": " Show the extra boundaries in the legend",
                                                          "value": "on"}], value=["on"], inline=True),
                ], style={"display": "flex", "gap": "12px", "alignItems": "center"}),
                figure_with_words(dcc.Graph(id=MAP, config=figure_config()), MAP_WORDS,
                                  "Map of both layers' footprints"),
            ], id=MAP_BOX, style={**CARD, "display": "none"}),
        ]), type="circle"),
        demo_box(),
    ], className="boundaries-page", style=PAGE_STYLE)


PAGE = PageSpec(path="/boundaries", name="Boundaries", order=2, layout=layout)


def render(result: Result, selected: int | None = None) -> tuple[Any, ...]:
    """Every output of the page for a result: title, layers, body, figures, table."""
    options = [{"label": f"{first_upper(o.label)} ({o.units:,})", "value": o.spec} for o in result.options]
    current = {"site": result.site.id, "revision": result.revision, "a": result.a, "b": result.b}
    title = f"{result.site.name} — boundaries"
    if result.report is None:
        message = html.P("This site has fewer than two kinds of unit to compare: add PCNs, LCNs or "
                         "organisations with footprints on the Map page.", className="hint")
        return (title, options, result.a, options, result.b, message, {"display": "none"}, "", [],
                no_update, no_update, {"display": "none"}, no_update, "", [], [], current, "", "", "",
                _demo_style(result))
    highlight, areas = _highlight_of(result, selected)
    heat, sankey, geo = _figures(result, highlight, areas)
    map_style = {**CARD, "display": "block" if result.shapes.geometries else "none"}
    return (title, options, result.a, options, result.b, "", {"display": "block"}, verdict(result.report),
            counts_line(result.report), heat, sankey, map_style, geo,
            _map_note(result) if result.shapes.geometries else "", findings_table(result.rows, selected),
            selection_banner(result, selected), current, *_figure_words(result, highlight), _demo_style(result))


def _figure_words(result: Result, highlight: set[str]) -> tuple[str, str, str]:
    """The words beside the heatmap, the flows and the map, from what each is drawn from."""
    assert result.report is not None and result.a is not None and result.b is not None
    geo = result.shapes.geometries
    return (overlap_heatmap_words(result.report, highlight), flow_sankey_words(result.report, highlight),
            footprint_map_words(result.site, geo, result.a, result.b, result.overlays) if geo else "")


def _demo_style(result: Result) -> dict[str, Any]:
    return {**CARD, "display": "none" if result.shapes.geometries else "block"}


RENDER_OUTPUTS = [
    (TITLE, "children"), (LAYER_A, "options"), (LAYER_A, "value"), (LAYER_B, "options"), (LAYER_B, "value"),
    (MESSAGE, "children"), (BODY, "style"), (VERDICT, "children"), (COUNTS, "children"), (HEATMAP, "figure"),
    (SANKEY, "figure"), (MAP_BOX, "style"), (MAP, "figure"), (MAP_NOTE, "children"), (TABLE, "children"),
    (SELECTION, "children"), (CURRENT, "data"), (HEATMAP_WORDS, "children"), (SANKEY_WORDS, "children"),
    (MAP_WORDS, "children"), (DEMO_BOX, "style"),
]
"""What :func:`render` fills, in its order; the demo's box stays last (the callbacks slice up to it)."""


class _Analysed(TypedDict):
    """What the page drew last (the ``CURRENT`` store)."""

    site: Id
    revision: Annotated[int, Field(ge=0)]
    a: Id
    b: Id


Current = Annotated[_Analysed | None, AfterValidator(bounded_json)]


class _RowId(TypedDict):
    index: Annotated[int, Field(ge=0)]


class _Run(CallbackInputs):
    request: Request
    a: Id
    b: Id
    ready: Json
    selected: Number


class _Poll(CallbackInputs):
    n: Clicks
    job: Id


class _Swap(CallbackInputs):
    clicks: Clicks
    a: Id
    b: Id


class _Select(CallbackInputs):
    clicks: ManyClicks
    selected: Number


class _Highlight(CallbackInputs):
    selected: Number
    current: Current
    overlays: Ids
    row_ids: Annotated[list[_RowId], Field(max_length=MAX_ITEMS)]


class _Overlays(CallbackInputs):
    value: Ids
    current: Current
    selected: Number


class _Download(CallbackInputs):
    clicks: Clicks
    current: Current


def _cached(services: Services, current: dict[str, Any] | None) -> Result | None:
    if not current or not current.get("site"):
        return None
    return RESULTS.get(services, current["site"], int(current["revision"]), current.get("a"), current.get("b"))


def register_callbacks(app: Dash, services: Services) -> None:
    register_demo_callbacks(app, services, "boundaries")
    outputs = [Output(i, p) for i, p in RENDER_OUTPUTS]
    blank = tuple(no_update for _ in RENDER_OUTPUTS)

    @app.callback(*outputs, Output(SELECTED, "data"), Output(JOB, "data"), Output(POLL, "disabled"),
                  Output(PROGRESS, "children"),
                  Input(REQUEST, "data"), Input(LAYER_A, "value"), Input(LAYER_B, "value"), Input(READY, "data"),
                  State(SELECTED, "data"))
    @typed_callback(_Run)
    def run(request: dict[str, Any] | None, a: str | None, b: str | None, _ready: Any,
            selected: int | None) -> tuple[Any, ...]:
        # A new analysis clears the selection; leaving an empty one alone spares a second drawing.
        unselect = None if selected is not None else no_update
        request = request or {}
        site_id = request.get("site")
        if not site_id:
            message = html.P("Choose a site in the picker above to see where its boundaries cut.",
                             className="hint")
            return ("Boundaries", *blank[1:5], message, {"display": "none"}, *blank[7:-1],
                    {**CARD, "display": "block"}, unselect, None, True, "")
        if ctx.triggered_id in (REQUEST, None):
            a, b = request.get("a"), request.get("b")
        try:
            latest = services.store.latest(site_id)
            cached = RESULTS.get(services, site_id, latest, a, b)
            if cached is None and ctx.triggered_id == READY and _ready:
                cached = collect(services, str(_ready), site_id, a, b)
            if cached is None and site_units(services, site_id) > BACKGROUND_UNITS:
                name = next((s.name for s in services.store.list_sites() if s.id == site_id), site_id)
                job = default_runner().start(services, compute_in_background, site_id=site_id, a=a, b=b,
                                             title=f"Analysing the boundaries of {name}")
                return (*blank, unselect, job, False, progress_bar(default_runner().status(job)))
            return (*render(cached or compute(services, site_id, a, b)), unselect, None, True, "")
        except Exception as err:  # noqa: BLE001  # shown on the page, never as a traceback
            return ("Boundaries", *blank[1:5], error_box(problem_text(err)), {"display": "none"}, *blank[7:],
                    unselect, None, True, "")

    @app.callback(Output(READY, "data"), Output(POLL, "disabled", allow_duplicate=True),
                  Output(PROGRESS, "children", allow_duplicate=True),
                  Output(MESSAGE, "children", allow_duplicate=True),
                  Input(POLL, "n_intervals"), State(JOB, "data"), prevent_initial_call=True)
    @typed_callback(_Poll)
    def poll(_n: int | None, job: str | None) -> tuple[Any, ...]:
        # The result is fetched as the page draws it (collect), which may be in another process.
        followed = follow_job(default_runner(), job, collect=False)
        if followed.step is Step.NONE:
            return no_update, True, "", no_update
        if followed.step is Step.RUNNING:
            return no_update, False, followed.bar, no_update
        if followed.step is Step.DONE:
            return job, True, "", ""
        return no_update, True, "", error_box(followed.message)

    @app.callback(Output(LAYER_A, "value", allow_duplicate=True), Output(LAYER_B, "value", allow_duplicate=True),
                  Input(SWAP, "n_clicks"), State(LAYER_A, "value"), State(LAYER_B, "value"),
                  prevent_initial_call=True)
    @typed_callback(_Swap)
    def swap(clicks: int | None, a: str | None, b: str | None) -> tuple[Any, Any]:
        if not clicks:
            raise PreventUpdate
        return b, a

    @app.callback(Output(SELECTED, "data", allow_duplicate=True), Input({"type": ROW, "index": ALL}, "n_clicks"),
                  State(SELECTED, "data"), prevent_initial_call=True)
    @typed_callback(_Select)
    def select(clicks: list[int | None], selected: int | None) -> Any:
        trigger = ctx.triggered_id
        if not isinstance(trigger, dict) or not ctx.triggered or not ctx.triggered[0].get("value"):
            raise PreventUpdate  # rows being drawn, not clicked
        try:
            index = int(trigger["index"])
        except (KeyError, TypeError, ValueError):  # an id no row of this page has
            raise PreventUpdate from None
        return None if index == selected else index

    @app.callback(Output(HEATMAP, "figure", allow_duplicate=True), Output(SANKEY, "figure", allow_duplicate=True),
                  Output(MAP, "figure", allow_duplicate=True),
                  Output({"type": ROW, "index": ALL}, "className"),
                  Output(SELECTION, "children", allow_duplicate=True),
                  Output(HEATMAP_WORDS, "children", allow_duplicate=True),
                  Output(SANKEY_WORDS, "children", allow_duplicate=True),
                  Input(SELECTED, "data"), State(CURRENT, "data"), State(OVERLAYS, "value"),
                  State({"type": ROW, "index": ALL}, "id"), prevent_initial_call=True)
    @typed_callback(_Highlight)
    def highlight(selected: int | None, current: dict[str, Any] | None, overlays: list[str] | None,
                  row_ids: list[dict[str, Any]]) -> tuple[Any, ...]:
        result = _cached(services, current)
        if result is None or result.report is None:
            raise PreventUpdate
        units, areas = _highlight_of(result, selected)
        heat, sankey, geo = _figures(result, units, areas, bool(overlays))
        classes = [_row_class(int(r["index"]), selected) for r in row_ids]
        # A chosen unit is always drawn, so on a capped figure the words follow what the figure shows.
        heat_words, sankey_words, _ = _figure_words(result, units)
        return (heat, sankey, _restyle(geo) if geo else no_update, classes, selection_banner(result, selected),
                heat_words, sankey_words)

    @app.callback(Output(MAP, "figure", allow_duplicate=True), Input(OVERLAYS, "value"),
                  State(CURRENT, "data"), State(SELECTED, "data"), prevent_initial_call=True)
    @typed_callback(_Overlays)
    def toggle_overlays(value: list[str] | None, current: dict[str, Any] | None, selected: int | None) -> Any:
        result = _cached(services, current)
        if result is None or not result.overlays or not result.shapes.geometries:
            raise PreventUpdate
        figure = _figures(result, *_highlight_of(result, selected))[2]
        patch = Patch()
        for i, trace in enumerate(figure.data):
            if trace.meta == OVERLAY:
                patch["data"][i]["visible"] = True if value else "legendonly"
        return patch

    @app.callback(Output(DOWNLOAD, "data"), Output(MESSAGE, "children", allow_duplicate=True),
                  Input(DOWNLOAD_CSV, "n_clicks"), State(CURRENT, "data"), prevent_initial_call=True)
    @typed_callback(_Download)
    def download(clicks: int | None, current: dict[str, Any] | None) -> tuple[Any, Any]:
        if not clicks or not current:
            raise PreventUpdate
        try:
            result = _cached(services, current) or compute(services, current["site"], current.get("a"),
                                                           current.get("b"))
        except (LookupError, ValueError, StoreError) as err:
            return no_update, error_box(problem_text(err))
        name = f"{result.site.id}-r{result.revision}-{result.a}-vs-{result.b}-boundaries.csv".replace(":", "_")
        return send_text(findings_csv(result.rows), name, "text/csv"), no_update


def _restyle(figure: Any) -> Patch:
    """Only what a highlight changes on the map (colours, widths, the selected areas), not its shapes."""
    patch = Patch()
    for i, trace in enumerate(figure.data):
        if trace.type == "choropleth":
            patch["data"][i]["marker"] = trace.marker.to_plotly_json()
            patch["data"][i]["showlegend"] = trace.showlegend
        elif trace.mode == "lines" and trace.meta != OVERLAY:
            patch["data"][i]["line"] = trace.line.to_plotly_json()
            patch["data"][i]["lon"] = list(trace.lon or [])
            patch["data"][i]["lat"] = list(trace.lat or [])
    return patch
