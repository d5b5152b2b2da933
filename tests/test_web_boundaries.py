"""The Boundaries page in a browser: choose two layers, read the verdict, click a finding, download."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from dash.testing.wait import until

from integramap.analysis.boundaries import analyse
from integramap.io.sitefile import read_site
from integramap.store import Store
from integramap.web.boundary_findings import findings
from integramap.web import create_app

from conftest import MODELS

pytestmark = pytest.mark.browser

BOROUGH = "riverside-borough"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(data_dir=tmp_path / "data") as s:
        s.seed(MODELS)
        yield s


def downloaded(folder: str, suffix: str, timeout: float = 10) -> Path:
    """The file with this suffix once the browser has finished writing it."""
    def done() -> Path | None:
        files = [p for p in Path(folder).glob(f"*{suffix}") if p.stat().st_size > 0]
        return files[0] if files else None
    until(lambda: done() is not None, timeout)
    found = done()
    assert found is not None
    return found


def test_borough_pcn_against_lcn_straddle_highlight_and_csv(dash_duo, store: Store) -> None:
    dash_duo.start_server(create_app(store))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/boundaries?site={BOROUGH}&a=pcn&b=local_authority")
    dash_duo.wait_for_contains_text("#boundaries-verdict", "4 PCNs", timeout=20)
    dash_duo.select_dcc_dropdown("#boundaries-layer-b", value="LCNs (3)")
    dash_duo.wait_for_contains_text("#boundaries-verdict", "3 of 4 PCNs lie within one LCN", timeout=20)
    assert "Riverbend PCN straddles" in dash_duo.find_element("#boundaries-verdict").text
    # The heatmap is drawn with the PCNs down the side.
    dash_duo.wait_for_element("#boundaries-heatmap .heatmaplayer, #boundaries-heatmap .hm")
    assert "Riverbend PCN" in dash_duo.find_element("#boundaries-heatmap").text
    dash_duo.wait_for_element("#boundaries-sankey .sankey")
    rows = dash_duo.find_elements("#boundaries-table tr.finding-row")
    straddle = next(r for r in rows if r.text.startswith("Straddle"))
    assert "Riverbend PCN" in straddle.text and "Central Riverside Local Care Network" in straddle.text

    straddle.click()
    until(lambda: "selected" in (straddle.get_attribute("class") or ""), 10)
    dash_duo.wait_for_contains_text("#boundaries-selection", "Riverbend PCN", timeout=10)
    link = dash_duo.find_element("#boundaries-selection a.show-on-map")
    assert "focus=pcn-riverbend" in link.get_attribute("href")
    # The highlight reaches the figures: the PCN's row is outlined in the heatmap, its flows red.
    until(lambda: dash_duo.driver.execute_script(
        "const g = document.querySelector('#boundaries-heatmap .js-plotly-plot');"
        "return g && g.layout.shapes && g.layout.shapes.length > 0;"), 10)
    colours = dash_duo.driver.execute_script(
        "return document.querySelector('#boundaries-sankey .js-plotly-plot').data[0].link.color;")
    assert any(c.startswith("rgba(214,39,40") for c in colours)

    dash_duo.find_element("#boundaries-download-csv").click()
    text = downloaded(dash_duo.download_path, ".csv").read_text(encoding="utf-8")
    table = list(csv.DictReader(io.StringIO(text)))
    expected = findings(analyse(read_site(MODELS / f"{BOROUGH}.yaml"), "pcn", "lcn"))
    assert [row["kind"] for row in table] == [f.kind for f in expected]
    assert table[0]["kind"] == "straddle"
    assert table[0]["units"].startswith("Riverbend PCN; ") and table[0]["unit_ids"].startswith("pcn-riverbend")
    assert float(table[0]["population"]) == pytest.approx(18220)
    assert dash_duo.get_logs() == []
