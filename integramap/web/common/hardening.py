"""Serving safely on a network: security headers, a same-origin check on every write, and
errors that reach people as a sentence rather than a traceback.

Cross-site request forgery: every state-changing request is refused when the
browser says it comes from another site (its ``Origin`` header names another
host, or ``Sec-Fetch-Site`` is ``cross-site``/``same-site``). Dash's callbacks
are ``fetch`` posts of JSON, for which every current browser sends both
headers, so this needs no token threaded through Dash's requests; the session
cookie is also ``SameSite=Lax``, which already keeps it off cross-site posts,
and the sign-in and sign-out forms carry their own token. The REST API takes
credentials only from the ``Authorization`` header and JSON bodies only, which
a page on another site cannot send without the server's consent (CORS).
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlparse

from dash import Dash, set_props
from dash.exceptions import InvalidCallbackReturnValue, PreventUpdate
from flask import Flask, Response, jsonify, request
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from integramap.people import NotSignedIn
from integramap.store.access import NotAllowed
from integramap.web.common.inputs import ALERT_ID, REFUSED, install_input_checks

log = logging.getLogger(__name__)

ERROR_ID = ALERT_ID
"""The shell's alert line where a callback's unexpected failure is reported."""
BUSY = "The database is busy: please try again in a moment."
FAILED = "Something went wrong on the server and nothing was changed. Please try again; if it keeps " \
         "happening, tell whoever runs IntegraMap for your organisation."
_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def content_security_policy(inline_script_hashes: list[str]) -> str:
    """The CSP the app runs under: its own scripts and Dash's inline ones by hash, no framing.

    Plotly's figures compile some functions at run time ('unsafe-eval'), and
    Dash, Plotly and Cytoscape set inline styles ('unsafe-inline' for styles
    only); nothing is loaded from another origin.

    Examples
    --------
    >>> "frame-ancestors 'none'" in content_security_policy(["'sha256-abc='"])
    True
    """
    directives = {
        "default-src": "'self'",
        "script-src": " ".join(["'self'", "'unsafe-eval'", *inline_script_hashes]),
        "style-src": "'self' 'unsafe-inline'",
        "img-src": "'self' data: blob:",
        "font-src": "'self' data:",
        "connect-src": "'self'",
        "worker-src": "'self' blob:",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def cross_site(origin: str | None, fetch_site: str | None, host: str) -> bool:
    """Whether a request's own headers say another site made it.

    Examples
    --------
    >>> cross_site("http://localhost:8050", "same-origin", "localhost:8050")
    False
    >>> cross_site("https://evil.example", None, "localhost:8050")
    True
    >>> cross_site(None, "cross-site", "localhost:8050"), cross_site(None, None, "localhost:8050")
    (True, False)
    """
    if fetch_site in ("cross-site", "same-site"):
        return True
    if origin:
        return origin == "null" or urlparse(origin).netloc.lower() != host.lower()
    return False


def install_hardening(app: Dash, *, https: bool = False) -> None:
    """Security headers, the same-origin check on writes, and error pages without tracebacks."""
    server: Flask = app.server
    headers = {
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    }
    if https:
        headers["Strict-Transport-Security"] = "max-age=31536000"

    @server.before_request
    def same_origin_writes() -> Any:
        if request.method in _SAFE_METHODS:
            return None
        if cross_site(request.headers.get("Origin"), request.headers.get("Sec-Fetch-Site"), request.host):
            return Response("Refused: this request came from another web site.", status=403,
                            mimetype="text/plain")
        return None

    @server.after_request
    def security_headers(response: Response) -> Response:
        if "Content-Security-Policy" not in headers:
            # Dash adds its pages' inline scripts while serving the first request, so the
            # hashes are taken then, once (each comes quoted).
            headers["Content-Security-Policy"] = content_security_policy(list(app.csp_hashes()))
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        return response

    @server.errorhandler(PoolTimeout)
    @server.errorhandler(OperationalError)
    def busy(err: Exception) -> Response:
        log.warning("database busy or unreachable: %s", err)
        return _error_response(503, BUSY)

    @server.errorhandler(NotSignedIn)
    def signed_out(_err: Exception) -> Response:
        return _error_response(401, str(NotSignedIn()))

    # Last, so a post refused as malformed is one that was allowed in (signed in, same origin).
    install_input_checks(server, lambda: app.callback_map, app.config.routes_pathname_prefix +
                         "_dash-update-component", dispatch_failed)


def dispatch_failed(err: Exception) -> Response:
    """A fault Dash meets answering a callback request outside the callback: the alert line, not a 500."""
    if isinstance(err, (PreventUpdate, HTTPException, PoolTimeout, OperationalError, NotSignedIn)):
        raise err  # answered by their own handlers (204, their status, 503, 401)
    if isinstance(err, InvalidCallbackReturnValue):
        # The post named other components than the page has (a list of form fields cut short):
        # the answer cannot be fitted to them.
        log.warning("a callback's answer did not fit the components the request named: %s", str(err)[:300])
        message = REFUSED
    else:
        log.error("unexpected error answering a callback request", exc_info=err)
        message = FAILED
    return jsonify({"multi": True, "response": {},
                    "sideUpdate": {ERROR_ID: {"children": message, "style": {"display": "block"}}}})


def callback_error(err: Exception) -> None:
    """Dash's global callback error handler: log it, tell the person in one sentence, change nothing.

    Pages catch the faults they expect (bad input, conflicts) and say so beside
    the control; this is for everything else, so no callback ever answers 500.
    """
    if isinstance(err, (PoolTimeout, OperationalError)):
        log.warning("database busy during a callback: %s", err)
        message = BUSY
    elif isinstance(err, (NotSignedIn, NotAllowed)):
        # A refusal by role is expected (a viewer's request sent by hand), not a fault to log.
        message = str(err)
    else:
        log.error("unexpected error in a callback", exc_info=err)
        message = FAILED
    set_props(ERROR_ID, {"children": message, "style": {"display": "block"}})


def _error_response(status: int, message: str) -> Response:
    if request.path.startswith(("/api/", "/_dash-")):
        response = jsonify({"message": message})
        response.status_code = status
    else:
        response = Response(message, status=status, mimetype="text/plain")
    if status == 503:
        response.headers["Retry-After"] = "2"
    return response
