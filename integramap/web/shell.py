"""The app shell: the Dash app, its navigation bar, site picker and page routing."""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from pathlib import Path
from types import ModuleType
from typing import Annotated, Any
from urllib.parse import parse_qs, urlencode

import dash
from dash import ALL, Dash, Input, Output, State, dcc, html, no_update

from flask import has_request_context
from pydantic import Field
from typing_extensions import TypedDict

from integramap.people import acting_person
from integramap.store.access import PersonalStore
from integramap.web.api.routes import install_api
from integramap.web.common import ids
from integramap.web.common.hardening import ERROR_ID, callback_error, install_hardening
from integramap.web.common.auth import LOGOUT_PATH, csrf_token, current_person, install_sign_in
from integramap.web.common.inputs import MAX_ID, CallbackInputs, Id, typed_callback
from integramap.web.common.pagespec import PageSpec
from integramap.web.common.services import Services
from integramap.web.map.working import remember_people

ASSETS = Path(__file__).resolve().parents[2] / "assets"
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def page_modules() -> list[ModuleType]:
    """Every page of the app, in navigation order.

    A page is a folder of ``integramap.web`` holding a ``page`` module that
    declares a ``PAGE`` (:class:`~integramap.web.common.pagespec.PageSpec`)
    and ``register_callbacks(app, services)``; the folder keeps the page's
    other pieces (ids, figures, data) beside it. Adding a page is one new
    folder.
    """
    import integramap.web as web

    found: list[ModuleType] = []
    for info in pkgutil.iter_modules(web.__path__):
        if not info.ispkg or importlib.util.find_spec(f"{web.__name__}.{info.name}.page") is None:
            continue
        module = importlib.import_module(f"{web.__name__}.{info.name}.page")
        if isinstance(getattr(module, "PAGE", None), PageSpec):
            found.append(module)
    return sorted(found, key=lambda m: (m.PAGE.order, m.PAGE.path))


def create_app(store: Any, services: Services | None = None, *, https: bool = False) -> Dash:
    """A new Dash app serving the stored sites.

    Every call builds a separate app with its own callbacks, so tests can make
    as many as they need; the page registry (which Dash keeps globally) is
    re-registered with the same layouts each time. Callbacks see the store
    through the signed-in person's roles (:class:`~integramap.store.access.PersonalStore`);
    ``https`` says browsers reach the app over HTTPS (at a TLS proxy): the session cookie is
    then sent over HTTPS only and browsers are told to keep to HTTPS.
    """
    services = services or Services(store=store)
    if not isinstance(services.store, PersonalStore):
        services.store = PersonalStore(services.store)
    # Every edit of a working copy is checked against the person's role (viewers change nothing).
    services.drafts.records = services.store.working_copies
    app = Dash(
        __name__,
        use_pages=True,
        pages_folder="",
        assets_folder=str(ASSETS),
        title="IntegraMap",
        suppress_callback_exceptions=True,
        update_title=None,  # type: ignore[arg-type]  # None turns the 'Updating…' title off
        on_error=callback_error,
    )
    # Screen readers pick their voice and pronunciation from the page's language (WCAG 3.1.1).
    app.index_string = app.index_string.replace("<html>", '<html lang="en-GB">', 1)
    # Uploads arrive base64-encoded in one request: allow a 20 MB file plus encoding overhead.
    app.server.config["MAX_CONTENT_LENGTH"] = MAX_UPLOAD_BYTES * 4 // 3 + 1024 * 1024
    modules = page_modules()
    for module in modules:
        spec: PageSpec = module.PAGE
        dash.register_page(  # type: ignore[no-untyped-call]
            module.__name__, path=spec.path, name=spec.name, order=spec.order,
            title=spec.title or f"{spec.name} · IntegraMap", layout=spec.layout)
    install_sign_in(app.server, services.store, secure_cookies=https)
    install_api(app.server, services.store)
    specs = [m.PAGE for m in modules]
    app.layout = lambda: _layout(specs)  # per request: it names the signed-in person
    _register_shell_callbacks(app, services, [m.PAGE for m in modules])
    for module in modules:
        module.register_callbacks(app, services)
    app.server.extensions["integramap"] = services
    remember_people(app.server)
    app.server.extensions["integramap-app"] = app
    install_hardening(app, https=https)  # last: the CSP hashes every inline script registered above
    return app


