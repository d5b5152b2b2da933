"""From a site to the Cytoscape elements the browser draws.

Pure functions of a :class:`~integramap.model.Site`: no Dash here, so the
rules (what is shown, how it is filtered, when a large site is aggregated)
are tested without a browser and measured by ``bench/web.py``.

A site whose units and links fit the element budget is drawn whole. A larger
one (a national site) is *aggregated*: starting from the drill-down root (the
whole site, or the unit the user clicked), units are shown level by level down
the parent tree while the budget allows; every other unit is counted inside
its nearest shown ancestor, and links between hidden units are merged into one
link per pair of shown units, so the browser never receives more than the
budget.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from integramap.model import Level, Site, Unit, UnitKind
from integramap.wording import plural
from integramap.layout.sizes import closed_label, closed_side, map_name, wrap_width
from integramap.web.map.detail import BASE_FONT, CANVAS, Detail, plan_detail
from integramap.layout.groups import is_group
from integramap.web.map.styles import kind_class, level_class, sector_class

ELEMENT_BUDGET = 2000
"""Most elements sent to the browser: Cytoscape.js 3.28 draws about this many smoothly."""

AGGREGATE_NODE_BUDGET = 600
"""Most units shown at once in an aggregated view; the rest of the budget is for links."""

Positions = Mapping[str, tuple[float, float]]


@dataclass(frozen=True)
class ViewOptions:
    """What the user asked to see. ``None`` in a filter means everything."""

    compound: bool = True
    kinds: frozenset[str] | None = None
    sectors: frozenset[str] | None = None
    organisations: frozenset[str] | None = None
    level_min: int = 0
    level_max: int = len(Level) - 1
    search: str = ""
    focus: str | None = None
    focus_depth: int = 1
    drill: str | None = None
    show_targets: bool = True
    opened: frozenset[str] = frozenset()
    """Boxes the user opened by clicking them (the opening view may show them closed)."""
    canvas: tuple[int, int] = CANVAS
    """The map's size on screen, in pixels: what the opening view must read at."""


@dataclass
class MapView:
    """The elements to draw and what the page should say about them."""

    elements: list[dict[str, Any]]
    aggregated: bool
    breadcrumb: list[tuple[str | None, str]]
    units_shown: int
    units_total: int
    links_shown: int
    links_hidden: int = 0
    matches: list[str] = field(default_factory=list)
    closed: int = 0
    """How many boxes are drawn closed (their units counted inside, opened by a click)."""
    fit_to: list[str] = field(default_factory=list)
    """The units the view should be fitted to (a search's matches, a box just opened); empty: all."""

    @property
    def node_ids(self) -> list[str]:
        return [e["data"]["id"] for e in self.elements if "source" not in e["data"]]


def first_sector(unit: Unit) -> str | None:
    return str(unit.sectors[0]) if unit.sectors else None


def unit_label(unit: Unit) -> str:
    return map_name(unit.name)


def _node(unit: Unit, position: tuple[float, float] | None, parent: str | None,
          extra_classes: Iterable[str] = (), count: int = 0, font: float = BASE_FONT) -> dict[str, Any]:
    # Kind and sector travel as classes only (the stylesheet's selectors): data is sent with every
    # element and every tap, so it holds just what the page reads.
    data: dict[str, Any] = {"id": unit.id, "label": unit_label(unit)}
    # Always present, null when not nested: the browser moves a node between boxes when it changes
    # (assets/map.js), which Cytoscape does not do by itself for an updated element.
    data["parent"] = parent
    # The label's size in map units, chosen so it reads at the zoom the view opens at (detail.py).
    data["font"] = font
    data["wrap"] = round(wrap_width(font))
    classes = [kind_class(unit.kind), sector_class(first_sector(unit)), *extra_classes]
    if count:
        data["count"] = count
        data["side"] = closed_side(count)
        data["label"] = closed_label(map_name(unit.name), count)
        classes.append("collapsed")
    element: dict[str, Any] = {"data": data, "classes": " ".join(classes)}
    if position is not None:
        element["position"] = {"x": round(position[0]), "y": round(position[1])}
    return element


RANK: dict[Level, int] = {level: level.rank for level in Level}
"""Each level's rank, looked up: ``Level.rank`` searches the enum, which a national site's
thousands of links make a measurable share of a redraw."""


def _level_in_range(level: Level, options: ViewOptions) -> bool:
    return options.level_min <= RANK[level] <= options.level_max


