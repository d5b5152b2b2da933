"""Signing in to the web app, and who the signed-in person is.

With accounts in the database every page, layout and callback needs a
signed-in person: a browser without one is sent to the sign-in page, and a
callback or API request gets 401. With none the app is single-user: every
request acts for :data:`~integramap.people.LOCAL_PERSON`, and only from this
computer (the server also refuses to listen on other addresses).

Callbacks (and code they call, such as the store) ask :func:`current_person`.
The session cookie holds only the account name, signed with a key every
server process shares (``$INTEGRAMAP_SECRET_KEY`` or one kept in the
database); roles are read afresh on each request, so a grant or a removed
account takes effect at once.
"""

from __future__ import annotations

import html
import ipaddress
import os
import secrets
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode, urlparse

from flask import Flask, Response, g, redirect, request, session
from werkzeug.wrappers import Response as BaseResponse

from integramap.people import LOCAL_PERSON, NotSignedIn, Person, acting_person, reset_acting, set_acting
from integramap.store import Store
from integramap.store.access import PersonalStore
from integramap.store.accounts import AccountError, TooManyAttempts
from integramap.web.common.oidc import OidcConfig, OidcRefused, OidcSignIn
from integramap.web.api.routes import PREFIX as API_PREFIX
from integramap.web.api.routes import error as api_error
from integramap.web.api.routes import person_from_authorization

SECRET_KEY_ENV = "INTEGRAMAP_SECRET_KEY"
LOGIN_PATH = "/login"
LOGOUT_PATH = "/logout"
OIDC_START_PATH = "/login/oidc"
OIDC_CALLBACK_PATH = "/login/oidc/callback"
SIGNED_OUT_PATH = "/login/signed-out"
"""Where the identity provider sends people back after ending their session there too."""
_ID_TOKEN_KEY = "oidc_id_token"
SIGNED_OUT = "You have signed out."
SIGNED_OUT_HERE_ONLY = ("You have signed out of IntegraMap. You may still be signed in to {provider} in this "
                        "browser: on a shared computer, close the browser as well.")
SESSION_HOURS = 12
MAX_FAILURES = 5
"""Failed sign-ins allowed for one name in :data:`FAILURE_WINDOW_SECONDS` before it must wait."""
FAILURE_WINDOW_SECONDS = 15 * 60
# What a browser needs before signing in: the sign-in page and the app's style and scripts
# (public library code, no data).
_OPEN_PREFIXES = ("/assets/", "/_dash-component-suites/", "/_favicon.ico", LOGIN_PATH,
                  f"{API_PREFIX}/openapi.json")


def current_person() -> Person:
    """The person the current request acts for; :class:`~integramap.people.NotSignedIn` if none.

    In single-user mode this is :data:`~integramap.people.LOCAL_PERSON`.
    """
    person = acting_person()
    if person is None:
        raise NotSignedIn()
    return person


