"""The kept units' containment as the level of detail sees it: where each unit, box and name is drawn.

Every size (shapes, labels, padding, closed boxes) comes from :mod:`integramap.layout.sizes`, the
one source the layout reserves room with and the stylesheet draws with.

Pure functions: no Dash here, tested without a browser.
"""

from __future__ import annotations

from collections.abc import Mapping

from integramap.layout.groups import is_group
from integramap.layout.sizes import BOX_PADDING, LABEL_MARGIN, body_size, closed_label, closed_side, label_size
from integramap.model import Site
from integramap.layout.rects import Rect, padded, union
from integramap.web.map.viewport import BASE_FONT, Positions


class DrawnTree:
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
                        rect = union(rect, inner)
                        name = self.label(kid, BASE_FONT, closed=False, box=inner)
                        if name is not None:
                            rect = union(rect, name)
                    continue
                for part in (self.body(kid), self.label(kid, BASE_FONT, closed=False)):
                    if part is not None:
                        rect = union(rect, part)
            if rect is not None:
                self.extent[uid] = padded(rect, BOX_PADDING)

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
