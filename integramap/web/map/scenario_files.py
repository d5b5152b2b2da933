"""Map page: changes kept beside the site — keep, open, forget, compare, export, apply as a revision.

A kept change is a scenario in the store (:mod:`integramap.store.scenarios`):
its editors keep and forget them, anyone who may see the site opens and
compares them. Applying one saves the working copy with the change as a new
revision, refused like any save when someone else saved meanwhile.
"""

from __future__ import annotations

import re
from typing import Any

from dash import Dash, Input, Output, State, ctx, html, no_update

from integramap.analysis.layers import Layer
from integramap.analysis.whatif import WhatIf, what_if
from integramap.analysis.whatif_format import format_whatif
from integramap.drafts import Change, StaleWorkingCopy
from integramap.io.export_docx import whatif_to_docx_bytes
from integramap.model import Site, SiteError
from integramap.scenario import Scenario
from integramap.store import ConflictError, StoreError, UnknownSiteError
from integramap.store.scenarios import SavedScenario, UnknownScenarioError
from integramap.web.common import ids
from integramap.web.common.inputs import Author, CallbackInputs, Clicks, Flag, Id, Store, Text, typed_callback
from integramap.web.common.services import Services
from integramap.web.map import ids as mid
from integramap.web.map import trying
from integramap.web.map.working import WorkingCopyGone, draft_of, handle_for, pressed, when
from integramap.web.typology.page import send_data
from integramap.wording import first_upper, plural

Handle = dict[str, Any]

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


FIGURES = ("Straddles", "People in their main partner", "Wholly within one", "Unmanaged interfaces",
           "Typology code")


def compare_column(report: WhatIf, side: str = "after") -> list[str]:
    """One column of the comparison: the figures of the report's first layer pair, after the change
    (or ``before`` it: the map now)."""
    figures = report.after if side == "after" else report.before
    if not report.layers:
        return ["—", "—", "—", "—", figures.code]
    key = f"{report.layers[0][0]}/{report.layers[0][1]}"
    cot = figures.coterminosity[key]
    return [str(len(figures.straddles[key])), _pct(cot.people), _pct(cot.units),
            str(len(figures.unmanaged_interfaces[key])), figures.code]


def comparison(site: Site, kept: list[tuple[SavedScenario, Scenario | None]]) -> Any:
    """The kept changes side by side with the map as it is now: a small table, one column each."""
    if not kept:
        return html.P("No change is kept for this site yet.", className="hint")
    columns: list[tuple[str, list[str]]] = []
    first: WhatIf | None = None
    for saved, scenario in kept:
        report = None
        if scenario is not None:
            try:
                report = what_if(site, scenario, applied=trying.applied_to(site, scenario))
            except SiteError:
                report = None
        first = first or report
        columns.append((saved.name, compare_column(report) if report is not None
                        else ["no longer fits the map", "", "", "", ""]))
    if first is None:
        return html.P("No kept change fits the map as it now is.", className="hint")
    columns.insert(0, ("The map now", compare_column(first, side="before")))
    a, b = (Layer.parse(x) for x in first.layers[0]) if first.layers else (None, None)
    labels = list(FIGURES)
    if a is not None and b is not None:
        labels[0] = f"{first_upper(a.label)} across {b.label}"
        labels[1] = f"{first_upper(a.label)}' people in their main {b.singular}"
        labels[2] = f"{first_upper(a.label)} wholly within one {b.singular}"
    rows = [html.Tr([html.Th(label, scope="row"), *[html.Td(values[i], className="code" if i == 4 else "")
                                                    for _, values in columns]])
            for i, label in enumerate(labels)]
    return [html.H3("Kept changes compared"),
            html.Table([html.Thead(html.Tr([
                html.Th(html.Span("Figure", className="visually-hidden"), scope="col"),
                *[html.Th(name, scope="col") for name, _ in columns]])),
                        html.Tbody(rows)], className="inspect-table try-compare-table")]


def faults(err: SiteError) -> str:
    """A scenario's faults in a line: the name of the change too long, an edit that does not fit."""
    return "Not done: " + "; ".join(f"{_field(p.loc)}{p.message}" for p in err.problems[:3])


def _field(loc: tuple[str | int, ...]) -> str:
    return "the name of the change: " if loc[:1] == ("name",) else ""


def file_name(name: str, suffix: str) -> str:
    """A download's name from the change's name.

    Examples
    --------
    >>> file_name("Riverbend's practices join Southgate", "md")
    'what-if-riverbend-s-practices-join-southgate.md'
    """
    slug = re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")[:60] or "change"
    return f"what-if-{slug}.{suffix}"


class _Remembered(CallbackInputs):
    name: Author


class _Keep(CallbackInputs):
    hidden: Flag
    keep: Clicks
    forget: Clicks
    name: Text
    chosen: Id
    author: Author
    state: Store
    handle: Store


