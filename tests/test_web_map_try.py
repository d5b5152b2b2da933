"""Trying a change on the Map page, in headless Chromium: record, see the figures, keep, reopen, apply."""

from __future__ import annotations

from typing import Any

from dash.testing.wait import until

from integramap.store import Store
from integramap.web import create_app
from integramap.web.map import ids as mid
from integramap.web.map.scenario import OFF_LABEL, ON_LABEL

from conftest import downloaded
from test_web_browser import by_id, click, cy_eval, open_map, set_value, settled, shown_text, show_tab, type_into

SITE = "riverside-borough"
SOUTHERN = ("p11", "p12")
"""Riverbend PCN's two practices in South LCN's footprint (see docs/scenarios.md)."""


def start_trying(dash_duo: Any, store: Store) -> None:
    dash_duo.start_server(create_app(store))
    open_map(dash_duo, SITE, nodes=len(store.get(SITE).site.units))
    click(dash_duo, mid.TRY_TOGGLE)
    until(lambda: shown_text(dash_duo, mid.TRY_TOGGLE) == ON_LABEL, timeout=20)
    until(lambda: "No edit yet" in shown_text(dash_duo, mid.TRY_FIGURES), timeout=20)


def move(dash_duo: Any, unit: str, to: str, edits_after: int) -> None:
    """Choose a unit on the map, give it another "Part of" and press Save changes, as a manager would."""
    settled(dash_duo)
    cy_eval(dash_duo, f"cy.getElementById('{unit}').emit('tap'); return 1;")
    show_tab(dash_duo, "Unit")
    until(lambda: shown_text(dash_duo, mid.UNIT_EDITING).startswith("Editing"), timeout=20)
    set_value(dash_duo, mid.field_id(mid.UNIT_FORM, "parent"), to)
    click(dash_duo, mid.UNIT_UPDATE)
    until(lambda: dash_duo.driver.execute_script(
        "return document.querySelectorAll('#' + arguments[0] + ' li').length;", mid.TRY_STEPS) == edits_after,
        timeout=20)


def marked(dash_duo: Any, element_id: str) -> bool:
    return bool(cy_eval(dash_duo, f"return cy.getElementById('{element_id}').hasClass('tried-changed');"))


def test_moving_the_southern_practices_shows_the_straddle_gone_and_leaves_the_map(dash_duo: Any,
                                                                                   store: Store) -> None:
    start_trying(dash_duo, store)
    move(dash_duo, "p11", "pcn-south", 1)
    until(lambda: "Riverbend PCN: " in shown_text(dash_duo, mid.TRY_FIGURES), timeout=20)
    # One practice moved: Riverbend still straddles, with another split.
    assert "no longer straddles" not in shown_text(dash_duo, mid.TRY_FIGURES)
    move(dash_duo, "p12", "pcn-south", 2)
    until(lambda: "Riverbend PCN no longer straddles two LCNs" in shown_text(dash_duo, mid.TRY_FIGURES),
          timeout=20)
    figures = shown_text(dash_duo, mid.TRY_FIGURES)
    assert "75.0% → 100.0% of PCNs wholly within one LCN" in figures
    assert "C0.90" in figures and "C1.00" in figures
    # The map draws the change, marked, and the working copy is untouched.
    until(lambda: marked(dash_duo, "p11") and marked(dash_duo, "pcn-riverbend"), timeout=20)
    assert cy_eval(dash_duo, "return cy.getElementById('p11').parent().id();") == "pcn-south"
    assert "unsaved" not in shown_text(dash_duo, mid.STATUS)
    # Taking an edit back brings the straddle back; stopping leaves the map as it was.
    click(dash_duo, mid.TRY_UNDO)
    until(lambda: "no longer straddles" not in shown_text(dash_duo, mid.TRY_FIGURES)
          and "Riverbend PCN: " in shown_text(dash_duo, mid.TRY_FIGURES), timeout=20)
    click(dash_duo, mid.TRY_TOGGLE)
    until(lambda: shown_text(dash_duo, mid.TRY_TOGGLE) == OFF_LABEL, timeout=20)
    until(lambda: cy_eval(dash_duo, "return cy.getElementById('p11').parent().id();") == "pcn-riverbend",
          timeout=20)
    assert not marked(dash_duo, "p11")
    assert store.get(SITE).site.unit("p11").parent == "pcn-riverbend"
    assert "Traceback" not in dash_duo.driver.page_source


