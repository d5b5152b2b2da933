"""The REST API at /api/v1 through Flask's test client: every status code it promises."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import MODELS
from integramap.people import Role
from integramap.store import Store
from integramap.web import create_app
from integramap.web.common.auth import MAX_FAILURES

PASSWORD = "correct horse battery"
BOROUGH = "riverside-borough"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(data_dir=tmp_path / "data") as s:
        s.seed(MODELS)
        s.accounts.add("Ed Editor", PASSWORD, actor="setup")
        s.accounts.grant("Ed Editor", BOROUGH, Role.EDITOR, actor="setup")
        s.accounts.add("Vi Viewer", PASSWORD, actor="setup")
        s.accounts.grant("Vi Viewer", BOROUGH, Role.VIEWER, actor="setup")
        yield s


@pytest.fixture
def client(store: Store) -> Any:
    return create_app(store).server.test_client()


def basic(name: str, password: str = PASSWORD) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{name}:{password}".encode()).decode()}


def test_anonymous_requests_get_401_with_a_challenge(client: Any) -> None:
    for response in (client.get("/api/v1/sites"), client.get(f"/api/v1/sites/{BOROUGH}"),
                     client.post(f"/api/v1/sites/{BOROUGH}/revisions", json={})):
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Basic")
        assert "message" in response.get_json()
    assert client.get("/api/v1/sites", headers=basic("Ed Editor", "wrong password")).status_code == 401
    assert client.get("/api/v1/sites", headers={"Authorization": "Bearer im_nope"}).status_code == 401


def test_sites_lists_only_visible_sites_with_the_role(client: Any, store: Store) -> None:
    response = client.get("/api/v1/sites", headers=basic("Vi Viewer"))
    assert response.status_code == 200
    assert [(s["id"], s["role"], s["revision"]) for s in response.get_json()] == [(BOROUGH, "viewer", 1)]


def test_get_returns_the_latest_revision_and_its_document(client: Any, store: Store) -> None:
    token = store.accounts.new_token("Vi Viewer", actor="setup")
    body = client.get(f"/api/v1/sites/{BOROUGH}", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert body["revision"] == 1 and body["document"]["id"] == BOROUGH
    assert len(body["document"]["units"]) == store.get(BOROUGH).units
    other = next(s.id for s in store.list_sites() if s.id != BOROUGH)
    assert client.get(f"/api/v1/sites/{other}", headers=basic("Vi Viewer")).status_code == 404
    assert client.get("/api/v1/sites/nowhere", headers=basic("Vi Viewer")).status_code == 404


def test_save_then_stale_save_is_409(client: Any, store: Store) -> None:
    doc = client.get(f"/api/v1/sites/{BOROUGH}", headers=basic("Ed Editor")).get_json()["document"]
    doc["name"] = "Riverside (scripted)"
    saved = client.post(f"/api/v1/sites/{BOROUGH}/revisions", headers=basic("Ed Editor"),
                        json={"document": doc, "base": 1, "message": "renamed by a script"})
    assert saved.status_code == 201 and saved.get_json() == {"revision": 2}
    latest = store.get(BOROUGH)
    assert (latest.author, latest.message, latest.name) == ("Ed Editor", "renamed by a script",
                                                            "Riverside (scripted)")
    stale = client.post(f"/api/v1/sites/{BOROUGH}/revisions", headers=basic("Ed Editor"),
                        json={"document": doc, "base": 1, "message": "again"})
    assert stale.status_code == 409 and "while you were editing revision 1" in stale.get_json()["message"]
    assert store.latest(BOROUGH) == 2


def test_a_viewer_gets_403_and_nothing_is_saved(client: Any, store: Store) -> None:
    doc = client.get(f"/api/v1/sites/{BOROUGH}", headers=basic("Vi Viewer")).get_json()["document"]
    refused = client.post(f"/api/v1/sites/{BOROUGH}/revisions", headers=basic("Vi Viewer"),
                          json={"document": doc, "base": 1})
    assert refused.status_code == 403 and store.latest(BOROUGH) == 1


def test_invalid_bodies_are_422_with_every_fault_located(client: Any, store: Store) -> None:
    url = f"/api/v1/sites/{BOROUGH}/revisions"
    shape = client.post(url, headers=basic("Ed Editor"), json={"document": "x", "base": "one", "extra": 1})
    assert shape.status_code == 422
    assert sorted(tuple(e["loc"]) for e in shape.get_json()["errors"]) == [("base",), ("document",), ("extra",)]
    bad = {"id": BOROUGH, "name": "R", "units": [{"id": "a", "name": "A", "kind": "castle"}],
           "links": [{"id": "l", "source": "a", "target": "zz", "level": "interface"}]}
    invalid = client.post(url, headers=basic("Ed Editor"), json={"document": bad, "base": 1})
    locs = [e["loc"] for e in invalid.get_json()["errors"]]
    assert invalid.status_code == 422 and ["document", "units", 0, "kind"] in locs
    assert any(loc[:2] == ["document", "links"] for loc in locs)
    other = client.post(url, headers=basic("Ed Editor"), json={"document": {"id": "elsewhere", "name": "E"},
                                                               "base": 1})
    assert other.status_code == 422 and other.get_json()["errors"][0]["loc"] == ["document", "id"]
    form = client.post(url, headers=basic("Ed Editor"), data="document=x")
    assert form.status_code == 415
    assert store.latest(BOROUGH) == 1


def test_base_null_creates_a_site_owned_by_its_creator(client: Any, store: Store) -> None:
    made = client.post("/api/v1/sites/new-place/revisions", headers=basic("Vi Viewer"),
                       json={"document": {"id": "new-place", "name": "New place"}, "base": None})
    assert made.status_code == 201 and made.get_json() == {"revision": 1}
    assert store.accounts.person("Vi Viewer").role("new-place") is Role.OWNER
    taken = client.post(f"/api/v1/sites/{BOROUGH}/revisions", headers=basic("Vi Viewer"),
                        json={"document": {"id": BOROUGH, "name": "Mine now"}, "base": None})
    assert taken.status_code == 409 and store.latest(BOROUGH) == 1


def test_the_session_cookie_does_not_authorise_the_api(client: Any) -> None:
    from test_web_auth import sign_in

    sign_in(client, "Ed Editor")
    assert client.get("/_dash-layout").status_code == 200
    assert client.get("/api/v1/sites").status_code == 401


def test_failed_basic_sign_ins_are_rate_limited(client: Any) -> None:
    for _ in range(MAX_FAILURES):
        assert client.get("/api/v1/sites", headers=basic("Vi Viewer", "wrong wrong")).status_code == 401
    assert client.get("/api/v1/sites", headers=basic("Vi Viewer")).status_code == 429


def test_openapi_describes_the_routes(client: Any) -> None:
    doc = client.get("/api/v1/openapi.json").get_json()
    post = doc["paths"]["/api/v1/sites/{id}/revisions"]["post"]
    assert set(post["responses"]) >= {"201", "401", "403", "409", "422"}
    assert "document" in doc["components"]["schemas"]["NewRevision"]["properties"]


def test_single_user_mode_answers_the_api_on_this_computer_only(tmp_path: Path) -> None:
    with Store(data_dir=tmp_path / "alone") as alone:
        alone.seed(MODELS)
        client = create_app(alone).server.test_client()
        assert len(client.get("/api/v1/sites").get_json()) == len(alone.list_sites())
        assert client.get("/api/v1/sites", environ_base={"REMOTE_ADDR": "192.168.1.9"}).status_code == 403


def test_boundaries_analyses_two_layers_of_a_visible_site(client: Any) -> None:
    body = client.get(f"/api/v1/sites/{BOROUGH}/boundaries", headers=basic("Vi Viewer")).get_json()
    assert body["revision"] == 1 and body["report"]["counts"]["straddles"] == 1
    wrong = client.get(f"/api/v1/sites/{BOROUGH}/boundaries?a=castles", headers=basic("Vi Viewer"))
    assert wrong.status_code == 422 and wrong.get_json()["errors"][0]["loc"] == ["a"]
    assert client.get("/api/v1/sites/nowhere/boundaries", headers=basic("Vi Viewer")).status_code == 404
