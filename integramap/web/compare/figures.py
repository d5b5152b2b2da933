"""Figures for the Compare page: level per sector pair across sites, similarity, and a diff map.

Pure functions of plain values and sites, returning plotly figures or
Cytoscape elements, so what each picture shows is tested without a browser.
The level colours are the map's, so a heatmap cell and a link on the map of
the same level are the same colour.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import html
import textwrap

import plotly.graph_objects as go

from integramap.analysis.compare import SiteDiff
from integramap.model import Level, Sector, Site
from integramap.wording import in_words, listed
from integramap.web.map.elements import ViewOptions, build_view
from integramap.layout.vocabulary import LEVEL_COLOURS
from integramap.web.map.styles import stylesheet

FONT = "Helvetica, Arial, sans-serif"

DIFF_COLOURS: dict[str, str] = {
    "added": "#1a9850",
    "removed": "#d73027",
    "changed": "#f39c12",
    "level_up": "#2c7fb8",
    "level_down": "#7b3294",
}
"""Green for new, red for gone, amber for any other change; blue for a level up, purple for down."""

DIFF_STATUSES: tuple[str, ...] = ("added", "removed", "changed", "level_up", "level_down")


@dataclass(frozen=True)
class LevelMatrix:
    """The highest level joining each sector pair (rows) in each site (columns); ``None`` = not joined."""

    columns: tuple[str, ...]
    pairs: tuple[str, ...]
    levels: tuple[tuple[Level | None, ...], ...]

    def level(self, pair: str, column: str) -> Level | None:
        return self.levels[self.pairs.index(pair)][self.columns.index(column)]


def _pair_order(pair: str) -> tuple[int, ...]:
    order = {str(s): i for i, s in enumerate(Sector)}
    return tuple(order.get(part, len(order)) for part in pair.split("+"))


def level_matrix(by_pair: Mapping[str, Mapping[str, Level | str | None]],
                 columns: Sequence[str] | None = None) -> LevelMatrix:
    """Arrange the highest level per sector pair and site into one matrix.

    ``by_pair`` maps a sector pair (``primary_care+social_care``) to each
    column's highest level, as :attr:`integramap.analysis.compare.Comparison.level_matrix`
    gives it. ``columns`` fixes the column order (default: as first met). Pairs
    are ordered by the sector list, so the same pairs always sit in the same rows.

    Examples
    --------
    >>> m = level_matrix({"mental_health+social_care": {"Eastmoor": "closer_working"},
    ...                   "primary_care+social_care": {"Riverside": "fully_merged",
    ...                                                "Eastmoor": "interface"}},
    ...                  columns=["Riverside", "Eastmoor"])
    >>> m.pairs
    ('primary_care+social_care', 'mental_health+social_care')
    >>> [str(v) for v in m.levels[0]], m.level("mental_health+social_care", "Riverside")
    (['fully_merged', 'interface'], None)
    """
    if columns is None:
        columns = list(dict.fromkeys(c for levels in by_pair.values() for c in levels))
    pairs = tuple(sorted(by_pair, key=_pair_order))
    rows = tuple(tuple(_level_or_none(by_pair[p].get(c)) for c in columns) for p in pairs)
    return LevelMatrix(columns=tuple(columns), pairs=pairs, levels=rows)


def _level_or_none(value: Level | str | None) -> Level | None:
    return None if value is None else Level(value)


def pair_title(pair: str) -> str:
    """A sector pair in words: ``primary_care+social_care`` → ``primary care + social care``.

    Examples
    --------
    >>> pair_title("mental_health+social_care")
    'mental health + social care'
    """
    return in_words(pair)


def plot_text(text: str, width: int = 0) -> str:
    """User text made safe for a plotly label, optionally wrapped onto lines of ``width`` characters.

    Plotly reads a few HTML tags in labels (``<b>``, ``<a href>``…); a name typed by
    a person must show as written, so its ``<``, ``>`` and ``&`` become entities.

    Examples
    --------
    >>> plot_text("<b>Team</b> & co")
    '&lt;b&gt;Team&lt;/b&gt; &amp; co'
    >>> plot_text("Riverside Borough (early-integrating London borough)", 24)
    'Riverside Borough<br>(early-integrating<br>London borough)'
    """
    lines = textwrap.wrap(text, width) if width and len(text) > width else [text]
    return "<br>".join(html.escape(line, quote=False) for line in lines)


def _level_colourscale() -> list[list[Any]]:
    """A stepped scale: each level's rank gets exactly its map colour, no blending between levels."""
    n = len(Level)
    scale: list[list[Any]] = []
    for level in Level:
        scale.append([level.rank / n, LEVEL_COLOURS[level]])
        scale.append([(level.rank + 1) / n, LEVEL_COLOURS[level]])
    return scale


