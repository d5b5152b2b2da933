"""Keys only: open a site, add a team and a link, save, read the boundary findings, download the board paper.

Every step is a key press (Tab, Enter, Space, arrows, Escape, typing): no click, and no value set
from a script. Tab is pressed until the wanted control has the focus, as a keyboard user would; the
test fails if Tab never reaches it. Two shorter walks: trying a change on the map and keeping it,
and sorting the Atlas table and opening an ICB from it.
"""

from __future__ import annotations

from typing import Any

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from accessibility import assert_accessible
from conftest import downloaded
from integramap.store import Store
from integramap.web import create_app
from integramap.web.common.jobs import JobRunner
from integramap.web.map import ids as mid
from integramap.web.map.listview import LIST, LIST_EDIT_UNIT, LIST_TOGGLE
from integramap.web.map.scenario import ON_LABEL
from test_web_browser import dom_id, settled, shown_text

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("boundaries_pages")]

BOROUGH = "riverside-borough"
MAX_TABS = 150


def keys(dash_duo: Any, *pressed: str) -> None:
    """Press keys on whatever has the focus."""
    ActionChains(dash_duo.driver).send_keys(*pressed).perform()


def focused(dash_duo: Any, script: str) -> bool:
    """Whether the focused element (``el`` in the script) is the one wanted."""
    return bool(dash_duo.driver.execute_script(
        "var el = document.activeElement; return !!el && (" + script + ");"))


def tab_to(dash_duo: Any, script: str, what: str) -> None:
    """Press Tab until the element the script describes has the focus."""
    settled(dash_duo, 30)
    for _ in range(MAX_TABS):
        if focused(dash_duo, script):
            # Where the keyboard is must be visible (WCAG 2.4.7): the focus draws an outline.
            outline = dash_duo.driver.execute_script(
                "var s = getComputedStyle(document.activeElement); return [s.outlineStyle, s.outlineWidth];")
            assert outline[0] != "none" and outline[1] != "0px", f"no visible focus on {what}"
            return
        keys(dash_duo, Keys.TAB)
    raise AssertionError(f"Tab never reached {what}")


def type_field(dash_duo: Any, component_id: dict[str, str] | str, text: str, what: str) -> None:
    """Tab to a text field and type into it, a key at a time as a person types."""
    target = dom_id(component_id) if isinstance(component_id, dict) else component_id
    tab_to(dash_duo, f"el.id === {_js(target)}", what)
    for key in text:
        keys(dash_duo, key)


def choose(dash_duo: Any, component_id: dict[str, str], search: str, what: str, multi: bool = False) -> None:
    """Open a dropdown with Enter, type to narrow its list, arrow down to the first choice, take it.

    A single choice replaces the one there was; a multiple choice adds to them.
    """
    target = dom_id(component_id)
    tab_to(dash_duo, f"el.id === {_js(target)}", what)
    keys(dash_duo, Keys.ENTER)
    until(lambda: dash_duo.driver.execute_script(
        "return document.getElementById(arguments[0]).getAttribute('aria-expanded');", target) == "true", 10)
    # An empty dropdown opens on its search box; one with a value opens on that value, and Home goes
    # up to the search box.
    until(lambda: focused(dash_duo, "el.classList.contains('dash-dropdown-search') || "
                                    "el.classList.contains('dash-options-list-option-checkbox')"), 10)
    if not focused(dash_duo, "el.classList.contains('dash-dropdown-search')"):
        keys(dash_duo, Keys.HOME)
    until(lambda: focused(dash_duo, "el.classList.contains('dash-dropdown-search')"), 10)
    keys(dash_duo, search)
    settled(dash_duo)
    # The list has narrowed to what was typed before the arrow goes down to it.
    until(lambda: dash_duo.driver.execute_script(
        "var q = arguments[0].toLowerCase();"
        "var o = Array.from(document.querySelectorAll('.dash-dropdown-content .dash-options-list-option'));"
        "return o.length > 0 && o.every(function (e) { return e.textContent.toLowerCase().indexOf(q) >= 0; });",
        search), 20)
    keys(dash_duo, Keys.ARROW_DOWN)
    until(lambda: focused(dash_duo, "!el.classList.contains('dash-dropdown-search')"), 20)
    keys(dash_duo, Keys.SPACE)
    if multi:
        keys(dash_duo, Keys.ESCAPE)
    until(lambda: dash_duo.driver.execute_script(
        "return document.getElementById(arguments[0]).getAttribute('aria-expanded');", target) == "false", 10)
    until(lambda: focused(dash_duo, f"el.id === {_js(target)}"), 10)


