"""The web app in headless Chromium: open, edit, save, conflict, and markup shown as text."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from integramap import edit
from integramap.store import Store
from integramap.web import create_app
from integramap.web.map import ids as mid

from conftest import MODELS

SCRIPT_NAME = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    data = tmp_path_factory.mktemp("web-store")
    st = Store(data_dir=Path(data))
    st.seed(MODELS)
    site = edit.add_unit(edit.new_site("xss", "Markup test"), {"id": "x", "name": SCRIPT_NAME, "kind": "team"})
    st.save(site, author="Test", message="markup", base=None)
    yield st
    st.close()


def dom_id(component_id: dict[str, str]) -> str:
    """How Dash writes a pattern-matching id into the page."""
    return json.dumps(component_id, sort_keys=True, separators=(",", ":"))


def cy_eval(dash_duo: Any, expression: str) -> Any:
    return dash_duo.driver.execute_script(
        "var c = document.getElementById(arguments[0]); if (!c) return null;"
        "var reg = c._cyreg || (c.firstChild && c.firstChild._cyreg); if (!reg) return null;"
        "var cy = reg.cy;" + expression, mid.CY)


def open_map(dash_duo: Any, site: str, nodes: int | None = None) -> None:
    """Open a site's map; with ``nodes``, open every closed box as a user would, until that many show."""
    dash_duo.wait_for_page(f"{dash_duo.server_url}/map?site={site}")
    until(lambda: (cy_eval(dash_duo, "return cy.nodes().length;") or 0) > 0, timeout=15)
    if nodes is not None:
        open_every_box(dash_duo)
        until(lambda: cy_eval(dash_duo, "return cy.nodes().length;") == nodes, timeout=10)
    # The map paints with the page, and assets/map.js then binds its drag handler on its next tick.
    until(lambda: cy_eval(dash_duo, "return cy._integramapBound === true;"), timeout=5)


def open_every_box(dash_duo: Any) -> None:
    """Open the boxes the map shows closed (as clicking each would), and those inside them."""
    def closed() -> list[str]:
        return list(cy_eval(dash_duo, "return cy.nodes('.collapsed').map(function (n) { return n.id(); });") or [])
    opened: list[str] = []
    while ids := [i for i in closed() if i not in opened]:
        opened += ids
        dash_duo.driver.execute_script("window.dash_clientside.set_props(arguments[0], {data: arguments[1]});",
                                       mid.OPENED, opened)
        until(lambda: not set(closed()) & set(opened), timeout=10)


def set_value(dash_duo: Any, component_id: str | dict[str, str], value: Any) -> None:
    """Set a control's value as a user's choice would (used for dropdowns)."""
    cid = dom_id(component_id) if isinstance(component_id, dict) else component_id
    target: Any = json.loads(cid) if isinstance(component_id, dict) else cid
    dash_duo.driver.execute_script("window.dash_clientside.set_props(arguments[0], {value: arguments[1]});",
                                   target, value)


def type_into(dash_duo: Any, component_id: str | dict[str, str], text: str) -> None:
    cid = dom_id(component_id) if isinstance(component_id, dict) else component_id
    element = by_id(dash_duo, cid)
    # clear() bypasses React, which would then keep the old value: select it and type over it instead.
    element.send_keys(Keys.CONTROL, "a")
    element.send_keys(Keys.DELETE)
    element.send_keys(text)


def by_id(dash_duo: Any, element_id: str) -> Any:
    """An element by its exact id (pattern-matching ids are JSON, awkward in CSS selectors)."""
    element = dash_duo.driver.execute_script("return document.getElementById(arguments[0]);", element_id)
    assert element is not None, f"no element {element_id}"
    return element


def settled(dash_duo: Any, timeout: float = 15) -> None:
    """Wait until the page has no callback in flight: what a user would see before acting again."""
    until(lambda: dash_duo._wait_for_callbacks(), timeout)


def click(dash_duo: Any, element_id: str, timeout: float = 15) -> None:
    """Click a button once the page is settled and the button enabled (a disabled one ignores clicks)."""
    settled(dash_duo, timeout)
    until(lambda: by_id(dash_duo, element_id).is_enabled(), timeout)
    by_id(dash_duo, element_id).click()


def show_tab(dash_duo: Any, label: str) -> None:
    tabs = dash_duo.driver.find_elements(By.CSS_SELECTOR, f"#{mid.TABS} .tab")
    next(t for t in tabs if t.text.strip().replace("\n", " ") == label).click()


def text_of(dash_duo: Any, element_id: str) -> str:
    return str(by_id(dash_duo, element_id).text)


