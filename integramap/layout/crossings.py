"""Counting links that cross, drawn as straight lines between units' centres."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

Point = tuple[float, float]


def count_crossings(segments: Sequence[tuple[str, str]], centres: Mapping[str, Point]) -> int:
    """Pairs of straight links that cross, leaving out pairs that share a unit.

    Examples
    --------
    >>> centres = {"a": (0, 0), "b": (2, 2), "c": (0, 2), "d": (2, 0), "e": (5, 5)}
    >>> count_crossings([("a", "b"), ("c", "d"), ("b", "e")], centres)
    1
    """
    unique = sorted({(a, b) if a < b else (b, a) for a, b in segments if a != b})
    if len(unique) < 2:
        return 0
    names = sorted({u for pair in unique for u in pair})
    index = {u: i for i, u in enumerate(names)}
    ends = np.array([[index[a], index[b]] for a, b in unique])
    xy = np.array([centres[u] for u in names], dtype=float)
    p, q = xy[ends[:, 0]], xy[ends[:, 1]]
    total = 0
    # Row by row against the links after it: memory stays linear for thousands of links.
    for i in range(len(unique) - 1):
        a, b = p[i], q[i]
        c, d = p[i + 1:], q[i + 1:]
        shares = ((ends[i + 1:] == ends[i, 0]) | (ends[i + 1:] == ends[i, 1])).any(axis=1)
        d1 = _cross(a, b, c)
        d2 = _cross(a, b, d)
        d3 = _cross(c, d, a)
        d4 = _cross(c, d, b)
        crossing = (d1 * d2 < 0) & (d3 * d4 < 0) & ~shares
        total += int(crossing.sum())
    return total


def _cross(o: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The sign of the turn o → a → b (broadcast over rows)."""
    oa = np.broadcast_to(a - o, np.broadcast_shapes(np.shape(a - o), np.shape(b - o)))
    ob = np.broadcast_to(b - o, oa.shape)
    return np.asarray(oa[..., 0] * ob[..., 1] - oa[..., 1] * ob[..., 0])