class _OpenKept(CallbackInputs):
    n: Clicks
    chosen: Id
    handle: Store


class _Export(CallbackInputs):
    md: Clicks
    docx: Clicks
    state: Store
    name: Text
    handle: Store


class _Apply(CallbackInputs):
    n: Clicks
    state: Store
    name: Text
    author: Author
    handle: Store


def register_callbacks(app: Dash, services: Services) -> None:
    @app.callback(Output(mid.TRY_AUTHOR, "value"), Input(ids.AUTHOR, "data"))
    @typed_callback(_Remembered)
    def remembered_author(name: str | None) -> Any:
        return name or no_update

    _register_kept(app, services)
    _register_export(app, services)
    _register_apply(app, services)


def _kept(services: Services, site_id: str) -> list[tuple[SavedScenario, Scenario | None]]:
    out: list[tuple[SavedScenario, Scenario | None]] = []
    for saved in services.store.list_scenarios(site_id):
        try:
            out.append((saved, services.store.get_scenario(site_id, saved.name)))
        except (SiteError, UnknownScenarioError):
            out.append((saved, None))
    return out


def _register_kept(app: Dash, services: Services) -> None:
    @app.callback(Output(mid.TRY_KEPT, "options"), Output(mid.TRY_KEPT, "value"),
                  Output(mid.TRY_COMPARE, "children"), Output(mid.TRY_KEPT_MESSAGE, "children"),
                  Output(ids.AUTHOR, "data", allow_duplicate=True),
                  Input(mid.TRY_PANEL, "hidden"), Input(mid.TRY_KEEP, "n_clicks"),
                  Input(mid.TRY_FORGET, "n_clicks"),
                  State(mid.TRY_NAME, "value"), State(mid.TRY_KEPT, "value"), State(mid.TRY_AUTHOR, "value"),
                  State(mid.TRY, "data"), State(mid.DRAFT, "data"), prevent_initial_call=True)
    @typed_callback(_Keep)
    def keep(hidden: bool | None, _keep: Any, _forget: Any, name: str | None, chosen: str | None,
             author: str | None, state: dict[str, Any] | None, handle: Handle | None) -> tuple[Any, ...]:
        action = ctx.triggered_id
        if action == mid.TRY_PANEL and hidden:
            return no_update, no_update, no_update, no_update, no_update
        if action != mid.TRY_PANEL and not pressed(ctx.triggered):
            return no_update, no_update, no_update, no_update, no_update
        try:
            draft = draft_of(services, handle)
        except WorkingCopyGone as err:
            return no_update, no_update, no_update, str(err), no_update
        message: Any = ""
        remembered: Any = no_update
        value: Any = no_update
        if draft.base is None:
            return [], None, "", "Save the site first: a change is kept beside a saved site.", no_update
        try:
            if action == mid.TRY_KEEP:
                scenario = trying.scenario_of(state, name)  # a fault is a SiteError, reported below
                who = (author or "").strip()
                if scenario is None:
                    message = "Try an edit first: there is nothing to keep yet."
                elif not who:
                    message = html.Span("Enter your name above: every kept change records who kept it.",
                                        className="error")
                else:
                    services.store.save_scenario(draft.site_id, scenario, author=who, base=draft.base)
                    message, remembered, value = f"Kept as “{scenario.name}”.", who, scenario.name
            elif action == mid.TRY_FORGET:
                if not chosen:
                    message = "Choose a kept change to forget."
                else:
                    services.store.delete_scenario(draft.site_id, chosen)
                    message, value = f"Forgot “{chosen}”.", None
            kept = _kept(services, draft.site_id)
        except (StoreError, UnknownSiteError, UnknownScenarioError, ValueError) as err:
            return no_update, no_update, no_update, html.Span(str(err), className="error"), no_update
        except SiteError as err:
            return no_update, no_update, no_update, html.Span(faults(err), className="error"), no_update
        options = [{"label": f"{s.name} ({plural(s.edits, 'edit')}, {s.author} {when(s.updated_at)})",
                    "value": s.name} for s, _ in kept]
        return options, value, comparison(draft.site, kept), message, remembered

    @app.callback(Output(mid.TRY, "data", allow_duplicate=True),
                  Output(mid.TRY_NAME, "value", allow_duplicate=True),
                  Output(mid.TRY_KEPT_MESSAGE, "children", allow_duplicate=True),
                  Input(mid.TRY_OPEN, "n_clicks"), State(mid.TRY_KEPT, "value"), State(mid.DRAFT, "data"),
                  prevent_initial_call=True)
    @typed_callback(_OpenKept)
    def open_kept(_n: Any, chosen: str | None, handle: Handle | None) -> tuple[Any, Any, Any]:
        if not pressed(ctx.triggered):
            return no_update, no_update, no_update
        if not chosen:
            return no_update, no_update, "Choose a kept change to open."
        try:
            draft = draft_of(services, handle)
            scenario = services.store.get_scenario(draft.site_id, chosen)
        except (WorkingCopyGone, StoreError, UnknownSiteError, UnknownScenarioError, SiteError) as err:
            return no_update, no_update, html.Span(str(err), className="error")
        return (trying.kept_state(scenario, chosen), scenario.name,
                f"Opened “{scenario.name}” ({plural(len(scenario.edits), 'edit')}).")


