"""The Atlas page's table of ICBs (sortable, with small bars), its ranked chart and the words beside it."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go
from dash import html

from integramap.analysis.atlas import Atlas, IcbEntry
from integramap.analysis.atlas_neighbours import Neighbour
from integramap.web.common.aria import aria
from integramap.wording import plural

OPEN = "atlas-open"
"""Pattern id type of each ICB's "Open" button: ``{"type": OPEN, "code": …}``."""
OPEN_NEAR = "atlas-open-near"
"""The same for the "ICBs like mine" list (a page cannot hold one id twice)."""
SORT_HEAD = "atlas-sort-head"
"""Pattern id type of each sortable column heading: ``{"type": SORT_HEAD, "key": …}``."""

BAR_COLOUR = "#7aa6d6"
"""The table's bars: pale, so the figure written over each stays dark on light (the figure is what reads)."""
LOW_COLOUR = "#e39a5a"
LOW_SHARE = 0.9
"""A share under this is marked: orange, striped, and "below 90%" for screen readers (not by colour alone)."""
CHART_BAR_COLOUR = "#3d6fa8"
"""The ranked chart's bars: 3:1 and more against the white plot (WCAG 1.4.11); the diamonds are outlined
in white."""
DIAMOND_COLOUR = "#1d3557"


def _share(value: float | None) -> float:
    return 1.0 if value is None else value


@dataclass(frozen=True)
class Column:
    """A column of the ICB table: its heading, what it shows and how it sorts."""

    key: str
    heading: str
    value: Callable[[IcbEntry], float | str]
    kind: str = "count"
    """``count`` (bar scaled to the column's largest), ``share`` (bar of 0-100 %) or ``text``."""
    title: str = ""


COLUMNS: list[Column] = [
    Column("name", "ICB", lambda e: e.name, "text"),
    Column("practices", "Practices", lambda e: e.practices),
    Column("pcns", "PCNs", lambda e: e.pcns),
    Column("unallocated", "In no PCN", lambda e: e.unallocated_practices,
           title="The ICB's practices in no primary care network"),
    Column("across_la", "PCNs across districts", lambda e: len(e.straddles["local_authority"]),
           title="PCNs whose practices lie in two or more local authority districts"),
    Column("across_place", "PCNs across locations", lambda e: len(e.straddles["place"]),
           title="PCNs whose practices lie in two or more sub-ICB locations"),
    Column("la_people", "People in main district", lambda e: _share(e.coterminosity["local_authority"].people),
           "share", "Of the people in each PCN, the share in its main district (each practice's list "
                    "counting as one)"),
    Column("la_units", "PCNs in one district", lambda e: _share(e.coterminosity["local_authority"].units),
           "share", "The share of PCNs lying wholly within one district"),
    Column("place_people", "People in main location", lambda e: _share(e.coterminosity["place"].people),
           "share", "The same for sub-ICB locations"),
    Column("place_units", "PCNs in one location", lambda e: _share(e.coterminosity["place"].units), "share",
           "The share of PCNs lying wholly within one sub-ICB location"),
    Column("code", "Typology code", lambda e: e.typology_code, "text"),
]
BY_KEY = {c.key: c for c in COLUMNS}
DEFAULT_SORT: dict[str, Any] = {"key": "la_people", "descending": False}
"""Least coterminous first: the ICBs with most to untangle head the table."""


def sorted_entries(found: Atlas, key: str, descending: bool) -> list[IcbEntry]:
    """The ICBs in the order of one column (ties by name)."""
    column = BY_KEY.get(key, BY_KEY[DEFAULT_SORT["key"]])
    entries = sorted(found.icbs, key=lambda e: e.name)
    return sorted(entries, key=column.value, reverse=descending)


