"""The History page in a browser: revisions listed, restore as a new revision, compare two, download one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from dash.testing.wait import until

from conftest import MODELS
from integramap.io.sitefile import site_to_data
from integramap.store import Store
from integramap.web import create_app
from integramap.web.history.page import compare_href, revision_rows

pytestmark = pytest.mark.browser

BOROUGH = "riverside-borough"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(data_dir=tmp_path / "data") as s:
        s.seed(MODELS)
        first = s.get(BOROUGH)
        renamed = first.site.replace(name="Riverside Borough (renamed)", links=first.site.links[1:])
        s.save(renamed, author="Ben Osei", message="Dropped a link <b>for now</b>", base=1)
        yield s


def _tick(dash_duo, number: int) -> None:
    """Tick the row of a revision number in the table."""
    rows = dash_duo.find_elements("#history-table tbody tr")
    for row in rows:
        cells = row.find_elements("css selector", "td")
        if len(cells) > 1 and cells[1].text.strip() == str(number):
            cells[0].find_element("css selector", "input[type=checkbox]").click()
            return
    raise AssertionError(f"no row for revision {number}")


def _open(dash_duo, store: Store) -> None:
    dash_duo.start_server(create_app(store))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/history?site={BOROUGH}")
    dash_duo.wait_for_contains_text("#history-table", "Ben Osei", timeout=20)


def test_history_lists_revisions_newest_first(dash_duo, store: Store) -> None:
    _open(dash_duo, store)
    text = dash_duo.find_element("#history-table").text
    assert text.index("Ben Osei") < text.index("integramap")
    assert "Dropped a link <b>for now</b>" in text  # user text shows as typed
    assert dash_duo.find_elements("#history-table b") == []
    assert dash_duo.find_element("#history-title").text == "Riverside Borough (renamed) — history"


def test_restore_makes_a_new_revision_equal_to_the_old_one(dash_duo, store: Store) -> None:
    _open(dash_duo, store)
    _tick(dash_duo, 1)
    dash_duo.wait_for_text_to_equal("#history-single-info", "Revision 1")
    dash_duo.find_element("#history-author").send_keys("Chris Tan")
    dash_duo.find_element("#history-restore-message").send_keys("the link is back")
    dash_duo.find_element("#history-restore").click()
    dash_duo.wait_for_contains_text("#history-result", "Revision 1 restored as revision 3", timeout=20)
    # The table refreshes with the new revision; nothing was removed.
    dash_duo.wait_for_contains_text("#history-table", "Chris Tan")
    history = store.history(BOROUGH)
    assert [r.number for r in history] == [3, 2, 1]
    assert history[0].author == "Chris Tan" and history[0].message == "Restored revision 1: the link is back"
    assert site_to_data(store.get(BOROUGH, 3).site) == site_to_data(store.get(BOROUGH, 1).site)
    assert site_to_data(store.get(BOROUGH, 2).site) != site_to_data(store.get(BOROUGH, 1).site)


def test_restore_needs_a_name(dash_duo, store: Store) -> None:
    _open(dash_duo, store)
    _tick(dash_duo, 1)
    dash_duo.wait_for_text_to_equal("#history-single-info", "Revision 1")
    dash_duo.find_element("#history-restore").click()
    dash_duo.wait_for_contains_text("#history-result", "Your name is needed", timeout=10)
    assert store.latest(BOROUGH) == 2


def test_view_and_download_one_revision(dash_duo, store: Store) -> None:
    _open(dash_duo, store)
    _tick(dash_duo, 1)
    dash_duo.wait_for_text_to_equal("#history-single-info", "Revision 1")
    detail = dash_duo.find_element("#history-single-info-detail").text
    assert "integramap" in detail and "G-AO-" in detail
    link = dash_duo.find_element("#history-typology-link").get_attribute("href")
    assert link.endswith(f"/typology?site={BOROUGH}&revision=1")
    dash_duo.find_element("#history-download-yaml").click()
    folder = Path(dash_duo.download_path)
    until(lambda: any(p.stat().st_size for p in folder.glob("*.yaml")), 10)
    data = yaml.safe_load(next(folder.glob("*.yaml")).read_text(encoding="utf-8"))
    assert data == site_to_data(store.get(BOROUGH, 1).site)


def test_two_ticked_revisions_open_compare_with_them(dash_duo, store: Store) -> None:
    _open(dash_duo, store)
    _tick(dash_duo, 2)
    _tick(dash_duo, 1)
    dash_duo.wait_for_text_to_equal("#history-pair-title", "Revisions 1 and 2")
    dash_duo.find_element("#history-compare").click()
    dash_duo.wait_for_contains_text("#compare-diff", "What changed from Revision 1 to Revision 2", timeout=30)
    assert "removed" in dash_duo.find_element("#compare-diff .diff-list").text
    assert dash_duo.driver.current_url.endswith(f"/compare?site={BOROUGH}&a=1&b=2")


def test_no_site_and_unknown_site(dash_duo, store: Store) -> None:
    dash_duo.start_server(create_app(store))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/history")
    dash_duo.wait_for_contains_text("#history-message", "Choose a site", timeout=20)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/history?site=nowhere")
    dash_duo.wait_for_contains_text("#history-message", "No site called 'nowhere'", timeout=20)


def test_rows_and_compare_link_without_a_browser(store: Store) -> None:
    rows = revision_rows(store.history(BOROUGH))
    assert [r["number"] for r in rows] == [2, 1]
    assert rows[0]["base"] == "revision 1" and rows[1]["base"] == "new site"
    assert compare_href(BOROUGH, 2, 1) == f"/compare?site={BOROUGH}&a=1&b=2"