def _register_export(app: Dash, services: Services) -> None:
    @app.callback(Output(mid.TRY_DOWNLOAD, "data"),
                  Output(mid.TRY_KEPT_MESSAGE, "children", allow_duplicate=True),
                  Input(mid.TRY_EXPORT_MD, "n_clicks"), Input(mid.TRY_EXPORT_DOCX, "n_clicks"),
                  State(mid.TRY, "data"), State(mid.TRY_NAME, "value"), State(mid.DRAFT, "data"),
                  prevent_initial_call=True)
    @typed_callback(_Export)
    def export(_md: Any, _docx: Any, state: dict[str, Any] | None, name: str | None,
               handle: Handle | None) -> tuple[Any, Any]:
        if not pressed(ctx.triggered):
            return no_update, no_update
        try:
            scenario = trying.scenario_of(state, name)
        except SiteError as err:
            return no_update, html.Span(faults(err), className="error")
        if scenario is None:
            return no_update, "Try an edit first: there is nothing to export yet."
        try:
            draft = draft_of(services, handle)
            report = what_if(draft.site, scenario, applied=trying.applied_to(draft.site, scenario))
        except WorkingCopyGone as err:
            return no_update, str(err)
        except SiteError as err:
            return no_update, html.Span("This change no longer fits the map: "
                                        + "; ".join(p.message for p in err.problems[:3]), className="error")
        if ctx.triggered_id == mid.TRY_EXPORT_DOCX:
            return send_data(whatif_to_docx_bytes(report), file_name(scenario.name, "docx"), DOCX), ""
        return {"content": format_whatif(report, "md"), "filename": file_name(scenario.name, "md"),
                "type": "text/markdown"}, ""


def _register_apply(app: Dash, services: Services) -> None:
    @app.callback(Output(mid.DRAFT, "data", allow_duplicate=True),
                  Output(mid.TRY, "data", allow_duplicate=True), Output(mid.TRY_APPLY_RESULT, "children"),
                  Output(mid.MESSAGE, "children", allow_duplicate=True),
                  Input(mid.TRY_APPLY, "n_clicks"), State(mid.TRY, "data"), State(mid.TRY_NAME, "value"),
                  State(mid.TRY_AUTHOR, "value"), State(mid.DRAFT, "data"), prevent_initial_call=True)
    @typed_callback(_Apply)
    def apply(_n: Any, state: dict[str, Any] | None, name: str | None, author: str | None,
              handle: Handle | None) -> tuple[Any, Any, Any, Any]:
        if not pressed(ctx.triggered):
            return no_update, no_update, no_update, no_update

        def refused(text: str, css: str = "error") -> tuple[Any, Any, Any, Any]:
            return no_update, no_update, html.Div(text, className=css), no_update

        try:
            scenario = trying.scenario_of(state, name)
        except SiteError as err:
            return refused(faults(err))
        if scenario is None:
            return refused("Try an edit first: there is nothing to apply yet.")
        who = (author or "").strip()
        if not who:
            return refused("Enter your name above: every revision records who saved it.")
        try:
            draft = draft_of(services, handle)
        except WorkingCopyGone as err:
            return refused(str(err))
        assert handle is not None
        if draft.base is None:
            return refused("Save the site first: a change is applied to a saved site.")
        if draft.dirty:
            return refused("Save or discard your unsaved changes first, so that the new revision holds "
                           "this change alone.")
        try:
            applied = trying.applied_to(draft.site, scenario)
        except SiteError as err:
            return refused("This change no longer fits the map: "
                           + "; ".join(p.message for p in err.problems[:3]))
        try:
            info = services.store.save(applied.site, author=who,
                                       message=f"Applied the change “{scenario.name}”", base=draft.base)
        except ConflictError as err:
            return refused(f"Not applied. {err}", "error conflict")
        except (StoreError, ValueError) as err:
            return refused(f"Not applied: {err}")
        try:
            draft.apply(Change.replace(applied.site), f"apply “{scenario.name}”")
            draft.mark_saved(info.number)
        except StaleWorkingCopy:
            pass  # stored all the same; the other window's copy keeps its own edits
        done = f"Applied: “{scenario.name}” is saved as revision {info.number} of {info.name}."
        return (handle_for(handle, draft, fit=False), dict(trying.NOT_TRYING), html.Div(done, className="ok"),
                done)