def _cell(column: Column, entry: IcbEntry, largest: float) -> html.Td:
    value = column.value(entry)
    if column.kind == "text":
        return html.Td(str(value), className="atlas-text")
    number = float(value)
    if column.kind == "share":
        label, width = f"{number * 100:.0f}%", number
    else:
        label, width = f"{int(number):,}", (number / largest if largest else 0.0)
    low = column.kind == "share" and number < LOW_SHARE
    return html.Td(html.Div([
        html.Div(className="atlas-bar low" if low else "atlas-bar",
                 style={"width": f"{width * 100:.1f}%",
                        "background-color": LOW_COLOUR if low else BAR_COLOUR}),
        html.Span(label, className="atlas-bar-label"),
        *([html.Span(f", below {LOW_SHARE * 100:.0f}%", className="visually-hidden")] if low else []),
    ], className="atlas-bar-cell"), className="num")


def icb_table(found: Atlas, key: str, descending: bool) -> html.Table:
    """Every ICB, one row each, sorted by ``key``; the headings sort, each row opens its ICB."""
    entries = sorted_entries(found, key, descending)
    largest = {c.key: max((float(c.value(e)) for e in found.icbs), default=0.0)
               for c in COLUMNS if c.kind == "count"}
    heads = []
    for column in COLUMNS:
        # The arrow is for the eye; aria-sort tells a screen reader which column orders the rows, and how.
        sorted_here = column.key == key
        arrow = [html.Span(" ▼" if descending else " ▲", **aria(hidden="true"))] if sorted_here else []
        sorted_by = aria(sort="descending" if descending else "ascending") if sorted_here else {}
        heads.append(html.Th(html.Button([column.heading, *arrow], id={"type": SORT_HEAD, "key": column.key},
                                         className="atlas-sort", title=column.title or f"Sort by {column.heading}"),
                             className="num" if column.kind != "text" else "", scope="col", **sorted_by))
    heads.append(html.Th(html.Span("Open as a site", className="visually-hidden"), scope="col"))
    rows = []
    for entry in entries:
        # The ICB's name heads its row, so a screen reader names the ICB with each figure.
        cells: list[html.Td | html.Th] = [_cell(c, entry, largest.get(c.key, 0.0)) for c in COLUMNS]
        cells[0] = html.Th([html.Strong(short_name(entry.name)),
                            html.Span(f" {entry.code}", className="hint")], title=entry.name, scope="row")
        cells.append(html.Td(html.Button("Open", id={"type": OPEN, "code": entry.code}, className="button small",
                                         title=f"Build {entry.name} as a site and open its Boundaries page",
                                         **aria(label=f"Open {short_name(entry.name)}"))))
        rows.append(html.Tr(cells, id=f"atlas-row-{entry.code}", className="atlas-row"))
    return html.Table([html.Thead(html.Tr(heads)), html.Tbody(rows)], className="table atlas-table")


def short_name(name: str) -> str:
    """An ICB's name without the words every ICB's name has.

    Examples
    --------
    >>> short_name("NHS South East London Integrated Care Board")
    'South East London'
    """
    return name.removeprefix("NHS ").removesuffix(" Integrated Care Board").removesuffix(" ICB")


