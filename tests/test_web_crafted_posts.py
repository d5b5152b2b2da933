"""Crafted posts to every callback of the real app: wrong types, huge and nested values, missing inputs.

Whatever a client sends to ``/_dash-update-component``, the server answers with a
message or nothing, never a 5xx or a traceback, and no callback body meets a
value of the wrong type (no "unexpected error" is logged). The walk covers
every server-side callback of ``app.callback_map`` (the app built with its real
pages), each input and state in turn, the others holding plausible values such
as a real working copy's handle, so the bodies run as far as they would for a
person using the page.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from dash._utils import split_callback_id

from integramap.people import Role
from integramap.store import Store
from integramap.web import create_app
from integramap.web.map.working import PERSON_COOKIE, open_site
from test_web_auth import PASSWORD, sign_in

SITE = "riverside-borough"
HUGE = "x" * 100_000


def _nested(depth: int) -> Any:
    value: Any = "deep"
    for _ in range(depth):
        value = [value]
    return value


HOSTILE: list[Any] = [
    None, "abc", -(10 ** 30), 1.5, True, [[1, [2]]], {"$ne": 1},
    {"site": {"$gt": ""}, "person": ["x"], "revision": "abc", "a": {"b": 1}, "sites": "x"},
    {"site": HUGE, "person": HUGE}, HUGE, _nested(400), [HUGE, {"x": HUGE}],
]
"""Values a client can put where a callback expects a click count, a name, an id or a store."""


def _concrete(pattern: str) -> dict[str, Any]:
    """A component id that matches a pattern-matching id (its wildcards filled in)."""
    parsed = json.loads(pattern)
    return {key: (1 if value == ["ALL"] or value == ["MATCH"] or value == ["ALLSMALLER"] else value)
            for key, value in parsed.items()}


def _plausible(component: str, prop: str, handle: dict[str, Any]) -> Any:
    """What the page itself would send for this input or state."""
    if prop in ("n_clicks", "n_intervals"):
        return 1
    if prop == "search":
        return f"?site={SITE}"
    if prop == "pathname":
        return "/map"
    if component == "map-draft":
        return handle
    if component == "author-name":
        return "Asha"
    if prop == "data" and component.endswith(("-request", "-current", "-selection")):
        return {"site": SITE, "mode": "sites", "sites": [SITE, "northvale"], "revision": 1, "a": None,
                "b": None}
    return None


def _wildcard(component: str) -> bool:
    return '["ALL"]' in component or '["MATCH"]' in component or '["ALLSMALLER"]' in component


def _slot(entry: dict[str, str], value: Any) -> Any:
    if _wildcard(entry["id"]):
        return [{"id": _concrete(entry["id"]), "property": entry["property"], "value": value}]
    component = json.loads(entry["id"]) if entry["id"].startswith("{") else entry["id"]
    return {"id": component, "property": entry["property"], "value": value}


def _outputs(output: str) -> list[Any]:
    outs = []
    for spec in split_callback_id(output) if output.startswith("..") else [split_callback_id(output)]:
        prop = spec["property"].split("@")[0]
        component = json.loads(spec["id"]) if spec["id"].startswith("{") else spec["id"]
        outs.append([] if _wildcard(spec["id"]) else {"id": component, "property": prop})
    return outs if output.startswith("..") else outs[0]


def _bodies(output: str, cb: dict[str, Any], handle: dict[str, Any]) -> Iterator[dict[str, Any]]:
    entries = [*cb["inputs"], *cb["state"]]
    n_inputs = len(cb["inputs"])
    plausible = [_plausible(e["id"], e["property"], handle) for e in entries]

    def body(values: list[Any], changed: int = 0) -> dict[str, Any]:
        slots = [_slot(e, v) for e, v in zip(entries, values)]
        first = entries[min(changed, n_inputs - 1)]
        prop_id = json.dumps(_concrete(first["id"]), separators=(",", ":")) if first["id"].startswith("{") \
            else first["id"]
        return {"output": output, "outputs": _outputs(output), "inputs": slots[:n_inputs],
                "state": slots[n_inputs:], "changedPropIds": [f"{prop_id}.{first['property']}"]}

    for i in range(len(entries)):
        for value in HOSTILE:
            values = list(plausible)
            values[i] = value
            yield body(values, changed=i)
    # The envelope itself: missing, short, reshaped and unknown parts.
    good = body(plausible)
    yield {k: v for k, v in good.items() if k != "inputs"}
    yield {k: v for k, v in good.items() if k != "state"}
    yield {k: v for k, v in good.items() if k != "outputs"}
    yield {**good, "inputs": good["inputs"][:-1]}
    yield {**good, "inputs": [*good["inputs"], good["inputs"][0]]}
    yield {**good, "inputs": ["map-draft"] * n_inputs}
    yield {**good, "inputs": [{"id": {"$ne": 1}, "property": ["x"]}] * n_inputs}
    yield {**good, "inputs": {"id": "x"}}
    yield {**good, "outputs": {"id": "nope", "property": "children"}}
    yield {**good, "changedPropIds": {"x": 1}}
    yield {**good, "changedPropIds": [HUGE, None, 3]}
    yield {**good, "output": output + "x"}


def _plausible_body(output: str, cb: dict[str, Any], handle: dict[str, Any]) -> dict[str, Any]:
    """The post as the page makes it (no hostile value)."""
    entries = [*cb["inputs"], *cb["state"]]
    slots = [_slot(e, _plausible(e["id"], e["property"], handle)) for e in entries]
    first = cb["inputs"][0]
    prop_id = json.dumps(_concrete(first["id"]), separators=(",", ":")) if first["id"].startswith("{") else first["id"]
    return {"output": output, "outputs": _outputs(output), "inputs": slots[:len(cb["inputs"])],
            "state": slots[len(cb["inputs"]):], "changedPropIds": [f"{prop_id}.{first['property']}"]}


def _check(client: Any, body: Any, failures: list[str]) -> Any:
    response = client.post("/_dash-update-component", json=body)
    text = response.get_data(as_text=True)
    if response.status_code >= 500 or "Traceback" in text or 'File "' in text:
        failures.append(f"{response.status_code} for {json.dumps(body)[:300]}: {text[:300]}")
    return response


def _crafted_posts(client: Any, handle: dict[str, Any], caplog: pytest.LogCaptureFixture) -> int:
    client.get("/")  # Dash adds its page-routing callback to the map on the first request
    callbacks = {out: cb for out, cb in client.application.extensions["integramap-app"].callback_map.items()
                 if "callback" in cb}
    failures: list[str] = []
    sent = 0
    with caplog.at_level(logging.WARNING):
        for output, cb in callbacks.items():
            # As the page sends it, the post is accepted: the checks refuse only what the page never
            # sends (pattern-matching ids are left to the browser tests: they need the page's components).
            plain = _check(client, _plausible_body(output, cb, handle), failures)
            patterned = any(_wildcard(part) for part in [output, *(e["id"] for e in cb["inputs"] + cb["state"])])
            refused = plain.status_code not in (200, 204) or "could not use" in plain.get_data(as_text=True)
            if refused and not patterned:
                failures.append(f"the page's own post to {output} was refused: {plain.get_data(as_text=True)[:300]}")
            for body in _bodies(output, cb, handle):
                _check(client, body, failures)
                sent += 1
        for body in (None, [], "x", 3, {"output": None}, {"output": {"a": 1}}, {"output": [HUGE]}):
            _check(client, body, failures)
        response = client.post("/_dash-update-component", data="[" * 5_000 + "]" * 5_000,
                               content_type="application/json")
        if response.status_code >= 500:
            failures.append(f"{response.status_code} for JSON nested 5,000 deep")
    assert not failures, f"{len(failures)} of {sent} crafted posts failed:\n" + "\n".join(failures[:20])
    unexpected = [r.getMessage() for r in caplog.records if "unexpected error" in r.getMessage()]
    assert not unexpected, f"{len(unexpected)} callbacks met a value they could not handle"
    return sent


def _handle(app: Any) -> dict[str, Any]:
    with app.server.test_request_context("/map"):
        return open_site(app.server.extensions["integramap"], SITE)


def test_no_crafted_post_gives_a_server_error_in_single_user_mode(
        store: Store, caplog: pytest.LogCaptureFixture) -> None:
    app = create_app(store)
    client = app.server.test_client()
    handle = _handle(app)
    client.set_cookie(PERSON_COOKIE, str(handle["person"]))
    sent = _crafted_posts(client, handle, caplog)
    assert sent > 1_000
    assert store.latest(SITE) >= 1  # still there, whatever was sent


def test_no_crafted_post_gives_a_server_error_to_a_signed_in_viewer(
        store: Store, caplog: pytest.LogCaptureFixture) -> None:
    store.accounts.add("Vi Viewer", PASSWORD, actor="setup")
    store.accounts.grant("Vi Viewer", SITE, Role.VIEWER, actor="setup")
    app = create_app(store)
    client = app.server.test_client()
    sign_in(client, "Vi Viewer")
    latest = store.latest(SITE)
    _crafted_posts(client, {"person": "account:Vi Viewer", "site": SITE, "version": 1}, caplog)
    assert store.latest(SITE) == latest  # a viewer changes nothing, however the post is made


def test_anonymous_crafted_posts_are_refused_without_a_server_error(store: Store) -> None:
    store.accounts.add("Ada Admin", PASSWORD, admin=True, actor="setup")
    client = create_app(store).server.test_client()
    for body in (None, [], {"output": "x"}, {"output": "history-selected.data", "inputs": [HUGE]}):
        response = client.post("/_dash-update-component", json=body)
        assert response.status_code == 401
