"""The Atlas page: every integrated care board in England, compared on the same boundary figures.

Built from the national practice → PCN lookup and the ONS LSOA → district
lookup on the server (where the south-east London demo finds them), in the
background with a progress bar. It shows all 42 ICBs in one sortable table
with small bars, a ranked chart of coterminosity with what it shows in
words, and "ICBs like mine". Opening an ICB builds it as a site (once, in the
background), keeps it in the store and opens its Boundaries page.

``/atlas[?icb=CODE]``: ``icb`` chooses the ICB for "ICBs like mine".
"""

from __future__ import annotations

from typing import Annotated, Any

from dash import ALL, Dash, Input, Output, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate
from pydantic import Field
from typing_extensions import TypedDict

from integramap.analysis.atlas_neighbours import icbs_like
from integramap.demo import DemoDataError
from integramap.store import StoreError
from integramap.web.atlas.data import (
    AUTHOR,
    build_icb,
    build_national,
    find_files,
    hidden_from_person,
    icb_site_id,
    kept,
)
from integramap.web.atlas.figures import (
    DEFAULT_SORT,
    OPEN,
    OPEN_NEAR,
    SORT_HEAD,
    icb_table,
    neighbour_list,
    ranked_figure,
    ranked_summary,
)
from integramap.web.boundaries.demo_offer import boundaries_address
from integramap.web.common import ids
from integramap.web.common.aria import aria
from integramap.web.common.jobs import (
    JobRunner, Progress, Step, background_job, default_runner, follow_job, progress_bar,
)
from integramap.web.common.inputs import MAX_ID, Author, CallbackInputs, Clicks, Flag, Id, ManyClicks, typed_callback
from integramap.web.common.pagespec import PageSpec
from integramap.web.common.services import Services
from integramap.web.typology.page import CARD, GRAPH_CONFIG, HINT_STYLE, PAGE_STYLE, error_box, problem_text

LOAD = "atlas-load"
CHOSEN = "atlas-chosen"
"""The ICB code asked for in the address, for "ICBs like mine"."""
JOB = "atlas-job"
POLL = "atlas-poll"
READY = "atlas-ready"
MESSAGE = "atlas-message"
PROGRESS = "atlas-progress"
BODY = "atlas-body"
HEADLINE = "atlas-headline"
SORT = "atlas-sort"
TABLE = "atlas-table"
LAYER = "atlas-layer"
CHART = "atlas-chart"
CHART_TITLE = "atlas-chart-title"
SUMMARY = "atlas-summary"
LIKE = "atlas-like"
NEAR = "atlas-near"
OPEN_JOB = "atlas-open-job"
OPEN_POLL = "atlas-open-poll"
OPEN_STATUS = "atlas-open-status"

NEIGHBOURS = 5
LAYER_OPTIONS = [{"label": " Districts (local authorities)", "value": "local_authority"},
                 {"label": " Sub-ICB locations", "value": "place"}]


