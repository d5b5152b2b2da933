"""Map page callbacks that show things: open the site, draw it, filter, drill down, inspect."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import flask
from dash import ALL, Dash, Input, Output, State, ctx, html, no_update

from integramap.model import Level, Site
from integramap.store import UnknownSiteError
from integramap.wording import first_upper, in_words, plural
from integramap.web.map import ids as mid
from integramap.edit import set_positions
from integramap.layout.positions import SPACING, complete_positions, saved_positions
from integramap.web.map.elements import ELEMENT_BUDGET, MapView, ViewOptions, build_view, organisations
from integramap.web.map.detail import CANVAS, parse_canvas
from integramap.web.map.forms import choice_label
from integramap.web.map.edit import shown_site, unit_names_fingerprint
from integramap.layout.groups import GROUP_NAME, describe, grouped, is_group
from integramap.web.map import trying
from integramap.scenario_edits import Applied
from integramap.web.common.inputs import (CallbackInputs, Clicks, Id, Ids, ManyClicks, Number, Numbers, Store, Text,
                                          typed_callback)
from integramap.web.common.services import Services
from integramap.web.map.working import WorkingCopyGone, copy_key, draft_of, open_site, status_text


FILTER_DEFAULTS: dict[str, Any] = {
    mid.F_KINDS: None, mid.F_SECTORS: None, mid.F_ORGS: None, mid.F_LEVELS: [0, len(Level) - 1],
    mid.F_SEARCH: "", mid.F_FOCUS: None, mid.F_DEPTH: 1, mid.F_COMPOUND: ["on"], mid.F_TARGETS: ["on"]}
"""The filter controls' values when the page opens and after *Clear filters*."""
FILTER_INPUTS = list(FILTER_DEFAULTS)


def view_options(kinds: list[str] | None, sectors: list[str] | None, orgs: list[str] | None,
                 levels: list[int] | None, search: str | None, focus: str | None, depth: int | None,
                 compound: list[str] | None, targets: list[str] | None, drill: str | None,
                 opened: list[str] | None = None) -> ViewOptions:
    """The view options from the filter controls' values (an empty choice means everything)."""
    low, high = (levels or [0, len(Level) - 1])[:2]
    return ViewOptions(
        compound=bool(compound), show_targets=bool(targets),
        kinds=frozenset(kinds) if kinds else None, sectors=frozenset(sectors) if sectors else None,
        organisations=frozenset(orgs) if orgs else None, level_min=int(low), level_max=int(high),
        search=search or "", focus=focus or None, focus_depth=int(depth or 1), drill=drill,
        opened=frozenset(opened or ()), canvas=browser_canvas())


CANVAS_COOKIE = "integramap-canvas"
"""Where assets/map.js keeps the map's size on screen, so the server plans a view that reads there."""


def browser_canvas() -> tuple[int, int]:
    """The map's size in the asking browser (a page load or a callback), else the default."""
    try:
        return parse_canvas(flask.request.cookies.get(CANVAS_COOKIE))
    except RuntimeError:  # outside a request: a script or a test building a view
        return CANVAS


def opening_options(focus: str | None = None) -> ViewOptions:
    """The view the filter controls describe when the page opens (``focus`` from the address)."""
    d = FILTER_DEFAULTS
    return view_options(d[mid.F_KINDS], d[mid.F_SECTORS], d[mid.F_ORGS], d[mid.F_LEVELS], d[mid.F_SEARCH],
                        focus, d[mid.F_DEPTH], d[mid.F_COMPOUND], d[mid.F_TARGETS], None)


