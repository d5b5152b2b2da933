"""Each callback's typed input model: what it refuses, what the person is told, and that every callback has one."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from integramap.store import Store
from integramap.web import create_app
from integramap.web.common.inputs import MALFORMED, REFUSED, CallbackInputs, Clicks, Text, typed_callback
from test_web_auth import BOROUGH, dash_post

RESTORE_STATE = {"history-selected.data": [1], "history-request.data": {"site": BOROUGH},
                 "history-author.value": "Asha", "history-restore-message.value": "",
                 "history-refresh.data": 0}


@pytest.fixture
def client(store: Store) -> Any:
    return create_app(store).server.test_client()


def restore(client: Any, **state: Any) -> Any:
    return dash_post(client, "history-restore", {"history-restore.n_clicks": 1}, {**RESTORE_STATE, **state})


def alert(response: Any) -> str:
    assert response.status_code == 200, response.get_data(as_text=True)
    return str(response.get_json().get("sideUpdate", {}).get("app-error", {}).get("children", ""))


def test_a_valid_post_still_runs_the_callback(client: Any, store: Store) -> None:
    response = restore(client)
    assert alert(response) == "" and "restored as revision 2" in response.get_data(as_text=True)
    assert store.latest(BOROUGH) == 2


@pytest.mark.parametrize("state", [
    {"history-author.value": {"name": "Chief Executive"}},
    {"history-selected.data": ["abc"]},
    {"history-selected.data": [1.5]},
    {"history-request.data": {"site": {"$ne": ""}}},
    {"history-request.data": ["riverside-borough"]},
    {"history-refresh.data": -1},
])
def test_a_value_of_the_wrong_type_is_refused_with_a_message_and_changes_nothing(
        client: Any, store: Store, caplog: pytest.LogCaptureFixture, state: dict[str, Any]) -> None:
    with caplog.at_level(logging.WARNING):
        response = restore(client, **state)
    assert alert(response) == REFUSED
    assert "response" not in response.get_json() or response.get_json()["response"] == {}
    assert store.latest(BOROUGH) == 1
    assert "refused what the client sent" in caplog.text


def test_a_name_too_long_is_named_in_the_message(client: Any, store: Store) -> None:
    message = alert(restore(client, **{"history-author.value": "A" * 30_000}))
    assert message == "Your name is too long: at most 20,000 characters. Nothing was changed."
    assert store.latest(BOROUGH) == 1


def test_a_number_sent_as_text_reaches_the_callback_as_a_number(client: Any, store: Store) -> None:
    response = restore(client, **{"history-selected.data": ["1"], "history-refresh.data": "4"})
    assert alert(response) == ""
    assert response.get_json()["response"]["history-refresh"]["data"] == 5
    assert store.latest(BOROUGH) == 2


def test_a_request_no_page_sends_is_a_400_with_a_message(client: Any) -> None:
    for body in ({"output": "nowhere.children", "outputs": {"id": "nowhere", "property": "children"},
                  "inputs": []}, {"output": "history-selected.data"}, "[" * 3_000 + "]" * 3_000):
        response = client.post("/_dash-update-component", json=body) if not isinstance(body, str) else \
            client.post("/_dash-update-component", data=body, content_type="application/json")
        assert response.status_code == 400 and response.get_json() == {"message": MALFORMED}


def test_every_callback_of_the_app_has_an_input_model(client: Any) -> None:
    client.get("/")  # Dash adds its own page-routing callback on the first request
    callbacks = client.application.extensions["integramap-app"].callback_map
    untyped = [out for out, cb in callbacks.items()
               if "callback" in cb and "typed_inputs" not in cb["callback"].__dict__
               and not cb["callback"].__module__.startswith("dash.")]
    assert not untyped
    assert sum("typed_inputs" in cb.get("callback", lambda: None).__dict__ for cb in callbacks.values()) > 60


def test_a_model_that_does_not_match_the_callback_is_refused_when_registered() -> None:
    class _Inputs(CallbackInputs):
        clicks: Clicks
        note: Text

    with pytest.raises(TypeError, match=r"takes \['clicks', 'message'\], but _Inputs describes \['clicks', 'note'\]"):
        @typed_callback(_Inputs)
        def press(_clicks: int | None, message: str | None) -> None:
            return None

    @typed_callback(_Inputs)
    def fine(_clicks: int | None, note: str | None) -> str:
        return f"{_clicks}: {note}"

    assert fine(3, "ok") == "3: ok"
