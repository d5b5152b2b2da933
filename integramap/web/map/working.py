"""The browser's handle on its working copy, which the store keeps per person and site.

The browser keeps only a small handle in a ``dcc.Store``: whose copy of which
site (``person``, ``site``), its ``version`` (a new one makes the map redraw),
``fit`` (whether the redraw shows the whole map again), ``dirty`` (read by
``assets/unsaved.js`` before the page is left) and ``page``, which tells this
page's lists apart from another tab's. The person is a per-browser id kept in
a cookie until people sign in; a signed-in account will fill the same key.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, g, has_request_context, request

from integramap.drafts import Draft, StaleWorkingCopy
from integramap.people import acting_person
from integramap.store import UnknownSiteError
from integramap.web.common.services import Services

PERSON_COOKIE = "integramap_person"
ANONYMOUS = "anonymous"
"""The person outside a web request (scripts and tests calling the page functions)."""
COOKIE_DAYS = 400

EXPIRED = "This working copy is no longer kept. Reload the page to open the latest saved revision."


class WorkingCopyGone(LookupError):
    """The browser's handle names no working copy: the page must open the site again."""

    def __str__(self) -> str:
        return EXPIRED


def current_person() -> str:
    """Whose working copies a request may use: the signed-in account's, or else (single-user mode)
    this browser's id from its cookie (a new one is made, and set on the reply)."""
    if not has_request_context():
        return ANONYMOUS
    signed_in = acting_person()
    if signed_in is not None and not signed_in.local:
        return f"account:{signed_in.name}"
    if "integramap_person" in g:
        return str(g.integramap_person)
    person = request.cookies.get(PERSON_COOKIE, "")
    if not (8 <= len(person) <= 64 and person.replace("-", "").replace("_", "").isalnum()):
        person = secrets.token_urlsafe(16)
        g.integramap_new_person = person
    g.integramap_person = person
    return person


def remember_people(server: Flask) -> None:
    """Give every browser its person cookie with its first reply."""
    @server.before_request
    def _person() -> None:
        current_person()

    @server.after_request
    def _cookie(response: Response) -> Response:
        new = g.get("integramap_new_person")
        if new:
            response.set_cookie(PERSON_COOKIE, new, max_age=COOKIE_DAYS * 86400, httponly=True, samesite="Lax")
        return response


def draft_of(services: Services, handle: dict[str, Any] | None) -> Draft:
    """The working copy a browser handle names; :class:`WorkingCopyGone` when there is none."""
    if not handle or not handle.get("site") or not handle.get("person"):
        raise WorkingCopyGone()
    # The handle comes from the browser: inside a request only the asker's own copies are theirs.
    if has_request_context() and str(handle["person"]) != current_person():
        raise WorkingCopyGone()
    try:
        return services.drafts.get(str(handle["person"]), str(handle["site"]))
    except KeyError:
        raise WorkingCopyGone() from None


def copy_key(handle: dict[str, Any]) -> str:
    """The key of a working copy in the app's caches (positions computed for it)."""
    return f"{handle.get('person')}/{handle.get('site')}"


def handle_for(handle: dict[str, Any], draft: Draft, fit: bool = False, **extra: Any) -> dict[str, Any]:
    """The browser's handle after a change: the new version makes the map redraw."""
    return {**{k: v for k, v in handle.items() if k in ("person", "page")}, "site": draft.site_id,
            "version": draft.version, "fit": fit, "base": draft.base, "dirty": draft.dirty, **extra}


def open_site(services: Services, site_id: str) -> dict[str, Any]:
    """The handle of this person's working copy of a site (started from its latest revision if there is
    none); ``unsaved`` says when its unsaved edits were made. :class:`UnknownSiteError` if no such site."""
    person = current_person()
    opened = services.drafts.open(person, site_id)
    handle = handle_for({"person": person, "page": secrets.token_urlsafe(8)}, opened.draft, fit=True)
    handle["unsaved"] = when(opened.unsaved_since) if opened.unsaved_since else None
    return handle


def when(moment: datetime, now: datetime | None = None) -> str:
    """A time in words for a manager: "at 14:05 today", "yesterday at 09:10", "on 3 March at 16:00".

    Examples
    --------
    >>> now = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
    >>> when(datetime(2026, 3, 10, 14, 5, tzinfo=UTC), now), when(datetime(2026, 3, 9, 9, 10, tzinfo=UTC), now)
    ('at 14:05 today', 'yesterday at 09:10')
    >>> when(datetime(2026, 3, 3, 16, 0, tzinfo=UTC), now)
    'on 3 March at 16:00'
    """
    now = now or datetime.now(UTC)
    moment = moment.astimezone(UTC)
    clock = moment.strftime("%H:%M")
    days = (now.date() - moment.date()).days
    if days == 0:
        return f"at {clock} today"
    if days == 1:
        return f"yesterday at {clock}"
    return f"on {moment.day} {moment.strftime('%B')} at {clock}"


def pressed(triggered: list[dict[str, Any]]) -> bool:
    """Whether a callback runs because a button was pressed (``n_clicks`` set), not because the
    button was just drawn: Dash runs callbacks when the tab holding their buttons is opened.

    Examples
    --------
    >>> pressed([{"prop_id": "save.n_clicks", "value": 1}]), pressed([{"prop_id": "save.n_clicks", "value": None}])
    (True, False)
    """
    return any(t.get("value") for t in triggered)


def status_text(draft: Draft) -> str:
    """One line for the toolbar: which revision, and whether there are unsaved edits.

    Examples
    --------
    >>> from integramap.edit import new_site
    >>> status_text(Draft(new_site("s", "S"), base=None))
    'New site, not saved yet'
    >>> status_text(Draft(new_site("s", "S"), base=2))
    'Revision 2 · all changes saved'
    """
    if draft.base is None:
        return "New site, not saved yet"
    if draft.dirty:
        return f"Revision {draft.base} · unsaved changes"
    return f"Revision {draft.base} · all changes saved"


__all__ = ["EXPIRED", "PERSON_COOKIE", "StaleWorkingCopy", "UnknownSiteError", "WorkingCopyGone", "copy_key",
           "current_person", "draft_of", "handle_for", "open_site", "pressed", "remember_people",
           "status_text", "when"]
