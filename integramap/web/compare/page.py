"""The Compare page: how two or more sites differ, or what changed between two revisions of one.

Choose sites (two or more) or one site and two of its revisions. The page
shows how alike the models are and why (the similarity and its components),
the sites side by side, the highest level joining each pair of sectors as a
heatmap, and for two revisions the list of changes and the map coloured by
them. ``/compare?site=ID&a=3&b=5`` opens two revisions directly (the History
page links here so); ``/compare?sites=ID,ID`` opens sites.

A comparison of large sites runs in the background with a progress bar.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Annotated, Any

import dash_cytoscape as cyto
from dash import Dash, Input, Output, State, dcc, html, no_update
from dash.exceptions import PreventUpdate
from pydantic import AfterValidator, ConfigDict, with_config
from typing_extensions import TypedDict

from integramap.analysis.compare import Comparison, PairSimilarity, SiteDiff, compare_sites
from integramap.io.export_markdown import comparison_rows, comparison_to_markdown, diff_headline, words
from integramap.model import Site
from integramap.store import StoreError
from integramap.layout.positions import complete_positions, saved_positions
from integramap.web.compare.figures import (
    DIFF_COLOURS,
    diff_elements,
    diff_statuses,
    diff_stylesheet,
    level_matrix,
    sector_pair_heatmap,
    sector_pair_words,
    similarity_figure,
    similarity_words,
)
from integramap.web.common.figure import figure_with_words
from integramap.web.common.jobs import (
    Progress, Step, background_job, default_runner, follow_job, progress_bar,
)
from integramap.web.common.pagespec import PageSpec
from integramap.web.common.inputs import (CallbackInputs, Choice, Clicks, Id, Ids, Number, Request, Style,
                                          bounded_json, typed_callback)
from integramap.web.common.services import Services
from integramap.web.typology.page import (
    CARD,
    GRAPH_CONFIG,
    HINT_STYLE,
    PAGE_STYLE,
    error_box,
    parse_revision,
    problem_text,
    send_text,
)

REQUEST = "compare-request"
MODE = "compare-mode"
SITES = "compare-sites"
SITES_BOX = "compare-sites-box"
REV_BOX = "compare-revisions-box"
REV_SITE = "compare-revision-site"
REV_A = "compare-revision-a"
REV_B = "compare-revision-b"
SELECTION = "compare-selection"
JOB = "compare-job"
POLL = "compare-poll"
PROGRESS = "compare-progress"
MESSAGE = "compare-message"
RESULTS = "compare-results"
SIMILARITY = "compare-similarity"
SIM_PAIR = "compare-similarity-pair"
SIM_DETAIL = "compare-similarity-detail"
SIM_WORDS = "compare-similarity-words"
TABLE = "compare-table"
HEATMAP = "compare-heatmap"
HEATMAP_WORDS = "compare-heatmap-words"
DIFF = "compare-diff"
DIFF_MAP = "compare-diff-map"
DOWNLOAD_MD = "compare-download-md"
DOWNLOAD_JSON = "compare-download-json"
DOWNLOAD = "compare-download"

BACKGROUND_UNITS = 3000
"""Comparisons of more units than this (all sites together) run in the background with progress."""
CACHED_COMPARISONS = 8

Ref = tuple[str, int]
"""A site and one of its revision numbers."""


@dataclass(frozen=True)
class Result:
    """A finished comparison with the sites it compared (the diff map needs them)."""

    comparison: Comparison
    sites: tuple[Site, ...]


COMPANIONS = 2
"""Other sites shown beside the one chosen in the header when the page opens."""


def selection_from_query(site: str | None = None, a: str | None = None, b: str | None = None,
                         sites: str | None = None) -> dict[str, Any]:
    """What the address asks to compare: two revisions of a site, or a list of sites.

    Examples
    --------
    Arriving with just the site picked in the header (``?site=ID``) asks for
    companions: the page adds other sites so there is something to compare.

    >>> selection_from_query(site="riverside", a="3", b="5")
    {'mode': 'revisions', 'site': 'riverside', 'a': '3', 'b': '5', 'sites': [], 'companions': False}
    >>> selection_from_query(sites="riverside,eastmoor")["sites"]
    ['riverside', 'eastmoor']
    >>> selection_from_query(site="riverside")["companions"]
    True
    """
    chosen = [s for s in (sites or "").split(",") if s.strip()]
    mode = "revisions" if site and (a or b) else "sites"
    companions = mode == "sites" and bool(site) and not chosen
    if mode == "sites" and site and site not in chosen:
        chosen.insert(0, site)
    return {"mode": mode, "site": site, "a": a, "b": b, "sites": chosen, "companions": companions}


def refs_of(selection: dict[str, Any], services: Services) -> list[Ref]:
    """The revisions a selection names, each checked against the store; ``ValueError`` explains."""
    store = services.store
    if selection.get("mode") == "revisions":
        site = selection.get("site")
        a, b = parse_revision(selection.get("a")), parse_revision(selection.get("b"))
        if not site or a is None or b is None:
            raise ValueError("Choose a site and two of its revisions to compare.")
        if a == b:
            raise ValueError(f"Both sides are revision {a}: choose two different revisions.")
        return [(site, a), (site, b)]
    sites = list(dict.fromkeys(selection.get("sites") or []))
    if len(sites) < 2:
        raise ValueError("Choose two or more sites to compare.")
    return [(s, store.latest(s)) for s in sites]


class ComparisonCache:
    """Finished comparisons by the revisions compared: revisions never change, so neither do they."""

    def __init__(self, capacity: int = CACHED_COMPARISONS) -> None:
        self._lock = threading.Lock()
        self._data: OrderedDict[tuple[str, tuple[Ref, ...]], Result] = OrderedDict()
        self._capacity = capacity

    def get(self, services: Services, refs: list[Ref]) -> Result | None:
        with self._lock:
            key = (services.store.url, tuple(refs))
            found = self._data.get(key)
            if found is not None:
                self._data.move_to_end(key)
            return found

    def put(self, services: Services, refs: list[Ref], result: Result) -> None:
        with self._lock:
            self._data[(services.store.url, tuple(refs))] = result
            while len(self._data) > self._capacity:
                self._data.popitem(last=False)


RESULTS_CACHE = ComparisonCache()


def run_comparison(services: Services, refs: list[Ref], progress: Any = None) -> Result:
    """Load the revisions and compare them; ``progress(fraction, message)`` hears how far it got."""
    cached = RESULTS_CACHE.get(services, refs)
    if cached is not None:
        return cached
    report = progress or (lambda _f, _m="": None)
    revisions = []
    for n, (site_id, number) in enumerate(refs):
        report(0.6 * n / len(refs), f"Loading {site_id} revision {number}")
        revisions.append(services.store.get(site_id, number))
    same_site = len({r.site_id for r in revisions}) == 1
    labels = [f"Revision {r.number}" if same_site else r.name for r in revisions]
    report(0.6, "Describing and comparing the models")
    comparison = compare_sites([r.site for r in revisions], labels=labels)
    result = Result(comparison=comparison, sites=tuple(r.site for r in revisions))
    RESULTS_CACHE.put(services, refs, result)
    report(1.0, "Done")
    return result


@background_job
def compare_in_background(services: Services, progress: Progress, refs: list[list[Any]]) -> Result:
    """:func:`run_comparison` as a background job; ``refs`` as JSON carries them, ``[site, revision]`` pairs."""
    return run_comparison(services, [(str(site), int(number)) for site, number in refs], progress)


def _table(header: list[str], rows: list[list[Any]]) -> html.Table:
    return html.Table([html.Thead(html.Tr([html.Th(h) for h in header])),
                       html.Tbody([html.Tr([html.Td(c) for c in row]) for row in rows])], className="table")


def similarity_detail(pair: PairSimilarity) -> list[Any]:
    """One pair's similarity: the bar chart and what each component compared."""
    components = {c.name: c.value for c in pair.components}
    return [
        figure_with_words(
            dcc.Graph(figure=similarity_figure(components, overall=pair.score,
                                               title=f"{pair.a} and {pair.b}: {pair.score:.2f}"),
                      config=GRAPH_CONFIG),
            SIM_WORDS, f"Bar chart of how alike {pair.a} and {pair.b} are",
            similarity_words(components, overall=pair.score, title=f"{pair.a} and {pair.b}")),
        _table(["Component", "Weight", "Value", "Why"],
               [[words(c.name), f"{c.weight:.2f}", f"{c.value:.2f}", c.explanation] for c in pair.components]),
    ]


