"""Map page callbacks that change the working copy: unit and link forms, undo, arrange, drag."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dash import ALL, Dash, Input, Output, State, ctx, no_update

from integramap import edit
from integramap.drafts import NothingToRedo, NothingToUndo
from integramap.model import Site, SiteError
from integramap.web.map import ids as mid
from integramap.web.map.arrange import arrange_site
from integramap.web.map.forms import GENERAL, LINK_FIELDS, UNIT_FIELDS, FieldSpec, errors_by_field, link_values, unit_values
from integramap.web.common.services import Services
from integramap.web.map.working import WorkingCopyGone, draft_of, handle_for, pressed

Handle = dict[str, Any]


def unit_names_fingerprint(site: Site) -> int:
    """Changes when a unit is added, removed or renamed: when the unit dropdowns need new options."""
    return hash(tuple((u.id, u.name) for u in site.units))


def unit_choice_options(services: Services, handle: Handle | None) -> Any:
    """The options of the forms' unit dropdowns (parent, link ends): ``no_update`` when this page
    already has them, as they list every unit of the site."""
    try:
        site = draft_of(services, handle).site
    except WorkingCopyGone:
        return []
    assert handle is not None
    if not services.sent.changed(str(handle["token"]), "unit-choices", unit_names_fingerprint(site)):
        return no_update
    return [{"label": f"{u.name} ({u.id})", "value": u.id} for u in sorted(site.units, key=lambda u: u.name)]


def _field_ids(form: str) -> dict[str, Any]:
    return {"form": form, "role": "field", "name": ALL}


def _error_ids(form: str) -> dict[str, Any]:
    return {"form": form, "role": "error", "name": ALL}


def _blank(fields: tuple[FieldSpec, ...]) -> list[Any]:
    return [[] if f.widget == "multi" else (None if f.widget in ("choice", "unit", "number") else "")
            for f in fields]


def _error_slots(fields: tuple[FieldSpec, ...]) -> list[str]:
    """The error outputs in layout order: one per field, then the general one."""
    return [f.name for f in fields] + [GENERAL]


def _errors(fields: tuple[FieldSpec, ...], found: dict[str, list[str]]) -> list[str]:
    return [" ".join(found.get(name, [])) for name in _error_slots(fields)]


def form_values(fields: tuple[FieldSpec, ...], values: list[Any]) -> dict[str, Any]:
    """The form's values by field name, as :mod:`integramap.edit` takes them."""
    return {spec.name: value for spec, value in zip(fields, values, strict=True)}


def run_edit(services: Services, handle: Handle | None, fields: tuple[FieldSpec, ...],
             change: Callable[[Site], Site], label: str) -> tuple[Any, list[str], str, Site | None]:
    """Apply one edit to the working copy: the new handle, field errors, a message and the new site."""
    try:
        draft = draft_of(services, handle)
    except WorkingCopyGone as err:
        return no_update, _errors(fields, {}), str(err), None
    assert handle is not None
    try:
        site = draft.apply(change, label)
    except SiteError as err:
        found = errors_by_field(err, fields)
        return no_update, _errors(fields, found), "Not changed: see the messages above.", None
    return handle_for(str(handle["token"]), draft), _errors(fields, {}), f"Done: {label}.", site


def register_callbacks(app: Dash, services: Services) -> None:
    _register_unit_form(app, services)
    _register_link_form(app, services)
    _register_map_edits(app, services)