def sector_pair_heatmap(matrix: LevelMatrix) -> go.Figure:
    """A heatmap of the highest level per sector pair (rows) per site (columns); blank = not joined.

    Examples
    --------
    >>> fig = sector_pair_heatmap(level_matrix({"primary_care+social_care": {"A": "co_located"}},
    ...                                        columns=["A", "B"]))
    >>> fig.data[0].z, fig.data[0].text, fig.data[0].customdata
    (([2, None],), (['co-located', ''],), (['co-located', 'not joined'],))
    """
    z = tuple(tuple(None if v is None else v.rank for v in row) for row in matrix.levels)
    text = tuple(tuple("" if v is None else _level_title(v) for v in row) for row in matrix.levels)
    hover = tuple(tuple("not joined" if v is None else _level_title(v) for v in row) for row in matrix.levels)
    rows = [pair_title(p) for p in matrix.pairs]
    columns = [plot_text(c, 26) for c in matrix.columns]
    fig = go.Figure(go.Heatmap(
        z=z, x=columns, y=rows, text=text, customdata=hover, texttemplate="%{text}",
        textfont={"size": 11}, colorscale=_level_colourscale(), zmin=-0.5, zmax=len(Level) - 0.5,
        xgap=3, ygap=3, hovertemplate="%{y}<br>%{x}: %{customdata}<extra></extra>",
        colorbar={"title": {"text": "highest level"}, "tickvals": [lv.rank for lv in Level],
                  "ticktext": [_level_title(lv) for lv in Level], "thickness": 14}))
    fig.update_layout(
        xaxis={"side": "top", "title": None, "type": "category", "tickangle": 0},
        yaxis={"autorange": "reversed", "title": None, "type": "category"},
        height=max(220, 110 + 26 * len(rows)), margin={"l": 10, "r": 10, "t": 80, "b": 10},
        font={"family": FONT}, plot_bgcolor="#f4f5f7", paper_bgcolor="rgba(0,0,0,0)")
    return fig


def sector_pair_words(matrix: LevelMatrix) -> str:
    """The sector-pair heatmap in words: for each pair of sectors, the highest level in each site.

    Examples
    --------
    >>> print(sector_pair_words(level_matrix({"primary_care+social_care": {"A": "co_located"}},
    ...                                      columns=["A", "B"])))
    Highest level joining each pair of sectors in A and B. primary care + social care: A co-located, B not joined.
    >>> sector_pair_words(level_matrix({}, columns=["A", "B"]))
    'No link joins two sectors in A or B.'

    Rows blank in every site (pairs joined only through a shared hub) are named together at the end:

    >>> print(sector_pair_words(level_matrix({"primary_care+social_care": {"A": "interface"},
    ...                                       "acute+housing": {"A": None, "B": None}}, columns=["A", "B"])))
    ... # doctest: +NORMALIZE_WHITESPACE
    Highest level joining each pair of sectors in A and B. primary care + social care: A interface, B not joined.
    Not joined directly in any: acute + housing.
    """
    if not matrix.pairs:
        return f"No link joins two sectors in {listed(matrix.columns, 'or')}."
    rows = [f"{pair_title(pair)}: " + ", ".join(
        f"{column} {'not joined' if level is None else _level_title(level)}"
        for column, level in zip(matrix.columns, levels)) + "."
        for pair, levels in zip(matrix.pairs, matrix.levels) if any(v is not None for v in levels)]
    blank = [pair_title(pair) for pair, levels in zip(matrix.pairs, matrix.levels)
             if all(v is None for v in levels)]
    return " ".join([f"Highest level joining each pair of sectors in {listed(matrix.columns)}.", *rows,
                     *([f"Not joined directly in any: {', '.join(blank)}."] if blank else [])])