def _pair_label(pair: PairSimilarity) -> str:
    return f"{pair.a} and {pair.b} ({pair.score:.2f})"


def _link_words(site: Site, source: str, target: str) -> str:
    names = [site.units_by_id[u].name if u in site.units_by_id else u for u in (source, target)]
    return f"{names[0]} – {names[1]}"


def diff_list(diff: SiteDiff, before: Site, after: Site) -> html.Div:
    """The changes between two revisions, grouped, with units and links named."""
    groups: list[tuple[str, str, list[Any]]] = [
        ("Added", "added",
         [f"unit {u.name} ({words(u.kind)})" for u in diff.units_added]
         + [f"link {_link_words(after, lk.source, lk.target)}: {words(lk.level)}" for lk in diff.links_added]
         + [f"area {a}" for a in diff.areas_added]),
        ("Removed", "removed",
         [f"unit {u.name} ({words(u.kind)})" for u in diff.units_removed]
         + [f"link {_link_words(before, lk.source, lk.target)}: {words(lk.level)}" for lk in diff.links_removed]
         + [f"area {a}" for a in diff.areas_removed]),
    ]
    changed: list[Any] = []
    for lk in diff.links_changed:
        arrow = {"up": "▲ level up", "down": "▼ level down"}.get(lk.direction, "")
        level = (f"{words(lk.level_before)} → {words(lk.level_after)}" if lk.direction != "same" else "")
        detail = "; ".join([*([level] if level else []),
                            *(f"{c.field}: {c.before} → {c.after}" for c in lk.changes)])
        colour = DIFF_COLOURS.get({"up": "level_up", "down": "level_down"}.get(lk.direction, "changed"))
        changed.append(html.Span([html.Strong(arrow + " ", style={"color": colour}) if arrow else "",
                                  f"link {_link_words(after, lk.source, lk.target)}: {detail}"]))
    for u in diff.units_changed:
        changed.append(f"unit {u.name}: " + "; ".join(f"{c.field}: {c.before} → {c.after}" for c in u.changes))
    groups.append(("Changed", "changed", changed))
    total = sum(len(items) for _, _, items in groups)
    head = diff_headline(diff)
    if not total:
        return html.Div([html.P("No differences: the two revisions hold the same model.")], className="diff-list")
    return html.Div([html.P(head), *[html.Div([
        html.H4(title, style={"color": DIFF_COLOURS[status], "margin": "8px 0 2px"}),
        html.Ul([html.Li(item, className=f"diff-{status}") for item in items]),
    ]) for title, status, items in groups if items]], className="diff-list")


