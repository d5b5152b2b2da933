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

A second pass leans each member of a box towards the side where its links outside the
box were drawn by the first; of the two, the one whose links cross less is kept.

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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import igraph

from integramap.layout.crossings import count_crossings
from integramap.layout.sizes import BOX_PADDING, LABEL_MARGIN, body_size, drawn_label
from integramap.model import Site

Point = tuple[float, float]

ASPECT = 1.3
"""Width over height of the map on screen (about 840 × 640 px in a 1400 × 900 window): packing
aims for it."""
LEAF_GAP = 16.0
"""Between two units' rectangles (shape and label) inside one box."""
BOX_GAP = 40.0
"""Between a box and its neighbours: wider than between units, so each box reads as one group."""
PULL = 2.0
"""How far a member leans towards its links outside its box, in widths of the box: enough to
carry it from one side of the box to the other."""
CROSSINGS_CHECKED = 3000
"""Up to this many links, the two passes are compared by their crossings (a quadratic count)."""
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
    second = _lay_out(site, children, hidden, links, _outward_pulls(site, chains, first))
    pairs = [(lk.source, lk.target) for lk in site.links if lk.source in first and lk.target in first]
    if len(pairs) > CROSSINGS_CHECKED:
        return second
    # Leaning shortens links but can cross more of them: the pass that crosses fewer is kept.
    return min((second, first), key=lambda positions: count_crossings(pairs, positions))


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
    label = drawn_label(unit, hidden, box=bool(members))
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
    """Sibling blocks side by side, in the order their links suggest, at the most legible width."""
    if len(blocks) == 1:
        return blocks[0]
    guide = _guide(ids, links, pulls)
    in_order = sorted(range(len(blocks)), key=lambda i: (guide[i][1], guide[i][0]))
    boxes = any(b.is_box for b in blocks)
    gap = BOX_GAP if boxes else LEAF_GAP
    best = _best(_shelf, blocks, in_order, guide, gap)
    if boxes and len(blocks) <= SKYLINE_LIMIT:
        # Boxes of different heights leave holes in rows: a skyline fills them, in link order
        # or, when that is much more compact, tallest first.
        # Tried at widths around the best rows' width: a skyline is never wider than rows.
        widths = [best[1] * f for f in (0.75, 0.9, 1.0)]
        packing = _best(_skyline, blocks, in_order, guide, gap, widths)
        if _score(packing) < _score(best):
            best = packing
        by_size = sorted(range(len(blocks)), key=lambda i: (-blocks[i].height, guide[i][1], guide[i][0]))
        tight = _best(_skyline, blocks, by_size, guide, gap, widths)
        if _score(tight) < _PREFER_ORDER * _score(best):
            best = tight
    places = best[0]
    # Trimmed to what was placed, so a box drawn around these is centred where its position says.
    left = min(x for _, x, _ in places)
    top = min(y for _, _, y in places)
    width = max(x + blocks[i].width for i, x, _ in places) - left
    height = max(y + blocks[i].height for i, _, y in places) - top
    out = _Block(width, height, is_box=True)
    for i, x, y in places:
        for uid, (px, py) in blocks[i].positions.items():
            out.positions[uid] = (px + x - left, py + y - top)
    return out


def pack(sizes: Sequence[tuple[float, float]], guide: Sequence[Point], gap: float,
         aspect: float = ASPECT) -> list[Point]:
    """Top-left corners for rectangles of these sizes, in rows, never overlapping: in the order of
    their ``guide`` points (top to bottom, left to right), at the width that looks largest
    fitted to a screen ``aspect`` times as wide as high.

    Examples
    --------
    >>> pack([(10, 10), (10, 10), (10, 10), (10, 10)], [(0, 0), (1, 0), (0, 1), (1, 1)], gap=2)
    [(0.0, 0.0), (12.0, 0.0), (0.0, 12.0), (12.0, 12.0)]
    """
    if not sizes:
        return []
    blocks = [_Block(w, h) for w, h in sizes]
    order = sorted(range(len(blocks)), key=lambda i: (guide[i][1], guide[i][0]))
    places, _, _ = _best(_shelf, blocks, order, list(guide), gap, aspect=aspect)
    out: list[Point] = [(0.0, 0.0)] * len(blocks)
    for i, x, y in places:
        out[i] = (float(x), float(y))
    return out


SKYLINE_LIMIT = 150
"""Most sibling boxes packed by skyline (its cost grows with the square of their number)."""

_Packing = tuple[list[tuple[int, float, float]], float, float]
"""Each block's index and top-left corner, then the width and height of them all."""


def _score(packing: _Packing, aspect: float = ASPECT) -> float:
    """How large the blocks look fitted to the screen: the smaller this, the larger they look."""
    return max(packing[1], packing[2] * aspect)


