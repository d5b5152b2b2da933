"""Server-side map layout: positions computed in Python, drawn by the browser as given.

Laying out in the browser is what makes large maps slow (Cytoscape's ``cose``
took 78 s for 2,000 nodes here). Arrange and the first drawing of a site use the
compound layout of :mod:`integramap.layout` (boxes never on one another, members
inside their box); :func:`arrange`, python-igraph's Fruchterman-Reingold, remains
for a plain graph without boxes.
"""

from __future__ import annotations

import math
import random
import zlib
from collections.abc import Iterable, Mapping, Sequence

import igraph

from integramap.layout import compound_layout
from integramap.layout.groups import grouped, is_group
from integramap.model import Site

SPACING = 110.0
"""Typical distance between neighbouring units, in map pixels."""

Point = tuple[float, float]


def arrange(node_ids: Sequence[str], edges: Iterable[tuple[str, str]],
            start: Mapping[str, Point] | None = None, seed: int = 7) -> dict[str, Point]:
    """Fruchterman-Reingold positions for the nodes, scaled to :data:`SPACING`.

    Examples
    --------
    >>> pos = arrange(["a", "b", "c"], [("a", "b"), ("b", "c")])
    >>> sorted(pos), all(isinstance(v, float) for p in pos.values() for v in p)
    (['a', 'b', 'c'], True)
    """
    if not node_ids:
        return {}
    if len(node_ids) == 1:
        return {node_ids[0]: (0.0, 0.0)}
    index = {nid: i for i, nid in enumerate(node_ids)}
    pairs = sorted({(min(index[a], index[b]), max(index[a], index[b]))
                    for a, b in edges if a in index and b in index and a != b})
    graph = igraph.Graph(n=len(node_ids), edges=pairs)
    rng = random.Random(seed)
    start = start or {}
    # Starting points on igraph's own scale (about sqrt(n) across): squeezed into a unit square,
    # its grid of cells degenerates and 8,000 nodes take 15 s instead of half a second.
    spread = math.sqrt(len(node_ids))
    initial = [[p[0] / SPACING, p[1] / SPACING] if (p := start.get(nid)) is not None
               else [rng.uniform(-spread, spread), rng.uniform(-spread, spread)] for nid in node_ids]
    layout = graph.layout_fruchterman_reingold(seed=initial, niter=500 if len(node_ids) < 3000 else 200,
                                               grid="auto")
    coords = [(float(x), float(y)) for x, y in layout.coords]
    return dict(zip(node_ids, _scaled(coords), strict=True))


def _scaled(coords: list[Point]) -> list[Point]:
    """Centre on the origin and scale so the layout covers about SPACING² per node."""
    xs = [c[0] for c in coords]
    ys = [c[1] for c in coords]
    cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    width = max(max(xs) - min(xs), 1e-9)
    height = max(max(ys) - min(ys), 1e-9)
    side = SPACING * math.sqrt(len(coords))
    factor = side / max(width, height)
    return [((x - cx) * factor, (y - cy) * factor) for x, y in coords]


def site_edges(site: Site, among: Iterable[str] | None = None) -> list[tuple[str, str]]:
    """Links and child→parent edges among the given units (every unit when ``None``)."""
    keep = set(among) if among is not None else set(site.units_by_id)
    edges = [(lk.source, lk.target) for lk in site.links if lk.source in keep and lk.target in keep]
    # Parent edges twice: the pull to one's own organisation should beat a single link.
    for unit in site.units:
        if unit.id in keep and unit.parent in keep:
            assert unit.parent is not None
            edges += [(unit.id, unit.parent)] * 2
    return edges


def arrange_site(site: Site, among: Sequence[str] | None = None) -> dict[str, Point]:
    """New positions for every unit of a site (or the given ones), ignoring saved positions:
    every box apart from unrelated boxes, its members inside it (see :mod:`integramap.layout`).

    Practices in no PCN are laid out inside their location's group, as the map draws them
    (:mod:`integramap.layout.groups`); the groups themselves get no position, as they are not
    the site's."""
    drawn = grouped(site)
    if drawn is site:
        return compound_layout(site, among)
    if among is not None:
        wanted = set(among)
        among = [*among, *(u.id for u in drawn.units if is_group(u.id)
                           and any(c in wanted for c in drawn.children_by_id.get(u.id, [])))]
    laid = compound_layout(drawn, among)
    return {uid: p for uid, p in laid.items() if uid in site.units_by_id}


def saved_positions(site: Site) -> dict[str, Point]:
    """The positions stored in the site file."""
    out: dict[str, Point] = {}
    for unit in site.units:
        pos = unit.attributes.position
        if pos is not None:
            out[unit.id] = (pos.x, pos.y)
    return out


def complete_positions(site: Site, known: Mapping[str, Point], among: Sequence[str] | None = None
                       ) -> dict[str, Point]:
    """Positions for the units that have none, leaving every known position where it is.

    When most units are unplaced (a site never arranged) they get the compound
    layout of all the units asked for (so a never-arranged site opens with its
    boxes apart, as after Arrange); a few new units are put beside their parent or a linked unit, so
    adding a team never reshuffles a map the user has arranged.
    """
    ids = list(among) if among is not None else [u.id for u in site.units]
    missing = [uid for uid in ids if uid not in known]
    if not missing:
        return {}
    if len(missing) > max(3, len(ids) // 3):
        laid = compound_layout(site, ids)
        return {uid: laid[uid] for uid in missing}
    out: dict[str, Point] = {}
    neighbours: dict[str, list[str]] = {}
    for lk in site.links:
        neighbours.setdefault(lk.source, []).append(lk.target)
        neighbours.setdefault(lk.target, []).append(lk.source)
    placed = dict(known)
    right = max((p[0] for p in placed.values()), default=0.0)
    for n, uid in enumerate(missing):
        unit = site.units_by_id[uid]
        anchors = [a for a in [unit.parent, *site.children_by_id.get(uid, []), *neighbours.get(uid, [])]
                   if a is not None and a in placed]
        if anchors:
            ax, ay = placed[anchors[0]]
            angle = (zlib.crc32(uid.encode()) % 360) * math.pi / 180
            pos = (ax + SPACING * 0.8 * math.cos(angle), ay + SPACING * 0.8 * math.sin(angle))
        else:
            pos = (right + SPACING * (1 + n % 4), SPACING * (n // 4))
        placed[uid] = out[uid] = pos
    return out