def shown_text(dash_duo: Any, element_id: str) -> str:
    """An element's text, or "" while it is not on the page yet (a tab still opening): for waits."""
    text = dash_duo.driver.execute_script(
        "var e = document.getElementById(arguments[0]); return e ? e.innerText : '';", element_id)
    return str(text or "")


def test_example_site_shows_its_units_links_and_legend(dash_duo: Any, store: Store) -> None:
    dash_duo.start_server(create_app(store))
    site = store.get("riverside-borough").site
    open_map(dash_duo, "riverside-borough", nodes=len(site.units))
    ids = set(cy_eval(dash_duo, "return cy.nodes().map(function(n){return n.id();});"))
    assert ids == set(site.units_by_id)
    edges = cy_eval(dash_duo, "return cy.edges().filter(function(e){return !e.hasClass('target')}).length;")
    assert edges == len(site.links)
    nested = cy_eval(dash_duo, "return cy.nodes(':parent').length;")
    assert nested > 0
    set_value(dash_duo, mid.F_COMPOUND, [])
    until(lambda: cy_eval(dash_duo, "return cy.nodes(':parent').length;") == 0, timeout=10)
    set_value(dash_duo, mid.F_COMPOUND, ["on"])
    until(lambda: cy_eval(dash_duo, "return cy.nodes(':parent').length;") == nested, timeout=10)
    assert "Legend" in text_of(dash_duo, "map-legend")
    assert "Revision 1" in text_of(dash_duo, mid.STATUS)
    dash_duo.wait_for_page(dash_duo.server_url + "/")
    dash_duo.wait_for_contains_text("#sites-table", "Riverside Borough", timeout=10)


def test_add_a_team_and_a_link_save_reload_and_find_them(dash_duo: Any, store: Store) -> None:
    dash_duo.start_server(create_app(store))
    before = store.get("northvale-camhs")
    open_map(dash_duo, "northvale-camhs", nodes=len(before.site.units))
    show_tab(dash_duo, "Unit")
    type_into(dash_duo, mid.field_id(mid.UNIT_FORM, "name"), "Eating disorders team")
    set_value(dash_duo, mid.field_id(mid.UNIT_FORM, "kind"), "team")
    set_value(dash_duo, mid.field_id(mid.UNIT_FORM, "sectors"), ["mental_health"])
    type_into(dash_duo, mid.field_id(mid.UNIT_FORM, "id"), "ed-team")
    settled(dash_duo)
    click(dash_duo, mid.UNIT_ADD)
    until(lambda: cy_eval(dash_duo, "return cy.getElementById('ed-team').length;") == 1, timeout=10)
    assert "unsaved" in text_of(dash_duo, mid.STATUS)
    partner = before.site.units[0].id
    show_tab(dash_duo, "Link")
    set_value(dash_duo, mid.field_id(mid.LINK_FORM, "source"), "ed-team")
    set_value(dash_duo, mid.field_id(mid.LINK_FORM, "target"), partner)
    set_value(dash_duo, mid.field_id(mid.LINK_FORM, "level"), "co_located")
    set_value(dash_duo, mid.field_id(mid.LINK_FORM, "target_level"), "pooled_management")
    settled(dash_duo)
    click(dash_duo, mid.LINK_ADD)
    until(lambda: cy_eval(dash_duo, "return cy.edges('[source = \"ed-team\"]').length;") == 2, timeout=10)
    show_tab(dash_duo, "Save")
    settled(dash_duo)
    # Opening the tab draws its buttons; that must not count as pressing Save or Discard.
    assert text_of(dash_duo, mid.SAVE_RESULT) == "" and "unsaved" in text_of(dash_duo, mid.STATUS)
    type_into(dash_duo, mid.SAVE_AUTHOR, "A. Manager")
    type_into(dash_duo, mid.SAVE_MESSAGE, "Added the eating disorders team")
    click(dash_duo, mid.SAVE)
    dash_duo.wait_for_contains_text(f"#{mid.SAVE_RESULT}", f"revision {before.number + 1}", timeout=10)
    saved = store.get("northvale-camhs")
    assert saved.author == "A. Manager" and saved.site.unit("ed-team").name == "Eating disorders team"
    assert any(lk.source == "ed-team" and lk.target == partner for lk in saved.site.links)
    open_map(dash_duo, "northvale-camhs", nodes=len(saved.site.units))
    assert cy_eval(dash_duo, "return cy.getElementById('ed-team').data('label');") == "Eating disorders team"
    assert f"Revision {saved.number}" in text_of(dash_duo, mid.STATUS)


