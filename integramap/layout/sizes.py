"""How big the map draws each unit: its body and its label, in map pixels.

These mirror the map's stylesheet (``integramap/web/map/styles.py``; a test keeps
the two in step): a unit is a 36 px shape with its name below, wrapped at 120 px;
an organisation is 44 × 30; a compound box is its members plus 18 px of padding,
with its name above; a collapsed group grows with its count up to 90 px.
The layout gives every unit this much room, and the layout's quality is measured
with the same figures, so "no overlap" means no overlap as drawn.
"""

from __future__ import annotations

from dataclasses import dataclass

from integramap.model import Unit, UnitKind
from integramap.wording import plural

BODY = 36.0
"""A unit's shape, width and height."""
ORGANISATION_BODY = (44.0, 30.0)
FONT_SIZE = 13.0
LINE_HEIGHT = 16.0
"""One line of a label, with the light background Cytoscape draws behind it."""
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
"""Labels wrap at spaces beyond this width (``text-max-width``)."""
LABEL_MARGIN = 4.0
"""Between a shape and its label (``text-margin-y``)."""
BOX_PADDING = 18.0
"""Between a compound box's edge and its members (``padding``)."""
COLLAPSED_MIN, COLLAPSED_MAX, COLLAPSED_COUNT = 36.0, 90.0, 500
"""A collapsed group's shape grows with its count: ``mapData(count, 1, 500, 36, 90)``."""


@dataclass(frozen=True)
class Label:
    """A label's extent in map pixels."""

    width: float
    height: float


def label_size(text: str, bold: bool = False) -> Label:
    """The extent of a label as the map wraps it: at spaces, lines at most 120 px when possible.

    A label that wraps is taken to be as wide as the wrap (Cytoscape fills lines up to it);
    one long word is as wide as it is.

    Examples
    --------
    >>> label_size("Team"), label_size("Community mental health team west")
    (Label(width=39.1, height=16.0), Label(width=126.0, height=32.0))
    """
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


WRAP_SLACK = 6.0
"""A label's background reaches a little beyond its text (measured: a wrapped label is 124 px)."""


def body_size(unit: Unit, hidden: int = 0) -> tuple[float, float]:
    """The width and height of a unit's shape; ``hidden`` counts the units collapsed inside it."""
    if hidden:
        share = (min(max(hidden, 1), COLLAPSED_COUNT) - 1) / (COLLAPSED_COUNT - 1)
        side = COLLAPSED_MIN + share * (COLLAPSED_MAX - COLLAPSED_MIN)
        return side, side
    if unit.kind is UnitKind.ORGANISATION:
        return ORGANISATION_BODY
    return BODY, BODY


def unit_label(unit: Unit, hidden: int = 0) -> str:
    """The text the map shows for a unit (a collapsed group says how many units it holds)."""
    if hidden:
        return f"{unit.name}\n{plural(hidden, 'unit')} inside"
    return unit.name


def drawn_label(unit: Unit, hidden: int = 0, box: bool = False) -> Label:
    """The extent of a unit's label as drawn: bold for a box and for a collapsed group."""
    return label_size(unit_label(unit, hidden), bold=box or bool(hidden))