def _best(method: Callable[[list[_Block], list[int], list[Point], float, float], _Packing],
          blocks: list[_Block], order: list[int], guide: list[Point], gap: float,
          limits: Sequence[float] = (), aspect: float = ASPECT) -> _Packing:
    """The packing that looks largest on a screen ``aspect`` times as wide as high, at the given
    widths or else at widths from one block per row to all in one row."""

    def score(packing: _Packing) -> float:
        return _score(packing, aspect)

    sizes = [blocks[i].width for i in order]
    total = sum(sizes) + gap * (len(sizes) - 1)
    widest = max(sizes)
    if limits:
        return min((method(blocks, order, guide, max(w, widest), gap) for w in limits), key=score)

    if len(order) <= 16 and not any(blocks[i].is_box for i in order):
        # A few units (much the same size): the widths of the first one, two, three… in order
        # give every distinct way to fill the rows, which is all there is to try.
        firsts = [sum(sizes[:k]) + gap * (k - 1) for k in range(1, len(sizes) + 1)]
        return min((method(blocks, order, guide, max(w, widest), gap) for w in firsts), key=score)

    def at(step: float) -> _Packing:
        # Squares of even steps put more widths at the narrow end, where screen-shaped results lie.
        return method(blocks, order, guide, widest + (total - widest) * step ** 2, gap)

    # Coarse steps, then finer ones on either side of the best: wider rows are shorter, so the
    # score falls then rises, and the best lies between the best coarse step's neighbours.
    coarse = 16
    tried = {k / coarse: at(k / coarse) for k in range(coarse + 1)}
    centre = min(tried, key=lambda k: score(tried[k]))
    for offset in (-0.75, -0.5, -0.25, 0.25, 0.5, 0.75):
        step = centre + offset / coarse
        if 0 < step < 1:
            tried[step] = at(step)
    return min(tried.values(), key=score)


def _shelf(blocks: list[_Block], order: list[int], guide: list[Point], limit: float, gap: float) -> _Packing:
    """Rows filled in order up to ``limit`` wide, each row left to right by the guide, centred."""
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
    rows = [sorted(row, key=lambda i: guide[i][0]) for row in rows]
    row_widths = [sum(blocks[i].width for i in row) + gap * (len(row) - 1) for row in rows]
    width = max(row_widths)
    places: list[tuple[int, float, float]] = []
    y = 0.0
    for row, row_width in zip(rows, row_widths, strict=True):
        x = (width - row_width) / 2
        for i in row:
            places.append((i, x, y))
            x += blocks[i].width + gap
        y += max(blocks[i].height for i in row) + gap
    return places, width, y - gap


def _skyline(blocks: list[_Block], order: list[int], guide: list[Point], limit: float, gap: float
             ) -> _Packing:
    """Each block in turn as high as it fits within ``limit`` wide, on the side its guide prefers."""
    xs = [guide[i][0] for i in order]
    low, span = min(xs), max(max(xs) - min(xs), 1e-9)
    # The skyline: (left, right, top) of the space still free below each stretch.
    sky: list[tuple[float, float, float]] = [(0.0, limit, 0.0)]
    places: list[tuple[int, float, float]] = []
    for i in order:
        w, h = blocks[i].width, blocks[i].height
        wanted = (guide[i][0] - low) / span * max(limit - w, 0.0)
        best: tuple[float, float, float] | None = None  # (top, distance from wanted, left)
        for k, (a, b, _) in enumerate(sky):
            # Flush with a stretch's left end, reaching right; or with its right end, reaching left.
            for left, step in ((a, 1), (b - w, -1)):
                if left < -1e-6 or left + w > limit + 1e-6:
                    continue
                top, j = 0.0, k
                while 0 <= j < len(sky) and sky[j][0] < left + w - 1e-6 and sky[j][1] > left + 1e-6:
                    top = max(top, sky[j][2])
                    j += step
                key = (round(top), abs(left - wanted), left)
                if best is None or key < best:
                    best = key
        assert best is not None
        left = best[2]
        top = max(seg[2] for seg in sky if seg[0] < left + w - 1e-6 and seg[1] > left + 1e-6)
        places.append((i, left, top))
        sky = _raise(sky, left, left + w, top + h + gap)
    width = max(x + blocks[i].width for i, x, _ in places)
    height = max(y + blocks[i].height for i, _, y in places)
    return places, width, height


def _raise(sky: list[tuple[float, float, float]], left: float, right: float, top: float
           ) -> list[tuple[float, float, float]]:
    out: list[tuple[float, float, float]] = []
    for a, b, t in sky:
        if b <= left + 1e-6 or a >= right - 1e-6:
            out.append((a, b, t))
            continue
        if a < left:
            out.append((a, left, t))
        if b > right:
            out.append((right, b, t))
    out.append((left, right, top))
    out.sort()
    merged: list[tuple[float, float, float]] = []
    for seg in out:
        if merged and abs(merged[-1][2] - seg[2]) < 1e-6 and abs(merged[-1][1] - seg[0]) < 1e-6:
            merged[-1] = (merged[-1][0], seg[1], seg[2])
        else:
            merged.append(seg)
    return merged


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

