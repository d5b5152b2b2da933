"""WCAG 2.2 A/AA on every page: axe-core's audit in headless Chromium, in each state a person reaches.

Each test opens a page with Riverside Borough (or another example) and audits it as it first shows,
then again with a form open, an error shown, a dropdown open, a row chosen: Dash draws much of
each page only on those steps, and a fault in what it draws then would be missed by one audit.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from accessibility import assert_accessible, audit, axe_version
from conftest import MODELS
from integramap import edit
from integramap.store import Store
from integramap.web import create_app
from integramap.web.accessibility.page import MET, NOT_MET, REPORT, STATEMENT
from integramap.web.common import ids
from integramap.web.map import ids as mid
from integramap.web.map.listview import LIST
from test_web_browser import by_id, click, cy_eval, dom_id, open_map, settled, shown_text, show_tab

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("boundaries_pages")]

BOROUGH = "riverside-borough"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    st = Store(data_dir=Path(tmp_path_factory.mktemp("a11y-store")))
    st.seed(MODELS)
    first = st.get(BOROUGH)
    st.save(first.site.replace(links=first.site.links[1:]), author="Ben Osei", message="Dropped a link", base=1)
    st.save(edit.new_site("empty-site", "An empty site"), author="Test", message="new", base=None)
    yield st
    st.close()


def open_page(dash_duo: Any, path: str, ready: str, timeout: float = 30) -> None:
    """Open a page and wait until the element that says it has loaded is there."""
    dash_duo.wait_for_page(f"{dash_duo.server_url}{path}")
    dash_duo.wait_for_element(ready, timeout=timeout)
    settled(dash_duo, timeout)


def open_dropdown_by_keyboard(dash_duo: Any, dropdown_id: str) -> None:
    """Reach a dropdown with Tab and open it with the Enter key, as a keyboard user does."""
    body = dash_duo.driver.find_element(By.TAG_NAME, "body")
    dash_duo.driver.execute_script("document.activeElement && document.activeElement.blur();")
    body.send_keys(Keys.TAB)
    for _ in range(80):
        if dash_duo.driver.execute_script("return document.activeElement.id;") == dropdown_id:
            break
        dash_duo.driver.switch_to.active_element.send_keys(Keys.TAB)
    else:
        raise AssertionError(f"Tab never reached the dropdown {dropdown_id}")
    dash_duo.driver.switch_to.active_element.send_keys(Keys.ENTER)
    until(lambda: by_id(dash_duo, dropdown_id).get_attribute("aria-expanded") == "true", 10)
    dash_duo.wait_for_element(".dash-dropdown-content", timeout=10)


def close_dropdown(dash_duo: Any) -> None:
    dash_duo.driver.switch_to.active_element.send_keys(Keys.ESCAPE)
    dash_duo.wait_for_no_elements(".dash-dropdown-content", timeout=10)


def test_the_audit_runs_axe_core_and_finds_a_planted_fault(dash_duo: Any, store: Store) -> None:
    # The audit must be able to fail: an image with no text alternative is a WCAG 1.1.1 violation.
    dash_duo.start_server(create_app(store))
    open_page(dash_duo, "/", "#sites-table table")
    dash_duo.driver.execute_script(
        "var i = document.createElement('img'); i.src = 'data:image/gif;base64,R0lGODlhAQABAAAAACw=';"
        "document.querySelector('main').appendChild(i);")
    found = {v["id"] for v in audit(dash_duo.driver)}
    assert "image-alt" in found
    assert axe_version(dash_duo.driver).startswith("4.")


def test_sites_page_loaded_with_an_error_and_the_site_picker_open(dash_duo: Any, store: Store) -> None:
    dash_duo.start_server(create_app(store))
    open_page(dash_duo, "/", "#sites-table table")
    assert dash_duo.driver.execute_script("return document.documentElement.lang;") == "en-GB"
    assert_accessible(dash_duo.driver, "Sites page")
    click(dash_duo, "new-site-create")  # no name: the field says so
    until(lambda: shown_text(dash_duo, "new-site-name-error") != "", 15)
    assert_accessible(dash_duo.driver, "Sites page, a missing name")
    open_dropdown_by_keyboard(dash_duo, "nav-site")
    assert_accessible(dash_duo.driver, "Sites page, the site picker open")
    close_dropdown(dash_duo)


def test_map_page_loaded_each_editor_tab_an_error_and_a_dropdown_open(dash_duo: Any, store: Store) -> None:
    dash_duo.start_server(create_app(store))
    open_map(dash_duo, BOROUGH)
    assert_accessible(dash_duo.driver, "Map page")
    show_tab(dash_duo, "Unit")
    dash_duo.wait_for_element(f"[id='{dom_id(mid.field_id(mid.UNIT_FORM, 'name'))}']", timeout=15)
    assert_accessible(dash_duo.driver, "Map page, Unit form")
    click(dash_duo, mid.UNIT_ADD)  # no name: the field says so
    name_error = dom_id(mid.error_id(mid.UNIT_FORM, "name"))
    until(lambda: "name is required" in shown_text(dash_duo, name_error), 15)
    assert_accessible(dash_duo.driver, "Map page, Unit form with an error")
    open_dropdown_by_keyboard(dash_duo, dom_id(mid.field_id(mid.UNIT_FORM, "kind")))
    assert_accessible(dash_duo.driver, "Map page, the unit kind list open")
    close_dropdown(dash_duo)
    show_tab(dash_duo, "Link")
    dash_duo.wait_for_element(f"[id='{dom_id(mid.field_id(mid.LINK_FORM, 'level'))}']", timeout=15)
    assert_accessible(dash_duo.driver, "Map page, Link form")
    show_tab(dash_duo, "Save")
    dash_duo.wait_for_element(f"#{mid.SAVE}", timeout=15)
    assert_accessible(dash_duo.driver, "Map page, Save tab")
    # A unit chosen on the map fills the inspector.
    cy_eval(dash_duo, "cy.getElementById('pcn-riverbend').select(); cy.getElementById('pcn-riverbend')"
                      ".emit('tap'); return true;")
    show_tab(dash_duo, "Inspect")
    settled(dash_duo)
    assert_accessible(dash_duo.driver, "Map page, Inspect tab")
    by_id(dash_duo, f"{LIST}-box").find_element(By.TAG_NAME, "summary").click()
    until(lambda: "Riverbend PCN" in shown_text(dash_duo, LIST), 20)
    assert_accessible(dash_duo.driver, "Map page, the map as a list open")


def test_map_page_empty_and_unknown_sites(dash_duo: Any, store: Store) -> None:
    dash_duo.start_server(create_app(store))
    open_page(dash_duo, "/map?site=empty-site", f"#{mid.START_BOX}")
    assert_accessible(dash_duo.driver, "Map page, an empty site")
    open_page(dash_duo, "/map?site=nowhere", f"#{mid.MESSAGE}")
    until(lambda: shown_text(dash_duo, mid.MESSAGE) != "", 15)
    assert_accessible(dash_duo.driver, "Map page, an unknown site")


def test_boundaries_page_loaded_a_finding_chosen_and_a_layer_list_open(dash_duo: Any, store: Store) -> None:
    dash_duo.start_server(create_app(store))
    open_page(dash_duo, f"/boundaries?site={BOROUGH}&a=pcn&b=lcn", "#boundaries-table tr.finding-row")
    dash_duo.wait_for_element("#boundaries-sankey .sankey", timeout=30)
    assert_accessible(dash_duo.driver, "Boundaries page")
    dash_duo.find_elements("#boundaries-table tr.finding-row")[0].click()
    dash_duo.wait_for_element("#boundaries-selection a.show-on-map", timeout=15)
    assert_accessible(dash_duo.driver, "Boundaries page, a finding chosen")
    open_dropdown_by_keyboard(dash_duo, "boundaries-layer-b")
    assert_accessible(dash_duo.driver, "Boundaries page, the layer list open")
    close_dropdown(dash_duo)
    open_page(dash_duo, "/boundaries?site=nowhere", "#boundaries-message")
    until(lambda: shown_text(dash_duo, "boundaries-message") != "", 15)
    assert_accessible(dash_duo.driver, "Boundaries page, an unknown site")


def test_typology_page(dash_duo: Any, store: Store) -> None:
    dash_duo.start_server(create_app(store))
    open_page(dash_duo, f"/typology?site={BOROUGH}", "#typology-radar .main-svg")
    until(lambda: shown_text(dash_duo, "typology-code") != "", 20)
    assert_accessible(dash_duo.driver, "Typology page")


def test_compare_page_sites_and_revisions(dash_duo: Any, store: Store) -> None:
    dash_duo.start_server(create_app(store))
    open_page(dash_duo, "/compare", "#compare-message")
    until(lambda: "Choose two or more sites" in shown_text(dash_duo, "compare-message"), 20)
    assert_accessible(dash_duo.driver, "Compare page, nothing chosen")
    open_page(dash_duo, f"/compare?sites={BOROUGH},eastmoor-icp", "#compare-heatmap .heatmaplayer")
    assert_accessible(dash_duo.driver, "Compare page, two sites")
    open_page(dash_duo, f"/compare?site={BOROUGH}&a=1&b=2", "#compare-diff .diff-list")
    assert_accessible(dash_duo.driver, "Compare page, two revisions")


def test_history_page_one_and_two_revisions_chosen(dash_duo: Any, store: Store) -> None:
    dash_duo.start_server(create_app(store))
    open_page(dash_duo, f"/history?site={BOROUGH}", "#history-table tbody tr")
    assert_accessible(dash_duo.driver, "History page")
    boxes = dash_duo.find_elements("#history-table tbody input[type=checkbox]")
    boxes[-1].click()
    dash_duo.wait_for_text_to_equal("#history-single-info", "Revision 1", timeout=15)
    click(dash_duo, "history-restore")  # no name: the page says so
    dash_duo.wait_for_contains_text("#history-result", "Your name is needed", timeout=15)
    assert_accessible(dash_duo.driver, "History page, one revision chosen and an error")
    dash_duo.find_elements("#history-table tbody input[type=checkbox]")[0].click()
    dash_duo.wait_for_text_to_equal("#history-pair-title", "Revisions 1 and 2", timeout=15)
    assert_accessible(dash_duo.driver, "History page, two revisions chosen")


def test_sharing_and_accessibility_statement_pages(dash_duo: Any, store: Store) -> None:
    dash_duo.start_server(create_app(store))
    open_page(dash_duo, f"/share?site={BOROUGH}", "#share-members p")
    assert_accessible(dash_duo.driver, "Sharing page")
    dash_duo.find_element(f"#{ids.NAV_ACCESSIBILITY}").click()
    dash_duo.wait_for_contains_text(f"#{STATEMENT}", "Reporting a problem", timeout=20)
    statement = dash_duo.find_element(f"#{STATEMENT}").text
    assert all(item in statement for item in (*MET, *NOT_MET, *REPORT))
    assert dash_duo.driver.title == "Accessibility statement · IntegraMap"
    assert_accessible(dash_duo.driver, "Accessibility statement")


FIGURE_TEXT = """
return Array.from(document.querySelectorAll('.js-plotly-plot')).filter(function (plot) {
  return plot.offsetParent !== null;
}).map(function (plot) {
  var image = plot.closest('[role="img"], [role="figure"]');
  var graph = plot.closest('.dash-graph');
  var out = {graph: graph ? graph.id : '', label: '', words: '', shown: false};
  if (!image) { return out; }
  out.label = (image.getAttribute('aria-label') || '').trim();
  (image.getAttribute('aria-describedby') || '').split(/\\s+/).forEach(function (id) {
    var el = id && document.getElementById(id);
    if (el) { out.words += el.textContent.trim(); out.shown = out.shown || el.offsetParent !== null; }
  });
  return out;
});
"""


def figure_texts(dash_duo: Any, at_least: int, where: str) -> list[dict[str, Any]]:
    """Every chart drawn on the page with its name and words; fails naming any chart without them."""
    until(lambda: len(dash_duo.driver.execute_script(FIGURE_TEXT)) >= at_least, 30)
    until(lambda: all(f["words"] for f in dash_duo.driver.execute_script(FIGURE_TEXT)), 30)
    figures: list[dict[str, Any]] = dash_duo.driver.execute_script(FIGURE_TEXT)
    for f in figures:
        assert f["label"], f"{where}: the chart {f['graph'] or '(no id)'} is not an image or figure with a name"
        assert f["words"] and f["shown"], f"{where}: the chart {f['graph'] or '(no id)'} has no words beside it"
    return figures


def test_every_chart_has_words_tied_to_it(dash_duo: Any, store: Store) -> None:
    dash_duo.start_server(create_app(store))
    open_page(dash_duo, f"/typology?site={BOROUGH}", "#typology-levels .main-svg")
    charts = figure_texts(dash_duo, 2, "Typology page")
    levels = next(f for f in charts if f["graph"] == "typology-levels")
    assert f"{len(store.get(BOROUGH).site.links)} links in all" in levels["words"]

    open_page(dash_duo, f"/boundaries?site={BOROUGH}&a=pcn&b=lcn", "#boundaries-sankey .sankey")
    charts = figure_texts(dash_duo, 2, "Boundaries page")
    assert {"boundaries-heatmap", "boundaries-sankey"} <= {f["graph"] for f in charts}
    assert any("Riverbend PCN" in f["words"] for f in charts)
    # Choosing a finding redraws the charts: their words stay tied to them.
    dash_duo.find_elements("#boundaries-table tr.finding-row")[0].click()
    dash_duo.wait_for_element("#boundaries-selection a.show-on-map", timeout=15)
    figure_texts(dash_duo, 2, "Boundaries page, a finding chosen")

    open_page(dash_duo, f"/compare?sites={BOROUGH},eastmoor-icp", "#compare-heatmap .heatmaplayer")
    charts = figure_texts(dash_duo, 2, "Compare page, two sites")
    assert any("overall similarity" in f["words"] for f in charts)
    open_page(dash_duo, f"/compare?site={BOROUGH}&a=1&b=2", "#compare-diff .diff-list")
    figure_texts(dash_duo, 2, "Compare page, two revisions")
