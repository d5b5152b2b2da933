"""The Sites page (home): every stored site with its size and last revision, and "New site"."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from dash import Dash, Input, Output, State, dcc, html, no_update

from integramap import edit
from integramap.model import SiteError
from integramap.store import ConflictError, StoreError
from integramap.web.common import ids
from integramap.web.boundaries.demo_offer import demo_offer, register_demo_callbacks
from integramap.web.common.pagespec import PageSpec
from integramap.web.common.inputs import Author, CallbackInputs, Clicks, Json, Text, typed_callback
from integramap.web.common.services import Services

LOAD = "sites-load"
TABLE = "sites-table"
NEW_ID = "new-site-id"
NEW_NAME = "new-site-name"
NEW_AUTHOR = "new-site-author"
CREATE = "new-site-create"
CREATE_RESULT = "new-site-result"
ID_ERROR = "new-site-id-error"
NAME_ERROR = "new-site-name-error"


def layout(**_query: Any) -> html.Div:
    return html.Div([
        dcc.Store(id=LOAD, data=True),
        html.H2("Sites"),
        html.P("Each site is one area's integration model. Open one to see and edit its map; every save "
               "keeps a new revision, so nothing is ever overwritten.", className="lead"),
        html.Div(id=TABLE, className="sites-table"),
        html.H3("New site"),
        html.P("Start an empty site and build it on the map: add the organisations, then their teams, "
               "then the links between them.", className="hint"),
        html.Div([
            html.Div([html.Label("Name *", htmlFor=NEW_NAME), dcc.Input(id=NEW_NAME, type="text",
                                                      placeholder="e.g. Northvale children's services"),
                      html.Div(id=NAME_ERROR, className="field-error")], className="field"),
            html.Div([html.Label("Short name for links (optional)", htmlFor=NEW_ID,
                                 title="Made from the name when left empty; letters, digits and - _ . : only"),
                      dcc.Input(id=NEW_ID, type="text", placeholder="made from the name"),
                      html.Div(id=ID_ERROR, className="field-error")], className="field"),
            html.Div([html.Label("Your name *", htmlFor=NEW_AUTHOR), dcc.Input(id=NEW_AUTHOR, type="text")], className="field"),
            html.Button("Create site", id=CREATE, className="button primary"),
        ], className="new-site form"),
        html.Div(id=CREATE_RESULT, className="form-message"),
        html.H3("A real case"),
        demo_offer("sites", "Every GP practice of NHS South East London ICB in its primary care network, over "
                   "the six boroughs, drawn on the ONS boundaries: see where a borough boundary cuts through "
                   "a PCN. Built on the server from public NHS and ONS files saved there."),
    ], className="sites-page")


PAGE = PageSpec(path="/", name="Sites", order=0, layout=layout, title="IntegraMap", needs_site=False)


def _free_id(services: Services, stem: str) -> str:
    """``stem``, or ``stem-2``, ``stem-3``… when a stored site already has it (empty stays empty)."""
    if not stem:
        return ""
    found, n = stem, 1
    while services.store.exists(found):
        n += 1
        found = f"{stem}-{n}"
    return found


class _Load(CallbackInputs):
    load: Json


class _Author(CallbackInputs):
    name: Author


class _Create(CallbackInputs):
    clicks: Clicks
    site_id: Text
    name: Text
    author: Author


def register_callbacks(app: Dash, services: Services) -> None:
    register_demo_callbacks(app, services, "sites")

    @app.callback(Output(TABLE, "children"), Input(LOAD, "data"))
    @typed_callback(_Load)
    def list_sites(_load: Any) -> Any:
        sites = services.store.list_sites()
        if not sites:
            return html.P("No sites are stored yet. Create one below.")
        head = html.Thead(html.Tr([html.Th(h) for h in
                                   ("Site", "Units", "Links", "Revision", "Last saved", "By")]))
        rows = [html.Tr([
            html.Td(dcc.Link(s.name, href=f"/map?{urlencode({'site': s.id})}"), className="site-name"),
            html.Td(f"{s.units:,}", className="num"), html.Td(f"{s.links:,}", className="num"),
            html.Td(str(s.latest), className="num"),
            html.Td(s.updated_at.strftime("%d %b %Y %H:%M UTC")), html.Td(s.author),
        ]) for s in sites]
        return html.Table([head, html.Tbody(rows)], className="table")

    @app.callback(Output(NEW_AUTHOR, "value"), Input(ids.AUTHOR, "data"))
    @typed_callback(_Author)
    def remembered_author(name: str | None) -> Any:
        return name or no_update

    @app.callback(Output(CREATE_RESULT, "children"), Output(ID_ERROR, "children"),
                  Output(NAME_ERROR, "children"), Output(ids.NAV_LOCATION, "href", allow_duplicate=True),
                  Output(ids.AUTHOR, "data", allow_duplicate=True),
                  Input(CREATE, "n_clicks"), State(NEW_ID, "value"), State(NEW_NAME, "value"),
                  State(NEW_AUTHOR, "value"), prevent_initial_call=True)
    @typed_callback(_Create)
    def create(clicks: Any, site_id: str | None, name: str | None, author: str | None) -> tuple[Any, ...]:
        if not clicks:  # the page's first render, not a press of the button
            return no_update, no_update, no_update, no_update, no_update
        author = (author or "").strip()
        site_id = (site_id or "").strip() or _free_id(services, edit.slug(name or ""))
        try:
            site = edit.new_site(site_id, name or "")
        except SiteError as err:
            found: dict[str, list[str]] = {}
            for p in err.problems:
                found.setdefault(str(p.loc[0]) if p.loc else "", []).append(p.message)
            return ("", " ".join(found.get("id", [])), " ".join(found.get("name", [])), no_update, no_update)
        if not author:
            return html.Div("Enter your name: every revision records who saved it.", className="error"), \
                "", "", no_update, no_update
        try:
            services.store.save(site, author=author, message="Created in the browser", base=None)
        except ConflictError as err:
            return "", str(err), "", no_update, author
        except StoreError as err:
            return html.Div(str(err), className="error"), "", "", no_update, author
        return "", "", "", f"/map?{urlencode({'site': site.id})}", author
