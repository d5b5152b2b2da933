"""Level of detail: which units the map opens with, so every label it shows can be read.

A map fitted to the screen has one zoom; a label drawn at ``font`` map units is
``font × zoom`` pixels high. Shrinking everything to fit makes a 50-unit borough
unreadable (5 px labels). Instead the map opens with as much detail as stays
legible: containers (organisations, places, PCNs…) are drawn *closed*, as one
box the size of what they hold, with a name large enough to read at the opening
zoom; a container is opened only when its members' labels, at that size, clash
with nothing. Opening a box by hand (or by search or focus) shows its members
with labels sized for the zoom that shows that box whole, and the page zooms to it.

Pure functions of a site and positions: no Dash here, tested without a browser.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from integramap.model import Site

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

BASE_FONT = 13.0
"""A label's size in map units at zoom 1: readable on its own."""

LEGIBLE_PX = 11.0
"""The label size aimed for on screen: 10 px is the least readable, with a margin for rounding."""

NODE = 36.0
"""A unit's body, in map units (``styles.stylesheet``)."""

BOX_PADDING = 18.0
"""Space inside a box around its members, in map units (``styles.stylesheet``)."""

MAX_COLLIDING = 0.04
"""Share of labels allowed to touch another; the measured rule is 5 %, this leaves a margin."""

Rect = tuple[float, float, float, float]
Positions = Mapping[str, tuple[float, float]]


@dataclass(frozen=True)
class Detail:
    """What an opening view shows and how large its labels are.

    ``shown`` is every unit drawn (``None``: every kept unit, nothing closed); ``closed`` the
    drawn containers whose members are hidden; ``font`` each drawn unit's label size in map
    units; ``centres`` where a closed container is drawn (its members' centre, so opening it
    keeps the picture) and ``sides`` its size; ``zoom`` the fit zoom the sizes were chosen for.
    """

    shown: frozenset[str] | None
    closed: frozenset[str] = frozenset()
    font: dict[str, float] = field(default_factory=dict)
    centres: dict[str, tuple[float, float]] = field(default_factory=dict)
    sides: dict[str, float] = field(default_factory=dict)
    zoom: float = 1.0


def text_size(text: str, font: float, wrap: float) -> tuple[float, float]:
    """Approximate width and height of a wrapped label in map units (Helvetica: ~0.55 em a letter).

    Examples
    --------
    >>> text_size("Team", 10, 100)
    (22.0, 12.5)
    >>> text_size("District Nursing - North", 13, 120)[1] > 13 * 1.25
    True
    """
    lines: list[float] = []
    current = 0.0
    for word in text.replace("\n", " \n ").split(" "):
        if word == "\n":
            lines.append(current)
            current = 0.0
            continue
        width = len(word) * 0.55 * font
        gap = 0.55 * font if current else 0.0
        if current and current + gap + width > wrap:
            lines.append(current)
            current = width
        else:
            current += gap + width
    lines.append(current)
    return min(max(lines), wrap), len(lines) * 1.25 * font


def wrap_width(font: float) -> float:
    """The width labels wrap at, growing with the label (``text-max-width`` is in map units)."""
    return 120.0 * font / BASE_FONT


def _union(a: Rect | None, b: Rect) -> Rect:
    if a is None:
        return b
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


def _size(rect: Rect | None) -> tuple[float, float]:
    return (0.0, 0.0) if rect is None else (rect[2] - rect[0], rect[3] - rect[1])


def _overlap(a: Rect, b: Rect) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def fit_zoom(extent: Rect, canvas: tuple[int, int] = CANVAS) -> float:
    """The zoom at which the page's Fit shows ``extent`` whole (Cytoscape's ``fit`` rule)."""
    width = max(extent[2] - extent[0], 1.0)
    height = max(extent[3] - extent[1], 1.0)
    return min((canvas[0] - 2 * FIT_PADDING) / width, (canvas[1] - 2 * FIT_PADDING) / height)


