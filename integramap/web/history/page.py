"""The History page: every revision of a site; view, download or restore one, compare any two.

Nothing is ever destroyed: restoring an old revision saves its document again
as a new revision, so the revisions in between stay in the history and can
themselves be restored. Ticking two revisions offers "Compare", which opens
the Compare page on them (``/compare?site=ID&a=N&b=M``).
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from dash import ALL, Dash, Input, Output, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate
from pydantic import Field

from integramap.io.sitefile import dump_site
from integramap.store import ConflictError, RevisionInfo, StoreError
from integramap.store.access import PersonalStore
from integramap.web.common import ids
from integramap.web.common.pagespec import PageSpec
from integramap.web.common.inputs import (MAX_ITEMS, Author, CallbackInputs, Clicks, Numbers, Request, Style,
                                          Text, typed_callback)
from integramap.web.common.services import Services, current_services
from integramap.web.typology.page import CARD, DESCRIPTORS, HINT_STYLE, PAGE_STYLE, error_box, problem_text, send_text, when

REQUEST = "history-request"
REFRESH = "history-refresh"
TITLE = "history-title"
MESSAGE = "history-message"
TABLE = "history-table"
PICK = "history-pick"
"""Pattern-matching id type of each row's tick box: ``{"type": PICK, "number": n}``."""
SELECTED = "history-selected"
HINT = "history-hint"
SINGLE = "history-single"
SINGLE_INFO = "history-single-info"
PAIR = "history-pair"
COMPARE = "history-compare"
TYPOLOGY_LINK = "history-typology-link"
DOWNLOAD_YAML = "history-download-yaml"
DOWNLOAD_JSON = "history-download-json"
DOWNLOAD = "history-download"
AUTHOR = "history-author"
RESTORE_MESSAGE = "history-restore-message"
RESTORE = "history-restore"
RESTORE_SECTION = "history-restore-section"
RESULT = "history-result"

COLUMNS: tuple[tuple[str, str], ...] = (
    ("number", "Revision"), ("saved", "Saved"), ("author", "Author"), ("message", "Message"),
    ("units", "Units"), ("links", "Links"), ("base", "Based on"),
)
NUMERIC = {"units", "links"}

HIDDEN: dict[str, Any] = {"display": "none"}
FONT = "-apple-system, 'Segoe UI', Helvetica, Arial, sans-serif"


def revision_rows(history: list[RevisionInfo]) -> list[dict[str, Any]]:
    """The history as table rows, newest first, as people read it.

    Examples
    --------
    >>> from datetime import datetime, UTC
    >>> info = RevisionInfo(site_id="s", number=2, author="Ben", message="rename", base=1, name="S",
    ...                     created_at=datetime(2026, 11, 23, 9, 5, tzinfo=UTC), units=3, links=1)
    >>> revision_rows([info])[0]
    {'number': 2, 'saved': '2026-11-23 09:05 UTC', 'author': 'Ben', 'message': 'rename', 'units': 3, 'links': 1, 'base': 'revision 1'}
    """
    return [{"number": r.number, "saved": when(r), "author": r.author, "message": r.message,
             "units": r.units, "links": r.links,
             "base": "new site" if r.base is None else f"revision {r.base}"} for r in history]


def compare_href(site_id: str, first: int, second: int) -> str:
    """The Compare page for two revisions, older first.

    Examples
    --------
    >>> compare_href("riverside borough", 5, 3)
    '/compare?site=riverside+borough&a=3&b=5'
    """
    a, b = sorted((first, second))
    return "/compare?" + urlencode({"site": site_id, "a": a, "b": b})


def _may_edit(site: str | None) -> bool:
    """Whether the person may restore revisions of the site: a viewer is not offered it at all."""
    store = current_services().store
    return not isinstance(store, PersonalStore) or store.may_edit(site)


