"""Rectangles in map units, ``(left, top, right, bottom)``: what labels, units and boxes take up.

Shared by the on-screen level of detail and the static picture, which both place words where they
cover nothing else.
"""

from __future__ import annotations

Rect = tuple[float, float, float, float]
"""Left, top, right, bottom."""


def union(a: Rect | None, b: Rect) -> Rect:
    """The smallest rectangle holding both (``b`` alone when ``a`` is ``None``).

    Examples
    --------
    >>> union((0, 0, 2, 2), (1, -1, 3, 1))
    (0, -1, 3, 2)
    """
    if a is None:
        return b
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


def extent_size(rect: Rect | None) -> tuple[float, float]:
    """A rectangle's width and height (nothing: zero)."""
    return (0.0, 0.0) if rect is None else (rect[2] - rect[0], rect[3] - rect[1])


def overlaps(a: Rect, b: Rect) -> bool:
    """Whether two rectangles share any area (touching edges do not).

    Examples
    --------
    >>> overlaps((0, 0, 2, 2), (1, 1, 3, 3)), overlaps((0, 0, 2, 2), (2, 0, 4, 2))
    (True, False)
    """
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def padded(rect: Rect, by: float) -> Rect:
    """The rectangle grown by ``by`` on every side."""
    return (rect[0] - by, rect[1] - by, rect[2] + by, rect[3] + by)