def _layout(specs: list[PageSpec]) -> html.Div:
    person = acting_person()
    with_account = person is not None and not person.local
    links = [dcc.Link(spec.name, href=spec.path, id={"type": ids.NAV_LINK, "path": spec.path},
                      className="nav-link")
             for spec in specs if spec.in_nav and (with_account or not spec.needs_accounts)]
    signed_in: list[Any] = []
    if with_account and person is not None and has_request_context():
        signed_in = [html.Div([
            html.Span(person.name, id=ids.NAV_PERSON),
            html.Form([dcc.Input(type="hidden", name="csrf", value=csrf_token()),
                       html.Button("Sign out", type="submit", className="button small")],
                      action=LOGOUT_PATH, method="POST"),
        ], className="nav-person")]
    return html.Div([
        dcc.Location(id=ids.NAV_LOCATION, refresh="callback-nav"),
        dcc.Store(id=ids.AUTHOR, storage_type="local"),
        dcc.Store(id=ids.OPENED_SITES, storage_type="memory", data=[]),
        html.Header([
            dcc.Link("IntegraMap", href="/", className="brand"),
            html.Nav(links, className="nav-links"),
            # In the bar, not a footer: a footer would take height from the map, which plans its
            # level of detail for the space it has.
            dcc.Link("Accessibility", href="/accessibility", id=ids.NAV_ACCESSIBILITY,
                     className="nav-link nav-accessibility", title="Accessibility statement"),
            html.Div([
                html.Label("Site", htmlFor=ids.NAV_SITE, className="nav-label"),
                dcc.Dropdown(id=ids.NAV_SITE, placeholder="Choose a site…", clearable=False,
                             className="nav-site"),
            ], className="nav-picker"),
            *signed_in,
        ], className="topbar"),
        html.Div(id=ERROR_ID, className="error app-error", role="alert", style={"display": "none"}),
        # The page scrolls inside <main> (the bar stays in view): a tab stop, so a keyboard can scroll
        # a long page that has no field or link in it (WCAG 2.1.1).
        html.Main(dash.page_container, className="page", tabIndex="0"),
    ], className="app")


def site_from_search(search: str | None) -> str | None:
    """The ``site`` value of a query string, or ``None``.

    Examples
    --------
    >>> site_from_search("?site=riverside-borough&x=1")
    'riverside-borough'
    >>> site_from_search("") is None
    True
    """
    values = parse_qs((search or "").lstrip("?")).get("site")
    return values[0] if values else None


class _Location(CallbackInputs):
    pathname: Id
    search: Id


class _Pathname(CallbackInputs):
    pathname: Id


class _NavLinkId(TypedDict):
    path: Annotated[str, Field(max_length=MAX_ID)]


class _NavLinks(CallbackInputs):
    search: Id
    link_ids: Annotated[list[_NavLinkId], Field(max_length=100)]


class _PickSite(CallbackInputs):
    site: Id
    pathname: Id
    search: Id


def _register_shell_callbacks(app: Dash, services: Services, specs: list[PageSpec]) -> None:
    needs_site = {spec.path: spec.needs_site for spec in specs}

    @app.callback(Output(ids.NAV_SITE, "options"), Output(ids.NAV_SITE, "value"),
                  Input(ids.PAGES_LOCATION, "pathname"), Input(ids.PAGES_LOCATION, "search"))
    @typed_callback(_Location)
    def fill_picker(pathname: str | None, search: str | None) -> tuple[Any, Any]:
        sites = services.store.list_sites()
        options = [{"label": s.name, "value": s.id} for s in sites]
        return options, site_from_search(search)

    @app.callback(Output(ERROR_ID, "style"), Input(ids.PAGES_LOCATION, "pathname"))
    @typed_callback(_Pathname)
    def clear_error(_pathname: str | None) -> dict[str, str]:
        # A failure reported on one page is not repeated on the next.
        return {"display": "none"}

    @app.callback(Output(ids.AUTHOR, "data", allow_duplicate=True), Input(ids.PAGES_LOCATION, "pathname"),
                  prevent_initial_call="initial_duplicate")
    @typed_callback(_Pathname)
    def signed_in_author(_pathname: str | None) -> Any:
        # The pages' name fields show who will be recorded as the author: the signed-in person.
        person = current_person()
        return no_update if person.local else person.name

    @app.callback(Output({"type": ids.NAV_LINK, "path": ALL}, "href"),
                  Input(ids.PAGES_LOCATION, "search"),
                  State({"type": ids.NAV_LINK, "path": ALL}, "id"))
    @typed_callback(_NavLinks)
    def link_with_site(search: str | None, link_ids: list[dict[str, str]]) -> list[str]:
        site = site_from_search(search)
        out = []
        for link_id in link_ids:
            path = link_id["path"]
            out.append(f"{path}?{urlencode({'site': site})}" if site and needs_site.get(path) else path)
        return out

    @app.callback(Output(ids.NAV_LOCATION, "href"), Input(ids.NAV_SITE, "value"),
                  State(ids.PAGES_LOCATION, "pathname"), State(ids.PAGES_LOCATION, "search"),
                  prevent_initial_call=True)
    @typed_callback(_PickSite)
    def pick_site(site: str | None, pathname: str | None, search: str | None) -> Any:
        if not site or site == site_from_search(search):
            return no_update
        path = pathname if pathname and needs_site.get(pathname) else "/map"
        return f"{path}?{urlencode({'site': site})}"
