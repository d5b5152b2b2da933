"""How the map looks on the Map page: the Cytoscape stylesheet, drawn from the map's visual tables.

The tables themselves (shapes, colours, widths, dash patterns, sector letters) live in
:mod:`integramap.layout.vocabulary`, so the stylesheet, the legend and the static picture are
drawn from the same values and can never disagree.
"""

from __future__ import annotations

from typing import Any

from integramap.layout.vocabulary import (KIND_SHAPES, LEVEL_COLOURS, LEVEL_DASHES, LEVEL_WIDTHS,
                                          MIN_LABEL_PX, NO_SECTOR_COLOUR, NODE_BORDER, SECTOR_COLOURS,
                                          TARGET_COLOUR, TARGET_TEXT_COLOUR, TRIED_COLOUR, sector_icon)
from integramap.model import Level, Sector, UnitKind


def kind_class(kind: UnitKind | str) -> str:
    return f"kind-{kind}"


def sector_class(sector: Sector | str | None) -> str:
    return f"sector-{sector or 'none'}"


def level_class(level: Level | str) -> str:
    return f"level-{level}"


def stylesheet() -> list[dict[str, Any]]:
    """The Cytoscape stylesheet for the map.

    Labels come from ``data(label)``: Cytoscape draws them as text on a canvas,
    so a name containing markup is shown as written, never interpreted.

    Each property a node's style sets costs time on a large map's first paint: with compound
    boxes, Cytoscape.js 3.28 refreshes the cached style of the node's whole family for every
    property it applies. So the rules set only what differs from Cytoscape's defaults (its font
    stack is Helvetica's too), and the base rules leave colours to the sector and level rules.
    """
    rules: list[dict[str, Any]] = [
        # Label sizes come with each unit (elements.py → detail.py): large enough to read at the
        # zoom the view opens at. A label that zooming out makes smaller than 10 px is not drawn:
        # it could not be read, and it would only cover its neighbours.
        {"selector": "node", "style": {
            "label": "data(label)", "font-size": "data(font)", "color": "#1f2933", "text-valign": "bottom",
            "text-margin-y": 4, "text-wrap": "wrap", "text-max-width": "data(wrap)", "width": 36, "height": 36,
            "border-width": 1, "text-background-color": "#ffffff", "text-background-opacity": 0.75,
            "min-zoomed-font-size": MIN_LABEL_PX}},
        {"selector": ":parent", "style": {
            "text-valign": "top", "text-margin-y": -4, "font-weight": "bold",
            "background-opacity": 0.07, "border-width": 1.5, "border-style": "dashed",
            "padding": 18, "shape": "round-rectangle"}},
        # A closed box: one node standing for the units inside it, sized by how many it holds.
        {"selector": "node.collapsed", "style": {
            "border-width": 3, "border-style": "double", "width": "data(side)", "height": "data(side)",
            "font-weight": "bold", "background-opacity": 0.55}},
        # Links between the same two units fan out instead of lying on one another.
        {"selector": "edge", "style": {"curve-style": "bezier", "control-point-step-size": 28,
                                       "opacity": 0.9, "min-zoomed-font-size": MIN_LABEL_PX, "font-size": 12}},
        # A target link's level is written along it at the size its ends' names are drawn
        # (elements.py); a label zooming out makes smaller than 10 px is hidden (``small-label``,
        # set by assets/map.js: Cytoscape's own ``min-zoomed-font-size`` rounds the zoom to a power
        # of two, so it still draws 12 px text at 6 px) and hovering or selecting the link shows it.
        # Drawn above the other links, so their lines never cross its words.
        {"selector": "edge.target", "style": {
            "line-style": "dashed", "line-dash-pattern": [6, 4], "line-color": TARGET_COLOUR,
            "width": 2, "opacity": 0.85, "label": "data(label)", "font-size": "data(font)",
            "color": TARGET_TEXT_COLOUR, "text-rotation": "autorotate", "text-background-color": "#ffffff",
            "text-background-opacity": 0.85, "target-arrow-shape": "triangle",
            "target-arrow-color": TARGET_COLOUR, "arrow-scale": 0.8, "z-index": 5}},
        {"selector": "edge.small-label", "style": {"label": ""}},
        # A link's level in words when the pointer is on it or it is selected, at a size that reads
        # at any zoom (assets/map.js sets it).
        {"selector": "edge.hover, edge:selected", "style": {
            "label": "data(level)", "color": "#1f2933", "text-rotation": "autorotate",
            "text-background-color": "#ffffff", "text-background-opacity": 0.9, "z-index": 20}},
        {"selector": "edge.aggregate.hover, edge.aggregate:selected", "style": {"label": "data(label)"}},
        {"selector": "edge.target.hover, edge.target:selected", "style": {
            "label": "data(label)", "color": TARGET_TEXT_COLOUR}},
    ]
    for kind, shape in KIND_SHAPES.items():
        rules.append({"selector": f"node.{kind_class(kind)}", "style": {"shape": shape}})
    rules.append({"selector": f"node.{kind_class(UnitKind.ORGANISATION)}",
                  "style": {"width": 44, "height": 30}})
    rules.append({"selector": f"node.{sector_class(None)}", "style": {
        "background-color": NO_SECTOR_COLOUR, "border-color": NODE_BORDER}})
    for sector, colour in SECTOR_COLOURS.items():
        # The sector's letters are drawn on the unit, so its sector does not rest on colour alone.
        rules.append({"selector": f"node.{sector_class(sector)}", "style": {
            "background-color": colour, "border-color": NODE_BORDER, "background-image": sector_icon(sector),
            "background-width": 26, "background-height": 26, "background-clip": "none"}})
    # Compound boxes keep the sector colour as a tint; their shape stays a box.
    rules.append({"selector": ":parent", "style": {"shape": "round-rectangle", "background-image": "none"}})
    rules.append({"selector": "node.collapsed", "style": {"shape": "round-rectangle", "width": "data(side)",
                                                          "height": "data(side)"}})
    for level in Level:
        line: dict[str, Any] = {"line-color": LEVEL_COLOURS[level], "width": LEVEL_WIDTHS[level]}
        if LEVEL_DASHES[level]:
            line |= {"line-style": "dashed", "line-dash-pattern": list(LEVEL_DASHES[level])}
        rules.append({"selector": f"edge.{level_class(level)}", "style": line})
    # Search, focus and selection come last: they override the sector's border colour.
    rules += [
        # Fading uses the parts' own opacities: a box's ``opacity`` would fade everything inside
        # it, matches included.
        {"selector": "node.faded", "style": {"background-opacity": 0.15, "border-opacity": 0.25,
                                             "text-opacity": 0.35}},
        {"selector": ":parent.faded", "style": {"background-opacity": 0.02}},
        {"selector": "edge.faded", "style": {"opacity": 0.12}},
        {"selector": "node.match", "style": {"border-width": 4, "border-color": "#f1c40f",
                                             "border-opacity": 1, "z-index": 10}},
        {"selector": "node.match-box", "style": {"border-width": 2.5, "border-color": "#d4a20b",
                                                 "border-style": "solid", "background-opacity": 0.12}},
        {"selector": "node.focus", "style": {"border-width": 4, "border-color": "#d35400"}},
        # A change being tried (web/map/scenario.py): what it touches is outlined, dashed, and
        # what it adds doubly; a link it removes stays faintly where it was.
        {"selector": "node.tried-changed, node.tried-added", "style": {
            "border-width": 4, "border-style": "dashed", "border-color": TRIED_COLOUR, "border-opacity": 1,
            "underlay-color": TRIED_COLOUR, "underlay-opacity": 0.18, "underlay-padding": 6}},
        {"selector": "node.tried-added", "style": {"border-style": "double", "border-width": 6}},
        {"selector": "edge.tried-changed, edge.tried-added", "style": {
            "line-style": "dashed", "underlay-color": TRIED_COLOUR, "underlay-opacity": 0.35,
            "underlay-padding": 4}},
        {"selector": "edge.tried-removed", "style": {
            "line-style": "dotted", "line-color": "#9aa5b1", "width": 2, "opacity": 0.7}},
        {"selector": ":selected", "style": {"overlay-color": "#f39c12", "overlay-opacity": 0.25,
                                            "overlay-padding": 6}},
    ]
    return rules
