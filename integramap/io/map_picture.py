"""A site's map as a static picture (SVG, and PNG when cairo is installed) for board papers.

The picture uses the map's own positions (saved ones, the rest laid out as the Map page lays
them out) and its own visual tables: shape by unit kind, colour by sector, links darker and
thicker the closer the integration, dashed boxes round the units an organisation or network
holds. A board paper is read on paper, so nothing is shrunk to fit: a site with more units
than :data:`MAX_UNITS` is drawn at a coarser level, its organisations, places and networks
each shown once with the number of units inside, and the links between their members merged
into one line per pair labelled with how many links it stands for.

The same drawing is made from the elements the Map page shows (:func:`drawing_from_elements`),
so "Download SVG" gives what the user is looking at: filters, collapsed boxes and all.
"""

from __future__ import annotations

import math
import re
import textwrap
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from ..layout.positions import complete_positions, saved_positions
from ..layout.rects import Rect, overlaps
from ..layout.sizes import BODY, BOX_PADDING, FONT_SIZE, LABEL_WRAP, ORGANISATION_BODY
from ..layout.vocabulary import (KIND_SHAPES, LEVEL_COLOURS, LEVEL_DASHES, LEVEL_WIDTHS, NO_SECTOR_COLOUR,
                                 SECTOR_COLOURS, TARGET_COLOUR, TARGET_TEXT_COLOUR)
from ..model import Level, Sector, Site, UnitKind
from ..wording import plural

Point = tuple[float, float]

MAX_UNITS = 120
"""Most units drawn one by one; a larger site is drawn as its containers with counts."""

CHAR_WIDTH = FONT_SIZE * 0.56
"""Average width of a Helvetica character: enough to size label backgrounds and the margin."""
TARGET_FONT_SIZE = 11.0
"""A target level's words, smaller than names: they say what a line wants, not what it is."""
MARGIN = 40.0
LEGEND_WIDTH = 250.0
FONT = "Helvetica, Arial, sans-serif"


@dataclass
class DrawnUnit:
    """One unit (or one collapsed group of units) as it is drawn."""

    id: str
    label: str
    kind: str
    sector: str | None
    parent: str | None
    position: Point
    count: int = 0
    """Units inside a collapsed group (0 when the unit is drawn with its members or has none)."""
    faded: bool = False
    """Drawn pale, as the Map page fades what a search or focus leaves out."""


@dataclass
class DrawnLink:
    """One line between two drawn units; ``count`` above 1 merges several links.

    A line with no ``level`` is a target: the dashed line to the level the site wants.
    """

    source: str
    target: str
    level: str
    count: int = 1
    target_level: str | None = None
    faded: bool = False


@dataclass
class MapDrawing:
    """What the picture shows: units, links and a sentence on what was left out."""

    units: list[DrawnUnit]
    links: list[DrawnLink]
    note: str = ""
    boxes: dict[str, list[str]] = field(default_factory=dict)
    """Compound boxes: each box unit's id and the ids of the drawn units it holds (its descendants)."""


def _sector_colour(sector: str | None) -> str:
    """A unit's fill: its sector's colour, grey for none (or a sector name the picture does not know)."""
    known = sector in Sector.__members__.values()
    return SECTOR_COLOURS[Sector(sector)] if sector is not None and known else NO_SECTOR_COLOUR


def map_positions(site: Site) -> dict[str, Point]:
    """Where the Map page draws each unit: saved positions, the rest laid out beside them.

    Examples
    --------
    >>> from integramap.model import Site, Unit
    >>> site = Site(id="s", name="S", units=[Unit(id="a", name="A", kind="team"),
    ...                                       Unit(id="b", name="B", kind="team")])
    >>> sorted(map_positions(site))
    ['a', 'b']
    """
    known = saved_positions(site)
    return {**known, **complete_positions(site, known)}