def view_with_positions(services: Services, token: str, site: Site, options: ViewOptions,
                        revision: str | None = None) -> MapView:
    """The map view with a position for every node: saved, remembered, or newly computed.

    ``revision`` (``site@number``) names the stored revision the working copy still equals:
    positions computed for it are shared with every other working copy of that revision.
    """
    # Drawn with its practices in no PCN grouped by location (groups.py); the site itself is unchanged.
    site = grouped(site)
    shared = services.revision_positions.get(revision) if revision else {}
    known = {**shared, **services.positions.get(token), **saved_positions(site)}

    def complete(among: list[str]) -> set[str]:
        if all(uid in known for uid in among):
            return set()
        added = complete_positions(site, known, among=among)
        known.update(added)
        services.positions.update(token, added)
        if revision:
            services.revision_positions.update(revision, added)
        return set(added)

    # The level of detail is chosen from where every unit is: a site the browser can hold whole
    # is placed whole first; a larger one only where its view reaches, then viewed again.
    added = complete([u.id for u in site.units]) if len(site.units) <= ELEMENT_BUDGET else set()
    view = build_view(site, known, _revealing(site, options, added))
    more = complete(view.node_ids)
    if more:
        view = build_view(site, known, _revealing(site, options, added | more))
    return view


def _revealing(site: Site, options: ViewOptions, new: set[str]) -> ViewOptions:
    """The options with the boxes holding a few newly placed units opened: a unit just added is
    shown (a whole site laid out for the first time opens as usual)."""
    if not new or len(new) > 3:
        return options
    boxes = {up for uid in new for up in site.ancestors(uid)}
    return replace(options, opened=options.opened | boxes)


def open_request(services: Services, site_id: str | None) -> tuple[dict[str, Any] | None, str]:
    """A working copy of the asked-for site: its handle, or ``None`` and a message saying why there is
    none (no site named: the picker at the top is where to choose one)."""
    if not site_id:
        if not services.store.list_sites():
            return None, "No sites yet: create one on the Sites page."
        return None, "Choose a site to open from the list at the top."
    try:
        return open_site(services, site_id), ""
    except UnknownSiteError as err:
        return None, str(err)


def has_units(services: Services, handle: dict[str, Any] | None) -> bool:
    """Whether the working copy has any unit (an empty map shows how to begin)."""
    try:
        return bool(draft_of(services, handle).site.units)
    except WorkingCopyGone:
        return True


def status_parts(services: Services, handle: dict[str, Any] | None) -> tuple[Any, ...]:
    """Title, status, undo/redo state and the filters' unit lists; the lists are ``no_update``
    when this page was already sent them (they hold every unit of a national site)."""
    try:
        draft = draft_of(services, handle)
    except WorkingCopyGone as err:
        return "", str(err) if handle else "", True, True, "", "", [], []
    site = draft.site
    assert handle is not None
    orgs: Any = no_update
    units: Any = no_update
    if services.sent.changed(str(handle.get("page")), "view-choices", unit_names_fingerprint(site)):
        orgs = [{"label": u.name, "value": u.id} for u in organisations(site)]
        units = [{"label": u.name, "value": u.id} for u in sorted(site.units, key=lambda u: u.name)]
    return (site.name, status_text(draft), not draft.can_undo, not draft.can_redo,
            f"Undo {draft.undo_label}" if draft.undo_label else "",
            f"Redo {draft.redo_label}" if draft.redo_label else "", orgs, units)