def similarity_words(components: Mapping[str, float], overall: float | None = None, title: str = "") -> str:
    """The similarity bars in words: the overall score, then each component's value, as the bars show them.

    Examples
    --------
    >>> similarity_words({"basis": 1.0, "depth": 0.5}, overall=0.75, title="Riverside and Eastmoor")
    'Riverside and Eastmoor: overall similarity 0.75 (1 = the same). By part: basis 1.00, depth 0.50.'
    """
    head = f"{title}: overall" if title else "Overall"
    score = f"{head} similarity {overall:.2f} (1 = the same)." if overall is not None else \
        (f"{title}: similarity (1 = the same)." if title else "Similarity (1 = the same).")
    parts = ", ".join(f"{in_words(name)} {float(value):.2f}" for name, value in components.items())
    return f"{score} By part: {parts}." if parts else score


def similarity_figure(components: Mapping[str, float], overall: float | None = None,
                      title: str = "") -> go.Figure:
    """Horizontal bars of each similarity component (0 to 1), with the overall score as a line.

    Examples
    --------
    >>> fig = similarity_figure({"basis": 1.0, "depth": 0.5}, overall=0.75)
    >>> list(fig.data[0].y), list(fig.data[0].x)
    (['basis', 'depth'], [1.0, 0.5])
    """
    names = [in_words(name) for name in components]
    values = [float(v) for v in components.values()]
    for name, value in zip(names, values):
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"similarity component {name!r} is {value}; expected a share from 0 to 1")
    colours = [LEVEL_COLOURS[Level.POOLED_MANAGEMENT] if v >= 0.5 else "#c7d3e0" for v in values]
    fig = go.Figure(go.Bar(
        x=values, y=names, orientation="h", marker={"color": colours},
        text=[f"{v:.2f}" for v in values], textposition="outside", cliponaxis=False,
        hovertemplate="%{y}: %{x:.2f}<extra></extra>"))
    if overall is not None:
        fig.add_vline(x=overall, line={"color": "#d95f02", "dash": "dash", "width": 2},
                      annotation_text=f"overall {overall:.2f}", annotation_position="top")
    fig.update_layout(
        title={"text": plot_text(title), "x": 0, "font": {"size": 13}} if title else None,
        xaxis={"range": [0, 1.12], "tickvals": [0, 0.25, 0.5, 0.75, 1], "gridcolor": "#e5e8ec",
               "title": "similarity (1 = the same)"},
        yaxis={"autorange": "reversed", "title": None},
        height=max(200, 80 + 30 * len(names)), margin={"l": 10, "r": 30, "t": 40 if title else 30, "b": 40},
        font={"family": FONT}, plot_bgcolor="rgba(0,0,0,0)", paper_bgcolor="rgba(0,0,0,0)",
        showlegend=False)
    return fig


