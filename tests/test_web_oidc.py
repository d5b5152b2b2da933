"""Signing in through an organisation's identity provider: the whole OpenID Connect flow against a
provider on loopback (:mod:`oidc_provider`), driven through the app's Flask test client."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import requests

from conftest import MODELS
from integramap.people import Role
from integramap.store import Store
from integramap.web import create_app
from integramap.web.common import oidc as oidc_settings
from oidc_provider import CLIENT_ID, CLIENT_SECRET, LocalProvider

BOROUGH = "riverside-borough"


@pytest.fixture
def provider() -> Iterator[LocalProvider]:
    with LocalProvider() as running:
        yield running


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(data_dir=tmp_path / "data") as s:
        s.seed(MODELS)
        s.accounts.add("Ada Admin", "correct horse battery", admin=True, actor="setup")
        yield s


def configure(monkeypatch: pytest.MonkeyPatch, provider: LocalProvider, **extra: str) -> None:
    monkeypatch.setenv(oidc_settings.ISSUER_ENV, provider.issuer)
    monkeypatch.setenv(oidc_settings.CLIENT_ID_ENV, CLIENT_ID)
    monkeypatch.setenv(oidc_settings.CLIENT_SECRET_ENV, CLIENT_SECRET)
    monkeypatch.setenv(oidc_settings.NAME_ENV, "NHSmail")
    for name, value in extra.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch, provider: LocalProvider, store: Store) -> Any:
    configure(monkeypatch, provider)
    return create_app(store).server.test_client()


def through_provider(client: Any, next_: str = "/map") -> Any:
    """Press "Sign in with …", let the provider sign the person in, and come back: the app's answer."""
    start = client.get(f"/login/oidc?next={next_}")
    assert start.status_code == 302, start.get_data(as_text=True)
    back = requests.get(start.headers["Location"], allow_redirects=False, timeout=20)
    assert back.status_code == 302, back.text
    address = urlparse(back.headers["Location"])
    assert address.path == "/login/oidc/callback"
    return client.get(f"{address.path}?{address.query}")


def test_the_sign_in_page_offers_the_provider(client: Any) -> None:
    page = client.get("/login").get_data(as_text=True)
    assert "Sign in with NHSmail" in page and 'href="/login/oidc?next=%2F"' in page


def test_the_whole_flow_signs_in_a_new_person_with_no_roles(client: Any, provider: LocalProvider,
                                                           store: Store) -> None:
    assert client.get("/_dash-layout").status_code == 401
    done = through_provider(client, "/map?site=riverside-borough")
    assert done.status_code == 302 and done.headers["Location"] == "/map?site=riverside-borough"
    # The request to the provider carried state, a nonce and an S256 PKCE challenge; the token
    # request the matching verifier (the provider checks it, or no id_token is issued).
    asked = provider.authorize_requests[-1]
    assert asked["state"] and asked["nonce"] and asked["code_challenge_method"] == "S256"
    assert asked["scope"].split()[0] == "openid" and asked["redirect_uri"] == "http://localhost/login/oidc/callback"
    assert provider.token_requests[-1]["code_verifier"]
    assert client.get("/_dash-layout").status_code == 200
    account = next(a for a in store.accounts.all() if a.name == "asha.patel@example.nhs.uk")
    assert account.identity_provider and not account.has_password and account.roles == {}
    assert store.accounts.person("asha.patel@example.nhs.uk").roles == {}
    actions = [(e.actor, e.action, e.detail) for e in store.accounts.audit(limit=3)]
    assert ("asha.patel@example.nhs.uk", "sign-in", "identity provider") in actions
    assert ("identity provider", "add user", "asha.patel@example.nhs.uk") in actions


def test_roles_still_come_from_grants_and_the_subject_finds_the_account_again(
        client: Any, provider: LocalProvider, store: Store) -> None:
    # An admin adds her by her address before she first signs in, and grants her the borough.
    store.accounts.add("asha.patel@example.nhs.uk", None, actor="setup")
    store.accounts.grant("asha.patel@example.nhs.uk", BOROUGH, Role.EDITOR, actor="setup")
    provider.user = {**provider.user, "sub": "icb-7", "email": "Asha.Patel@example.nhs.uk"}
    assert through_provider(client).status_code == 302
    assert client.get("/api/v1/sites").status_code == 401  # the API never takes the browser's session
    sites = client.post("/_dash-update-component", json=_picker_request()).get_json()
    assert [o["value"] for o in sites["response"]["nav-site"]["options"]] == [BOROUGH]
    provider.user = {**provider.user, "email": "changed@example.nhs.uk"}  # a new address, the same person
    fresh = create_app(store).server.test_client()
    assert through_provider(fresh).status_code == 302
    assert [a.name for a in store.accounts.all() if a.identity_provider] == ["asha.patel@example.nhs.uk"]
    assert store.accounts.person("asha.patel@example.nhs.uk").roles == {BOROUGH: Role.EDITOR}