def test_a_change_is_kept_reopened_compared_and_applied_as_a_revision(dash_duo: Any, store: Store) -> None:
    before = store.get(SITE)
    start_trying(dash_duo, store)
    for count, unit in enumerate(SOUTHERN, start=1):
        move(dash_duo, unit, "pcn-south", count)
    type_into(dash_duo, mid.TRY_NAME, "Southern practices join Southgate")
    type_into(dash_duo, mid.TRY_AUTHOR, "A. Manager")
    click(dash_duo, mid.TRY_KEEP)
    until(lambda: "Kept as" in shown_text(dash_duo, mid.TRY_KEPT_MESSAGE), timeout=20)
    kept = store.list_scenarios(SITE)
    assert [(s.name, s.edits, s.base, s.author) for s in kept] == [
        ("Southern practices join Southgate", 2, before.number, "A. Manager")]
    assert "100%" in shown_text(dash_duo, mid.TRY_COMPARE)  # the kept change beside the map now
    # The board paper's section, as Markdown and as Word.
    click(dash_duo, mid.TRY_EXPORT_MD)
    paper = downloaded(dash_duo.download_path, ".md", timeout=30).read_text(encoding="utf-8")
    assert paper.startswith("# What if: Southern practices join Southgate")
    assert "Riverbend PCN no longer straddles two LCNs." in paper and "| PCNs across LCNs | 1 | 0 |" in paper
    click(dash_duo, mid.TRY_EXPORT_DOCX)
    assert downloaded(dash_duo.download_path, ".docx", timeout=30).read_bytes()[:2] == b"PK"
    # Stop, start again, and reopen the kept change.
    click(dash_duo, mid.TRY_TOGGLE)
    until(lambda: shown_text(dash_duo, mid.TRY_TOGGLE) == OFF_LABEL, timeout=20)
    click(dash_duo, mid.TRY_TOGGLE)
    until(lambda: "Southern practices join Southgate" in shown_text(dash_duo, mid.TRY_COMPARE), timeout=20)
    set_value(dash_duo, mid.TRY_KEPT, "Southern practices join Southgate")
    click(dash_duo, mid.TRY_OPEN)
    until(lambda: "Riverbend PCN no longer straddles two LCNs" in shown_text(dash_duo, mid.TRY_FIGURES),
          timeout=20)
    assert by_id(dash_duo, mid.TRY_NAME).get_attribute("value") == "Southern practices join Southgate"
    # Apply it: a new revision, by the person named, with both practices moved.
    click(dash_duo, mid.TRY_APPLY)
    until(lambda: f"revision {before.number + 1}" in shown_text(dash_duo, mid.MESSAGE), timeout=20)
    saved = store.get(SITE)
    assert saved.number == before.number + 1 and saved.author == "A. Manager"
    assert {saved.site.unit(u).parent for u in SOUTHERN} == {"pcn-south"}
    assert "Southern practices join Southgate" in saved.message
    until(lambda: shown_text(dash_duo, mid.TRY_TOGGLE) == OFF_LABEL, timeout=20)
    assert f"Revision {saved.number} · all changes saved" in shown_text(dash_duo, mid.STATUS)
    assert cy_eval(dash_duo, "return cy.getElementById('p11').parent().id();") == "pcn-south"


