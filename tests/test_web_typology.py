"""The Typology page in a browser: the borough's code, its figures, and the downloads."""

from __future__ import annotations

import json

import pytest

from integramap.analysis.typology import describe_site
from integramap.io.sitefile import read_site
from integramap.store import Store
from integramap.web import create_app

from conftest import MODELS, downloaded

pytestmark = pytest.mark.browser

BOROUGH = "riverside-borough"


def test_borough_shows_its_code_figures_and_challenges(dash_duo, store: Store) -> None:
    expected = describe_site(read_site(MODELS / f"{BOROUGH}.yaml"))
    dash_duo.start_server(create_app(store))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/typology?site={BOROUGH}")
    dash_duo.wait_for_text_to_equal("#typology-code", expected.code, timeout=20)
    parts = dash_duo.find_element("#typology-code-parts").text
    assert "geographically based" in parts and "serves adults and older people" in parts
    panel = dash_duo.find_element("#typology-panel").text
    assert "Leutz degree: full integration" in panel and "Rainbow Model scope" in panel
    # The radar and the level bars are drawn.
    dash_duo.wait_for_element("#typology-radar .main-svg .scatterlayer, #typology-radar .polarlayer")
    bars = dash_duo.find_elements("#typology-levels .bars .point")
    assert len(bars) == 6
    challenges = dash_duo.find_elements("#typology-challenges li.challenge")
    assert len(challenges) == len(expected.structural_challenges) > 0
    assert "Pooled management on separate IT" in dash_duo.find_element("#typology-challenges").text
    assert dash_duo.get_logs() == []


def test_downloads_markdown_json_and_word(dash_duo, store: Store) -> None:
    expected = describe_site(read_site(MODELS / f"{BOROUGH}.yaml"))
    dash_duo.start_server(create_app(store))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/typology?site={BOROUGH}")
    dash_duo.wait_for_text_to_equal("#typology-code", expected.code, timeout=20)
    folder = dash_duo.download_path

    dash_duo.find_element("#typology-download-md").click()
    markdown = downloaded(folder, ".md").read_text(encoding="utf-8")
    assert markdown.startswith("# Integration model: Riverside Borough")
    assert expected.code in markdown

    dash_duo.find_element("#typology-download-json").click()
    data = json.loads(downloaded(folder, ".json").read_text(encoding="utf-8"))
    assert data["code"] == expected.code and data["basis"]["value"] == "geographic"

    dash_duo.find_element("#typology-download-docx").click()
    from docx import Document

    # The Word paper draws its map and figures on the server first: the page says so at once, and the
    # page stays in view meanwhile (no spinner over it).
    dash_duo.wait_for_contains_text("#typology-preparing", "Preparing the Word board paper", timeout=10)
    assert dash_duo.find_element("#typology-code").is_displayed()
    document = Document(str(downloaded(folder, ".docx", timeout=90)))
    dash_duo.wait_for_text_to_equal("#typology-preparing", "", timeout=30)
    text = "\n".join(p.text for p in document.paragraphs)
    cells = " ".join(c.text for t in document.tables for row in t.rows for c in row.cells)
    assert expected.code in text + cells
    assert document.tables
    assert len(document.inline_shapes) >= 1, "the paper holds the map picture"


def test_unknown_site_and_bad_revision_show_a_message(dash_duo, store: Store) -> None:
    dash_duo.start_server(create_app(store))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/typology?site=nowhere")
    dash_duo.wait_for_contains_text("#typology-message", "No site called 'nowhere'", timeout=20)
    assert not dash_duo.find_element("#typology-body").is_displayed()
    dash_duo.wait_for_page(f"{dash_duo.server_url}/typology?site={BOROUGH}&revision=seven")
    dash_duo.wait_for_contains_text("#typology-message", "expected a whole number", timeout=20)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/typology?site={BOROUGH}&revision=9")
    dash_duo.wait_for_contains_text("#typology-message", "has no revision 9", timeout=20)


def test_names_with_markup_render_as_text(dash_duo, store: Store) -> None:
    site = read_site(MODELS / f"{BOROUGH}.yaml")
    evil = "<img src=x onerror=\"window.__xss=1\">"
    units = [u.model_dump(mode="json") for u in site.units]
    units[0]["name"] = evil
    store.save(site.replace(id="evil", name=f"Evil {evil}", units=units), author="Tester", message="", base=None)
    dash_duo.start_server(create_app(store))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/typology?site=evil")
    dash_duo.wait_for_contains_text("#typology-title", evil, timeout=20)
    assert dash_duo.find_elements("#typology-title img") == []
    assert dash_duo.driver.execute_script("return window.__xss === undefined") is True