def _picker_request() -> dict[str, Any]:
    return {"output": "..nav-site.options...nav-site.value..",
            "outputs": [{"id": "nav-site", "property": "options"}, {"id": "nav-site", "property": "value"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": "/"},
                       {"id": "_pages_location", "property": "search", "value": ""}],
            "changedPropIds": ["_pages_location.pathname"]}


def test_without_new_accounts_an_unknown_person_is_refused(
        monkeypatch: pytest.MonkeyPatch, provider: LocalProvider, store: Store) -> None:
    configure(monkeypatch, provider, **{oidc_settings.NEW_ACCOUNTS_ENV: "no"})
    client = create_app(store).server.test_client()
    refused = through_provider(client)
    assert refused.status_code == 403
    assert "no IntegraMap account for asha.patel@example.nhs.uk" in refused.get_data(as_text=True)
    assert client.get("/_dash-layout").status_code == 401
    assert store.accounts.audit(limit=1)[0].action == "sign-in failed"


@pytest.mark.parametrize(("tamper", "words"), [
    ({"iss": "https://login.elsewhere.example"}, "different identity provider"),
    ({"aud": "another-application"}, "meant for another application"),
    ({"nonce": "not-the-one-sent"}, "does not belong to the sign-in this browser started"),
    ({"exp": int(time.time()) - 3600, "iat": int(time.time()) - 4000}, "had expired"),
])
def test_a_wrong_token_is_refused_with_a_clear_message(client: Any, provider: LocalProvider, store: Store,
                                                       tamper: dict[str, Any], words: str) -> None:
    provider.tamper = tamper
    refused = through_provider(client)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400 and words in text and "Traceback" not in text
    assert client.get("/_dash-layout").status_code == 401
    assert store.accounts.audit(limit=1)[0].action == "sign-in failed"


def test_a_token_signed_with_another_key_is_refused(client: Any, provider: LocalProvider) -> None:
    provider.sign_with_stranger = True
    refused = through_provider(client)
    assert refused.status_code == 400 and "not signed with its published keys" in refused.get_data(as_text=True)
    assert client.get("/_dash-layout").status_code == 401


def test_a_forged_or_replayed_state_is_refused(client: Any, provider: LocalProvider) -> None:
    start = client.get("/login/oidc?next=/")
    back = urlparse(requests.get(start.headers["Location"], allow_redirects=False, timeout=20).headers["Location"])
    query = parse_qs(back.query)
    forged = client.get(f"/login/oidc/callback?code={query['code'][0]}&state=made-up")
    assert forged.status_code == 400 and "not started from this browser" in forged.get_data(as_text=True)
    # Another browser (no session) bringing back someone else's code is refused the same way.
    stranger = create_app_client_like(client)
    stolen = stranger.get(f"/login/oidc/callback?{back.query}")
    assert stolen.status_code == 400 and "not started from this browser" in stolen.get_data(as_text=True)
    assert stranger.get("/_dash-layout").status_code == 401


def create_app_client_like(client: Any) -> Any:
    return client.application.test_client()


def test_a_refusal_by_the_provider_is_reported(client: Any, provider: LocalProvider) -> None:
    provider.refuse = "access_denied"
    refused = through_provider(client)
    assert refused.status_code == 400 and "did not sign you in (access_denied)" in refused.get_data(as_text=True)


def test_an_unreachable_provider_is_a_sentence(monkeypatch: pytest.MonkeyPatch, store: Store) -> None:
    monkeypatch.setenv(oidc_settings.ISSUER_ENV, "http://127.0.0.1:9")  # the discard port: nothing answers
    monkeypatch.setenv(oidc_settings.CLIENT_ID_ENV, CLIENT_ID)
    monkeypatch.setenv(oidc_settings.CLIENT_SECRET_ENV, CLIENT_SECRET)
    client = create_app(store).server.test_client()
    refused = client.get("/login/oidc?next=/")
    assert refused.status_code == 502 and "could not be reached" in refused.get_data(as_text=True)


def test_with_no_accounts_the_provider_cannot_make_the_first(
        monkeypatch: pytest.MonkeyPatch, provider: LocalProvider, tmp_path: Path) -> None:
    configure(monkeypatch, provider)
    with Store(data_dir=tmp_path / "empty") as empty:
        client = create_app(empty).server.test_client()
        assert client.get("/login/oidc").status_code == 302
        assert client.get("/login/oidc").headers["Location"] == "/"
        assert empty.accounts.count() == 0 and provider.authorize_requests == []


def test_incomplete_settings_name_what_is_missing() -> None:
    with pytest.raises(oidc_settings.OidcConfigError, match="INTEGRAMAP_OIDC_CLIENT_SECRET is not"):
        oidc_settings.OidcConfig.from_env({oidc_settings.ISSUER_ENV: "https://id.example.nhs.uk",
                                           oidc_settings.CLIENT_ID_ENV: "x"})


def test_a_discovery_document_naming_another_issuer_is_refused(
        monkeypatch: pytest.MonkeyPatch, provider: LocalProvider, store: Store) -> None:
    configure(monkeypatch, provider, **{oidc_settings.ISSUER_ENV: provider.issuer.replace("127.0.0.1", "localhost")})
    client = create_app(store).server.test_client()
    refused = client.get("/login/oidc?next=/")
    assert refused.status_code == 502 and "different issuer" in refused.get_data(as_text=True)
    assert provider.authorize_requests == []


# Signing out ---------------------------------------------------------------------------------------

def sign_out(client: Any) -> Any:
    """Press "Sign out" (the form carries the session's token, as the top bar's does)."""
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf" value="([^"]+)"', page)
    assert token is not None
    return client.post("/logout", data={"csrf": token.group(1)})


def test_signing_out_ends_the_providers_session_too(client: Any, provider: LocalProvider) -> None:
    assert through_provider(client).status_code == 302
    assert client.get("/_dash-layout").status_code == 200
    out = sign_out(client)
    assert out.status_code == 302
    address = urlparse(out.headers["Location"])
    assert f"{address.scheme}://{address.netloc}" == provider.issuer and address.path == "/logout"
    asked = {k: v[0] for k, v in parse_qs(address.query).items()}
    assert asked["client_id"] == CLIENT_ID
    assert asked["post_logout_redirect_uri"] == "http://localhost/login/signed-out"
    assert client.get("/_dash-layout").status_code == 401, "signed out of IntegraMap before leaving for the provider"
    # The provider checks the hint is the id_token it issued, ends that session and sends the browser back.
    back = requests.get(out.headers["Location"], allow_redirects=False, timeout=20)
    assert back.status_code == 302, back.text
    assert provider.sessions_ended == [provider.user["sub"]]
    returned = urlparse(back.headers["Location"])
    page = client.get(returned.path)
    assert page.status_code == 200 and "You have signed out." in page.get_data(as_text=True)
    assert "Sign in with NHSmail" in page.get_data(as_text=True)


def test_without_an_end_session_endpoint_the_person_is_told_the_provider_may_remember_them(
        client: Any, provider: LocalProvider) -> None:
    provider.end_session = False
    through_provider(client)
    out = sign_out(client)
    assert out.status_code == 302 and out.headers["Location"] == "/login?signed_out=here"
    page = client.get(out.headers["Location"]).get_data(as_text=True)
    assert "You may still be signed in to NHSmail in this browser" in page
    assert client.get("/_dash-layout").status_code == 401 and provider.logout_requests == []


def test_an_end_session_endpoint_over_plain_http_elsewhere_is_not_followed(client: Any,
                                                                          provider: LocalProvider) -> None:
    provider.end_session = "http://login.example.org/logout"
    through_provider(client)
    out = sign_out(client)
    assert out.headers["Location"] == "/login?signed_out=here"


def test_a_password_sign_in_signs_out_here_only(client: Any, provider: LocalProvider) -> None:
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf" value="([^"]+)"', page)
    assert token is not None
    signed = client.post("/login", data={"csrf": token.group(1), "name": "Ada Admin",
                                         "password": "correct horse battery", "next": "/"})
    assert signed.status_code == 302 and client.get("/_dash-layout").status_code == 200
    out = sign_out(client)
    assert out.headers["Location"] == "/login?signed_out=yes" and provider.logout_requests == []
    assert "You have signed out." in client.get(out.headers["Location"]).get_data(as_text=True)


def test_the_post_logout_address_can_be_set(monkeypatch: pytest.MonkeyPatch, provider: LocalProvider,
                                            store: Store) -> None:
    configure(monkeypatch, provider, **{oidc_settings.POST_LOGOUT_ENV: "https://integramap.example.nhs.uk/login/signed-out"})
    client = create_app(store).server.test_client()
    through_provider(client)
    asked = parse_qs(urlparse(sign_out(client).headers["Location"]).query)
    assert asked["post_logout_redirect_uri"] == ["https://integramap.example.nhs.uk/login/signed-out"]