def diff_positions(before: Site, after: Site) -> dict[str, tuple[float, float]]:
    """Saved positions of both revisions, and computed ones for units that have none."""
    known = {**saved_positions(before), **saved_positions(after)}
    known.update(complete_positions(after, known))
    known.update(complete_positions(before, known))
    return known


def _legend() -> html.Div:
    items = [("added", "added"), ("removed", "removed (dashed)"), ("changed", "changed"),
             ("level_up", "level up"), ("level_down", "level down")]
    return html.Div([html.Span([html.Span(style={"display": "inline-block", "width": "14px", "height": "14px",
                                                  "background": DIFF_COLOURS[key], "marginRight": "4px",
                                                  "verticalAlign": "middle", "borderRadius": "3px"}),
                                label], style={"marginRight": "14px"}) for key, label in items]
                    + [html.Span("unchanged units and links are faded", style=HINT_STYLE)])


def render(result: Result) -> list[Any]:
    """Every section of a finished comparison."""
    c = result.comparison
    matrix = level_matrix(c.level_matrix, c.labels)
    pairs = [{"label": _pair_label(p), "value": i} for i, p in enumerate(c.similarity)]
    rows = comparison_rows(c)
    sections: list[Any] = [
        html.Section([
            html.H3("How alike are they?"),
            html.P("Similarity from 0 (nothing in common) to 1 (the same model), built from the parts of "
                   "the typology below; the dashed line is the overall score.", style=HINT_STYLE),
            _table(["Pair", "Similarity"], [[f"{p.a} and {p.b}", f"{p.score:.2f}"] for p in c.similarity])
            if len(c.similarity) > 1 else "",
            dcc.Dropdown(id=SIM_PAIR, options=pairs, value=0, clearable=False,
                         style={"display": "block" if len(pairs) > 1 else "none", "maxWidth": "520px",
                                "margin": "8px 0"}),
            html.Div(similarity_detail(c.similarity[0]), id=SIM_DETAIL),
        ], id=SIMILARITY, style=CARD),
        html.Section([
            html.H3("Highest level joining each pair of sectors"),
            html.P("Each cell is the closest integration between those two sectors; blank where no link "
                   "joins them. Colours are the map's level colours.", style=HINT_STYLE),
            figure_with_words(dcc.Graph(id=HEATMAP, figure=sector_pair_heatmap(matrix), config=GRAPH_CONFIG),
                              HEATMAP_WORDS, "Heatmap of the highest level joining each pair of sectors",
                              sector_pair_words(matrix)),
        ], style=CARD),
        html.Section([html.H3("Side by side"), _table(["", *c.labels], rows[1:])], id=TABLE, style=CARD),
    ]
    if c.diff is not None:
        before, after = result.sites
        units, links = diff_statuses(c.diff)
        elements = diff_elements(before, after, diff_positions(before, after), units, links)
        sections.insert(0, html.Section([
            html.H3(f"What changed from {c.diff.before} to {c.diff.after}"),
            html.Div([
                html.Div(diff_list(c.diff, before, after), style={"flex": "1 1 360px", "minWidth": "320px",
                                                                   "maxHeight": "560px", "overflowY": "auto"}),
                html.Div([_legend(), cyto.Cytoscape(
                    id=DIFF_MAP, elements=elements, stylesheet=diff_stylesheet(), layout={"name": "preset"},
                    autoRefreshLayout=False, minZoom=0.05, maxZoom=4, wheelSensitivity=0.3,
                    style={"width": "100%", "height": "520px", "border": "1px solid #e4e7eb",
                           "background": "#fbfcfd"})], style={"flex": "2 1 520px"}),
            ], style={"display": "flex", "gap": "16px", "flexWrap": "wrap"}),
        ], id=DIFF, style=CARD))
    return sections


