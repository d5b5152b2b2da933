"""How the map looks: shapes by unit kind, colours by sector, links by level.

One table per visual channel, so the Cytoscape stylesheet and the legend are
drawn from the same values and can never disagree.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

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
    Sector.PRIMARY_CARE: "#0072b2",
    Sector.MENTAL_HEALTH: "#cc79a7",
    Sector.COMMUNITY_HEALTH: "#009e73",
    Sector.ACUTE: "#d55e00",
    Sector.SOCIAL_CARE: "#e69f00",
    Sector.PUBLIC_HEALTH: "#56b4e9",
    Sector.COMMISSIONING: "#554444",
    Sector.VOLUNTARY: "#f0e442",
    Sector.INDEPENDENT: "#444466",
    Sector.HOUSING: "#991100",
}
"""Fill colour for a unit's first sector: Okabe and Ito's palette for colour-blind readers, and three
darker colours chosen to stay apart from it. Simulated protanopia, deuteranopia and tritanopia keep
every two of these (and the no-sector grey) at least 10 CIEDE2000 apart (tests/test_map_styles.py)."""

SECTOR_CODES: dict[Sector, str] = {
    Sector.PRIMARY_CARE: "PC",
    Sector.MENTAL_HEALTH: "MH",
    Sector.COMMUNITY_HEALTH: "CH",
    Sector.ACUTE: "AC",
    Sector.SOCIAL_CARE: "SC",
    Sector.PUBLIC_HEALTH: "PH",
    Sector.COMMISSIONING: "CM",
    Sector.VOLUNTARY: "VO",
    Sector.INDEPENDENT: "IN",
    Sector.HOUSING: "HO",
}
"""Two letters drawn on each unit for its sector, so the sector never rests on colour alone."""

NO_SECTOR_COLOUR = "#c9ced6"

NODE_BORDER = "#3e4c59"
"""Every unit's outline: dark enough (9:1 on the canvas) that its shape reads whatever its fill."""

CANVAS_BACKGROUND = "#fbfcfd"
"""The map's background (assets/integramap.css ``.cy``), which links and outlines must stand out from."""

LEVEL_COLOURS: dict[Level, str] = {
    Level.INTERFACE: "#6195c4",
    Level.CLOSER_WORKING: "#287fb9",
    Level.CO_LOCATED: "#006aab",
    Level.POOLED_MANAGEMENT: "#005596",
    Level.MERGED_GOVERNANCE: "#00407b",
    Level.FULLY_MERGED: "#002b5b",
}
"""A sequential ramp of one blue, darker as integration is closer: even the lightest stands out from
the canvas at 3:1 (WCAG 1.4.11), and lightness, which colour-blind readers see, carries the order."""

LEVEL_WIDTHS: dict[Level, float] = {
    Level.INTERFACE: 1.5,
    Level.CLOSER_WORKING: 2.5,
    Level.CO_LOCATED: 3.5,
    Level.POOLED_MANAGEMENT: 5.0,
    Level.MERGED_GOVERNANCE: 6.5,
    Level.FULLY_MERGED: 8.0,
}

LEVEL_DASHES: dict[Level, tuple[float, ...]] = {
    Level.INTERFACE: (2, 4),
    Level.CLOSER_WORKING: (6, 4),
    Level.CO_LOCATED: (12, 5),
    Level.POOLED_MANAGEMENT: (20, 6),
    Level.MERGED_GOVERNANCE: (),
    Level.FULLY_MERGED: (),
}
"""Dash and gap lengths of each level's line (empty: solid): the looser the link, the more broken its
line. With the widths, every level has its own line without its colour."""


def sector_icon(sector: Sector | str) -> str:
    """A small picture of the sector's two letters, for drawing on a unit (an SVG data address).

    Examples
    --------
    >>> sector_icon("mental_health").startswith("data:image/svg+xml,")
    True
    >>> "MH" in sector_icon(Sector.MENTAL_HEALTH)
    True
    """
    code = SECTOR_CODES[Sector(sector)]
    svg = ("<svg xmlns='http://www.w3.org/2000/svg' width='24' height='24' viewBox='0 0 24 24'>"
           "<text x='12' y='16.5' text-anchor='middle' font-family='Arial,Helvetica,sans-serif' "
           "font-size='13' font-weight='700' fill='#1f2933' stroke='#ffffff' stroke-width='3' "
           f"stroke-linejoin='round' paint-order='stroke'>{code}</text></svg>")
    return "data:image/svg+xml," + quote(svg)


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