def test_applying_after_someone_else_saved_is_refused_with_the_conflict(dash_duo: Any, store: Store) -> None:
    start_trying(dash_duo, store)
    move(dash_duo, "p11", "pcn-south", 1)
    current = store.get(SITE)
    store.save(current.site.model_copy(update={"name": "Riverside (renamed elsewhere)"}), author="Someone else",
               message="meanwhile", base=current.number)
    type_into(dash_duo, mid.TRY_AUTHOR, "A. Manager")
    click(dash_duo, mid.TRY_APPLY)
    until(lambda: "Not applied" in shown_text(dash_duo, mid.TRY_APPLY_RESULT), timeout=20)
    assert "Someone else" in shown_text(dash_duo, mid.TRY_APPLY_RESULT)
    assert store.get(SITE).number == current.number + 1
    assert store.get(SITE).site.unit("p11").parent == "pcn-riverbend"


def test_a_link_level_and_a_merge_are_recorded_and_the_link_is_marked(dash_duo: Any, store: Store) -> None:
    start_trying(dash_duo, store)
    settled(dash_duo)
    # A link chosen on the map, its level raised in the Link tab.
    cy_eval(dash_duo, "cy.getElementById('lcn-north-pcn-north').emit('tap'); return 1;")
    show_tab(dash_duo, "Link")
    until(lambda: shown_text(dash_duo, mid.LINK_EDITING).startswith("Editing"), timeout=20)
    set_value(dash_duo, mid.field_id(mid.LINK_FORM, "level"), "pooled_management")
    click(dash_duo, mid.LINK_UPDATE)
    until(lambda: "Change the link North Riverside Local Care Network ↔ Kingsmere and Elmstead PCN: level "
          "pooled management" in shown_text(dash_duo, mid.TRY_STEPS), timeout=20)
    until(lambda: marked(dash_duo, "lcn-north-pcn-north"), timeout=20)
    assert store.get(SITE).site.link("lcn-north-pcn-north").level == "interface"
    # Two LCNs merged from the panel: the typology code and the LCN figures change.
    set_value(dash_duo, mid.TRY_MERGE_UNITS, ["lcn-south", "lcn-central"])
    type_into(dash_duo, mid.TRY_MERGE_NAME, "South and Central LCN")
    click(dash_duo, mid.TRY_MERGE)
    until(lambda: "Merge South Riverside Local Care Network, Central Riverside Local Care Network as "
          "South and Central LCN" in shown_text(dash_duo, mid.TRY_STEPS), timeout=20)
    until(lambda: "Central Riverside Local Care Network (removed)" in shown_text(dash_duo, mid.TRY_FIGURES),
          timeout=20)
    until(lambda: cy_eval(dash_duo, "return cy.getElementById('lcn-central').length;") == 0, timeout=20)
    assert {u.id for u in store.get(SITE).site.units} >= {"lcn-central", "lcn-south"}


def test_leaving_for_another_page_while_trying_asks_first(dash_duo: Any, store: Store) -> None:
    start_trying(dash_duo, store)
    move(dash_duo, "p11", "pcn-south", 1)
    driver = dash_duo.driver
    until(lambda: driver.execute_script("return window.integramapTrying === true;"), timeout=20)
    # The manager answers "stay": the page and the tried change remain.
    driver.execute_script("window.asked = 0; window.confirm = function () { window.asked += 1; return false; };")
    driver.execute_script("document.querySelector('a[href^=\"/boundaries\"]').click();")
    assert driver.execute_script("return window.asked;") == 1
    assert "/map" in driver.current_url
    assert dash_duo.driver.execute_script(
        "return document.querySelectorAll('#' + arguments[0] + ' li').length;", mid.TRY_STEPS) == 1
    # "Leave": the app changes page as usual.
    driver.execute_script("window.confirm = function () { window.asked += 1; return true; };")
    driver.execute_script("document.querySelector('a[href^=\"/boundaries\"]').click();")
    until(lambda: "/boundaries" in driver.current_url, timeout=20)
    assert driver.execute_script("return window.asked;") == 2