def layout(site: str | None = None, **_query: Any) -> html.Div:
    """The page for ``/history?site=ID``."""
    return html.Div([
        dcc.Store(id=REQUEST, data={"site": site}),
        dcc.Store(id=REFRESH, data=0),
        html.H2("History", id=TITLE, className="site-title"),
        html.P("Every save is kept as a revision. Tick one revision to view, download or restore it; "
               "tick two to compare them.", className="hint"),
        html.Div(id=MESSAGE),
        html.Div(id=RESULT, role="status"),
        dcc.Store(id=SELECTED, data=[]),
        html.Section(html.Div(id=TABLE), style=CARD),
        html.P(id=HINT, style=HINT_STYLE),
        html.Section([
            html.H3(id=SINGLE_INFO),
            html.Div(id=f"{SINGLE_INFO}-detail"),
            html.Div([
                html.Button("Download YAML", id=DOWNLOAD_YAML, className="button"),
                html.Button("Download JSON", id=DOWNLOAD_JSON, className="button"),
                dcc.Link("See its typology", id=TYPOLOGY_LINK, href="/typology", className="button",
                         style={"textDecoration": "none", "color": "inherit"}),
            ], className="buttons"),
            dcc.Download(id=DOWNLOAD),
            html.Div([
                html.H4("Restore this revision"),
                html.P("Saves this revision's model again as a new, latest revision. The revisions in "
                       "between stay in the history.", style=HINT_STYLE),
                html.Div([
                    html.Div([html.Label("Your name *", htmlFor=AUTHOR), dcc.Input(id=AUTHOR, type="text")], className="field"),
                    html.Div([html.Label("Why (optional)", htmlFor=RESTORE_MESSAGE),
                              dcc.Input(id=RESTORE_MESSAGE, type="text", placeholder="e.g. undo the trial merger",
                                        style={"minWidth": "320px"})], className="field"),
                    html.Button("Restore this revision", id=RESTORE, className="button primary"),
                ], className="new-site form"),
            ], id=RESTORE_SECTION, style=None if _may_edit(site) else HIDDEN),
        ], id=SINGLE, style={**CARD, **HIDDEN}),
        html.Section([
            html.H3(id=f"{PAIR}-title"),
            dcc.Link("Compare these two revisions", id=COMPARE, href="/compare", className="button primary",
                     style={"textDecoration": "none", "display": "inline-block"}),
        ], id=PAIR, style={**CARD, **HIDDEN}),
    ], className="history-page", style=PAGE_STYLE)


PAGE = PageSpec(path="/history", name="History", order=5, layout=layout)


def revision_table(rows: list[dict[str, Any]]) -> html.Table:
    """The revisions with a tick box each; user text (author, message) shows as typed."""
    head = html.Thead(html.Tr([html.Th(html.Span("Choose", className="visually-hidden")), *(html.Th(title, style={"textAlign": "right"} if key in NUMERIC else {})
                                               for key, title in COLUMNS)]))
    body = html.Tbody([html.Tr([
        html.Td(dcc.Checklist(id={"type": PICK, "number": row["number"]},
                              options=[{"label": html.Span(f"Choose revision {row['number']}", className="visually-hidden"),
                                        "value": row["number"]}], value=[])),
        *(html.Td(row[key], className="num" if key in NUMERIC else "") for key, _ in COLUMNS),
    ]) for row in rows])
    return html.Table([head, body], className="table")


def _selected(chosen: list[int] | None) -> list[int]:
    return sorted(int(n) for n in chosen or [])


class _Load(CallbackInputs):
    request: Request
    refresh: Clicks


class _Pick(CallbackInputs):
    values: Annotated[list[Numbers] | None, Field(max_length=MAX_ITEMS)]


class _Author(CallbackInputs):
    name: Author


class _Selection(CallbackInputs):
    selected: Numbers
    request: Request
    single_style: Style
    pair_style: Style


class _Restore(CallbackInputs):
    clicks: Clicks
    selected: Numbers
    request: Request
    author: Author
    message: Text
    refresh: Clicks


class _Download(CallbackInputs):
    yaml_clicks: Clicks
    json_clicks: Clicks
    selected: Numbers
    request: Request