def shown_units(site: Site, budget: int = MAX_UNITS) -> set[str]:
    """The units drawn one by one: whole generations from the top of the tree while they fit.

    Examples
    --------
    >>> from integramap.model import Site, Unit
    >>> site = Site(id="s", name="S", units=[Unit(id="o", name="O", kind="organisation"),
    ...     *[Unit(id=f"t{i}", name=f"T{i}", kind="team", parent="o") for i in range(5)]])
    >>> sorted(shown_units(site, budget=3)), len(shown_units(site))
    (['o'], 6)
    """
    if len(site.units) <= budget:
        return {u.id for u in site.units}
    children = site.children_by_id
    generation = [u.id for u in site.units if u.parent is None or u.parent not in site.units_by_id]
    shown: set[str] = set()
    while generation and len(shown) + len(generation) <= budget:
        shown.update(generation)
        generation = [c for uid in generation for c in children.get(uid, [])]
    if not shown:  # more roots than the budget: the largest groups, so most units are counted
        sizes = sorted(generation, key=lambda uid: -len(site.descendants(uid)))
        shown = set(sizes[:budget])
    return shown


def drawing_from_site(site: Site, positions: Mapping[str, Point] | None = None,
                      budget: int = MAX_UNITS) -> MapDrawing:
    """The picture of a whole site: every unit, or its groups with counts when it is large.

    Examples
    --------
    >>> from integramap.model import Link, Site, Unit
    >>> site = Site(id="s", name="S", units=[Unit(id="o", name="Trust", kind="organisation"),
    ...     Unit(id="a", name="A", kind="team", parent="o"), Unit(id="b", name="B", kind="team")],
    ...     links=[Link(id="l", source="a", target="b", level="co_located")])
    >>> d = drawing_from_site(site, {"o": (0, 0), "a": (0, 0), "b": (100, 0)})
    >>> [u.id for u in d.units], d.boxes, [(lk.source, lk.target) for lk in d.links]
    (['o', 'a', 'b'], {'o': ['a']}, [('a', 'b')])
    """
    pos = dict(positions) if positions is not None else map_positions(site)
    shown = shown_units(site, budget)
    home: dict[str, str] = {}
    for unit in site.units:  # each unit's nearest drawn ancestor (itself when drawn)
        if unit.id in shown:
            home[unit.id] = unit.id
        else:
            up = next((a for a in site.ancestors(unit.id) if a in shown), None)
            if up is not None:
                home[unit.id] = up
    inside: dict[str, list[str]] = defaultdict(list)
    for uid, top in home.items():
        if uid != top:
            inside[top].append(uid)
    units: list[DrawnUnit] = []
    for unit in site.units:
        if unit.id not in shown:
            continue
        hidden = inside.get(unit.id, [])
        where = [pos[m] for m in hidden if m in pos] or [pos.get(unit.id, (0.0, 0.0))]
        centre = (sum(p[0] for p in where) / len(where), sum(p[1] for p in where) / len(where))
        parent = unit.parent if unit.parent in shown else None
        label = f"{unit.name} ({plural(len(hidden), 'unit')})" if hidden else unit.name
        units.append(DrawnUnit(unit.id, label, str(unit.kind), str(unit.sectors[0]) if unit.sectors else None,
                               parent, centre, len(hidden)))
    merged: dict[tuple[str, str], DrawnLink] = {}
    links: list[DrawnLink] = []
    for lk in site.links:
        a, b = home.get(lk.source), home.get(lk.target)
        if a is None or b is None or a == b:
            continue
        if a == lk.source and b == lk.target:
            links.append(DrawnLink(a, b, str(lk.level)))
            if lk.target_level is not None and lk.target_level != lk.level:
                links.append(DrawnLink(a, b, "", 1, str(lk.target_level)))
            continue
        key = (min(a, b), max(a, b))
        if key in merged:
            merged[key].count += 1
            merged[key].level = max(Level(merged[key].level), lk.level).value
        else:
            merged[key] = DrawnLink(key[0], key[1], str(lk.level))
    links += merged.values()
    note = ""
    if len(shown) < len(site.units):
        note = (f"{plural(len(site.units), 'unit')} drawn as {plural(len(shown), 'group')}: each box shows "
                "how many units it holds.")
    return _with_boxes(MapDrawing(units, links, note))


_CLASS = re.compile(r"^(kind|sector|level)-(.+)$")


