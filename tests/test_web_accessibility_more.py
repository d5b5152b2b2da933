"""WCAG 2.2 A/AA on the Atlas page, the Map's "Try a change" and the signed-in pages, in each state.

The same axe-core audit as ``test_web_accessibility.py`` (``tests/accessibility.py``), on the parts
of the app that came after it: the Atlas of ICBs (loading, loaded, sorted, "ICBs like mine", an ICB
being opened, an ICB not shared, the national files missing), trying a change on the Map (the
panel, an edit recorded, its figures, a kept change compared, the leave-page question), and the
pages a person sees once accounts exist (the sign-in form, with the identity provider's button too,
a viewer's read-only map, the Sharing page with its members, the bar's name and Sign out).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlparse

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.keys import Keys

from accessibility import assert_accessible
from integramap.demo import REFERENCE_DATA_ENV
from integramap.people import Role, acting_as
from integramap.store import Store
from integramap.store.access import PersonalStore
from integramap.web import create_app
from integramap.web.atlas import data
from integramap.web.common import ids
from integramap.web.common.jobs import JobRunner, Progress
from integramap.web.common.services import Services
from integramap.web.map import ids as mid
from test_web_browser import click, settled, shown_text, type_into
from test_web_map_try import move, start_trying
from test_web_signin_browser import asked_to_sign_in_with_the_provider, map_shown, start

pytestmark = pytest.mark.browser

BOROUGH = "riverside-borough"
PASSWORD = "correct horse battery"


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """Building the atlas and opening an ICB wait for this event, so the page is audited while they run."""
    import integramap.web.atlas.page as page

    release = threading.Event()
    real_national, real_icb = page.build_national, page.build_icb

    def national(*args: Any, **kwargs: Any) -> Any:
        release.wait(60)
        return real_national(*args, **kwargs)

    def icb(*args: Any, **kwargs: Any) -> Any:
        release.wait(60)
        return real_icb(*args, **kwargs)

    monkeypatch.setattr(page, "build_national", national)
    monkeypatch.setattr(page, "build_icb", icb)
    yield release
    release.set()


def sign_in(dash_duo: Any, name: str, then: str) -> None:
    """The sign-in form, filled and sent, as a person does (a plain page, not a Dash one)."""
    dash_duo.driver.get(f"{dash_duo.server_url}/login?next={quote(then)}")
    dash_duo.wait_for_element("#name", timeout=30).send_keys(name)
    dash_duo.find_element("#password").send_keys(PASSWORD)
    dash_duo.find_element("button[type=submit]").click()


# The Atlas page.

def test_atlas_building_loaded_sorted_mine_and_opening(dash_duo: Any, store: Store, atlas_country: None,
                                                        atlas_runner: JobRunner, held: threading.Event) -> None:
    dash_duo.start_server(create_app(store))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/atlas?icb=QYY")
    dash_duo.wait_for_element("#atlas-progress .job-progress", timeout=30)
    assert_accessible(dash_duo.driver, "Atlas page, the atlas being built")
    held.set()
    dash_duo.wait_for_contains_text("#atlas-headline", "2 ICBs", timeout=30)
    dash_duo.wait_for_element("#atlas-chart .barlayer", timeout=30)
    dash_duo.wait_for_contains_text("#atlas-near", "Vale QZZ", timeout=20)
    assert_accessible(dash_duo.driver, "Atlas page, loaded with ICBs like mine")
    dash_duo.find_element("#atlas-table th:nth-child(2) button").click()
    until(lambda: dash_duo.driver.execute_script(
        "return document.querySelector('#atlas-table th:nth-child(2)').getAttribute('aria-sort');")
        == "descending", 20)
    assert_accessible(dash_duo.driver, "Atlas page, sorted by practices")
    held.clear()  # opening an ICB waits, so the page is seen while it runs
    dash_duo.find_element("#atlas-row-QZZ button").click()
    dash_duo.wait_for_element("#atlas-open-status .job-progress", timeout=20)
    assert_accessible(dash_duo.driver, "Atlas page, an ICB being opened")
    held.set()
    until(lambda: "site=england-QZZ" in dash_duo.driver.current_url, 30)


def test_atlas_refusing_an_icb_not_shared(dash_duo: Any, store: Store, atlas_country: None,
                                          atlas_runner: JobRunner) -> None:
    for name in ("Asha", "Ben"):
        store.accounts.add(name, PASSWORD, actor="setup")
    with acting_as(store.accounts.person("Asha")):
        data.build_icb(Services(store=PersonalStore(store)), data.find_files(), "QZZ", "Asha",
                       Progress(lambda _f, _m: None))
    start(dash_duo, store)
    sign_in(dash_duo, "Ben", "/atlas")
    dash_duo.wait_for_contains_text("#atlas-headline", "2 ICBs", timeout=30)
    dash_duo.find_element("#atlas-row-QZZ button").click()
    dash_duo.wait_for_contains_text("#atlas-open-status", "not shared with you", timeout=20)
    assert_accessible(dash_duo.driver, "Atlas page, an ICB not shared with the person")


def test_atlas_without_the_national_files(dash_duo: Any, store: Store, atlas_runner: JobRunner,
                                          monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(REFERENCE_DATA_ENV, str(tmp_path / "nothing-here"))
    monkeypatch.chdir(tmp_path)
    data._kept.clear()
    dash_duo.start_server(create_app(store))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/atlas")
    dash_duo.wait_for_contains_text("#atlas-message", "public reference files not found", timeout=20)
    assert_accessible(dash_duo.driver, "Atlas page, the national files missing")


# Trying a change on the Map page.

def test_try_a_change_on_recorded_kept_compared_and_leaving(dash_duo: Any, store: Store) -> None:
    start_trying(dash_duo, store)
    settled(dash_duo)
    assert_accessible(dash_duo.driver, "Map page, trying a change with no edit yet")
    move(dash_duo, "p11", "pcn-south", 1)
    move(dash_duo, "p12", "pcn-south", 2)
    until(lambda: "no longer straddles" in shown_text(dash_duo, mid.TRY_FIGURES), timeout=20)
    settled(dash_duo)
    assert_accessible(dash_duo.driver, "Map page, a change tried with its figures before and after")
    click(dash_duo, mid.TRY_MERGE_UNITS)
    dash_duo.wait_for_element(".dash-dropdown-content", timeout=20)
    assert_accessible(dash_duo.driver, "Map page, the units to merge listed")
    dash_duo.driver.switch_to.active_element.send_keys(Keys.ESCAPE)
    dash_duo.wait_for_no_elements(".dash-dropdown-content", timeout=20)
    click(dash_duo, mid.TRY_KEEP)  # no name yet: the panel says one is needed
    until(lambda: "Enter your name" in shown_text(dash_duo, mid.TRY_KEPT_MESSAGE), timeout=20)
    assert_accessible(dash_duo.driver, "Map page, keeping a change without a name")
    type_into(dash_duo, mid.TRY_NAME, "Southern practices join Southgate")
    type_into(dash_duo, mid.TRY_AUTHOR, "A. Manager")
    click(dash_duo, mid.TRY_KEEP)
    until(lambda: "Kept as" in shown_text(dash_duo, mid.TRY_KEPT_MESSAGE), timeout=20)
    until(lambda: "Southern practices join Southgate" in shown_text(dash_duo, mid.TRY_COMPARE), timeout=20)
    settled(dash_duo)
    assert_accessible(dash_duo.driver, "Map page, a kept change compared beside the map")
    # Leaving for another page asks first; the page under the question is audited as it stands.
    driver = dash_duo.driver
    until(lambda: driver.execute_script("return window.integramapTrying === true;"), timeout=20)
    driver.execute_script("window.asked = 0;"
                          "window.confirm = function () { window.asked += 1; return false; };")
    driver.execute_script("document.querySelector('a[href^=\"/boundaries\"]').click();")
    assert driver.execute_script("return window.asked;") == 1 and "/map" in driver.current_url
    assert_accessible(dash_duo.driver, "Map page, after staying rather than leaving")


# Signed in.

def test_sign_in_page_a_wrong_password_and_a_viewers_map(dash_duo: Any, store: Store) -> None:
    store.accounts.add("Vi Viewer", PASSWORD, actor="setup")
    store.accounts.grant("Vi Viewer", BOROUGH, Role.VIEWER, actor="setup")
    start(dash_duo, store)
    dash_duo.driver.get(f"{dash_duo.server_url}/login?next={quote(f'/map?site={BOROUGH}')}")
    dash_duo.wait_for_element("#name", timeout=30)
    assert_accessible(dash_duo.driver, "Sign-in page")
    dash_duo.find_element("#name").send_keys("Vi Viewer")
    dash_duo.find_element("#password").send_keys("not the password")
    dash_duo.find_element("button[type=submit]").click()
    dash_duo.wait_for_contains_text(".sign-in .error", "do not match", timeout=30)
    assert_accessible(dash_duo.driver, "Sign-in page, a wrong password")
    sign_in(dash_duo, "Vi Viewer", f"/map?site={BOROUGH}")
    map_shown(dash_duo)
    dash_duo.wait_for_contains_text(f"#{mid.READ_ONLY}", "ask its owner to make you an editor", timeout=30)
    dash_duo.wait_for_text_to_equal(f"#{ids.NAV_PERSON}", "Vi Viewer", timeout=30)
    assert_accessible(dash_duo.driver, "Map page, a viewer's read-only map")


def test_sharing_page_with_members_for_an_owner_and_a_viewer(dash_duo: Any, store: Store) -> None:
    store.accounts.add("Olu Owner", PASSWORD, actor="setup")
    store.accounts.grant("Olu Owner", BOROUGH, Role.OWNER, actor="setup")
    store.accounts.add("Vi Viewer", PASSWORD, actor="setup")
    store.accounts.grant("Vi Viewer", BOROUGH, Role.VIEWER, actor="setup")
    start(dash_duo, store)
    sign_in(dash_duo, "Olu Owner", f"/share?site={BOROUGH}")
    dash_duo.wait_for_contains_text("#share-members", "Vi Viewer", timeout=30)
    dash_duo.wait_for_element("#share-give", timeout=30)
    settled(dash_duo)
    assert_accessible(dash_duo.driver, "Sharing page, an owner's controls and the members")
    # With a name and Sign out in it, the bar still holds everything on its dark ground (1280 px wide).
    assert dash_duo.driver.execute_script(
        "var bar = document.querySelector('.topbar'); return bar.scrollWidth <= bar.clientWidth;")
    click(dash_duo, "share-give")  # nobody chosen: the page says so
    dash_duo.wait_for_contains_text("#share-result", "Choose the person first", timeout=20)
    assert_accessible(dash_duo.driver, "Sharing page, nobody chosen")
    dash_duo.find_element(f"#{ids.NAV_PERSON} ~ form button").click()  # Sign out
    until(lambda: urlparse(dash_duo.driver.current_url).path == "/login", 30)
    until(lambda: "signed_out=yes" in dash_duo.driver.current_url, 30)  # the session really ended
    dash_duo.wait_for_contains_text("#sign-in-notice", "You have signed out.", timeout=20)
    assert_accessible(dash_duo.driver, "Sign-in page, after signing out")
    sign_in(dash_duo, "Vi Viewer", f"/share?site={BOROUGH}")
    dash_duo.wait_for_contains_text("#share-members", "Only the site's owners", timeout=30)
    assert_accessible(dash_duo.driver, "Sharing page, a viewer")


def test_sign_in_page_with_the_identity_provider(dash_duo: Any, store: Store,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    with asked_to_sign_in_with_the_provider(dash_duo, store, monkeypatch):
        assert_accessible(dash_duo.driver, "Sign-in page with the identity provider's button")
        dash_duo.find_element("#sign-in-provider").click()
        map_shown(dash_duo)
        dash_duo.wait_for_text_to_equal(f"#{ids.NAV_PERSON}", "asha.patel@example.nhs.uk", timeout=30)
        dash_duo.wait_for_element(f"#{mid.UNDO}", timeout=30)
        assert_accessible(dash_duo.driver, "Map page, an editor signed in through the identity provider")
