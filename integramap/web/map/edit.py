"""Map page callbacks that change the working copy: unit and link forms, undo, arrange, drag."""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Any

from dash import ALL, Dash, Input, Output, State, ctx, html, no_update
from pydantic import Field

from integramap.drafts import Change, NothingToRedo, NothingToUndo, StaleWorkingCopy
from integramap.edit import DuplicateLink
from integramap.model import Site, SiteError
from integramap.web.map import ids as mid
from integramap.web.map import trying
from integramap.layout.positions import SPACING, arrange_site, saved_positions
from integramap.web.map.forms import GENERAL, LINK_FIELDS, UNIT_FIELDS, FieldSpec, errors_by_field, link_values, unit_values
from integramap.web.common.inputs import CallbackInputs, Clicks, Id, Json, ManyClicks, Store, typed_callback
from integramap.web.common.services import Services
from integramap.web.map.working import WorkingCopyGone, copy_key, draft_of, handle_for, pressed

Handle = dict[str, Any]
Point = tuple[float, float]


def unit_names_fingerprint(site: Site) -> int:
    """Changes when a unit is added, removed or renamed: when the unit dropdowns need new options."""
    return hash(tuple((u.id, u.name) for u in site.units))


def unit_choices(site: Site) -> list[dict[str, str]]:
    """Every unit as a dropdown option, by name; a name two units share gets its parent's name beside it.

    Examples
    --------
    >>> from integramap.edit import add_unit, new_site
    >>> site = add_unit(new_site("s", "S"), {"id": "north", "name": "North", "kind": "organisation"})
    >>> site = add_unit(site, {"name": "Crisis team", "kind": "team", "parent": "north"})
    >>> site = add_unit(site, {"name": "Crisis team", "kind": "team"})
    >>> [o["label"] for o in unit_choices(site)]
    ['Crisis team', 'Crisis team (North)', 'North']
    """
    counts = Counter(u.name for u in site.units)
    options = []
    for u in site.units:
        label = u.name
        if counts[u.name] > 1 and u.parent in site.units_by_id:
            label = f"{u.name} ({site.units_by_id[u.parent].name})"
        options.append({"label": label, "value": u.id})
    return sorted(options, key=lambda o: (o["label"].casefold(), o["value"]))


def unit_choice_options(services: Services, handle: Handle | None) -> Any:
    """The options of the forms' unit dropdowns (parent, link ends): ``no_update`` when this page
    already has them, as they list every unit of the site."""
    try:
        site = draft_of(services, handle).site
    except WorkingCopyGone:
        return []
    assert handle is not None
    if not services.sent.changed(str(handle.get("page")), "unit-choices", unit_names_fingerprint(site)):
        return no_update
    return unit_choices(site)


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
             change: Change, label: str) -> tuple[Any, list[str], Any, Site | None]:
    """Apply one edit to the working copy: the new handle, field errors, a message and the new site."""
    try:
        draft = draft_of(services, handle)
    except WorkingCopyGone as err:
        return no_update, _errors(fields, {}), str(err), None
    assert handle is not None
    try:
        site = draft.apply(change, label)
    except DuplicateLink as err:
        found = errors_by_field(err, fields)
        offer = html.Div(["Not added: one pair of units has one link. ",
                          html.Button("Edit the existing link", id={"type": mid.LINK_OPEN_EXISTING,
                                                                    "link": err.existing},
                                      className="button small")], className="duplicate-offer")
        return no_update, _errors(fields, found), offer, None
    except SiteError as err:
        found = errors_by_field(err, fields)
        return no_update, _errors(fields, found), "Not changed: see the messages above.", None
    except StaleWorkingCopy as err:
        return _reloaded(services, handle), _errors(fields, {}), str(err), None
    return handle_for(handle, draft), _errors(fields, {}), f"Done: {label}.", site


def _reloaded(services: Services, handle: Handle) -> Any:
    """The handle of the copy as another window left it, so the map shows that state."""
    try:
        return handle_for(handle, draft_of(services, handle))
    except WorkingCopyGone:
        return no_update


def shown_site(services: Services, handle: Handle | None, tried: dict[str, Any] | None) -> Site:
    """The site the map shows: the working copy, with the change being tried applied to it."""
    draft = draft_of(services, handle)
    applied = trying.tried(draft.site, tried)
    return applied.site if applied is not None else draft.site