def layout(site: str | None = None, a: str | None = None, b: str | None = None, sites: str | None = None,
           **_query: Any) -> html.Div:
    """The page for ``/compare``, ``/compare?sites=ID,ID`` or ``/compare?site=ID&a=N&b=M``."""
    request = selection_from_query(site, a, b, sites)
    return html.Div([
        dcc.Store(id=REQUEST, data=request),
        dcc.Store(id=SELECTION),
        dcc.Store(id=JOB),
        dcc.Interval(id=POLL, interval=500, disabled=True),
        html.H2("Compare integration models", className="site-title"),
        html.Section([
            dcc.RadioItems(id=MODE, value=request["mode"], inline=True, className="radio",
                           options=[{"label": " Two or more sites ", "value": "sites"},
                                    {"label": " Two revisions of one site", "value": "revisions"}],
                           inputStyle={"marginLeft": "12px"}),
            html.Div([html.Label("Sites", htmlFor=SITES),
                      dcc.Dropdown(id=SITES, multi=True, placeholder="Choose two or more sites…")],
                     id=SITES_BOX, style={"marginTop": "8px"}),
            html.Div([
                html.Div([html.Label("Site", htmlFor=REV_SITE), dcc.Dropdown(id=REV_SITE, placeholder="Choose a site…",
                                                           clearable=False)], style={"flex": "2"}),
                html.Div([html.Label("Before", htmlFor=REV_A), dcc.Dropdown(id=REV_A, placeholder="Revision…",
                                                             clearable=False)], style={"flex": "1"}),
                html.Div([html.Label("After", htmlFor=REV_B), dcc.Dropdown(id=REV_B, placeholder="Revision…",
                                                            clearable=False)], style={"flex": "1"}),
            ], id=REV_BOX, style={"display": "none", "gap": "12px", "marginTop": "8px"}),
            html.Div([
                html.Span("Download the comparison: ", style=HINT_STYLE),
                html.Button("Markdown", id=DOWNLOAD_MD, className="button"),
                html.Button("JSON", id=DOWNLOAD_JSON, className="button"),
            ], className="buttons", style={"marginTop": "10px"}),
            dcc.Download(id=DOWNLOAD),
        ], style=CARD),
        html.Div(id=MESSAGE),
        html.Div(id=PROGRESS),
        dcc.Loading(html.Div(id=RESULTS), type="circle"),
    ], className="compare-page", style=PAGE_STYLE)


