"""Typed text lands as typed in the Map page's text fields while the page is busy (assets/typing.js).

Dash's text field puts the caret back after each key from a zero-delay timer. On a busy page those
timers run after the next keys, and without the fix the caret jumped back under the typist: the test
below gave "Mtutgatehh joins Soarlow Hea" for "Marlow Heath joins Southgate". A busy page is made
for certain by running every zero-delay timer of the page 150 ms late.
"""

from __future__ import annotations

from typing import Any

import pytest
from dash.testing import errors
from dash.testing.wait import until
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from integramap.store import Store
from integramap.web import create_app
from integramap.web.map import ids as mid
from test_web_browser import settled

pytestmark = pytest.mark.browser

BOROUGH = "riverside-borough"
LATE_TIMERS = """
var later = window.setTimeout;
window.setTimeout = function (callback, delay) {
  var rest = Array.prototype.slice.call(arguments, 2);
  return later.apply(window, [callback, delay ? delay : 150].concat(rest));
};
"""


def open_busy_map(dash_duo: Any, store: Store) -> None:
    dash_duo.start_server(create_app(store))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/map?site={BOROUGH}")
    dash_duo.wait_for_element(f"#{mid.CY} canvas", timeout=30)
    settled(dash_duo, 30)
    dash_duo.driver.execute_script(LATE_TIMERS)


def type_keys(dash_duo: Any, element_id: str, *pressed: str) -> None:
    """Click into the field, then press each key on its own, as a person types."""
    dash_duo.driver.find_element(By.ID, element_id).click()
    for key in pressed:
        ActionChains(dash_duo.driver).send_keys(key).perform()


def value_of(dash_duo: Any, element_id: str) -> str:
    return str(dash_duo.driver.execute_script("return document.getElementById(arguments[0]).value;",
                                              element_id))


def wait_for_value(dash_duo: Any, element_id: str, typed: str) -> None:
    try:
        until(lambda: value_of(dash_duo, element_id) == typed, 10)
    except errors.TestingTimeoutError:
        raise AssertionError(f"typed {typed!r}, the field holds {value_of(dash_duo, element_id)!r}") from None


def test_the_search_box_keeps_fast_typing_in_order(dash_duo: Any, store: Store) -> None:
    open_busy_map(dash_duo, store)
    type_keys(dash_duo, mid.F_SEARCH, *"Community Frailty")
    wait_for_value(dash_duo, mid.F_SEARCH, "Community Frailty")
    # And stays so once the debounced value has gone to the server and come back.
    settled(dash_duo, 30)
    assert value_of(dash_duo, mid.F_SEARCH) == "Community Frailty"


def test_a_name_typed_then_mended_in_the_middle_comes_out_as_typed(dash_duo: Any, store: Store) -> None:
    open_busy_map(dash_duo, store)
    dash_duo.find_element(f"#{mid.TRY_TOGGLE}").click()
    dash_duo.wait_for_element(f"#{mid.TRY_NAME}", timeout=20)
    until(lambda: dash_duo.driver.find_element(By.ID, mid.TRY_NAME).is_displayed(), 20)
    type_keys(dash_duo, mid.TRY_NAME, *"Marlow Heath Southgate", *[Keys.ARROW_LEFT] * 9, *"joins ",
              Keys.END, *" PCN")
    wait_for_value(dash_duo, mid.TRY_NAME, "Marlow Heath joins Southgate PCN")
