"""The Sharing page: who may see, edit and share a site, and an owner's controls to change that.

Only the site's owners (and admins) get the controls, and the server checks
again on every change (:meth:`~integramap.store.access.PersonalStore.share`).
"""

from __future__ import annotations

from typing import Any

from dash import Dash, Input, Output, State, dcc, html, no_update

from integramap.people import Role
from integramap.store import StoreError
from integramap.store.access import PersonalStore
from integramap.store.accounts import AccountError
from integramap.web.common import ids
from integramap.web.common.auth import current_person
from integramap.web.common.pagespec import PageSpec
from integramap.web.common.inputs import CallbackInputs, Clicks, Id, typed_callback
from integramap.web.common.services import Services
from integramap.web.shell import site_from_search
from integramap.web.typology.page import error_box, problem_text

TITLE = "share-title"
MEMBERS = "share-members"
CONTROLS = "share-controls"
PERSON = "share-person"
ROLE = "share-role"
GIVE = "share-give"
TAKE = "share-take"
RESULT = "share-result"
REFRESH = "share-refresh"

ROLE_WORDS = {Role.VIEWER: "Viewer: can open the site and its analyses",
              Role.EDITOR: "Editor: can also save changes and restore old revisions",
              Role.OWNER: "Owner: can also share the site"}


def layout(**_query: Any) -> html.Div:
    return html.Div([
        dcc.Store(id=REFRESH, data=0),
        html.H2("Sharing", id=TITLE),
        html.P("Who may see this site, who may change it, and who may share it.", className="lead"),
        html.Div(id=MEMBERS),
        html.Div([
            html.H3("Give someone a role"),
            html.Div([html.Label("Person", htmlFor=PERSON),
                      dcc.Dropdown(id=PERSON, clearable=False, placeholder="Choose a person")],
                     className="field"),
            html.Div([html.Label("Role", htmlFor=ROLE),
                      dcc.RadioItems(id=ROLE, value=Role.VIEWER.value, className="radio role-choices",
                                     options=[{"label": words, "value": role.value}
                                              for role, words in ROLE_WORDS.items()])],
                     className="field"),
            html.Div([html.Button("Give this role", id=GIVE, className="button primary"),
                      html.Button("Take away their role", id=TAKE, className="button danger")],
                     className="buttons"),
        ], id=CONTROLS, style={"display": "none"}),
        html.Div(id=RESULT),
    ], className="sites-page")


PAGE = PageSpec(path="/share", name="Sharing", order=90, layout=layout, title="Sharing · IntegraMap",
                needs_accounts=True)


class _Show(CallbackInputs):
    search: Id
    refresh: Clicks


class _Change(CallbackInputs):
    give: Clicks
    take: Clicks
    who: Id
    role: Id
    search: Id
    refresh: Clicks


def register_callbacks(app: Dash, services: Services) -> None:
    @app.callback(Output(TITLE, "children"), Output(MEMBERS, "children"), Output(CONTROLS, "style"),
                  Output(PERSON, "options"),
                  Input(ids.PAGES_LOCATION, "search"), Input(REFRESH, "data"))
    @typed_callback(_Show)
    def show(search: str | None, _refresh: Any) -> tuple[Any, ...]:
        site_id = site_from_search(search)
        hidden = {"display": "none"}
        if not site_id:
            return "Sharing", html.P("Choose a site above to see who it is shared with."), hidden, []
        try:
            name = services.store.get(site_id).name
        except (LookupError, StoreError) as err:
            return "Sharing", error_box(problem_text(err)), hidden, []
        person = current_person()
        if person.local:
            return (f"{name} — sharing", html.P("Sharing is available once sign-in is set up for your "
                                                "organisation; until then only this computer can open the app."),
                    hidden, [])
        members = services.store.accounts.members(site_id)
        rows = [html.Tr([html.Td(who), html.Td(role.value.title())]) for who, role in members.items()]
        table = (html.Table([html.Thead(html.Tr([html.Th("Person"), html.Th("Role")])), html.Tbody(rows)],
                            className="table") if rows else
                 html.P("No one has a role on this site yet; admins can see every site."))
        if not person.may(site_id, Role.OWNER):
            owners = [who for who, role in members.items() if role is Role.OWNER]
            ask = f" Ask an owner ({', '.join(owners)}) to share it." if owners else ""
            return f"{name} — sharing", [table, html.P(f"Only the site's owners can change this.{ask}",
                                                       className="hint")], hidden, []
        people = [{"label": a.name, "value": a.name} for a in services.store.accounts.all()]
        return f"{name} — sharing", table, {"display": "block"}, people

    @app.callback(Output(RESULT, "children"), Output(REFRESH, "data"),
                  Input(GIVE, "n_clicks"), Input(TAKE, "n_clicks"),
                  State(PERSON, "value"), State(ROLE, "value"), State(ids.PAGES_LOCATION, "search"),
                  State(REFRESH, "data"), prevent_initial_call=True)
    @typed_callback(_Change)
    def change(give: Any, take: Any, who: Any, role: Any, search: str | None, refresh: Any) -> tuple[Any, ...]:
        from dash import ctx

        site_id = site_from_search(search)
        store = services.store
        assert isinstance(store, PersonalStore), "create_app hands pages the store through the person's roles"
        if not isinstance(who, str) or not who or not site_id:
            return error_box("Choose the person first."), no_update
        try:
            if ctx.triggered_id == TAKE:
                store.share(who, site_id, None)
                done = f"{who} no longer has a role on this site."
            else:
                chosen = Role(role)
                store.share(who, site_id, chosen)
                done = f"{who} is now {chosen.value} of this site."
        except (ValueError, LookupError, StoreError, AccountError) as err:
            return error_box(problem_text(err)), no_update
        return html.Div(done, className="ok"), (refresh if isinstance(refresh, int) else 0) + 1