def register_callbacks(app: Dash, services: Services) -> None:
    @app.callback(Output(TABLE, "children"), Output(TITLE, "children"), Output(MESSAGE, "children"),
                  Input(REQUEST, "data"), Input(REFRESH, "data"))
    @typed_callback(_Load)
    def load(request: dict[str, Any] | None, _refresh: int | None) -> tuple[Any, ...]:
        site_id = (request or {}).get("site")
        if not site_id:
            return [], "History", html.P("Choose a site in the picker above to see its revisions.",
                                         className="hint")
        try:
            history = services.store.history(site_id)
        except (LookupError, StoreError) as err:
            return [], "History", error_box(problem_text(err))
        return revision_table(revision_rows(history)), f"{history[0].name} — history", ""

    @app.callback(Output(SELECTED, "data"), Input({"type": PICK, "number": ALL}, "value"))
    @typed_callback(_Pick)
    def pick(values: list[list[int]] | None) -> list[int]:
        return sorted({int(n) for ticked in values or [] for n in ticked or []})

    @app.callback(Output(AUTHOR, "value"), Input(ids.AUTHOR, "data"))
    @typed_callback(_Author)
    def remember_author(name: str | None) -> str:
        return name or ""

    @app.callback(Output(HINT, "children"), Output(SINGLE, "style"), Output(SINGLE_INFO, "children"),
                  Output(f"{SINGLE_INFO}-detail", "children"), Output(TYPOLOGY_LINK, "href"),
                  Output(PAIR, "style"), Output(f"{PAIR}-title", "children"), Output(COMPARE, "href"),
                  Input(SELECTED, "data"), State(REQUEST, "data"), State(SINGLE, "style"),
                  State(PAIR, "style"))
    @typed_callback(_Selection)
    def show_selection(selected: list[int] | None, request: dict[str, Any] | None,
                       single_style: dict[str, Any] | None, pair_style: dict[str, Any] | None
                       ) -> tuple[Any, ...]:
        chosen = _selected(selected)
        site_id = (request or {}).get("site") or ""
        hidden_single = {**(single_style or CARD), **HIDDEN}
        hidden_pair = {**(pair_style or CARD), **HIDDEN}
        shown_single = {**hidden_single, "display": "block"}
        shown_pair = {**hidden_pair, "display": "block"}
        if len(chosen) == 1:
            number = chosen[0]
            try:
                rev = services.store.get(site_id, number)
                code = DESCRIPTORS.get(services, rev).code
            except (LookupError, ValueError, StoreError) as err:
                return (error_box(problem_text(err)), hidden_single, "", "", no_update, hidden_pair, "",
                        no_update)
            detail = html.Table(html.Tbody([html.Tr([html.Th(k), html.Td(v)]) for k, v in (
                ("Name", rev.name), ("Saved", f"{when(rev)} by {rev.author}"),
                ("Message", rev.message or "(none)"),
                ("Based on", "new site" if rev.base is None else f"revision {rev.base}"),
                ("Size", f"{rev.units} units, {rev.links} links, {len(rev.site.areas)} areas"),
                ("Typology code", html.Code(code)))]), className="inspect-table", style={"maxWidth": "720px"})
            href = "/typology?" + urlencode({"site": site_id, "revision": number})
            return ("", shown_single, f"Revision {number}", detail, href, hidden_pair, "", no_update)
        if len(chosen) == 2:
            return ("", hidden_single, "", "", no_update, shown_pair,
                    f"Revisions {chosen[0]} and {chosen[1]}", compare_href(site_id, *chosen))
        hint = ("Tick at most two revisions to compare them." if len(chosen) > 2 else
                "Tick one revision to view, download or restore it; tick two to compare them.")
        return (hint, hidden_single, "", "", no_update, hidden_pair, "", no_update)

    @app.callback(Output(RESULT, "children"), Output(REFRESH, "data"),
                  Output(ids.AUTHOR, "data", allow_duplicate=True),
                  Input(RESTORE, "n_clicks"), State(SELECTED, "data"), State(REQUEST, "data"),
                  State(AUTHOR, "value"), State(RESTORE_MESSAGE, "value"), State(REFRESH, "data"),
                  prevent_initial_call=True)
    @typed_callback(_Restore)
    def restore(clicks: int | None, selected: list[int] | None, request: dict[str, Any] | None,
                author: str | None, message: str | None, refresh: int | None) -> tuple[Any, ...]:
        if not clicks:
            raise PreventUpdate
        chosen = _selected(selected)
        site_id = (request or {}).get("site")
        if len(chosen) != 1 or not site_id:
            return error_box("Tick the one revision to restore."), no_update, no_update
        if not (author or "").strip():
            return error_box("Your name is needed: every revision records who saved it."), no_update, no_update
        number = chosen[0]
        why = (message or "").strip()
        text = f"Restored revision {number}: {why}" if why else None
        try:
            info = services.store.restore(site_id, number, author=author or "", message=text)
        except (ConflictError, LookupError, ValueError, StoreError) as err:
            return error_box(problem_text(err)), no_update, no_update
        done = html.Div(f"Revision {number} restored as revision {info.number}. Nothing was removed: "
                        "every earlier revision is still in the history.", className="ok",
                        style={"margin": "8px 0"})
        return done, (refresh or 0) + 1, info.author

    @app.callback(Output(DOWNLOAD, "data"), Output(RESULT, "children", allow_duplicate=True),
                  Input(DOWNLOAD_YAML, "n_clicks"), Input(DOWNLOAD_JSON, "n_clicks"),
                  State(SELECTED, "data"), State(REQUEST, "data"), prevent_initial_call=True)
    @typed_callback(_Download)
    def download(yaml_clicks: int | None, json_clicks: int | None, selected: list[int] | None,
                 request: dict[str, Any] | None) -> tuple[Any, Any]:
        chosen = _selected(selected)
        site_id = (request or {}).get("site")
        if not (yaml_clicks or json_clicks) or len(chosen) != 1 or not site_id:
            raise PreventUpdate
        try:
            rev = services.store.get(site_id, chosen[0])
        except (LookupError, ValueError, StoreError) as err:
            return no_update, error_box(problem_text(err))
        if ctx.triggered_id == DOWNLOAD_JSON:
            return send_text(dump_site(rev.site, "json"), f"{rev.site_id}-r{rev.number}.json",
                             "application/json"), no_update
        return send_text(dump_site(rev.site, "yaml"), f"{rev.site_id}-r{rev.number}.yaml",
                         "application/yaml"), no_update