def matches_search(unit: Unit, text: str) -> bool:
    """Whether a unit's name, id or code contains the search text (any case)."""
    needle = text.strip().casefold()
    if not needle:
        return False
    code = unit.attributes.code or ""
    return needle in unit.name.casefold() or needle in unit.id.casefold() or needle in code.casefold()


def filtered_units(site: Site, options: ViewOptions) -> set[str]:
    """The units that pass the kind, sector, organisation and focus filters."""
    keep: set[str] = set()
    for unit in site.units:
        if options.kinds is not None and str(unit.kind) not in options.kinds:
            continue
        if options.sectors is not None and not ({str(s) for s in unit.sectors} & options.sectors):
            continue
        if options.organisations is not None:
            org = site.organisation_of(unit.id)
            if org is None or org not in options.organisations:
                continue
        keep.add(unit.id)
    if options.focus is not None and options.focus in site.units_by_id:
        keep &= focus_neighbourhood(site, options.focus, options.focus_depth, options)
    return keep


def focus_neighbourhood(site: Site, unit_id: str, depth: int, options: ViewOptions) -> set[str]:
    """A unit, the units linked to it within ``depth`` steps, its containers and its contents."""
    adjacent: dict[str, set[str]] = defaultdict(set)
    for link in site.links:
        if _level_in_range(link.level, options):
            adjacent[link.source].add(link.target)
            adjacent[link.target].add(link.source)
    seen = {unit_id}
    frontier = {unit_id}
    for _ in range(max(depth, 0)):
        frontier = {n for f in frontier for n in adjacent[f]} - seen
        seen |= frontier
    seen |= set(site.descendants(unit_id))
    seen |= set(site.ancestors(unit_id))
    return seen


def build_view(site: Site, positions: Positions, options: ViewOptions = ViewOptions(),
               budget: int = ELEMENT_BUDGET) -> MapView:
    """The elements for the map of a site under the user's view options.

    Examples
    --------
    >>> from integramap.model import Site, Unit, Link
    >>> site = Site(id="s", name="S", units=[
    ...     Unit(id="trust", name="Trust", kind="organisation", org_type="nhs_trust"),
    ...     Unit(id="t1", name="Team one", kind="team", parent="trust", sectors=["mental_health"]),
    ...     Unit(id="t2", name="Team two", kind="team", sectors=["social_care"])],
    ...     links=[Link(id="l1", source="t1", target="t2", level="co_located",
    ...                 target_level="fully_merged")])
    >>> view = build_view(site, {})
    >>> view.node_ids, view.aggregated
    (['trust', 't1', 't2'], False)
    >>> [e["data"]["id"] for e in view.elements if "source" in e["data"]]
    ['l1', 'l1:target']
    """
    keep = filtered_units(site, options)
    links = [lk for lk in site.links
             if lk.source in keep and lk.target in keep and _level_in_range(lk.level, options)]
    targets = [lk for lk in links if options.show_targets and lk.target_level is not None
               and lk.target_level > lk.level]
    if options.drill is None and len(keep) + len(links) + len(targets) <= budget:
        return _full_view(site, positions, options, keep, links, targets)
    return _aggregated_view(site, positions, options, keep, budget)


def _search_classes(site: Site, matches: list[str], searching: bool) -> dict[str, str]:
    """Each unit's search class: ``match``, ``match-box`` (holds a match) or ``faded``."""
    if not searching:
        return {}
    out = {u.id: "faded" for u in site.units}
    for uid in matches:
        for up in site.ancestors(uid):
            out[up] = "match-box"
    for uid in matches:
        out[uid] = "match"
    return out


def _opened(site: Site, options: ViewOptions, matches: list[str]) -> set[str]:
    """Boxes to open whatever the clutter: clicked ones, and those holding a match or the focus."""
    opened = set(options.opened)
    for uid in [*matches, *([options.focus] if options.focus else [])]:
        opened.update(site.ancestors(uid))
    return opened