def _js(text: str) -> str:
    import json

    return json.dumps(text)


def press_button(dash_duo: Any, element_id: str, what: str) -> None:
    tab_to(dash_duo, f"el.id === {_js(element_id)}", what)
    keys(dash_duo, Keys.ENTER)


def open_tab(dash_duo: Any, label: str) -> None:
    tab_to(dash_duo, f"el.getAttribute('role') === 'tab' && el.textContent.trim() === {_js(label)}",
           f"the {label} tab")
    keys(dash_duo, Keys.ENTER)
    until(lambda: focused(dash_duo, "el.getAttribute('aria-selected') === 'true'"), 10)


def follow_link(dash_duo: Any, text: str, path: str) -> None:
    tab_to(dash_duo, f"el.tagName === 'A' && el.textContent.trim().startsWith({_js(text)})", f"the link {text}")
    keys(dash_duo, Keys.ENTER)
    until(lambda: path in dash_duo.driver.current_url, 20)


def test_keyboard_only_walkthrough(dash_duo: Any, store: Store) -> None:
    dash_duo.start_server(create_app(store))
    before = store.get(BOROUGH)
    dash_duo.wait_for_page(dash_duo.server_url + "/")
    dash_duo.wait_for_contains_text("#sites-table", before.name, timeout=20)

    # Open the site from the Sites page.
    follow_link(dash_duo, before.name, f"/map?site={BOROUGH}")
    dash_duo.wait_for_element(f"#{mid.CY} canvas", timeout=30)

    # Add a team.
    open_tab(dash_duo, "Unit")
    type_field(dash_duo, mid.field_id(mid.UNIT_FORM, "name"), "Frailty hub team", "the unit's name")
    choose(dash_duo, mid.field_id(mid.UNIT_FORM, "kind"), "team", "the unit's kind")
    choose(dash_duo, mid.field_id(mid.UNIT_FORM, "sectors"), "community", "the unit's sectors", multi=True)
    type_field(dash_duo, mid.field_id(mid.UNIT_FORM, "id"), "frailty-hub", "the unit's id")
    press_button(dash_duo, mid.UNIT_ADD, "Add unit")
    until(lambda: "unsaved" in shown_text(dash_duo, mid.STATUS), 20)
    assert shown_text(dash_duo, mid.UNIT_MESSAGE).startswith("Done")

    # Link it to Riverbend PCN.
    open_tab(dash_duo, "Link")
    choose(dash_duo, mid.field_id(mid.LINK_FORM, "source"), "Frailty hub", "the link's From")
    choose(dash_duo, mid.field_id(mid.LINK_FORM, "target"), "Riverbend PCN", "the link's To")
    choose(dash_duo, mid.field_id(mid.LINK_FORM, "level"), "co-located", "the link's level")
    press_button(dash_duo, mid.LINK_ADD, "Add link")
    until(lambda: shown_text(dash_duo, mid.LINK_MESSAGE).startswith("Done"), 20)

    # Save it as a new revision.
    open_tab(dash_duo, "Save")
    type_field(dash_duo, mid.SAVE_AUTHOR, "K. Board", "Your name")
    type_field(dash_duo, mid.SAVE_MESSAGE, "Added the frailty hub team", "What changed")
    press_button(dash_duo, mid.SAVE, "Save")
    dash_duo.wait_for_contains_text(f"#{mid.SAVE_RESULT}", f"revision {before.number + 1}", timeout=20)
    saved = store.get(BOROUGH)
    assert saved.author == "K. Board" and saved.site.unit("frailty-hub").name == "Frailty hub team"
    assert saved.site.unit("frailty-hub").kind == "team"
    assert [str(s) for s in saved.site.unit("frailty-hub").sectors] == ["community_health"]
    link = next(lk for lk in saved.site.links if "frailty-hub" in (lk.source, lk.target))
    assert {link.source, link.target} == {"frailty-hub", "pcn-riverbend"} and link.level == "co_located"

    # Read the boundary findings, and choose one.
    follow_link(dash_duo, "Boundaries", "/boundaries")
    dash_duo.wait_for_element("#boundaries-table tr.finding-row", timeout=30)
    tab_to(dash_duo, "el.tagName === 'TR' && el.classList.contains('finding-row')", "the first finding")
    finding = dash_duo.driver.switch_to.active_element.text.split("\n")[0]
    keys(dash_duo, Keys.ENTER)
    until(lambda: shown_text(dash_duo, "boundaries-selection") != "", 20)
    # The choice redraws the figures and their words, and the table with the chosen row marked: read
    # them once the page has settled.
    settled(dash_duo, 30)
    until(lambda: "show on map" in shown_text(dash_duo, "boundaries-selection"), 20)
    until(lambda: finding.split()[0] in shown_text(dash_duo, "boundaries-table"), 20)

    # Download the board paper from the Typology page.
    follow_link(dash_duo, "Typology", "/typology")
    dash_duo.wait_for_element("#typology-download-docx", timeout=30)
    press_button(dash_duo, "typology-download-docx", "the Word board paper")
    from docx import Document

    paper = Document(str(downloaded(dash_duo.download_path, ".docx", timeout=90)))
    text = "\n".join(p.text for p in paper.paragraphs)
    assert saved.name in text