def draw_parts(services: Services, handle: dict[str, Any] | None, options: ViewOptions, *, fit: bool,
               nonce: str, opening: bool = False, fit_to: list[str] | None = None,
               tried: dict[str, Any] | None = None) -> tuple[Any, ...]:
    """The map's elements and layout, the breadcrumb and the line saying what is shown.

    ``fit`` shows the whole map (opening, Fit, a new filter); without it the user's zoom is kept
    (an edit). ``nonce`` makes a layout differ from the last one, so the browser applies it again.
    A redraw's layout repeats every position, as nodes already drawn must move to theirs; when
    the page ``opening`` adds every node, the elements' own positions are enough.
    ``fit_to`` names units to fit the view to instead (a box just opened); a search's matches
    are fitted to whenever there are some. Returns also the words under the search box.
    ``tried`` is the change being tried (``trying.py``): the map shows the site with it, marked.
    """
    try:
        draft = draft_of(services, handle)
    except WorkingCopyGone:
        return [], no_update, [], "", ""
    assert handle is not None
    site = draft.site
    applied = trying.tried(site, tried)
    if applied is not None:
        site = applied.site
    if options.drill is not None and options.drill not in grouped(site).units_by_id:
        options = replace(options, drill=None)
    # A tried change keeps every unit's place (a moved one goes beside its new parent's members); a unit it adds
    # is placed under an id of its own, so the revision's shared positions serve it too.
    revision = f"{draft.site_id}@{draft.base}" if draft.base is not None and not draft.dirty else None
    if applied is not None:
        known = {**services.revision_positions.get(f"{draft.site_id}@{draft.base}"),
                 **services.positions.get(copy_key(handle)), **saved_positions(draft.site)}
        site = moved_beside(draft.site, site, known)
    view = view_with_positions(services, copy_key(handle), site, options, revision)
    if applied is not None:
        view = replace(view, elements=marked(view.elements, applied, draft.site))
    layout: dict[str, Any] = {"name": "preset", "fit": fit, "padding": 40, "animate": False,
                              "nonce": f"{handle.get('version')}-{nonce}"}
    if not opening:
        layout["positions"] = {e["data"]["id"]: e["position"] for e in view.elements if "position" in e}
    # Read by assets/map.js once the layout has run: Cytoscape's own fit takes the whole map.
    targets = view.fit_to or [uid for uid in fit_to or [] if uid in view.node_ids]
    if targets and (fit or view.fit_to):
        layout["fitTo"] = targets
        layout["fit"] = False
    return view.elements, layout, _crumbs(view), _info(view), search_note(options.search, view)


TRIED_CHANGED = "tried-changed"
TRIED_ADDED = "tried-added"
TRIED_REMOVED = "tried-removed"
"""Classes of what a change being tried touches (``styles.py`` outlines them)."""


def moved_beside(before: Site, after: Site, known: dict[str, tuple[float, float]]) -> Site:
    """``after`` with each unit that a change moves placed beside its new parent's members, in a
    column to their right: drawn where it was, a moved practice would stretch its new PCN's box
    over the old one's.

    Examples
    --------
    >>> from integramap.model import Unit
    >>> before = Site(id="s", name="S", units=[Unit(id="n1", name="N1", kind="pcn"),
    ...     Unit(id="n2", name="N2", kind="pcn"), Unit(id="a", name="A", kind="practice", parent="n1"),
    ...     Unit(id="b", name="B", kind="practice", parent="n2")])
    >>> after = before.model_copy(update={"units": [*before.units[:2],
    ...     before.units[2].model_copy(update={"parent": "n2"}), before.units[3]]})
    >>> moved_beside(before, after, {"a": (0.0, 0.0), "b": (500.0, 40.0)}).unit("a").attributes.position
    Position(x=610.0, y=40.0)
    """
    moved: dict[str, list[str]] = {}
    for unit in after.units:
        old = before.units_by_id.get(unit.id)
        if old is not None and unit.parent and old.parent != unit.parent:
            moved.setdefault(unit.parent, []).append(unit.id)
    spots: dict[str, tuple[float, float]] = {}
    for parent, units in moved.items():
        stay = [known[c] for c in before.children_by_id.get(parent, []) if c in known]
        if not stay:
            continue
        x = max(p[0] for p in stay) + SPACING
        top = min(p[1] for p in stay)
        for row, uid in enumerate(units):
            spots[uid] = (x, top + row * SPACING * 0.8)
    return set_positions(after, spots) if spots else after