def spot_beside(services: Services, handle: Handle, site: Site, anchors: list[str | None]) -> Point | None:
    """Where a new unit goes: beside the first anchor drawn (the unit selected when it is added, else
    its parent), clear of the units already drawn there; ``None`` when no anchor is drawn."""
    known = {**services.revision_positions.get(f"{site.id}@{handle.get('base')}"),
             **services.positions.get(copy_key(handle)), **saved_positions(site)}
    anchor = next((a for a in anchors if a and a in known), None)
    if anchor is None:
        return None
    x, y = known[anchor]
    x += SPACING
    while any(abs(x - px) < SPACING * 0.6 and abs(y - py) < SPACING * 0.6 for px, py in known.values()):
        y += SPACING * 0.7
    return x, y


FOLLOW_NEW_UNIT = """
function(handle) {
    // The map redraws after this handle arrives: wait for the new unit, then bring it into view.
    if (!handle || !handle.follow) { return window.dash_clientside.no_update; }
    var tries = 0;
    (function go() {
        var el = document.getElementById('map-cy');
        var reg = el && (el._cyreg || (el.firstChild && el.firstChild._cyreg));
        var cy = reg && reg.cy;
        var node = cy && cy.getElementById(handle.follow);
        if (node && node.length) {
            cy.animate({center: {eles: node}, zoom: Math.max(cy.zoom(), 1)}, {duration: 200});
            return;
        }
        if (tries++ < 100) { setTimeout(go, 50); }
    })();
    return handle.follow;
}
"""


class _Handle(CallbackInputs):
    handle: Store


class _Press(CallbackInputs):
    n: Clicks


class _FillUnit(CallbackInputs):
    node: Store
    new: Clicks
    first: Clicks
    handle: Store
    tried: Store


class UnitFormInputs(CallbackInputs):
    """The unit form's buttons and fields, as its callbacks take them (here, and while a change is tried)."""

    add: Clicks
    update: Clicks
    delete: Clicks
    values: Annotated[list[Json], Field(min_length=len(UNIT_FIELDS), max_length=len(UNIT_FIELDS))]
    editing: Id
    handle: Store
    tried: Store


class _FillLink(CallbackInputs):
    edge: Store
    new: Clicks
    open: ManyClicks
    handle: Store
    tried: Store


class LinkFormInputs(UnitFormInputs):
    """The link form's, likewise."""

    values: Annotated[list[Json], Field(min_length=len(LINK_FIELDS), max_length=len(LINK_FIELDS))]


class _UndoRedo(CallbackInputs):
    undo: Clicks
    redo: Clicks
    handle: Store


class _Arrange(CallbackInputs):
    n: Clicks
    handle: Store


class _Dragged(CallbackInputs):
    moved: Store
    handle: Store


def register_callbacks(app: Dash, services: Services) -> None:
    app.clientside_callback(  # type: ignore[no-untyped-call]
        FOLLOW_NEW_UNIT, Output(mid.FOLLOWED, "data"), Input(mid.DRAFT, "data"),
                            prevent_initial_call=True)
    _register_unit_form(app, services)
    _register_start(app, services)
    _register_link_form(app, services)
    _register_map_edits(app, services)