def closed_side(count: int) -> float:
    """The side of a closed box holding ``count`` units, in map units (``styles``: ``data(side)``)."""
    return round(NODE + 12 * math.sqrt(count))


def legible_font(zoom: float) -> float:
    """The label size, in map units, that reads at this zoom (never below the normal size)."""
    return max(BASE_FONT, math.ceil(LEGIBLE_PX / max(zoom, 1e-6)))


class _Tree:
    """The kept units' containment, with each container's members' extent."""

    def __init__(self, site: Site, keep: set[str], positions: Positions, names: Mapping[str, str]) -> None:
        self.site = site
        self.names = names
        self.parent: dict[str, str | None] = {}
        self.children: dict[str, list[str]] = {}
        for unit in site.units:
            if unit.id in keep:
                parent = unit.parent if unit.parent in keep else None
                self.parent[unit.id] = parent
                if parent is not None:
                    self.children.setdefault(parent, []).append(unit.id)
        self.roots = [u.id for u in site.units if u.id in keep and self.parent[u.id] is None]
        self.extent: dict[str, Rect] = {}
        self.depth: dict[str, int] = {}
        for uid in self.parent:
            self.depth[uid] = self._depth(uid)
        for uid in self.parent:
            pos = positions.get(uid)
            if pos is None or uid in self.children:
                continue
            rect = (pos[0] - NODE / 2, pos[1] - NODE / 2, pos[0] + NODE / 2, pos[1] + NODE / 2)
            up = self.parent[uid]
            while up is not None:
                pad = BOX_PADDING * (self.depth[uid] - self.depth[up])
                self.extent[up] = _union(self.extent.get(up), (rect[0] - pad, rect[1] - pad,
                                                                rect[2] + pad, rect[3] + pad))
                up = self.parent[up]
        self.leaf_pos = {uid: positions[uid] for uid in self.parent
                         if uid in positions and uid not in self.children}
        self.shift: dict[str, tuple[float, float]] = {}
        """How far a closed box is drawn from its members' centre, to keep it off its neighbours."""

    def _depth(self, uid: str) -> int:
        d, up = 0, self.parent.get(uid)
        while up is not None:
            d, up = d + 1, self.parent.get(up)
        return d

    def body(self, uid: str, closed: bool = True) -> Rect | None:
        """A unit's body: an open box's extent; a closed one is a square at its centre, sized by
        what it holds (its extent would cover its neighbours wherever boxes overlap)."""
        if uid in self.extent:
            box = self.extent[uid]
            if not closed:
                return box
            side = closed_side(self.count(uid))
            cx, cy = self.centre(uid) or (0.0, 0.0)
            return (cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2)
        pos = self.leaf_pos.get(uid)
        if pos is None:
            return None
        return (pos[0] - NODE / 2, pos[1] - NODE / 2, pos[0] + NODE / 2, pos[1] + NODE / 2)

    def count(self, uid: str) -> int:
        """How many units a container holds, at every depth."""
        total, frontier = 0, list(self.children.get(uid, []))
        while frontier:
            total += len(frontier)
            frontier = [c for f in frontier for c in self.children.get(f, [])]
        return total

    def centre(self, uid: str) -> tuple[float, float] | None:
        """Where a unit is drawn when closed: its members' centre, or its own position."""
        box = self.extent.get(uid)
        if box is not None:
            dx, dy = self.shift.get(uid, (0.0, 0.0))
            return ((box[0] + box[2]) / 2 + dx, (box[1] + box[3]) / 2 + dy)
        return self.leaf_pos.get(uid)

    def label(self, uid: str, font: float, closed: bool) -> Rect | None:
        """Where a unit's label sits: inside a closed box, on top of an open one, under a unit."""
        body = self.body(uid, closed)
        if body is None:
            return None
        name = self.names[uid]
        lines = f"{name}\n{self.count(uid)} units" if closed and uid in self.children else name
        width, height = text_size(lines, font, wrap_width(font))
        cx = (body[0] + body[2]) / 2
        if uid in self.children and not closed:
            return (cx - width / 2, body[1] - height - 4, cx + width / 2, body[1] - 4)
        return (cx - width / 2, body[3] + 4, cx + width / 2, body[3] + 4 + height)


