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

This module is the plan's public face; the screen and its zoom are in
:mod:`~integramap.web.map.viewport`, where each unit and name sits in
:mod:`~integramap.web.map.detail_tree`, and the opening of boxes one by one in
:mod:`~integramap.web.map.detail_planner`.

Pure functions of a site and positions: no Dash here, tested without a browser.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from integramap.layout.sizes import LABEL_MARGIN, closed_side, wrap_width
from integramap.model import Site
from integramap.web.map.detail_planner import Planner
from integramap.web.map.detail_tree import DrawnTree
from integramap.layout.rects import Rect, union
from integramap.web.map.viewport import (BASE_FONT, CANVAS, LEGIBLE_PX, Detail, Positions, fit_zoom,
                                         legible_font, parse_canvas)

__all__ = ["BASE_FONT", "CANVAS", "Detail", "LEGIBLE_PX", "closed_side", "fit_zoom", "legible_font",
           "parse_canvas", "plan_detail", "wrap_width"]


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
    tree = DrawnTree(site, keep, positions, names, hidden or {})
    if not tree.leaf_pos:
        return Detail(shown=None)
    # Everything open, every name at the normal size: what Cytoscape's fit takes in.
    whole: Rect | None = None
    for uid in tree.roots:
        for part in (tree.body(uid, closed=False), tree.label(uid, BASE_FONT, closed=False)):
            if part is not None:
                whole = union(whole, part)
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
    return Planner(tree, legible_font(zoom), zoom, canvas).run(opened_set)
