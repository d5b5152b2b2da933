"""Signing in and roles in headless Chromium: a viewer's map has no edit control, and the
organisation's identity provider signs a person in end to end."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.by import By

from conftest import MODELS
from integramap.people import Role
from integramap.store import Store
from integramap.web import create_app
from integramap.web.common import ids
from integramap.web.common import oidc as oidc_settings
from integramap.web.map import ids as mid
from oidc_provider import CLIENT_ID, CLIENT_SECRET, LocalProvider
from test_web_browser import cy_eval, settled

PASSWORD = "correct horse battery"
BOROUGH = "riverside-borough"
EDIT_CONTROLS = (mid.UNDO, mid.REDO, mid.ARRANGE, mid.UNIT_ADD, mid.UNIT_UPDATE, mid.UNIT_DELETE, mid.LINK_ADD,
                 mid.LINK_DELETE, mid.SAVE, mid.DISCARD, mid.UPLOAD, mid.START_UPLOAD)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(data_dir=tmp_path / "data") as s:
        s.seed(MODELS)
        s.accounts.add("Vi Viewer", PASSWORD, actor="setup")
        s.accounts.grant("Vi Viewer", BOROUGH, Role.VIEWER, actor="setup")
        yield s


def start(dash_duo: Any, store: Store) -> None:
    """Serve the app; its first page is the sign-in page, not Dash's, so dash.testing must not wait for Dash."""
    with socket.socket() as probe:  # a free port: other test runs on this machine may hold the usual one
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    dash_duo.start_server(create_app(store), navigate=False, port=port)
    dash_duo._url = dash_duo.server.url


def map_shown(dash_duo: Any) -> None:
    until(lambda: (cy_eval(dash_duo, "return cy.nodes().length;") or 0) > 0, timeout=30)
    settled(dash_duo, 30)


def shown_controls(dash_duo: Any) -> list[str]:
    """The edit controls a person could see and press, wherever they are on the page."""
    return list(dash_duo.driver.execute_script(
        "return arguments[0].filter(function (id) { var e = document.getElementById(id);"
        " return !!e && e.offsetParent !== null; });", list(EDIT_CONTROLS)))


def test_a_viewer_sees_the_map_with_no_edit_control(dash_duo: Any, store: Store) -> None:
    start(dash_duo, store)
    dash_duo.driver.get(f"{dash_duo.server_url}/login?next={quote(f'/map?site={BOROUGH}')}")
    dash_duo.wait_for_element("#name", timeout=30).send_keys("Vi Viewer")
    dash_duo.find_element("#password").send_keys(PASSWORD)
    dash_duo.find_element("button[type=submit]").click()
    map_shown(dash_duo)
    dash_duo.wait_for_contains_text(f"#{mid.READ_ONLY}", "ask its owner to make you an editor", timeout=30)
    assert dash_duo.find_element(f"#{ids.NAV_PERSON}").text == "Vi Viewer"
    tabs = [t.text.strip() for t in dash_duo.driver.find_elements(By.CSS_SELECTOR, f"#{mid.TABS} .tab")]
    assert tabs == ["Inspect", "Download"]
    assert shown_controls(dash_duo) == []
    next(t for t in dash_duo.driver.find_elements(By.CSS_SELECTOR, f"#{mid.TABS} .tab")
         if t.text.strip() == "Download").click()
    dash_duo.wait_for_element(f"#{mid.DOWNLOAD_YAML}", timeout=30)
    assert shown_controls(dash_duo) == []
    # Units cannot be dragged to new places either.
    assert cy_eval(dash_duo, "return cy.autoungrabify();") is True
    assert store.working_copies.load("account:Vi Viewer", BOROUGH).done == []  # type: ignore[union-attr]


@contextlib.contextmanager
def asked_to_sign_in_with_the_provider(dash_duo: Any, store: Store,
                                       monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalProvider]:
    """An editor of the borough known to a local identity provider ("NHSmail") opens its map and is
    shown the sign-in page with the provider's button."""
    store.accounts.add("asha.patel@example.nhs.uk", None, actor="setup")
    store.accounts.grant("asha.patel@example.nhs.uk", BOROUGH, Role.EDITOR, actor="setup")
    with LocalProvider() as provider:
        monkeypatch.setenv(oidc_settings.ISSUER_ENV, provider.issuer)
        monkeypatch.setenv(oidc_settings.CLIENT_ID_ENV, CLIENT_ID)
        monkeypatch.setenv(oidc_settings.CLIENT_SECRET_ENV, CLIENT_SECRET)
        monkeypatch.setenv(oidc_settings.NAME_ENV, "NHSmail")
        start(dash_duo, store)
        provider.redirect_uris = [f"{dash_duo.server_url}/login/oidc/callback"]
        dash_duo.driver.get(f"{dash_duo.server_url}/map?site={BOROUGH}")
        dash_duo.wait_for_element("#sign-in-provider", timeout=30)
        yield provider


def test_signing_in_through_the_identity_provider_opens_the_asked_page(
        dash_duo: Any, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    with asked_to_sign_in_with_the_provider(dash_duo, store, monkeypatch) as provider:
        button = dash_duo.find_element("#sign-in-provider")
        assert button.text == "Sign in with NHSmail"
        button.click()
        map_shown(dash_duo)
        dash_duo.wait_for_text_to_equal(f"#{ids.NAV_PERSON}", "asha.patel@example.nhs.uk", timeout=30)
        assert dash_duo.driver.current_url == f"{dash_duo.server_url}/map?site={BOROUGH}"
        # An editor: the edit controls are there.
        dash_duo.wait_for_element(f"#{mid.UNDO}", timeout=30)
        assert mid.UNDO in shown_controls(dash_duo)
        assert provider.authorize_requests and provider.token_requests
