"""The map as a list: the same site in words, for keyboards and screen readers.

The map is a picture drawn on a canvas, which a screen reader cannot read. Beside it, under the
filters (it takes no height from the map, which plans its level of detail for its size), this list
shows the same units, grouped by organisation, each with its kind, sectors, links (and their
levels) and findings. It follows the map's filters, search and focus, says what it shows in a
live region (announced by screen readers when it changes), and each unit has a button that
focuses the map on it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from dash import ALL, Dash, Input, Output, ctx, html, no_update

from integramap.analysis.typology_challenges import structural_challenges
from integramap.model import Level, Site
from integramap.wording import plural
from integramap.web.common.aria import aria
from integramap.web.common.inputs import CallbackInputs, Clicks, ManyClicks, typed_callback
from integramap.web.common.services import Services
from integramap.web.map import ids as mid
from integramap.web.map.elements import RANK, ViewOptions, filtered_units, matches_search
from integramap.web.map.forms import LINK_FIELDS, UNIT_FIELDS, choice_label
from integramap.web.map.view import FILTER_INPUTS, FilterInputs, view_options
from integramap.web.map.working import WorkingCopyGone, draft_of

LIST = "map-list"
"""The list's body (groups of units)."""
LIST_SUMMARY = "map-list-summary"
"""The list's one-line summary, shown on its open/close toggle."""
LIST_STATUS = "map-list-status"
"""A live region: what the list now shows, read out by screen readers after each change."""
LIST_FOCUS = "map-list-focus"
"""A unit's "Focus the map here" button (pattern-matching: ``{"type": LIST_FOCUS, "unit": id}``)."""

LIST_EDIT_UNIT = "map-list-edit-unit"
"""A unit's "Edit" button: opens the unit in the editor's Unit tab, as clicking it on the map does."""
LIST_EDIT_LINK = "map-list-edit-link"
"""A link's "Edit" button: opens the link in the editor's Link tab."""

MAX_LISTED = 300
"""Most units listed at once: beyond that a page of text helps no one; search or filter to narrow it."""
NO_ORGANISATION = "Not inside an organisation"


@dataclass(frozen=True)
class ListedLink:
    """One link of a listed unit, seen from that unit."""

    link: str
    partner: str
    partner_name: str
    level: Level
    target: Level | None = None

    @property
    def words(self) -> str:
        """The link in words, e.g. ``Linked with Crisis team: co-located (level 2)``."""
        text = f"Linked with {self.partner_name}: {self.level.label} (level {self.level.rank})"
        if self.target is not None and self.target != self.level:
            text += f"; target {self.target.label} (level {self.target.rank})"
        return text


@dataclass(frozen=True)
class ListedUnit:
    """One unit as the list shows it."""

    id: str
    name: str
    kind: str
    sectors: tuple[str, ...]
    links: tuple[ListedLink, ...] = ()
    findings: tuple[str, ...] = ()
    focus: bool = False


@dataclass(frozen=True)
class ListedGroup:
    """The units of one organisation (or those inside none)."""

    organisation: str | None
    name: str
    units: tuple[ListedUnit, ...]


@dataclass(frozen=True)
class SiteList:
    """What the list shows, and its summary in words."""

    groups: tuple[ListedGroup, ...]
    listed: int
    matching: int
    total: int
    summary: str
    notes: tuple[str, ...] = field(default_factory=tuple)