def marked(elements: list[dict[str, Any]], applied: Applied, before: Site) -> list[dict[str, Any]]:
    """The map's elements with what the change touches marked, and each link it removes drawn faint
    between the units still shown (a removed unit is named in the panel)."""
    changed = {*applied.changed_units, *applied.changed_links}
    added = {*applied.added_units, *applied.added_links}
    out: list[dict[str, Any]] = []
    shown: set[str] = set()
    for element in elements:
        data = element.get("data", {})
        key = data.get("link") or data.get("id")
        if "source" not in data:
            shown.add(str(data.get("id")))
        mark = TRIED_ADDED if key in added else TRIED_CHANGED if key in changed else None
        if mark is not None and "target" not in str(element.get("classes", "")).split():
            element = {**element, "classes": f"{element.get('classes', '')} {mark}".strip()}
        out.append(element)
    for link_id in applied.removed_links:
        link = before.links_by_id.get(link_id)
        if link is not None and link.source in shown and link.target in shown:
            out.append({"data": {"id": f"removed:{link_id}", "source": link.source, "target": link.target,
                                 "level": "removed by the change"}, "classes": TRIED_REMOVED})
    return out


def search_note(search: str, view: MapView) -> str:
    """What a search found, in words (empty when nothing is searched for)."""
    text = search.strip()
    if not text:
        return ""
    if not view.matches:
        return f"No unit matches ‘{text}’."
    return f"{plural(len(view.matches), 'unit matches', 'units match')} ‘{text}’: shown brightened."


def _crumbs(view: MapView) -> list[Any]:
    if not view.aggregated:
        return []
    out: list[Any] = [html.Span("You are here: ", className="crumb-lead")]
    for i, (uid, name) in enumerate(view.breadcrumb):
        if i:
            out.append(html.Span(" › ", className="crumb-sep"))
        last = i == len(view.breadcrumb) - 1
        out.append(html.Span(name, className="crumb current") if last else
                   html.Button(name, id={"type": mid.CRUMB, "uid": uid or ""}, className="crumb link"))
    return out


def _info(view: MapView) -> str:
    text = (f"Showing {view.units_shown:,} of {plural(view.units_total, 'unit')} and "
            f"{plural(view.links_shown, 'link')}.")
    if view.aggregated:
        text += " Large site: units are grouped inside their parents; click a group to open it."
    elif view.closed:
        text += (f" {plural(view.closed, 'box is', 'boxes are')} shown closed so every name can be read:"
                 " click one to open it.")
    if view.aggregated and view.links_hidden:
        text += f" {plural(view.links_hidden, 'weaker link group is', 'weaker link groups are')} not drawn."
    return text


def _rows(pairs: list[tuple[str, Any]]) -> html.Table:
    body = [html.Tr([html.Th(key), html.Td(str(value))]) for key, value in pairs
            if value not in (None, "", [], {})]
    return html.Table(html.Tbody(body), className="inspect-table")


def _words(values: Any) -> str:
    return ", ".join(choice_label(str(v)) for v in values)


def inspect_unit(site: Site, unit_id: str) -> list[Any]:
    """Every field of a unit, as text, with the links that touch it."""
    unit = site.unit(unit_id)
    parent = site.units_by_id.get(unit.parent or "")
    attrs = unit.attributes
    covered = sum(site.areas_by_id[a].weight_population * w for a, w in unit.footprint.items()
                  if a in site.areas_by_id)
    pairs: list[tuple[str, Any]] = [
        ("Name", unit.name), ("Id", unit.id), ("Kind", choice_label(str(unit.kind))),
        ("Organisation type", choice_label(str(unit.org_type)) if unit.org_type else None),
        ("Sectors", _words(unit.sectors)), ("Part of", parent.name if parent else None),
        ("Basis", choice_label(str(unit.basis)) if unit.basis else None),
        ("Age groups", _words(unit.age_groups)), ("Population types", ", ".join(unit.population_types)),
        ("Functions", ", ".join(unit.functions)), ("Employer", attrs.employer), ("IT system", attrs.it_system),
        ("Location", attrs.location), ("Staff", attrs.staff_count), ("Code", attrs.code),
        ("Footprint", f"{len(unit.footprint)} areas, population {covered:,.0f}" if unit.footprint else None),
        ("Units inside", len(site.children_by_id.get(unit.id, [])) or None),
        ("Description", unit.description),
    ]
    links = [lk for lk in site.links if unit_id in (lk.source, lk.target)]
    items = [html.Li(f"{site.unit(lk.target if lk.source == unit_id else lk.source).name} — "
                     f"{lk.level.label}" + (f" (target {lk.target_level.label})" if lk.target_level else ""))
             for lk in links]
    return [html.H3(unit.name), _rows(pairs), html.H4(f"Links ({len(links)})"), html.Ul(items)]


