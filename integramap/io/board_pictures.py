"""The pictures in a board paper: the site's map and the Typology and Boundaries figures.

The map is drawn by :mod:`integramap.io.map_picture` (SVG, rasterised with cairo); the figures
are the Typology and Boundaries pages' own plotly figures, exported with plotly's image export
(kaleido, which drives an installed Chrome or Chromium). Either renderer may be missing on a
machine: the paper is still written, with a note saying which pictures were left out and why,
so a board paper never fails for want of a picture.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..analysis.typology import TypologyDescriptor
from ..model import Site
from ..wording import in_words
from .map_picture import RendererMissing, alt_text, drawing_from_site, drawing_to_svg, svg_to_png, svg_width

if TYPE_CHECKING:
    import plotly.graph_objects as go

MAP_INSTALL = "install CairoSVG and the cairo library (pip install cairosvg; apt-get install libcairo2)"
FIGURE_INSTALL = "install kaleido (pip install kaleido) and Chrome or Chromium"
MAX_MAP_PIXELS = 2400
"""Widest map PNG for a paper: 9.2 inches of landscape page at about 250 dpi."""


@dataclass(frozen=True)
class Picture:
    """One picture for a paper: a file stem, a caption, alt text, and its PNG and/or SVG."""

    name: str
    caption: str
    alt: str
    png: bytes | None = None
    svg: str | None = None


@dataclass
class BoardPictures:
    """The pictures drawn, and the reasons for any left out."""

    pictures: list[Picture] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)

    def note(self) -> str:
        """One sentence for the paper and the command line; empty when nothing was left out."""
        return f"Figures left out: {'; '.join(self.left_out)}." if self.left_out else ""


def map_picture(site: Site, positions: dict[str, tuple[float, float]] | None = None) -> tuple[Picture, str]:
    """The site's map as a picture, and why its PNG is missing (empty when it is there).

    Examples
    --------
    >>> from integramap.model import Site, Unit
    >>> pic, missing = map_picture(Site(id="s", name="S", units=[Unit(id="a", name="A", kind="team")]),
    ...                            {"a": (0.0, 0.0)})
    >>> pic.name, pic.svg.startswith("<svg")
    ('map', True)
    """
    drawing = drawing_from_site(site, positions)
    svg = drawing_to_svg(drawing)
    shown = "its organisations, places and networks, with how many units each holds" \
        if drawing.note else "every unit inside its organisation or network"
    alt = (f"Map of {site.name}: {shown}; links drawn darker and thicker the closer the integration. "
           f"{len(site.units):,} units and {len(site.links):,} links in all. {alt_text(drawing)}")
    pic = Picture("map", f"The map of {site.name}." + (f" {drawing.note}" if drawing.note else ""), alt, svg=svg)
    # Sharp across a landscape page at 250 dpi and no larger: a bigger PNG only slows the paper.
    scale = min(2.0, MAX_MAP_PIXELS / max(float(svg_width(svg)), 1.0))
    try:
        return Picture(pic.name, pic.caption, pic.alt, png=svg_to_png(svg, scale=scale), svg=svg), ""
    except RendererMissing as exc:
        return pic, f"the map as an image for Word ({exc}; {MAP_INSTALL})"


FigureRenderer = Callable[[Sequence["go.Figure"]], list[bytes]]


def plotly_png(figures: Sequence["go.Figure"]) -> list[bytes]:
    """PNG of each figure with plotly's image export, one browser start for them all.

    Raises
    ------
    RendererMissing
        When kaleido is not installed or cannot start a browser.
    """
    try:
        import kaleido
        import plotly.io as pio
    except ImportError as exc:
        raise RendererMissing(f"kaleido is not installed ({exc})") from None
    with _EXPORT_LOCK:
        return _export(kaleido, pio, figures)


_EXPORT_LOCK = threading.Lock()
"""One export at a time: kaleido's shared browser is per process, and one export's end stops it."""


def _export(kaleido: Any, pio: Any, figures: Sequence["go.Figure"]) -> list[bytes]:
    # The browser is stopped after each export, not kept for the next: a kaleido server still up when
    # the process ends can hang its exit (its close waits on a thread the interpreter has stopped).
    try:
        kaleido.start_sync_server(silence_warnings=True)
    except Exception:  # an older kaleido without a shared server: each figure starts its own
        pass
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # plotly warns that a server ignores per-call options
            return [pio.to_image(fig, format="png", width=900, height=520, scale=2) for fig in figures]
    except Exception as exc:  # kaleido reports a missing browser in several exception types
        raise RendererMissing(f"no browser for plotly's image export ({type(exc).__name__}: "
                              f"{str(exc).splitlines()[0] if str(exc) else 'no message'})") from None
    finally:
        try:
            kaleido.stop_sync_server(silence_warnings=True)
        except Exception:
            pass


def _figures(site: Site, d: TypologyDescriptor) -> list[tuple[str, str, str, "go.Figure"]]:
    """The Typology and Boundaries figures: (name, caption, alt text, figure)."""
    from ..analysis.boundaries import analyse
    from ..figures.boundaries import overlap_heatmap
    from ..figures.typology import FACET_TITLES, facet_depths, facet_radar_figure, level_distribution_figure

    depths = facet_depths(site)
    recorded = [f"{FACET_TITLES.get(x.facet, x.facet)}: highest {in_words(x.highest)}" for x in depths if x.highest is not None]
    out = [
        ("typology-facets", "How far each facet of integration goes across the links (highest and typical).",
         "Radar chart of the seven facets of integration. " + ("; ".join(recorded) or "No facets recorded") + ".",
         facet_radar_figure(depths)),
        ("typology-levels", "Links by integration level, from interface to fully merged.",
         "Bar chart of links by level: " + (", ".join(f"{in_words(lv)} {n}" for lv, n in d.depth.distribution.items())
                                            or "no links") + ".",
         level_distribution_figure(d.depth.distribution)),
    ]
    pairs = [p for p in d.boundary_alignment.pairs if p.coterminosity is not None]
    if pairs:
        p = pairs[0]
        a, b = in_words(p.layers[0]), in_words(p.layers[1])
        report = analyse(site, p.layers[0], p.layers[1])
        out.append((f"boundaries-{p.layers[0]}-{p.layers[1]}",
                    f"Where {a} and {b} boundaries cut each other: the share of each {a}'s people in each {b}.",
                    f"Heatmap of {a} against {b}: coterminosity {p.coterminosity:.2f}, "
                    f"{p.straddles} straddling.", overlap_heatmap(report)))
    return out


def board_pictures(site: Site, d: TypologyDescriptor, *, positions: dict[str, tuple[float, float]] | None = None,
                   render: FigureRenderer | None = None) -> BoardPictures:
    """Every picture a board paper holds, with what was left out and why.

    ``render`` turns plotly figures into PNG (default :func:`plotly_png`); tests pass their own.
    """
    out = BoardPictures()
    pic, missing = map_picture(site, positions)
    out.pictures.append(pic)
    if missing:
        out.left_out.append(missing)
    figures = _figures(site, d)
    try:
        images = (render or plotly_png)([fig for *_, fig in figures])
    except RendererMissing as exc:
        out.left_out.append(f"the typology and boundary charts ({exc}; {FIGURE_INSTALL})")
    else:
        out.pictures += [Picture(name, caption, alt, png=png)
                         for (name, caption, alt, _), png in zip(figures, images, strict=True)]
    return out

