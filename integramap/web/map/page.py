"""The Map page: the site's network, its filters, legend, inspector and editor."""

from __future__ import annotations

from typing import Any

import dash_cytoscape as cyto
from dash import Dash, dcc, html, no_update

from integramap.model import Level, Sector, UnitKind
from integramap.store.access import PersonalStore
from integramap.web.map import edit as map_edit
from integramap.web.map import files as map_files
from integramap.web.map import listview as map_list
from integramap.web.map import start as map_start
from integramap.web.map import picture as map_picture
from integramap.web.map import scenario as map_scenario
from integramap.web.map import scenario_files as map_scenario_files
from integramap.web.map import trying
from integramap.web.map import view as map_view
from integramap.web.map import ids as mid
from integramap.web.map.ids import dom_id
from integramap.web.map.forms import GENERAL, LINK_FIELDS, UNIT_FIELDS, FieldSpec, choice_label
from integramap.web.common.pagespec import PageSpec
from integramap.web.common.services import Services, current_services
from integramap.layout.vocabulary import (KIND_SHAPES, LEVEL_COLOURS, LEVEL_DASHES, LEVEL_WIDTHS,
                                          SECTOR_CODES, SECTOR_COLOURS, TARGET_COLOUR)
from integramap.web.map.styles import stylesheet


def _options(values: Any) -> list[dict[str, str]]:
    return [{"label": choice_label(str(v)), "value": str(v)} for v in values]


def _line_style(level: Level) -> dict[str, str]:
    """The legend's sample of a level's line: its colour, width and dash pattern as on the map."""
    colour, dashes = LEVEL_COLOURS[level], LEVEL_DASHES[level]
    if not dashes:
        return {"height": f"{LEVEL_WIDTHS[level]}px", "backgroundColor": colour}
    dash, gap = dashes
    return {"height": f"{LEVEL_WIDTHS[level]}px",
            "backgroundImage": f"repeating-linear-gradient(to right, {colour} 0 {dash}px, "
                               f"transparent {dash}px {dash + gap}px)"}


def legend() -> html.Div:
    """What the shapes, colours and line styles mean, drawn from the map's own style tables."""
    kinds = [html.Li([html.Span(className=f"swatch shape shape-{shape}"), choice_label(str(kind))])
             for kind, shape in KIND_SHAPES.items()]
    sectors = [html.Li([html.Span(className="swatch", style={"backgroundColor": colour}),
                        html.Strong(SECTOR_CODES[sector], className="sector-code"),
                        choice_label(str(sector))]) for sector, colour in SECTOR_COLOURS.items()]
    levels = [html.Li([html.Span(className="line", style=_line_style(level)),
                       f"{level.rank} {level.label}"]) for level in Level]
    levels.append(html.Li([html.Span(className="line dashed", style={"borderColor": TARGET_COLOUR}),
                           "target level (→ what the site wants)"]))
    return html.Div([
        html.H3("Legend"),
        html.Div([html.H4("Unit kind"), html.Ul(kinds)]),
        html.Div([html.H4("Sector (colour and letters)"), html.Ul(sectors)]),
        html.Div([html.H4("Link level (width and dashes)"), html.Ul(levels)]),
        html.P("A dashed box holds the units inside an organisation or network.", className="hint"),
        html.P("While you try a change, what it touches has a violet dashed outline.", className="hint"),
    ], className="legend", id="map-legend")


