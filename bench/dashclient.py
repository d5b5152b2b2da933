"""A page view as the browser makes it, without a browser: Dash's own requests, with their real payloads.

A browser opening ``/map?site=…`` fetches the page, the app's layout and its
callback list, then posts to ``/_dash-update-component`` every callback whose
inputs are on the page (unless it waits for a change), applies what comes back
(new components bring their own callbacks), and so on until nothing is left to
fire. :class:`DashPage` does the same over plain HTTP, so a load test (or a test
of several server processes) drives the pages people use, not only the REST API.

It follows Dash's protocol for ordinary and ``ALL`` pattern-matching callbacks;
callbacks run in the browser (clientside) and ``MATCH``/``ALLSMALLER`` ones are
left out, and nothing happens by time (intervals do not tick unless told to).
"""

from __future__ import annotations

import http.cookiejar
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

Key = tuple[str, str]
"""A component's id (as Dash writes it) and one of its properties."""

MAX_CALLBACKS = 200
"""Callbacks fired for one action at most: a page that keeps firing is reported, not followed for ever."""


def id_text(component_id: Any) -> str:
    """A component id as Dash writes it in its callback list: dict ids as sorted, compact JSON."""
    if isinstance(component_id, dict):
        return "{" + ",".join(f"{json.dumps(k)}:{json.dumps(component_id[k])}" for k in sorted(component_id)) + "}"
    return str(component_id)


def _split_output(output: str) -> list[tuple[str, str]]:
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    return [(p.rsplit(".", 1)[0], p.rsplit(".", 1)[1].split("@")[0]) for p in parts]


@dataclass
class Callback:
    """One server-side callback of the app, from ``/_dash-dependencies``."""

    output: str
    outputs: list[tuple[str, str]]
    inputs: list[tuple[str, str]]
    state: list[tuple[str, str]]
    prevent_initial_call: bool

    @classmethod
    def of(cls, spec: dict[str, Any]) -> "Callback":
        return cls(output=spec["output"], outputs=_split_output(spec["output"]),
                   inputs=[(i["id"], i["property"]) for i in spec["inputs"]],
                   state=[(s["id"], s["property"]) for s in spec["state"]],
                   prevent_initial_call=bool(spec.get("prevent_initial_call")))


def _pattern(text: str) -> dict[str, Any] | None:
    return json.loads(text) if text.startswith("{") else None


def _matches(pattern: dict[str, Any], concrete: Any) -> bool:
    if not isinstance(concrete, dict) or set(concrete) != set(pattern):
        return False
    return all(v == ["ALL"] or v == concrete[k] for k, v in pattern.items())


@dataclass
class Outcome:
    """What one action cost: each request's path, status and seconds."""

    requests: list[tuple[str, int, float]] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return sum(t for _, _, t in self.requests)

    @property
    def server_errors(self) -> int:
        return sum(1 for _, status, _ in self.requests if status == 0 or status >= 500)


class Browser:
    """One person's HTTP session (cookies kept), signed in or not."""

    def __init__(self, base: str, timeout: float = 120, jar: http.cookiejar.CookieJar | None = None) -> None:
        self.base = base.rstrip("/")
        """Where requests go: change it to send the next ones to another server, as a load balancer may."""
        self.timeout = timeout
        self.jar = jar if jar is not None else http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self._dependencies: list[Callback] | None = None

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, bytes, float]:
        req = urllib.request.Request(self.base + path, data=body, method=method, headers=headers or {})
        start = time.perf_counter()
        try:
            with self.opener.open(req, timeout=self.timeout) as response:
                status, data = response.status, response.read()
        except urllib.error.HTTPError as err:
            status, data = err.code, err.read()
        except (urllib.error.URLError, ConnectionError, TimeoutError) as err:
            status, data = 0, str(err).encode()
        return status, data, time.perf_counter() - start

    def sign_in(self, name: str, password: str) -> None:
        """Sign in through the sign-in page's form, as a person would."""
        status, page, _ = self.request("GET", "/login")
        found = re.search(rb'name="csrf" value="([^"]+)"', page)
        if status != 200 or not found:
            raise RuntimeError(f"the sign-in page answered {status}")
        form = urllib.parse.urlencode({"csrf": found.group(1).decode(), "name": name, "password": password,
                                       "next": "/"}).encode()
        status, _, _ = self.request("POST", "/login", form, {"Content-Type": "application/x-www-form-urlencoded"})
        if status != 200 or not any(c.name == "integramap_session" for c in self.jar):
            raise RuntimeError(f"signing in as {name} answered {status}")

    def dependencies(self, outcome: Outcome) -> list[Callback]:
        """The app's callbacks (fetched once per browser, as a browser keeps them while it stays in the app)."""
        if self._dependencies is None:
            status, data, seconds = self.request("GET", "/_dash-dependencies")
            outcome.requests.append(("/_dash-dependencies", status, seconds))
            if status != 200:
                raise RuntimeError(f"/_dash-dependencies answered {status}")
            self._dependencies = [Callback.of(s) for s in json.loads(data) if not s.get("clientside_function")]
        return self._dependencies


