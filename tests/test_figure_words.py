"""Each figure's words state the figure's own numbers: read from the figure object, found in the words.

Every plotly figure on the Typology, Boundaries and Compare pages has words beside it, written by a
pure function from the same data. These tests draw each figure from an example site, read what it
shows (bar heights, cell shares, flows, areas per colour) out of the figure, and look for each
number in the words, so the two cannot drift apart.
"""

from __future__ import annotations

import html
import math
import re
from typing import Any

import pytest
from conftest import FIXTURES, MODELS
from test_figures_boundaries import grid_site, shapes_of, wide_site

from integramap.analysis.boundaries import analyse
from integramap.analysis.compare import compare_sites
from integramap.analysis.typology import describe_site
from integramap.io.geometry import outline, read_features
from integramap.io.sitefile import read_site
from integramap.model import Site
from integramap.wording import plural
from integramap.figures.boundary_words import flow_sankey_words, footprint_map_words, overlap_heatmap_words
from integramap.figures.boundaries import OVERLAY, SELECTED_AREAS, Overlay, flow_sankey, footprint_map, \
    overlap_heatmap
from integramap.web.compare.figures import level_matrix, sector_pair_heatmap, sector_pair_words, \
    similarity_figure, similarity_words
from integramap.figures.typology import facet_depths, facet_radar_figure, facet_radar_words, \
    level_distribution_figure, level_distribution_words


@pytest.fixture(scope="module")
def borough() -> Site:
    return read_site(MODELS / "riverside-borough.yaml")


@pytest.fixture(scope="module")
def eastmoor() -> Site:
    return read_site(MODELS / "eastmoor-icp.yaml")


def label_text(label: Any) -> str:
    """A plotly label as a person reads it: line breaks and emphasis gone, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", str(label).replace("<br>", " ")))


def segments(words: str, heads: list[str]) -> dict[str, str]:
    """The words cut at each head in turn (the order the figure draws them): each head's own part."""
    out: dict[str, str] = {}
    start = 0
    positions = []
    for head in heads:
        at = words.index(head, start)
        positions.append(at)
        start = at + len(head)
    for i, head in enumerate(heads):
        out[head] = words[positions[i]:positions[i + 1] if i + 1 < len(positions) else len(words)]
    return out


# Typology ------------------------------------------------------------------------------------------

def test_radar_words_state_each_spokes_highest_and_typical_value(borough: Site) -> None:
    depths = facet_depths(borough)
    fig = facet_radar_figure(depths)
    words = facet_radar_words(depths)
    highest, typical = fig.data
    recorded = 0
    # The last point repeats the first to close the outline.
    for spoke, hi_text, ty_text in zip(highest.theta[:-1], highest.text[:-1], typical.text[:-1]):
        hi, count = re.fullmatch(r".*?: (.*) \((\S+) links? records? it\)", hi_text).groups()  # type: ignore[union-attr]
        ty = re.fullmatch(r".*?: (.*) \(.*\)", ty_text).group(1)  # type: ignore[union-attr]
        if hi == "not recorded":
            assert spoke in words.split("Not recorded: ")[1]
            continue
        recorded += 1
        n = int(count)
        assert f"{spoke}: highest {hi}, typical {ty} ({plural(n, 'link')} record{'s' if n == 1 else ''} it)" in words
    assert recorded > 0
    assert words.startswith(f"{recorded} of {len(highest.theta) - 1} facets")


def test_level_words_state_every_bar_and_the_total(borough: Site) -> None:
    distribution = describe_site(borough).depth.distribution
    fig = level_distribution_figure(distribution)
    words = level_distribution_words(distribution)
    bars = fig.data[0]
    assert sum(bars.y) > 0
    for level, count in zip(bars.x, bars.y):
        assert f"{level} {count}" in words
    assert words.startswith(f"{plural(sum(bars.y), 'link')} in all")
    top = max(bars.y)
    assert f"({top})." in words and bars.x[list(bars.y).index(top)] in words.split("Most are at ")[1]


# Boundaries ----------------------------------------------------------------------------------------

def check_heatmap(report: Any, highlight: set[str] | None = None) -> None:
    fig = overlap_heatmap(report, highlight or set())
    words = overlap_heatmap_words(report, highlight or set())
    heat = fig.data[0]
    rows = [label_text(t) for t in fig.layout.yaxis.ticktext]
    columns = [label_text(t) for t in fig.layout.xaxis.ticktext]
    parts = segments(words, [f"{row}: " for row in rows])
    straddling = 0
    for row, cells in zip(rows, heat.z):
        drawn = [(columns[j], share) for j, share in enumerate(cells) if not math.isnan(share)]
        straddling += len(drawn) > 1
        for column, share in drawn:
            assert f"{share * 100:.0f}% in {column}" in parts[f"{row}: "]
    assert f"{len(rows)} " in words.split(" down the side")[0]
    assert f"{len(columns)} " in words.split(" across")[0].split(", ")[1]
    assert f" {straddling} " in f" {words.split('. ')[1]}"


