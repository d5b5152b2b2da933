"""Level of detail: which units the map opens with, so every label it shows can be read.

A map fitted to the screen has one zoom; a label drawn at ``font`` map units is
``font × zoom`` pixels high. Shrinking everything to fit makes a 50-unit borough
unreadable (5 px labels). Instead the map opens with as much detail as stays
legible: containers (organisations, places, PCNs…) are drawn *closed*, as one
box the size of what they hold, with a name large enough to read at the opening
zoom; a container is opened only when its members' labels, at that size, clash
with nothing. Opening a box by hand (or by search or focus) shows its members
with labels sized for the zoom that shows that box whole, and the page zooms to it.

Every size here (shapes, labels, padding, closed boxes) comes from
:mod:`integramap.layout.sizes`, the one source the layout reserves room with and the
stylesheet draws with; units drawn where the layout put them keep the size it reserved.

Pure functions of a site and positions: no Dash here, tested without a browser.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from integramap.layout.sizes import (
    BODY,
    BOX_PADDING,
    FONT_SIZE,
    LABEL_MARGIN,
    body_size,
    closed_label,
    closed_side,
    label_size,
    wrap_width,
)
from integramap.layout.compound import pack
from integramap.model import Site
from integramap.layout.groups import is_group

CANVAS = (840, 520)
"""The map's drawing area the opening view is planned for when the browser has not said its own
(a first visit), in screen pixels: the narrower and the lower of the page's at a 1400 × 900
window (840 × 638) and at 1024 × 800 (1009 × 534), so the view reads at both."""


def parse_canvas(text: str | None) -> tuple[int, int]:
    """The map's size as the browser reports it (``"840x638"``, ``assets/map.js``), else :data:`CANVAS`.

    Examples
    --------
    >>> parse_canvas("1009x534"), parse_canvas(None), parse_canvas("9x99999")
    ((1009, 534), (840, 520), (840, 520))
    """
    try:
        width, height = (int(v) for v in (text or "").split("x"))
    except ValueError:
        return CANVAS
    if not (200 <= width <= 8000 and 200 <= height <= 8000):
        return CANVAS
    return width, height

FIT_PADDING = 40
"""Screen pixels the page leaves around the map when it fits it (the layout's ``padding``)."""

BASE_FONT = FONT_SIZE
"""A label's size in map units at zoom 1: the size the layout reserves room for."""

LEGIBLE_PX = 11.0
"""The label size aimed for on screen: 10 px is the least readable, with a margin for rounding."""

MAX_COLLIDING = 0.04
"""Share of labels allowed to touch another; the measured rule is 5 %, this leaves a margin."""

PACKED = 12
"""From this many outermost units shown closed, names that collide are set out in rows at once:
pushing many apart only spreads them (and enlarges every name) without end."""

Rect = tuple[float, float, float, float]
Positions = Mapping[str, tuple[float, float]]

__all__ = ["BASE_FONT", "CANVAS", "Detail", "LEGIBLE_PX", "closed_side", "fit_zoom", "legible_font",
           "parse_canvas", "plan_detail", "wrap_width"]


@dataclass(frozen=True)
class Detail:
    """What an opening view shows and how large its labels are.

    ``shown`` is every unit drawn (``None``: every kept unit, nothing closed); ``closed`` the
    drawn containers whose members are hidden; ``font`` each drawn unit's label size in map
    units; ``centres`` where a unit is drawn away from its own position (a closed container at
    its members' centre, so opening it keeps the picture, or set apart from its neighbours;
    an outermost unit whose large name needs room) and ``sides`` a closed container's size;
    ``zoom`` the fit zoom the sizes were chosen for.
    """

    shown: frozenset[str] | None
    closed: frozenset[str] = frozenset()
    font: dict[str, float] = field(default_factory=dict)
    centres: dict[str, tuple[float, float]] = field(default_factory=dict)
    sides: dict[str, float] = field(default_factory=dict)
    zoom: float = 1.0


def _union(a: Rect | None, b: Rect) -> Rect:
    if a is None:
        return b
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


def _size(rect: Rect | None) -> tuple[float, float]:
    return (0.0, 0.0) if rect is None else (rect[2] - rect[0], rect[3] - rect[1])


def _overlap(a: Rect, b: Rect) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _pad(rect: Rect, by: float) -> Rect:
    return (rect[0] - by, rect[1] - by, rect[2] + by, rect[3] + by)


def fit_zoom(extent: Rect, canvas: tuple[int, int] = CANVAS) -> float:
    """The zoom at which the page's Fit shows ``extent`` whole (Cytoscape's ``fit`` rule)."""
    width = max(extent[2] - extent[0], 1.0)
    height = max(extent[3] - extent[1], 1.0)
    return min((canvas[0] - 2 * FIT_PADDING) / width, (canvas[1] - 2 * FIT_PADDING) / height)


def legible_font(zoom: float) -> float:
    """The label size, in map units, that reads at this zoom (never below the normal size)."""
    return max(BASE_FONT, math.ceil(LEGIBLE_PX / max(zoom, 1e-6)))


class _Tree:
    """The kept units' containment, with each container's members' extent as drawn when open."""

    def __init__(self, site: Site, keep: set[str], positions: Positions, names: Mapping[str, str],
                 hidden: Mapping[str, int]) -> None:
        self.site = site
        self.names = names
        self.hidden = hidden
        self.parent: dict[str, str | None] = {}
        self.children: dict[str, list[str]] = {}
        for unit in site.units:
            if unit.id in keep:
                parent = unit.parent if unit.parent in keep else None
                self.parent[unit.id] = parent
                if parent is not None:
                    self.children.setdefault(parent, []).append(unit.id)
        self.roots = [u.id for u in site.units if u.id in keep and self.parent[u.id] is None]
        self.depth: dict[str, int] = {}
        for uid in self.parent:
            self.depth[uid] = self._depth(uid)
        self.leaf_pos = {uid: positions[uid] for uid in self.parent
                         if uid in positions and uid not in self.children}
        self.shift: dict[str, tuple[float, float]] = {}
        """How far a unit is drawn from its own place (a closed box from its members' centre), to
        keep it off its neighbours."""
        self.extent: dict[str, Rect] = {}
        """Each container as Cytoscape draws it with every box inside open: its members' shapes
        and labels at the normal size, plus padding (the room the layout gave it)."""
        self._counts: dict[str, int] = {}
        for uid in sorted(self.children, key=lambda u: -self.depth[u]):  # the innermost first
            rect: Rect | None = None
            for kid in self.children[uid]:
                if kid in self.children:
                    inner = self.extent.get(kid)
                    if inner is not None:
                        rect = _union(rect, inner)
                        name = self.label(kid, BASE_FONT, closed=False, box=inner)
                        if name is not None:
                            rect = _union(rect, name)
                    continue
                for part in (self.body(kid), self.label(kid, BASE_FONT, closed=False)):
                    if part is not None:
                        rect = _union(rect, part)
            if rect is not None:
                self.extent[uid] = _pad(rect, BOX_PADDING)

    def _depth(self, uid: str) -> int:
        d, up = 0, self.parent.get(uid)
        while up is not None:
            d, up = d + 1, self.parent.get(up)
        return d

    def body(self, uid: str, closed: bool = True) -> Rect | None:
        """A unit's body: an open box's extent; a closed one is a square at its centre, sized by
        what it holds (its extent would cover its neighbours wherever boxes overlap)."""
        if uid in self.children:
            if not closed:
                return self.extent.get(uid)
            side = closed_side(self.count(uid))
            centre = self.centre(uid)
            if centre is None:
                return None
            cx, cy = centre
            return (cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2)
        centre = self.centre(uid)
        if centre is None:
            return None
        width, height = body_size(self.site.units_by_id[uid], self.hidden.get(uid, 0))
        return (centre[0] - width / 2, centre[1] - height / 2, centre[0] + width / 2, centre[1] + height / 2)

    def count(self, uid: str) -> int:
        """How many units a container holds, at every depth, as its closed box says: those kept
        and those closed inside kept units (not the groups the map only draws)."""
        if uid not in self._counts:
            total, frontier = 0, list(self.children.get(uid, []))
            while frontier:
                total += sum(0 if is_group(f) else 1 + self.hidden.get(f, 0) for f in frontier)
                frontier = [c for f in frontier for c in self.children.get(f, [])]
            self._counts[uid] = total
        return self._counts[uid]

    def centre(self, uid: str) -> tuple[float, float] | None:
        """Where a unit is drawn when closed: its members' centre, or its own position."""
        box = self.extent.get(uid)
        dx, dy = self.shift.get(uid, (0.0, 0.0))
        if box is not None:
            return ((box[0] + box[2]) / 2 + dx, (box[1] + box[3]) / 2 + dy)
        pos = self.leaf_pos.get(uid)
        return None if pos is None else (pos[0] + dx, pos[1] + dy)

    def label(self, uid: str, font: float, closed: bool, box: Rect | None = None) -> Rect | None:
        """Where a unit's label sits: under a closed box or a unit, above an open box (``box``, or
        the box with everything inside open)."""
        container = uid in self.children
        body = box if container and not closed and box is not None else self.body(uid, closed)
        if body is None:
            return None
        name = self.names[uid]
        held = self.count(uid) if container and closed else self.hidden.get(uid, 0)
        text = closed_label(name, held) if held else name
        size = label_size(text, bold=container or bool(held), font=font)
        cx = (body[0] + body[2]) / 2
        if container and not closed:
            return (cx - size.width / 2, body[1] - LABEL_MARGIN - size.height, cx + size.width / 2,
                    body[1] - LABEL_MARGIN)
        return (cx - size.width / 2, body[3] + LABEL_MARGIN, cx + size.width / 2,
                body[3] + LABEL_MARGIN + size.height)


def plan_detail(site: Site, keep: set[str], positions: Positions, names: Mapping[str, str], *,
                opened: Iterable[str] = (), canvas: tuple[int, int] = CANVAS,
                hidden: Mapping[str, int] | None = None) -> Detail:
    """The opening view of the kept units: everything when it reads at the fit zoom, else less.

    ``opened`` are containers the user (or a search, or a focus) asked to see inside: they are
    open whatever the clutter, with their members' labels sized for the zoom showing that box.
    ``hidden`` counts, for a kept unit whose members are all left out, the units it holds (it is
    drawn closed, as the layout sized it).

    Units are drawn where the layout put them at the size it reserved (:mod:`integramap.layout.sizes`):
    a unit inside an open box, and that box's name, at the normal size. Larger names, to read at
    a zoomed-out view, are only given to what this plan places itself: closed boxes (at their
    members' centre, or set apart) and the outermost units, which it moves apart when their
    names need the room.

    Examples
    --------
    >>> from integramap.model import Site, Unit
    >>> site = Site(id="s", name="S", units=[
    ...     Unit(id="o", name="Trust", kind="organisation", org_type="nhs_trust"),
    ...     *[Unit(id=f"t{i}", name=f"Team number {i}", kind="team", parent="o") for i in range(3)]])
    >>> near = {"t0": (0.0, 0.0), "t1": (150.0, 0.0), "t2": (300.0, 0.0)}
    >>> plan_detail(site, {"o", "t0", "t1", "t2"}, near, {u.id: u.name for u in site.units}).shown is None
    True
    >>> far = {"t0": (0.0, 0.0), "t1": (60.0, 0.0), "t2": (3000.0, 0.0)}
    >>> sorted(plan_detail(site, {"o", "t0", "t1", "t2"}, far, {u.id: u.name for u in site.units}).closed)
    ['o']
    """
    tree = _Tree(site, keep, positions, names, hidden or {})
    if not tree.leaf_pos:
        return Detail(shown=None)
    # Everything open, every name at the normal size: what Cytoscape's fit takes in.
    whole: Rect | None = None
    for uid in tree.roots:
        for part in (tree.body(uid, closed=False), tree.label(uid, BASE_FONT, closed=False)):
            if part is not None:
                whole = _union(whole, part)
    if whole is None:
        return Detail(shown=None)
    zoom = fit_zoom(whole, canvas)
    if zoom * BASE_FONT >= LEGIBLE_PX:
        return Detail(shown=None, zoom=zoom)
    # Larger names take more room: estimate the zoom, size names for it, and estimate again.
    for _ in range(2):
        grow = legible_font(zoom) / BASE_FONT - 1
        margin = wrap_width() * grow / 2
        zoom = fit_zoom((whole[0] - margin, whole[1] - LABEL_MARGIN * grow - 30, whole[2] + margin,
                         whole[3] + 3 * BASE_FONT * grow), canvas)
    opened_set = {uid for uid in opened if uid in tree.children}
    for uid in list(opened_set):  # a box is opened with every box around it
        up = tree.parent.get(uid)
        while up is not None:
            opened_set.add(up)
            up = tree.parent.get(up)
    return _Planner(tree, legible_font(zoom), zoom, canvas).run(opened_set)


class _Planner:
    """Opens containers one by one, from the top, while what they show stays readable."""

    def __init__(self, tree: _Tree, font: float, zoom: float, canvas: tuple[int, int]) -> None:
        self.tree = tree
        self.font = font
        self.zoom = zoom
        self.canvas = canvas
        self.fonts: dict[str, float] = {}
        """Each unit's label size were it placed here (closed, or outermost)."""
        self.labels: dict[str, Rect] = {}
        self.bodies: dict[str, Rect] = {}
        self.colliding: set[str] = set()
        self.open: set[str] = set()
        self.shown: set[str] = set()

    def drawn_font(self, uid: str) -> float:
        """A unit's label size as drawn: the normal size where the layout placed it and reserved
        room for that size (a unit inside a box; an open box around such units)."""
        if uid not in self.tree.children:
            return self.fonts[uid] if self.tree.parent.get(uid) is None else BASE_FONT
        if uid in self.open and self._holds_placed(uid):
            return BASE_FONT
        return self.fonts[uid]

    def _holds_placed(self, uid: str) -> bool:
        for kid in self.tree.children.get(uid, []):
            if kid not in self.tree.children or (kid in self.open and self._holds_placed(kid)):
                return True
        return False

    def _open_extent(self, uid: str) -> Rect | None:
        """An open box as the browser draws it: around its shown members and their labels (as
        Cytoscape sizes a compound node), not its hidden ones, plus padding."""
        out: Rect | None = None
        for kid in self.tree.children.get(uid, []):
            body = self._open_extent(kid) if kid in self.open else self.tree.body(kid, True)
            for part in (body, self.labels.get(kid)):
                if part is not None:
                    out = _union(out, part)
        return None if out is None else _pad(out, BOX_PADDING)

    def _place(self, uid: str, font: float) -> None:
        self.fonts[uid] = font
        container = uid in self.tree.children
        closed = container and uid not in self.open
        box = self._open_extent(uid) if container and not closed else None
        label = self.tree.label(uid, self.drawn_font(uid), closed, box)
        if label is not None:
            self.labels[uid] = label
        body = self.tree.body(uid, closed)
        if body is not None and uid not in self.open:
            self.bodies[uid] = body

    def _clashes(self, new: list[str], container: str) -> bool:
        """Whether showing ``new`` inside ``container`` makes bodies or unrelated boxes overlap, or
        too many labels collide."""
        family = {container, *self._ancestors(container)}
        others_labels = {k: v for k, v in self.labels.items() if k not in new and k != container}
        hits: set[str] = set()
        for uid in new:
            mine = self.labels.get(uid)
            body = self.bodies.get(uid)
            for other, rect in others_labels.items():
                if mine is not None and _overlap(mine, rect):
                    hits |= {uid, other}
            for other, rect in self.bodies.items():
                if other in family or other == uid or other in new and other <= uid:
                    continue
                if body is not None and _overlap(body, rect):
                    return True
        for i, a in enumerate(new):
            for b in new[i + 1:]:
                la, lb = self.labels.get(a), self.labels.get(b)
                if la is not None and lb is not None and _overlap(la, lb):
                    hits |= {a, b}
        # The boxes that grew must stay off every unit and box they do not hold.
        for box in family:
            grown = self._open_extent(box)
            if grown is None:
                continue
            for other in self.shown:
                if other in family or box in self._ancestors(other):
                    continue
                found = self._open_extent(other) if other in self.open else self.bodies.get(other)
                if found is not None and _overlap(grown, found):
                    return True
        total = len(self.labels)
        return len(self.colliding | hits) > MAX_COLLIDING * total

    def _ancestors(self, uid: str) -> list[str]:
        out: list[str] = []
        up = self.tree.parent.get(uid)
        while up is not None:
            out.append(up)
            up = self.tree.parent.get(up)
        return out

    def _open(self, uid: str, font: float) -> list[str]:
        self.open.add(uid)
        self.bodies.pop(uid, None)
        kids = self.tree.children.get(uid, [])
        for kid in kids:
            self._place(kid, font)
        # The box and the boxes around it grow with it: their names move up.
        self._place(uid, self.fonts.get(uid, font))
        for up in self._ancestors(uid):
            self._place(up, self.fonts[up])
        return kids

    def _undo(self, uid: str, kids: list[str]) -> None:
        self.open.discard(uid)
        for kid in kids:
            self.labels.pop(kid, None)
            self.bodies.pop(kid, None)
            self.fonts.pop(kid, None)
        self._place(uid, self.fonts[uid])
        for up in self._ancestors(uid):
            self._place(up, self.fonts[up])

    def run(self, forced: set[str]) -> Detail:
        tree = self.tree
        shown = list(tree.roots)
        self.shown = set(shown)
        for uid in shown:
            self._place(uid, self.font)
        if len(shown) < PACKED:
            moved = self._spread(shown, shown)
        elif self._roots_collide():
            # Many outermost units whose names meet: rows at once (pushing them apart is slow
            # and only spreads them).
            self._pack(shown)
            moved = set(shown)
        else:
            moved = set()
        queue = sorted((u for u in shown if u in tree.children and (u not in moved or u in forced)),
                       key=lambda u: tree.depth[u])
        while queue:
            uid = queue.pop(0)
            if uid in forced:
                body = tree.body(uid, closed=False)
                # Members of a box opened on request read at the zoom that shows that box whole.
                font = legible_font(fit_zoom(body, self.canvas)) if body is not None else BASE_FONT
                kids = self._open(uid, min(font, self.font))
                # Asked for, so opened whatever the clutter; closed members that land on one
                # another are set out in rows instead (they stand for units drawn elsewhere).
                closed_kids = [k for k in kids if k in tree.children and k not in forced]
                if len(closed_kids) == len(kids) > 1 and self._clashes(kids, uid) and self._grid(uid, kids):
                    moved |= set(kids)
                    for up in [uid, *self._ancestors(uid)]:
                        self._place(up, self.fonts[up])
            else:
                if any(k not in tree.children for k in tree.children[uid]) and BASE_FONT * self.zoom < LEGIBLE_PX:
                    continue  # its units would be drawn at the normal size, unreadable at this zoom
                kids = self._open(uid, self.font)
                if self._clashes([*kids, *self._ancestors(uid)], uid):
                    # Its closed members may stand apart from their own members' centre.
                    spread = [k for k in kids if k in tree.children]
                    if spread and len(spread) == len(kids) and self._grid(uid, spread):
                        moved |= set(spread)
                        for up in [uid, *self._ancestors(uid)]:
                            self._place(up, self.fonts[up])
                    if (not spread or len(spread) < len(kids) or self._too_wide()
                            or self._clashes([*kids, *self._ancestors(uid)], uid)):
                        for kid in spread:
                            self.tree.shift.pop(kid, None)
                        moved -= set(spread)
                        self._undo(uid, kids)
                        continue
            shown.extend(kids)
            self.shown.update(kids)
            self._recount(kids)
            queue.extend(k for k in kids if k in tree.children and (k not in moved or k in forced))
            queue.sort(key=lambda u: (u not in forced, tree.depth[u]))
        self._refit(shown)
        self._refit(shown)
        # Names resized for the final zoom can reach a neighbour: set the outermost units apart again.
        movable = [u for u in tree.roots if u not in self.open]
        for _ in range(3 if len(movable) < PACKED else 0):
            if not self._spread(tree.roots, movable):
                break
            self._refit(shown)
        if self._roots_collide() and len(movable) == len(tree.roots) > 1:
            # Too many names for the room between them (pushing them apart only makes every name
            # larger): set them out in rows, as compact as the layout packs a box. Names and rows
            # then grow together, so the names' size on screen is what it is: not resized after.
            for _ in range(4):
                self._pack(movable)
                self._refit_zoom(shown)
                if self.font * self.zoom >= LEGIBLE_PX:
                    break
                # Shapes do not grow with names: larger names make the rows relatively tighter.
                self._resize(legible_font(self.zoom))
        closed = frozenset(u for u in shown if u in tree.children and u not in self.open)
        centres = {u: c for u in closed if (c := tree.centre(u)) is not None}
        centres.update({u: c for u in shown if u not in tree.children and u in tree.shift
                        and (c := tree.centre(u)) is not None})
        sides = {u: closed_side(tree.count(u)) for u in closed}
        return Detail(shown=frozenset(shown), closed=closed, font={u: self.drawn_font(u) for u in shown},
                      centres=centres, sides=sides, zoom=self.zoom)

    def _grid(self, uid: str, kids: list[str]) -> bool:
        """Set a box's closed members out in rows over the box's area, in their members' order
        top to bottom, left to right; ``False`` when they do not fit there."""
        area = self.tree.extent.get(uid)
        if area is None:
            return False
        aspect = max(area[2] - area[0], 1.0) / max(area[3] - area[1], 1.0)
        return self._rows(kids, ((area[0] + area[2]) / 2, (area[1] + area[3]) / 2), aspect)

    def _rows(self, kids: list[str], centre: tuple[float, float], aspect: float) -> bool:
        """Set units out in rows around ``centre``, as many columns as keep the rows' shape close to
        ``aspect`` (width over height), in their order top to bottom, left to right."""
        centres = {k: self.tree.centre(k) for k in kids}
        if not kids or any(c is None for c in centres.values()):
            return False
        sizes = {k: _size(self._rects(k)) for k in kids}
        cell_w = max(w for w, _ in sizes.values()) + 16
        cell_h = max(h for _, h in sizes.values()) + 16
        cols = max(1, min(len(kids), round(math.sqrt(len(kids) * aspect * cell_h / cell_w))))
        rows = math.ceil(len(kids) / cols)
        left, top = centre[0] - cols * cell_w / 2, centre[1] - rows * cell_h / 2
        ordered = sorted(kids, key=lambda k: (centres[k] or (0, 0))[1])
        for row in range(rows):
            line = sorted(ordered[row * cols:(row + 1) * cols], key=lambda k: (centres[k] or (0, 0))[0])
            for col, kid in enumerate(line):
                cx, cy = centres[kid] or (0.0, 0.0)
                tx = left + (col + 0.5) * cell_w
                ty = top + row * cell_h + cell_h / 2 - sizes[kid][1] / 2 + BODY / 2
                sx, sy = self.tree.shift.get(kid, (0.0, 0.0))
                self.tree.shift[kid] = (sx + tx - cx, sy + ty - cy)
                self._place(kid, self.fonts[kid])
        return True

    def _pack(self, units: list[str]) -> None:
        """Set units out in rows of their own heights, as the layout packs a box's members, in the
        order of where they stand (top to bottom, left to right)."""
        rects = {u: r for u in units if (r := self._rects(u)) is not None and self.tree.centre(u) is not None}
        ids = list(rects)
        corners = pack([_size(rects[u]) for u in ids], [self.tree.centre(u) or (0.0, 0.0) for u in ids],
                       gap=self.font / 4,
                       aspect=(self.canvas[0] - 2 * FIT_PADDING) / (self.canvas[1] - 2 * FIT_PADDING))
        for uid, (x, y) in zip(ids, corners, strict=True):
            left, top = rects[uid][0], rects[uid][1]
            sx, sy = self.tree.shift.get(uid, (0.0, 0.0))
            self.tree.shift[uid] = (sx + x - left, sy + y - top)
            self._place(uid, self.fonts[uid])

    def _roots_collide(self) -> bool:
        rects = [r for u in self.tree.roots if (r := self._rects(u)) is not None]
        return any(_overlap(a, b) for i, a in enumerate(rects) for b in rects[i + 1:])

    def _too_wide(self) -> bool:
        """Whether what is shown now spreads wider than the zoom the labels were sized for."""
        extent: Rect | None = None
        for uid, rect in self.labels.items():
            extent = _union(extent, rect)
        for rect in self.bodies.values():
            extent = _union(extent, rect)
        return extent is not None and fit_zoom(extent, self.canvas) < self.zoom * 0.97

    def _spread(self, roots: list[str], movable: list[str]) -> set[str]:
        """Move closed boxes apart where they, or their names, land on one another.

        Where a layout mixes organisations, their members' centres fall close together; a closed
        box is drawn there only to stand for them, so it can move (its members keep their places).
        Returns the boxes moved: they stay closed, as their members are not where they are drawn.
        """
        moved: set[str] = set()
        can_move = set(movable)
        for _ in range(40):
            clash = False
            # Sweep by left edge: only boxes whose spans cross can overlap.
            rects = {u: r for u in roots if (r := self._rects(u)) is not None}
            order = sorted(rects, key=lambda u: rects[u][0])
            for i, a in enumerate(order):
                for b in order[i + 1:]:
                    ra, rb = rects[a], rects[b]
                    if rb[0] >= ra[2]:
                        break
                    if not _overlap(ra, rb):
                        continue
                    push = [u for u in (a, b) if u in can_move]
                    if not push:
                        continue
                    clash = True
                    dx = min(ra[2] - rb[0], rb[2] - ra[0])
                    dy = min(ra[3] - rb[1], rb[3] - ra[1])
                    sign = 1.0 if (rb[0] + rb[2]) >= (ra[0] + ra[2]) else -1.0
                    signy = 1.0 if (rb[1] + rb[3]) >= (ra[1] + ra[3]) else -1.0
                    step = (dx / len(push) + 2, 0.0) if dx < dy else (0.0, dy / len(push) + 2)
                    for uid, direction in ((a, -1.0), (b, 1.0)):
                        if uid in push:
                            sx, sy = self.tree.shift.get(uid, (0.0, 0.0))
                            self.tree.shift[uid] = (sx + direction * sign * step[0],
                                                    sy + direction * signy * step[1])
                            moved.add(uid)
                            self._place(uid, self.fonts[uid])
                            rects[uid] = self._rects(uid) or rects[uid]
            if not clash:
                break
        return moved

    def _refit_zoom(self, shown: list[str]) -> None:
        """The fit zoom of what is shown, the names' sizes unchanged."""
        extent: Rect | None = None
        for uid in shown:
            rect = self._rects(uid)
            if rect is not None:
                extent = _union(extent, rect)
        if extent is not None:
            self.zoom = fit_zoom(extent, self.canvas)

    def _refit(self, shown: list[str]) -> None:
        """Closed boxes take less room than their members: the fit zooms in further than first
        estimated, so the names sized for that estimate can be smaller and still read."""
        extent: Rect | None = None
        for uid in shown:
            rect = self._rects(uid)
            if rect is not None:
                extent = _union(extent, rect)
        if extent is None:
            return
        zoom = fit_zoom(extent, self.canvas)
        if zoom > self.zoom:
            # Smaller names still read: they only shrink the extent, so the fit stays.
            resized = legible_font(zoom)
        else:
            # Boxes set apart spread wider than first estimated: names grow to read at the fit.
            resized = legible_font(zoom * 0.9)
        self._resize(resized)
        self.zoom = zoom

    def _resize(self, resized: float) -> None:
        """Every name at the common size takes the new one."""
        for uid, font in self.fonts.items():
            if font == self.font:
                self.fonts[uid] = resized
                self._place(uid, resized)
        # An open box's name sits above its members as they now are: the innermost first.
        for uid in sorted(self.open, key=lambda u: -self.tree.depth[u]):
            self._place(uid, self.fonts[uid])
        self.font = resized

    def _rects(self, uid: str) -> Rect | None:
        """A unit's body (an open box's extent) and label together."""
        body = self._open_extent(uid) if uid in self.open else self.bodies.get(uid)
        label = self.labels.get(uid)
        if body is None:
            return label
        return body if label is None else _union(body, label)

    def _recount(self, new: list[str]) -> None:
        for uid in new:
            mine = self.labels.get(uid)
            if mine is None:
                continue
            for other, rect in self.labels.items():
                if other != uid and _overlap(mine, rect):
                    self.colliding |= {uid, other}