def drawing_from_elements(elements: Iterable[Mapping[str, Any]]) -> MapDrawing:
    """The picture of what the Map page shows, from its Cytoscape elements.

    Units and links the page fades (a search, a focus) are drawn pale, as on the page;
    target-level lines are drawn when the page shows them.

    Examples
    --------
    >>> d = drawing_from_elements([
    ...     {"data": {"id": "a", "label": "A"}, "classes": "kind-team sector-acute",
    ...      "position": {"x": 0, "y": 0}},
    ...     {"data": {"id": "b", "label": "B"}, "classes": "kind-team sector-none faded",
    ...      "position": {"x": 90, "y": 0}},
    ...     {"data": {"id": "l", "source": "a", "target": "b"}, "classes": "level-interface"}])
    >>> [(u.id, u.faded) for u in d.units], [(lk.source, lk.target) for lk in d.links]
    ([('a', False), ('b', True)], [('a', 'b')])
    """
    units: list[DrawnUnit] = []
    edges: list[tuple[Mapping[str, Any], dict[str, str]]] = []
    for element in elements:
        data = element.get("data") or {}
        classes = str(element.get("classes") or "").split()
        if "hidden" in classes:
            continue
        faded = "faded" in classes
        tags = {m.group(1): m.group(2) for c in classes if (m := _CLASS.match(c))}
        if "source" in data:
            tags["target"] = "yes" if "target" in classes else ""
            tags["faded"] = "yes" if faded else ""
            edges.append((data, tags))
            continue
        position = element.get("position") or {}
        sector = tags.get("sector")
        units.append(DrawnUnit(str(data.get("id")), str(data.get("label") or data.get("name") or ""),
                               tags.get("kind", "team"), None if sector in (None, "none") else sector,
                               data.get("parent"), (float(position.get("x", 0.0)), float(position.get("y", 0.0))),
                               int(data.get("count") or 0), faded))
    drawn = {u.id for u in units}
    for unit in units:
        if unit.parent not in drawn:
            unit.parent = None
    links = []
    for data, tags in edges:
        faded = bool(tags["faded"])
        source, target = str(data.get("source")), str(data.get("target"))
        if source not in drawn or target not in drawn:
            continue
        if tags["target"]:
            links.append(DrawnLink(source, target, "", 1, str(data.get("label") or "target"), faded))
        else:
            links.append(DrawnLink(source, target, tags.get("level", Level.INTERFACE.value),
                                   int(data.get("count") or 1), None, faded))
    return _with_boxes(MapDrawing(units, links))


def _with_boxes(drawing: MapDrawing) -> MapDrawing:
    parent = {u.id: u.parent for u in drawing.units}
    boxes: dict[str, list[str]] = defaultdict(list)
    for unit in drawing.units:
        up = unit.parent
        seen = set()
        while up is not None and up not in seen:
            seen.add(up)
            boxes[up].append(unit.id)
            up = parent.get(up)
    drawing.boxes = dict(boxes)
    return drawing


# --- drawing -------------------------------------------------------------------------------

def _size(unit: DrawnUnit) -> Point:
    if unit.count:
        side = 36 + 54 * min(1.0, math.log10(unit.count) / math.log10(500))
        return side, side
    if unit.kind == UnitKind.ORGANISATION.value:
        return ORGANISATION_BODY
    return BODY, BODY


def _lines(label: str) -> list[str]:
    return textwrap.wrap(label, max(8, int(LABEL_WRAP / CHAR_WIDTH))) or [""]


def _shape_points(shape: str, x: float, y: float, w: float, h: float) -> list[Point] | None:
    """Vertices of a polygon shape centred on (x, y); ``None`` for ellipses and rectangles."""
    sides = {"triangle": 3, "round-triangle": 3, "diamond": 4, "pentagon": 5, "hexagon": 6, "octagon": 8}
    if shape == "star":
        return [(x + (w / 2 if i % 2 == 0 else w / 5) * math.sin(i * math.pi / 5),
                 y - (h / 2 if i % 2 == 0 else h / 5) * math.cos(i * math.pi / 5)) for i in range(10)]
    if shape not in sides:
        return None
    n = sides[shape]
    turn = math.pi / n if shape in ("hexagon", "octagon") else 0.0
    return [(x + w / 2 * math.sin(2 * math.pi * i / n + turn), y - h / 2 * math.cos(2 * math.pi * i / n + turn))
            for i in range(n)]


