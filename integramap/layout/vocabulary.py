"""The map's visual vocabulary: shapes by unit kind, colours by sector, links by level. The one source.

One table per visual channel, so everything that draws a map reads the same values and can never
disagree: the Map page's Cytoscape stylesheet and legend (``integramap/web/map/styles.py``,
``page.py``), the static picture for board papers (:mod:`integramap.io.map_picture`) and the
figures whose colours stand for levels (:mod:`integramap.figures`). Plain values only, so the
library draws pictures without the web app; :mod:`integramap.layout.sizes` holds the sizes.
"""

from __future__ import annotations

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

TARGET_TEXT_COLOUR = "#a34702"
"""A target link's level written along it: the same orange, darkened to read as text (4.5:1 on the
canvas, WCAG 1.4.3; the line's own orange has 3.7:1, enough for a line but not for small text)."""