def ranked_figure(found: Atlas, layer: str = "local_authority") -> go.Figure:
    """Every ICB ranked by people coterminosity of its PCNs with ``layer``, the units figure beside it."""
    entries = sorted(found.icbs, key=lambda e: (_share(e.coterminosity[layer].people), e.name))
    names = [f"{short_name(e.name)} ({e.code})" for e in entries]
    people = [_share(e.coterminosity[layer].people) * 100 for e in entries]
    units = [_share(e.coterminosity[layer].units) * 100 for e in entries]
    where = "district" if layer == "local_authority" else "sub-ICB location"
    low = max(0, min([*people, *units, 100.0]) // 10 * 10 - 10)
    fig = go.Figure()
    fig.add_bar(y=names, x=people, orientation="h", name=f"People in their PCN's main {where}",
                marker_color=CHART_BAR_COLOUR, hovertemplate="%{y}: %{x:.0f}% of people<extra></extra>")
    fig.add_scatter(y=names, x=units, mode="markers", name=f"PCNs wholly within one {where}",
                    marker={"color": DIAMOND_COLOUR, "size": 8, "symbol": "diamond",
                            "line": {"color": "#ffffff", "width": 1.5}},
                    hovertemplate="%{y}: %{x:.0f}% of PCNs<extra></extra>")
    fig.update_layout(height=max(320, 18 * len(entries) + 110), margin={"l": 10, "r": 10, "t": 30, "b": 40},
                      xaxis={"title": "% (the axis starts where the lowest ICB is, to show the spread)",
                             "range": [low, 101]},
                      yaxis={"automargin": True, "tickfont": {"size": 11}, "autorange": "reversed"},
                      legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
                      plot_bgcolor="#ffffff", bargap=0.25)
    return fig


def ranked_summary(found: Atlas, layer: str = "local_authority") -> list[str]:
    """What the ranked chart shows, in sentences: the spread, the lowest and how many line up fully."""
    where = "district" if layer == "local_authority" else "sub-ICB location"
    judged = [e for e in found.icbs if e.coterminosity[layer].people is not None]
    if not judged:
        return [f"No ICB has a PCN to compare with {where} boundaries."]
    people = [_share(e.coterminosity[layer].people) for e in judged]
    lowest = min(judged, key=lambda e: (_share(e.coterminosity[layer].people), e.name))
    whole = [e for e in judged if _share(e.coterminosity[layer].units) >= 1.0]
    straddles = sum(len(e.straddles[layer]) for e in found.icbs)
    low = lowest.coterminosity[layer]
    inside = round(_share(low.units) * lowest.pcns)
    return [
        f"Across {plural(len(found.icbs), 'ICB')}, the middle ICB keeps {statistics.median(people) * 100:.0f}% "
        f"of its PCNs' people in their main {where}.",
        f"Lowest: {lowest.name}, {_share(low.people) * 100:.0f}% by people, yet only {inside} of its "
        f"{plural(lowest.pcns, 'PCN')} {'lies' if inside == 1 else 'lie'} wholly within one {where}.",
        f"{plural(len(whole), 'ICB')} {'has' if len(whole) == 1 else 'have'} every PCN within one {where}; "
        f"{plural(straddles, 'PCN')} {'crosses' if straddles == 1 else 'cross'} {where} boundaries, counted in "
        f"each ICB {'it reaches' if straddles == 1 else 'they reach'}.",
        "The bars are people, the diamonds PCNs: the two figures differ most where a few PCNs straddle "
        "by a practice or two.",
    ]


def neighbour_list(mine: IcbEntry, found: list[Neighbour]) -> html.Div:
    """ICBs like the chosen one, nearest first, each with an Open button."""
    if not found:
        return html.Div(html.P("No other ICB to compare with.", className="hint"))
    same_model = all(n.similarity >= 1.0 for n in found)
    lead = (f"Nearest to {mine.name}. Built from the national files alone every ICB has the same kinds of unit "
            "and no links, so their models are equally similar (100% on the Compare page's measure); the "
            "boundary figures rank them: coterminosity, practices in no PCN and size."
            if same_model else f"Nearest to {mine.name}, most similar model first (the Compare page's measure), "
                               "then closest boundary figures.")
    items = [html.Li([
        html.Div([html.Div([html.Strong(short_name(n.name)), html.Span(f" {n.code}", className="hint")]),
                  html.Div(f"model {n.similarity * 100:.0f}% alike · boundary figures {(1 - n.distance) * 100:.0f}% "
                           f"alike · {n.typology_code}", className="hint")], style={"flex": "1"}),
        html.Button("Open", id={"type": OPEN_NEAR, "code": n.code}, className="button small",
                    title=f"Build {n.name} as a site and open its Boundaries page",
                    **aria(label=f"Open {short_name(n.name)}")),
    ], className="atlas-neighbour") for n in found]
    return html.Div([html.P(lead, className="hint"), html.Ol(items, id="atlas-neighbour-list")])