def is_loopback(address: str | None) -> bool:
    """Whether a network address is this computer's own.

    Examples
    --------
    >>> is_loopback("127.0.0.1"), is_loopback("::1"), is_loopback("localhost"), is_loopback("10.0.0.5")
    (True, True, True, False)
    """
    if address in ("localhost", None) or address == "":
        return address == "localhost"
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def install_sign_in(server: Flask, store: PersonalStore, *, secure_cookies: bool = False,
                    oidc: OidcConfig | None = None) -> None:
    """Require a signed-in person on every request to ``server`` once accounts exist.

    ``oidc`` (by default read from the environment, see :class:`~integramap.web.common.oidc.OidcConfig`)
    adds "Sign in with <provider>" beside the password form.
    """
    oidc = oidc if oidc is not None else OidcConfig.from_env()
    provider = OidcSignIn(server, oidc) if oidc is not None else None
    provider_name = oidc.provider_name if oidc is not None else None
    server.secret_key = os.environ.get(SECRET_KEY_ENV) or store.accounts.secret("session-key")
    server.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                         SESSION_COOKIE_SECURE=secure_cookies, SESSION_COOKIE_NAME="integramap_session",
                         PERMANENT_SESSION_LIFETIME=timedelta(hours=SESSION_HOURS))

    @server.before_request
    def gate() -> Any:
        api = request.path.startswith(API_PREFIX + "/")
        reason = ""
        if store.accounts.count() == 0:
            person: Person | None = LOCAL_PERSON
        elif api:  # the API takes credentials in each request, never the session cookie
            person, reason = person_from_authorization(store)
        else:
            person = _session_person(store)
        g.integramap_acting = set_acting(person)
        if person is LOCAL_PERSON and not is_loopback(request.remote_addr):
            return Response("IntegraMap has no accounts yet, so it only answers on the computer it runs on.",
                            status=403, mimetype="text/plain")
        if person is not None or request.path.startswith(_OPEN_PREFIXES):
            return None
        if api:
            if reason == "rate-limited":
                return api_error(429, "Too many failed sign-ins for this name: wait 15 minutes.")
            return api_error(401, reason)
        if request.method == "GET" and not request.path.startswith(("/_dash-", "/api/")):
            return redirect(f"{LOGIN_PATH}?{urlencode({'next': request.full_path.rstrip('?')})}")
        return Response('{"message": "Please sign in."}', status=401, mimetype="application/json")

    @server.teardown_request
    def release(_exc: BaseException | None) -> None:
        token = g.pop("integramap_acting", None)
        if token is not None:
            try:
                reset_acting(token)
            except ValueError:  # set in another context (a streamed response): nothing to undo
                pass

    @server.route(LOGIN_PATH, methods=["GET", "POST"])
    def login() -> Any:
        if store.accounts.count() == 0:
            return redirect("/")
        target = _safe_next(request.values.get("next"))
        if request.method == "GET":
            said = request.args.get("signed_out")
            notice = (SIGNED_OUT_HERE_ONLY.format(provider=provider_name) if said == "here" and provider_name
                      else SIGNED_OUT if said else "")
            return _login_page(target, notice=notice, provider=provider_name)
        if not _csrf_ok(request.form.get("csrf")):
            return _login_page(target, "The sign-in form had expired. Please try again.", status=400,
                               provider=provider_name)
        name = request.form.get("name", "")
        try:
            person = store.accounts.sign_in(name, request.form.get("password", ""), most_failures=MAX_FAILURES,
                                            window_seconds=FAILURE_WINDOW_SECONDS)
        except TooManyAttempts:
            return _login_page(target, "Too many failed attempts for this name. Please wait 15 minutes "
                                       "and try again.", status=429, name=name, provider=provider_name)
        if person is None:
            return _login_page(target, "That name and password do not match.", status=401, name=name,
                               provider=provider_name)
        return _signed_in(person.name, target)

    @server.route(LOGOUT_PATH, methods=["POST"])
    def logout() -> Any:
        if not _csrf_ok(request.form.get("csrf")):
            return redirect(LOGIN_PATH)
        id_token = session.get(_ID_TOKEN_KEY)
        session.clear()
        if provider is not None and isinstance(id_token, str):
            # Signed in through the provider: end that session too, or the next person at this
            # browser who presses "Sign in with …" is let in as this one without a password.
            address = provider.end_session_address(id_token, request.url_root.rstrip("/") + SIGNED_OUT_PATH)
            if address is not None:
                return redirect(address)
            return redirect(f"{LOGIN_PATH}?signed_out=here")
        return redirect(f"{LOGIN_PATH}?signed_out=yes")

    @server.route(SIGNED_OUT_PATH, methods=["GET"])
    def signed_out() -> Any:
        return _login_page("/", notice=SIGNED_OUT, provider=provider_name)

    if provider is not None and oidc is not None:
        _install_oidc(server, store, provider, oidc)