def _register_unit_form(app: Dash, services: Services) -> None:
    # The page's layout holds the opened site's unit lists: this runs on later changes only.
    @app.callback(Output(mid.field_id(mid.UNIT_FORM, "parent"), "options"),
                  Output(mid.field_id(mid.LINK_FORM, "source"), "options"),
                  Output(mid.field_id(mid.LINK_FORM, "target"), "options"),
                  Input(mid.DRAFT, "data"), prevent_initial_call=True)
    def unit_choices(handle: Handle | None) -> tuple[Any, Any, Any]:
        options = unit_choice_options(services, handle)
        return options, options, options

    @app.callback(Output(_field_ids(mid.UNIT_FORM), "value"), Output(mid.UNIT_EDITING_ID, "data"),
                  Output(mid.UNIT_EDITING, "children"),
                  Input(mid.CY, "tapNodeData"), Input(mid.UNIT_NEW, "n_clicks"),
                  State(mid.DRAFT, "data"), prevent_initial_call=True)
    def fill_unit_form(node: dict[str, Any] | None, _new: Any, handle: Handle | None) -> tuple[Any, ...]:
        if not pressed(ctx.triggered):
            return no_update, no_update, no_update
        if ctx.triggered_id == mid.UNIT_NEW or not node:
            return _blank(UNIT_FIELDS), None, "New unit: fill in the form and press Add unit."
        try:
            site = draft_of(services, handle).site
        except WorkingCopyGone:
            return no_update, no_update, no_update
        unit = site.units_by_id.get(str(node.get("id")))
        if unit is None:
            return no_update, no_update, no_update
        values = unit_values(unit)
        return [values[f.name] for f in UNIT_FIELDS], unit.id, f"Editing {unit.name}"

    @app.callback(Output(mid.DRAFT, "data", allow_duplicate=True),
                  Output(_error_ids(mid.UNIT_FORM), "children"),
                  Output(mid.UNIT_MESSAGE, "children"),
                  Output(mid.UNIT_EDITING_ID, "data", allow_duplicate=True),
                  Output(mid.UNIT_EDITING, "children", allow_duplicate=True),
                  Input(mid.UNIT_ADD, "n_clicks"), Input(mid.UNIT_UPDATE, "n_clicks"),
                  Input(mid.UNIT_DELETE, "n_clicks"),
                  State(_field_ids(mid.UNIT_FORM), "value"), State(mid.UNIT_EDITING_ID, "data"),
                  State(mid.DRAFT, "data"), prevent_initial_call=True)
    def change_unit(_add: Any, _update: Any, _delete: Any, values: list[Any], editing: str | None,
                    handle: Handle | None) -> tuple[Any, ...]:
        if not pressed(ctx.triggered):
            return no_update, no_update, no_update, no_update, no_update
        fields = form_values(UNIT_FIELDS, values)
        name = str(fields.get("name") or "").strip() or "unit"
        action = ctx.triggered_id
        if action != mid.UNIT_ADD and not editing:
            return (no_update, _errors(UNIT_FIELDS, {}), "Click a unit on the map first, or add a new one.",
                    no_update, no_update)
        if action == mid.UNIT_ADD:
            before: set[str] = set()

            def change(site: Site) -> Site:
                before.update(site.units_by_id)
                return edit.add_unit(site, fields)
            label = f"add {name}"
        elif action == mid.UNIT_UPDATE:
            def change(site: Site) -> Site:
                return edit.update_unit(site, str(editing), fields)
            label = f"edit {name}"
        else:
            def change(site: Site) -> Site:
                return edit.delete_unit(site, str(editing))
            label = f"delete {name}"
        new_handle, errors, message, site = run_edit(services, handle, UNIT_FIELDS, change, label)
        if site is None:
            return new_handle, errors, message, no_update, no_update
        if action == mid.UNIT_ADD:
            added = next((u for u in site.units if u.id not in before), None)
            return (new_handle, errors, message, added.id if added else None,
                    f"Editing {added.name}" if added else "")
        if action == mid.UNIT_DELETE:
            return new_handle, errors, message, None, "Deleted. Fill in the form to add a new unit."
        edited = fields.get("id") or editing
        return new_handle, errors, message, edited, f"Editing {name}"


