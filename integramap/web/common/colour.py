"""Colour checks for accessibility: WCAG contrast, colour-blindness simulation and colour difference.

Pure functions (no Dash), used by the tests that keep the map's palette readable: text contrast
of at least 4.5:1 (WCAG 1.4.3), and sector and level colours that stay apart under the three
common colour-vision deficiencies (simulated with Machado, Oliveira and Fernandes' 2009 model at
full severity) measured by CIEDE2000, the CIE's colour difference formula.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from itertools import combinations

RGB = tuple[float, float, float]
"""A colour's red, green and blue, each from 0 to 1."""

MACHADO_2009: dict[str, tuple[RGB, RGB, RGB]] = {
    "protanopia": ((0.152286, 1.052583, -0.204868),
                   (0.114503, 0.786281, 0.099216),
                   (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968),
                     (0.280085, 0.672501, 0.047413),
                     (-0.011820, 0.042940, 0.968881)),
    "tritanopia": ((1.255528, -0.076749, -0.178779),
                   (-0.078411, 0.930809, 0.147602),
                   (0.004733, 0.691367, 0.303900)),
}
"""Machado et al. (2009) matrices at severity 1.0, applied to linear RGB."""


def parse_hex(colour: str) -> RGB:
    """``#rrggbb`` (or ``#rgb``) as sRGB values from 0 to 1.

    Examples
    --------
    >>> parse_hex("#ff8000")
    (1.0, 0.5019607843137255, 0.0)
    >>> parse_hex("#fff")
    (1.0, 1.0, 1.0)
    """
    text = colour.strip().lstrip("#")
    if len(text) == 3:
        text = "".join(c * 2 for c in text)
    if len(text) != 6:
        raise ValueError(f"not a #rrggbb colour: {colour!r}")
    r, g, b = (int(text[i:i + 2], 16) / 255 for i in (0, 2, 4))
    return (r, g, b)


def _to_linear(c: float) -> float:
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _to_srgb(c: float) -> float:
    c = min(1.0, max(0.0, c))
    return 12.92 * c if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055


def relative_luminance(colour: str) -> float:
    """WCAG's relative luminance of an sRGB colour: 0 for black, 1 for white.

    Examples
    --------
    >>> relative_luminance("#000000"), relative_luminance("#ffffff")
    (0.0, 1.0)
    """
    r, g, b = (_to_linear(c) for c in parse_hex(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG's contrast ratio of two colours, from 1 (the same) to 21 (black on white).

    Examples
    --------
    >>> round(contrast_ratio("#000000", "#ffffff"), 1)
    21.0
    >>> round(contrast_ratio("#767676", "#ffffff"), 2)
    4.54
    """
    a, b = relative_luminance(foreground), relative_luminance(background)
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


def simulate(colour: str, deficiency: str) -> RGB:
    """How a colour looks to someone with ``deficiency`` (a key of :data:`MACHADO_2009`), as sRGB.

    Examples
    --------
    >>> [round(c, 2) for c in simulate("#ff0000", "protanopia")]
    [0.43, 0.37, 0.0]

    Greys are seen as they are:

    >>> [round(a - b, 3) for a, b in zip(simulate("#808080", "tritanopia"), parse_hex("#808080"))]
    [0.0, 0.0, 0.0]
    """
    matrix = MACHADO_2009[deficiency]
    linear = [_to_linear(c) for c in parse_hex(colour)]
    out = [sum(m * c for m, c in zip(row, linear)) for row in matrix]
    r, g, b = (_to_srgb(c) for c in out)
    return (r, g, b)


def to_lab(rgb: RGB) -> tuple[float, float, float]:
    """CIE L*a*b* (D65 white) of an sRGB colour.

    Examples
    --------
    >>> [abs(round(v, 1)) for v in to_lab((1.0, 1.0, 1.0))]
    [100.0, 0.0, 0.0]
    """
    r, g, b = (_to_linear(c) for c in rgb)
    x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047
    y = (0.2126729 * r + 0.7151522 * g + 0.0721750 * b) / 1.0
    z = (0.0193339 * r + 0.1191920 * g + 0.9503041 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116

    fx, fy, fz = f(x), f(y), f(z)
    return (116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz))


def ciede2000(lab1: tuple[float, float, float], lab2: tuple[float, float, float]) -> float:
    """The CIEDE2000 colour difference of two L*a*b* colours (about 2.3 is just noticeable).

    Examples
    --------
    The first pair of Sharma, Wu and Dalal's published test data:

    >>> round(ciede2000((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485)), 4)
    2.0425
    """
    l1, a1, b1 = lab1
    l2, a2, b2 = lab2
    c1, c2 = math.hypot(a1, b1), math.hypot(a2, b2)
    c_mean = (c1 + c2) / 2
    g = 0.5 * (1 - math.sqrt(c_mean ** 7 / (c_mean ** 7 + 25 ** 7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360 if c1p else 0.0
    h2p = math.degrees(math.atan2(b2, a2p)) % 360 if c2p else 0.0
    dlp, dcp = l2 - l1, c2p - c1p
    dh = h2p - h1p
    if c1p * c2p == 0:
        dh = 0.0
    elif dh > 180:
        dh -= 360
    elif dh < -180:
        dh += 360
    dhp = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dh / 2))
    lp_mean, cp_mean = (l1 + l2) / 2, (c1p + c2p) / 2
    if c1p * c2p == 0:
        hp_mean = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        hp_mean = (h1p + h2p) / 2
    else:
        hp_mean = (h1p + h2p + 360) / 2 if h1p + h2p < 360 else (h1p + h2p - 360) / 2
    t = (1 - 0.17 * math.cos(math.radians(hp_mean - 30)) + 0.24 * math.cos(math.radians(2 * hp_mean))
         + 0.32 * math.cos(math.radians(3 * hp_mean + 6)) - 0.20 * math.cos(math.radians(4 * hp_mean - 63)))
    d_theta = 30 * math.exp(-(((hp_mean - 275) / 25) ** 2))
    rc = 2 * math.sqrt(cp_mean ** 7 / (cp_mean ** 7 + 25 ** 7))
    sl = 1 + 0.015 * (lp_mean - 50) ** 2 / math.sqrt(20 + (lp_mean - 50) ** 2)
    sc = 1 + 0.045 * cp_mean
    sh = 1 + 0.015 * cp_mean * t
    rt = -math.sin(math.radians(2 * d_theta)) * rc
    return math.sqrt((dlp / sl) ** 2 + (dcp / sc) ** 2 + (dhp / sh) ** 2 + rt * (dcp / sc) * (dhp / sh))


def closest_pair(colours: Iterable[str], deficiency: str | None = None) -> tuple[float, str, str]:
    """The two colours least apart by CIEDE2000, as seen with ``deficiency`` (or normal vision).

    Examples
    --------
    >>> d, a, b = closest_pair(["#000000", "#ffffff", "#101010"])
    >>> (a, b), round(d, 1) < 10
    (('#000000', '#101010'), True)
    """
    labs = [(c, to_lab(simulate(c, deficiency) if deficiency else parse_hex(c))) for c in colours]
    return min((ciede2000(la, lb), a, b) for (a, la), (b, lb) in combinations(labs, 2))
