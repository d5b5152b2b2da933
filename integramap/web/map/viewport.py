"""The map on screen: its size, the zoom that fits a part of it, the label size that reads there.

What the level of detail (:mod:`integramap.web.map.detail`) plans with and returns: the canvas the
opening view is planned for, Cytoscape's fit rule, the label size that reads at a zoom, the plan
(:class:`Detail`); the rectangles everything is measured in are :mod:`integramap.layout.rects`.

Pure functions: no Dash here, tested without a browser.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from integramap.layout.rects import Rect
from integramap.layout.sizes import FONT_SIZE

CANVAS = (840, 520)
"""The map's drawing area the opening view is planned for when the browser has not said its own
(a first visit), in screen pixels: the narrower and the lower of the page's at a 1400 × 900
window (840 × 638) and at 1024 × 800 (1009 × 534), so the view reads at both."""


def parse_canvas(text: str | None) -> tuple[int, int]:
    """The map's size as the browser reports it (``"840x638"``, ``assets/map.js``), else :data:`CANVAS`.

    Examples
    --------
    >>> parse_canvas("1009x534"), parse_canvas(None), parse_canvas("9x99999")
    ((1009, 534), (840, 520), (840, 520))
    """
    try:
        width, height = (int(v) for v in (text or "").split("x"))
    except ValueError:
        return CANVAS
    if not (200 <= width <= 8000 and 200 <= height <= 8000):
        return CANVAS
    return width, height


FIT_PADDING = 40
"""Screen pixels the page leaves around the map when it fits it (the layout's ``padding``)."""

BASE_FONT = FONT_SIZE
"""A label's size in map units at zoom 1: the size the layout reserves room for."""

LEGIBLE_PX = 11.0
"""The label size aimed for on screen: 10 px is the least readable, with a margin for rounding."""

Positions = Mapping[str, tuple[float, float]]


@dataclass(frozen=True)
class Detail:
    """What an opening view shows and how large its labels are.

    ``shown`` is every unit drawn (``None``: every kept unit, nothing closed); ``closed`` the
    drawn containers whose members are hidden; ``font`` each drawn unit's label size in map
    units; ``centres`` where a unit is drawn away from its own position (a closed container at
    its members' centre, so opening it keeps the picture, or set apart from its neighbours;
    an outermost unit whose large name needs room) and ``sides`` a closed container's size;
    ``zoom`` the fit zoom the sizes were chosen for.
    """

    shown: frozenset[str] | None
    closed: frozenset[str] = frozenset()
    font: dict[str, float] = field(default_factory=dict)
    centres: dict[str, tuple[float, float]] = field(default_factory=dict)
    sides: dict[str, float] = field(default_factory=dict)
    zoom: float = 1.0


def fit_zoom(extent: Rect, canvas: tuple[int, int] = CANVAS) -> float:
    """The zoom at which the page's Fit shows ``extent`` whole (Cytoscape's ``fit`` rule)."""
    width = max(extent[2] - extent[0], 1.0)
    height = max(extent[3] - extent[1], 1.0)
    return min((canvas[0] - 2 * FIT_PADDING) / width, (canvas[1] - 2 * FIT_PADDING) / height)


def legible_font(zoom: float) -> float:
    """The label size, in map units, that reads at this zoom (never below the normal size)."""
    return max(BASE_FONT, math.ceil(LEGIBLE_PX / max(zoom, 1e-6)))