def _register_link_form(app: Dash, services: Services) -> None:
    @app.callback(Output(_field_ids(mid.LINK_FORM), "value"), Output(mid.LINK_EDITING_ID, "data"),
                  Output(mid.LINK_EDITING, "children"),
                  Input(mid.CY, "tapEdgeData"), Input(mid.LINK_NEW, "n_clicks"),
                  State(mid.DRAFT, "data"), prevent_initial_call=True)
    def fill_link_form(edge: dict[str, Any] | None, _new: Any, handle: Handle | None) -> tuple[Any, ...]:
        if not pressed(ctx.triggered):
            return no_update, no_update, no_update
        if ctx.triggered_id == mid.LINK_NEW or not edge:
            return _blank(LINK_FIELDS), None, "New link: choose the two units and the level."
        try:
            site = draft_of(services, handle).site
        except WorkingCopyGone:
            return no_update, no_update, no_update
        link = site.links_by_id.get(str(edge.get("link") or edge.get("id")))
        if link is None:
            return no_update, no_update, no_update
        values = link_values(link)
        return ([values[f.name] for f in LINK_FIELDS], link.id,
                f"Editing {site.unit(link.source).name} ↔ {site.unit(link.target).name}")

    @app.callback(Output(mid.DRAFT, "data", allow_duplicate=True),
                  Output(_error_ids(mid.LINK_FORM), "children"),
                  Output(mid.LINK_MESSAGE, "children"),
                  Output(mid.LINK_EDITING_ID, "data", allow_duplicate=True),
                  Input(mid.LINK_ADD, "n_clicks"), Input(mid.LINK_UPDATE, "n_clicks"),
                  Input(mid.LINK_DELETE, "n_clicks"),
                  State(_field_ids(mid.LINK_FORM), "value"), State(mid.LINK_EDITING_ID, "data"),
                  State(mid.DRAFT, "data"), prevent_initial_call=True)
    def change_link(_add: Any, _update: Any, _delete: Any, values: list[Any], editing: str | None,
                    handle: Handle | None) -> tuple[Any, ...]:
        if not pressed(ctx.triggered):
            return no_update, no_update, no_update, no_update
        fields = form_values(LINK_FIELDS, values)
        action = ctx.triggered_id
        if action != mid.LINK_ADD and not editing:
            return no_update, _errors(LINK_FIELDS, {}), "Click a link on the map first, or add a new one.", \
                no_update
        before: set[str] = set()
        if action == mid.LINK_ADD:
            def change(site: Site) -> Site:
                before.update(site.links_by_id)
                return edit.add_link(site, fields)
            label = "add a link"
        elif action == mid.LINK_UPDATE:
            def change(site: Site) -> Site:
                return edit.update_link(site, str(editing), fields)
            label = "edit a link"
        else:
            def change(site: Site) -> Site:
                return edit.delete_link(site, str(editing))
            label = "delete a link"
        new_handle, errors, message, site = run_edit(services, handle, LINK_FIELDS, change, label)
        if site is None:
            return new_handle, errors, message, no_update
        if action == mid.LINK_ADD:
            added = next((lk.id for lk in site.links if lk.id not in before), None)
            return new_handle, errors, message, added
        if action == mid.LINK_DELETE:
            return new_handle, errors, message, None
        return new_handle, errors, message, fields.get("id") or editing


def _register_map_edits(app: Dash, services: Services) -> None:
    @app.callback(Output(mid.DRAFT, "data", allow_duplicate=True),
                  Output(mid.MESSAGE, "children", allow_duplicate=True),
                  Input(mid.UNDO, "n_clicks"), Input(mid.REDO, "n_clicks"),
                  State(mid.DRAFT, "data"), prevent_initial_call=True)
    def undo_redo(_undo: Any, _redo: Any, handle: Handle | None) -> tuple[Any, Any]:
        if not pressed(ctx.triggered):
            return no_update, no_update
        try:
            draft = draft_of(services, handle)
            if ctx.triggered_id == mid.UNDO:
                draft.undo()
            else:
                draft.redo()
        except (WorkingCopyGone, NothingToUndo, NothingToRedo) as err:
            return no_update, str(err)
        assert handle is not None
        return handle_for(str(handle["token"]), draft), ""

    @app.callback(Output(mid.DRAFT, "data", allow_duplicate=True),
                  Output(mid.MESSAGE, "children", allow_duplicate=True),
                  Input(mid.ARRANGE, "n_clicks"), State(mid.DRAFT, "data"), prevent_initial_call=True)
    def arrange(_n: Any, handle: Handle | None) -> tuple[Any, Any]:
        if not pressed(ctx.triggered):
            return no_update, no_update
        try:
            draft = draft_of(services, handle)
        except WorkingCopyGone as err:
            return no_update, str(err)
        assert handle is not None
        positions = arrange_site(draft.site)
        draft.apply(lambda site: edit.set_positions(site, positions), "arrange the map")
        services.positions.forget(str(handle["token"]))
        return handle_for(str(handle["token"]), draft, fit=True), ""

    @app.callback(Output(mid.DRAFT, "data", allow_duplicate=True),
                  Input(mid.MOVED, "data"), State(mid.DRAFT, "data"), prevent_initial_call=True)
    def keep_dragged(moved: dict[str, Any] | None, handle: Handle | None) -> Any:
        if not moved or not isinstance(moved.get("positions"), dict):
            return no_update
        try:
            draft = draft_of(services, handle)
        except WorkingCopyGone:
            return no_update
        assert handle is not None
        site = draft.site
        positions = {uid: (float(p[0]), float(p[1])) for uid, p in moved["positions"].items()
                     if uid in site.units_by_id and isinstance(p, list) and len(p) == 2}
        if not positions:
            return no_update
        try:
            draft.apply(lambda s: edit.set_positions(s, positions), "move units")
        except SiteError:
            return no_update
        return handle_for(str(handle["token"]), draft)