def test_try_a_change_with_the_keyboard_alone(dash_duo: Any, store: Store) -> None:
    """Switch Try a change on, move a practice to another PCN through the unit form, keep the change."""
    dash_duo.start_server(create_app(store))
    before = store.get(BOROUGH)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/map?site={BOROUGH}")
    dash_duo.wait_for_element(f"#{mid.CY} canvas", timeout=30)

    press_button(dash_duo, mid.TRY_TOGGLE, "Try a change")
    until(lambda: shown_text(dash_duo, mid.TRY_TOGGLE) == ON_LABEL, 20)
    until(lambda: "No edit yet" in shown_text(dash_duo, mid.TRY_FIGURES), 20)

    # Find the practice with the map's search, open the map as a list, and edit the practice from it.
    type_field(dash_duo, mid.F_SEARCH, "Marlow Heath", "the map's search")
    tab_to(dash_duo, f"el.id === {_js(LIST_TOGGLE)}", "The map as a list")
    keys(dash_duo, Keys.ENTER)
    until(lambda: "Marlow Heath Medical Centre" in shown_text(dash_duo, LIST), 20)
    edit_p11 = dom_id({"type": LIST_EDIT_UNIT, "unit": "p11"})
    press_button(dash_duo, edit_p11, "Edit Marlow Heath Medical Centre")
    until(lambda: "Marlow Heath" in shown_text(dash_duo, mid.UNIT_EDITING), 20)

    # A new "Part of" is recorded as a move, not made to the map.
    choose(dash_duo, mid.field_id(mid.UNIT_FORM, "parent"), "Southgate", "the unit's Part of")
    press_button(dash_duo, mid.UNIT_UPDATE, "Save changes")
    until(lambda: "Move Marlow Heath Medical Centre to Fenwick and Southgate PCN"
          in shown_text(dash_duo, mid.TRY_STEPS), 20)
    until(lambda: "Riverbend PCN" in shown_text(dash_duo, mid.TRY_FIGURES), 20)
    assert "unsaved" not in shown_text(dash_duo, mid.STATUS)

    # Keep it beside the site, named.
    type_field(dash_duo, mid.TRY_NAME, "Marlow Heath joins Southgate", "Name of the change")
    type_field(dash_duo, mid.TRY_AUTHOR, "K. Board", "Your name")
    press_button(dash_duo, mid.TRY_KEEP, "Keep this change")
    until(lambda: "Kept as" in shown_text(dash_duo, mid.TRY_KEPT_MESSAGE), 20)
    kept = store.list_scenarios(BOROUGH)
    assert [(s.name, s.edits, s.author) for s in kept] == [("Marlow Heath joins Southgate", 1, "K. Board")]
    assert store.get(BOROUGH).number == before.number
    assert store.get(BOROUGH).site.unit("p11").parent == before.site.unit("p11").parent


