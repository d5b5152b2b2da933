"""Serving safely: security headers, writes from other sites refused, failures as a sentence not a 500."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.exc import TimeoutError as PoolTimeout

from integramap.store import Store
from integramap.store.access import PersonalStore
from integramap.web import create_app
from integramap.web.common.hardening import BUSY, FAILED
from test_web_auth import restore_first_revision


@pytest.fixture
def client(store: Store) -> Any:
    return create_app(store).server.test_client()


def test_every_response_carries_the_security_headers(client: Any) -> None:
    for path in ("/", "/_dash-layout", "/assets/integramap.css", "/api/v1/sites"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp and "'sha256-" in csp
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert "Strict-Transport-Security" not in headers


def test_https_adds_strict_transport_security(store: Store) -> None:
    headers = create_app(store, https=True).server.test_client().get("/").headers
    assert headers["Strict-Transport-Security"].startswith("max-age=")


def test_writes_from_another_site_are_refused(client: Any, store: Store) -> None:
    evil = {"Origin": "https://evil.example"}
    assert restore_first_revision_with(client, evil).status_code == 403
    assert restore_first_revision_with(client, {"Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert store.latest("riverside-borough") == 1
    same = {"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"}
    assert restore_first_revision_with(client, same).status_code == 200
    assert store.latest("riverside-borough") == 2


def restore_first_revision_with(client: Any, headers: dict[str, str]) -> Any:
    original = client.post

    def post(*args: Any, **kwargs: Any) -> Any:
        return original(*args, headers=headers, **kwargs)
    client.post = post
    try:
        return restore_first_revision(client, "Asha")
    finally:
        client.post = original


def test_an_unexpected_failure_in_a_callback_is_a_message_not_a_500(
        client: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    def boom(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("a fault in the code")
    monkeypatch.setattr(PersonalStore, "restore", boom)
    response = restore_first_revision(client, "Asha")
    assert response.status_code == 200
    assert FAILED in response.get_data(as_text=True) and "a fault in the code" not in response.get_data(as_text=True)
    assert "unexpected error in a callback" in caplog.text


def test_a_busy_database_is_503_for_the_api_and_a_message_in_the_browser(
        client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    def busy(*_args: Any, **_kwargs: Any) -> Any:
        raise PoolTimeout("QueuePool limit of size 5 overflow 10 reached")
    monkeypatch.setattr(PersonalStore, "list_sites", busy)
    response = client.get("/api/v1/sites")
    assert response.status_code == 503 and response.get_json() == {"message": BUSY}
    assert response.headers["Retry-After"] == "2"
    monkeypatch.setattr(PersonalStore, "restore", busy)
    assert BUSY in restore_first_revision(client, "Asha").get_data(as_text=True)


@pytest.mark.postgres
def test_an_exhausted_connection_pool_is_503_not_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    url = os.environ.get("INTEGRAMAP_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("no PostgreSQL server: set INTEGRAMAP_TEST_POSTGRES_URL (.ci/run starts one) to test on it")
    for name, value in (("INTEGRAMAP_DB_POOL_SIZE", "1"), ("INTEGRAMAP_DB_POOL_OVERFLOW", "0"),
                        ("INTEGRAMAP_DB_POOL_TIMEOUT", "1")):
        monkeypatch.setenv(name, value)
    with Store(url) as store:
        client = create_app(store).server.test_client()
        assert client.get("/api/v1/sites").status_code == 200
        with store.engine.connect():  # every connection of the pool is taken
            response = client.get("/api/v1/sites")
            assert response.status_code == 503 and response.get_json() == {"message": BUSY}
        assert client.get("/api/v1/sites").status_code == 200


def test_a_malformed_pool_setting_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    from integramap.store import StoreError

    monkeypatch.setenv("INTEGRAMAP_DB_POOL_SIZE", "lots")
    with pytest.raises(StoreError, match=r"\$INTEGRAMAP_DB_POOL_SIZE is 'lots'; expected a whole number"):
        Store("postgresql://u@127.0.0.1:9/none")
