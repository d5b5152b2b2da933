"""The map as a list: the same units, links and findings in words, in step with the map's filters."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from dash.testing.wait import until

from integramap.analysis.typology_challenges import structural_challenges
from integramap.io.sitefile import read_site
from integramap.model import Link, Site, Unit
from integramap.store import Store
from integramap.web import create_app
from integramap.web.map import ids as mid
from integramap.web.map.elements import ViewOptions, filtered_units, matches_search
from integramap.web.map.listview import LIST, LIST_EDIT_LINK, LIST_EDIT_UNIT, LIST_FOCUS, LIST_STATUS, LIST_SUMMARY, NO_ORGANISATION, site_list

from conftest import MODELS
from test_web_browser import by_id, cy_eval, dom_id, open_map, settled, shown_text, type_into

BOROUGH = "riverside-borough"


@pytest.fixture(scope="module")
def borough() -> Site:
    return read_site(MODELS / f"{BOROUGH}.yaml")


def _listed(found: Any) -> list[str]:
    return [u.id for g in found.groups for u in g.units]


def test_every_unit_is_listed_once_under_its_organisation(borough: Site) -> None:
    found = site_list(borough)
    assert sorted(_listed(found)) == sorted(u.id for u in borough.units)
    assert found.listed == found.matching == found.total == len(borough.units)
    for group in found.groups:
        for unit in group.units:
            assert borough.organisation_of(unit.id) == group.organisation
    assert [g.name for g in found.groups][-1] == NO_ORGANISATION
    assert found.summary == f"Listing all {len(borough.units)} units, in {len(found.groups)} groups."


def test_every_link_is_listed_at_both_ends_with_its_level(borough: Site) -> None:
    found = site_list(borough)
    seen = Counter(link.link for g in found.groups for u in g.units for link in u.links)
    assert seen == Counter({lk.id: 2 for lk in borough.links})
    words = {(u.id, link.words) for g in found.groups for u in g.units for link in u.links}
    lk = borough.links[0]
    expected = f"Linked with {borough.unit(lk.target).name}: {lk.level.label} (level {lk.level.rank})"
    assert any(uid == lk.source and text.startswith(expected) for uid, text in words)


def test_structural_challenges_are_listed_as_findings_of_both_units(borough: Site) -> None:
    challenges = structural_challenges(borough)
    assert challenges, "the example has a contradicted link"
    units = {u.id: u for g in site_list(borough).groups for u in g.units}
    for challenge in challenges:
        assert challenge.explanation in units[challenge.source].findings
        assert challenge.explanation in units[challenge.target].findings


def test_filters_search_and_focus_narrow_the_list_as_they_do_the_map(borough: Site) -> None:
    by_sector = ViewOptions(sectors=frozenset({"mental_health"}))
    assert set(_listed(site_list(borough, by_sector))) == filtered_units(borough, by_sector)
    found = site_list(borough, ViewOptions(search="riverbend"))
    assert _listed(found) == [u.id for u in borough.units if matches_search(u, "riverbend")]
    assert found.summary.startswith(f"{found.matching} unit") and "‘riverbend’" in found.summary
    focused = ViewOptions(focus="pcn-riverbend")
    found = site_list(borough, focused)
    assert set(_listed(found)) == filtered_units(borough, focused)
    assert [u.id for g in found.groups for u in g.units if u.focus] == ["pcn-riverbend"]
    assert any("Focused on Riverbend PCN" in note for note in found.notes)
    # Links outside the chosen levels are not listed, as the map does not draw them.
    top = ViewOptions(level_min=5, level_max=5)
    assert all(link.level.rank == 5 for g in site_list(borough, top).groups for u in g.units for link in u.links)


def test_a_long_list_is_cut_and_says_so() -> None:
    site = Site(id="s", name="S", units=[Unit(id=f"t{i}", name=f"Team {i}", kind="team") for i in range(12)],
                links=[Link(id="l", source="t0", target="t1", level="interface")])
    found = site_list(site, limit=5)
    assert found.listed == 5 and found.matching == 12
    assert found.notes == ("The first 5 are listed: search or filter to narrow the list.",)
    lonely = {u.id: u.findings for g in found.groups for u in g.units}
    assert lonely["t2"] == ("No link joins it to any other unit.",) and lonely["t0"] == ()


@pytest.mark.browser
def test_the_list_follows_the_search_and_focuses_the_map(dash_duo: Any, store: Store) -> None:
    dash_duo.start_server(create_app(store))
    open_map(dash_duo, BOROUGH)
    total = len(store.get(BOROUGH).site.units)
    until(lambda: shown_text(dash_duo, LIST_STATUS).startswith(f"The list shows: Listing all {total} units"), 20)
    assert shown_text(dash_duo, LIST_SUMMARY).startswith(f"Listing all {total} units")
    by_id(dash_duo, f"{LIST}-box").find_element("css selector", "summary").click()
    type_into(dash_duo, mid.F_SEARCH, "Riverbend")
    until(lambda: "match ‘Riverbend’" in shown_text(dash_duo, LIST_STATUS)
          or "matches ‘Riverbend’" in shown_text(dash_duo, LIST_STATUS), 20)
    assert "Riverbend PCN" in shown_text(dash_duo, LIST)
    settled(dash_duo)
    by_id(dash_duo, dom_id({"type": LIST_FOCUS, "unit": "pcn-riverbend"})).click()
    until(lambda: cy_eval(dash_duo, "return cy.nodes('.focus').map(function (n) { return n.id(); });")
          == ["pcn-riverbend"], 20)
    until(lambda: "(in focus)" in shown_text(dash_duo, LIST), 20)
    assert "Focused on Riverbend PCN" in shown_text(dash_duo, LIST)
    # Edit from the list: the Unit tab opens on the unit, as a click on it on the map would.
    settled(dash_duo)
    by_id(dash_duo, dom_id({"type": LIST_EDIT_UNIT, "unit": "pcn-riverbend"})).click()
    until(lambda: shown_text(dash_duo, mid.UNIT_EDITING) == "Editing Riverbend PCN", 20)
    name = by_id(dash_duo, dom_id(mid.field_id(mid.UNIT_FORM, "name")))
    assert name.get_attribute("value") == "Riverbend PCN"
    link = next(lk for lk in store.get(BOROUGH).site.links if "pcn-riverbend" in (lk.source, lk.target))
    settled(dash_duo)
    by_id(dash_duo, dom_id({"end": "pcn-riverbend", "link": link.id, "type": LIST_EDIT_LINK})).click()
    until(lambda: shown_text(dash_duo, mid.LINK_EDITING).startswith("Editing "), 20)
    assert "Riverbend PCN" in shown_text(dash_duo, mid.LINK_EDITING)