def _fmt(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


def _text(x: float, y: float, lines: Sequence[str], *, bold: bool = False, size: float = FONT_SIZE,
          colour: str = "#1f2933", anchor: str = "middle") -> list[str]:
    """Label lines with a pale background, so a label stays readable over a line it crosses."""
    width = max(len(line) for line in lines) * size * 0.56
    height = len(lines) * size * 1.2
    left = x - width / 2 if anchor == "middle" else x
    out = [f'<rect x="{_fmt(left - 2)}" y="{_fmt(y - size)}" width="{_fmt(width + 4)}" '
           f'height="{_fmt(height + 2)}" fill="#ffffff" fill-opacity="0.8"/>']
    weight = ' font-weight="bold"' if bold else ""
    tspans = "".join(f'<tspan x="{_fmt(x)}" dy="{0 if i == 0 else _fmt(size * 1.2)}">{escape(line)}</tspan>'
                     for i, line in enumerate(lines))
    out.append(f'<text x="{_fmt(x)}" y="{_fmt(y)}" font-size="{_fmt(size)}" text-anchor="{anchor}" '
               f'fill="{colour}"{weight}>{tspans}</text>')
    return out


def alt_text(drawing: MapDrawing, title: str = "") -> str:
    """The picture in words, for people who cannot see it: what it holds, generated from the drawing.

    Carried in the SVG's ``<title>`` and ``<desc>`` (read out by screen readers) and offered as a
    picture's description wherever it is placed.

    Examples
    --------
    >>> d = MapDrawing([DrawnUnit("t", "Trust", "organisation", None, None, (0, 0)),
    ...                 DrawnUnit("a", "Crisis team", "team", "mental_health", "t", (0, 0)),
    ...                 DrawnUnit("b", "Social work", "team", "social_care", None, (9, 0))],
    ...                [DrawnLink("a", "b", "co_located"), DrawnLink("a", "b", "", target_level="fully_merged")],
    ...                boxes={"t": ["a"]})
    >>> print(alt_text(d, "Riverside"))
    Map of Riverside: 3 units (1 organisation, 2 teams) and 1 link. Links by level: co-located 1. Crisis team is inside Trust. Links: Crisis team and Social work, co-located. Levels the site wants (dashed lines): Crisis team and Social work, fully merged.
    """
    kinds: dict[str, int] = defaultdict(int)
    for u in drawing.units:
        kinds[u.kind] += 1
    kind_words = ", ".join(plural(n, KIND_WORDS.get(k, k.replace("_", " "))) for k, n in kinds.items())
    actual = [lk for lk in drawing.links if lk.level]
    count = sum(lk.count for lk in actual)
    text = ((f"Map of {title}: " if title else "The map shows ") + plural(len(drawing.units), 'unit')
            + (f" ({kind_words})" if kind_words else "") + f" and {plural(count, 'link')}.")
    by_level: dict[Level, int] = defaultdict(int)
    for lk in actual:
        by_level[Level(lk.level)] += lk.count
    if by_level:
        text += " Links by level: " + ", ".join(f"{lv.label} {by_level[lv]}" for lv in sorted(
            by_level, key=lambda lv: lv.rank)) + "."
    names = {u.id: " ".join(u.label.split()) for u in drawing.units}
    boxes = [f"{', '.join(names[m] for m in ms if m in names)} "
             f"{'is' if len(ms) == 1 else 'are'} inside {names[b]}" for b, ms in drawing.boxes.items()
             if b in names and any(m in names for m in ms)]
    if boxes:
        text += " " + "; ".join(boxes) + "."
    shown = [f"{names.get(lk.source, lk.source)} and {names.get(lk.target, lk.target)}, {Level(lk.level).label}"
             + (f" ({plural(lk.count, 'link')})" if lk.count > 1 else "") for lk in actual[:MAX_ALT_LINKS]]
    if shown:
        text += " Links: " + "; ".join(shown) + "."
    wanted = [f"{names.get(lk.source, lk.source)} and {names.get(lk.target, lk.target)}, "
              f"{_target_words(lk.target_level, arrow=False)}" for lk in drawing.links
              if not lk.level and _target_words(lk.target_level)][:MAX_ALT_LINKS]
    if wanted:
        text += " Levels the site wants (dashed lines): " + "; ".join(wanted) + "."
        if len(actual) > MAX_ALT_LINKS:
            text += f" And {plural(len(actual) - MAX_ALT_LINKS, 'more link')}."
    if drawing.note:
        text += " " + drawing.note
    return text


KIND_WORDS = {"pcn": "PCN", "lcn": "LCN"}
MAX_ALT_LINKS = 40
"""Most links named in a picture's description: past that, a description is no longer read through."""


def drawing_to_svg(drawing: MapDrawing, title: str = "", legend: bool = True) -> str:
    """The drawing as a standalone SVG document (one ``<g class="unit">`` per drawn unit).

    Examples
    --------
    >>> import xml.etree.ElementTree as ET
    >>> d = MapDrawing([DrawnUnit("a", "A & B", "team", "acute", None, (0, 0))], [])
    >>> root = ET.fromstring(drawing_to_svg(d))
    >>> len(root.findall(".//{http://www.w3.org/2000/svg}g[@class='unit']"))
    1
    """
    by_id = {u.id: u for u in drawing.units}
    leaves = [u for u in drawing.units if u.id not in drawing.boxes]
    extent: dict[str, Rect] = {}
    for u in leaves:
        w, h = _size(u)
        lines = _lines(u.label)
        half_label = max(len(line) for line in lines) * CHAR_WIDTH / 2
        extent[u.id] = (u.position[0] - max(w / 2, half_label), u.position[1] - h / 2,
                        u.position[0] + max(w / 2, half_label), u.position[1] + h / 2 + 6 + len(lines) * FONT_SIZE * 1.2)
    # Inner boxes first, so an outer box is padded round the inner ones it holds. A box's name
    # goes inside its top edge, wrapped to the box's width: on paper a long name running on over
    # the next box reads as that box's.
    depth = {bid: len(members) for bid, members in drawing.boxes.items()}
    box_lines: dict[str, list[str]] = {}
    for bid in sorted(drawing.boxes, key=lambda b: depth[b]):
        inner = [extent[m] for m in drawing.boxes[bid] if m in extent]
        if not inner or bid not in by_id:
            continue
        left, right = min(e[0] for e in inner) - BOX_PADDING, max(e[2] for e in inner) + BOX_PADDING
        chars = max(12, int((right - left - 12) / CHAR_WIDTH))
        box_lines[bid] = textwrap.wrap(by_id[bid].label, chars) or [""]
        top = min(e[1] for e in inner) - BOX_PADDING - len(box_lines[bid]) * FONT_SIZE * 1.2
        extent[bid] = (left, top, right, max(e[3] for e in inner) + BOX_PADDING)
    if extent:
        x0 = min(e[0] for e in extent.values()) - MARGIN
        y0 = min(e[1] for e in extent.values()) - MARGIN - FONT_SIZE * 1.5
        x1 = max(e[2] for e in extent.values()) + MARGIN
        y1 = max(e[3] for e in extent.values()) + MARGIN
    else:
        x0, y0, x1, y1 = 0.0, 0.0, 400.0, 120.0
    levels_used = sorted({Level(lk.level) for lk in drawing.links if lk.level}, key=lambda lv: lv.rank)
    sectors_used = sorted({u.sector for u in drawing.units if u.sector})
    legend_rows = (len(levels_used) + len(sectors_used) + (1 if any(not lk.level for lk in drawing.links) else 0))
    # The key stands to the right of the map: maps are wider than tall, and pages (a landscape
    # page, a slide) are too, so the map keeps the page's full height.
    legend_height = (legend_rows * 20 + 30) if legend and legend_rows else 0
    legend_width = LEGEND_WIDTH if legend_height else 0.0
    width, height = x1 - x0 + legend_width, max(y1 - y0, legend_height + MARGIN)
    body: list[str] = []
    if title:
        body += _text(x0 + MARGIN / 2, y0 + FONT_SIZE * 1.5, [title], bold=True, size=16, anchor="start")
    for bid in sorted(drawing.boxes, key=lambda b: -depth[b]):
        if bid not in extent or bid not in by_id:
            continue
        bx0, by0, bx1, by1 = extent[bid]
        unit = by_id[bid]
        colour = _sector_colour(unit.sector)
        fade = ' opacity="0.18"' if unit.faded else ""
        body.append(f'<g class="box" data-id={quoteattr(bid)}{fade}><rect x="{_fmt(bx0)}" y="{_fmt(by0)}" '
                    f'width="{_fmt(bx1 - bx0)}" height="{_fmt(by1 - by0)}" rx="8" fill="{colour}" '
                    f'fill-opacity="0.07" stroke="{colour}" stroke-width="1.5" stroke-dasharray="6 4"/>')
        body += _text(bx0 + 6, by0 + FONT_SIZE + 4, box_lines[bid], bold=True, anchor="start")
        body.append("</g>")
    titles = [(extent[b][0], extent[b][1], extent[b][0] + 12 + max(len(line) for line in box_lines[b]) * CHAR_WIDTH,
               extent[b][1] + 6 + len(box_lines[b]) * FONT_SIZE * 1.2) for b in box_lines if b in extent]
    body += _links(drawing, extent, titles)
    for u in leaves:
        body += _unit(u)
    if legend and legend_rows:
        body += _legend(x1, y0 + MARGIN, levels_used, sectors_used, any(not lk.level for lk in drawing.links))
    if drawing.note:
        body += _text(x0 + MARGIN / 2, y0 + height + 12, [drawing.note], size=11, colour="#52606d",
                      anchor="start")
        height += 22
    words = alt_text(drawing, title)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{_fmt(x0)} {_fmt(y0)} {_fmt(width)} '
            f'{_fmt(height)}" width="{_fmt(width)}" height="{_fmt(height)}" font-family="{FONT}" role="img" '
            f'aria-labelledby="map-title map-desc">'
            f'<title id="map-title">{escape(title or "Map of the site")}</title>'
            f'<desc id="map-desc">{escape(words)}</desc>'
            f'<rect x="{_fmt(x0)}" y="{_fmt(y0)}" width="{_fmt(width)}" height="{_fmt(height)}" fill="#ffffff"/>'
            + "".join(body) + "</svg>")