def layout(icb: str | None = None, **_query: Any) -> html.Div:
    """The page for ``/atlas[?icb=CODE]``."""
    return html.Div([
        dcc.Store(id=LOAD, data=True),
        dcc.Store(id=CHOSEN, data=(icb or "").strip().upper() or None),
        dcc.Store(id=JOB),
        dcc.Store(id=READY),
        dcc.Store(id=SORT, data=DEFAULT_SORT),
        dcc.Store(id=OPEN_JOB),
        dcc.Interval(id=POLL, interval=500, disabled=True),
        dcc.Interval(id=OPEN_POLL, interval=500, disabled=True),
        html.H2("Atlas of integrated care boards"),
        html.P("Every ICB in England from the national files, on the same figures: its practices and primary "
               "care networks (PCNs), the PCNs whose practices lie in two or more local authority districts or "
               "sub-ICB locations, and how coterminous its PCNs are with each. Each ICB holds every PCN with a "
               "practice in it, whole. Open one to see its boundaries.", style=HINT_STYLE),
        html.Div(id=MESSAGE),
        html.Div(id=PROGRESS),
        html.Div(id=OPEN_STATUS, style={"margin": "8px 0"}),
        html.Div(id=BODY, style={"display": "none"}, children=[
            html.P(id=HEADLINE, className="verdict",
                   style={"fontSize": "1.15rem", "fontWeight": "600", "margin": "4px 0 12px", "color": "#1d3557"}),
            html.Section([
                html.H3("Every ICB"),
                html.P("Choose a column heading to sort by it (again to reverse). Bars show each figure: "
                       "orange and striped where fewer than 90% line up.", style=HINT_STYLE),
                html.Div(id=TABLE, style={"overflowX": "auto"}),
            ], style=CARD),
            html.Div([
                html.Section([
                    html.H3("Ranked by coterminosity", id=CHART_TITLE),
                    html.Label("Compare PCNs with", htmlFor=LAYER, className="visually-hidden"),
                    dcc.RadioItems(id=LAYER, options=LAYER_OPTIONS, value="local_authority", inline=True,
                                   inputStyle={"marginLeft": "12px"}),
                    # The chart is named by its heading and described by the words beside it.
                    html.Div(dcc.Graph(id=CHART, config=GRAPH_CONFIG), role="figure",
                             **aria(labelledby=CHART_TITLE, describedby=SUMMARY)),
                ], style={**CARD, "flex": "3", "minWidth": "480px"}),
                html.Div([
                    html.Section([html.H3("What it shows"), html.Div(id=SUMMARY)], style=CARD),
                    html.Section([
                        html.H3("ICBs like mine"),
                        dcc.Dropdown(id=LIKE, placeholder="Choose your ICB…", clearable=False),
                        html.Div(id=NEAR, style={"marginTop": "8px"}),
                    ], style=CARD),
                ], style={"flex": "2", "minWidth": "320px"}),
            ], style={"display": "flex", "gap": "16px", "alignItems": "flex-start", "flexWrap": "wrap"}),
        ]),
    ], className="atlas-page", style=PAGE_STYLE)


PAGE = PageSpec(path="/atlas", name="Atlas", order=6, layout=layout, title="Atlas · IntegraMap", needs_site=False)




def _missing(err: DemoDataError) -> html.Div:
    return error_box("The atlas is built from two national files kept on the server. "
                     + err.for_people().replace("\n  - ", "\n• "))


class SortState(TypedDict):
    """The table's order as the page keeps it (an unknown column sorts by the default one)."""

    key: Annotated[str, Field(max_length=MAX_ID)]
    descending: bool


class _Start(CallbackInputs):
    load: Flag


class _Poll(CallbackInputs):
    n: Clicks
    job: Id


class _Render(CallbackInputs):
    ready: Id
    sort: SortState | None
    chosen: Id


class _SortBy(CallbackInputs):
    clicks: ManyClicks
    sort: SortState | None


class _Chart(CallbackInputs):
    ready: Id
    layer: Id


class _LikeMine(CallbackInputs):
    code: Id


class _OpenIcb(CallbackInputs):
    clicks: ManyClicks
    near: ManyClicks
    author: Author