def _filters(focus: str | None = None, orgs: list[dict[str, str]] | None = None,
             units: list[dict[str, str]] | None = None) -> html.Div:
    return html.Div([
        html.H3("Show"),
        # Finds as the user types: a short pause after the last key, so a name is one redraw.
        html.Label("Search", htmlFor=mid.F_SEARCH, className="visually-hidden"),
        dcc.Input(id=mid.F_SEARCH, type="search", placeholder="Search by name or code…", debounce=0.3,
                  className="search"),
        html.Div(id=mid.SEARCH_NOTE, className="search-note", role="status"),
        html.Label("Kinds", htmlFor=mid.F_KINDS),
        dcc.Dropdown(id=mid.F_KINDS, options=_options(UnitKind), multi=True, placeholder="All kinds"),
        html.Label("Sectors", htmlFor=mid.F_SECTORS),
        dcc.Dropdown(id=mid.F_SECTORS, options=_options(Sector), multi=True, placeholder="All sectors"),
        html.Label("Organisations", htmlFor=mid.F_ORGS),
        dcc.Dropdown(id=mid.F_ORGS, options=orgs or [], multi=True, placeholder="All organisations"),
        html.Label("Link levels", htmlFor=mid.F_LEVELS),
        dcc.RangeSlider(id=mid.F_LEVELS, min=0, max=len(Level) - 1, step=1, value=[0, len(Level) - 1],
                        marks={lv.rank: {"label": str(lv.rank)} for lv in Level}),
        html.Label("Focus on a unit", htmlFor=mid.F_FOCUS),
        # Without the site's unit list (none open), the asked-for unit is the only choice.
        dcc.Dropdown(id=mid.F_FOCUS, placeholder="Whole site", value=focus or None,
                     options=units or ([{"label": focus, "value": focus}] if focus else [])),
        dcc.RadioItems(id=mid.F_DEPTH, options=[{"label": " 1 step", "value": 1},
                                                 {"label": " 2 steps", "value": 2}],
                       value=1, inline=True, className="radio"),
        dcc.Checklist(id=mid.F_COMPOUND, options=[{"label": " Nest units in their organisation",
                                                   "value": "on"}], value=["on"]),
        dcc.Checklist(id=mid.F_TARGETS, options=[{"label": " Show target levels", "value": "on"}],
                      value=["on"]),
        html.Button("Clear filters", id=mid.F_CLEAR, className="button small"),
    ], className="filters")


def _field(form: str, spec: FieldSpec, units: list[dict[str, str]]) -> html.Div:
    fid = mid.field_id(form, spec.name)
    control: Any
    if spec.widget in ("choice", "unit"):
        control = dcc.Dropdown(id=fid, options=_options(spec.choices) if spec.widget == "choice" else units,
                               placeholder="—", clearable=not spec.required)
    elif spec.widget == "multi":
        control = dcc.Dropdown(id=fid, options=_options(spec.choices), multi=True, placeholder="—")
    elif spec.widget == "textarea":
        control = dcc.Textarea(id=fid, value="", rows=2)
    else:
        control = dcc.Input(id=fid, type="number" if spec.widget == "number" else "text",
                            value=None if spec.widget == "number" else "", debounce=False)
    label = spec.label + (" *" if spec.required else "")
    return html.Div([
        html.Label(label, title=spec.help, htmlFor=dom_id(fid)),
        control,
        html.Div(id=mid.error_id(form, spec.name), className="field-error"),
    ], className=f"field field-{spec.name}")


def _form(form: str, fields: tuple[FieldSpec, ...], buttons: list[Any], editing_id: str,
          message_id: str, units: list[dict[str, str]]) -> html.Div:
    return html.Div([
        html.Div(id=editing_id, className="editing"),
        *[_field(form, spec, units) for spec in fields],
        html.Div(id=mid.error_id(form, GENERAL), className="field-error general"),
        html.Div(buttons, className="buttons"),
        html.Div(id=message_id, className="form-message"),
    ], className="form")