def test_an_invalid_edit_shows_its_message_beside_the_field(dash_duo: Any, store: Store) -> None:
    dash_duo.start_server(create_app(store))
    count = len(store.get("eastmoor-icp").site.units)
    open_map(dash_duo, "eastmoor-icp", nodes=count)
    show_tab(dash_duo, "Unit")
    set_value(dash_duo, mid.field_id(mid.UNIT_FORM, "kind"), "team")
    settled(dash_duo)
    click(dash_duo, mid.UNIT_ADD)
    name_error = dom_id(mid.error_id(mid.UNIT_FORM, "name"))
    until(lambda: "name is required" in shown_text(dash_duo, name_error), timeout=10)
    assert "Not changed" in text_of(dash_duo, mid.UNIT_MESSAGE)
    assert cy_eval(dash_duo, "return cy.nodes().length;") == count
    assert "Traceback" not in dash_duo.driver.page_source


def test_saving_from_a_stale_revision_shows_the_conflict(dash_duo: Any, store: Store) -> None:
    dash_duo.start_server(create_app(store))
    current = store.get("eastmoor-icp")
    open_map(dash_duo, "eastmoor-icp", nodes=len(current.site.units))
    # Someone else saves while this page has the site open.
    other = edit.update_unit(current.site, current.site.units[0].id, {"description": "changed elsewhere"})
    store.save(other, author="B. Colleague", message="their change", base=current.number)
    show_tab(dash_duo, "Unit")
    type_into(dash_duo, mid.field_id(mid.UNIT_FORM, "name"), "Late team")
    set_value(dash_duo, mid.field_id(mid.UNIT_FORM, "kind"), "team")
    settled(dash_duo)
    click(dash_duo, mid.UNIT_ADD)
    dash_duo.wait_for_contains_text(f"#{mid.STATUS}", "unsaved", timeout=10)
    show_tab(dash_duo, "Save")
    type_into(dash_duo, mid.SAVE_AUTHOR, "A. Manager")
    click(dash_duo, mid.SAVE)
    dash_duo.wait_for_contains_text(f"#{mid.CONFLICT_TEXT}", "Not saved", timeout=10)
    assert "B. Colleague" in text_of(dash_duo, mid.CONFLICT_TEXT)
    assert store.get("eastmoor-icp").number == current.number + 1


def test_a_name_with_markup_is_shown_as_text(dash_duo: Any, store: Store) -> None:
    dash_duo.start_server(create_app(store))
    open_map(dash_duo, "xss", nodes=1)
    assert cy_eval(dash_duo, "return cy.getElementById('x').data('label');") == SCRIPT_NAME
    cy_eval(dash_duo, "cy.getElementById('x').emit('tap'); return 1;")
    dash_duo.wait_for_contains_text(f"#{mid.INSPECT}", SCRIPT_NAME, timeout=10)
    assert dash_duo.driver.execute_script("return document.querySelectorAll('img[src=\"x\"]').length;") == 0
    assert dash_duo.get_logs() in ([], None) or not any("alert" in str(e) for e in dash_duo.get_logs())


def test_a_large_site_is_grouped_and_drills_down_with_a_breadcrumb(dash_duo: Any, store: Store) -> None:
    from test_web_elements import national_like

    site = national_like(n_systems=10, places=5, pcns=10, practices=40)
    store.save(site, author="Test", message="large", base=None)
    dash_duo.start_server(create_app(store))
    open_map(dash_duo, site.id)
    assert cy_eval(dash_duo, "return cy.elements().length;") <= 2000
    assert cy_eval(dash_duo, "return cy.getElementById('gp3-2-4-1').length;") == 0
    # It opens at a level whose names read: click boxes open down to the PCN.
    for box in ("icb3", "pl3-2"):
        if cy_eval(dash_duo, f"return cy.getElementById('{box}').hasClass('collapsed');"):
            cy_eval(dash_duo, f"cy.getElementById('{box}').emit('tap'); return 1;")
            until(lambda: cy_eval(dash_duo, f"return cy.getElementById('{box}').isParent();"), timeout=10)
    collapsed = cy_eval(dash_duo, "return cy.nodes('.collapsed').map(function(n){return n.id();});")
    assert "pcn3-2-4" in collapsed
    target = "pcn3-2-4"
    cy_eval(dash_duo, f"cy.getElementById('{target}').emit('tap'); return 1;")
    until(lambda: cy_eval(dash_duo, f"return cy.nodes('[parent = \"{target}\"]').length;") or 0, timeout=10)
    dash_duo.wait_for_contains_text(f"#{mid.BREADCRUMB}", "ICB 3", timeout=10)
    assert "Place 3.2" in text_of(dash_duo, mid.BREADCRUMB)
    assert cy_eval(dash_duo, "return cy.getElementById('gp3-2-4-1').length;") == 1
    dash_duo.driver.execute_script(
        "Array.from(document.querySelectorAll('.crumb.link')).find(b => b.textContent == 'National').click();")
    until(lambda: cy_eval(dash_duo, "return cy.getElementById('icb7').length;") == 1, timeout=10)