def test_the_atlas_table_sorts_and_opens_an_icb_with_the_keyboard(
        dash_duo: Any, store: Store, atlas_country: None, atlas_runner: JobRunner) -> None:
    dash_duo.start_server(create_app(store))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/atlas")
    dash_duo.wait_for_contains_text("#atlas-headline", "2 ICBs", timeout=30)

    def order() -> list[str]:
        return list(dash_duo.driver.execute_script(
            "return [...document.querySelectorAll('tr.atlas-row')]"
            ".map(r => r.id.replace('atlas-row-', ''));"))

    def sorted_as() -> str | None:
        return dash_duo.driver.execute_script(
            "return document.querySelector('#atlas-table th:first-child').getAttribute('aria-sort');")

    assert order() == ["QZZ", "QYY"]  # least coterminous first
    sort_by_name = dom_id({"key": "name", "type": "atlas-sort-head"})
    press_button(dash_duo, sort_by_name, "the ICB column's sort button")
    until(lambda: order() == ["QYY", "QZZ"] and sorted_as() == "ascending", 20)
    # The table is drawn again around the button, which keeps the focus: Enter again reverses the order.
    until(lambda: focused(dash_duo, f"el.id === {_js(sort_by_name)}"), 10)
    keys(dash_duo, Keys.ENTER)
    until(lambda: order() == ["QZZ", "QYY"] and sorted_as() == "descending", 20)
    press_button(dash_duo, dom_id({"code": "QYY", "type": "atlas-open"}), "Open Far County")
    until(lambda: "site=england-QYY" in dash_duo.driver.current_url, 30)
    dash_duo.wait_for_contains_text("#boundaries-title", "NHS Far County Integrated Care Board",
                                    timeout=30)


# The editor's other actions, each by keys alone: edit from the list, delete, undo, redo, and a conflict.

def open_borough_map(dash_duo: Any, store: Store) -> None:
    dash_duo.start_server(create_app(store))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/map?site={BOROUGH}")
    dash_duo.wait_for_element(f"#{mid.CY} canvas", timeout=30)


def list_text(dash_duo: Any) -> str:
    return shown_text(dash_duo, LIST)


def open_list_at(dash_duo: Any, search: str) -> None:
    """Narrow the map with its search (and so the list), then open the list with Enter."""
    type_field(dash_duo, mid.F_SEARCH, search, "the map's search")
    value = "return document.getElementById(arguments[0]).value;"
    assert dash_duo.driver.execute_script(value, mid.F_SEARCH) == search
    tab_to(dash_duo, f"el.id === {_js(LIST_TOGGLE)}", "the list's opener")
    keys(dash_duo, Keys.ENTER)
    try:
        until(lambda: search in list_text(dash_duo), 20)
    except Exception as err:
        state = dash_duo.driver.execute_script(
            "var d = document.getElementById(arguments[0]); return [d && d.open, "
            "document.getElementById(arguments[1]).innerText, document.getElementById(arguments[2]).value];",
            f"{LIST}-box", LIST_TOGGLE, mid.F_SEARCH)
        raise AssertionError(f"the list never showed {search!r}: open, summary, search = {state}; "
                             f"list = {list_text(dash_duo)[:300]!r}") from err


def press_named(dash_duo: Any, name: str) -> None:
    """Tab to the control a screen reader names ``name`` and press Enter."""
    tab_to(dash_duo, f"el.getAttribute('aria-label') === {_js(name)}", f"the button “{name}”")
    keys(dash_duo, Keys.ENTER)


def replace_text(dash_duo: Any, text: str) -> None:
    """Select what the focused field holds and type over it."""
    ActionChains(dash_duo.driver).key_down(Keys.CONTROL).send_keys("a").key_up(Keys.CONTROL).perform()
    keys(dash_duo, text)


def focus_kept(dash_duo: Any, what: str) -> None:
    """After an action the focus is still on a control, never dropped onto the page itself."""
    settled(dash_duo, 30)
    until(lambda: focused(dash_duo, "el !== document.body && el !== document.documentElement"), 10)
    outline = dash_duo.driver.execute_script(
        "var s = getComputedStyle(document.activeElement); return [s.outlineStyle, s.outlineWidth];")
    assert outline[0] != "none" and outline[1] != "0px", f"no visible focus after {what}"