def _full_view(site: Site, positions: Positions, options: ViewOptions, keep: set[str],
               links: list[Any], targets: list[Any]) -> MapView:
    matches = [u.id for u in site.units if u.id in keep and matches_search(u, options.search)]
    searching = bool(options.search.strip())
    search_class = _search_classes(site, matches, searching)
    detail = (plan_detail(site, keep, positions, {u.id: map_name(u.name) for u in site.units if u.id in keep},
                          opened=_opened(site, options, matches), canvas=options.canvas)
              if options.compound else Detail(shown=None))
    shown = keep if detail.shown is None else set(detail.shown)
    representative = _representatives(site, keep, shown)
    inside: dict[str, int] = defaultdict(int)
    for uid, rep in representative.items():
        if uid != rep and not is_group(uid):
            inside[rep] += 1
    elements: list[dict[str, Any]] = []
    for unit in site.units:
        if unit.id not in shown:
            continue
        parent = unit.parent if options.compound and unit.parent in shown else None
        extra: list[str] = []
        if searching:
            held = unit.id in detail.closed and any(representative.get(m) == unit.id for m in matches)
            extra.append("match" if held else search_class[unit.id])
        if unit.id == options.focus:
            extra.append("focus")
        closed = unit.id in detail.closed
        position = detail.centres.get(unit.id, positions.get(unit.id))
        elements.append(_node(unit, position, parent,
                              extra, count=inside.get(unit.id, 0) if closed else 0,
                              font=detail.font.get(unit.id, BASE_FONT)))
    direct = [lk for lk in links if representative.get(lk.source) == lk.source
              and representative.get(lk.target) == lk.target]
    for link in direct:
        classes = [level_class(link.level)]
        if searching and "match" not in (search_class.get(link.source), search_class.get(link.target)):
            classes.append("faded")
        # The level is in the class and, for hovering, in words; the rest is read by the link's id.
        elements.append({"data": {"id": link.id, "source": link.source, "target": link.target,
                                  "level": link.level.label},
                         "classes": " ".join(classes)})
    direct_ids = {lk.id for lk in direct}
    for link in targets:
        assert link.target_level is not None
        if link.id not in direct_ids:
            continue
        # The level's name along the line reads at the zoom its two ends' names were sized for;
        # zoomed out below that, the page hides it (assets/map.js) and hovering shows it.
        font = min(detail.font.get(link.source, BASE_FONT), detail.font.get(link.target, BASE_FONT))
        elements.append({"data": {"id": f"{link.id}:target", "source": link.source,
                                  "target": link.target, "link": link.id,
                                  "label": f"→ {link.target_level.label}", "font": font},
                         "classes": "target" + (" faded" if searching else "")})
    merged = _merged_links(representative, [lk for lk in links if lk.id not in direct_ids])
    elements.extend(merged)
    fit_to = matches if searching else []
    return MapView(elements=elements, aggregated=False, breadcrumb=[(None, site.name)],
                   units_shown=_real(shown), units_total=_real(site.units_by_id),
                   links_shown=len(direct) + len(merged), matches=matches, closed=len(detail.closed),
                   fit_to=[representative.get(m, m) for m in fit_to])


def _real(ids: Iterable[str]) -> int:
    """How many of these are the site's units (a group of practices in no PCN is only drawn)."""
    return sum(1 for uid in ids if not is_group(uid))


def _representatives(site: Site, keep: set[str], shown: set[str]) -> dict[str, str]:
    """Each kept unit's nearest shown unit: itself, or the closed box it is counted in."""
    found: dict[str, str | None] = {}

    def nearest(uid: str) -> str | None:
        if uid in found:
            return found[uid]
        chain: list[str] = []
        here: str | None = uid
        result: str | None = None
        while here is not None:
            if here in found:
                result = found[here]
                break
            chain.append(here)
            if here in shown:
                result = here
                break
            here = site.units_by_id[here].parent
        for step in chain:
            found[step] = result
        return result

    out: dict[str, str] = {}
    for unit in site.units:
        if unit.id in keep and (rep := nearest(unit.id)) is not None:
            out[unit.id] = rep
    return out


def _merged_links(representative: Mapping[str, str], links: Iterable[Any],
                  room: int | None = None) -> list[dict[str, Any]]:
    """One link per pair of shown units for links whose ends are hidden inside them, strongest first."""
    pairs: dict[tuple[str, str], list[int]] = defaultdict(list)
    for link in links:
        a, b = representative.get(link.source), representative.get(link.target)
        if a is None or b is None or a == b:
            continue
        pairs[(a, b) if a < b else (b, a)].append(RANK[link.level])
    ranked = sorted(pairs.items(), key=lambda kv: (-max(kv[1]), -len(kv[1]), kv[0]))
    levels_by_rank = list(Level)
    words = {level: level.label for level in Level}
    out: list[dict[str, Any]] = []
    for (a, b), levels in ranked[:room]:
        top = levels_by_rank[max(levels)]
        label = (f"{plural(len(levels), 'link')}, up to {words[top]}" if len(levels) > 1 else words[top])
        out.append({"data": {"id": f"agg:{a}|{b}", "source": a, "target": b, "level": words[top],
                             "count": len(levels), "label": label},
                    "classes": f"{level_class(top)} aggregate"})
    return out