def _viewer_tabs() -> dcc.Tabs:
    """The panel for someone who may only view the site: the inspector and the downloads, with no
    form, save, discard or upload control at all."""
    return dcc.Tabs(id=mid.TABS, value="inspect", children=[
        dcc.Tab(label="Inspect", value="inspect", children=html.Div(
            html.P("Click a unit or a link on the map to see all its details.", className="hint"),
            id=mid.INSPECT, className="inspect")),
        dcc.Tab(label="Download", value="files", children=html.Div([
            html.H3("Download"),
            html.Div([html.Button("YAML", id=mid.DOWNLOAD_YAML, className="button"),
                      html.Button("JSON", id=mid.DOWNLOAD_JSON, className="button")], className="buttons"),
            dcc.Download(id=mid.DOWNLOAD),
        ], className="form")),
    ], className="editor-tabs")


def read_only_note() -> html.Div:
    """Why a viewer sees no editing controls, and whom to ask."""
    return html.Div("You can view this site but not change it: ask its owner to make you an editor "
                    "of it.", id=mid.READ_ONLY, className="hint read-only-note", role="note")


def _editor(units: list[dict[str, str]]) -> dcc.Tabs:
    unit_buttons = [html.Button("Add unit", id=mid.UNIT_ADD, className="button primary"),
                    html.Button("Save changes", id=mid.UNIT_UPDATE, className="button"),
                    html.Button("Delete", id=mid.UNIT_DELETE, className="button danger"),
                    html.Button("Clear form", id=mid.UNIT_NEW, className="button small")]
    link_buttons = [html.Button("Add link", id=mid.LINK_ADD, className="button primary"),
                    html.Button("Save changes", id=mid.LINK_UPDATE, className="button"),
                    html.Button("Delete", id=mid.LINK_DELETE, className="button danger"),
                    html.Button("Clear form", id=mid.LINK_NEW, className="button small")]
    return dcc.Tabs(id=mid.TABS, value="inspect", children=[
        dcc.Tab(label="Inspect", value="inspect", children=html.Div(
            html.P("Click a unit or a link on the map to see all its details.", className="hint"),
            id=mid.INSPECT, className="inspect")),
        dcc.Tab(label="Unit", value="unit",
                children=_form(mid.UNIT_FORM, UNIT_FIELDS, unit_buttons, mid.UNIT_EDITING, mid.UNIT_MESSAGE,
                               units)),
        dcc.Tab(label="Link", value="link",
                children=_form(mid.LINK_FORM, LINK_FIELDS, link_buttons, mid.LINK_EDITING, mid.LINK_MESSAGE,
                               units)),
        dcc.Tab(label="Save", value="files", children=_files()),
    ], className="editor-tabs")


def _files() -> html.Div:
    return html.Div([
        html.H3("Save a new revision"),
        html.Label("Your name", htmlFor=mid.SAVE_AUTHOR),
        dcc.Input(id=mid.SAVE_AUTHOR, type="text", placeholder="e.g. A. Patel", className="wide"),
        html.Label("What changed", htmlFor=mid.SAVE_MESSAGE),
        dcc.Input(id=mid.SAVE_MESSAGE, type="text", placeholder="e.g. Added the crisis team",
                  className="wide"),
        html.Div([html.Button("Save", id=mid.SAVE, className="button primary"),
                  html.Button("Discard unsaved changes", id=mid.DISCARD, className="button danger")],
                 className="buttons"),
        html.Div(id=mid.SAVE_RESULT, className="form-message"),
        conflict_box(),
        html.H3("Download"),
        html.Div([html.Button("YAML", id=mid.DOWNLOAD_YAML, className="button"),
                  html.Button("JSON", id=mid.DOWNLOAD_JSON, className="button")], className="buttons"),
        dcc.Download(id=mid.DOWNLOAD),
        html.H3("Upload a site file"),
        dcc.Upload(id=mid.UPLOAD, children=html.Div(["Drop a YAML, JSON or XLSX file here, or ",
                                                     html.A("choose one")]),
                   className="upload", multiple=False),
        html.P("Up to 20 MB. It replaces the working copy; nothing is stored until you save.",
               className="hint"),
        html.Div(id=mid.UPLOAD_RESULT, className="form-message"),
    ], className="form")


