"""How the map looks: shapes by unit kind, colours by sector, links by level.

One table per visual channel, so the Cytoscape stylesheet and the legend are
drawn from the same values and can never disagree.
"""

from __future__ import annotations

from typing import Any

from integramap.model import Level, Sector, UnitKind

KIND_SHAPES: dict[UnitKind, str] = {
    UnitKind.SYSTEM: "octagon",
    UnitKind.PLACE: "hexagon",
    UnitKind.ORGANISATION: "round-rectangle",
    UnitKind.DIRECTORATE: "rectangle",
    UnitKind.TEAM: "ellipse",
    UnitKind.PCN: "diamond",
    UnitKind.LCN: "pentagon",
    UnitKind.PRACTICE: "round-triangle",
    UnitKind.HUB: "star",
}
"""Cytoscape node shape for each kind of unit."""

SECTOR_COLOURS: dict[Sector, str] = {
    Sector.PRIMARY_CARE: "#4e79a7",
    Sector.MENTAL_HEALTH: "#b07aa1",
    Sector.COMMUNITY_HEALTH: "#59a14f",
    Sector.ACUTE: "#e15759",
    Sector.SOCIAL_CARE: "#f28e2b",
    Sector.PUBLIC_HEALTH: "#76b7b2",
    Sector.COMMISSIONING: "#9c755f",
    Sector.VOLUNTARY: "#edc948",
    Sector.INDEPENDENT: "#8c8c8c",
    Sector.HOUSING: "#ff9da7",
}
"""Fill colour for a unit's first sector (Tableau 10: distinguishable, print-safe)."""

NO_SECTOR_COLOUR = "#c9ced6"

LEVEL_COLOURS: dict[Level, str] = {
    Level.INTERFACE: "#b9d3ea",
    Level.CLOSER_WORKING: "#8fbce0",
    Level.CO_LOCATED: "#5b9ccf",
    Level.POOLED_MANAGEMENT: "#2f78b7",
    Level.MERGED_GOVERNANCE: "#15529a",
    Level.FULLY_MERGED: "#08306b",
}
"""A sequential ramp: the closer the integration, the darker the link."""

LEVEL_WIDTHS: dict[Level, float] = {
    Level.INTERFACE: 1.5,
    Level.CLOSER_WORKING: 2.5,
    Level.CO_LOCATED: 3.5,
    Level.POOLED_MANAGEMENT: 5.0,
    Level.MERGED_GOVERNANCE: 6.5,
    Level.FULLY_MERGED: 8.0,
}

MIN_LABEL_PX = 10
"""Labels smaller than this on screen are not drawn (Cytoscape's ``min-zoomed-font-size``)."""

TRIED_COLOUR = "#7b3fe4"
"""What a change being tried touches is outlined in violet, a colour no sector or level uses."""

TARGET_COLOUR = "#d95f02"
"""Target links are orange and dashed so the ambition never reads as what exists today."""


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
        {"selector": "edge.target", "style": {
            "line-style": "dashed", "line-dash-pattern": [6, 4], "line-color": TARGET_COLOUR,
            "width": 2, "opacity": 0.85, "label": "data(label)", "color": TARGET_COLOUR,
            "text-rotation": "autorotate", "text-background-color": "#ffffff",
            "text-background-opacity": 0.85, "target-arrow-shape": "triangle",
            "target-arrow-color": TARGET_COLOUR, "arrow-scale": 0.8}},
        # A link's level in words when the pointer is on it or it is selected (assets/map.js).
        {"selector": "edge.hover, edge:selected", "style": {
            "label": "data(level)", "color": "#1f2933", "text-rotation": "autorotate",
            "text-background-color": "#ffffff", "text-background-opacity": 0.9, "z-index": 20}},
        {"selector": "edge.aggregate.hover, edge.aggregate:selected", "style": {"label": "data(label)"}},
    ]
    for kind, shape in KIND_SHAPES.items():
        rules.append({"selector": f"node.{kind_class(kind)}", "style": {"shape": shape}})
    rules.append({"selector": f"node.{kind_class(UnitKind.ORGANISATION)}",
                  "style": {"width": 44, "height": 30}})
    rules.append({"selector": f"node.{sector_class(None)}", "style": {
        "background-color": NO_SECTOR_COLOUR, "border-color": "#5f6b7a"}})
    for sector, colour in SECTOR_COLOURS.items():
        rules.append({"selector": f"node.{sector_class(sector)}", "style": {
            "background-color": colour, "border-color": colour}})
    # Compound boxes keep the sector colour as a tint; their shape stays a box.
    rules.append({"selector": ":parent", "style": {"shape": "round-rectangle"}})
    rules.append({"selector": "node.collapsed", "style": {"shape": "round-rectangle", "width": "data(side)",
                                                          "height": "data(side)"}})
    for level in Level:
        rules.append({"selector": f"edge.{level_class(level)}", "style": {
            "line-color": LEVEL_COLOURS[level], "width": LEVEL_WIDTHS[level]}})
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
