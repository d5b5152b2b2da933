"""Nothing lost: the working copy outlives a detour, a reload and a server restart; honest edits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from dash.testing.wait import until
from selenium.common.exceptions import NoAlertPresentException, UnexpectedAlertPresentException

from integramap import edit
from integramap.store import Store
from integramap.web import create_app
from integramap.web.map import ids as mid

from conftest import downloaded, shared_file
from test_web_browser import by_id, click, cy_eval, dom_id, open_every_box, open_map, set_value, settled, show_tab, shown_text, \
    text_of, type_into

SITE = "northvale-camhs"


def accept_leaving(dash_duo: Any) -> None:
    """Say yes to "leave this page?" (asked because there are unsaved changes) if the browser asks."""
    try:
        dash_duo.driver.switch_to.alert.accept()
    except NoAlertPresentException:
        pass


def go_to(dash_duo: Any, url: str) -> None:
    """Load an address as a person typing it would, answering the unsaved-changes question."""
    try:
        dash_duo.driver.get(url)
    except UnexpectedAlertPresentException:
        accept_leaving(dash_duo)
    accept_leaving(dash_duo)


def add_team(dash_duo: Any, name: str) -> None:
    show_tab(dash_duo, "Unit")
    type_into(dash_duo, mid.field_id(mid.UNIT_FORM, "name"), name)
    set_value(dash_duo, mid.field_id(mid.UNIT_FORM, "kind"), "team")
    click(dash_duo, mid.UNIT_ADD)


def node_named(dash_duo: Any, name: str) -> str | None:
    found = cy_eval(dash_duo, "var n = cy.nodes().filter(function(n){return n.data('label') === arguments[1];});"
                              "return n.length ? n[0].id() : null;".replace("arguments[1]", repr(name)))
    return found if isinstance(found, str) else None


def shows_units(dash_duo: Any, count: int) -> None:
    """Wait for the map, open the boxes it shows closed (a reopened map plans its detail afresh),
    and wait until ``count`` units show."""
    until(lambda: (cy_eval(dash_duo, "return cy.nodes().length;") or 0) > 0, timeout=20)
    open_every_box(dash_duo)
    until(lambda: (cy_eval(dash_duo, "return cy.nodes().length;") or 0) == count, timeout=20)


def resume_shown(dash_duo: Any) -> bool:
    return bool(dash_duo.driver.execute_script(
        "var b = document.getElementById(arguments[0]); return !!b && !b.hidden;", mid.RESUME_BOX))


def test_a_team_survives_a_detour_a_reload_and_a_restart(dash_duo: Any, store: Store) -> None:
    dash_duo.start_server(create_app(store))
    count = len(store.get(SITE).site.units)
    open_map(dash_duo, SITE, nodes=count)
    add_team(dash_duo, "District Nursing West")
    until(lambda: node_named(dash_duo, "District Nursing West") == "district-nursing-west", timeout=15)
    dash_duo.wait_for_contains_text(f"#{mid.STATUS}", "unsaved", timeout=15)
    assert dash_duo.driver.execute_script("return window.integramapUnsaved;") is True

    # To another page of the app and back: the team is there, still unsaved, and nothing is asked.
    dash_duo.driver.execute_script(
        "Array.from(document.querySelectorAll('.nav-link')).find(a => a.textContent == 'Typology').click();")
    until(lambda: "/typology" in dash_duo.driver.current_url, timeout=15)
    dash_duo.wait_for_element("#typology-message, #typology-code", timeout=20)
    dash_duo.driver.back()
    until(lambda: "/map" in dash_duo.driver.current_url, timeout=15)
    shows_units(dash_duo, count + 1)
    dash_duo.wait_for_contains_text(f"#{mid.STATUS}", "unsaved changes", timeout=15)
    settled(dash_duo)
    assert not resume_shown(dash_duo)

    # A reload: the team is kept and resuming is offered; resume carries on.
    dash_duo.driver.refresh()
    accept_leaving(dash_duo)
    shows_units(dash_duo, count + 1)
    until(lambda: resume_shown(dash_duo), timeout=15)
    assert "You have unsaved changes to this site (edited at " in text_of(dash_duo, mid.RESUME_TEXT)
    click(dash_duo, mid.RESUME)
    until(lambda: not resume_shown(dash_duo), timeout=15)
    assert "unsaved changes" in text_of(dash_duo, mid.STATUS)

    # A restart: a new app (and store) on the same database offers it again.
    dash_duo.server.stop()
    dash_duo.server.started = False
    with Store(store.url) as again:
        go_to(dash_duo, "about:blank")
        dash_duo.start_server(create_app(again), navigate=False)
        go_to(dash_duo, f"{dash_duo.server.url}/map?site={SITE}")
        shows_units(dash_duo, count + 1)
        until(lambda: resume_shown(dash_duo), timeout=15)
        assert node_named(dash_duo, "District Nursing West") == "district-nursing-west"
        # Discarding goes back to the saved revision.
        click(dash_duo, mid.RESUME_DISCARD)
        until(lambda: cy_eval(dash_duo, "return cy.nodes().length;") == count, timeout=15)
        dash_duo.wait_for_contains_text(f"#{mid.STATUS}", "all changes saved", timeout=15)
        assert not resume_shown(dash_duo)
        assert dash_duo.driver.execute_script("return window.integramapUnsaved;") is False


def test_a_second_link_between_two_units_is_refused_with_an_offer_to_edit_the_first(dash_duo: Any,
                                                                                   store: Store) -> None:
    site = store.get(SITE).site
    first = site.links[0]
    source, target = site.unit(first.source), site.unit(first.target)
    dash_duo.start_server(create_app(store))
    open_map(dash_duo, SITE, nodes=len(site.units))
    show_tab(dash_duo, "Link")
    set_value(dash_duo, mid.field_id(mid.LINK_FORM, "source"), first.target)
    set_value(dash_duo, mid.field_id(mid.LINK_FORM, "target"), first.source)
    set_value(dash_duo, mid.field_id(mid.LINK_FORM, "level"), "fully_merged")
    click(dash_duo, mid.LINK_ADD)
    target_error = dom_id(mid.error_id(mid.LINK_FORM, "target"))
    until(lambda: "already linked" in shown_text(dash_duo, target_error), timeout=15)
    assert f"{source.name} and {target.name} are already linked" in text_of(dash_duo, target_error)
    assert "Not added" in text_of(dash_duo, mid.LINK_MESSAGE)
    assert "unsaved" not in text_of(dash_duo, mid.STATUS)
    offer = dom_id({"type": mid.LINK_OPEN_EXISTING, "link": first.id})
    click(dash_duo, offer)
    dash_duo.wait_for_contains_text(f"#{mid.LINK_EDITING}", f"Editing {source.name} ↔ {target.name}", timeout=15)
    level = dom_id(mid.field_id(mid.LINK_FORM, "level"))
    until(lambda: first.level.label.casefold() in shown_text(dash_duo, level).casefold(), timeout=15)


def test_an_empty_site_shows_how_to_begin_and_the_first_organisation_is_followed(dash_duo: Any,
                                                                                 store: Store) -> None:
    store.save(edit.new_site("blank", "Blank place"), author="Test", message="new", base=None)
    app = create_app(store)
    dash_duo.start_server(app)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/map?site=blank")
    dash_duo.wait_for_contains_text(f"#{mid.START_BOX}", "This map is empty", timeout=15)
    assert "Download the template" in text_of(dash_duo, mid.START_BOX)
    click(dash_duo, mid.START_ORGANISATION)
    kind = dom_id(mid.field_id(mid.UNIT_FORM, "kind"))
    until(lambda: "organisation" in shown_text(dash_duo, kind).casefold(), timeout=15)
    type_into(dash_duo, mid.field_id(mid.UNIT_FORM, "name"), "Northvale Community Trust")
    click(dash_duo, mid.UNIT_ADD)
    until(lambda: node_named(dash_duo, "Northvale Community Trust") == "northvale-community-trust", timeout=15)
    until(lambda: not by_id(dash_duo, mid.START_BOX).is_displayed(), timeout=15)
    # The picker lists units by name, never by id.
    show_tab(dash_duo, "Link")
    by_id(dash_duo, dom_id(mid.field_id(mid.LINK_FORM, "source"))).click()
    until(lambda: any(o.text.strip() == "Northvale Community Trust"
                      for o in dash_duo.driver.find_elements("css selector", ".dash-dropdown-option")), timeout=15)
    assert not any("northvale-community-trust" in o.text
                   for o in dash_duo.driver.find_elements("css selector", ".dash-dropdown-option"))
    # The view moved to the new unit: it is inside the visible area.
    assert in_view(dash_duo, "northvale-community-trust")
    # A unit added while another is selected goes beside it, kept in the site, and is brought into view.
    show_tab(dash_duo, "Unit")
    cy_eval(dash_duo, "cy.getElementById('northvale-community-trust').emit('tap'); return 1;")
    until(lambda: "Editing Northvale Community Trust" in shown_text(dash_duo, mid.UNIT_EDITING), timeout=15)
    settled(dash_duo)
    type_into(dash_duo, mid.field_id(mid.UNIT_FORM, "name"), "District Nursing West")
    set_value(dash_duo, mid.field_id(mid.UNIT_FORM, "kind"), "team")
    set_value(dash_duo, mid.field_id(mid.UNIT_FORM, "org_type"), None)
    click(dash_duo, mid.UNIT_ADD)
    form = "return document.querySelector('.form').innerText;"
    until(lambda: node_named(dash_duo, "District Nursing West") == "district-nursing-west"
          or "Not changed" in shown_text(dash_duo, mid.UNIT_MESSAGE), timeout=15)
    assert "Not changed" not in shown_text(dash_duo, mid.UNIT_MESSAGE), dash_duo.driver.execute_script(form)
    person = dash_duo.driver.get_cookie("integramap_person")["value"]
    draft = app.server.extensions["integramap"].drafts.get(person, "blank")
    trust = draft.site.unit("northvale-community-trust")
    team = draft.site.unit("district-nursing-west")
    assert team.attributes.position is not None
    until(lambda: in_view(dash_duo, "district-nursing-west"), timeout=15)
    assert trust.attributes.position is None, "the first unit had nothing to go beside"


def in_view(dash_duo: Any, unit_id: str) -> bool:
    return cy_eval(dash_duo, f"var n = cy.getElementById('{unit_id}'); var e = cy.extent(); var p = n.position();"
                             "return p.x >= e.x1 && p.x <= e.x2 && p.y >= e.y1 && p.y <= e.y2;") is True


def test_an_empty_site_starts_from_the_national_files_of_a_borough(dash_duo: Any, store: Store) -> None:
    shared_file("nhs-reference", "practice_pcn_lookup_2024.csv")
    shared_file("nhs-reference", "lsoa21_to_lad.csv")
    store.save(edit.new_site("lambeth", "Lambeth"), author="Test", message="new", base=None)
    dash_duo.start_server(create_app(store))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/map?site=lambeth")
    dash_duo.wait_for_contains_text(f"#{mid.START_BOX}", "Start from the national NHS files", timeout=15)
    until(lambda: dash_duo.driver.execute_script(
        "return !!document.querySelector('#" + mid.START_AREA + "');"), timeout=15)
    settled(dash_duo, 30)
    set_value(dash_duo, mid.START_AREA, "lad:E09000022")
    click(dash_duo, mid.START_IMPORT)
    dash_duo.wait_for_contains_text(f"#{mid.STATUS}", "unsaved changes", timeout=120)
    until(lambda: (cy_eval(dash_duo, "return cy.nodes().length;") or 0) > 0, timeout=20)
    open_every_box(dash_duo)  # a borough's practices open at a coarser level of detail
    until(lambda: (cy_eval(dash_duo, "return cy.nodes().length;") or 0) > 10, timeout=20)
    progress = dash_duo.driver.execute_script("return document.getElementById(arguments[0]).textContent;",
                                              mid.START_PROGRESS)
    assert "Building the map of Lambeth (Borough or district)" in progress
    assert store.get("lambeth").site.units == [], "nothing is stored until the map is saved"


def test_without_the_national_files_the_start_says_which_are_missing(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from integramap.demo import REFERENCE_DATA_ENV, DemoDataError
    from integramap.web.map.start import area_choices

    monkeypatch.setenv(REFERENCE_DATA_ENV, str(tmp_path))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(DemoDataError) as err:
        area_choices()
    text = err.value.for_people()
    assert "practice → PCN lookup" in text and str(tmp_path) not in text


def test_an_empty_site_starts_from_the_spreadsheet_template_or_a_site_file(dash_duo: Any, store: Store,
                                                                          tmp_path: Path) -> None:
    store.save(edit.new_site("blank", "Blank place"), author="Test", message="new", base=None)
    dash_duo.start_server(create_app(store))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/map?site=blank")
    dash_duo.wait_for_contains_text(f"#{mid.START_BOX}", "Fill in the spreadsheet template", timeout=15)
    click(dash_duo, mid.START_TEMPLATE)
    template = downloaded(dash_duo.download_path, ".xlsx", timeout=30)
    assert template.name == "integramap-site-template.xlsx" and template.stat().st_size > 1000
    filled = tmp_path / "blank.yaml"
    filled.write_text("id: blank\nname: Blank place\nunits:\n  - {id: trust, name: Vale Trust, kind: organisation}\n"
                      "  - {id: crisis, name: Crisis team, kind: team, parent: trust}\n", encoding="utf-8")
    upload = dash_duo.driver.execute_script(
        f"return document.querySelector('#{mid.START_UPLOAD} input[type=file]');")
    upload.send_keys(str(filled))
    until(lambda: cy_eval(dash_duo, "return cy.nodes().length;") == 2, timeout=20)
    dash_duo.wait_for_contains_text(f"#{mid.STATUS}", "unsaved changes", timeout=15)
    until(lambda: not by_id(dash_duo, mid.START_BOX).is_displayed(), timeout=15)
