"""Planning the opening view: containers opened one by one, from the top, while what they show reads.

Used by :func:`integramap.web.map.detail.plan_detail`; every label is sized for the zoom it will
be seen at (:func:`integramap.web.map.viewport.legible_font`).

Pure functions: no Dash here, tested without a browser.
"""

from __future__ import annotations

import math

from integramap.layout.compound import pack
from integramap.layout.sizes import BODY, BOX_PADDING, closed_side
from integramap.web.map.detail_tree import DrawnTree
from integramap.layout.rects import Rect, extent_size, overlaps, padded, union
from integramap.web.map.viewport import BASE_FONT, FIT_PADDING, LEGIBLE_PX, Detail, fit_zoom, legible_font

MAX_COLLIDING = 0.04
"""Share of labels allowed to touch another; the measured rule is 5 %, this leaves a margin."""

PACKED = 12
"""From this many outermost units shown closed, names that collide are set out in rows at once:
pushing many apart only spreads them (and enlarges every name) without end."""


class Planner:
    """Opens containers one by one, from the top, while what they show stays readable."""

    def __init__(self, tree: DrawnTree, font: float, zoom: float, canvas: tuple[int, int]) -> None:
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
                    out = union(out, part)
        return None if out is None else padded(out, BOX_PADDING)

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
                if mine is not None and overlaps(mine, rect):
                    hits |= {uid, other}
            for other, rect in self.bodies.items():
                if other in family or other == uid or other in new and other <= uid:
                    continue
                if body is not None and overlaps(body, rect):
                    return True
        for i, a in enumerate(new):
            for b in new[i + 1:]:
                la, lb = self.labels.get(a), self.labels.get(b)
                if la is not None and lb is not None and overlaps(la, lb):
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
                if found is not None and overlaps(grown, found):
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
        sizes = {k: extent_size(self._rects(k)) for k in kids}
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
        corners = pack([extent_size(rects[u]) for u in ids], [self.tree.centre(u) or (0.0, 0.0) for u in ids],
                       gap=self.font / 4,
                       aspect=(self.canvas[0] - 2 * FIT_PADDING) / (self.canvas[1] - 2 * FIT_PADDING))
        for uid, (x, y) in zip(ids, corners, strict=True):
            left, top = rects[uid][0], rects[uid][1]
            sx, sy = self.tree.shift.get(uid, (0.0, 0.0))
            self.tree.shift[uid] = (sx + x - left, sy + y - top)
            self._place(uid, self.fonts[uid])

    def _roots_collide(self) -> bool:
        rects = [r for u in self.tree.roots if (r := self._rects(u)) is not None]
        return any(overlaps(a, b) for i, a in enumerate(rects) for b in rects[i + 1:])

    def _too_wide(self) -> bool:
        """Whether what is shown now spreads wider than the zoom the labels were sized for."""
        extent: Rect | None = None
        for uid, rect in self.labels.items():
            extent = union(extent, rect)
        for rect in self.bodies.values():
            extent = union(extent, rect)
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
                    if not overlaps(ra, rb):
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
                extent = union(extent, rect)
        if extent is not None:
            self.zoom = fit_zoom(extent, self.canvas)

    def _refit(self, shown: list[str]) -> None:
        """Closed boxes take less room than their members: the fit zooms in further than first
        estimated, so the names sized for that estimate can be smaller and still read."""
        extent: Rect | None = None
        for uid in shown:
            rect = self._rects(uid)
            if rect is not None:
                extent = union(extent, rect)
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
        return body if label is None else union(body, label)

    def _recount(self, new: list[str]) -> None:
        for uid in new:
            mine = self.labels.get(uid)
            if mine is None:
                continue
            for other, rect in self.labels.items():
                if other != uid and overlaps(mine, rect):
                    self.colliding |= {uid, other}
