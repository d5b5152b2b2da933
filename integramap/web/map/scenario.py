"""Map page: "Try a change" — the editor's edits recorded as a scenario, with a before/after panel.

While trying, the Unit and Link tabs' buttons record an edit in the scenario
vocabulary (a new "Part of" is a ``move``, a link's new level a ``set_level``,
Delete a ``remove``…) instead of changing the working copy; the map draws the
working copy with the change applied, the units and links it touches outlined
(see ``view.py`` and ``styles.py``), and the panel under the map gives every
boundary figure before and after. Keeping, comparing, exporting and applying
the change are in ``scenario_files.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from dash import ALL, Dash, Input, Output, State, ctx, dcc, html, no_update

from integramap.analysis.whatif import WhatIf
from integramap.analysis.whatif_format import figure_rows, summary_lines
from integramap.model import Site, SiteError
from integramap.web.common.aria import aria
from integramap.web.common.inputs import CallbackInputs, Clicks, Id, Ids, Store, Text, typed_callback
from integramap.web.common.services import Services
from integramap.web.map import ids as mid
from integramap.web.map import trying
from integramap.web.map.edit import LinkFormInputs, UnitFormInputs, form_values
from integramap.web.map.forms import LINK_FIELDS, UNIT_FIELDS, FieldSpec, choice_label
from integramap.web.map.working import WorkingCopyGone, draft_of, pressed
from integramap.wording import in_words, plural

Handle = dict[str, Any]

OFF_LABEL = "Try a change"
ON_LABEL = "Stop trying"


class _Switch(CallbackInputs):
    n: Clicks
    state: Store
    handle: Store


class _Show(CallbackInputs):
    state: Store


class _BeforeAndAfter(CallbackInputs):
    state: Store
    handle: Store


class _Merge(CallbackInputs):
    n: Clicks
    units: Ids
    name: Text
    handle: Store
    state: Store


class _Undo(CallbackInputs):
    n: Clicks
    state: Store
    handle: Store


RESIZE_MAP = """
function(hidden) {
    setTimeout(function () {
        var el = document.getElementById('map-cy');
        var reg = el && (el._cyreg || (el.firstChild && el.firstChild._cyreg));
        if (reg && reg.cy) { reg.cy.resize(); reg.cy.fit(undefined, 40); }
    }, 0);
    return hidden ? 0 : 1;
}
"""


def toggle_button(hidden: bool = False) -> html.Button:
    """The toolbar's switch between editing the map and trying a change on it.

    Hidden from a viewer: a change is tried with the editor's forms, which a viewer does not get.
    """
    return html.Button(OFF_LABEL, id=mid.TRY_TOGGLE, className="button try-toggle",
                       title="Record edits as a change to try, and see what it would do, "
                             "without changing the map", style={"display": "none"} if hidden else None)


def panel() -> html.Div:
    """The panel under the map while a change is tried: the edits, the figures, keep and apply.

    Its headings sit under the page's title (h2), and every field has a label tied to it.
    """
    return html.Div([
        html.Div([
            html.H3("Trying a change"),
            html.P("Edits in the Unit and Link tabs are recorded here; the map is not changed. "
                   "Units and links the change touches have a violet dashed outline.", className="hint"),
            html.Label("Name of the change", htmlFor=mid.TRY_NAME),
            dcc.Input(id=mid.TRY_NAME, type="text", value="", placeholder=trying.DEFAULT_NAME,
                      className="wide", debounce=True),
            html.Ol(id=mid.TRY_STEPS, className="try-steps", **aria(label="Edits tried")),
            html.Div([html.Button("Undo the last edit", id=mid.TRY_UNDO, className="button small")],
                     className="buttons"),
            html.Label("Merge units", htmlFor=mid.TRY_MERGE_UNITS),
            dcc.Dropdown(id=mid.TRY_MERGE_UNITS, multi=True, placeholder="Choose two or more units…"),
            html.Label("Name of the merged unit", htmlFor=mid.TRY_MERGE_NAME),
            dcc.Input(id=mid.TRY_MERGE_NAME, type="text", value="", placeholder="New name (optional)",
                      className="wide"),
            html.Div([html.Button("Merge", id=mid.TRY_MERGE, className="button small")], className="buttons"),
            html.Div(id=mid.TRY_MESSAGE, className="form-message", role="status"),
        ], className="try-change"),
        # It scrolls and holds nothing focusable: its own tab stop lets a keyboard scroll it (WCAG 2.1.1).
        html.Div([html.Div(id=mid.TRY_FIGURES),
                  html.Div(id=mid.TRY_COMPARE, className="try-compare")],
                 className="try-figures", tabIndex="0", role="region",
                 **aria(label="What the change does, before and after")),
        dcc.Store(id=mid.TRY_RESIZED),
        html.Div([
            html.H3("Keep, compare, export, apply"),
            html.Label("Your name", htmlFor=mid.TRY_AUTHOR),
            dcc.Input(id=mid.TRY_AUTHOR, type="text", placeholder="e.g. A. Patel", className="wide"),
            html.Div([html.Button("Keep this change", id=mid.TRY_KEEP, className="button primary small")],
                     className="buttons"),
            html.Label("Changes kept for this site", htmlFor=mid.TRY_KEPT),
            dcc.Dropdown(id=mid.TRY_KEPT, placeholder="Choose a kept change…"),
            html.Div([html.Button("Open", id=mid.TRY_OPEN, className="button small",
                                  **aria(label="Open the kept change")),
                      html.Button("Forget", id=mid.TRY_FORGET, className="button danger small",
                                  **aria(label="Forget the kept change"))],
                     className="buttons"),
            html.Div(id=mid.TRY_KEPT_MESSAGE, className="form-message", role="status"),
            html.H4("For a board paper"),
            html.Div([html.Button("Markdown", id=mid.TRY_EXPORT_MD, className="button small",
                                  **aria(label="Markdown: download the change for a board paper")),
                      html.Button("Word", id=mid.TRY_EXPORT_DOCX, className="button small",
                                  **aria(label="Word: download the change for a board paper"))],
                     className="buttons"),
            dcc.Download(id=mid.TRY_DOWNLOAD),
            html.H4("Make it real"),
            html.Div([html.Button("Apply as a new revision", id=mid.TRY_APPLY, className="button small")],
                     className="buttons"),
            html.Div(id=mid.TRY_APPLY_RESULT, className="form-message", role="status"),
        ], className="try-keep"),
    ], id=mid.TRY_PANEL, className="try-panel", hidden=True)


def names_in(*sites: Site) -> dict[str, str]:
    """Each unit's and link's name as a person knows it (a link by its two units), from these sites."""
    names: dict[str, str] = {}
    for site in sites:
        for unit in site.units:
            names.setdefault(unit.id, unit.name)
        for link in site.links:
            names.setdefault(link.id, f"{names.get(link.source, link.source)} ↔ "
                                      f"{names.get(link.target, link.target)}")
    return names


def steps_list(state: dict[str, Any] | None, names: Mapping[str, str]) -> list[Any]:
    """The edits tried so far, in words."""
    return [html.Li(step_words(edit, names)) for edit in trying.edits_of(state)
            if isinstance(edit, dict) and edit]


def step_words(edit: dict[str, Any], names: Mapping[str, str]) -> str:
    """One edit in words, units and links by name.

    Examples
    --------
    >>> names = {"p11": "Marlow Heath", "pcn-south": "Southgate PCN", "l1": "A ↔ B"}
    >>> step_words({"move": {"unit": "p11", "to": "pcn-south"}}, names)
    'Move Marlow Heath to Southgate PCN'
    >>> step_words({"set_level": {"link": "l1", "level": "co_located"}}, names)
    'Change the link A ↔ B: level co-located'
    """
    kind, fields = next(iter(edit.items()))
    if not isinstance(fields, dict):
        return in_words(str(kind))

    def name(key: str) -> str:
        value = fields.get(key)
        return names.get(str(value), str(value))

    def all_named(ids: list[str]) -> str:
        return ", ".join(names.get(i, i) for i in ids)

    if kind == "move":
        return f"Move {all_named(fields.get('units') or [fields.get('unit')])} to {name('to')}"
    if kind == "merge":
        named = f" as {fields['name']}" if fields.get("name") else ""
        return f"Merge {all_named(fields.get('units', []))}{named}"
    if kind == "remove":
        return f"Remove the link {name('link')}" if fields.get("link") else f"Remove {name('unit')}"
    if kind == "add_link":
        return f"Link {name('source')} and {name('target')} ({_words(fields.get('level'))})"
    if kind == "set_level":
        parts = [f"{in_words(k)} {_words(v)}" for k, v in fields.items() if k != "link"]
        return f"Change the link {name('link')}: {'; '.join(parts)}"
    if kind == "split":
        return f"Split {name('unit')}"
    return in_words(str(kind))


def _words(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{in_words(k)} {_words(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_words(v) for v in value) or "none"
    return choice_label(str(value)) if value is not None else "none"


def figures(report: WhatIf | None) -> list[Any]:
    """What the change does in words, then every figure before and after (changed rows marked)."""
    if report is None:
        return [html.H3("Before and after"),
                html.P("No edit yet. Choose a unit and give it another “Part of” to try a move; "
                       "change, add or "
                       "delete a link; delete a unit; or merge units on the left.", className="hint")]
    # A changed row is shaded and bold for the eye, and says "changed" to a screen reader.
    rows = [html.Tr([html.Th([name, html.Span(" (changed)", className="visually-hidden")] if before != after
                             else name, scope="row"), html.Td(before), html.Td(after)],
                    className="changed" if before != after else "")
            for name, before, after in figure_rows(report)]
    return [
        html.H3("What changes"),
        html.Ul([html.Li(line) for line in summary_lines(report)], className="try-summary"),
        html.H3("Before and after"),
        html.Table([html.Thead(html.Tr([html.Th("Figure", scope="col"), html.Th("Now", scope="col"),
                                        html.Th("With the change", scope="col")])),
                    html.Tbody(rows)], className="inspect-table try-table"),
    ]


def merge_options(site: Site) -> list[dict[str, str]]:
    """Units a merge may take, by name with their kind (only units of one kind merge)."""
    return [{"label": f"{u.name} ({str(u.kind).replace('_', ' ')})", "value": u.id}
            for u in sorted(site.units, key=lambda u: (u.name.casefold(), u.id))]


def register_callbacks(app: Dash, services: Services) -> None:
    _register_switch(app, services)
    _register_recording(app, services)


def _register_switch(app: Dash, services: Services) -> None:
    @app.callback(Output(mid.TRY, "data", allow_duplicate=True), Output(mid.TRY_NAME, "value"),
                  Output(mid.TRY_MERGE_UNITS, "options"), Output(mid.TRY_MESSAGE, "children"),
                  Input(mid.TRY_TOGGLE, "n_clicks"), State(mid.TRY, "data"), State(mid.DRAFT, "data"),
                  prevent_initial_call=True)
    @typed_callback(_Switch)
    def switch(_n: Any, state: dict[str, Any] | None, handle: Handle | None) -> tuple[Any, ...]:
        if not pressed(ctx.triggered):
            return no_update, no_update, no_update, no_update
        if trying.is_on(state):
            return dict(trying.NOT_TRYING), "", [], ""
        try:
            site = draft_of(services, handle).site
        except WorkingCopyGone as err:
            return no_update, no_update, no_update, str(err)
        return {**trying.NOT_TRYING, "on": True}, "", merge_options(site), ""

    @app.callback(Output(mid.TRY_PANEL, "hidden"), Output(mid.TRY_TOGGLE, "children"),
                  Output(mid.TRY_TOGGLE, "className"),
                  Input(mid.TRY, "data"), prevent_initial_call=True)
    @typed_callback(_Show)
    def show(state: dict[str, Any] | None) -> tuple[Any, ...]:
        on = trying.is_on(state)
        return not on, ON_LABEL if on else OFF_LABEL, "button try-toggle" + (" on" if on else "")

    # The map's box changes size with the panel: Cytoscape is told, and shows the whole map again.
    app.clientside_callback(  # type: ignore[no-untyped-call]
        RESIZE_MAP, Output(mid.TRY_RESIZED, "data"), Input(mid.TRY_PANEL, "hidden"),
        prevent_initial_call=True)

    @app.callback(Output(mid.TRY_FIGURES, "children"), Output(mid.TRY_STEPS, "children"),
                  Input(mid.TRY, "data"), Input(mid.DRAFT, "data"), prevent_initial_call=True)
    @typed_callback(_BeforeAndAfter)
    def before_and_after(state: dict[str, Any] | None, handle: Handle | None) -> tuple[Any, Any]:
        if not trying.is_on(state):
            return no_update, []
        try:
            draft = draft_of(services, handle)
        except WorkingCopyGone as err:
            return html.P(str(err), className="error"), []
        try:
            report = trying.report(draft.site, state)
        except SiteError as err:
            return (html.Div([html.P("This change no longer fits the map as it now is:"),
                              html.Ul([html.Li(p.message) for p in err.problems[:5]]),
                              html.P("Undo the last edit, or stop trying and start again.")],
                             className="error"),
                    steps_list(state, names_in(draft.site)))
        applied = trying.tried(draft.site, state)
        names = names_in(draft.site, *([applied.site] if applied is not None else []))
        return figures(report), steps_list(state, names)


class _FormRecorder(NamedTuple):
    """One editor form, as the recorder of tried edits reads it."""
    form: str
    fields: tuple[FieldSpec, ...]
    add: str
    update: str
    delete: str
    editing: str
    message: str
    recorder: Callable[[Site, str, str | None, dict[str, Any]], trying.Recorded]
    inputs: type[UnitFormInputs]


_UNIT_FORM = _FormRecorder(mid.UNIT_FORM, tuple(UNIT_FIELDS), mid.UNIT_ADD, mid.UNIT_UPDATE, mid.UNIT_DELETE,
                           mid.UNIT_EDITING_ID, mid.UNIT_MESSAGE, trying.record_unit, UnitFormInputs)
_LINK_FORM = _FormRecorder(mid.LINK_FORM, tuple(LINK_FIELDS), mid.LINK_ADD, mid.LINK_UPDATE, mid.LINK_DELETE,
                           mid.LINK_EDITING_ID, mid.LINK_MESSAGE, trying.record_link, LinkFormInputs)


def _register_form_recorder(app: Dash, form: _FormRecorder,
                            record: Callable[[Handle | None, dict[str, Any] | None, Any], tuple[Any, str]]) -> None:
    @app.callback(Output(mid.TRY, "data", allow_duplicate=True),
                  Output(form.message, "children", allow_duplicate=True),
                  Output(mid.TRY_MESSAGE, "children", allow_duplicate=True),
                  Input(form.add, "n_clicks"), Input(form.update, "n_clicks"), Input(form.delete, "n_clicks"),
                  State({"form": form.form, "role": "field", "name": ALL}, "value"),
                  State(form.editing, "data"), State(mid.DRAFT, "data"), State(mid.TRY, "data"),
                  prevent_initial_call=True)
    @typed_callback(form.inputs)
    def record_edit(_add: Any, _update: Any, _delete: Any, values: list[Any], editing: str | None,
                    handle: Handle | None, tried: dict[str, Any] | None) -> tuple[Any, Any, Any]:
        if not trying.is_on(tried) or not pressed(ctx.triggered):
            return no_update, no_update, no_update
        action = {form.add: "add", form.update: "update"}.get(str(ctx.triggered_id), "delete")
        fields = form_values(form.fields, values)
        new_state, message = record(handle, tried,
                                    lambda after: form.recorder(after, action, editing, fields))
        return new_state, message, message


def _register_recording(app: Dash, services: Services) -> None:
    def record(handle: Handle | None, state: dict[str, Any] | None,
               make: Any) -> tuple[Any, str]:
        try:
            draft = draft_of(services, handle)
        except WorkingCopyGone as err:
            return no_update, str(err)
        applied = trying.tried(draft.site, state)
        after = applied.site if applied is not None else draft.site
        try:
            recorded = make(after)
        except SiteError as err:
            return no_update, "Not tried: " + "; ".join(str(p) for p in err.problems[:3])
        new_state, message = trying.adding(state, draft.site, recorded)
        return (new_state if new_state is not None else no_update), message

    # The unit and link forms record their edits the same way: only the form's ids and recorder differ.
    for form in (_UNIT_FORM, _LINK_FORM):
        _register_form_recorder(app, form, record)

    @app.callback(Output(mid.TRY, "data", allow_duplicate=True),
                  Output(mid.TRY_MESSAGE, "children", allow_duplicate=True),
                  Output(mid.TRY_MERGE_UNITS, "value"),
                  Input(mid.TRY_MERGE, "n_clicks"), State(mid.TRY_MERGE_UNITS, "value"),
                  State(mid.TRY_MERGE_NAME, "value"), State(mid.DRAFT, "data"), State(mid.TRY, "data"),
                  prevent_initial_call=True)
    @typed_callback(_Merge)
    def merge(_n: Any, units: list[str] | None, name: str | None, handle: Handle | None,
              state: dict[str, Any] | None) -> tuple[Any, Any, Any]:
        if not trying.is_on(state) or not pressed(ctx.triggered):
            return no_update, no_update, no_update
        new_state, message = record(handle, state,
                                    lambda after: trying.merge_units(after, units or [], name))
        return new_state, message, ([] if new_state is not no_update else no_update)

    @app.callback(Output(mid.TRY, "data", allow_duplicate=True),
                  Output(mid.TRY_MESSAGE, "children", allow_duplicate=True),
                  Input(mid.TRY_UNDO, "n_clicks"), State(mid.TRY, "data"), State(mid.DRAFT, "data"),
                  prevent_initial_call=True)
    @typed_callback(_Undo)
    def undo_last(_n: Any, state: dict[str, Any] | None, handle: Handle | None) -> tuple[Any, Any]:
        if not trying.is_on(state) or not pressed(ctx.triggered):
            return no_update, no_update
        edits = trying.edits_of(state)
        if not edits:
            return no_update, "Nothing to undo: no edit has been tried yet."
        left = edits[:-1]
        try:
            names = names_in(draft_of(services, handle).site)
        except WorkingCopyGone:
            names = {}
        return (trying.state_with(state, left),
                f"Took back: {step_words(edits[-1], names)}. {plural(len(left), 'edit')} left.")


__all__ = ["OFF_LABEL", "ON_LABEL", "figures", "merge_options", "panel", "register_callbacks", "names_in",
           "step_words", "steps_list", "toggle_button"]