def conflict_box() -> html.Div:
    """What to do when someone else saved the site while one was editing: shown by ``files.py``, and
    focused as it opens, so a keyboard or screen-reader user lands on the choices."""
    return html.Div([
        html.P(id=mid.CONFLICT_TEXT),
        html.Div([
            html.Button("Save mine as the next revision", id=mid.CONFLICT_KEEP, className="button primary small"),
            html.Button("Open their revision", id=mid.CONFLICT_LOAD, className="button danger small"),
            dcc.Link("See what they changed", id=mid.CONFLICT_COMPARE, href="/compare", className="small"),
        ], className="buttons"),
        html.P("Saving yours keeps their revision in the history, where it can be compared or restored; "
               "opening theirs drops your unsaved changes.", className="hint"),
    ], id=mid.CONFLICT_BOX, className="conflict-box", hidden=True, role="alert", **_FOCUS_ON_SHOW)


_FOCUS_ON_SHOW: dict[str, Any] = {"data-focus-on-show": "1", "data-focus-on-hide": mid.SAVE}
"""Marks a box whose first control takes the focus when it is shown, and hands it back to Save when it
closes (``assets/accessibility.js``)."""


def resume_box(handle: dict[str, Any] | None) -> html.Div:
    """The offer to resume unsaved edits left from an earlier visit (shown by the browser when the
    page is opened afresh, see ``files.py``)."""
    edited = (handle or {}).get("unsaved")
    return html.Div([
        html.Span(f"You have unsaved changes to this site (edited {edited}). ", id=mid.RESUME_TEXT),
        html.Button("Resume your unsaved changes", id=mid.RESUME, className="button primary small"),
        html.Button("Discard them", id=mid.RESUME_DISCARD, className="button danger small"),
    ], id=mid.RESUME_BOX, className="resume-box", hidden=True, role="alert")


def start_box(empty: bool) -> html.Div:
    """How to begin on an empty map: the first organisation, the national NHS files, or a spreadsheet."""
    return html.Div([
        html.H3("This map is empty: start here"),
        html.Ol([
            html.Li([html.Strong("Add the first organisation"), " — an NHS trust, a council, a GP federation… "
                     "then its teams inside it, then the links between them. ",
                     html.Button("Add the first organisation", id=mid.START_ORGANISATION,
                                 className="button primary small")]),
            map_start.import_section(),
            html.Li([html.Strong("Fill in the spreadsheet template"), " — one row per unit and per link, "
                     "then upload it here. ",
                     html.Button("Download the template", id=mid.START_TEMPLATE, className="button small"),
                     dcc.Download(id=mid.TEMPLATE_DOWNLOAD),
                     dcc.Upload(id=mid.START_UPLOAD, children=html.Div(["Drop the filled-in template here, or ",
                                                                      html.A("choose it")]),
                                className="upload", multiple=False),
                     html.Div(id=mid.START_RESULT, className="form-message")]),
        ]),
    ], id=mid.START_BOX, className="start-box", hidden=not empty)