def site_list(site: Site, options: ViewOptions = ViewOptions(), limit: int = MAX_LISTED) -> SiteList:
    """The site's units under the map's filters, search and focus, grouped by organisation.

    Links are those the map draws: both ends shown and the level within the chosen range.
    A search lists only the units that match it (the map brightens the same units).

    Examples
    --------
    >>> from integramap.model import Link, Site, Unit
    >>> site = Site(id="s", name="S", units=[
    ...     Unit(id="trust", name="Trust", kind="organisation", org_type="nhs_trust"),
    ...     Unit(id="t1", name="Crisis team", kind="team", parent="trust", sectors=["mental_health"]),
    ...     Unit(id="t2", name="Social work", kind="team", sectors=["social_care"])],
    ...     links=[Link(id="l1", source="t1", target="t2", level="co_located")])
    >>> found = site_list(site)
    >>> [(g.name, [u.name for u in g.units]) for g in found.groups]
    [('Trust', ['Trust', 'Crisis team']), ('Not inside an organisation', ['Social work'])]
    >>> found.groups[0].units[1].links[0].words
    'Linked with Social work: co-located (level 2)'
    >>> found.summary
    'Listing all 3 units, in 2 groups.'
    >>> site_list(site, ViewOptions(search="crisis")).summary
    '1 unit of 3 matches ‘crisis’, in 1 group.'
    """
    keep = filtered_units(site, options)
    searching = bool(options.search.strip())
    chosen = [u for u in site.units if u.id in keep and (not searching or matches_search(u, options.search))]
    challenges: dict[str, list[str]] = defaultdict(list)
    links: dict[str, list[ListedLink]] = defaultdict(list)
    if limit > 0:  # only a count is wanted otherwise (the list is closed)
        for challenge in structural_challenges(site):
            challenges[challenge.source].append(challenge.explanation)
            challenges[challenge.target].append(challenge.explanation)
        for lk in site.links:
            if lk.source not in keep or lk.target not in keep:
                continue
            if not options.level_min <= RANK[lk.level] <= options.level_max:
                continue
            for here, there in ((lk.source, lk.target), (lk.target, lk.source)):
                links[here].append(ListedLink(lk.id, there, site.unit(there).name, lk.level, lk.target_level))
    linked_anywhere = {lk.source for lk in site.links} | {lk.target for lk in site.links}
    listed = chosen[:limit]
    by_group: dict[str | None, list[ListedUnit]] = defaultdict(list)
    for unit in listed:
        org = site.organisation_of(unit.id)
        findings = list(challenges.get(unit.id, []))
        if unit.id not in linked_anywhere and not site.children_by_id.get(unit.id):
            findings.append("No link joins it to any other unit.")
        by_group[org].append(ListedUnit(
            unit.id, unit.name, choice_label(str(unit.kind)), tuple(choice_label(str(s)) for s in unit.sectors),
            tuple(links.get(unit.id, [])), tuple(findings), focus=unit.id == options.focus))
    order = sorted(by_group, key=lambda org: (org is None, site.unit(org).name.casefold() if org else ""))
    groups = tuple(ListedGroup(org, site.unit(org).name if org else NO_ORGANISATION, tuple(by_group[org]))
                   for org in order)
    in_groups = plural(len({site.organisation_of(u.id) for u in chosen}), "group")
    if searching:
        summary = (f"{plural(len(chosen), 'unit')} of {len(site.units):,} "
                   f"{'matches' if len(chosen) == 1 else 'match'} ‘{options.search.strip()}’, in {in_groups}.")
    elif len(chosen) == len(site.units):
        summary = f"Listing all {plural(len(chosen), 'unit')}, in {in_groups}."
    else:
        summary = f"Listing {len(chosen):,} of {plural(len(site.units), 'unit')} (filtered), in {in_groups}."
    notes: tuple[str, ...] = ()
    if len(chosen) > limit:
        notes = (f"The first {limit:,} are listed: search or filter to narrow the list.",)
    if options.focus and options.focus in site.units_by_id:
        notes += (f"Focused on {site.unit(options.focus).name} and the units around it.",)
    return SiteList(groups, len(listed), len(chosen), len(site.units), summary, notes)


def _then_focus(form: str, name: str) -> dict[str, Any]:
    """Where the focus goes once an Edit button has opened its form: the form's first field, so a
    keyboard user goes on from there rather than from the list (``assets/accessibility.js``)."""
    return {"data-focus-after": mid.dom_id(mid.field_id(form, name))}


def _unit_item(unit: ListedUnit) -> html.Li:
    about = unit.kind + (f" · {', '.join(unit.sectors)}" if unit.sectors else "")
    parts: list[Any] = [
        html.Div([html.Strong(unit.name), html.Span(f" — {about}", className="list-about"),
                  html.Span(" (in focus)", className="list-focus-mark") if unit.focus else "",
                  html.Button("Focus the map here", id={"type": LIST_FOCUS, "unit": unit.id},
                              className="button small list-focus",
                              **aria(label=f"Focus the map on {unit.name}")),
                  html.Button("Edit", id={"type": LIST_EDIT_UNIT, "unit": unit.id}, className="button small",
                              **aria(label=f"Edit {unit.name}"), **_then_focus(mid.UNIT_FORM, UNIT_FIELDS[0].name))],
                 className="list-unit-head"),
    ]
    if unit.links:
        parts.append(html.Ul([html.Li([link.words, " ", html.Button(
            "Edit", id={"type": LIST_EDIT_LINK, "link": link.link, "end": unit.id}, className="button small",
            **aria(label=f"Edit the link between {unit.name} and {link.partner_name}"),
            **_then_focus(mid.LINK_FORM, LINK_FIELDS[0].name))])
            for link in unit.links], className="list-links", **aria(label=f"Links of {unit.name}")))
    if unit.findings:
        parts.append(html.Ul([html.Li(text) for text in unit.findings], className="list-findings",
                             **aria(label=f"Findings for {unit.name}")))
    return html.Li(parts, className="list-unit")


