"""A layout that respects organisations: every box laid out inside its parent, boxes never overlap.

The map nests units in boxes (a trust holds directorates, a directorate teams,
a PCN practices, a place PCNs). A force-directed layout of the whole graph
(Fruchterman-Reingold, fcose without constraints) knows nothing of the boxes and
piles them on one another. This layout works from the inside out instead:

1. each box's members are laid out first (recursively, so a box is a rectangle
   of known size before its parent is laid out);
2. the members of one box are ordered by a small force-directed layout of the
   links among them (a link between two teams in different directorates counts
   as a link between the directorates), so linked units and boxes end up next
   to each other and cross-organisation links stay short;
3. they are then packed in rows, keeping that order (rows from top to bottom,
   left to right within a row), at the width that gives the most legible
   picture when fitted to a screen, so no two rectangles can overlap.

Every rectangle holds a unit's shape *and* its label (:mod:`integramap.layout.sizes`),
so labels do not run into one another either. A box's own position is the centre
of its box, where the map draws it when it is collapsed to one node.

Cost: one small layout per box, so a national site (8,000 units, a thousand boxes)
takes a second or two, and a borough well under a tenth of a second.
"""

from __future__ import annotations

import math
import random
import zlib
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import igraph

from integramap.layout.sizes import BOX_PADDING, LABEL_MARGIN, body_size, label_size, unit_label
from integramap.model import Site

Point = tuple[float, float]

ASPECT = 1.55
"""Width over height of the screen the map is fitted to (1400 × 900): packing aims for it."""
LEAF_GAP = 16.0
"""Between two units' rectangles (shape and label) inside one box."""
BOX_GAP = 40.0
"""Between a box and its neighbours: wider than between units, so each box reads as one group."""
PULL = 2.0
"""How far a member leans towards its links outside its box, in widths of the box: enough to
carry it from one side of the box to the other."""
_PREFER_ORDER = 0.85
"""Packing by size wins over packing in link order only when it is this much more compact."""


@dataclass
class _Block:
    """A laid-out unit or box: its size and its units' positions from its top-left corner."""

    width: float
    height: float
    positions: dict[str, Point] = field(default_factory=dict)
    is_box: bool = False


def compound_layout(site: Site, among: Sequence[str] | None = None) -> dict[str, Point]:
    """Positions for every unit (or the given ones), boxes disjoint and members inside their box.

    With ``among``, only those units are laid out, nested as far as they are
    among them: a unit whose members are not among them is a collapsed group,
    sized by the units it holds.

    Examples
    --------
    >>> from integramap.model import Site, Unit
    >>> site = Site(id="s", name="S", units=[
    ...     Unit(id="trust", name="Trust", kind="organisation"),
    ...     Unit(id="council", name="Council", kind="organisation"),
    ...     Unit(id="t1", name="Team one", kind="team", parent="trust"),
    ...     Unit(id="t2", name="Team two", kind="team", parent="council")])
    >>> pos = compound_layout(site)
    >>> sorted(pos)
    ['council', 't1', 't2', 'trust']
    >>> abs(pos["t1"][0] - pos["t2"][0]) > 100 or abs(pos["t1"][1] - pos["t2"][1]) > 100
    True
    """
    ids = [u.id for u in site.units] if among is None else [uid for uid in among if uid in site.units_by_id]
    if not ids:
        return {}
    children, hidden = nesting(site, ids)
    chains = _chains(children)
    links = _links_between_members(site, chains)
    first = _lay_out(site, children, hidden, links, {})
    if not links:
        return first
    # Second pass: each member leans towards where the units it links to outside its box were
    # drawn the first time, so a team linked to another organisation sits on that side of its box.
    return _lay_out(site, children, hidden, links, _outward_pulls(site, chains, first))


def _lay_out(site: Site, children: Mapping[str | None, list[str]], hidden: Mapping[str, int],
             links: Mapping[str | None, Mapping[tuple[str, str], int]], pulls: Mapping[str, Point]
             ) -> dict[str, Point]:
    blocks: dict[str, _Block] = {}
    # Inside out: a box is laid out after every box it holds (post-order, without recursion).
    for uid in inside_out(children):
        members = children.get(uid, [])
        blocks[uid] = _lay_out_unit(site, uid, members, blocks, links, hidden.get(uid, 0), pulls)
    roots = children[None]
    top = _pack([blocks.pop(c) for c in roots], roots, links.get(None, {}), pulls)
    # Centred on the origin, so a fitted view does not depend on where the map started.
    dx, dy = top.width / 2, top.height / 2
    return {uid: (round(x - dx, 1), round(y - dy, 1)) for uid, (x, y) in top.positions.items()}


def nesting(site: Site, ids: Sequence[str]) -> tuple[dict[str | None, list[str]], dict[str, int]]:
    """Which of the given units each one holds (``None`` holds the outermost), as the map nests
    them, and for a unit whose members are all left out, how many units it holds (it is drawn
    as a collapsed group)."""
    scope = set(ids)
    children: dict[str | None, list[str]] = defaultdict(list)
    for uid in ids:
        parent = site.units_by_id[uid].parent
        children[parent if parent in scope and not _in_cycle(site, uid, scope) else None].append(uid)
    hidden = {uid: len(site.descendants(uid)) for uid in ids
              if not children.get(uid) and site.children_by_id.get(uid)}
    return children, hidden