def diff_statuses(diff: SiteDiff) -> tuple[dict[str, str], dict[str, str]]:
    """The diff status of each unit and each link that changed: for colouring the map.

    A link whose level moved is ``level_up`` or ``level_down``; any other change is ``changed``.

    Examples
    --------
    >>> from integramap.analysis.compare import diff_sites
    >>> from integramap.model import Site, Unit, Link
    >>> v1 = Site(id="s", name="S", units=[Unit(id="a", name="A", kind="team"),
    ...     Unit(id="b", name="B", kind="team")],
    ...     links=[Link(id="l", source="a", target="b", level="co_located")])
    >>> v2 = v1.replace(units=[*v1.units, {"id": "c", "name": "C", "kind": "hub"}],
    ...     links=[{"id": "l", "source": "a", "target": "b", "level": "fully_merged"}])
    >>> diff_statuses(diff_sites(v1, v2))
    ({'c': 'added'}, {'l': 'level_up'})
    """
    units: dict[str, str] = {}
    links: dict[str, str] = {}
    units.update({u.id: "added" for u in diff.units_added})
    units.update({u.id: "removed" for u in diff.units_removed})
    units.update({u.id: "changed" for u in diff.units_changed})
    links.update({lk.id: "added" for lk in diff.links_added})
    links.update({lk.id: "removed" for lk in diff.links_removed})
    for change in diff.links_changed:
        links[change.id] = {"up": "level_up", "down": "level_down"}.get(change.direction, "changed")
    return units, links


def diff_elements(before: Site, after: Site, positions: Mapping[str, tuple[float, float]],
                  unit_status: Mapping[str, str], link_status: Mapping[str, str]) -> list[dict[str, Any]]:
    """The map of two revisions in one picture: the later one's elements, plus what was removed.

    Each unit and link carries a ``diff-<status>`` class (``added``, ``removed``,
    ``changed``, and for links ``level_up``/``level_down``) from the status maps;
    removed units and links are drawn from the earlier revision so they can be
    seen where they were. Containment is not drawn: a compound box would hide
    the colour of a changed organisation.

    Examples
    --------
    >>> from integramap.model import Site, Unit, Link
    >>> a = Site(id="s", name="S", units=[Unit(id="x", name="X", kind="team"),
    ...                                   Unit(id="y", name="Y", kind="team")])
    >>> b = Site(id="s", name="S", units=[Unit(id="x", name="X", kind="team"),
    ...                                   Unit(id="z", name="Z", kind="team")],
    ...          links=[Link(id="l", source="x", target="z", level="co_located")])
    >>> els = diff_elements(a, b, {}, {"y": "removed", "z": "added"}, {"l": "added"})
    >>> sorted((e["data"]["id"], e["classes"].split()[-1]) for e in els)
    [('l', 'diff-added'), ('x', 'diff-same'), ('y', 'diff-removed'), ('z', 'diff-added')]
    """
    options = ViewOptions(compound=False, show_targets=False)
    current = build_view(after, positions, options, budget=10**9).elements
    earlier = build_view(before, positions, options, budget=10**9).elements
    present = {e["data"]["id"] for e in current}
    elements: list[dict[str, Any]] = []
    for element in [*current, *(e for e in earlier if e["data"]["id"] not in present)]:
        data = element["data"]
        is_link = "source" in data
        status = (link_status if is_link else unit_status).get(data["id"], "same")
        if data["id"] not in present:
            status = "removed"
        elements.append({**element, "data": {**data, "diff": status},
                         "classes": f"{element.get('classes', '')} diff-{status}".strip()})
    return elements


def diff_stylesheet() -> list[dict[str, Any]]:
    """The map stylesheet with unchanged elements greyed out and changes in the diff colours."""
    rules = stylesheet()
    rules.append({"selector": ".diff-same", "style": {"opacity": 0.35}})
    for status in DIFF_STATUSES:
        colour = DIFF_COLOURS[status]
        rules.append({"selector": f"node.diff-{status}", "style": {
            "border-width": 5, "border-color": colour, "opacity": 1}})
        rules.append({"selector": f"edge.diff-{status}", "style": {
            "line-color": colour, "opacity": 1, "width": 5}})
    rules.append({"selector": ".diff-removed", "style": {"line-style": "dashed", "border-style": "dashed"}})
    return rules


def _level_title(level: Level) -> str:
    return level.label
