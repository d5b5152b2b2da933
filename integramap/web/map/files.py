"""Map page callbacks for revisions and files: save, discard, upload, download."""

from __future__ import annotations

from typing import Any

from dash import Dash, Input, Output, State, ctx, html, no_update

from integramap.io import dump_site
from integramap.model import SiteError
from integramap.store import ConflictError, StoreError, UnknownSiteError
from integramap.web.common import ids
from integramap.web.map import ids as mid
from integramap.web.common.services import Services
from integramap.web.common.upload import upload_to_site
from integramap.web.map.working import WorkingCopyGone, draft_of, handle_for, pressed

Handle = dict[str, Any]


def _problem_list(err: SiteError) -> html.Div:
    return html.Div([html.P(f"{err.source or 'The file'} {err.summary}:"),
                     html.Ul([html.Li(str(p)) for p in err.problems[:20]])], className="error")


def register_callbacks(app: Dash, services: Services) -> None:
    @app.callback(Output(mid.SAVE_AUTHOR, "value"), Input(ids.AUTHOR, "data"))
    def remembered_author(name: str | None) -> Any:
        return name or no_update

    @app.callback(Output(mid.DRAFT, "data", allow_duplicate=True),
                  Output(mid.SAVE_RESULT, "children"),
                  Output(ids.AUTHOR, "data"),
                  Input(mid.SAVE, "n_clicks"),
                  State(mid.SAVE_AUTHOR, "value"), State(mid.SAVE_MESSAGE, "value"),
                  State(mid.DRAFT, "data"), prevent_initial_call=True)
    def save(_n: Any, author: str | None, message: str | None, handle: Handle | None) -> tuple[Any, ...]:
        if not pressed(ctx.triggered):
            return no_update, no_update, no_update
        try:
            draft = draft_of(services, handle)
        except WorkingCopyGone as err:
            return no_update, html.Div(str(err), className="error"), no_update
        assert handle is not None
        author = (author or "").strip()
        if not author:
            return no_update, html.Div("Enter your name: every revision records who saved it.",
                                       className="error"), no_update
        if draft.base is not None and not draft.dirty:
            return no_update, "Nothing to save: there are no changes since the last revision.", author
        text = (message or "").strip() or "Edited in the map"
        try:
            info = services.store.save(draft.site, author=author, message=text, base=draft.base)
        except ConflictError as err:
            return no_update, html.Div([html.Strong("Not saved. "), str(err)], className="error conflict"), author
        except StoreError as err:
            return no_update, html.Div(str(err), className="error"), author
        draft.mark_saved(info.number)
        return (handle_for(str(handle["token"]), draft),
                html.Div(f"Saved as revision {info.number} of {info.site_id}.", className="ok"), author)

    @app.callback(Output(mid.DRAFT, "data", allow_duplicate=True),
                  Output(mid.SAVE_RESULT, "children", allow_duplicate=True),
                  Input(mid.DISCARD, "n_clicks"), State(mid.DRAFT, "data"), prevent_initial_call=True)
    def discard(_n: Any, handle: Handle | None) -> tuple[Any, Any]:
        if not pressed(ctx.triggered):
            return no_update, no_update
        try:
            draft = draft_of(services, handle)
        except WorkingCopyGone as err:
            return no_update, html.Div(str(err), className="error")
        assert handle is not None
        try:
            revision = services.store.get(draft.site_id)
        except UnknownSiteError:
            return no_update, html.Div("This site has never been saved: there is no revision to go back to.",
                                       className="error")
        draft.reset(revision.site, base=revision.number)
        services.positions.forget(str(handle["token"]))
        return (handle_for(str(handle["token"]), draft, fit=True),
                html.Div(f"Unsaved changes discarded: back to revision {revision.number}.", className="ok"))

    @app.callback(Output(mid.DRAFT, "data", allow_duplicate=True),
                  Output(mid.UPLOAD_RESULT, "children"),
                  Input(mid.UPLOAD, "contents"), State(mid.UPLOAD, "filename"),
                  State(mid.DRAFT, "data"), prevent_initial_call=True)
    def upload(contents: str | None, filename: str | None, handle: Handle | None) -> tuple[Any, Any]:
        if not contents:
            return no_update, no_update
        try:
            draft = draft_of(services, handle)
        except WorkingCopyGone as err:
            return no_update, html.Div(str(err), className="error")
        assert handle is not None
        try:
            site = upload_to_site(contents, filename)
        except SiteError as err:
            return no_update, _problem_list(err)
        label = f"upload {filename}"
        if site.id == draft.site_id:
            draft.apply(lambda _old: site, label)
            base = draft.base
        else:
            try:
                stored = services.store.get(site.id)
            except UnknownSiteError:
                draft.reset(site, base=None)
                base = None
            else:
                # Start from the stored site so that the upload shows as an unsaved change to it.
                draft.reset(stored.site, base=stored.number)
                draft.apply(lambda _old: site, label)
                base = stored.number
        services.positions.forget(str(handle["token"]))
        where = (f"saving makes revision {base + 1} of {site.id}" if base is not None
                 else f"saving creates the new site {site.id}")
        return (handle_for(str(handle["token"]), draft, fit=True),
                html.Div(f"Loaded {filename}: {len(site.units)} units, {len(site.links)} links; {where}.",
                         className="ok"))

    @app.callback(Output(mid.DOWNLOAD, "data"),
                  Input(mid.DOWNLOAD_YAML, "n_clicks"), Input(mid.DOWNLOAD_JSON, "n_clicks"),
                  State(mid.DRAFT, "data"), prevent_initial_call=True)
    def download(_yaml: Any, _json: Any, handle: Handle | None) -> Any:
        if not pressed(ctx.triggered):
            return no_update
        try:
            site = draft_of(services, handle).site
        except WorkingCopyGone:
            return no_update
        if ctx.triggered_id == mid.DOWNLOAD_JSON:
            return {"content": dump_site(site, "json"), "filename": f"{site.id}.json", "type": "application/json"}
        return {"content": dump_site(site, "yaml"), "filename": f"{site.id}.yaml", "type": "application/x-yaml"}
