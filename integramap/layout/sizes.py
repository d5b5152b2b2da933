"""How big the map draws each unit: its body and its label, in map pixels. The one source.

The layout (:mod:`integramap.layout.compound`) reserves this much room for every unit, its
quality is measured with it (:mod:`integramap.layout.quality`), the map's level of detail
(``integramap/web/map/detail.py``) plans the opening view with it, the map's stylesheet and
elements (``integramap/web/map/styles.py``, ``elements.py``) and the static picture
(:mod:`integramap.io.map_picture`) draw with it, so "no overlap" means no overlap as drawn. A test
keeps the stylesheet's figures in step with these.

A unit is a 36 px shape with its name below, wrapped at 120 px at the normal 13 px size; an
organisation is 44 × 30; a compound box is its members (shapes *and* labels, as Cytoscape sizes
compound nodes) plus 18 px of padding, with its bold name above; a closed box is a square that
grows with the square root of what it holds. A label drawn larger than the normal size (to read
at a zoomed-out view) wraps at a proportionally wider width, so it breaks into the same lines
and is simply that much larger.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from integramap.model import Unit, UnitKind
from integramap.wording import plural

BODY = 36.0
"""A unit's shape, width and height."""
ORGANISATION_BODY = (44.0, 30.0)
FONT_SIZE = 13.0
"""A label's normal size, in map pixels: the size the layout reserves room for."""
LINE_HEIGHT = 16.0
"""One line of a 13 px label, with the light background Cytoscape draws behind it."""
_WIDTHS = {
    **dict.fromkeys(" ,./:;'!|[]ijlI", 260), **dict.fromkeys("ft()-r\"", 333),
    **dict.fromkeys("cksvxyzJ", 500), **dict.fromkeys("FTZL", 600), **dict.fromkeys("ABEKPSVXY&", 667),
    **dict.fromkeys("CDHNRUw", 722), **dict.fromkeys("GOQ", 778), **dict.fromkeys("mM", 833), "W": 944,
}
"""Character widths in thousandths of the font size, Helvetica's (Arial's, Liberation Sans's)
metrics: the fonts headless Chromium draws the map's labels in. Others are 556 (digits, most
lower-case letters, the dash)."""
BOLD = 1.1
"""Box names are bold: about this much wider."""
LABEL_WRAP = 120.0
"""Labels of the normal size wrap at spaces beyond this width (``text-max-width``)."""
WRAP_SLACK = 6.0
"""A label's background reaches a little beyond its text (measured: a wrapped label is 124 px)."""
LABEL_MARGIN = 4.0
"""Between a shape and its label (``text-margin-y``)."""
BOX_PADDING = 18.0
"""Between a compound box's edge and its members (``padding``)."""
CLOSED_GROWTH = 8.0
"""A closed box's side grows by this much times the square root of the units it holds."""


@dataclass(frozen=True)
class Label:
    """A label's extent in map pixels."""

    width: float
    height: float


def wrap_width(font: float = FONT_SIZE) -> float:
    """The width a label of this size wraps at (``text-max-width``): in proportion to its size.

    Examples
    --------
    >>> wrap_width(), wrap_width(26.0)
    (120.0, 240.0)
    """
    return LABEL_WRAP * font / FONT_SIZE


def label_size(text: str, bold: bool = False, font: float = FONT_SIZE) -> Label:
    """The extent of a label as the map wraps it: at spaces, lines at most :func:`wrap_width` wide.

    A label that wraps is taken to be as wide as the wrap (Cytoscape fills lines up to it);
    one long word is as wide as it is. A larger font scales the whole label.

    Examples
    --------
    >>> label_size("Team"), label_size("Community mental health team west")
    (Label(width=39.1, height=16.0), Label(width=126.0, height=32.0))
    >>> label_size("Community mental health team west", font=26.0)
    Label(width=252.0, height=64.0)
    """
    base = _normal_label(text, bold)
    if font == FONT_SIZE:
        return base
    scale = font / FONT_SIZE
    return Label(width=round(base.width * scale, 1), height=round(base.height * scale, 1))


@lru_cache(maxsize=8192)
def _normal_label(text: str, bold: bool) -> Label:
    """A label's extent at the normal size (the level of detail measures the same names often)."""
    factor = FONT_SIZE / 1000 * (BOLD if bold else 1.0)

    def width(line: str) -> float:
        return sum(_WIDTHS.get(ch, 556) for ch in line) * factor

    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}" if line else word
            # Cytoscape measures a candidate line with the spaces it keeps after each word,
            # so lines break a little earlier than the words alone suggest.
            if line and width(candidate) + 2 * _WIDTHS[" "] * factor > LABEL_WRAP:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    longest = max((width(line) for line in lines), default=0.0) + WRAP_SLACK
    wide = longest if len(lines) == 1 else max(longest, LABEL_WRAP + WRAP_SLACK)
    return Label(width=round(wide, 1), height=LINE_HEIGHT * max(len(lines), 1))


def closed_side(count: int) -> float:
    """The side of a closed box holding ``count`` units (the stylesheet's ``data(side)``).

    Examples
    --------
    >>> closed_side(1), closed_side(100), closed_side(7000)
    (44.0, 116.0, 705.0)
    """
    return float(round(BODY + CLOSED_GROWTH * math.sqrt(max(count, 0))))


def body_size(unit: Unit, hidden: int = 0) -> tuple[float, float]:
    """The width and height of a unit's shape; ``hidden`` counts the units closed inside it."""
    if hidden:
        side = closed_side(hidden)
        return side, side
    if unit.kind is UnitKind.ORGANISATION:
        return ORGANISATION_BODY
    return BODY, BODY


def closed_label(name: str, hidden: int) -> str:
    """The text of a closed box: its name and how many units it holds.

    Examples
    --------
    >>> closed_label("Adult Social Care", 1)
    'Adult Social Care\\n1 unit'
    """
    return f"{name}\n{plural(hidden, 'unit')}"


ICB_ENDING = " Integrated Care Board"
"""The national files name every ICB "NHS … Integrated Care Board": the map writes "… ICB" (the
unit panel, exports and search keep the full name), as 42 full names do not fit one screen at a
readable size."""


def map_name(name: str) -> str:
    """A unit's name as the map writes it.

    Examples
    --------
    >>> map_name("NHS Kent and Medway Integrated Care Board"), map_name("Adult Social Care")
    ('Kent and Medway ICB', 'Adult Social Care')
    """
    if name.endswith(ICB_ENDING) and len(name) > len(ICB_ENDING):
        name = name[: -len(ICB_ENDING)] + " ICB"
        return name[4:] if name.startswith("NHS ") and len(name) > 8 else name
    return name


def unit_label(unit: Unit, hidden: int = 0) -> str:
    """The text the map shows for a unit (a closed box says how many units it holds)."""
    name = map_name(unit.name)
    return closed_label(name, hidden) if hidden else name


def drawn_label(unit: Unit, hidden: int = 0, box: bool = False, font: float = FONT_SIZE) -> Label:
    """The extent of a unit's label as drawn: bold for a box and for a closed box."""
    return label_size(unit_label(unit, hidden), bold=box or bool(hidden), font=font)