def _centre(extent: Mapping[str, Rect], drawing: MapDrawing, uid: str
            ) -> Point | None:
    for u in drawing.units:
        if u.id == uid and uid not in drawing.boxes:
            return u.position
    e = extent.get(uid)
    return ((e[0] + e[2]) / 2, (e[1] + e[3]) / 2) if e else None


def _edge(box: Rect, inside: Point, towards: Point) -> Point:
    """Where the line from ``inside`` (the box's centre) to ``towards`` leaves the box."""
    dx, dy = towards[0] - inside[0], towards[1] - inside[1]
    half_w, half_h = (box[2] - box[0]) / 2, (box[3] - box[1]) / 2
    t = min(half_w / abs(dx) if dx else math.inf, half_h / abs(dy) if dy else math.inf, 1.0)
    return inside[0] + dx * t, inside[1] + dy * t


def _links(drawing: MapDrawing, extent: Mapping[str, Rect],
           box_titles: Sequence[Rect] = ()) -> list[str]:
    out: list[str] = []
    # Where words are already written: a target's level goes where it covers none of them.
    taken: list[Rect] = [e for uid, e in extent.items() if uid not in drawing.boxes] + list(box_titles)
    written: list[str] = []  # over every line, so no later line runs through them
    pairs: dict[tuple[str, str], int] = defaultdict(int)
    for lk in drawing.links:
        a, b = _centre(extent, drawing, lk.source), _centre(extent, drawing, lk.target)
        if a is None or b is None:
            continue
        # A link to a box starts at the box's edge, not in the middle of the units it holds.
        if lk.source in drawing.boxes:
            a = _edge(extent[lk.source], a, b)
        if lk.target in drawing.boxes:
            b = _edge(extent[lk.target], b, a)
        key = (min(lk.source, lk.target), max(lk.source, lk.target))
        nth = pairs[key]
        pairs[key] += 1
        # Links between the same two units bow apart instead of running on one line.
        bend = 0.0 if nth == 0 else 24.0 * ((nth + 1) // 2) * (1 if nth % 2 else -1)
        dx, dy = b[0] - a[0], b[1] - a[1]
        length = math.hypot(dx, dy) or 1.0
        cx, cy = (a[0] + b[0]) / 2 - dy / length * bend, (a[1] + b[1]) / 2 + dx / length * bend
        path = f'M{_fmt(a[0])},{_fmt(a[1])} Q{_fmt(cx)},{_fmt(cy)} {_fmt(b[0])},{_fmt(b[1])}'
        if not lk.level:
            out.append(f'<path class="link target" d="{path}" fill="none" stroke="{TARGET_COLOUR}" '
                       f'stroke-width="2" stroke-dasharray="6 4" opacity="{0.18 if lk.faded else 0.85}"/>')
            words = _target_words(lk.target_level)
            spot = _free_spot(words, (a, (cx, cy), b), taken) if words and not lk.faded else None
            if spot is not None:
                taken.append(_text_extent(words, spot, TARGET_FONT_SIZE))
                written += _text(spot[0], spot[1], [words], size=TARGET_FONT_SIZE, colour=TARGET_TEXT_COLOUR)
            continue
        level = Level(lk.level)
        # The same dash pattern as on the screen: the level reads without its colour.
        dashes = LEVEL_DASHES.get(level, ())
        dash = f' stroke-dasharray="{" ".join(_fmt(d) for d in dashes)}"' if dashes else ""
        out.append(f'<path class="link" data-level="{level.value}" d="{path}" fill="none" '
                   f'stroke="{LEVEL_COLOURS[level]}" stroke-width="{_fmt(LEVEL_WIDTHS[level])}"{dash} '
                   f'opacity="{0.18 if lk.faded else 0.9}">'
                   f'<title>{escape(level.label)}</title></path>')
        if lk.count > 1:
            out += _text(cx, cy + 4, [plural(lk.count, "link")], size=10, colour="#34495e")
    return out + written


def _text_extent(words: str, at: Point, size: float) -> Rect:
    width = len(words) * size * 0.56
    return at[0] - width / 2 - 2, at[1] - size, at[0] + width / 2 + 2, at[1] + size * 0.2 + 2


def _free_spot(words: str, curve: tuple[Point, Point, Point], taken: Sequence[Rect]) -> Point | None:
    """A place along the curve for a target's words that covers no name nor other words.

    The middle first, then further out; ``None`` where every place would cover a name: a name
    half-hidden under a level's words, or words half-hidden under a unit, read worse than none.
    """
    (ax, ay), (cx, cy), (bx, by) = curve
    for t in (0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8):
        u = 1 - t
        spot = (u * u * ax + 2 * u * t * cx + t * t * bx, u * u * ay + 2 * u * t * cy + t * t * by + 4)
        if not any(overlaps(_text_extent(words, spot, TARGET_FONT_SIZE), box) for box in taken):
            return spot
    return None


def _target_words(target_level: str | None, arrow: bool = True) -> str:
    """"→ fully merged" for a target level's value; words the map page wrote are kept as they are."""
    if not target_level or target_level == "target":
        return ""
    try:
        words = Level(target_level).label
    except ValueError:
        words = target_level.removeprefix("→ ")
    return f"→ {words}" if arrow else words


def _unit(u: DrawnUnit) -> list[str]:
    x, y = u.position
    w, h = _size(u)
    fill = _sector_colour(u.sector)
    stroke = fill if u.sector else "#5f6b7a"
    shape = KIND_SHAPES.get(UnitKind(u.kind), "ellipse") if u.kind in UnitKind.__members__.values() else "ellipse"
    border = 3.0 if u.count else 1.0
    paint = f'fill="{fill}" stroke="{stroke}" stroke-width="{_fmt(border)}"'
    points = _shape_points(shape, x, y, w, h)
    if points is not None:
        body = f'<polygon points="{" ".join(f"{_fmt(px)},{_fmt(py)}" for px, py in points)}" {paint}/>'
    elif shape == "ellipse":
        body = f'<ellipse cx="{_fmt(x)}" cy="{_fmt(y)}" rx="{_fmt(w / 2)}" ry="{_fmt(h / 2)}" {paint}/>'
    else:
        rx = ' rx="6"' if shape.startswith("round") else ""
        body = (f'<rect x="{_fmt(x - w / 2)}" y="{_fmt(y - h / 2)}" width="{_fmt(w)}" height="{_fmt(h)}"{rx} '
                f'{paint}/>')
    fade = ' opacity="0.18"' if u.faded else ""
    return [f'<g class="unit" data-id={quoteattr(u.id)}{fade}>', body,
            *_text(x, y + h / 2 + 4 + FONT_SIZE, _lines(u.label), bold=bool(u.count)), "</g>"]


def _legend(x: float, y: float, levels: Sequence[Level], sectors_used: Sequence[str], targets: bool) -> list[str]:
    from ..wording import in_words

    out = _text(x, y + 14, ["Key"], bold=True, anchor="start")
    row = y + 34
    for level in levels:
        out.append(f'<line x1="{_fmt(x)}" y1="{_fmt(row - 4)}" x2="{_fmt(x + 36)}" y2="{_fmt(row - 4)}" '
                   f'stroke="{LEVEL_COLOURS[level]}" stroke-width="{_fmt(LEVEL_WIDTHS[level])}"/>')
        out += _text(x + 44, row, [f"link: {level.rank} {level.label}"], size=12, anchor="start")
        row += 20
    if targets:
        out.append(f'<line x1="{_fmt(x)}" y1="{_fmt(row - 4)}" x2="{_fmt(x + 36)}" y2="{_fmt(row - 4)}" '
                   f'stroke="{TARGET_COLOUR}" stroke-width="2" stroke-dasharray="6 4"/>')
        out += _text(x + 44, row, ["target level (what the site wants)"], size=12, anchor="start")
        row += 20
    for sector in sectors_used:
        out.append(f'<rect x="{_fmt(x + 10)}" y="{_fmt(row - 12)}" width="14" height="14" '
                   f'fill="{_sector_colour(sector)}"/>')
        out += _text(x + 44, row, [in_words(sector)], size=12, anchor="start")
        row += 20
    return out


def site_svg(site: Site, positions: Mapping[str, Point] | None = None, budget: int = MAX_UNITS) -> str:
    """A whole site's map as SVG (see :func:`drawing_from_site`).

    Examples
    --------
    >>> from integramap.model import Site, Unit
    >>> svg = site_svg(Site(id="s", name="S", units=[Unit(id="a", name="A", kind="team")]), {"a": (0, 0)})
    >>> svg.startswith("<svg"), 'data-id="a"' in svg
    (True, True)
    """
    return drawing_to_svg(drawing_from_site(site, positions, budget))


def svg_width(svg: str) -> float:
    """The width an SVG from :func:`drawing_to_svg` declares, in pixels.

    Examples
    --------
    >>> svg_width('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 640 80" width="640" height="80"/>')
    640.0
    """
    found = re.search(r'<svg[^>]*\swidth="([0-9.]+)"', svg)
    return float(found.group(1)) if found else 0.0


class RendererMissing(RuntimeError):
    """The software that turns a picture into PNG is not installed; the message says what to install."""


def svg_to_png(svg: str, scale: float = 2.0) -> bytes:
    """Rasterise an SVG with cairo (CairoSVG), at ``scale`` times its size.

    Raises
    ------
    RendererMissing
        When CairoSVG or the cairo library it needs is not installed.
    """
    try:
        import cairosvg  # type: ignore[import-untyped, unused-ignore]
    except (ImportError, OSError) as exc:  # OSError: the Python package is there but libcairo is not
        raise RendererMissing("the map picture needs CairoSVG and the cairo library "
                              f"({type(exc).__name__}: {exc})") from None
    data: bytes = cairosvg.svg2png(bytestring=svg.encode("utf-8"), scale=scale)
    return data
