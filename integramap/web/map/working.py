"""The browser's handle on its server-side working copy (a :class:`~integramap.drafts.Draft`).

The browser keeps only ``{"token", "version", "fit"}`` in a ``dcc.Store``:
the token finds the draft, a new version makes the map redraw, and ``fit``
says whether the redraw should show the whole map again (opening a site) or
keep the user's zoom (an edit).
"""

from __future__ import annotations

from typing import Any

from integramap.drafts import Draft
from integramap.store import UnknownSiteError
from integramap.web.common.services import Services

EXPIRED = ("This working copy is no longer on the server (the app was restarted or it was unused "
           "for a long time). Reload the page to open the latest saved revision; unsaved edits "
           "were lost.")


class WorkingCopyGone(LookupError):
    """The browser's token names no draft: the page must reload the site."""

    def __str__(self) -> str:
        return EXPIRED


def draft_of(services: Services, handle: dict[str, Any] | None) -> Draft:
    """The draft a browser handle names; :class:`WorkingCopyGone` when there is none."""
    if not handle or not handle.get("token"):
        raise WorkingCopyGone()
    try:
        return services.drafts.get(str(handle["token"]))
    except KeyError:
        raise WorkingCopyGone() from None


def handle_for(token: str, draft: Draft, fit: bool = False) -> dict[str, Any]:
    """The browser's handle after a change: the new version makes the map redraw."""
    return {"token": token, "version": draft.version, "fit": fit, "base": draft.base}


def open_site(services: Services, site_id: str) -> dict[str, Any]:
    """A new working copy of a stored site's latest revision; :class:`UnknownSiteError` if none."""
    revision = services.store.get(site_id)
    token = services.drafts.open(revision.site, base=revision.number)
    return {"token": token, "version": 0, "fit": True, "base": revision.number}


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


__all__ = ["EXPIRED", "UnknownSiteError", "WorkingCopyGone", "draft_of", "handle_for", "open_site",
           "pressed", "status_text"]