def inspect_link(site: Site, link_id: str) -> list[Any]:
    """Every field of a link, as text."""
    link = site.link(link_id)
    pairs: list[tuple[str, Any]] = [
        ("From", site.unit(link.source).name), ("To", site.unit(link.target).name), ("Id", link.id),
        ("Level now", f"{link.level.rank} {link.level.label}"),
        ("Target level", f"{link.target_level.rank} {link.target_level.label}" if link.target_level else None),
        *[(first_upper(in_words(name)), choice_label(str(value)))
          for name, value in link.facets.recorded().items()],
        ("Mechanisms", _words(link.mechanisms)), ("Notes", link.notes),
    ]
    return [html.H3(f"{site.unit(link.source).name} ↔ {site.unit(link.target).name}"), _rows(pairs)]


class _Status(CallbackInputs):
    handle: Store


class FilterInputs(CallbackInputs):
    """The working copy's handle and the map's filters (:data:`FILTER_INPUTS`), as a callback drawing the
    site (the map, its list) takes them first."""

    handle: Store
    kinds: Ids
    sectors: Ids
    orgs: Ids
    levels: Numbers
    search: Text
    focus: Id
    depth: Number
    compound: Ids
    targets: Ids


class _Draw(FilterInputs):
    drill: Id
    opened: Ids
    fit: Clicks
    tried: Store


class _Inspect(CallbackInputs):
    node: Store
    edge: Store
    handle: Store
    opened: Ids
    tried: Store


class _GoUp(CallbackInputs):
    clicks: ManyClicks


class _Clear(CallbackInputs):
    n: Clicks


