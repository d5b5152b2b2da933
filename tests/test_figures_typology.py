"""The Typology page's figures: facet depths on the radar, level bars in order and colour."""

from __future__ import annotations

import pytest

from integramap.model import FACET_SCALES, Level, Link, Site, Unit
from integramap.figures.typology import (
    FACET_TITLES,
    facet_depths,
    facet_radar_figure,
    level_counts,
    level_distribution_figure,
)
from integramap.layout.vocabulary import LEVEL_COLOURS


def _site(*facets: dict[str, str]) -> Site:
    units = [Unit(id=f"u{i}", name=f"Unit {i}", kind="team") for i in range(len(facets) + 1)]
    links = [Link(id=f"l{i}", source=f"u{i}", target=f"u{i + 1}", level="co_located", facets=f)
             for i, f in enumerate(facets)]
    return Site(id="s", name="S", units=units, links=links)


def test_facet_depths_cover_every_facet_in_scale_order() -> None:
    depths = facet_depths(_site())
    assert [d.facet for d in depths] == list(FACET_SCALES)
    assert all(d.recorded == 0 and d.highest is None and d.highest_share == 0.0 for d in depths)


def test_highest_and_typical_are_recorded_values_with_shares_of_the_scale() -> None:
    site = _site({"finance": "separate"}, {"finance": "aligned"}, {"finance": "single_budget"},
                 {"finance": "pooled_budget", "clinical": "joint_assessment"})
    depths = {d.facet: d for d in facet_depths(site)}
    finance = depths["finance"]
    assert finance.recorded == 4
    assert finance.highest == "single_budget" and finance.highest_share == 1.0
    # Lower median of separate, aligned, pooled_budget, single_budget.
    assert finance.typical == "aligned" and finance.typical_share == pytest.approx(1 / 3)
    clinical = depths["clinical"]
    assert clinical.highest == clinical.typical == "joint_assessment"
    assert clinical.highest_share == pytest.approx(2 / 4)
    assert depths["it"].recorded == 0


def test_radar_values_are_percentages_closed_around_the_facets() -> None:
    site = _site({"estates": "co_located", "it": "workaround"}, {"estates": "separate"})
    fig = facet_radar_figure(facet_depths(site))
    highest, typical = fig.data
    titles = [FACET_TITLES[f] for f in FACET_SCALES]
    assert list(highest.theta) == [*titles, titles[0]]
    values = dict(zip(highest.theta, highest.r))
    assert values["Estates"] == 100 and values["IT"] == pytest.approx(100 / 3) and values["Finance"] == 0
    typical_values = dict(zip(typical.theta, typical.r))
    assert typical_values["Estates"] == 0  # lower median of separate and co-located
    assert highest.r[0] == highest.r[-1]
    assert "not recorded" in highest.text[1]  # finance


def test_level_counts_fill_missing_levels_and_refuse_unknown_ones() -> None:
    rows = level_counts({Level.FULLY_MERGED: 2, "interface": 5})
    assert [lv for lv, _ in rows] == list(Level)
    assert dict((str(lv), n) for lv, n in rows) == {
        "interface": 5, "closer_working": 0, "co_located": 0, "pooled_management": 0,
        "merged_governance": 0, "fully_merged": 2}
    with pytest.raises(ValueError, match="unknown integration level.*'merged'"):
        level_counts({"merged": 1})


def test_level_bars_are_in_level_order_in_the_map_colours() -> None:
    fig = level_distribution_figure({"merged_governance": 4, "interface": 14, "co_located": 1})
    bar = fig.data[0]
    assert list(bar.x) == ["interface", "closer working", "co-located", "pooled management",
                           "merged governance", "fully merged"]
    assert list(bar.y) == [14, 0, 1, 0, 4, 0]
    assert list(bar.marker.color) == [LEVEL_COLOURS[level] for level in Level]
    assert list(fig.layout.xaxis.categoryarray) == list(bar.x)
