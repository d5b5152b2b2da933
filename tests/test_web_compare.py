"""The Compare page in a browser: two example sites, two revisions of one, and the downloads."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from dash.testing.wait import until

from conftest import MODELS, downloaded
from integramap.model import Level, Link, Site, Unit
from integramap.store import Store
from integramap.web import create_app
from integramap.web.common.jobs import JobRunner
from integramap.web.compare import page as compare

pytestmark = pytest.mark.browser

BOROUGH = "riverside-borough"
EASTMOOR = "eastmoor-icp"


def changed_borough(site: Site) -> Site:
    """The borough with a new hub linked in, one link removed and one link's level raised."""
    first, second, *rest = site.links
    hub = Unit(id="front-door", name="Riverside Front Door", kind="hub", sectors=["social_care"])
    return site.replace(
        units=[*site.units, hub],
        links=[first.model_copy(update={"level": Level.FULLY_MERGED}) if first.level != Level.FULLY_MERGED
               else first.model_copy(update={"level": Level.INTERFACE}), *rest,
               Link(id="front-door-link", source="front-door", target=first.source, level="interface")])


def test_two_example_sites_show_heatmap_similarity_and_download(dash_duo, store: Store) -> None:
    dash_duo.start_server(create_app(store))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/compare?sites={BOROUGH},{EASTMOOR}")
    dash_duo.wait_for_element("#compare-heatmap .heatmaplayer", timeout=30)
    names = [store.get(BOROUGH).name, store.get(EASTMOOR).name]
    similarity = dash_duo.find_element("#compare-similarity").text
    assert f"{names[0]} and {names[1]}:" in similarity
    assert "sector pairs joined in common" in similarity  # the components are explained
    bars = dash_duo.find_elements("#compare-similarity .bars .point")
    assert len(bars) == 7
    table = dash_duo.find_element("#compare-table").text
    assert "Typology code" in table and names[0] in table and names[1] in table
    assert not dash_duo.find_elements("#compare-diff")  # two sites, not two revisions

    dash_duo.find_element("#compare-download-md").click()
    markdown = downloaded(dash_duo.download_path, ".md").read_text(encoding="utf-8")
    assert markdown.startswith("# Comparison of integration models")
    assert "## Highest level joining each pair of sectors" in markdown

    dash_duo.find_element("#compare-download-json").click()
    data = json.loads(downloaded(dash_duo.download_path, ".json").read_text(encoding="utf-8"))
    assert data["labels"] == names and len(data["similarity"]) == 1 and data["level_matrix"]
    assert dash_duo.get_logs() == []


def test_choosing_sites_in_the_multi_select(dash_duo, store: Store) -> None:
    dash_duo.start_server(create_app(store))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/compare")
    dash_duo.wait_for_contains_text("#compare-message", "Choose two or more sites", timeout=20)
    dash_duo.select_dcc_dropdown("#compare-sites", value=store.get(BOROUGH).name)
    dash_duo.wait_for_contains_text("#compare-message", "Choose two or more sites")
    dash_duo.find_element("h2.site-title").click()  # a multi-select stays open after a pick
    dash_duo.select_dcc_dropdown("#compare-sites", value=store.get("northvale-camhs").name)
    dash_duo.wait_for_element("#compare-heatmap .heatmaplayer", timeout=30)
    assert "Northvale" in dash_duo.find_element("#compare-table").text


def test_three_sites_offer_each_pair(dash_duo, store: Store) -> None:
    dash_duo.start_server(create_app(store))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/compare?sites={BOROUGH},{EASTMOOR},northvale-camhs")
    dash_duo.wait_for_element("#compare-heatmap .heatmaplayer", timeout=30)
    rows = dash_duo.find_elements("#compare-similarity table")[0].find_elements("css selector", "tbody tr")
    assert len(rows) == 3
    columns = dash_duo.find_elements("#compare-heatmap .xtick")
    assert len(columns) == 3


