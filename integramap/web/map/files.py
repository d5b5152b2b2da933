"""Map page callbacks for revisions and files: save, discard, resume, upload, download, and the
empty map's start from a spreadsheet."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from dash import Dash, Input, Output, State, ctx, html, no_update

from integramap.drafts import Change, StaleWorkingCopy
from integramap.io import dump_site
from integramap.io.template import write_template
from integramap.model import SiteError
from integramap.wording import plural
from integramap.store import ConflictError, StoreError, UnknownSiteError
from integramap.web.common import ids
from integramap.web.map import ids as mid
from integramap.web.common.inputs import Author, CallbackInputs, Clicks, Store, Text, Upload, typed_callback
from integramap.web.common.services import Services
from integramap.web.common.limits import UPLOADS, refused_by_limit
from integramap.web.common.upload import display_name, upload_to_site
from integramap.web.typology.page import send_data
from integramap.web.map.working import WorkingCopyGone, copy_key, draft_of, handle_for, pressed

Handle = dict[str, Any]


def _problem_list(err: SiteError) -> html.Div:
    return html.Div([html.P(f"{err.source or 'The file'} {err.summary}:"),
                     html.Ul([html.Li(str(p)) for p in err.problems[:20]])], className="error")


class _Author(CallbackInputs):
    name: Author


class _Save(CallbackInputs):
    n: Clicks
    author: Author
    message: Text
    handle: Store


class _Discard(CallbackInputs):
    n: Clicks
    resume_discard: Clicks
    conflict_load: Clicks
    handle: Store


class _KeepMine(CallbackInputs):
    n: Clicks
    author: Author
    message: Text
    handle: Store


def conflict_choices(err: ConflictError) -> tuple[str, str] | None:
    """The words of a save conflict that offers choices, and where to see what the other person changed.

    ``None`` when the choices do not apply: a new site whose id is taken is not a newer revision of
    one's own work, and saving over it would be saving over someone else's site.
    """
    latest = err.latest
    if err.base is None or latest is None or latest.number <= err.base:
        return None
    query = urlencode({"site": err.site_id, "a": err.base, "b": latest.number})
    words = (f"Not saved: {latest.author} saved revision {latest.number} of {latest.name} "
             f"({latest.message}) at {latest.created_at:%H:%M} while you were editing revision {err.base}.")
    return words, f"/compare?{query}"


def _revision_words(author: str | None, message: str | None) -> tuple[str, str] | html.Div:
    """Who saves a revision and what they say of it; the error to show when no name is given."""
    author = (author or "").strip()
    if not author:
        return html.Div("Enter your name: every revision records who saved it.", className="error")
    return author, (message or "").strip() or "Edited in the map"


def _saved(services: Services, draft: Any, handle: Handle, author: str, text: str,
           base: int | None) -> tuple[Any, ...]:
    """Save the working copy over ``base``: (draft handle, message, conflict hidden, conflict words, compare href)."""
    try:
        info = services.store.save(draft.site, author=author, message=text, base=base)
    except ConflictError as err:
        choices = conflict_choices(err)
        if choices is None:
            return no_update, html.Div([html.Strong("Not saved. "), str(err)], className="error conflict"), \
                True, no_update, no_update
        return no_update, "", False, *choices
    except StoreError as err:
        return no_update, html.Div(str(err), className="error"), True, no_update, no_update
    try:
        draft.mark_saved(info.number)
    except StaleWorkingCopy:
        pass  # saved all the same; the other window's copy still shows its own unsaved edits
    return (handle_for(handle, draft), html.Div(f"Saved as revision {info.number} of {info.name}.", className="ok"),
            True, no_update, no_update)


class _Upload(CallbackInputs):
    contents: Upload
    filename: Text
    handle: Store


class _Press(CallbackInputs):
    n: Clicks


class _Download(CallbackInputs):
    yaml_clicks: Clicks
    json_clicks: Clicks
    handle: Store


def register_callbacks(app: Dash, services: Services) -> None:
    @app.callback(Output(mid.SAVE_AUTHOR, "value"), Input(ids.AUTHOR, "data"))
    @typed_callback(_Author)
    def remembered_author(name: str | None) -> Any:
        return name or no_update

    conflict_outputs = [Output(mid.CONFLICT_BOX, "hidden", allow_duplicate=True),
                        Output(mid.CONFLICT_TEXT, "children", allow_duplicate=True),
                        Output(mid.CONFLICT_COMPARE, "href", allow_duplicate=True)]
    untouched = (no_update,) * 3

    @app.callback(Output(mid.DRAFT, "data", allow_duplicate=True),
                  Output(mid.SAVE_RESULT, "children"),
                  Output(ids.AUTHOR, "data"), *conflict_outputs,
                  Input(mid.SAVE, "n_clicks"),
                  State(mid.SAVE_AUTHOR, "value"), State(mid.SAVE_MESSAGE, "value"),
                  State(mid.DRAFT, "data"), prevent_initial_call=True)
    @typed_callback(_Save)
    def save(_n: Any, author: str | None, message: str | None, handle: Handle | None) -> tuple[Any, ...]:
        if not pressed(ctx.triggered):
            return no_update, no_update, no_update, *untouched
        try:
            draft = draft_of(services, handle)
        except WorkingCopyGone as err:
            return no_update, html.Div(str(err), className="error"), no_update, *untouched
        assert handle is not None
        words = _revision_words(author, message)
        if isinstance(words, html.Div):
            return no_update, words, no_update, *untouched
        author, text = words
        if draft.base is not None and not draft.dirty:
            return (no_update, "Nothing to save: there are no changes since the last revision.", author,
                    *untouched)
        new_handle, result, hidden, conflict, href = _saved(services, draft, handle, author, text, draft.base)
        return new_handle, result, author, hidden, conflict, href

    @app.callback(Output(mid.DRAFT, "data", allow_duplicate=True),
                  Output(mid.SAVE_RESULT, "children", allow_duplicate=True), *conflict_outputs,
                  Input(mid.CONFLICT_KEEP, "n_clicks"),
                  State(mid.SAVE_AUTHOR, "value"), State(mid.SAVE_MESSAGE, "value"),
                  State(mid.DRAFT, "data"), prevent_initial_call=True)
    @typed_callback(_KeepMine)
    def keep_mine(_n: Any, author: str | None, message: str | None, handle: Handle | None) -> tuple[Any, ...]:
        """Someone saved first, and this person keeps their own version: it becomes the next revision."""
        if not pressed(ctx.triggered):
            return no_update, no_update, *untouched
        try:
            draft = draft_of(services, handle)
            latest = services.store.latest(draft.site_id)
        except (WorkingCopyGone, UnknownSiteError, StoreError) as err:
            return no_update, html.Div(str(err), className="error"), *untouched
        assert handle is not None
        if draft.base is None:  # a new site: never saved over an existing one
            return no_update, html.Div("This is a new site: it cannot be saved over another one.",
                                       className="error"), *untouched
        words = _revision_words(author, message)
        if isinstance(words, html.Div):
            return no_update, words, *untouched
        return _saved(services, draft, handle, *words, latest)

    @app.callback(Output(mid.DRAFT, "data", allow_duplicate=True),
                  Output(mid.SAVE_RESULT, "children", allow_duplicate=True),
                  Output(mid.RESUME_BOX, "hidden", allow_duplicate=True),
                  Output(mid.CONFLICT_BOX, "hidden", allow_duplicate=True),
                  Input(mid.DISCARD, "n_clicks"), Input(mid.RESUME_DISCARD, "n_clicks"),
                  Input(mid.CONFLICT_LOAD, "n_clicks"),
                  State(mid.DRAFT, "data"), prevent_initial_call=True)
    @typed_callback(_Discard)
    def discard(_n: Any, _resume_discard: Any, _conflict_load: Any, handle: Handle | None) -> tuple[Any, ...]:
        if not pressed(ctx.triggered):
            return no_update, no_update, no_update, no_update
        try:
            draft = draft_of(services, handle)
        except WorkingCopyGone as err:
            return no_update, html.Div(str(err), className="error"), no_update, no_update
        assert handle is not None
        try:
            revision = services.store.get(draft.site_id)
        except UnknownSiteError:
            return no_update, html.Div("This site has never been saved: there is no revision to go back to.",
                                       className="error"), no_update, no_update
        try:
            draft.reset(revision.site, base=revision.number)
        except StaleWorkingCopy as err:
            return no_update, html.Div(str(err), className="error"), no_update, no_update
        services.positions.forget(copy_key(handle))
        done = (f"Their revision {revision.number} is open; your unsaved changes are discarded."
                if ctx.triggered_id == mid.CONFLICT_LOAD
                else f"Unsaved changes discarded: back to revision {revision.number}.")
        return handle_for(handle, draft, fit=True), html.Div(done, className="ok"), True, True

    @app.callback(Output(mid.DRAFT, "data", allow_duplicate=True),
                  Output(mid.UPLOAD_RESULT, "children"),
                  Input(mid.UPLOAD, "contents"), State(mid.UPLOAD, "filename"),
                  State(mid.DRAFT, "data"), prevent_initial_call=True)
    @typed_callback(_Upload)
    def upload(contents: str | None, filename: str | None, handle: Handle | None) -> tuple[Any, Any]:
        return load_upload(services, handle, contents, filename)

    @app.callback(Output(mid.DRAFT, "data", allow_duplicate=True),
                  Output(mid.START_RESULT, "children"),
                  Input(mid.START_UPLOAD, "contents"), State(mid.START_UPLOAD, "filename"),
                  State(mid.DRAFT, "data"), prevent_initial_call=True)
    @typed_callback(_Upload)
    def start_from_upload(contents: str | None, filename: str | None, handle: Handle | None) -> tuple[Any, Any]:
        return load_upload(services, handle, contents, filename)

    @app.callback(Output(mid.TEMPLATE_DOWNLOAD, "data"), Input(mid.START_TEMPLATE, "n_clicks"),
                  prevent_initial_call=True)
    @typed_callback(_Press)
    def template(n: Any) -> Any:
        if not n:
            return no_update
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "integramap-site-template.xlsx"
            write_template(path)
            return send_data(path.read_bytes(), path.name,
                             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

    @app.callback(Output(mid.DOWNLOAD, "data"),
                  Input(mid.DOWNLOAD_YAML, "n_clicks"), Input(mid.DOWNLOAD_JSON, "n_clicks"),
                  State(mid.DRAFT, "data"), prevent_initial_call=True)
    @typed_callback(_Download)
    def download(_yaml_clicks: Any, _json_clicks: Any, handle: Handle | None) -> Any:
        if not pressed(ctx.triggered):
            return no_update
        try:
            site = draft_of(services, handle).site
        except WorkingCopyGone:
            return no_update
        if ctx.triggered_id == mid.DOWNLOAD_JSON:
            return {"content": dump_site(site, "json"), "filename": f"{site.id}.json", "type": "application/json"}
        return {"content": dump_site(site, "yaml"), "filename": f"{site.id}.yaml", "type": "application/x-yaml"}

    @app.callback(Output(mid.RESUME_BOX, "hidden"), Input(mid.RESUME, "n_clicks"), prevent_initial_call=True)
    @typed_callback(_Press)
    def resume(n: Any) -> Any:
        return True if n else no_update

    # Opened again in the same tab (another page, then back), a copy with unsaved edits just carries
    # on; opened afresh (a reload, a new tab, after a restart) it asks first whether to resume.
    app.clientside_callback(  # type: ignore[no-untyped-call]
        """
        function(handle, seen) {
            seen = seen || [];
            var site = handle && handle.site;
            var ask = !!(handle && handle.unsaved) && seen.indexOf(site) < 0;
            if (site && seen.indexOf(site) < 0) { seen = seen.concat([site]); }
            return [!ask, seen];
        }
        """,
        Output(mid.RESUME_BOX, "hidden", allow_duplicate=True), Output(ids.OPENED_SITES, "data"),
        Input(mid.DRAFT, "data"), State(ids.OPENED_SITES, "data"), prevent_initial_call="initial_duplicate")

    # Leaving the page (reload, closing the tab, another address) with unsaved edits asks first. A change
    # being tried lives only in this page, so leaving it for another page of the app asks too.
    app.clientside_callback(  # type: ignore[no-untyped-call]
        """
        function(handle, tried) {
            window.integramapTrying = !!(tried && tried.on && tried.edits && tried.edits.length);
            window.integramapUnsaved = !!(handle && handle.dirty) || window.integramapTrying;
            return window.integramapUnsaved;
        }
        """,
        Output(mid.UNSAVED, "data"), Input(mid.DRAFT, "data"), Input(mid.TRY, "data"))


def load_upload(services: Services, handle: Handle | None, contents: str | None,
                filename: str | None) -> tuple[Any, Any]:
    """Load an uploaded site file as an unsaved change: to this site, or as the working copy of the site
    the file describes (stored or new)."""
    if not contents:
        return no_update, no_update
    try:
        draft = draft_of(services, handle)
    except WorkingCopyGone as err:
        return no_update, html.Div(str(err), className="error")
    assert handle is not None
    refused = refused_by_limit(services.store, UPLOADS, site_id=draft.site_id, detail=display_name(filename))
    if refused:
        return no_update, html.Div(refused, className="error", role="alert")
    try:
        site = upload_to_site(contents, filename)
    except SiteError as err:
        return no_update, _problem_list(err)
    label = f"upload {filename}"
    person = str(handle.get("person"))
    try:
        if site.id == draft.site_id:
            draft.apply(Change.replace(site), label)
        else:
            try:
                draft = services.drafts.open(person, site.id).draft
            except UnknownSiteError:
                draft = services.drafts.start_new(person, site)
            else:
                # Start from the stored site so that the upload shows as an unsaved change to it.
                draft.apply(Change.replace(site), label)
    except StaleWorkingCopy as err:
        return no_update, html.Div(str(err), className="error")
    new_handle = handle_for(handle, draft, fit=True)
    services.positions.forget(copy_key(new_handle))
    base = draft.base
    where = (f"saving makes revision {base + 1} of {site.name}" if base is not None
             else f"saving creates the new site {site.name}")
    return (new_handle, html.Div(f"Loaded {filename}: {plural(len(site.units), 'unit')}, "
                                 f"{plural(len(site.links), 'link')}; {where}.", className="ok"))
