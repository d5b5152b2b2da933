"""Opening the Map page: the page arrives with the site open and drawn, its lists filled."""

from __future__ import annotations

from typing import Any

import pytest
from dash import Dash
from dash.development.base_component import Component
from dash.testing.wait import until

from integramap import edit
from integramap.store import Store
from integramap.web import create_app
from integramap.web.map import ids as mid
from integramap.web.map import view as map_view
from integramap.web.map import page as map_page

from test_web_browser import by_id, cy_eval, dom_id, open_map, settled, show_tab, shown_text, text_of

BOROUGH = "riverside-borough"


def component(page: Component, component_id: Any) -> Any:
    found = [c for c in page._traverse() if getattr(c, "id", None) == component_id]
    assert len(found) == 1, f"{component_id}: {len(found)} components"
    return found[0]


def map_layout(app: Dash, **query: str) -> Component:
    with app.server.test_request_context(f"/map?site={query.get('site', '')}"):
        return map_page.layout(**query)


def test_the_page_arrives_with_its_site_open_and_drawn(store: Store) -> None:
    app = create_app(store)
    site = store.get(BOROUGH).site
    page = map_layout(app, site=BOROUGH)
    elements = component(page, mid.CY).elements
    nodes = [e for e in elements if "source" not in e["data"]]
    # Every unit is drawn, or counted inside a box drawn closed so the opening view reads.
    assert len(nodes) + sum(e["data"].get("count", 0) for e in nodes) == len(site.units)
    assert any(e["data"].get("count") for e in nodes) and any("source" in e["data"] for e in elements)
    assert all("position" in e for e in nodes)
    assert component(page, mid.CY).layout["fit"] is True
    handle = component(page, mid.DRAFT).data
    assert handle["site"] == BOROUGH and handle["person"] and handle["page"] and handle["unsaved"] is None
    assert component(page, mid.TITLE).children == site.name
    assert "Revision 1" in component(page, mid.STATUS).children
    assert component(page, mid.UNDO).disabled is True
    assert {o["value"] for o in component(page, mid.F_FOCUS).options} == set(site.units_by_id)
    assert component(page, mid.F_ORGS).options
    # The forms' unit lists come with the page: a dropdown given a value its options do not list
    # (a tapped unit's parent, before a list arrives) drops the value.
    parents = component(page, mid.field_id(mid.UNIT_FORM, "parent")).options
    assert {o["value"] for o in parents} == set(site.units_by_id)


def test_a_focus_in_the_address_opens_on_that_unit(store: Store) -> None:
    site = store.get(BOROUGH).site
    unit = site.units_by_id["mh-psychosis-north"]
    page = map_layout(create_app(store), site=BOROUGH, focus=unit.id)
    shown = {e["data"]["id"] for e in component(page, mid.CY).elements if "source" not in e["data"]}
    assert unit.id in shown and len(shown) < len(site.units)
    assert component(page, mid.F_FOCUS).value == unit.id


def test_an_unknown_site_says_so_and_draws_nothing(store: Store) -> None:
    page = map_layout(create_app(store), site="no-such-site")
    message = component(page, mid.MESSAGE).children
    assert message == "No site called 'no-such-site'. Choose one from the list."
    assert "sqlite" not in message and "integramap" not in message
    assert component(page, mid.CY).elements == []
    assert component(page, mid.TITLE).children == ""


def test_no_site_named_asks_for_one_and_opens_none(store: Store) -> None:
    page = map_layout(create_app(store))
    assert component(page, mid.MESSAGE).children == "Choose a site to open from the list at the top."
    assert component(page, mid.CY).elements == [] and component(page, mid.DRAFT).data is None


def test_an_empty_site_shows_how_to_begin(store: Store) -> None:
    store.save(edit.new_site("blank", "Blank"), author="Test", message="", base=None)
    app = create_app(store)
    assert component(map_layout(app, site="blank"), mid.START_BOX).hidden is False
    assert component(map_layout(app, site=BOROUGH), mid.START_BOX).hidden is True


def test_an_unarranged_site_is_laid_out_once_for_every_visit(store: Store,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    site = edit.new_site("plain", "Never arranged")
    site = edit.add_unit(site, {"id": "org", "name": "Trust", "kind": "organisation", "org_type": "nhs_trust"})
    for n in range(6):
        site = edit.add_unit(site, {"id": f"t{n}", "name": f"Team {n}", "kind": "team", "parent": "org"})
    site = edit.add_link(site, {"id": "l", "source": "t0", "target": "t1", "level": "co_located"})
    store.save(site, author="Test", message="plain", base=None)
    calls: list[int] = []
    real = map_view.complete_positions

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(map_view, "complete_positions", counted)
    app = create_app(store)
    first, second = (map_layout(app, site="plain") for _ in range(2))

    def positions(page: Component) -> dict[str, Any]:
        return {e["data"]["id"]: e["position"] for e in component(page, mid.CY).elements if "position" in e}

    assert len(positions(first)) == len(site.units) and positions(first) == positions(second)
    assert len(calls) == 1
    assert component(first, mid.DRAFT).data["page"] != component(second, mid.DRAFT).data["page"]


def test_what_the_page_already_shows_is_not_drawn_again_on_load(store: Store) -> None:
    app = create_app(store)
    callbacks = app.server.test_client().get("/_dash-dependencies").get_json()
    drawn_by_the_page = [mid.CY, mid.TITLE, dom_id(mid.field_id(mid.UNIT_FORM, "parent"))]
    found = [cb for cb in callbacks if any(f"{cid}." in cb["output"] for cid in drawn_by_the_page)]
    assert len(found) >= 3
    assert all(cb["prevent_initial_call"] for cb in found), [cb["output"] for cb in found]


@pytest.mark.browser
def test_a_tapped_units_parent_shows_in_its_form_and_the_link_form_lists_every_unit(dash_duo: Any,
                                                                                     store: Store) -> None:
    site = store.get(BOROUGH).site
    unit = site.units_by_id["mh-psychosis-north"]
    parent = site.units_by_id[str(unit.parent)]
    dash_duo.start_server(create_app(store))
    open_map(dash_duo, BOROUGH, nodes=len(site.units))
    # Tapping a unit fills the Unit form while its tab is hidden.
    cy_eval(dash_duo, f"cy.getElementById('{unit.id}').emit('tap'); return 1;")
    dash_duo.wait_for_contains_text(f"#{mid.INSPECT}", unit.name, timeout=10)
    settled(dash_duo)
    show_tab(dash_duo, "Unit")
    parent_field = dom_id(mid.field_id(mid.UNIT_FORM, "parent"))
    until(lambda: parent.name in shown_text(dash_duo, parent_field), timeout=10)
    show_tab(dash_duo, "Link")
    first = min(site.units, key=lambda u: u.name)
    by_id(dash_duo, dom_id(mid.field_id(mid.LINK_FORM, "source"))).click()
    until(lambda: any(o.text.strip() == first.name
                      for o in dash_duo.driver.find_elements("css selector", ".dash-dropdown-option")), timeout=10)