def test_two_revisions_show_the_diff_and_its_map(dash_duo, store: Store) -> None:
    before = store.get(BOROUGH)
    store.save(changed_borough(before.site), author="Asha Patel", message="Front door hub", base=before.number)
    dash_duo.start_server(create_app(store))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/compare?site={BOROUGH}&a=1&b=2")
    dash_duo.wait_for_element("#compare-diff", timeout=30)
    dash_duo.wait_for_contains_text("#compare-diff", "What changed from Revision 1 to Revision 2")
    diff = dash_duo.find_element("#compare-diff .diff-list").text
    assert "1 unit added" in diff and "1 link added, 1 removed, 1 changed" in diff
    assert "unit Riverside Front Door (hub)" in diff
    assert dash_duo.find_elements("#compare-diff li.diff-removed")
    # The map draws the later revision plus what was removed, coloured by change.
    until(lambda: dash_duo.driver.execute_script(
        "const el = document.querySelector('#compare-diff-map');"
        "const cy = el && (el._cyreg || (el.firstChild && el.firstChild._cyreg));"
        "return cy ? cy.cy.elements().length : 0;") > 0, 20)
    classes = dash_duo.driver.execute_script(
        "const el = document.querySelector('#compare-diff-map');"
        "const cy = (el._cyreg || el.firstChild._cyreg).cy;"
        "const out = {};"
        "for (const s of ['added', 'removed', 'level_up', 'level_down', 'changed', 'same']) {"
        "  out[s] = cy.elements('.diff-' + s).map(e => e.id()); }"
        "return out;")
    assert "front-door" in classes["added"] and "front-door-link" in classes["added"]
    assert before.site.links[1].id in classes["removed"]
    assert before.site.links[0].id in classes["level_up"] + classes["level_down"]
    assert classes["same"]
    # The revision dropdowns show what the address asked for.
    assert dash_duo.find_element("#compare-revision-a").text.startswith("1 ·")
    assert dash_duo.find_element("#compare-revision-b").text.startswith("2 ·")


def test_same_revision_twice_asks_for_two(dash_duo, store: Store) -> None:
    dash_duo.start_server(create_app(store))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/compare?site={BOROUGH}&a=1&b=1")
    dash_duo.wait_for_contains_text("#compare-message", "choose two different revisions", timeout=20)


def test_large_comparison_runs_in_the_background(dash_duo, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(compare, "BACKGROUND_UNITS", 10)
    runner = JobRunner(workers=1)
    monkeypatch.setattr(compare, "default_runner", lambda: runner)
    started = threading.Event()
    release = threading.Event()
    real = compare.run_comparison

    def slow(services, refs, progress=None):  # type: ignore[no-untyped-def]
        progress(0.3, "Loading the sites")
        started.set()
        release.wait(20)
        return real(services, refs, progress)

    monkeypatch.setattr(compare, "run_comparison", slow)
    try:
        dash_duo.start_server(create_app(store))
        dash_duo.wait_for_page(f"{dash_duo.server_url}/compare?sites={BOROUGH},northvale-camhs")
        dash_duo.wait_for_contains_text("#compare-progress", "Comparing 2 models", timeout=20)
        assert started.wait(10)
        dash_duo.wait_for_contains_text("#compare-progress", "Loading the sites", timeout=10)
        release.set()
        dash_duo.wait_for_element("#compare-heatmap .heatmaplayer", timeout=30)
        dash_duo.wait_for_text_to_equal("#compare-progress", "", timeout=10)
    finally:
        release.set()
        runner.shutdown(wait=True)


def test_selection_from_query_and_refs() -> None:
    assert compare.selection_from_query(site="x", a="2", b="4")["mode"] == "revisions"
    assert compare.selection_from_query(site="x")["sites"] == ["x"]
    assert compare.selection_from_query(site="x")["companions"] is True
    assert compare.selection_from_query(site="x", sites="y")["companions"] is False
    assert compare.selection_from_query(site="x", sites="y")["sites"] == ["x", "y"]


def test_arriving_with_one_site_compares_it_with_others_at_once(dash_duo, store: Store) -> None:
    dash_duo.start_server(create_app(store))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/compare?site={BOROUGH}")
    dash_duo.wait_for_element("#compare-heatmap .heatmaplayer", timeout=30)
    table = dash_duo.find_element("#compare-table").text
    names = [s.name for s in store.list_sites()]
    assert store.get(BOROUGH).name in table
    assert sum(name in table for name in names) == 3  # the chosen site and two companions