def layout(site: str | None = None, focus: str | None = None, **_query: Any) -> html.Div:
    """The page for ``/map?site=ID[&focus=UNIT]``: ``focus`` opens on a unit and its neighbours.

    The site is opened and drawn here, not by callbacks once the page is shown: the page arrives
    with its elements, so the map paints after one round trip instead of a chain of three.
    """
    services = current_services()
    handle, message = map_view.open_request(services, site)
    title, status, no_undo, no_redo, undo_title, redo_title, orgs, units = map_view.status_parts(
        services, handle)
    elements, cy_layout, crumbs, info, _note = map_view.draw_parts(
        services, handle, map_view.opening_options(focus), fit=True, nonce="open", opening=True)
    unit_choices = map_edit.unit_choice_options(services, handle)
    empty = handle is not None and not map_view.has_units(services, handle)
    # A viewer gets no editing controls at all (the server refuses their edits in any case).
    store = services.store
    read_only = isinstance(store, PersonalStore) and not store.may_edit((handle or {}).get("site") or site)
    hidden_for_viewer = {"display": "none"} if read_only else None
    return html.Div([
        dcc.Store(id=mid.SITE_REQUEST, data=site),
        dcc.Store(id=mid.DRAFT, data=handle),
        dcc.Store(id=mid.DRILL),
        dcc.Store(id=mid.OPENED, data=[]),
        dcc.Store(id=mid.MOVED),
        dcc.Store(id=mid.UNIT_EDITING_ID),
        dcc.Store(id=mid.LINK_EDITING_ID),
        dcc.Store(id=mid.FOLLOWED),
        dcc.Store(id=mid.UNSAVED),
        dcc.Store(id=mid.TRY, data=dict(trying.NOT_TRYING)),
        html.Div([
            html.H2(title, id=mid.TITLE, className="site-title"),
            html.Span(status, id=mid.STATUS, className="status"),
            html.Div([
                html.Button("↶ Undo", id=mid.UNDO, className="button", disabled=no_undo or read_only,
                            title=undo_title, style=hidden_for_viewer),
                html.Button("↷ Redo", id=mid.REDO, className="button", disabled=no_redo or read_only,
                            title=redo_title, style=hidden_for_viewer),
                html.Button("Arrange", id=mid.ARRANGE, className="button", disabled=read_only,
                            title="Lay the map out again on the server and keep the positions",
                            style=hidden_for_viewer),
                html.Button("Fit", id=mid.FIT, className="button", title="Show the whole map"),
                map_scenario.toggle_button(hidden=read_only),
                *map_picture.buttons(),
            ], className="toolbar-buttons"),
        ], className="toolbar"),
        html.Div(message, id=mid.MESSAGE, className="page-message"),
        *([read_only_note()] if read_only else []),
        resume_box(handle),
        html.Div([
            html.Aside([_filters(focus, _sent(orgs), _sent(units)), map_list.panel(), map_list.status(),
                        legend()], className="sidebar"),
            html.Section([
                html.Div(crumbs, id=mid.BREADCRUMB, className="breadcrumb"),
                *([] if read_only else [start_box(empty)]),
                # The canvas cannot be read aloud: say so, and where the same site is in words.
                html.P("The map is a picture of the site's units and links. The same units, links and "
                       "findings are in the list beside it, under the filters.", className="visually-hidden"),
                cyto.Cytoscape(id=mid.CY, elements=elements, stylesheet=stylesheet(), autoungrabify=read_only,
                               layout=_sent(cy_layout) or {"name": "preset"}, autoRefreshLayout=False,
                               minZoom=0.05, maxZoom=4, wheelSensitivity=0.3,
                               boxSelectionEnabled=False, className="cy",
                               style={"width": "100%", "height": "0", "flex": "1 1 0"}),
                html.Div(info, id=mid.VIEW_INFO, className="view-info"),
                map_scenario.panel(),
            ], className="canvas"),
            html.Aside(_viewer_tabs() if read_only else _editor(_sent(unit_choices)), className="panel"),
        ], className="map-body"),
    ], className="map-page")


def _sent(value: Any) -> Any:
    """A value for the layout; ``no_update`` (nothing new to send) becomes empty."""
    return [] if value is no_update else value


PAGE = PageSpec(path="/map", name="Map", order=1, layout=layout)


def register_callbacks(app: Dash, services: Services) -> None:
    map_view.register_callbacks(app, services)
    map_edit.register_callbacks(app, services)
    map_files.register_callbacks(app, services)
    map_start.register_callbacks(app, services)
    map_picture.register_callbacks(app, services)
    map_scenario.register_callbacks(app, services)
    map_scenario_files.register_callbacks(app, services)
    map_list.register_callbacks(app, services)