def register_callbacks(app: Dash, services: Services) -> None:
    # The page's layout already holds what these draw for the opened site (see ``page.py``):
    # they run on later changes only, so opening a map waits for no callback round trip.
    @app.callback(Output(mid.TITLE, "children"), Output(mid.STATUS, "children"),
                  Output(mid.UNDO, "disabled"), Output(mid.REDO, "disabled"),
                  Output(mid.UNDO, "title"), Output(mid.REDO, "title"),
                  Output(mid.F_ORGS, "options"), Output(mid.F_FOCUS, "options"),
                  Input(mid.DRAFT, "data"), prevent_initial_call=True)
    @typed_callback(_Status)
    def show_status(handle: dict[str, Any] | None) -> tuple[Any, ...]:
        return status_parts(services, handle)

    @app.callback(Output(mid.CY, "elements"), Output(mid.CY, "layout"), Output(mid.BREADCRUMB, "children"),
                  Output(mid.VIEW_INFO, "children"), Output(mid.SEARCH_NOTE, "children"),
                  Input(mid.DRAFT, "data"), *[Input(i, "value") for i in FILTER_INPUTS],
                  Input(mid.DRILL, "data"), Input(mid.OPENED, "data"), Input(mid.FIT, "n_clicks"),
                  Input(mid.TRY, "data"), prevent_initial_call=True)
    @typed_callback(_Draw)
    def draw(handle: dict[str, Any] | None, kinds: Any, sectors: Any, orgs: Any, levels: Any, search: Any,
             focus: Any, depth: Any, compound: Any, targets: Any, drill: Any, opened: Any,
             _fit: Any, tried: dict[str, Any] | None) -> tuple[Any, ...]:
        options = view_options(kinds, sectors, orgs, levels, search, focus, depth, compound, targets, drill,
                               opened)
        trigger = ctx.triggered_id
        fit = trigger not in (mid.DRAFT, mid.OPENED, mid.TRY) or bool((handle or {}).get("fit"))
        # A box just opened: show it whole, its members' labels are sized for that zoom.
        just_opened = [opened[-1]] if trigger == mid.OPENED and opened else None
        return draw_parts(services, handle, options, fit=fit or bool(just_opened), nonce=str(trigger),
                          fit_to=just_opened, tried=tried)

    @app.callback(Output(mid.INSPECT, "children"), Output(mid.DRILL, "data"), Output(mid.OPENED, "data"),
                  Input(mid.CY, "tapNodeData"), Input(mid.CY, "tapEdgeData"),
                  State(mid.DRAFT, "data"), State(mid.OPENED, "data"), State(mid.TRY, "data"),
                  prevent_initial_call=True)
    @typed_callback(_Inspect)
    def inspect(node: dict[str, Any] | None, edge: dict[str, Any] | None, handle: Any,
                opened: list[str] | None, tried: dict[str, Any] | None) -> tuple[Any, Any, Any]:
        try:
            site = shown_site(services, handle, tried)
        except WorkingCopyGone as err:
            return str(err), no_update, no_update
        prop = ctx.triggered[0]["prop_id"] if ctx.triggered else ""
        if prop.endswith("tapEdgeData") and edge:
            link_id = edge.get("link") or edge.get("id", "")
            if link_id in site.links_by_id:
                return inspect_link(site, link_id), no_update, no_update
            if str(edge.get("id", "")).startswith("agg:"):
                a, b = site.units_by_id.get(edge["source"]), site.units_by_id.get(edge["target"])
                return [html.H3("Grouped links"), html.P(
                    f"{plural(int(edge.get('count', 1)), 'link')} between units inside {a.name if a else '?'} "
                    f"and {b.name if b else '?'}; the highest level is "
                    f"{edge.get('level')}. Open either box to see them.")], no_update, no_update
            return no_update, no_update, no_update
        if node and is_group(str(node.get("id"))) and str(node["id"]) in grouped(site).units_by_id:
            about = [html.H3(GROUP_NAME), html.P(describe(site, node["id"]))]
            if node.get("drill"):
                return about, node["id"], no_update
            return about, no_update, [*(opened or []), node["id"]] if node.get("count") else no_update
        if not node or node.get("id") not in site.units_by_id:
            return no_update, no_update, no_update
        if node.get("drill"):
            return inspect_unit(site, node["id"]), node["id"], no_update
        if node.get("count"):
            return inspect_unit(site, node["id"]), no_update, [*(opened or []), node["id"]]
        return inspect_unit(site, node["id"]), no_update, no_update

    @app.callback(Output(mid.DRILL, "data", allow_duplicate=True),
                  Input({"type": mid.CRUMB, "uid": ALL}, "n_clicks"), prevent_initial_call=True)
    @typed_callback(_GoUp)
    def go_up(clicks: list[int | None]) -> Any:
        if not any(clicks) or not isinstance(ctx.triggered_id, dict):
            return no_update
        return ctx.triggered_id.get("uid") or None

    @app.callback(*[Output(i, "value", allow_duplicate=True) for i in FILTER_INPUTS],
                  Output(mid.DRILL, "data", allow_duplicate=True),
                  Output(mid.OPENED, "data", allow_duplicate=True),
                  Input(mid.F_CLEAR, "n_clicks"), prevent_initial_call=True)
    @typed_callback(_Clear)
    def clear_filters(_n: Any) -> tuple[Any, ...]:
        if not _n:
            return tuple(no_update for _ in range(len(FILTER_INPUTS) + 2))
        return (*FILTER_DEFAULTS.values(), None, [])