def _in_cycle(site: Site, uid: str, scope: set[str]) -> bool:
    """Whether following parents from ``uid`` inside ``scope`` comes back to it (a malformed site)."""
    seen = {uid}
    current = site.units_by_id[uid].parent
    while current is not None and current in scope:
        if current in seen:
            return True
        seen.add(current)
        current = site.units_by_id[current].parent
    return False


def inside_out(children: Mapping[str | None, list[str]]) -> list[str]:
    """Every unit after all the units it holds (``children`` as from :func:`nesting`)."""
    order: list[str] = []
    stack: list[tuple[str, bool]] = [(uid, False) for uid in reversed(children.get(None, []))]
    while stack:
        uid, done = stack.pop()
        if done:
            order.append(uid)
            continue
        stack.append((uid, True))
        stack.extend((c, False) for c in reversed(children.get(uid, [])))
    return order


def _chains(children: Mapping[str | None, list[str]]) -> dict[str, list[str]]:
    """Each unit's boxes from the outermost down to itself."""
    chains = {root: [root] for root in children.get(None, [])}
    for uid in reversed(inside_out(children)):  # every box before the units it holds
        for member in children.get(uid, []):
            chains[member] = [*chains[uid], member]
    return chains


def _split(chains: Mapping[str, list[str]], source: str, target: str) -> int | None:
    """How many boxes two units share (the depth where their chains part), ``None`` when one
    holds the other."""
    a, b = chains[source], chains[target]
    depth = 0
    while depth < min(len(a), len(b)) and a[depth] == b[depth]:
        depth += 1
    return None if depth == len(a) or depth == len(b) else depth


def _links_between_members(site: Site, chains: Mapping[str, list[str]]
                           ) -> dict[str | None, dict[tuple[str, str], int]]:
    """For each box, how many links join each pair of its members (counting what they hold)."""
    out: dict[str | None, dict[tuple[str, str], int]] = defaultdict(lambda: defaultdict(int))
    for link in site.links:
        if link.source not in chains or link.target not in chains:
            continue
        depth = _split(chains, link.source, link.target)
        if depth is None:
            continue  # a link from a unit to one of its own members: the box already holds them
        a, b = chains[link.source], chains[link.target]
        owner = a[depth - 1] if depth else None
        pair = (a[depth], b[depth]) if a[depth] < b[depth] else (b[depth], a[depth])
        out[owner][pair] += 1
    return out


def _outward_pulls(site: Site, chains: Mapping[str, list[str]], drawn: Mapping[str, Point]
                   ) -> dict[str, Point]:
    """For each unit inside a box, the mean direction from it to the units outside that box
    it links to (through what it holds), as drawn by a first layout."""
    sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for link in site.links:
        if link.source not in chains or link.target not in chains:
            continue
        depth = _split(chains, link.source, link.target)
        if depth is None:
            continue
        for near, far in ((link.source, link.target), (link.target, link.source)):
            fx, fy = drawn[far]
            # Every box below the one both share leans its way: the directorate in its trust,
            # the team in its directorate.
            for uid in chains[near][depth + 1:]:
                x, y = drawn[uid]
                length = math.hypot(fx - x, fy - y) or 1.0
                acc = sums[uid]
                acc[0] += (fx - x) / length
                acc[1] += (fy - y) / length
                acc[2] += 1
    return {uid: (acc[0] / acc[2], acc[1] / acc[2]) for uid, acc in sums.items()}


def _lay_out_unit(site: Site, uid: str, members: list[str], blocks: dict[str, _Block],
                  links: Mapping[str | None, Mapping[tuple[str, str], int]], hidden: int,
                  pulls: Mapping[str, Point]) -> _Block:
    unit = site.units_by_id[uid]
    label = label_size(unit_label(unit, hidden))
    if not members:
        width, height = body_size(unit, hidden)
        block_width = max(width, label.width)
        # The shape at the top, centred; its label below it.
        return _Block(block_width, height + LABEL_MARGIN + label.height, {uid: (block_width / 2, height / 2)})
    inner = _pack([blocks.pop(m) for m in members], members, links.get(uid, {}), pulls)
    box_width, box_height = inner.width + 2 * BOX_PADDING, inner.height + 2 * BOX_PADDING
    label_height = label.height + LABEL_MARGIN
    width = max(box_width, label.width)
    left = (width - box_width) / 2
    block = _Block(width, label_height + box_height, is_box=True)
    for member, (x, y) in inner.positions.items():
        block.positions[member] = (x + left + BOX_PADDING, y + label_height + BOX_PADDING)
    block.positions[uid] = (width / 2, label_height + box_height / 2)
    return block