class DashPage:
    """One page view: the components on the page, and the callbacks fired to keep them up to date."""

    def __init__(self, browser: Browser) -> None:
        self.browser = browser
        self.props: dict[str, dict[str, Any]] = {}
        self.ids: dict[str, Any] = {}
        self.fired: list[str] = []

    # -- what a person does ----------------------------------------------------------------

    def open(self, address: str) -> Outcome:
        """Load ``address`` (path and query) as a fresh page view, firing callbacks until it settles."""
        outcome = Outcome()
        status, _, seconds = self.browser.request("GET", address)
        outcome.requests.append((address.split("?")[0], status, seconds))
        callbacks = self.browser.dependencies(outcome)
        status, data, seconds = self.browser.request("GET", "/_dash-layout")
        outcome.requests.append(("/_dash-layout", status, seconds))
        if status != 200:
            return outcome
        self.props.clear()
        self.ids.clear()
        self._index(json.loads(data))
        parsed = urllib.parse.urlsplit(address)
        location = {"pathname": parsed.path, "search": f"?{parsed.query}" if parsed.query else "",
                    "href": self.browser.base + address, "hash": ""}
        moved: set[Key] = set()
        for key, props in self.props.items():
            if props.get("_type") == "Location":  # on mount, every Location takes the browser's address
                props.update(location)
                moved |= {(key, p) for p in location}
        queue = self._triggered(callbacks, moved)
        queue += [c for c in self._initial(callbacks, set(self.props)) if c[0].output not in {q[0].output for q in queue}]
        self._settle(callbacks, queue, outcome)
        return outcome

    def set(self, component_id: Any, **values: Any) -> Outcome:
        """Change properties of a component as a person would (typing, choosing), firing what follows."""
        key = id_text(component_id)
        self.props.setdefault(key, {}).update(values)
        outcome = Outcome()
        callbacks = self.browser.dependencies(outcome)
        self._settle(callbacks, self._triggered(callbacks, {(key, p) for p in values}), outcome)
        return outcome

    def click(self, component_id: Any) -> Outcome:
        """Press a button."""
        clicks = self.props.get(id_text(component_id), {}).get("n_clicks") or 0
        return self.set(component_id, n_clicks=clicks + 1)

    def value(self, component_id: Any, prop: str) -> Any:
        return self.props.get(id_text(component_id), {}).get(prop)

    # -- the renderer's work ---------------------------------------------------------------

    def _index(self, node: Any) -> set[str]:
        """Record every component in ``node``; the ids found."""
        found: set[str] = set()
        for component in _components(node):
            props = component.get("props") or {}
            if "id" in props:
                key = id_text(props["id"])
                self.ids[key] = props["id"]
                self.props[key] = {**{k: v for k, v in props.items() if k != "children"},
                                   "_type": component.get("type")}
                found.add(key)
        return found

    def _present(self, key: str) -> bool:
        pattern = _pattern(key)
        if pattern is None or not any(v == ["ALL"] for v in pattern.values()):
            return key in self.props
        return True  # ALL matches none or more: the callback runs with an empty list

    def _unsupported(self, cb: Callback) -> bool:
        return any(('"MATCH"' in k or '"ALLSMALLER"' in k) for k, _ in cb.inputs + cb.state + cb.outputs)

    def _initial(self, callbacks: list[Callback], new: set[str]) -> list[tuple[Callback, set[Key]]]:
        """Callbacks a browser fires when components ``new`` appear: every input present, one of them new."""
        fire = []
        for cb in callbacks:
            if cb.prevent_initial_call or self._unsupported(cb):
                continue
            # As Dash's renderer does: a callback with an input or an output among the new components.
            if all(self._present(k) for k, _ in cb.inputs) and any(
                    k in new or (_pattern(k) is not None and any(_matches(_pattern(k) or {}, self.ids.get(n))
                                                                 for n in new))
                    for k, _ in cb.inputs + cb.outputs):
                fire.append((cb, set()))
        return fire

    def _triggered(self, callbacks: list[Callback], changed: set[Key]) -> list[tuple[Callback, set[Key]]]:
        fire = []
        for cb in callbacks:
            if self._unsupported(cb):
                continue
            hit = set()
            for k, p in cb.inputs:
                pattern = _pattern(k)
                for ck, cp in changed:
                    if cp == p and (ck == k or (pattern is not None and _matches(pattern, self.ids.get(ck)))):
                        hit.add((ck, cp))
            if hit and all(self._present(k) for k, _ in cb.inputs):
                fire.append((cb, hit))
        return fire

    def _values(self, spec: list[tuple[str, str]], with_value: bool = True) -> list[Any]:
        out: list[Any] = []
        for key, prop in spec:
            pattern = _pattern(key)
            if pattern is not None and any(v == ["ALL"] for v in pattern.values()):
                out.append([self._entry(k, prop, with_value) for k in self.props
                            if _matches(pattern, self.ids.get(k))])
            else:
                out.append(self._entry(key, prop, with_value))
        return out

    def _entry(self, key: str, prop: str, with_value: bool) -> dict[str, Any]:
        entry: dict[str, Any] = {"id": self.ids.get(key, key), "property": prop}
        if with_value:
            value = self.props.get(key, {}).get(prop)
            if value is not None:
                entry["value"] = value
        return entry

    def _settle(self, callbacks: list[Callback], queue: list[tuple[Callback, set[Key]]], outcome: Outcome) -> None:
        fired = 0
        while queue:
            cb, changed = queue.pop(0)
            fired += 1
            if fired > MAX_CALLBACKS:
                raise RuntimeError(f"the page kept firing callbacks (over {MAX_CALLBACKS}); last {cb.output}")
            outputs = self._values(cb.outputs, with_value=False)
            payload = {"output": cb.output, "outputs": outputs if cb.output.startswith("..") else outputs[0],
                       "inputs": self._values(cb.inputs), "state": self._values(cb.state),
                       "changedPropIds": sorted(f"{k}.{p}" for k, p in changed)}
            status, data, seconds = self.browser.request(
                "POST", "/_dash-update-component", json.dumps(payload).encode(),
                {"Content-Type": "application/json"})
            outcome.requests.append(("/_dash-update-component " + cb.output.split("@")[0], status, seconds))
            self.fired.append(cb.output)
            if status != 200:
                continue  # 204: nothing to update; errors are counted by the caller
            response = json.loads(data).get("response", {})
            new: set[str] = set()
            updated: set[Key] = set()
            for key, props in response.items():
                key = id_text(json.loads(key)) if key.startswith("{") else key
                for prop, value in props.items():
                    self.props.setdefault(key, {})[prop] = value
                    updated.add((key, prop))
                    new |= self._index(value)
            following = self._triggered(callbacks, updated) + (self._initial(callbacks, new) if new else [])
            for next_cb, next_changed in following:
                if next_cb is cb:
                    continue  # a callback's own outputs do not fire it again
                waiting = next((q for q in queue if q[0] is next_cb), None)
                if waiting is not None:
                    waiting[1].update(next_changed)  # fired once, for every change that reached it
                else:
                    queue.append((next_cb, set(next_changed)))


def _components(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, list):
        for item in node:
            yield from _components(item)
    elif isinstance(node, dict):
        if "type" in node and "namespace" in node and isinstance(node.get("props"), dict):
            yield node
            for value in node["props"].values():
                yield from _components(value)
        else:
            for value in node.values():
                if isinstance(value, list | dict):
                    yield from _components(value)


def timed(action: Callable[[], Outcome]) -> tuple[Outcome, float]:
    """Run an action; what it did and its wall time."""
    start = time.perf_counter()
    outcome = action()
    return outcome, time.perf_counter() - start