def breadcrumb(site: Site, drill: str | None) -> list[tuple[str | None, str]]:
    """The path from the whole site down to the drill-down root, for the "go back up" links."""
    crumbs: list[tuple[str | None, str]] = [(None, site.name)]
    if drill is None or drill not in site.units_by_id:
        return crumbs
    for uid in [*reversed(site.ancestors(drill)), drill]:
        crumbs.append((uid, site.unit(uid).name))
    return crumbs


def shown_units(site: Site, drill: str | None, node_budget: int = AGGREGATE_NODE_BUDGET) -> list[str]:
    """The units an aggregated view shows: the root's tree, level by level, while they fit."""
    if drill is not None and drill in site.units_by_id:
        level = list(site.children_by_id.get(drill, [])) or [drill]
        # The root's containers stay on the map: they give context, and Cytoscape removes a
        # compound node's children with it, so dropping them would drop the root as well.
        shown = [*reversed(site.ancestors(drill)), drill] if level != [drill] else list(
            reversed(site.ancestors(drill)))
    else:
        level = [u.id for u in site.units if u.parent is None]
        shown = []
    while level and len(shown) + len(level) <= node_budget:
        shown.extend(level)
        level = [c for uid in level for c in site.children_by_id.get(uid, [])]
    if not shown:  # even the first level is too wide: show the largest part of it
        shown = level[:node_budget]
    return shown


def _aggregated_view(site: Site, positions: Positions, options: ViewOptions, keep: set[str],
                     budget: int) -> MapView:
    candidates = set(shown_units(site, options.drill, min(AGGREGATE_NODE_BUDGET, budget // 2)))
    matches = [u.id for u in site.units if u.id in keep and matches_search(u, options.search)]
    # Within the budget, the same level of detail as a small site: what reads at the opening zoom.
    # Units whose members are beyond the budget are drawn closed, counting what they hold.
    held = {uid: sum(1 for d in site.descendants(uid) if d in keep and not is_group(d)) for uid in candidates
            if site.children_by_id.get(uid) and not any(c in candidates for c in site.children_by_id[uid])}
    detail = (plan_detail(site, candidates, positions, {uid: map_name(site.unit(uid).name) for uid in candidates},
                          opened=_opened(site, options, matches) & candidates, canvas=options.canvas,
                          hidden={uid: n for uid, n in held.items() if n})
              if options.compound else Detail(shown=None))
    shown_set = candidates if detail.shown is None else set(detail.shown)
    representative = _representatives(site, set(site.units_by_id), shown_set)
    inside: dict[str, int] = defaultdict(int)
    for uid, rep in representative.items():
        if uid != rep and uid in keep and not is_group(uid):
            inside[rep] += 1
    # A shown unit whose children are shown too is a container, not a collapsed group.
    expanded = {site.unit(uid).parent for uid in shown_set if site.unit(uid).parent in shown_set}
    hit_reps = {representative[m] for m in matches if m in representative}
    searching = bool(options.search.strip())
    elements: list[dict[str, Any]] = []
    for unit in site.units:
        uid = unit.id
        if uid not in shown_set:
            continue
        parent = unit.parent if options.compound and unit.parent in shown_set else None
        extra = ["match" if uid in hit_reps else "faded"] if searching else []
        count = 0 if uid in expanded else inside.get(uid, 0)
        position = detail.centres.get(uid) or positions.get(uid)
        element = _node(unit, position, parent, extra, count=count, font=detail.font.get(uid, BASE_FONT))
        if count and uid not in detail.closed:
            # Its units are beyond what the browser is sent: a click opens it as the new root.
            element["data"]["drill"] = True
        elements.append(element)
    room = max(budget - len(elements), 0)
    eligible = [lk for lk in site.links if lk.source in keep and lk.target in keep
                and _level_in_range(lk.level, options)]
    merged = _merged_links(representative, eligible)
    elements.extend(merged[:room])
    return MapView(elements=elements, aggregated=True, breadcrumb=breadcrumb(site, options.drill),
                   units_shown=_real(shown_set), units_total=_real(site.units_by_id),
                   links_shown=min(len(merged), room), links_hidden=max(len(merged) - room, 0),
                   matches=matches, closed=len(detail.closed),
                   fit_to=sorted(hit_reps) if searching else [])


def is_drillable(site: Site, unit_id: str) -> bool:
    """Whether clicking a unit in an aggregated view can open it (it has units inside)."""
    return bool(site.children_by_id.get(unit_id))


def organisations(site: Site) -> list[Unit]:
    """The site's organisations by name, for the organisation filter."""
    return sorted((u for u in site.units if u.kind is UnitKind.ORGANISATION), key=lambda u: u.name)