def test_heatmap_words_state_every_cells_share(borough: Site) -> None:
    check_heatmap(analyse(borough, "pcn", "lcn"))


def test_heatmap_words_of_a_capped_heatmap_follow_what_it_draws() -> None:
    report = analyse(wide_site(), "pcn", "lcn")
    check_heatmap(report)
    note = overlap_heatmap(report).layout.annotations[-1].text
    assert label_text(note) in overlap_heatmap_words(report)


def check_sankey(report: Any) -> None:
    fig = flow_sankey(report)
    words = flow_sankey_words(report)
    sankey = fig.data[0]
    labels = [label_text(t) for t in sankey.node.label]
    sources = sorted(set(sankey.link.source))  # the left nodes, top to bottom
    parts = segments(words, [labels[s] for s in sources])
    people = "people" if report.population_known else "areas"
    for source, target, value in zip(sankey.link.source, sankey.link.target, sankey.link.value):
        assert f"{value:,.0f} {people} to {labels[target]}" in parts[labels[source]]
    assert words.startswith(f"The {people} of {len(sources)} ")


def test_sankey_words_state_every_flow(borough: Site) -> None:
    check_sankey(analyse(borough, "pcn", "lcn"))
    check_sankey(analyse(wide_site(), "pcn", "lcn"))


def test_map_words_state_the_areas_of_each_colour_and_every_boundary_drawn() -> None:
    site = grid_site()
    zones = read_features(FIXTURES / "geo" / "zones.geojson", "ZONE")
    overlay = Overlay("Zones", [line for g in zones.geometries.values() for line in outline([g])])
    fig = footprint_map(site, shapes_of(site), "pcn", "lcn", overlays=[overlay])
    words = footprint_map_words(site, shapes_of(site), "pcn", "lcn", overlays=[overlay])
    fills = [t for t in fig.data if t.type == "choropleth"]
    assert words.startswith(f"{plural(sum(len(t.locations) for t in fills), 'area')} drawn")
    for trace in fills:
        assert f"{label_text(trace.name)} {plural(len(trace.locations), 'area')}" in words
    outlines = [t.name for t in fig.data if t.type == "scattergeo" and t.mode == "lines"
                and t.name != SELECTED_AREAS and t.meta != OVERLAY]
    assert outlines and all(label_text(name) in words.split("dark lines: ")[1] for name in outlines)
    assert all(label_text(t.name) in words.split("Also drawn: ")[1] for t in fig.data if t.meta == OVERLAY)


def test_map_words_count_areas_no_unit_covers() -> None:
    site = grid_site()
    site = site.replace(units=[u for u in site.units if u.id != "pb"])
    fig = footprint_map(site, shapes_of(site), "pcn", "lcn")
    words = footprint_map_words(site, shapes_of(site), "pcn", "lcn")
    uncovered = next(t for t in fig.data if t.type == "choropleth" and t.name.startswith("not in any"))
    assert f"{plural(len(uncovered.locations), 'area')} in no PCN" in words


# Compare -------------------------------------------------------------------------------------------

def test_similarity_words_state_every_bar_and_the_overall_score(borough: Site, eastmoor: Site) -> None:
    pair = compare_sites([borough, eastmoor], labels=["Riverside", "Eastmoor"]).similarity[0]
    components = {c.name: c.value for c in pair.components}
    fig = similarity_figure(components, overall=pair.score)
    words = similarity_words(components, overall=pair.score, title="Riverside and Eastmoor")
    bars = fig.data[0]
    for name, value in zip(bars.y, bars.text):
        assert f"{name} {value}" in words
    overall = fig.layout.annotations[0].text.split()[-1]
    assert f"overall similarity {overall}" in words


def test_sector_pair_words_state_every_cell(borough: Site, eastmoor: Site) -> None:
    comparison = compare_sites([borough, eastmoor], labels=["Riverside Borough", "Eastmoor ICP"])
    matrix = level_matrix(comparison.level_matrix, comparison.labels)
    fig = sector_pair_heatmap(matrix)
    words = sector_pair_words(matrix)
    heat = fig.data[0]
    joined = [(row, cells) for row, cells in zip(heat.y, heat.customdata) if set(cells) != {"not joined"}]
    blank = [row for row, cells in zip(heat.y, heat.customdata) if set(cells) == {"not joined"}]
    assert len(joined) > 1 and blank
    parts = segments(words, [f"{row}: " for row, _ in joined])
    for row, cells in joined:
        for column, cell in zip(heat.x, cells):
            assert f"{label_text(column)} {cell}" in parts[f"{row}: "]
    # Rows blank in every site are named once, together, at the end.
    assert words.split("Not joined directly in any: ")[1].rstrip(".").split(", ") == blank
