"""The Boundaries page in a browser: choose two layers, read the verdict, click a finding, download."""

from __future__ import annotations

import csv
import io
import threading
from pathlib import Path

import pytest
from conftest import FIXTURES, MODELS, downloaded
from test_figures_boundaries import grid_site
from dash.testing.wait import until

from integramap.analysis.boundaries import analyse
from integramap.demo import DEMOS, REFERENCE_DATA_ENV, Demo
from integramap.io.sitefile import read_site
from integramap.store import Store
from integramap.web import create_app
from integramap.web.boundaries.findings import findings

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("boundaries_pages")]

BOROUGH = "riverside-borough"


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

    # "show on map" opens the Map page on the PCN and its neighbours.
    dash_duo.find_element("#boundaries-selection a.show-on-map").click()
    until(lambda: "/map" in dash_duo.driver.current_url, 10)
    dash_duo.wait_for_contains_text("#map-focus", "Riverbend PCN", timeout=20)
    until(lambda: dash_duo.driver.execute_script(
        "const el = document.querySelector('#map-cy'); const cy = el && (el._cyreg || el.firstChild._cyreg);"
        "return cy && cy.cy.nodes('.focus').length === 1 && cy.cy.getElementById('pcn-riverbend').length === 1"
        " && cy.cy.getElementById('lcn-north').length === 0;"), 20)
    assert dash_duo.get_logs() == []


def graph_data(dash_duo, graph: str) -> list[dict]:
    return dash_duo.driver.execute_script(
        f"const g = document.querySelector('#{graph} .js-plotly-plot'); return g ? g.data : null;") or []


def test_site_with_shapes_draws_the_map_offline_and_highlights_a_straddler(dash_duo, store: Store) -> None:
    store.save(grid_site(), author="Tester", message="", base=None)
    dash_duo.start_server(create_app(store))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/boundaries?site=grid")
    dash_duo.wait_for_contains_text("#boundaries-verdict", "1 of 2 PCNs lies within one LCN", timeout=20)
    dash_duo.wait_for_element("#boundaries-map .choroplethlayer path", timeout=20)
    fills = dash_duo.find_elements("#boundaries-map .choroplethlayer path")
    assert len(fills) == 4
    assert not dash_duo.find_element("#boundaries-demo-box").is_displayed()
    # Nothing was asked of any other server: no base map, no tiles.
    outside = dash_duo.driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
        ".filter(n => !n.startsWith(location.origin));")
    assert outside == []

    row = next(r for r in dash_duo.find_elements("#boundaries-table tr.finding-row") if "Straddle" in r.text)
    row.click()
    def pb_stands_out() -> bool:
        data = {t.get("name"): t for t in graph_data(dash_duo, "boundaries-map")}
        return (data.get("PCN B", {}).get("marker", {}).get("opacity", 0)
                > data.get("PCN A", {}).get("marker", {}).get("opacity", 1))
    until(pb_stands_out, 10)
    north = next(t for t in graph_data(dash_duo, "boundaries-map") if t.get("name") == "North LCN")
    assert north["line"]["color"] == "#d62728"
    assert dash_duo.get_logs() == []


def test_a_large_site_is_analysed_in_the_background_with_progress(dash_duo, store: Store,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import integramap.web.boundaries.data as data
    import integramap.web.boundaries.page as page

    monkeypatch.setattr(page, "BACKGROUND_UNITS", 10)
    seen = threading.Event()

    def held_analyse(*args, **kwargs):  # runs on only once the test has seen the progress bar
        seen.wait(timeout=60)
        return analyse(*args, **kwargs)
    monkeypatch.setattr(data, "analyse", held_analyse)
    dash_duo.start_server(create_app(store))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/boundaries?site={BOROUGH}")
    try:
        dash_duo.wait_for_contains_text("#boundaries-progress", "Analysing the boundaries", timeout=30)
    finally:
        seen.set()
    dash_duo.wait_for_contains_text("#boundaries-verdict", "3 of 4 PCNs lie within one LCN", timeout=30)
    assert dash_duo.find_element("#boundaries-progress").text == ""


def test_demo_button_builds_the_demo_and_opens_its_boundaries(dash_duo, store: Store, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    # The fixture is a made-up ICB of two boroughs, standing in for south-east London.
    vale = Demo(name="south-east-london", title="Vale: practices, PCNs and districts", icb="QZZ",
                lad_codes=("E09000901", "E09000902"), description="A made-up ICB.")
    monkeypatch.setitem(DEMOS, "south-east-london", vale)
    monkeypatch.setenv(REFERENCE_DATA_ENV, str(FIXTURES / "demo"))
    monkeypatch.chdir(tmp_path)
    dash_duo.start_server(create_app(store))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/boundaries?site={BOROUGH}")
    dash_duo.wait_for_contains_text("#boundaries-verdict", "PCNs", timeout=20)
    assert dash_duo.find_element("#boundaries-demo-box").is_displayed()  # the borough has no shapes
    dash_duo.find_element("#boundaries-demo-button").click()
    until(lambda: "site=south-east-london" in dash_duo.driver.current_url, 30)
    assert "a=pcn" in dash_duo.driver.current_url and "b=local_authority" in dash_duo.driver.current_url
    dash_duo.wait_for_contains_text("#boundaries-title", "Vale", timeout=20)
    dash_duo.wait_for_element("#boundaries-map .choroplethlayer path", timeout=20)
    names = [t.get("name") for t in graph_data(dash_duo, "boundaries-map")]
    assert "Boroughs" in names and "Wards" in names
    assert store.exists("south-east-london") and store.get("south-east-london").site.metadata["overlays"]


def test_demo_without_its_files_says_which_and_where_to_get_them(dash_duo, store: Store, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(REFERENCE_DATA_ENV, str(tmp_path / "nothing-here"))
    monkeypatch.chdir(tmp_path)
    dash_duo.start_server(create_app(store))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/")
    dash_duo.wait_for_element("#sites-demo-button").click()
    dash_duo.wait_for_contains_text("#sites-demo-message", "public reference files not found", timeout=10)
    message = dash_duo.find_element("#sites-demo-message").text
    assert "practice → PCN lookup" in message and "geoportal.statistics.gov.uk" in message
    assert "docs/demo.md" not in message and "nothing-here" not in message, "no paths on a page"
    assert not store.exists("south-east-london")
    assert dash_duo.get_logs() == []


def test_unknown_site_is_said_on_the_page(dash_duo, store: Store) -> None:
    dash_duo.start_server(create_app(store))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/boundaries?site=nowhere")
    dash_duo.wait_for_contains_text("#boundaries-message", "No site called 'nowhere'", timeout=20)
    assert not dash_duo.find_element("#boundaries-body").is_displayed()
    assert dash_duo.get_logs() == []


def test_findings_of_a_site_without_links_group_the_unmanaged_pairs() -> None:
    from integramap.analysis.boundaries import analyse
    from integramap.io import read_site
    from integramap.web.boundaries.findings import findings

    site = read_site(FIXTURES / "boundaries_borough.yaml")
    bare = site.model_copy(update={"links": []})
    report = analyse(bare, "pcn", "lcn")
    assert len(report.unmanaged_interfaces) > 1
    rows = findings(report)
    unmanaged = [f for f in rows if f.kind == "unmanaged_interface"]
    assert len(unmanaged) == 1 and unmanaged[0].detail.startswith("No links recorded yet: every PCN–LCN pair")
    kinds = [f.kind for f in rows]
    assert kinds.index("straddle") < kinds.index("unmanaged_interface")