def _pack(blocks: list[_Block], ids: Sequence[str], links: Mapping[tuple[str, str], int],
          pulls: Mapping[str, Point]) -> _Block:
    """Sibling blocks in rows, in the order their links suggest, at the most legible width."""
    if len(blocks) == 1:
        return blocks[0]
    guide = _guide(ids, links, pulls)
    in_order = sorted(range(len(blocks)), key=lambda i: (guide[i][1], guide[i][0]))
    gap = BOX_GAP if any(b.is_box for b in blocks) else LEAF_GAP
    best = _best_rows(blocks, in_order, guide, gap)
    if any(b.is_box for b in blocks):
        # Boxes of very different sizes waste room in link order; tallest first packs tighter.
        by_size = sorted(range(len(blocks)), key=lambda i: -blocks[i].height)
        tight = _best_rows(blocks, by_size, None, gap)
        if _score(tight) < _PREFER_ORDER * _score(best):
            best = tight
    rows, width, height = best
    out = _Block(width, height, is_box=True)
    y = 0.0
    for row in rows:
        row_width = sum(blocks[i].width for i in row) + gap * (len(row) - 1)
        row_height = max(blocks[i].height for i in row)
        x = (width - row_width) / 2
        for i in row:
            block = blocks[i]
            for uid, (px, py) in block.positions.items():
                out.positions[uid] = (px + x, py + y)
            x += block.width + gap
        y += row_height + gap
    return out


_Rows = tuple[list[list[int]], float, float]


def _score(rows: _Rows) -> float:
    """How large the blocks look fitted to the screen: the smaller this, the larger they look."""
    return max(rows[1], rows[2] * ASPECT)


def _best_rows(blocks: list[_Block], order: list[int], guide: list[Point] | None, gap: float) -> _Rows:
    widths = [blocks[i].width for i in order]
    total = sum(widths) + gap * (len(widths) - 1)
    widest = max(widths)
    best: _Rows | None = None
    # Candidate row widths from one unit per row to all in one row; a square root spacing
    # puts more of them where a screen-shaped result lies.
    steps = 24
    for k in range(steps + 1):
        limit = widest + (total - widest) * (k / steps) ** 2
        rows = _rows(blocks, order, limit, gap)
        if guide is not None:
            rows = [sorted(row, key=lambda i: guide[i][0]) for row in rows]
        width = max(sum(blocks[i].width for i in row) + gap * (len(row) - 1) for row in rows)
        height = sum(max(blocks[i].height for i in row) for row in rows) + gap * (len(rows) - 1)
        candidate = (rows, width, height)
        if best is None or _score(candidate) < _score(best):
            best = candidate
    assert best is not None
    return best


def _rows(blocks: list[_Block], order: list[int], limit: float, gap: float) -> list[list[int]]:
    rows: list[list[int]] = [[]]
    used = 0.0
    for i in order:
        need = blocks[i].width if not rows[-1] else used + gap + blocks[i].width
        if rows[-1] and need > limit + 1e-6:
            rows.append([i])
            used = blocks[i].width
        else:
            rows[-1].append(i)
            used = need
    return rows


def _guide(ids: Sequence[str], links: Mapping[tuple[str, str], int], pulls: Mapping[str, Point]
           ) -> list[Point]:
    """Where the siblings would like to be relative to one another, about one unit across:
    near the ones they link to, and towards the side where their links outside lead.

    Without links among them they start in the site's order, row after row.
    """
    index = {uid: i for i, uid in enumerate(ids)}
    pairs = [(index[a], index[b], n) for (a, b), n in links.items() if a in index and b in index]
    if pairs:
        graph = igraph.Graph(n=len(ids), edges=[(a, b) for a, b, _ in pairs])
        # Deterministic start from the ids, so the same site always gets the same map.
        spread = math.sqrt(len(ids))
        start = [[_unit_interval(uid, 0) * spread, _unit_interval(uid, 1) * spread] for uid in ids]
        # igraph draws its random steps from one global generator: seeded here so the same site
        # always gets the same map, then given back.
        igraph.set_random_number_generator(random.Random(len(ids)))
        try:
            layout = graph.layout_fruchterman_reingold(weights=[float(n) for _, _, n in pairs], seed=start,
                                                       niter=300, grid="auto" if len(ids) > 1000 else "nogrid")
        finally:
            igraph.set_random_number_generator(random)
        coords = [(float(x), float(y)) for x, y in layout.coords]
    else:
        columns = max(1, round(math.sqrt(len(ids) * ASPECT)))
        coords = [(float(i % columns), float(i // columns) * ASPECT) for i in range(len(ids))]
    xs, ys = [c[0] for c in coords], [c[1] for c in coords]
    cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    half = max(max(xs) - min(xs), max(ys) - min(ys), 1e-9) / 2
    out = []
    for uid, (x, y) in zip(ids, coords, strict=True):
        px, py = pulls.get(uid, (0.0, 0.0))
        out.append(((x - cx) / half + PULL * px, (y - cy) / half + PULL * py))
    return out


def _unit_interval(uid: str, salt: int) -> float:
    return (zlib.crc32(f"{salt}:{uid}".encode()) % 10_000) / 10_000 - 0.5