PAGE = PageSpec(path="/compare", name="Compare", order=4, layout=layout)


def _revision_options(services: Services, site_id: str) -> list[dict[str, Any]]:
    return [{"label": f"{r.number} · {r.created_at:%Y-%m-%d %H:%M} · {r.author}"
                      + (f" · {r.message}" if r.message else ""), "value": r.number}
            for r in services.store.history(site_id)]


@with_config(ConfigDict(extra="allow"))
class _Chosen(TypedDict, total=False):
    """What is compared (the ``SELECTION`` store)."""

    mode: Id
    sites: Ids
    site: Id
    a: Choice
    b: Choice


Selection = Annotated[_Chosen | None, AfterValidator(bounded_json)]


class _Fill(CallbackInputs):
    request: Request


class _Mode(CallbackInputs):
    mode: Id
    rev_style: Style


class _Revisions(CallbackInputs):
    site_id: Id
    request: Request


class _Select(CallbackInputs):
    mode: Id
    sites: Ids
    site: Id
    a: Choice
    b: Choice


class _Run(CallbackInputs):
    selection: Selection


class _Poll(CallbackInputs):
    n: Clicks
    job: Id


class _Pair(CallbackInputs):
    index: Number
    selection: Selection


class _Download(CallbackInputs):
    md: Clicks
    js: Clicks
    selection: Selection