def _register_unit_form(app: Dash, services: Services) -> None:
    # The page's layout holds the opened site's unit lists: this runs on later changes only.
    @app.callback(Output(mid.field_id(mid.UNIT_FORM, "parent"), "options"),
                  Output(mid.field_id(mid.LINK_FORM, "source"), "options"),
                  Output(mid.field_id(mid.LINK_FORM, "target"), "options"),
                  Input(mid.DRAFT, "data"), prevent_initial_call=True)
    @typed_callback(_Handle)
    def unit_choices(handle: Handle | None) -> tuple[Any, Any, Any]:
        options = unit_choice_options(services, handle)
        return options, options, options

    @app.callback(Output(_field_ids(mid.UNIT_FORM), "value"), Output(mid.UNIT_EDITING_ID, "data"),
                  Output(mid.UNIT_EDITING, "children"),
                  Input(mid.CY, "tapNodeData"), Input(mid.UNIT_NEW, "n_clicks"),
                  Input(mid.START_ORGANISATION, "n_clicks"),
                  State(mid.DRAFT, "data"), State(mid.TRY, "data"), prevent_initial_call=True)
    @typed_callback(_FillUnit)
    def fill_unit_form(node: dict[str, Any] | None, _new: Any, _first: Any, handle: Handle | None,
                       tried: dict[str, Any] | None) -> Any:
        if not pressed(ctx.triggered):
            return no_update  # the whole answer: a pattern-matching output takes no per-output no_update
        if ctx.triggered_id == mid.START_ORGANISATION:
            values = _blank(UNIT_FIELDS)
            values[[f.name for f in UNIT_FIELDS].index("kind")] = "organisation"
            return values, None, "The first organisation: give its name and type, then press Add unit."
        if ctx.triggered_id == mid.UNIT_NEW or not node:
            return _blank(UNIT_FIELDS), None, "New unit: fill in the form and press Add unit."
        try:
            site = shown_site(services, handle, tried)
        except WorkingCopyGone:
            return no_update
        unit = site.units_by_id.get(str(node.get("id")))
        if unit is None:  # a group the map only draws: nothing to edit
            return no_update
        found = unit_values(unit)
        return [found[f.name] for f in UNIT_FIELDS], unit.id, f"Editing {unit.name}"

    @app.callback(Output(mid.DRAFT, "data", allow_duplicate=True),
                  Output(_error_ids(mid.UNIT_FORM), "children"),
                  Output(mid.UNIT_MESSAGE, "children"),
                  Output(mid.UNIT_EDITING_ID, "data", allow_duplicate=True),
                  Output(mid.UNIT_EDITING, "children", allow_duplicate=True),
                  Input(mid.UNIT_ADD, "n_clicks"), Input(mid.UNIT_UPDATE, "n_clicks"),
                  Input(mid.UNIT_DELETE, "n_clicks"),
                  State(_field_ids(mid.UNIT_FORM), "value"), State(mid.UNIT_EDITING_ID, "data"),
                  State(mid.DRAFT, "data"), State(mid.TRY, "data"), prevent_initial_call=True)
    @typed_callback(UnitFormInputs)
    def change_unit(_add: Any, _update: Any, _delete: Any, values: list[Any], editing: str | None,
                    handle: Handle | None, tried: dict[str, Any] | None) -> Any:
        # While a change is tried, scenario.py records the edit instead.
        if not pressed(ctx.triggered) or trying.is_on(tried):
            return no_update
        fields = form_values(UNIT_FIELDS, values)
        name = str(fields.get("name") or "").strip() or "unit"
        action = ctx.triggered_id
        if action != mid.UNIT_ADD and not editing:
            return (no_update, _errors(UNIT_FIELDS, {}), "Click a unit on the map first, or add a new one.",
                    no_update, no_update)
        if action == mid.UNIT_ADD:
            if editing and fields.get("id") == editing:
                # The form still holds the selected unit: "Add unit" makes a new one, named by its own name.
                fields = {**fields, "id": ""}
            # Placed where the user is looking, and kept in the site so every server process draws it there.
            spot = None
            try:
                spot = spot_beside(services, handle or {}, draft_of(services, handle).site,
                                   [editing, fields.get("parent")])
            except WorkingCopyGone:
                pass
            if spot is not None:
                fields = {**fields, "attributes": {"position": {"x": round(spot[0], 2), "y": round(spot[1], 2)}}}
            change = Change("add_unit", {"fields": fields})
            label = f"add {name}"
        elif action == mid.UNIT_UPDATE:
            change = Change("update_unit", {"unit_id": str(editing), "changes": fields})
            label = f"edit {name}"
        else:
            change = Change("delete_unit", {"unit_id": str(editing)})
            label = f"delete {name}"
        try:
            before = set(draft_of(services, handle).site.units_by_id)
        except WorkingCopyGone:
            before = set()
        new_handle, errors, message, site = run_edit(services, handle, UNIT_FIELDS, change, label)
        if site is None:
            return new_handle, errors, message, no_update, no_update
        if action == mid.UNIT_ADD:
            added = next((u for u in site.units if u.id not in before), None)
            if added is not None:
                new_handle = {**new_handle, "follow": added.id}
            return (new_handle, errors, message, added.id if added else None,
                    f"Editing {added.name}" if added else "")
        if action == mid.UNIT_DELETE:
            return new_handle, errors, message, None, "Deleted. Fill in the form to add a new unit."
        edited = fields.get("id") or editing
        return new_handle, errors, message, edited, f"Editing {name}"


def _register_start(app: Dash, services: Services) -> None:
    @app.callback(Output(mid.TABS, "value"), Input(mid.START_ORGANISATION, "n_clicks"), prevent_initial_call=True)
    @typed_callback(_Press)
    def open_unit_form(n: Any) -> Any:
        return "unit" if n else no_update

    @app.callback(Output(mid.START_BOX, "hidden"), Input(mid.DRAFT, "data"), prevent_initial_call=True)
    @typed_callback(_Handle)
    def hide_start(handle: Handle | None) -> bool:
        try:
            return bool(draft_of(services, handle).site.units)
        except WorkingCopyGone:
            return True


