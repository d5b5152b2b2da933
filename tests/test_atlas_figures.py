"""The Atlas page's chart says in words what it draws, and its table reads without colour or sight."""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import FIXTURES

from integramap.analysis.atlas import Atlas, atlas
from integramap.io.nhs import import_nhs
from integramap.web.atlas.figures import (
    COLUMNS, LOW_SHARE, icb_table, ranked_figure, ranked_summary, short_name,
)
from integramap.web.common.colour import contrast_ratio

LAYERS = ("local_authority", "place")


@pytest.fixture(scope="module")
def found() -> Atlas:
    """The fictional lookup: two ICBs, one with PCNs across districts and sub-ICB locations."""
    return atlas(import_nhs(practices=FIXTURES / "nhs" / "practice_pcn_lookup.csv",
                            lsoa_lad=FIXTURES / "nhs" / "lsoa21_to_lad.csv"))


def walk(component: Any) -> Iterator[Any]:
    """A Dash component and everything inside it, depth first."""
    yield component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children]:
        if child is not None and not isinstance(child, (str, int, float)):
            yield from walk(child)


def text(component: Any) -> str:
    """The words inside a component, as a screen reader meets them (hidden text included)."""
    words = []
    for node in walk(component):
        children = getattr(node, "children", None)
        words += [c for c in (children if isinstance(children, list) else [children]) if isinstance(c, str)]
    return "".join(words)


@pytest.mark.parametrize("layer", LAYERS)
def test_the_ranked_charts_words_say_what_it_draws(found: Atlas, layer: str) -> None:
    figure = ranked_figure(found, layer)
    bars, diamonds = figure.data
    words = " ".join(ranked_summary(found, layer))
    # The lowest ICB named in the words is the chart's first bar, at the share the words give.
    lowest = re.search(r"Lowest: (.+?), (\d+)% by people", words)
    assert lowest is not None, words
    assert bars.y[0].startswith(short_name(lowest.group(1))) and round(bars.x[0]) == int(lowest.group(2))
    # The middle ICB is the bars' median; the ICBs with every PCN inside one are the diamonds at 100%.
    middle = re.search(r"the middle ICB keeps (\d+)%", words)
    assert middle is not None and int(middle.group(1)) == round(statistics.median(bars.x))
    whole = re.search(r"(\d+|No) ICBs? (?:has|have) every PCN", words)
    assert whole is not None
    assert int(whole.group(1).replace("No", "0")) == sum(1 for x in diamonds.x if x >= 100)
    # Every ICB the chart draws is in the table beside it, by the same name.
    assert {short_name(e.name) for e in found.icbs} == {y.rsplit(" (", 1)[0] for y in bars.y}


def test_the_ranked_charts_words_agree_in_number(found: Atlas) -> None:
    words = " ".join(ranked_summary(found))
    assert "only 2 of its 3 PCNs lie wholly within one district" in words
    assert "1 PCN crosses district boundaries, counted in each ICB it reaches" in words
    # The made-up country of the Atlas page's tests: Vale has 1 of its 2 PCNs inside one district.
    demo = FIXTURES / "demo" / "nhs-reference"
    vale = " ".join(ranked_summary(atlas(import_nhs(practices=demo / "practice_pcn_lookup_2099.csv",
                                                    lsoa_lad=demo / "lsoa21_to_lad.csv"))))
    assert "only 1 of its 2 PCNs lies wholly within one district" in vale


def test_the_charts_bars_and_diamonds_stand_out(found: Atlas) -> None:
    figure = ranked_figure(found)
    bars, diamonds = figure.data
    background = figure.layout.plot_bgcolor
    assert contrast_ratio(bars.marker.color, background) >= 3  # WCAG 1.4.11, graphics
    # A diamond drawn over a bar is told from it by its white outline.
    assert contrast_ratio(diamonds.marker.line.color, bars.marker.color) >= 3
    assert diamonds.marker.line.width > 0


def test_a_low_share_is_marked_in_words_and_stripes_not_by_colour_alone(found: Atlas) -> None:
    table = icb_table(found, "la_people", False)
    shares = [c for c in COLUMNS if c.kind == "share"]
    assert shares
    rows = list(table.children[1].children)
    assert len(rows) == len(found.icbs)
    low_cells = 0
    for row in rows:
        entry = next(e for e in found.icbs if row.id == f"atlas-row-{e.code}")
        for column, cell in zip(COLUMNS, row.children, strict=False):
            if column.kind != "share":
                continue
            low = float(column.value(entry)) < LOW_SHARE
            bar = next(n for n in walk(cell) if "atlas-bar" in str(getattr(n, "className", "")).split())
            assert ("low" in bar.className.split()) is low, (entry.code, column.key)
            assert ("below 90%" in text(cell)) is low, (entry.code, column.key)
            low_cells += low
    assert low_cells > 0, "the fixture has a PCN across districts, so some share is low"


def test_the_table_says_how_it_is_sorted_and_names_each_open_button(found: Atlas) -> None:
    table = icb_table(found, "practices", True)
    heads = list(table.children[0].children.children)
    sorts = {text(h).strip(): getattr(h, "aria-sort", None) for h in heads}
    assert sorts["Practices ▼"] == "descending"
    assert [k for k, v in sorts.items() if v] == ["Practices ▼"]
    arrows = [n for n in walk(heads[1]) if getattr(n, "children", None) == " ▼"]
    assert [getattr(a, "aria-hidden") for a in arrows] == ["true"]  # the arrow is not read out as a glyph
    assert text(heads[-1]) == "Open as a site"  # the buttons' column has a header, for screen readers only
    for row in table.children[1].children:
        assert row.children[0]._type == "Th" and row.children[0].scope == "row"
        button = row.children[-1].children
        entry = next(e for e in found.icbs if row.id == f"atlas-row-{e.code}")
        assert button.children == "Open" and getattr(button, "aria-label") == f"Open {short_name(entry.name)}"
    ascending = icb_table(found, "name", False)
    assert getattr(ascending.children[0].children.children[0], "aria-sort") == "ascending"