def render(found: SiteList) -> list[Any]:
    """The list's body: a heading per group, its units beneath."""
    body: list[Any] = [html.P(note, className="hint") for note in found.notes]
    if not found.groups:
        body.append(html.P("No unit is shown: clear a filter or the search to see more."))
    for group in found.groups:
        body.append(html.Section([html.H3(group.name),
                                  html.Ul([_unit_item(u) for u in group.units], className="list-units")],
                                 className="list-group"))
    return body


LIST_TOGGLE = "map-list-toggle"
"""The list's open/close line: the list is drawn only while it is open (a large site's list is long)."""


def panel() -> html.Details:
    """The list's place on the Map page, under the filters: closed until opened, by click or keyboard."""
    return html.Details([
        html.Summary(["The map as a list: ", html.Span(id=LIST_SUMMARY)], id=LIST_TOGGLE),
        html.Div(id=LIST, className="list-body"),
    ], className="map-list", id=f"{LIST}-box")


def status() -> html.P:
    """The live region saying what the list shows; outside the closed list, so it is always read."""
    return html.P(id=LIST_STATUS, role="status", className="visually-hidden")


class _ShowList(FilterInputs):
    toggled: Clicks


class _FromList(CallbackInputs):
    clicks: ManyClicks


def register_callbacks(app: Dash, services: Services) -> None:
    @app.callback(Output(LIST, "children"), Output(LIST_SUMMARY, "children"), Output(LIST_STATUS, "children"),
                  Input(mid.DRAFT, "data"), *[Input(i, "value") for i in FILTER_INPUTS],
                  Input(LIST_TOGGLE, "n_clicks"))
    @typed_callback(_ShowList)
    def show_list(handle: Any, kinds: Any, sectors: Any, orgs: Any, levels: Any, search: Any, focus: Any,
                  depth: Any, compound: Any, targets: Any, toggled: int | None) -> tuple[Any, Any, Any]:
        try:
            site = draft_of(services, handle).site
        except WorkingCopyGone:
            return [], "nothing open", ""
        options = view_options(kinds, sectors, orgs, levels, search, focus, depth, compound, targets, None)
        # Closed, the list is counted but not drawn: a large site's list would slow every redraw.
        opened = (toggled or 0) % 2 == 1
        found = site_list(site, options, limit=MAX_LISTED if opened else 0)
        return render(found) if opened else [], found.summary, f"The list shows: {found.summary}"

    # Editing from the list hands the editor what a click on the map would: the same forms fill in.
    @app.callback(Output(mid.CY, "tapNodeData", allow_duplicate=True), Output(mid.TABS, "value",
                                                                               allow_duplicate=True),
                  Input({"type": LIST_EDIT_UNIT, "unit": ALL}, "n_clicks"), prevent_initial_call=True)
    @typed_callback(_FromList)
    def edit_unit_from_list(clicks: list[int | None]) -> tuple[Any, Any]:
        if not any(clicks) or not isinstance(ctx.triggered_id, dict):
            return no_update, no_update
        return {"id": ctx.triggered_id.get("unit"), "from": "list", "at": sum(c or 0 for c in clicks)}, "unit"

    @app.callback(Output(mid.CY, "tapEdgeData", allow_duplicate=True), Output(mid.TABS, "value",
                                                                               allow_duplicate=True),
                  Input({"type": LIST_EDIT_LINK, "link": ALL, "end": ALL}, "n_clicks"), prevent_initial_call=True)
    @typed_callback(_FromList)
    def edit_link_from_list(clicks: list[int | None]) -> tuple[Any, Any]:
        if not any(clicks) or not isinstance(ctx.triggered_id, dict):
            return no_update, no_update
        return {"id": ctx.triggered_id.get("link"), "from": "list", "at": sum(c or 0 for c in clicks)}, "link"

    @app.callback(Output(mid.F_FOCUS, "value", allow_duplicate=True),
                  Input({"type": LIST_FOCUS, "unit": ALL}, "n_clicks"), prevent_initial_call=True)
    @typed_callback(_FromList)
    def focus_from_list(clicks: list[int | None]) -> Any:
        if not any(clicks) or not isinstance(ctx.triggered_id, dict):
            return no_update
        return ctx.triggered_id.get("unit") or no_update
