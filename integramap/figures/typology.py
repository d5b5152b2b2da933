"""Figures for the Typology page: how deep each facet goes, and how the links spread over the levels.

Pure functions of a site or of plain counts, returning plotly figures, so the
numbers behind every picture are tested without a browser. Level colours come
from the map's visual vocabulary (:mod:`integramap.layout.vocabulary`), so a
"pooled management" bar here is the same blue as a pooled-management link on the map.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import plotly.graph_objects as go

from integramap.analysis.typology_code import parse_code
from integramap.model import FACET_SCALES, Level, Site
from integramap.wording import in_words, listed, plural
from integramap.layout.vocabulary import LEVEL_COLOURS

FACET_TITLES: dict[str, str] = {
    "governance": "Governance", "finance": "Finance", "management": "Management", "hr": "HR",
    "it": "IT", "estates": "Estates", "clinical": "Clinical",
}
"""How each facet is named on the radar's spokes."""

HIGHEST_COLOUR = LEVEL_COLOURS[Level.MERGED_GOVERNANCE]
TYPICAL_COLOUR = "#d95f02"
FONT = "Helvetica, Arial, sans-serif"


@dataclass(frozen=True)
class FacetDepth:
    """How far one facet goes across a site's links, on that facet's own scale.

    ``highest`` and ``typical`` are the highest and the median recorded value
    (``None`` when no link records the facet); the shares are their rank as a
    fraction of the top of the scale, so facets with scales of different
    lengths can share one radar.
    """

    facet: str
    scale: tuple[str, ...]
    recorded: int
    highest: str | None
    typical: str | None

    @property
    def highest_share(self) -> float:
        return self._share(self.highest)

    @property
    def typical_share(self) -> float:
        return self._share(self.typical)

    def _share(self, value: str | None) -> float:
        if value is None or len(self.scale) < 2:
            return 0.0
        return self.scale.index(value) / (len(self.scale) - 1)


