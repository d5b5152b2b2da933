"""Signing in to the web app, and the roles it enforces on the server, through Flask's test client."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any

import pytest
from dash._utils import split_callback_id

from conftest import FIXTURES, MODELS
from integramap.model import Site
from integramap.people import Person, Role, acting_as
from integramap.store import Store, UnknownSiteError
from integramap.store.access import NotAllowed, PersonalStore
from integramap.web import create_app
from integramap import demo as demos
from integramap.demo import REFERENCE_DATA_ENV
from integramap.drafts import Change
from integramap.web.boundaries import demo_offer
from integramap.web.common.auth import MAX_FAILURES
from integramap.web.common.jobs import Progress
from integramap.web.common.services import Services
from integramap.web.common.limits import DEMO_BUILDS, UPLOADS
from integramap.web.history import page as history_page
from integramap.web.map import ids as mid
from integramap.web.map import page as map_page
from integramap.web.map.working import open_site

PASSWORD = "correct horse battery"
BOROUGH = "riverside-borough"


@pytest.fixture
def team(store: Store) -> Store:
    """Accounts: an admin, an editor and a viewer of the borough, and someone with no role."""
    store.accounts.add("Ada Admin", PASSWORD, admin=True, actor="setup")
    for name, role in (("Ed Editor", Role.EDITOR), ("Vi Viewer", Role.VIEWER)):
        store.accounts.add(name, PASSWORD, actor="setup")
        store.accounts.grant(name, BOROUGH, role, actor="setup")
    store.accounts.add("No Role", PASSWORD, actor="setup")
    return store


def sign_in(client: Any, name: str, password: str = PASSWORD, next_: str = "/") -> Any:
    page = client.get(f"/login?next={next_}").get_data(as_text=True)
    token = re.search(r'name="csrf" value="([^"]+)"', page)
    assert token, page
    return client.post("/login", data={"csrf": token.group(1), "name": name, "password": password,
                                       "next": next_})


def dash_post(client: Any, input_id: str, inputs: dict[str, Any], state: dict[str, Any]) -> Any:
    """Post to a callback as the browser would: the one triggered by ``input_id``."""
    deps = client.application.extensions["integramap-app"]._callback_list
    dep = next(d for d in deps if any(i["id"] == input_id for i in d["inputs"]))
    body = {
        "output": dep["output"],
        "outputs": split_callback_id(dep["output"]),
        "inputs": [{**i, "value": inputs.get(f"{i['id']}.{i['property']}")} for i in dep["inputs"]],
        "state": [{**s, "value": state.get(f"{s['id']}.{s['property']}")} for s in dep["state"]],
        "changedPropIds": [f"{input_id}.n_clicks"],
    }
    return client.post("/_dash-update-component", json=body)


def restore_first_revision(client: Any, author: str) -> Any:
    return dash_post(client, "history-restore", {"history-restore.n_clicks": 1},
                     {"history-selected.data": [1], "history-request.data": {"site": BOROUGH},
                      "history-author.value": author, "history-restore-message.value": "",
                      "history-refresh.data": 0})


# Single-user mode --------------------------------------------------------------------------

def test_with_no_accounts_the_app_answers_this_computer_only(store: Store) -> None:
    client = create_app(store).server.test_client()
    assert client.get("/_dash-layout").status_code == 200
    far = client.get("/_dash-layout", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert far.status_code == 403 and b"only answers on the computer it runs on" in far.data
    assert client.get("/login").status_code == 302  # nothing to sign in to


def test_with_no_accounts_the_typed_author_is_kept(store: Store) -> None:
    client = create_app(store).server.test_client()
    assert restore_first_revision(client, "Asha Patel").status_code == 200
    assert store.history(BOROUGH)[0].author == "Asha Patel"


# Signing in --------------------------------------------------------------------------------

def test_anonymous_requests_read_and_change_nothing(team: Store) -> None:
    client = create_app(team).server.test_client()
    page = client.get("/map?site=riverside-borough")
    assert page.status_code == 302 and page.location.startswith("/login?next=")
    for path in ("/_dash-layout", "/_dash-dependencies"):
        assert client.get(path).status_code == 401
    assert restore_first_revision(client, "Chief Executive").status_code == 401
    assert team.latest(BOROUGH) == 1
    assert client.get("/assets/integramap.css").status_code == 200
    login = client.get("/login")
    assert login.status_code == 200 and b"Sign in" in login.data and b'class="topbar"' in login.data


def test_signing_in_sets_a_protected_cookie_and_returns_to_the_page(team: Store) -> None:
    client = create_app(team).server.test_client()
    done = sign_in(client, "Ed Editor", next_="/history?site=riverside-borough")
    assert done.status_code == 302 and done.location == "/history?site=riverside-borough"
    cookie = done.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    layout = client.get("/_dash-layout")
    assert layout.status_code == 200 and "Ed Editor" in layout.get_data(as_text=True)
    assert [e.action for e in team.accounts.audit(actor="Ed Editor")] == ["sign-in"]


def test_secure_cookies_behind_https(team: Store) -> None:
    client = create_app(team, https=True).server.test_client()
    assert "Secure" in sign_in(client, "Ed Editor").headers["Set-Cookie"]


def test_wrong_passwords_forged_forms_and_outside_redirects_are_refused(team: Store) -> None:
    client = create_app(team).server.test_client()
    wrong = sign_in(client, "Ed Editor", "not the password")
    assert wrong.status_code == 401 and b"do not match" in wrong.data
    forged = client.post("/login", data={"name": "Ed Editor", "password": PASSWORD, "csrf": "guess"})
    assert forged.status_code == 400
    assert sign_in(client, "Ed Editor", next_="https://evil.example/").location == "/"


def test_the_sign_out_token_is_made_with_the_session_so_no_page_request_can_lose_it(team: Store) -> None:
    # A page's first requests run at once and each sends the session cookie back as it found it: the
    # token must already be in the cookie the sign-in set, not made by one of them.
    client = create_app(team).server.test_client()
    assert sign_in(client, "Ed Editor").status_code == 302
    with client.session_transaction() as signed_in:
        token = signed_in.get("csrf")
    assert isinstance(token, str) and len(token) >= 24
    assert f'"value":"{token}"' in client.get("/_dash-layout").get_data(as_text=True).replace(" ", "")
    out = client.post("/logout", data={"csrf": token})
    assert out.headers["Location"] == "/login?signed_out=yes"
    assert client.get("/_dash-layout").status_code == 401


def test_sign_in_is_rate_limited_per_name(team: Store) -> None:
    client = create_app(team).server.test_client()
    for _ in range(MAX_FAILURES):
        assert sign_in(client, "Vi Viewer", "guessing guessing").status_code == 401
    blocked = sign_in(client, "Vi Viewer")
    assert blocked.status_code == 429 and b"Too many failed attempts" in blocked.data
    assert sign_in(client, "Ed Editor").status_code == 302  # other people are not locked out


def test_signing_out_ends_the_session(team: Store) -> None:
    client = create_app(team).server.test_client()
    sign_in(client, "Ed Editor")
    layout = client.get("/_dash-layout").get_json()
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            props = node.get("props", {})
            if props.get("name") == "csrf":
                found.append(props["value"])
            for value in props.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)
    walk(layout)
    assert len(found) == 1
    assert client.post("/logout", data={"csrf": found[0]}).status_code == 302
    assert client.get("/_dash-layout").status_code == 401


def test_a_removed_account_is_signed_out_at_once(team: Store) -> None:
    client = create_app(team).server.test_client()
    sign_in(client, "Ed Editor")
    team.accounts.remove("Ed Editor", actor="Ada Admin")
    assert client.get("/_dash-layout").status_code == 401


# Roles, enforced on the server -------------------------------------------------------------

def test_the_site_picker_lists_only_visible_sites(team: Store) -> None:
    client = create_app(team).server.test_client()
    sign_in(client, "Vi Viewer")
    response = dash_post(client, "_pages_location", {"_pages_location.pathname": "/",
                                                     "_pages_location.search": ""}, {})
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and BOROUGH in text
    assert [s.id for s in team.list_sites() if s.id != BOROUGH and s.id in text] == []


def test_a_viewer_cannot_restore_and_the_author_is_never_client_supplied(team: Store) -> None:
    client = create_app(team).server.test_client()
    sign_in(client, "Vi Viewer")
    refused = restore_first_revision(client, "Chief Executive")
    assert refused.status_code == 200 and "ask its owner to make you an editor" in refused.get_data(as_text=True)
    assert team.latest(BOROUGH) == 1

    editor = create_app(team).server.test_client()
    sign_in(editor, "Ed Editor")
    assert restore_first_revision(editor, "Chief Executive").status_code == 200
    assert team.history(BOROUGH)[0].author == "Ed Editor"


def test_someone_without_a_role_cannot_tell_the_site_exists(team: Store) -> None:
    client = create_app(team).server.test_client()
    sign_in(client, "No Role")
    response = restore_first_revision(client, "No Role")
    assert "No site called 'riverside-borough'" in response.get_data(as_text=True)
    assert team.latest(BOROUGH) == 1


def test_the_personal_store_checks_every_path(team: Store) -> None:
    mine = PersonalStore(team)
    viewer = team.accounts.person("Vi Viewer")
    with acting_as(viewer):
        assert [s.id for s in mine.list_sites()] == [BOROUGH]
        assert mine.get(BOROUGH).number == 1 and mine.history(BOROUGH)[0].number == 1
        with pytest.raises(NotAllowed):
            mine.save(mine.get(BOROUGH).site, author="x", message="", base=1)
        with pytest.raises(NotAllowed):
            mine.share("No Role", BOROUGH, Role.VIEWER)
        other = next(s.id for s in team.list_sites() if s.id != BOROUGH)
        with pytest.raises(UnknownSiteError):
            mine.get(other)
        assert not mine.exists(other)
        # A new site is theirs: its owner may share it.
        mine.save(Site(id="new-one", name="New"), author="forged", message="", base=None)
        assert team.history("new-one")[0].author == "Vi Viewer"
        assert team.accounts.person("Vi Viewer").role("new-one") is Role.OWNER
    with acting_as(team.accounts.person("Vi Viewer")):
        mine.share("No Role", "new-one", Role.EDITOR)
    assert team.accounts.members("new-one") == {"No Role": Role.EDITOR, "Vi Viewer": Role.OWNER}
    with acting_as(None), pytest.raises(NotAllowed, match="sign in"):
        mine.list_sites()
    with acting_as(Person(name="Ada Admin", admin=True)):
        assert len(mine.list_sites()) == len(team.list_sites())


def test_the_server_refuses_other_addresses_until_an_account_exists(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import runpy

    monkeypatch.delenv("INTEGRAMAP_DATABASE_URL", raising=False)
    monkeypatch.setenv("INTEGRAMAP_DATA_DIR", str(tmp_path))
    app_module = runpy.run_path(str(MODELS.parent / "app.py"), run_name="integramap_app")
    with pytest.raises(SystemExit) as stopped:
        app_module["main"](["--host", "0.0.0.0"])
    assert stopped.value.code == 2
    assert 'integramap users add "Your Name" --admin' in capsys.readouterr().err


def test_an_owner_shares_a_site_and_others_cannot(team: Store) -> None:
    team.accounts.add("Olu Owner", PASSWORD, actor="setup")
    team.accounts.grant("Olu Owner", BOROUGH, Role.OWNER, actor="setup")
    owner = create_app(team).server.test_client()
    sign_in(owner, "Olu Owner")
    shown = dash_post(owner, "share-refresh", {"_pages_location.search": f"?site={BOROUGH}",
                                                "share-refresh.data": 0}, {})
    text = shown.get_data(as_text=True)
    assert "Vi Viewer" in text and "No Role" in text and '"display":"block"' in text
    given = dash_post(owner, "share-give", {"share-give.n_clicks": 1},
                      {"share-person.value": "No Role", "share-role.value": "editor",
                       "_pages_location.search": f"?site={BOROUGH}", "share-refresh.data": 0})
    assert "No Role is now editor of this site." in given.get_data(as_text=True)
    assert team.accounts.members(BOROUGH)["No Role"] is Role.EDITOR
    assert ("Olu Owner", "grant", BOROUGH) in [(e.actor, e.action, e.site_id) for e in team.accounts.audit()]

    editor = create_app(team).server.test_client()
    sign_in(editor, "Ed Editor")
    refused = dash_post(editor, "share-give", {"share-give.n_clicks": 1},
                        {"share-person.value": "Ed Editor", "share-role.value": "owner",
                         "_pages_location.search": f"?site={BOROUGH}", "share-refresh.data": 0})
    assert "ask its owner to make you an owner" in refused.get_data(as_text=True)
    assert team.accounts.members(BOROUGH)["Ed Editor"] is Role.EDITOR


def _nav_paths(layout: str) -> list[str]:
    """The pages the navigation bar of a served layout links to."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            ident = node.get("id")
            if isinstance(ident, dict) and ident.get("type") == "nav-link":
                found.append(ident["path"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(layout))
    return found


def test_sharing_is_offered_only_to_someone_signed_in(store: Store) -> None:
    # Single-user mode: no one to share with, so no Sharing in the navigation.
    single = create_app(store).server.test_client()
    paths = _nav_paths(single.get("/_dash-layout").get_data(as_text=True))
    assert "/map" in paths and "/share" not in paths
    store.accounts.add("Vi Viewer", PASSWORD, actor="setup")
    signed_in = create_app(store).server.test_client()
    sign_in(signed_in, "Vi Viewer")
    paths = _nav_paths(signed_in.get("/_dash-layout").get_data(as_text=True))
    assert "/map" in paths and "/share" in paths


# Viewers never reach edit controls -----------------------------------------------------------

EDIT_CONTROLS = {mid.UNDO, mid.REDO, mid.ARRANGE, mid.UNIT_ADD, mid.UNIT_UPDATE, mid.UNIT_DELETE,
                 mid.LINK_ADD, mid.LINK_DELETE, mid.SAVE, mid.DISCARD, mid.UPLOAD, mid.START_UPLOAD,
                 mid.TRY_TOGGLE}


def map_controls(app: Any, store: Store, name: str) -> dict[str, Any]:
    """The Map page of the borough as ``name`` gets it: each control by id (hidden ones left out)."""
    with app.server.test_request_context(f"/map?site={BOROUGH}"), acting_as(store.accounts.person(name)):
        tree = map_page.layout(site=BOROUGH)
        return {c.id: c for c in tree._traverse() if isinstance(getattr(c, "id", None), str)
                and (getattr(c, "style", None) or {}).get("display") != "none"}


def test_a_viewer_gets_the_map_without_any_edit_control(team: Store) -> None:
    app = create_app(team)
    for name in ("Ed Editor", "Ada Admin"):
        assert EDIT_CONTROLS <= set(map_controls(app, team, name))
    viewer = map_controls(app, team, "Vi Viewer")
    assert not EDIT_CONTROLS & set(viewer)
    assert mid.READ_ONLY in viewer and "ask its owner to make you an editor" in str(viewer[mid.READ_ONLY].children)
    assert mid.DOWNLOAD_YAML in viewer and viewer[mid.CY].autoungrabify is True  # may look, download; not drag
    for name, offered in (("Vi Viewer", False), ("Ed Editor", True)):
        with app.server.test_request_context(f"/history?site={BOROUGH}"), acting_as(team.accounts.person(name)):
            section = next(c for c in history_page.layout(site=BOROUGH)._traverse()
                           if getattr(c, "id", None) == history_page.RESTORE_SECTION)
        assert (section.style is None) is offered


def test_every_edit_of_a_viewers_working_copy_is_refused_on_the_server(team: Store) -> None:
    app = create_app(team)
    client = app.server.test_client()
    sign_in(client, "Vi Viewer")
    services = app.server.extensions["integramap"]
    viewer = team.accounts.person("Vi Viewer")
    with app.server.test_request_context("/"), acting_as(viewer):
        handle = open_site(services, BOROUGH)
        draft = services.drafts.get(handle["person"], BOROUGH)
        with pytest.raises(NotAllowed, match="view this site but not change it"):
            draft.apply(Change("add_unit", {"fields": {"name": "Crisis team", "kind": "team"}}), "add")
    # The same through the page's own requests, as a browser would send them.
    arranged = dash_post(client, mid.ARRANGE, {f"{mid.ARRANGE}.n_clicks": 1}, {f"{mid.DRAFT}.data": handle})
    assert arranged.status_code == 200 and "view this site but not change it" in arranged.get_data(as_text=True)
    site_file = "data:application/json;base64," + base64.b64encode(
        team.get(BOROUGH).site.model_dump_json().encode()).decode()
    uploaded = dash_post(client, mid.UPLOAD, {f"{mid.UPLOAD}.contents": site_file},
                         {f"{mid.UPLOAD}.filename": "borough.json", f"{mid.DRAFT}.data": handle})
    assert "view this site but not change it" in uploaded.get_data(as_text=True)
    record = team.working_copies.load(handle["person"], BOROUGH)
    assert record is not None and record.done == [] and not record.dirty
    assert team.latest(BOROUGH) == 1
    # An editor's edits go through as before.
    with app.server.test_request_context("/"), acting_as(team.accounts.person("Ed Editor")):
        mine = services.drafts.open("account:Ed Editor", BOROUGH).draft
        mine.apply(Change("add_unit", {"fields": {"name": "Crisis team", "kind": "team"}}), "add")
        assert mine.dirty


# Uploads and demo builds are limited per person ------------------------------------------------

def test_uploads_are_limited_per_person_with_a_clear_message(team: Store) -> None:
    app = create_app(team)
    editor, colleague = app.server.test_client(), app.server.test_client()
    sign_in(editor, "Ed Editor")
    sign_in(colleague, "Ada Admin")
    services = app.server.extensions["integramap"]
    handles = {}
    for name in ("Ed Editor", "Ada Admin"):
        with app.server.test_request_context("/"), acting_as(team.accounts.person(name)):
            handles[name] = open_site(services, BOROUGH)
    site = team.get(BOROUGH).site
    broken = "data:application/json;base64," + base64.b64encode(b"{not json").decode()
    good = "data:application/json;base64," + base64.b64encode(site.model_dump_json().encode()).decode()

    def upload(client: Any, name: str, contents: str) -> str:
        answer = dash_post(client, mid.UPLOAD, {f"{mid.UPLOAD}.contents": contents},
                           {f"{mid.UPLOAD}.filename": "borough.json", f"{mid.DRAFT}.data": handles[name]})
        assert answer.status_code == 200
        return answer.get_data(as_text=True)

    # Broken files count too: each costs the server a parse.
    for _ in range(UPLOADS.most):
        assert "the most allowed" not in upload(editor, "Ed Editor", broken)
    refused = upload(editor, "Ed Editor", good)
    assert "You have uploaded 20 files in the last 10 minutes, the most allowed" in refused
    assert team.working_copies.load("account:Ed Editor", BOROUGH).done == []  # type: ignore[union-attr]
    # Another person is not held up by the first one's uploads.
    assert "the most allowed" not in upload(colleague, "Ada Admin", good)
    assert [e.actor for e in team.accounts.audit(limit=50) if e.action == "upload"].count("Ed Editor") == 20


def test_demo_builds_are_limited_per_person(team: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Without the public files each press is refused at once, so no build runs while counting.
    monkeypatch.setenv(REFERENCE_DATA_ENV, str(tmp_path / "nothing-here"))
    monkeypatch.chdir(tmp_path)
    client = create_app(team).server.test_client()
    sign_in(client, "Ed Editor")

    def press() -> str:
        answer = dash_post(client, "sites-demo-button", {"sites-demo-button.n_clicks": 1}, {})
        assert answer.status_code == 200
        return answer.get_data(as_text=True)

    for _ in range(DEMO_BUILDS.most):
        pressed = press()
        assert "public reference files not found" in pressed and "the most allowed" not in pressed
    assert "You have started 5 demo builds in the last hour, the most allowed" in press()


def test_the_demo_is_built_once_at_a_time_across_server_processes(store: Store,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(REFERENCE_DATA_ENV, str(FIXTURES))
    files = demos.find_demo_files(demo=demo_offer.DEMO_NAME)
    services = Services(store=PersonalStore(store))
    quiet = Progress(lambda _fraction, _message: None)
    # Another process (another worker, another machine) holds the build: this one is refused, saving nothing.
    assert store.accounts.claim(f"demo-build:{demo_offer.DEMO_NAME}", stale_after=60)
    with pytest.raises(demo_offer.DemoBusy, match="being built already"):
        demo_offer.build_and_store(services, files, "Asha", quiet)
    assert not store.exists(demo_offer.DEMO_NAME)
    store.accounts.release(f"demo-build:{demo_offer.DEMO_NAME}")
    assert demo_offer.build_and_store(services, files, "Asha", quiet) == demo_offer.DEMO_NAME
    assert store.latest(demo_offer.DEMO_NAME) == 1
    # Its claim is given up when the build ends, so the next build may run.
    assert store.accounts.claim(f"demo-build:{demo_offer.DEMO_NAME}", stale_after=60)