def test_undo_takes_back_an_edit_and_a_bad_upload_changes_nothing(dash_duo: Any, store: Store,
                                                                 tmp_path: Path) -> None:
    dash_duo.start_server(create_app(store))
    count = len(store.get("riverside-borough").site.units)
    open_map(dash_duo, "riverside-borough", nodes=count)
    show_tab(dash_duo, "Unit")
    type_into(dash_duo, mid.field_id(mid.UNIT_FORM, "name"), "Temporary team")
    set_value(dash_duo, mid.field_id(mid.UNIT_FORM, "kind"), "team")
    settled(dash_duo)
    click(dash_duo, mid.UNIT_ADD)
    until(lambda: cy_eval(dash_duo, "return cy.nodes().length;") == count + 1, timeout=10)
    click(dash_duo, mid.UNDO)
    until(lambda: cy_eval(dash_duo, "return cy.nodes().length;") == count, timeout=10)
    show_tab(dash_duo, "Save")
    bad = tmp_path / "broken.yaml"
    bad.write_text("id: x\nname: X\nunits: [{id: a, name: A, kind: castle}]\n", encoding="utf-8")
    upload = dash_duo.driver.execute_script(f"return document.querySelector('#{mid.UPLOAD} input[type=file]');")
    upload.send_keys(str(bad))
    dash_duo.wait_for_contains_text(f"#{mid.UPLOAD_RESULT}", "castle", timeout=10)
    assert cy_eval(dash_duo, "return cy.nodes().length;") == count


def test_a_new_site_is_created_from_the_sites_page_and_opens_on_the_map(dash_duo: Any, store: Store) -> None:
    dash_duo.start_server(create_app(store))
    dash_duo.wait_for_page(dash_duo.server_url + "/")
    dash_duo.wait_for_contains_text("#sites-table", "Riverside", timeout=10)
    click(dash_duo, "new-site-create")
    until(lambda: "required" in shown_text(dash_duo, "new-site-name-error"), timeout=10)
    type_into(dash_duo, "new-site-name", "Brand new place")
    type_into(dash_duo, "new-site-author", "A. Manager")
    click(dash_duo, "new-site-create")
    # No short name given: one is made from the name.
    until(lambda: "/map?site=brand-new-place" in dash_duo.driver.current_url, timeout=10)
    dash_duo.wait_for_contains_text(f"#{mid.TITLE}", "Brand new place", timeout=10)
    assert store.get("brand-new-place").author == "A. Manager"
    show_tab(dash_duo, "Unit")
    type_into(dash_duo, mid.field_id(mid.UNIT_FORM, "name"), "First team")
    set_value(dash_duo, mid.field_id(mid.UNIT_FORM, "kind"), "team")
    settled(dash_duo)
    click(dash_duo, mid.UNIT_ADD)
    until(lambda: cy_eval(dash_duo, "return cy.nodes().length;") == 1, timeout=10)


def test_a_dragged_unit_keeps_its_place_and_arrange_lays_out_again(dash_duo: Any, store: Store) -> None:
    dash_duo.start_server(create_app(store))
    count = len(store.get("northvale-camhs").site.units)
    open_map(dash_duo, "northvale-camhs", nodes=count)
    leaf = cy_eval(dash_duo, "return cy.nodes().filter(function(n){return !n.isParent();})[0].id();")
    cy_eval(dash_duo, f"var n = cy.getElementById('{leaf}'); n.position({{x: 4321, y: -1234}});"
                      "n.emit('dragfree'); return 1;")
    dash_duo.wait_for_contains_text(f"#{mid.STATUS}", "unsaved", timeout=10)
    click(dash_duo, mid.UNDO)
    dash_duo.wait_for_contains_text(f"#{mid.STATUS}", "all changes saved", timeout=10)
    click(dash_duo, mid.REDO)
    dash_duo.wait_for_contains_text(f"#{mid.STATUS}", "unsaved", timeout=10)
    # A redraw plans the map's detail afresh: open what it shows closed before looking for the unit.
    x_of_leaf = f"var n = cy.getElementById('{leaf}'); return n.length ? n.position().x : null;"
    until(lambda: (open_every_box(dash_duo), cy_eval(dash_duo, x_of_leaf))[1] == 4321, timeout=20)
    click(dash_duo, mid.ARRANGE)
    until(lambda: (open_every_box(dash_duo), cy_eval(dash_duo, x_of_leaf))[1] not in (None, 4321), timeout=20)
    assert "Undo arrange the map" == by_id(dash_duo, mid.UNDO).get_attribute("title")