def register_callbacks(app: Dash, services: Services) -> None:
    @app.callback(Output(SITES, "options"), Output(SITES, "value"), Output(REV_SITE, "options"),
                  Output(REV_SITE, "value"), Input(REQUEST, "data"))
    @typed_callback(_Fill)
    def fill(request: dict[str, Any] | None) -> tuple[Any, ...]:
        request = request or {}
        options = [{"label": s.name, "value": s.id} for s in services.store.list_sites()]
        known = {o["value"] for o in options}
        chosen = [s for s in request.get("sites") or [] if s in known]
        if request.get("companions") and len(chosen) == 1:
            chosen += [o["value"] for o in options if o["value"] not in chosen][:COMPANIONS]
        site = request.get("site") if request.get("site") in known else None
        return options, chosen, options, site

    @app.callback(Output(SITES_BOX, "style"), Output(REV_BOX, "style"), Input(MODE, "value"),
                  State(REV_BOX, "style"))
    @typed_callback(_Mode)
    def show_mode(mode: str, rev_style: dict[str, Any] | None) -> tuple[Any, Any]:
        revisions = mode == "revisions"
        return ({"display": "none" if revisions else "block", "marginTop": "8px"},
                {**(rev_style or {}), "display": "flex" if revisions else "none"})

    @app.callback(Output(REV_A, "options"), Output(REV_B, "options"), Output(REV_A, "value"),
                  Output(REV_B, "value"), Input(REV_SITE, "value"), State(REQUEST, "data"))
    @typed_callback(_Revisions)
    def fill_revisions(site_id: str | None, request: dict[str, Any] | None) -> tuple[Any, ...]:
        if not site_id:
            return [], [], None, None
        try:
            options = _revision_options(services, site_id)
        except (LookupError, StoreError):
            return [], [], None, None
        numbers = [o["value"] for o in options]
        a = b = None
        if request and request.get("site") == site_id:
            try:
                a, b = parse_revision(request.get("a")), parse_revision(request.get("b"))
            except ValueError:
                a = b = None
        a = a if a in numbers else (numbers[1] if len(numbers) > 1 else None)
        b = b if b in numbers else (numbers[0] if numbers else None)
        return options, options, a, b

    @app.callback(Output(SELECTION, "data"), Input(MODE, "value"), Input(SITES, "value"),
                  Input(REV_SITE, "value"), Input(REV_A, "value"), Input(REV_B, "value"))
    @typed_callback(_Select)
    def select(mode: str, sites: list[str] | None, site: str | None, a: Any, b: Any) -> dict[str, Any]:
        return {"mode": mode, "sites": sites or [], "site": site, "a": a, "b": b}

    @app.callback(Output(RESULTS, "children"), Output(MESSAGE, "children"), Output(JOB, "data"),
                  Output(POLL, "disabled"), Output(PROGRESS, "children"), Input(SELECTION, "data"))
    @typed_callback(_Run)
    def run(selection: dict[str, Any] | None) -> tuple[Any, ...]:
        if not selection:
            raise PreventUpdate
        try:
            refs = refs_of(selection, services)
            sizes = [r.units for s, n in refs for r in services.store.history(s) if r.number == n]
        except (LookupError, ValueError, StoreError) as err:
            hint = isinstance(err, ValueError) and str(err).startswith("Choose")
            return [], (html.P(str(err), className="hint") if hint else error_box(problem_text(err))), \
                None, True, ""
        if RESULTS_CACHE.get(services, refs) is None and sum(sizes) > BACKGROUND_UNITS:
            job = default_runner().start(services, compare_in_background, refs=[list(r) for r in refs],
                                         title=f"Comparing {len(refs)} models ({sum(sizes):,} units)")
            return [], "", job, False, progress_bar(default_runner().status(job))
        try:
            return render(run_comparison(services, refs)), "", None, True, ""
        except Exception as err:  # shown on the page, never as a traceback
            return [], error_box(problem_text(err)), None, True, ""

    @app.callback(Output(RESULTS, "children", allow_duplicate=True),
                  Output(MESSAGE, "children", allow_duplicate=True),
                  Output(POLL, "disabled", allow_duplicate=True),
                  Output(PROGRESS, "children", allow_duplicate=True),
                  Input(POLL, "n_intervals"), State(JOB, "data"), prevent_initial_call=True)
    @typed_callback(_Poll)
    def poll(_n: int | None, job: str | None) -> tuple[Any, ...]:
        followed = follow_job(default_runner(), job)
        if followed.step is Step.NONE:
            return no_update, no_update, True, ""
        if followed.step is Step.RUNNING:
            return no_update, no_update, False, followed.bar
        if followed.step is Step.DONE:
            return render(followed.result), "", True, ""
        return [], error_box(followed.message), True, ""

    @app.callback(Output(SIM_DETAIL, "children"), Input(SIM_PAIR, "value"), State(SELECTION, "data"),
                  prevent_initial_call=True)
    @typed_callback(_Pair)
    def show_pair(index: int | None, selection: dict[str, Any] | None) -> Any:
        if index is None or not selection:
            raise PreventUpdate
        try:
            result = RESULTS_CACHE.get(services, refs_of(selection, services))
        except (LookupError, ValueError, StoreError):
            raise PreventUpdate from None
        if result is None or not 0 <= index < len(result.comparison.similarity):
            raise PreventUpdate
        return similarity_detail(result.comparison.similarity[index])

    @app.callback(Output(DOWNLOAD, "data"), Output(MESSAGE, "children", allow_duplicate=True),
                  Input(DOWNLOAD_MD, "n_clicks"), Input(DOWNLOAD_JSON, "n_clicks"),
                  State(SELECTION, "data"), prevent_initial_call=True)
    @typed_callback(_Download)
    def download(md: int | None, js: int | None, selection: dict[str, Any] | None) -> tuple[Any, Any]:
        from dash import ctx

        if not (md or js) or not selection:
            raise PreventUpdate
        try:
            refs = refs_of(selection, services)
            result = run_comparison(services, refs)
        except (LookupError, ValueError, StoreError) as err:
            return no_update, error_box(problem_text(err))
        name = "compare-" + ("-".join(s for s, _ in refs) if refs[0][0] != refs[1][0]
                             else f"{refs[0][0]}-r{refs[0][1]}-r{refs[1][1]}")
        if ctx.triggered_id == DOWNLOAD_JSON:
            return send_text(result.comparison.model_dump_json(indent=2), f"{name}.json", "application/json"), \
                no_update
        return send_text(comparison_to_markdown(result.comparison), f"{name}.md", "text/markdown"), no_update