def plan_detail(site: Site, keep: set[str], positions: Positions, names: Mapping[str, str], *,
                opened: Iterable[str] = (), canvas: tuple[int, int] = CANVAS) -> Detail:
    """The opening view of the kept units: everything when it reads at the fit zoom, else less.

    ``opened`` are containers the user (or a search, or a focus) asked to see inside: they are
    open whatever the clutter, with their members' labels sized for the zoom showing that box.

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
    tree = _Tree(site, keep, positions, names)
    leaves = list(tree.leaf_pos)
    if not leaves:
        return Detail(shown=None)
    extent: Rect | None = None
    for uid in leaves:
        body = tree.body(uid)
        assert body is not None
        extent = _union(extent, body)
    assert extent is not None
    # The fit takes in the labels too: estimate the zoom, size labels for it, and estimate again.
    zoom = fit_zoom(extent, canvas)
    for _ in range(2):
        font = legible_font(zoom)
        margin = wrap_width(font) / 2
        zoom = fit_zoom((extent[0] - margin, extent[1] - 2 * font - 30, extent[2] + margin,
                         extent[3] + 3 * font), canvas)
    opened_set = {uid for uid in opened if uid in tree.children}
    for uid in list(opened_set):  # a box is opened with every box around it
        up = tree.parent.get(uid)
        while up is not None:
            opened_set.add(up)
            up = tree.parent.get(up)
    if zoom * BASE_FONT >= LEGIBLE_PX:
        return Detail(shown=None, zoom=zoom)
    font = legible_font(zoom)
    return _Planner(tree, font, zoom, canvas).run(opened_set)


class _Planner:
    """Opens containers one by one, from the top, while what they show stays readable."""

    def __init__(self, tree: _Tree, font: float, zoom: float, canvas: tuple[int, int]) -> None:
        self.tree = tree
        self.font = font
        self.zoom = zoom
        self.canvas = canvas
        self.fonts: dict[str, float] = {}
        self.labels: dict[str, Rect] = {}
        self.bodies: dict[str, Rect] = {}
        self.colliding: set[str] = set()
        self.open: set[str] = set()

    def _open_extent(self, uid: str) -> Rect | None:
        """An open box as the browser draws it: around its shown members, not its hidden ones."""
        out: Rect | None = None
        for kid in self.tree.children.get(uid, []):
            rect = self._open_extent(kid) if kid in self.open else self.tree.body(kid, True)
            if rect is not None:
                out = _union(out, (rect[0] - BOX_PADDING, rect[1] - BOX_PADDING,
                                   rect[2] + BOX_PADDING, rect[3] + BOX_PADDING))
        return out

    def _place(self, uid: str, font: float) -> None:
        closed = uid in self.tree.children and uid not in self.open
        self.fonts[uid] = font
        label = self.tree.label(uid, font, closed)
        if not closed and uid in self.tree.children:
            box = self._open_extent(uid)
            if box is not None:
                width, height = text_size(self.tree.names[uid], font, wrap_width(font))
                cx = (box[0] + box[2]) / 2
                label = (cx - width / 2, box[1] - height - 4, cx + width / 2, box[1] - 4)
        if label is not None:
            self.labels[uid] = label
        body = self.tree.body(uid, closed)
        if body is not None and uid not in self.open:
            self.bodies[uid] = body

    def _clashes(self, new: list[str], container: str) -> bool:
        """Whether showing ``new`` inside ``container`` makes bodies overlap or too many labels collide."""
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
        self._place(uid, self.fonts.get(uid, font))
        kids = self.tree.children.get(uid, [])
        for kid in kids:
            self._place(kid, font)
        # The boxes around it grow with it: their names move up.
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
        for uid in shown:
            self._place(uid, self.font)
        moved = self._spread(shown, [u for u in shown if u in tree.children])
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
            self._recount(kids)
            queue.extend(k for k in kids if k in tree.children and (k not in moved or k in forced))
            queue.sort(key=lambda u: (u not in forced, tree.depth[u]))
        self._refit(shown)
        self._refit(shown)
        closed = frozenset(u for u in shown if u in tree.children and u not in self.open)
        centres = {u: c for u in closed if (c := tree.centre(u)) is not None}
        sides = {u: closed_side(tree.count(u)) for u in closed}
        return Detail(shown=frozenset(shown), closed=closed, font=dict(self.fonts), centres=centres,
                      sides=sides, zoom=self.zoom)

    def _grid(self, uid: str, kids: list[str]) -> bool:
        """Set a box's closed members out in rows over the box's area, in their members' order
        top to bottom, left to right; ``False`` when they do not fit there."""
        area = self.tree.extent.get(uid)
        centres = {k: self.tree.centre(k) for k in kids}
        if area is None or any(c is None for c in centres.values()):
            return False
        sizes = {k: _size(self._rects(k)) for k in kids}
        cell_w = max(w for w, _ in sizes.values()) + 16
        cell_h = max(h for _, h in sizes.values()) + 16
        # As many columns as keep the rows' shape close to the box's (the fit is checked after).
        aspect = max(area[2] - area[0], 1.0) / max(area[3] - area[1], 1.0)
        cols = max(1, min(len(kids), round(math.sqrt(len(kids) * aspect * cell_h / cell_w))))
        rows = math.ceil(len(kids) / cols)
        area = ((area[0] + area[2] - cols * cell_w) / 2, (area[1] + area[3] - rows * cell_h) / 2,
                area[2], area[3])
        ordered = sorted(kids, key=lambda k: (centres[k] or (0, 0))[1])
        for row in range(rows):
            line = sorted(ordered[row * cols:(row + 1) * cols], key=lambda k: (centres[k] or (0, 0))[0])
            for col, kid in enumerate(line):
                cx, cy = centres[kid] or (0.0, 0.0)
                tx = area[0] + (col + 0.5) * cell_w
                ty = area[1] + row * cell_h + cell_h / 2 - sizes[kid][1] / 2 + NODE / 2
                sx, sy = self.tree.shift.get(kid, (0.0, 0.0))
                self.tree.shift[kid] = (sx + tx - cx, sy + ty - cy)
                self._place(kid, self.fonts[kid])
        return True

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

    def _refit(self, shown: list[str]) -> None:
        """Closed boxes take less room than their members: the fit zooms in further than first
        estimated, so the names sized for that estimate can be smaller and still read."""
        extent: Rect | None = None
        for uid in shown:
            rect = self._open_extent(uid) if uid in self.open else self._rects(uid)
            if rect is not None:
                extent = _union(extent, rect)
            label = self.labels.get(uid)
            if label is not None:
                extent = _union(extent, label)
        if extent is None:
            return
        zoom = fit_zoom(extent, self.canvas)
        if zoom > self.zoom:
            # Smaller names still read: they only shrink the extent, so the fit stays.
            resized = legible_font(zoom)
        else:
            # Boxes set apart spread wider than first estimated: names grow to read at the fit.
            resized = legible_font(zoom * 0.9)
        for uid, font in self.fonts.items():
            if font == self.font:
                self.fonts[uid] = resized
                self._place(uid, resized)
        self.font = resized
        self.zoom = zoom

    def _rects(self, uid: str) -> Rect | None:
        body, label = self.bodies.get(uid), self.labels.get(uid)
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