def change_choice(dash_duo: Any, component_id: dict[str, str], wanted: str, what: str) -> None:
    """Open a dropdown that holds a value with Enter (the focus lands on the chosen option), move with the
    arrow keys to the option ``wanted`` and take it with Space."""
    target = dom_id(component_id)
    tab_to(dash_duo, f"el.id === {_js(target)}", what)
    keys(dash_duo, Keys.ENTER)
    until(lambda: focused(dash_duo, "!!el.closest('.dash-dropdown-content')"), 10)
    option = "var o = el.closest('.dash-options-list-option'); return o ? o.textContent.trim() : '';"
    seen = []
    for _ in range(40):
        text = dash_duo.driver.execute_script("var el = document.activeElement;" + option)
        if text == wanted:
            break
        seen.append(text)
        keys(dash_duo, Keys.ARROW_DOWN)
        until(lambda: dash_duo.driver.execute_script("var el = document.activeElement;" + option) != text, 10)
    else:
        raise AssertionError(f"the arrow keys never reached {wanted!r} in {what}: {seen}")
    keys(dash_duo, Keys.SPACE)
    until(lambda: dash_duo.driver.execute_script(
        "return document.getElementById(arguments[0]).getAttribute('aria-expanded');", target) == "false", 10)
    until(lambda: focused(dash_duo, f"el.id === {_js(target)}"), 10)


def field_value(dash_duo: Any, form: str, name: str) -> str:
    return str(dash_duo.driver.execute_script(
        "var el = document.getElementById(arguments[0]); return el ? (el.value || el.textContent) : '';",
        dom_id(mid.field_id(form, name))))


def test_keyboard_edits_a_units_details_and_a_links_level_from_the_list(dash_duo: Any, store: Store) -> None:
    open_borough_map(dash_duo, store)
    open_list_at(dash_duo, "Psychosis Team")

    # Edit the unit: the Unit form opens with it, and the focus moves into the form.
    press_named(dash_duo, "Edit Psychosis Team – North")
    until(lambda: field_value(dash_duo, mid.UNIT_FORM, "name") == "Psychosis Team – North", 20)
    until(lambda: focused(dash_duo, f"el.id === {_js(dom_id(mid.field_id(mid.UNIT_FORM, 'name')))}"), 10)
    focus_kept(dash_duo, "opening the unit from the list")
    replace_text(dash_duo, "Psychosis Team – North and Harbour")
    press_button(dash_duo, mid.UNIT_UPDATE, "the unit's Save changes")
    until(lambda: shown_text(dash_duo, mid.UNIT_MESSAGE).startswith("Done"), 20)
    focus_kept(dash_duo, "saving the unit's changes")
    until(lambda: "Psychosis Team – North and Harbour" in list_text(dash_duo), 20)

    # Edit one of its links: the Link form opens with it; change its level.
    press_named(dash_duo, "Edit the link between Psychosis Team – North and Harbour and "
                          "North Riverside Local Care Network")
    until(lambda: "interface" in field_value(dash_duo, mid.LINK_FORM, "level").lower(), 20)
    focus_kept(dash_duo, "opening the link from the list")
    change_choice(dash_duo, mid.field_id(mid.LINK_FORM, "level"), "co-located", "the link's level")
    press_button(dash_duo, mid.LINK_UPDATE, "the link's Save changes")
    until(lambda: shown_text(dash_duo, mid.LINK_MESSAGE).startswith("Done"), 20)
    focus_kept(dash_duo, "saving the link's changes")

    # Saved by keys too: the store holds both edits.
    open_tab(dash_duo, "Save")
    type_field(dash_duo, mid.SAVE_AUTHOR, "K. Board", "Your name")
    press_button(dash_duo, mid.SAVE, "Save")
    dash_duo.wait_for_contains_text(f"#{mid.SAVE_RESULT}", "Saved as revision", timeout=20)
    site = store.get(BOROUGH).site
    assert site.unit("mh-psychosis-north").name == "Psychosis Team – North and Harbour"
    assert next(lk for lk in site.links if lk.id == "icm-north-psychosis").level == "co_located"