def _install_oidc(server: Flask, store: Store, provider: OidcSignIn, oidc: OidcConfig) -> None:
    """The two addresses of the identity provider's sign-in: where it starts and where it comes back."""
    provider_name = oidc.provider_name

    @server.route(OIDC_START_PATH, methods=["GET"])
    def oidc_start() -> Any:
        # The first account is made at the command line (it decides who the admin is), never by
        # whoever reaches the provider first.
        if store.accounts.count() == 0:
            return redirect("/")
        target = _safe_next(request.args.get("next"))
        session["oidc_next"] = target
        try:
            return provider.start(request.url_root.rstrip("/") + OIDC_CALLBACK_PATH)
        except OidcRefused as err:
            return _login_page(target, str(err), status=502, provider=provider_name)

    @server.route(OIDC_CALLBACK_PATH, methods=["GET"])
    def oidc_callback() -> Any:
        if store.accounts.count() == 0:
            return redirect("/")
        target = _safe_next(session.pop("oidc_next", None))
        try:
            identity = provider.finish()
        except OidcRefused as err:
            store.accounts.record("(identity provider)", "sign-in failed", None, str(err)[:200])
            return _login_page(target, str(err), status=400, provider=provider_name)
        try:
            person = store.accounts.sign_in_identity(identity.subject, email=identity.email,
                                                     display=identity.name, create=oidc.new_accounts)
        except AccountError as err:
            return _login_page(target, str(err), status=403, provider=provider_name)
        return _signed_in(person.name, target, id_token=identity.id_token)


def _signed_in(name: str, target: str, *, id_token: str | None = None) -> BaseResponse:
    # A fresh session: nothing from before signing in (a planted id, a half-done sign-in) carries over.
    session.clear()
    session.permanent = True
    session["person"] = name
    # The sign-out form's token is made now, with the session, not by the first page drawn after:
    # a page's first requests run at once, each sending the cookie back as it found it, and one
    # that found no token would wipe out the one another had just made (sign-out then silently failed).
    session["csrf"] = secrets.token_urlsafe(24)
    if id_token:
        session[_ID_TOKEN_KEY] = id_token
    return redirect(target)


def csrf_token() -> str:
    """This session's token for forms that post outside Dash (sign-in, sign-out)."""
    token = session.get("csrf")
    if not isinstance(token, str):
        token = session["csrf"] = secrets.token_urlsafe(24)
    return token


def _csrf_ok(sent: str | None) -> bool:
    expected = session.get("csrf")
    return isinstance(expected, str) and isinstance(sent, str) and secrets.compare_digest(expected, sent)


def _session_person(store: Store) -> Person | None:
    name = session.get("person")
    if not isinstance(name, str):
        return None
    try:
        return store.accounts.person(name)
    except AccountError:  # the account was removed: the session ends with it
        session.clear()
        return None


def _safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this server only, never another site.

    Examples
    --------
    >>> _safe_next("/map?site=a"), _safe_next("https://evil.example/"), _safe_next("//evil.example")
    ('/map?site=a', '/', '/')
    """
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or parsed.path.startswith(LOGIN_PATH):
        return "/"
    return target


def _login_page(target: str, message: str = "", *, status: int = 200, name: str = "",
                provider: str | None = None, notice: str = "") -> Response:
    error = f'<p class="error" role="alert">{html.escape(message)}</p>' if message else ""
    if notice:
        error += f'<p class="notice" role="status" id="sign-in-notice">{html.escape(notice)}</p>'
    other = ""
    if provider:
        start = f"{OIDC_START_PATH}?{urlencode({'next': target})}"
        other = (f'<a class="button primary sign-in-provider" id="sign-in-provider" href="{html.escape(start)}">'
                 f'Sign in with {html.escape(provider)}</a>'
                 '<p class="hint sign-in-or">or with an IntegraMap name and password</p>')
    body = f"""<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · IntegraMap</title><link rel="stylesheet" href="/assets/integramap.css"></head>
<body><div class="app">
<header class="topbar"><span class="brand">IntegraMap</span></header>
<main class="page"><div class="sign-in">
<h1>Sign in</h1>
<p class="lead">Sign in to see and edit the sites you work on.</p>
{error}
{other}
<form method="post" action="{LOGIN_PATH}">
<input type="hidden" name="csrf" value="{html.escape(csrf_token())}">
<input type="hidden" name="next" value="{html.escape(target)}">
<div class="field"><label for="name">Name</label>
<input id="name" name="name" autocomplete="username" required autofocus value="{html.escape(name)}"></div>
<div class="field"><label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required></div>
<button class="button primary" type="submit">Sign in</button>
</form></div></main></div></body></html>"""
    return Response(body, status=status, mimetype="text/html")