def _register_link_form(app: Dash, services: Services) -> None:
    @app.callback(Output(_field_ids(mid.LINK_FORM), "value"), Output(mid.LINK_EDITING_ID, "data"),
                  Output(mid.LINK_EDITING, "children"),
                  Input(mid.CY, "tapEdgeData"), Input(mid.LINK_NEW, "n_clicks"),
                  Input({"type": mid.LINK_OPEN_EXISTING, "link": ALL}, "n_clicks"),
                  State(mid.DRAFT, "data"), State(mid.TRY, "data"), prevent_initial_call=True)
    @typed_callback(_FillLink)
    def fill_link_form(edge: dict[str, Any] | None, _new: Any, _open: Any, handle: Handle | None,
                       tried: dict[str, Any] | None) -> Any:
        if not pressed(ctx.triggered):
            return no_update  # the whole answer: a pattern-matching output takes no per-output no_update
        if isinstance(ctx.triggered_id, dict):  # "Edit the existing link", offered when a link repeats one
            edge = {"link": ctx.triggered_id.get("link")}
        elif ctx.triggered_id == mid.LINK_NEW or not edge:
            return _blank(LINK_FIELDS), None, "New link: choose the two units and the level."
        try:
            site = shown_site(services, handle, tried)
        except WorkingCopyGone:
            return no_update
        link = site.links_by_id.get(str(edge.get("link") or edge.get("id")))
        if link is None:
            return no_update
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
                  State(mid.DRAFT, "data"), State(mid.TRY, "data"), prevent_initial_call=True)
    @typed_callback(LinkFormInputs)
    def change_link(_add: Any, _update: Any, _delete: Any, values: list[Any], editing: str | None,
                    handle: Handle | None, tried: dict[str, Any] | None) -> Any:
        # While a change is tried, scenario.py records the edit instead.
        if not pressed(ctx.triggered) or trying.is_on(tried):
            return no_update
        fields = form_values(LINK_FIELDS, values)
        action = ctx.triggered_id
        if action != mid.LINK_ADD and not editing:
            return no_update, _errors(LINK_FIELDS, {}), "Click a link on the map first, or add a new one.", \
                no_update
        if action == mid.LINK_ADD:
            change = Change("add_link", {"fields": fields})
            label = "add a link"
        elif action == mid.LINK_UPDATE:
            change = Change("update_link", {"link_id": str(editing), "changes": fields})
            label = "edit a link"
        else:
            change = Change("delete_link", {"link_id": str(editing)})
            label = "delete a link"
        try:
            before = set(draft_of(services, handle).site.links_by_id)
        except WorkingCopyGone:
            before = set()
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
    @typed_callback(_UndoRedo)
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
        except StaleWorkingCopy as err:
            assert handle is not None
            return _reloaded(services, handle), str(err)
        assert handle is not None
        return handle_for(handle, draft), ""

    @app.callback(Output(mid.DRAFT, "data", allow_duplicate=True),
                  Output(mid.MESSAGE, "children", allow_duplicate=True),
                  Input(mid.ARRANGE, "n_clicks"), State(mid.DRAFT, "data"), prevent_initial_call=True)
    @typed_callback(_Arrange)
    def arrange(_n: Any, handle: Handle | None) -> tuple[Any, Any]:
        if not pressed(ctx.triggered):
            return no_update, no_update
        try:
            draft = draft_of(services, handle)
        except WorkingCopyGone as err:
            return no_update, str(err)
        assert handle is not None
        positions = arrange_site(draft.site)
        try:
            draft.apply(Change.positions(positions), "arrange the map")
        except StaleWorkingCopy as err:
            return _reloaded(services, handle), str(err)
        services.positions.forget(copy_key(handle))
        return handle_for(handle, draft, fit=True), ""

    @app.callback(Output(mid.DRAFT, "data", allow_duplicate=True),
                  Input(mid.MOVED, "data"), State(mid.DRAFT, "data"), prevent_initial_call=True)
    @typed_callback(_Dragged)
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
            draft.apply(Change.positions(positions), "move units")
        except (SiteError, StaleWorkingCopy):
            return no_update
        return handle_for(handle, draft)