def test_keyboard_deletes_a_unit_then_undoes_and_redoes_it(dash_duo: Any, store: Store) -> None:
    open_borough_map(dash_duo, store)
    open_list_at(dash_duo, "Community Frailty")
    press_named(dash_duo, "Edit Community Frailty Team")
    until(lambda: field_value(dash_duo, mid.UNIT_FORM, "name") == "Community Frailty Team", 20)
    press_button(dash_duo, mid.UNIT_DELETE, "the unit's Delete")
    until(lambda: shown_text(dash_duo, mid.UNIT_MESSAGE).startswith("Done"), 20)
    until(lambda: "Community Frailty Team" not in list_text(dash_duo), 20)
    focus_kept(dash_duo, "deleting a unit")

    press_button(dash_duo, mid.UNDO, "Undo")
    until(lambda: "Community Frailty Team" in list_text(dash_duo), 20)
    focus_kept(dash_duo, "undoing")
    press_button(dash_duo, mid.REDO, "Redo")
    until(lambda: "Community Frailty Team" not in list_text(dash_duo), 20)
    # Nothing is left to redo, so Redo is disabled: the focus must not fall off the page with it.
    until(lambda: dash_duo.find_element(f"#{mid.REDO}").get_attribute("disabled") is not None, 20)
    focus_kept(dash_duo, "redoing the last change")
    press_button(dash_duo, mid.UNDO, "Undo")
    until(lambda: "Community Frailty Team" in list_text(dash_duo), 20)
    focus_kept(dash_duo, "undoing again")


def test_keyboard_resolves_a_save_conflict(dash_duo: Any, store: Store) -> None:
    open_borough_map(dash_duo, store)
    base = store.get(BOROUGH)
    open_list_at(dash_duo, "Community Frailty")
    press_named(dash_duo, "Edit Community Frailty Team")
    until(lambda: field_value(dash_duo, mid.UNIT_FORM, "name") == "Community Frailty Team", 20)
    until(lambda: focused(dash_duo, f"el.id === {_js(dom_id(mid.field_id(mid.UNIT_FORM, 'name')))}"), 10)
    replace_text(dash_duo, "Frailty and Falls Team")
    press_button(dash_duo, mid.UNIT_UPDATE, "the unit's Save changes")
    until(lambda: shown_text(dash_duo, mid.UNIT_MESSAGE).startswith("Done"), 20)

    # Someone else saves the same site first.
    theirs = base.site.replace(name="Riverside Borough (renamed elsewhere)")
    other = store.save(theirs, author="A. Colleague", message="Renamed the site", base=base.number)

    open_tab(dash_duo, "Save")
    type_field(dash_duo, mid.SAVE_AUTHOR, "K. Board", "Your name")
    press_button(dash_duo, mid.SAVE, "Save")
    dash_duo.wait_for_contains_text(f"#{mid.CONFLICT_BOX}", "A. Colleague", timeout=20)
    # The choice has the focus at once: the keyboard need not hunt for it.
    until(lambda: focused(dash_duo, f"el.id === {_js(mid.CONFLICT_KEEP)}"), 10)
    focus_kept(dash_duo, "the conflict being shown")
    assert_accessible(dash_duo.driver, "Map page, a save conflict shown")
    press_button(dash_duo, mid.CONFLICT_KEEP, "Save mine as the next revision")
    dash_duo.wait_for_contains_text(f"#{mid.SAVE_RESULT}", f"revision {other.number + 1}", timeout=20)
    focus_kept(dash_duo, "resolving the conflict")
    latest = store.get(BOROUGH)
    assert latest.number == other.number + 1 and latest.author == "K. Board"
    assert latest.site.unit("ch-frailty").name == "Frailty and Falls Team"


def test_keyboard_takes_their_revision_in_a_save_conflict(dash_duo: Any, store: Store) -> None:
    open_borough_map(dash_duo, store)
    base = store.get(BOROUGH)
    press_button(dash_duo, mid.ARRANGE, "Arrange")  # an unsaved change of one's own
    until(lambda: "unsaved" in shown_text(dash_duo, mid.STATUS), 20)
    other = store.save(base.site.replace(name="Riverside Borough (renamed elsewhere)"), author="A. Colleague",
                       message="Renamed the site", base=base.number)
    open_tab(dash_duo, "Save")
    type_field(dash_duo, mid.SAVE_AUTHOR, "K. Board", "Your name")
    press_button(dash_duo, mid.SAVE, "Save")
    dash_duo.wait_for_contains_text(f"#{mid.CONFLICT_BOX}", "A. Colleague", timeout=20)
    press_button(dash_duo, mid.CONFLICT_LOAD, "Open their revision")
    dash_duo.wait_for_contains_text(f"#{mid.SAVE_RESULT}", f"revision {other.number}", timeout=20)
    until(lambda: "renamed elsewhere" in shown_text(dash_duo, mid.TITLE), 20)
    focus_kept(dash_duo, "taking their revision")
    assert store.get(BOROUGH).number == other.number
