"""The Compare page's figures: sector-pair level heatmap, similarity bars, and the diff map."""

from __future__ import annotations

import math

import pytest

from integramap.analysis.compare import compare_sites, diff_sites
from integramap.model import Level, Link, Site, Unit
from integramap.web.compare.figures import (
    DIFF_COLOURS,
    diff_elements,
    diff_statuses,
    diff_stylesheet,
    level_matrix,
    pair_title,
    sector_pair_heatmap,
    similarity_figure,
)
from integramap.layout.vocabulary import LEVEL_COLOURS

UNITS = [Unit(id="gp", name="Practice", kind="practice"),
         Unit(id="mh", name="MH team", kind="team", sectors=["mental_health"]),
         Unit(id="sw", name="Social work", kind="team", sectors=["social_care"])]


def _site(site_id: str, *links: tuple[str, str, str]) -> Site:
    return Site(id=site_id, name=site_id.title(), units=UNITS,
                links=[Link(id=f"l{i}", source=a, target=b, level=lv) for i, (a, b, lv) in enumerate(links)])


def test_level_matrix_from_a_comparison_has_a_cell_per_pair_and_site() -> None:
    one = _site("one", ("gp", "sw", "fully_merged"), ("mh", "sw", "co_located"))
    two = _site("two", ("gp", "mh", "interface"))
    comparison = compare_sites([one, two], labels=["One", "Two"])
    matrix = level_matrix(comparison.level_matrix, comparison.labels)
    assert matrix.columns == ("One", "Two")
    assert matrix.pairs == ("primary_care+mental_health", "primary_care+social_care",
                            "mental_health+social_care")
    assert matrix.level("primary_care+social_care", "One") is Level.FULLY_MERGED
    assert matrix.level("primary_care+social_care", "Two") is None
    assert matrix.level("primary_care+mental_health", "Two") is Level.INTERFACE


def test_heatmap_matrix_holds_ranks_and_words() -> None:
    matrix = level_matrix({"mental_health+social_care": {"A": "co_located", "B": None},
                           "primary_care+social_care": {"B": "fully_merged"}}, columns=["A", "B"])
    trace = sector_pair_heatmap(matrix).data[0]
    assert list(trace.x) == ["A", "B"]
    assert list(trace.y) == ["primary care + social care", "mental health + social care"]
    assert [list(row) for row in trace.z] == [[None, 5], [2, None]]
    assert [list(row) for row in trace.text] == [["", "fully merged"], ["co-located", ""]]
    assert [list(row) for row in trace.customdata] == [["not joined", "fully merged"], ["co-located", "not joined"]]
    assert list(trace.colorbar.ticktext)[0] == "interface"


def test_heatmap_colours_each_level_exactly_as_the_map_does() -> None:
    trace = sector_pair_heatmap(level_matrix({"primary_care+social_care": {"A": "interface"}})).data[0]
    scale = [(float(stop), colour) for stop, colour in trace.colorscale]
    for level in Level:
        # The middle of each level's band, mapped from zmin..zmax onto 0..1.
        position = (level.rank + 0.5) / len(Level)
        band = [colour for (lo, colour), (hi, _) in zip(scale, scale[1:]) if lo <= position <= hi]
        assert band and band[0] == LEVEL_COLOURS[level]
    assert trace.zmin == -0.5 and trace.zmax == len(Level) - 0.5


def test_unknown_level_in_the_matrix_is_refused() -> None:
    with pytest.raises(ValueError):
        level_matrix({"primary_care+social_care": {"A": "best"}})


def test_pair_title_reads_as_words() -> None:
    assert pair_title("primary_care+community_health") == "primary care + community health"


def test_similarity_bars_show_each_component_and_the_overall_line() -> None:
    comparison = compare_sites([_site("one", ("gp", "sw", "fully_merged")), _site("two", ("gp", "mh", "interface"))])
    pair = comparison.similarity[0]
    fig = similarity_figure({c.name: c.value for c in pair.components}, overall=pair.score)
    bar = fig.data[0]
    assert list(bar.y) == ["basis", "populations", "sectors", "sector pairs", "depth", "mechanisms", "rainbow"]
    assert list(bar.x) == [c.value for c in pair.components]
    assert fig.layout.shapes[0].x0 == pair.score
    assert any(f"{pair.score:.2f}" in a.text for a in fig.layout.annotations)


def test_similarity_outside_zero_to_one_is_refused() -> None:
    with pytest.raises(ValueError, match="'depth' is 1.5"):
        similarity_figure({"depth": 1.5})
    with pytest.raises(ValueError):
        similarity_figure({"depth": math.nan})


def test_diff_map_colours_added_removed_and_level_changes() -> None:
    before = _site("s", ("gp", "sw", "co_located"), ("mh", "sw", "interface"))
    after = before.replace(
        units=[*UNITS[:2], UNITS[2].model_copy(update={"name": "Adult social work"}),
               Unit(id="hub", name="Front door", kind="hub")],
        links=[Link(id="l0", source="gp", target="sw", level="fully_merged"),
               Link(id="l2", source="hub", target="mh", level="interface")])
    unit_status, link_status = diff_statuses(diff_sites(before, after))
    assert unit_status == {"hub": "added", "sw": "changed"}
    assert link_status == {"l2": "added", "l1": "removed", "l0": "level_up"}
    elements = diff_elements(before, after, {}, unit_status, link_status)
    status = {e["data"]["id"]: e["data"]["diff"] for e in elements}
    assert status == {"gp": "same", "mh": "same", "sw": "changed", "hub": "added",
                      "l0": "level_up", "l2": "added", "l1": "removed"}
    removed = next(e for e in elements if e["data"]["id"] == "l1")
    assert removed["data"]["source"] == "mh" and "diff-removed" in removed["classes"]
    assert all(e["data"].get("parent") is None for e in elements)  # no compound boxes


def test_diff_stylesheet_has_a_rule_per_status_in_its_colour() -> None:
    rules = {r["selector"]: r["style"] for r in diff_stylesheet()}
    for status, colour in DIFF_COLOURS.items():
        assert rules[f"edge.diff-{status}"]["line-color"] == colour
        assert rules[f"node.diff-{status}"]["border-color"] == colour


def test_names_in_figures_show_as_text_not_markup() -> None:
    name = "<a href='javascript:alert(1)'>Team</a>"
    trace = sector_pair_heatmap(level_matrix({"primary_care+social_care": {name: "interface"}})).data[0]
    assert "<a" not in trace.x[0] and "&lt;a href=" in trace.x[0]
    fig = similarity_figure({"basis": 1.0}, title=f"{name} and B")
    assert "<a" not in fig.layout.title.text