def register_callbacks(app: Dash, services: Services) -> None:
    @app.callback(Output(JOB, "data"), Output(POLL, "disabled"), Output(PROGRESS, "children"),
                  Output(MESSAGE, "children"), Output(READY, "data"), Input(LOAD, "data"))
    @typed_callback(_Start)
    def start(_load: Any) -> tuple[Any, ...]:
        try:
            files = find_files()
        except DemoDataError as err:
            return None, True, "", _missing(err), no_update
        runner = default_runner()
        if kept(files) is not None or not isinstance(runner, JobRunner):
            # Shared through Redis, a job would build the atlas in a worker process, not in the one
            # drawing this page: each server process builds its own on first use (_national).
            return None, True, "", "", "kept"
        def build(progress: Progress) -> None:
            build_national(files, progress)  # kept by the data module; the job holds nothing large

        job = runner.submit(build, title="Building the atlas of every ICB", key="atlas:national")
        return job, False, progress_bar(runner.status(job)), "", no_update

    @app.callback(Output(READY, "data", allow_duplicate=True), Output(POLL, "disabled", allow_duplicate=True),
                  Output(PROGRESS, "children", allow_duplicate=True), Output(MESSAGE, "children", allow_duplicate=True),
                  Input(POLL, "n_intervals"), State(JOB, "data"), prevent_initial_call=True)
    @typed_callback(_Poll)
    def poll(_n: int | None, job: str | None) -> tuple[Any, ...]:
        return _poll_job(job)

    @app.callback(Output(BODY, "style"), Output(HEADLINE, "children"), Output(TABLE, "children"),
                  Output(LIKE, "options"), Output(LIKE, "value"), Output(MESSAGE, "children", allow_duplicate=True),
                  Input(READY, "data"), State(SORT, "data"), State(CHOSEN, "data"), prevent_initial_call=True)
    @typed_callback(_Render)
    def render(ready: Any, sort: dict[str, Any] | None, chosen: str | None) -> tuple[Any, ...]:
        national = _national() if ready else None
        if national is None:
            raise PreventUpdate
        found = national.found
        sort = sort or DEFAULT_SORT
        options = [{"label": f"{e.name} ({e.code})", "value": e.code} for e in sorted(found.icbs, key=lambda e: e.name)]
        codes = {e.code for e in found.icbs}
        straddling = sum(1 for e in found.icbs if e.straddles["local_authority"])
        headline = (f"{len(found.icbs)} ICBs, {sum(e.practices for e in found.icbs):,} practices: "
                    f"{straddling} of the {len(found.icbs)} ICBs {'has' if straddling == 1 else 'have'} a PCN across a "
                    "district boundary.")
        return ({"display": "block"}, headline, icb_table(found, sort["key"], bool(sort["descending"])),
                options, chosen if chosen in codes else None, "")

    @app.callback(Output(SORT, "data"), Output(TABLE, "children", allow_duplicate=True),
                  Input({"type": SORT_HEAD, "key": ALL}, "n_clicks"), State(SORT, "data"), prevent_initial_call=True)
    @typed_callback(_SortBy)
    def sort_by(_clicks: list[int | None], sort: dict[str, Any] | None) -> tuple[Any, Any]:
        trigger = ctx.triggered_id
        national = _national()
        if not isinstance(trigger, dict) or not ctx.triggered or not ctx.triggered[0].get("value") or national is None:
            raise PreventUpdate
        key = str(trigger["key"])
        sort = sort or DEFAULT_SORT
        # A new column sorts the way its figure reads best: names A-Z, shares lowest first, counts highest.
        descending = (not sort["descending"]) if key == sort["key"] else key in (
            "practices", "pcns", "unallocated", "across_la", "across_place")
        new = {"key": key, "descending": descending}
        return new, icb_table(national.found, key, descending)

    @app.callback(Output(CHART, "figure"), Output(SUMMARY, "children"), Input(READY, "data"), Input(LAYER, "value"),
                  prevent_initial_call=True)
    @typed_callback(_Chart)
    def chart(ready: Any, layer: str | None) -> tuple[Any, Any]:
        national = _national() if ready else None
        if national is None:
            raise PreventUpdate
        layer = layer or "local_authority"
        return ranked_figure(national.found, layer), [html.P(s) for s in ranked_summary(national.found, layer)]

    @app.callback(Output(NEAR, "children"), Input(LIKE, "value"), prevent_initial_call=True)
    @typed_callback(_LikeMine)
    def like_mine(code: str | None) -> Any:
        national = _national()
        if not code or national is None:
            return html.P("Choose an ICB to see the ones most like it.", className="hint")
        try:
            near = icbs_like(national.found, code, national.descriptors, NEIGHBOURS)
        except KeyError:
            return html.P("That ICB is not in the national files.", className="hint")
        mine = next(e for e in national.found.icbs if e.code == code)
        return neighbour_list(mine, near)

    @app.callback(Output(OPEN_JOB, "data"), Output(OPEN_POLL, "disabled"), Output(OPEN_STATUS, "children"),
                  Output(ids.NAV_LOCATION, "href", allow_duplicate=True),
                  Input({"type": OPEN, "code": ALL}, "n_clicks"), Input({"type": OPEN_NEAR, "code": ALL}, "n_clicks"),
                  State(ids.AUTHOR, "data"), prevent_initial_call=True)
    @typed_callback(_OpenIcb)
    def open_icb(_clicks: list[int | None], _near: list[int | None], author: str | None) -> tuple[Any, ...]:
        trigger = ctx.triggered_id
        if not isinstance(trigger, dict) or not ctx.triggered or not ctx.triggered[0].get("value"):
            raise PreventUpdate  # buttons being drawn, not pressed
        code = str(trigger["code"])
        site_id = icb_site_id(code)
        try:
            if services.store.exists(site_id):
                return None, True, "", boundaries_address(site_id)
            if hidden_from_person(services.store, site_id):
                return None, True, error_box(
                    "Someone else has already opened this ICB as a site, and it is not shared with you: ask its "
                    "owner, or whoever runs IntegraMap for your team, to share it."), no_update
            files = find_files()
        except DemoDataError as err:
            return None, True, _missing(err), no_update
        except StoreError as err:
            return None, True, error_box(problem_text(err)), no_update
        name = (author or "").strip() or AUTHOR
        national = kept(files)
        title = next((f"Opening {e.name}" for e in national.found.icbs if e.code == code),
                     f"Opening ICB {code}") if national else f"Opening ICB {code}"
        job = default_runner().start(services, open_icb_in_background, title=title, key=f"atlas:icb:{code}",
                                     code=code, author=name)
        return job, False, progress_bar(default_runner().status(job)), no_update

    @app.callback(Output(OPEN_POLL, "disabled", allow_duplicate=True),
                  Output(OPEN_STATUS, "children", allow_duplicate=True),
                  Output(ids.NAV_LOCATION, "href", allow_duplicate=True),
                  Input(OPEN_POLL, "n_intervals"), State(OPEN_JOB, "data"), prevent_initial_call=True)
    @typed_callback(_Poll)
    def open_poll(_n: int | None, job: str | None) -> tuple[Any, ...]:
        followed = follow_job(default_runner(), job)
        if followed.step is Step.NONE:
            return True, no_update, no_update
        if followed.step is Step.RUNNING:
            return False, followed.bar, no_update
        if followed.step is Step.DONE:
            return True, followed.bar, boundaries_address(str(followed.result))
        return True, error_box(followed.message), no_update


@background_job
def open_icb_in_background(services: Services, progress: Progress, code: str, author: str) -> str:
    """:func:`build_icb` as a background job: whichever process runs it finds the files on its machine."""
    return build_icb(services, find_files(), code, author, progress)


def _national() -> Any:
    """The national atlas kept in this process, built here first if another process built it before."""
    try:
        files = find_files()
    except DemoDataError:
        return None
    return kept(files) or build_national(files, Progress(lambda _fraction, _message: None))


def _poll_job(job: str | None) -> tuple[Any, ...]:
    """READY, the poll's disabled flag, the progress and the message, for the national build's job."""
    followed = follow_job(default_runner(), job, collect=False)  # the atlas is kept by the data module
    if followed.step is Step.NONE:
        return no_update, True, "", no_update
    if followed.step is Step.RUNNING:
        return no_update, False, followed.bar, no_update
    if followed.step is Step.DONE:
        return job, True, "", ""
    return no_update, True, "", error_box(followed.message)
