"""The descriptor and comparisons as Markdown pages."""

from __future__ import annotations

import re

import pytest

from conftest import FIXTURES
from integramap.analysis.compare import compare_sites
from integramap.analysis.typology import describe_site
from integramap.io import read_site
from integramap.io.export_markdown import (comparison_to_markdown, descriptor_to_markdown, markdown_table,
                                           summary_sentences)
from integramap.model import Site, validate_site


@pytest.fixture(scope="module")
def borough() -> Site:
    return read_site(FIXTURES / "typology_borough.yaml")


def table_rows(md: str) -> list[list[str]]:
    """Every table row split into cells on unescaped pipes."""
    rows = []
    for line in md.splitlines():
        if line.startswith("| "):
            rows.append([c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]])
    return rows


def test_descriptor_page_has_the_sections_a_board_paper_needs(borough: Site) -> None:
    md = descriptor_to_markdown(describe_site(borough))
    headings = [line for line in md.splitlines() if line.startswith("#")]
    assert headings == ["# Integration model: Small Borough", "## At a glance", "## Sectors joined",
                        "## Depth: links by level", "## Rainbow Model (Valentijn)", "## Boundary alignment",
                        "## Unmanaged interfaces", "## Ambition: links below their target", "## Structural challenges", "## Definitions"]
    assert "Typology code: **`G-AO-4S-FM/HV-R4fn-C0.75`**" in md
    assert "Small Borough is a geographically based model" in md
    assert "| Highest level | fully merged (Leutz: full integration) |" in md
    assert "| PCN with LCN | 75% | 67% | 1 | 0 | 0 | 0 |" in md
    assert "Cross PCN (North LCN / South LCN)" in md
    assert "**pooled management on separate IT**: North Community MH Team" in md
    assert "| North Community MH Team – North Adult Social Care | pooled management |" in md


def test_every_table_row_has_as_many_cells_as_its_header(borough: Site) -> None:
    md = descriptor_to_markdown(describe_site(borough))
    lines = md.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("| ---"):
            width = len(table_rows(lines[i - 1])[0])
            j = i + 1
            while j < len(lines) and lines[j].startswith("| "):
                assert len(table_rows(lines[j])[0]) == width, lines[j]
                j += 1


def test_hostile_names_cannot_break_tables_or_run_as_formulas() -> None:
    site = validate_site({
        "id": "s", "name": "=cmd|' /C calc'!A0",
        "units": [{"id": "a", "name": "@evil|team second line", "kind": "team", "sectors": ["acute"],
                   "population_types": ["+tag|x"]},
                  {"id": "b", "name": "<script>alert(1)</script>", "kind": "team", "sectors": ["acute"]}],
        "links": [{"id": "l", "source": "a", "target": "b", "level": "co_located",
                   "target_level": "fully_merged", "facets": {"estates": "separate"}}],
    })
    md = descriptor_to_markdown(describe_site(site))
    assert md.splitlines()[0] == "# Integration model: '=cmd\\|' /C calc'!A0".replace("\\|", "|")
    assert "<script>" not in md
    assert "| '@evil\\|team second line – &lt;script&gt;alert(1)&lt;/script&gt; |" in md
    assert "'+tag\\|x (1)" in md
    for row in table_rows(md):
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@")) or set(cell) == {"-"}


def test_markdown_table_escapes_headers_and_cells() -> None:
    assert markdown_table(["a|b"], [["=x"]]).splitlines() == ["| a\\|b |", "| --- |", "| '=x |"]


def test_comparison_page_shows_sites_side_by_side_and_the_diff(borough: Site) -> None:
    data = borough.model_dump(mode="json")
    data["links"][1]["level"] = "fully_merged"
    after = validate_site(data)
    md = comparison_to_markdown(compare_sites([borough, after], labels=["before", "after"]))
    assert md.startswith("# Comparison of integration models")
    assert "| Typology code | G-AO-4S-FM/HV-R4fn-C0.75 | G-AO-4S-FM/HV-R4fn-C0.75 |" in md
    assert "| mental health + social care | pooled management | fully merged |" in md
    assert "## Changes from before to after" in md
    assert "| link changed | l-mh-asc | mh-north – asc-north | level pooled management → fully merged (up) |" in md
    assert "| before – after | " in md
    assert "1 level up, 0 down" in md


def test_comparison_of_different_sites_has_no_diff_section(borough: Site) -> None:
    other = validate_site({"id": "other", "name": "Other", "units": [{"id": "x", "name": "X", "kind": "team"}]})
    md = comparison_to_markdown(compare_sites([borough, other]))
    assert "## Changes" not in md
    assert "| Site | Small Borough | Other |" in md
    assert "| primary care + mental health | interface | — |" in md


def test_the_breadth_sentence_accounts_for_every_link() -> None:
    riverside = read_site(FIXTURES.parent.parent / "models" / "riverside-borough.yaml")
    d = describe_site(riverside)
    sentence = next(s for s in summary_sentences(d) if "within one tier of care" in s)
    counted = [int(n) for n in re.findall(r"(\d+) links?", sentence)]
    assert sum(counted) == len(riverside.links) == sum(d.depth.distribution.values())
    assert d.breadth.outside_tiers >= 1
    assert "an end in no tier of care" in sentence
