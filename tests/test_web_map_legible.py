"""What the Map page first shows, measured in headless Chromium as a manager would see it.

Every shown label at least 10 px high, at most 5 % of labels colliding, no two units on top of
each other (``tests/legibility.py`` reads these from the live Cytoscape instance); search
brightens its matches and says when there are none; a closed box opens with a click.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.keys import Keys

from integramap import edit
from integramap.demo import build_demo, find_demo_files
from integramap.io.nhs import import_nhs
from integramap.layout.groups import GROUP_PREFIX, homes
from integramap.model import Level, Site
from integramap.store import Store
from integramap.web import create_app
from integramap.web.map import ids as mid

from conftest import MODELS, SHARED_DATA
from legibility import Legibility, measure
from test_web_browser import by_id, cy_eval, type_into

WINDOWS = [(1400, 900), (1024, 800)]


def arranged_site(teams: int = 300) -> Site:
    """A borough-sized site whose manager has arranged it: each organisation's teams in its own area."""
    units: list[dict[str, object]] = []
    links: list[dict[str, object]] = []
    orgs = 10
    team = 0
    per_org = (teams - orgs * 4) // orgs
    for o in range(orgs):
        ox, oy = (o % 5) * 1500.0, (o // 5) * 1300.0
        units.append({"id": f"org{o}", "name": f"Trust number {o}", "kind": "organisation",
                      "org_type": "nhs_trust", "sectors": ["community_health"]})
        for d in range(3):
            units.append({"id": f"dir{o}-{d}", "name": f"Directorate {o}.{d}", "kind": "directorate",
                          "parent": f"org{o}"})
        for t in range(per_org):
            d = t % 3
            row, col = divmod(t // 3, 3)
            units.append({"id": f"team{team}", "name": f"Team {team}", "kind": "team", "parent": f"dir{o}-{d}",
                          "sectors": ["social_care"],
                          "attributes": {"position": {"x": ox + d * 460 + col * 140, "y": oy + row * 110}}})
            if team % 3 and team > 0:
                links.append({"id": f"l{team}", "source": f"team{team}", "target": f"team{team - 1}",
                              "level": str(list(Level)[team % len(Level)])})
            team += 1
    return Site.model_validate({"id": "arranged", "name": "Arranged borough", "units": units, "links": links})


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    st = Store(data_dir=Path(tmp_path_factory.mktemp("legible-store")))
    st.seed(MODELS)
    st.save(arranged_site(), author="Test", message="arranged", base=None)
    yield st
    st.close()


def opened_view(dash_duo: Any, site: str, size: tuple[int, int]) -> Legibility:
    """The map's opening view of a site in a window of this size, once it has settled."""
    dash_duo.driver.set_window_size(*size)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/map?site={site}")
    until(lambda: (cy_eval(dash_duo, "return cy.nodes().length;") or 0) > 0, timeout=20)
    until(lambda: cy_eval(dash_duo, "return cy._integramapFit === true;"), timeout=5)
    # Settled: two readings a frame apart agree (the fit runs once the layout has).
    readings: list[Legibility | None] = []

    def settled() -> bool:
        readings.append(measure(dash_duo.driver, mid.CY))
        return len(readings) > 1 and readings[-1] is not None and readings[-1] == readings[-2]
    until(settled, timeout=10, poll=0.2)
    result = readings[-1]
    assert result is not None
    return result


@pytest.mark.parametrize("size", WINDOWS, ids=["1400x900", "1024x800"])
@pytest.mark.parametrize("site", ["riverside-borough", "arranged"])
def test_the_opening_view_is_legible(dash_duo: Any, store: Store, site: str, size: tuple[int, int]) -> None:
    dash_duo.start_server(create_app(store))
    view = opened_view(dash_duo, site, size)
    assert view.labels >= 5, view.summary()
    assert view.problems() == [], view.summary()
    assert dash_duo.get_logs() == []


def test_a_target_level_reads_along_its_link_or_waits_for_the_pointer(dash_duo: Any, store: Store) -> None:
    dash_duo.start_server(create_app(store))
    view = opened_view(dash_duo, "riverside-borough", WINDOWS[0])
    # Riverside's target links between the units it opens with carry their level, large enough to read.
    assert view.link_labels >= 2, view.summary()
    assert view.link_min_px is not None and view.link_min_px >= 10, view.summary()
    # Zoomed out, they would be too small: they are not drawn, rather than drawn unreadable.
    cy_eval(dash_duo, "cy.zoom({level: cy.zoom() / 3,"
                      " renderedPosition: {x: cy.width() / 2, y: cy.height() / 2}}); return true;")

    def zoomed_out() -> Legibility | None:
        seen = measure(dash_duo.driver, mid.CY)
        held_back = cy_eval(dash_duo, "return cy.edges('.target.small-label').length;") >= 2
        return seen if seen is not None and held_back and seen.link_labels == 0 and seen.hidden_link_labels >= 2 \
            else None
    until(zoomed_out, timeout=10)
    # The pointer on a target link shows its level, at a size that reads at this zoom.
    target = cy_eval(dash_duo, "return cy.edges('.target')[0].id();")
    cy_eval(dash_duo, f"cy.getElementById('{target}').emit('mouseover'); return true;")

    def hovered() -> Legibility | None:
        seen = measure(dash_duo.driver, mid.CY)
        return seen if seen is not None and seen.link_labels == 1 else None
    until(hovered, timeout=10)
    seen = hovered()
    assert seen is not None and seen.link_min_px is not None and seen.link_min_px >= 10, seen.summary()
    assert cy_eval(dash_duo, f"return cy.getElementById('{target}').style('label');").startswith("→ ")
    cy_eval(dash_duo, f"cy.getElementById('{target}').emit('mouseout'); return true;")
    until(zoomed_out, timeout=10)
    # So does the pointer on any other link: its level in words, readable.
    plain = cy_eval(dash_duo, "return cy.edges('[level]').not('.target')[0].id();")
    cy_eval(dash_duo, f"cy.getElementById('{plain}').emit('mouseover'); return true;")
    until(hovered, timeout=10)
    seen = hovered()
    assert seen is not None and seen.link_min_px is not None and seen.link_min_px >= 10, seen.summary()
    # A click on the target link names the level in Inspect.
    cy_eval(dash_duo, f"cy.getElementById('{plain}').emit('mouseout'); return true;")
    cy_eval(dash_duo, f"cy.getElementById('{target}').emit('tap'); return true;")
    dash_duo.wait_for_contains_text(f"#{mid.INSPECT}", "Target level", timeout=20)
    assert dash_duo.get_logs() == []


def test_the_south_east_london_demo_opens_legible(dash_duo: Any, tmp_path: Path) -> None:
    if not (SHARED_DATA / "nhs-reference").exists():
        pytest.skip(f"public reference data not present: {SHARED_DATA} (see docs/demo.md)")
    site = build_demo("south-east-london", find_demo_files(SHARED_DATA))
    with Store(data_dir=tmp_path / "data") as st:
        st.save(site, author="Test", message="demo", base=None)
        dash_duo.start_server(create_app(st))
        view = opened_view(dash_duo, site.id, WINDOWS[0])
        assert view.problems() == [], view.summary()


def test_practices_in_no_pcn_are_one_group_a_click_opens(dash_duo: Any, tmp_path: Path) -> None:
    if not (SHARED_DATA / "nhs-reference").exists():
        pytest.skip(f"public reference data not present: {SHARED_DATA} (see docs/demo.md)")
    site = build_demo("south-east-london", find_demo_files(SHARED_DATA))
    loose = sorted(u.id for u in site.units if u.kind == "practice" and u.parent is None)
    home = homes(site)
    assert loose and set(home) == set(loose)
    group = GROUP_PREFIX + home[loose[0]]
    with Store(data_dir=tmp_path / "data") as st:
        st.save(site, author="Test", message="demo", base=None)
        dash_duo.start_server(create_app(st))
        opened_view(dash_duo, site.id, WINDOWS[0])
        for box in [*reversed(site.ancestors(home[loose[0]])), home[loose[0]], group]:
            until(lambda: cy_eval(dash_duo, f"return cy.getElementById('{box}').length;") == 1, timeout=20)
            if cy_eval(dash_duo, f"return cy.getElementById('{box}').hasClass('collapsed');"):
                cy_eval(dash_duo, f"cy.getElementById('{box}').emit('tap'); return true;")
                until(lambda: cy_eval(dash_duo, f"return cy.getElementById('{box}').isParent();"), timeout=20)
        members = cy_eval(dash_duo, f"return cy.getElementById('{group}').children().map(function (n) {{ return n.id(); }});")
        assert sorted(members) == sorted(p for p in loose if home[p] == home[loose[0]])
        dash_duo.wait_for_contains_text(f"#{mid.INSPECT}", "no primary care network", timeout=10)
        logs = dash_duo.get_logs()
        assert logs == [], logs


def test_the_national_import_opens_legible(dash_duo: Any, tmp_path: Path) -> None:
    lookup = SHARED_DATA / "nhs-reference" / "practice_pcn_lookup_2024.csv"
    if not lookup.exists():
        pytest.skip(f"public reference data not present: {SHARED_DATA} (see docs/demo.md)")
    site = import_nhs(practices=lookup, site_id="national", name="England")
    with Store(data_dir=tmp_path / "data") as st:
        st.save(site, author="Test", message="national", base=None)
        dash_duo.start_server(create_app(st))
        view = opened_view(dash_duo, site.id, WINDOWS[0])
        assert view.labels >= 40, view.summary()
        assert view.problems() == [], view.summary()


def test_a_closed_box_opens_with_a_click_and_its_units_read(dash_duo: Any, store: Store) -> None:
    dash_duo.start_server(create_app(store))
    opened_view(dash_duo, "riverside-borough", WINDOWS[0])
    closed = cy_eval(dash_duo, "return cy.nodes('.collapsed').map(function (n) { return n.id(); });")
    assert closed, "Riverside opens with every box open: nothing to click"
    box = "la" if "la" in closed else closed[0]
    cy_eval(dash_duo, f"cy.getElementById('{box}').emit('tap'); return true;")
    until(lambda: cy_eval(dash_duo, f"return cy.getElementById('{box}').isParent();"), timeout=10)
    until(lambda: cy_eval(dash_duo, f"return cy._integramapFitted === '{box}';"), timeout=10)
    after = measure(dash_duo.driver, mid.CY)
    assert after is not None and after.min_px is not None and after.min_px >= 10, after
    members = cy_eval(dash_duo, f"return cy.getElementById('{box}').children().length;")
    assert members >= 1


def test_search_brightens_matches_inside_boxes_and_says_when_nothing_matches(dash_duo: Any,
                                                                            store: Store) -> None:
    dash_duo.start_server(create_app(store))
    opened_view(dash_duo, "riverside-borough", WINDOWS[0])
    type_into(dash_duo, mid.F_SEARCH, "Riverbend")  # no Enter: it finds as one types
    dash_duo.wait_for_contains_text(f"#{mid.SEARCH_NOTE}", "2 units match", timeout=10)
    matches = cy_eval(dash_duo, "return cy.nodes('.match').map(function (n) { return n.id(); });")
    assert len(matches) == 2
    # Nothing that holds a match is faded, and the matches are drawn at full strength.
    faded_holders = cy_eval(dash_duo, "return cy.nodes('.match').ancestors('.faded').length;")
    assert faded_holders == 0
    opacity = cy_eval(dash_duo, "return cy.nodes('.match').map(function (n) {"
                                " return n.effectiveOpacity() * parseFloat(n.style('text-opacity')); });")
    assert all(math.isclose(o, 1.0) for o in opacity), opacity
    # The view is fitted to them: both in view, and larger on screen than the whole map would be.
    until(lambda: cy_eval(dash_duo, "return (cy._integramapFitted || '').split(',').length === 2;"), timeout=5)
    inside = cy_eval(dash_duo, "var e = cy.extent(); return cy.nodes('.match').every(function (n) {"
                               " var p = n.position();"
                               " return p.x > e.x1 && p.x < e.x2 && p.y > e.y1 && p.y < e.y2; });")
    assert inside
    box = by_id(dash_duo, mid.F_SEARCH)
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(Keys.BACKSPACE)
    box.send_keys("xyzzy")
    dash_duo.wait_for_text_to_equal(f"#{mid.SEARCH_NOTE}", "No unit matches ‘xyzzy’.", timeout=10)
    assert cy_eval(dash_duo, "return cy.nodes('.match').length;") == 0
    assert dash_duo.get_logs() == []
