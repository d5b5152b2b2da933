"""How good a map layout is, measured the way the map draws it.

Every unit that holds none of the units drawn is a shape with its label below
(:mod:`integramap.layout.sizes`); every unit that does is a box around its
members' shapes and labels, plus padding, with its name above — as Cytoscape
sizes compound nodes. From positions alone this counts what a reader would
see go wrong: shapes drawn over one another, boxes over unrelated boxes or
units, labels running into each other, and links crossing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from integramap.layout.compound import Point, inside_out, nesting
from integramap.layout.crossings import count_crossings
from integramap.layout.rects import Rect
from integramap.layout.sizes import BOX_PADDING, LABEL_MARGIN, body_size, drawn_label
from integramap.model import Site

_TOUCH = 0.5
"""Rectangles overlapping by less than this (rounding of positions) do not count."""


@dataclass(frozen=True)
class LayoutQuality:
    """What a reader of the map would see go wrong in a layout."""

    units: int
    node_overlaps: int
    """Pairs of unit shapes drawn over one another."""
    box_overlaps: int
    """Pairs of a box and an unrelated box or unit (neither inside the other) drawn over one another."""
    label_overlaps: int
    """Pairs of units whose shape-and-label rectangles overlap."""
    crossings: int
    """Pairs of links whose straight lines cross (links sharing a unit do not count)."""
    width: float
    height: float
    boxes: Mapping[str, Rect]
    """Each box as drawn (without its name above it)."""


def measure_layout(site: Site, positions: Mapping[str, Point], among: Sequence[str] | None = None
                   ) -> LayoutQuality:
    """Overlaps and crossings of a layout of a site (or of the given units), as the map draws it.

    Examples
    --------
    >>> from integramap.model import Site, Unit
    >>> site = Site(id="s", name="S", units=[Unit(id="a", name="A", kind="team"),
    ...                                      Unit(id="b", name="B", kind="team")])
    >>> measure_layout(site, {"a": (0, 0), "b": (10, 0)}).node_overlaps
    1
    >>> measure_layout(site, {"a": (0, 0), "b": (100, 0)}).node_overlaps
    0
    """
    ids = [u.id for u in site.units] if among is None else [uid for uid in among if uid in site.units_by_id]
    ids = [uid for uid in ids if uid in positions]
    children, hidden = nesting(site, ids)
    bodies: dict[str, Rect] = {}
    extents: dict[str, Rect] = {}
    boxes: dict[str, Rect] = {}
    for uid in inside_out(children):
        unit = site.units_by_id[uid]
        members = children.get(uid, [])
        label = drawn_label(unit, hidden.get(uid, 0), box=bool(members))
        if members:
            left, top, right, bottom = _union(extents[m] for m in members)
            box = (left - BOX_PADDING, top - BOX_PADDING, right + BOX_PADDING, bottom + BOX_PADDING)
            boxes[uid] = box
            middle = (box[0] + box[2]) / 2
            extents[uid] = (min(box[0], middle - label.width / 2), box[1] - LABEL_MARGIN - label.height,
                            max(box[2], middle + label.width / 2), box[3])
        else:
            x, y = positions[uid]
            w, h = body_size(unit, hidden.get(uid, 0))
            bodies[uid] = (x - w / 2, y - h / 2, x + w / 2, y + h / 2)
            extents[uid] = (min(x - w / 2, x - label.width / 2), y - h / 2,
                            max(x + w / 2, x + label.width / 2), y + h / 2 + LABEL_MARGIN + label.height)
    parent_of = {m: p for p, ms in children.items() if p is not None for m in ms}
    related = _ancestry(parent_of)
    box_pairs = [(a, b) for a, b in _overlapping({**boxes, **bodies})
                 if (a in boxes or b in boxes) and b not in related[a] and a not in related[b]]
    everything = _union(extents.values()) if extents else (0.0, 0.0, 0.0, 0.0)
    centres = {uid: ((r[0] + r[2]) / 2, (r[1] + r[3]) / 2) for uid, r in boxes.items()}
    centres.update({uid: (float(positions[uid][0]), float(positions[uid][1])) for uid in bodies})
    segments = [(lk.source, lk.target) for lk in site.links if lk.source in centres and lk.target in centres]
    return LayoutQuality(
        units=len(ids), node_overlaps=len(_overlapping(bodies)), box_overlaps=len(box_pairs),
        label_overlaps=len(_overlapping({uid: extents[uid] for uid in bodies})),
        crossings=count_crossings(segments, centres),
        width=everything[2] - everything[0], height=everything[3] - everything[1], boxes=boxes)


def _ancestry(parent_of: Mapping[str, str]) -> dict[str, set[str]]:
    """Each unit's ancestors and itself: the boxes it may lie inside."""
    out: dict[str, set[str]] = {}
    for uid in parent_of.keys() | set(parent_of.values()):
        chain = {uid}
        current = parent_of.get(uid)
        while current is not None and current not in chain:
            chain.add(current)
            current = parent_of.get(current)
        out[uid] = chain
    return _DefaultSelf(out)


class _DefaultSelf(dict[str, set[str]]):
    def __missing__(self, key: str) -> set[str]:
        return {key}


def _union(rects: Iterable[Rect]) -> Rect:
    items = list(rects)
    return (min(r[0] for r in items), min(r[1] for r in items), max(r[2] for r in items), max(r[3] for r in items))


def _overlapping(rects: Mapping[str, Rect]) -> list[tuple[str, str]]:
    """Pairs of rectangles that overlap by more than rounding, by a sweep from left to right."""
    order = sorted(rects, key=lambda uid: rects[uid][0])
    pairs: list[tuple[str, str]] = []
    for i, a in enumerate(order):
        ra = rects[a]
        for b in order[i + 1:]:
            rb = rects[b]
            if rb[0] >= ra[2] - _TOUCH:
                break
            if min(ra[3], rb[3]) - max(ra[1], rb[1]) > _TOUCH and min(ra[2], rb[2]) - max(ra[0], rb[0]) > _TOUCH:
                pairs.append((a, b))
    return pairs