def facet_depths(site: Site) -> list[FacetDepth]:
    """Each facet's highest and typical (median) value over the links that record it.

    Examples
    --------
    >>> from integramap.model import Site, Unit, Link
    >>> site = Site(id="s", name="S", units=[
    ...     Unit(id="a", name="A", kind="team"), Unit(id="b", name="B", kind="team")],
    ...     links=[Link(id="l1", source="a", target="b", level="co_located",
    ...                 facets={"it": "shared_record", "estates": "co_located"}),
    ...            Link(id="l2", source="b", target="a", level="interface", facets={"it": "separate"})])
    >>> depths = {d.facet: d for d in facet_depths(site)}
    >>> depths["it"].highest, depths["it"].typical, round(depths["it"].highest_share, 3)
    ('shared_record', 'separate', 0.667)
    >>> depths["estates"].highest_share, depths["finance"].recorded
    (1.0, 0)
    """
    out: list[FacetDepth] = []
    for facet, scale in FACET_SCALES.items():
        values = sorted((v for v in (getattr(link.facets, facet) for link in site.links) if v is not None),
                        key=lambda v: v.rank)
        highest = str(values[-1]) if values else None
        # The lower median: a "typical" value must be one that a link actually has.
        typical = str(values[(len(values) - 1) // 2]) if values else None
        out.append(FacetDepth(facet=facet, scale=tuple(str(v) for v in scale), recorded=len(values),
                              highest=highest, typical=typical))
    return out


def _words(value: str | None) -> str:
    return "not recorded" if value is None else in_words(value)


def facet_radar_figure(depths: Sequence[FacetDepth]) -> go.Figure:
    """A radar of facet depths: the highest and the typical value of each facet, 0 to 100 %.

    Examples
    --------
    >>> from integramap.model import Site
    >>> fig = facet_radar_figure(facet_depths(Site(id="s", name="S")))
    >>> [trace.name for trace in fig.data], len(fig.data[0].r)
    (['Highest', 'Typical'], 8)
    """
    titles = [FACET_TITLES.get(d.facet, d.facet) for d in depths]
    fig = go.Figure()
    for name, colour, shares, values in (
        ("Highest", HIGHEST_COLOUR, [d.highest_share for d in depths], [d.highest for d in depths]),
        ("Typical", TYPICAL_COLOUR, [d.typical_share for d in depths], [d.typical for d in depths]),
    ):
        hover = [f"{t}: {_words(v)} ({plural(d.recorded, 'link')} record it)"
                 for t, v, d in zip(titles, values, depths)]
        # The first point is repeated so the outline closes.
        fig.add_trace(go.Scatterpolar(
            r=[*(100 * s for s in shares), 100 * shares[0]] if shares else [],
            theta=[*titles, titles[0]] if titles else [],
            text=[*hover, hover[0]] if hover else [], hoverinfo="text", name=name, mode="lines+markers",
            fill="toself" if name == "Highest" else "none", line={"color": colour, "width": 2},
            opacity=0.85))
    fig.update_layout(
        polar={"radialaxis": {"range": [0, 100], "tickvals": [25, 50, 75, 100], "showticklabels": False},
               "angularaxis": {"direction": "clockwise", "rotation": 90}},
        showlegend=True, legend={"orientation": "h", "x": 0.5, "xanchor": "center", "y": -0.08},
        margin={"l": 40, "r": 40, "t": 30, "b": 30}, height=360, font={"family": FONT},
        paper_bgcolor="rgba(0,0,0,0)")
    return fig


def facet_radar_words(depths: Sequence[FacetDepth]) -> str:
    """What the facet radar shows, in words: each facet's highest and typical value, as on its spokes.

    Built from the same depths as :func:`facet_radar_figure`, so the words and
    the picture cannot disagree.

    Examples
    --------
    >>> from integramap.model import Site, Unit, Link
    >>> site = Site(id="s", name="S", units=[
    ...     Unit(id="a", name="A", kind="team"), Unit(id="b", name="B", kind="team")],
    ...     links=[Link(id="l1", source="a", target="b", level="co_located", facets={"it": "shared_record"})])
    >>> print(facet_radar_words(facet_depths(site)))  # doctest: +NORMALIZE_WHITESPACE
    1 of 7 facets recorded on any link. IT: highest shared record, typical shared record (1 link records
    it). Not recorded: Governance, Finance, Management, HR, Estates, Clinical.
    """
    titles = [FACET_TITLES.get(d.facet, in_words(d.facet)) for d in depths]
    recorded = [(t, d) for t, d in zip(titles, depths) if d.recorded]
    missing = [t for t, d in zip(titles, depths) if not d.recorded]
    parts = [f"{len(recorded)} of {plural(len(depths), 'facet')} recorded on any link."]
    parts += [f"{t}: highest {_words(d.highest)}, typical {_words(d.typical)} "
              f"({plural(d.recorded, 'link')} record{'s' if d.recorded == 1 else ''} it)." for t, d in recorded]
    if missing:
        parts.append("Not recorded: " + ", ".join(missing) + ".")
    return " ".join(parts)


def level_counts(distribution: Mapping[str, int] | Mapping[Level, int]) -> list[tuple[Level, int]]:
    """Every level in order with its count (zero where the distribution leaves it out).

    Examples
    --------
    >>> [(str(level), n) for level, n in level_counts({"fully_merged": 2, "interface": 1})][:2]
    [('interface', 1), ('closer_working', 0)]
    """
    counts = {str(k): int(v) for k, v in distribution.items()}
    unknown = set(counts) - {str(level) for level in Level}
    if unknown:
        raise ValueError(f"unknown integration level(s) {sorted(unknown)}; expected one of "
                         f"{[str(level) for level in Level]}")
    return [(level, counts.get(str(level), 0)) for level in Level]


def level_distribution_figure(distribution: Mapping[str, int] | Mapping[Level, int]) -> go.Figure:
    """Bars of how many links sit at each level, lowest to highest, in the map's level colours.

    Examples
    --------
    >>> fig = level_distribution_figure({"co_located": 3, "interface": 1})
    >>> list(fig.data[0].x)[:3], list(fig.data[0].y)[:3]
    (['interface', 'closer working', 'co-located'], [1, 0, 3])
    """
    rows = level_counts(distribution)
    labels = [_level_title(level) for level, _ in rows]
    counts = [n for _, n in rows]
    fig = go.Figure(go.Bar(
        x=labels, y=counts, marker={"color": [LEVEL_COLOURS[level] for level, _ in rows]},
        text=[str(n) if n else "" for n in counts], textposition="outside", cliponaxis=False,
        hovertemplate="%{x}: %{y} link(s)<extra></extra>"))
    fig.update_layout(
        xaxis={"title": None, "categoryorder": "array", "categoryarray": labels},
        yaxis={"title": "links", "rangemode": "tozero", "gridcolor": "#e5e8ec"},
        margin={"l": 50, "r": 20, "t": 30, "b": 60}, height=320, font={"family": FONT},
        plot_bgcolor="rgba(0,0,0,0)", paper_bgcolor="rgba(0,0,0,0)", showlegend=False)
    return fig


def level_distribution_words(distribution: Mapping[str, int] | Mapping[Level, int]) -> str:
    """What the links-by-level bars show, in words: how many links sit at each level, lowest first.

    Examples
    --------
    >>> level_distribution_words({"co_located": 3, "interface": 1})
    '4 links in all, lowest level first: interface 1, closer working 0, co-located 3, pooled management 0, \
merged governance 0, fully merged 0. Most are at co-located (3).'
    >>> level_distribution_words({})
    'No links yet: every level has 0.'
    """
    rows = level_counts(distribution)
    total = sum(n for _, n in rows)
    if not total:
        return "No links yet: every level has 0."
    top = max(n for _, n in rows)
    most = [_level_title(level) for level, n in rows if n == top]
    return (f"{plural(total, 'link')} in all, lowest level first: "
            + ", ".join(f"{_level_title(level)} {n}" for level, n in rows)
            + f". Most are at {' and '.join(most)} ({top}).")


def _level_title(level: Level) -> str:
    return level.label


_BASIS_WORDS = {"geographic": "geographically based", "functional": "functionally based",
                "mixed": "mixed: partly geographic, partly functional", "unknown": "basis not recorded"}
_BREADTH_WORDS = {"horizontal": "horizontal (within one tier of care)",
                  "vertical": "vertical (across tiers of care)", "both": "horizontal and vertical",
                  "none": "neither horizontal nor vertical"}


def code_parts(code: str) -> list[tuple[str, str]]:
    """Each part of a typology code with what it says, for reading the code at a glance.

    Examples
    --------
    >>> for part, meaning in code_parts("G-AO-4S-FM/HV-R4fn-C0.67"):
    ...     print(part, "=", meaning)
    G = geographically based
    AO = serves adults and older people
    4S = 4 sectors take part
    FM/HV = fully merged at most; horizontal and vertical
    R4fn = 4 of 4 Rainbow types; functional and normative enablers
    C0.67 = lowest coterminosity 0.67
    """
    p = parse_code(code)
    parts = code.strip().split("-", 5)
    ages = [in_words(a) for a in p["age_groups"]]
    ages_text = "serves " + listed(ages) if ages else "no age group recorded"
    level = p["highest_level"]
    depth = "no links" if level is None else f"{_level_title(Level(level))} at most"
    enablers = [name for name, on in (("functional", p["functional_enabler"]),
                                      ("normative", p["normative_enabler"])) if on]
    rainbow_text = f"{p['rainbow_types']} of 4 Rainbow types; " + (
        f"{' and '.join(enablers)} enabler{'s' if len(enablers) > 1 else ''}" if enablers else "no enablers")
    coterm = p["coterminosity"]
    alignment = "no PCN, LCN or local authority layers to compare" if coterm is None \
        else f"lowest coterminosity {coterm:.2f}"
    sectors = p["sector_count"]
    meanings = [_BASIS_WORDS[p["basis"]], ages_text,
                f"{sectors} sector{'s' if sectors != 1 else ''} take{'s' if sectors == 1 else ''} part",
                f"{depth}; {_BREADTH_WORDS[p['breadth']]}", rainbow_text, alignment]
    return list(zip(parts, meanings))
