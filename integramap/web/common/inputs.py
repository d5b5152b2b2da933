"""What a callback accepts from the browser: a typed model per callback, checked before it runs.

Dash hands a callback whatever the client posted to ``/_dash-update-component``,
and anyone can post anything there: a dict where a name is expected, a word
where a revision number is, a string of a million characters, lists nested a
thousand deep. Two checks stand between such a post and the code:

* :func:`check_envelope` (installed by :func:`install_input_checks`) refuses a
  post that is not shaped as the page sends one (it names no callback of this
  app, or carries the wrong number or kind of inputs) with a 400 and a message;
* :func:`typed_callback` validates each callback's inputs and states against
  that callback's own :class:`CallbackInputs` model (types, bounds, lengths)
  before its body runs. A post that fails is logged, the page's alert line
  says what was wrong in one sentence, and nothing changes. The body receives
  the validated values, so it never meets a type its signature does not name.

Writing a callback::

    class _Save(CallbackInputs):
        clicks: Clicks
        author: Author
        message: Text
        handle: Store

    @app.callback(Output(...), Input(SAVE, "n_clicks"), State(AUTHOR, "value"),
                  State(MESSAGE, "value"), State(DRAFT, "data"))
    @typed_callback(_Save)
    def save(clicks, author, message, handle): ...

The model's fields are the callback's arguments, in the same order and with
the same names (a leading ``_`` of an unused argument left off).
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from dash import no_update, set_props
from dash._utils import split_callback_id, stringify_id
from flask import Flask, Response, jsonify, request
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, with_config
from typing_extensions import TypedDict
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])

ALERT_ID = "app-error"
"""The shell's alert line (:data:`integramap.web.common.hardening.ERROR_ID`)."""
REFUSED = "This page sent something IntegraMap could not use, so nothing was changed. Reload the page " \
          "and try again."
MALFORMED = "This request is not one the IntegraMap pages send."

MAX_COUNT = 10 ** 9
"""Clicks and timer ticks: far more than anyone presses a button."""
MAX_ID = 1_000
"""Ids, site ids, choices and query strings (the model's own ids are at most 120 characters)."""
MAX_TEXT = 20_000
"""Text typed into a field (the model refuses its own limits beside the field, with a message)."""
MAX_ITEMS = 20_000
"""Items of a list: ticked boxes, chosen units, rows, the elements of a drawn map."""
MAX_UPLOAD = 30 * 1024 * 1024
"""An uploaded file as the browser sends it (base64 of at most 20 MB, see ``shell.MAX_UPLOAD_BYTES``)."""
MAX_DEPTH = 24
MAX_NODES = 500_000
"""Values of a store or a map element: nesting and size kept to what the pages make."""


def bounded_json(value: Any) -> Any:
    """A JSON value, refused when nested deeper than :data:`MAX_DEPTH` or larger than :data:`MAX_NODES`.

    Examples
    --------
    >>> bounded_json({"site": "a", "positions": {"t1": [1.0, 2.0]}})
    {'site': 'a', 'positions': {'t1': [1.0, 2.0]}}
    >>> deep: list = []
    >>> for _ in range(30):
    ...     deep = [deep]
    >>> bounded_json(deep)
    Traceback (most recent call last):
    ValueError: nested more than 24 deep
    """
    nodes = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        nodes += 1
        if depth > MAX_DEPTH:
            raise ValueError(f"nested more than {MAX_DEPTH} deep")
        if nodes > MAX_NODES:
            raise ValueError(f"more than {MAX_NODES:,} values")
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
            if any(not isinstance(k, str) or len(k) > MAX_ID for k in item):
                raise ValueError("a key that is not a short text")
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
        elif isinstance(item, str) and len(item) > MAX_UPLOAD:
            raise ValueError("a text too long")
        elif not (item is None or isinstance(item, (bool, int, float, str))):
            raise ValueError("not a JSON value")
    return value


# The types callbacks' models are made of. ``None`` is allowed throughout: a component not drawn
# yet, or a field left empty, sends it.
Clicks = Annotated[int | None, Field(ge=0, le=MAX_COUNT)]
"""``n_clicks``, ``n_intervals``, and a page's refresh counter."""
Flag = bool | None
"""``hidden``, ``disabled``."""
Id = Annotated[str | None, Field(max_length=MAX_ID)]
"""An id, a site id, a choice's value, a pathname or query string."""
Ids = Annotated[list[Annotated[str, Field(max_length=MAX_ID)]] | None, Field(max_length=MAX_ITEMS)]
"""A multi-choice's values, a checklist's ticks."""
Numbers = Annotated[list[Annotated[int, Field(ge=-MAX_COUNT, le=MAX_COUNT)]] | None, Field(max_length=MAX_ITEMS)]
"""Revision numbers, a range slider's two ends."""
Number = Annotated[int | None, Field(ge=-MAX_COUNT, le=MAX_COUNT)]
Choice = Annotated[str | int | None, Field(union_mode="left_to_right")]
"""A dropdown value that may be a text or a number (a revision picker)."""
Text = Annotated[str | None, Field(max_length=MAX_TEXT)]
"""Text typed into a field."""
Author = Annotated[str | None, Field(max_length=MAX_TEXT, title="Your name")]
Upload = Annotated[str | None, Field(max_length=MAX_UPLOAD)]
"""An uploaded file's contents (a ``data:`` URL)."""
Json = Annotated[Any, AfterValidator(bounded_json)]
"""Any JSON value within the size bounds: what a component reports (a tapped node's data, a figure's
style) and the pages' own stores, whose parts a callback reads with its own checks."""
Store = Annotated[dict[str, Json] | None, AfterValidator(bounded_json)]
"""A ``dcc.Store`` holding an object (a working copy's handle, a page's request)."""
Many = Annotated[list[Json] | None, Field(max_length=MAX_ITEMS)]
"""The values of a pattern-matching input (``ALL``), each any bounded JSON value."""
ManyClicks = Annotated[list[Clicks], Field(max_length=MAX_ITEMS)]
"""The ``n_clicks`` of a pattern-matching input's buttons (``ALL``): a row's, a heading's, a list's."""
Style = Annotated[dict[str, Annotated[str | int | float | None, Field(union_mode="left_to_right")]] | None,
                  Field(max_length=200)]
"""A component's ``style``."""


@with_config(ConfigDict(extra="allow"))
class PageRequest(TypedDict, total=False):
    """A page's request store (from its address): which site, revision and layers it shows."""

    site: Id
    sites: Ids
    revision: Choice
    a: Choice
    b: Choice


Request = Annotated[PageRequest | None, AfterValidator(bounded_json)]


class CallbackInputs(BaseModel):
    """The base of every callback's input model: its fields, in order, are the callback's arguments."""

    # "ignore", not "forbid": the setting reaches the TypedDicts inside (a row's id has keys the
    # callback does not read), and the fields themselves are filled from the arguments by position.
    model_config = ConfigDict(extra="ignore", frozen=True)


def typed_callback(model: type[CallbackInputs]) -> Callable[[F], F]:
    """Check a callback's inputs against ``model`` before it runs; place it under ``@app.callback``.

    Raises ``TypeError`` at registration when the model's fields are not the function's arguments.
    """
    fields = list(model.model_fields)

    def decorate(func: F) -> F:
        params = [p.name.lstrip("_") for p in inspect.signature(func).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        if params != fields:
            raise TypeError(f"{func.__qualname__} takes {params}, but {model.__name__} describes {fields}")

        @functools.wraps(func)
        def checked(*args: Any) -> Any:
            if len(args) != len(fields):
                return _refused(func, f"{len(args)} values for {len(fields)} inputs", REFUSED)
            try:
                valid = model.model_validate(dict(zip(fields, args)))
            except ValidationError as err:
                return _refused(func, _summary(err), _message(model, err))
            return func(*(getattr(valid, name) for name in fields))

        checked.__dict__["typed_inputs"] = model
        return checked  # type: ignore[return-value]
    return decorate


def _summary(err: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in err.errors()[:5])[:1000]


def _message(model: type[CallbackInputs], err: ValidationError) -> str:
    """One sentence for the person; a field they type into gets its own name and limit."""
    first = err.errors()[0]
    field = model.model_fields.get(str(first["loc"][0])) if first["loc"] else None
    if field is not None and field.title and first["type"] == "string_too_long":
        return f"{field.title} is too long: at most {first['ctx']['max_length']:,} characters. Nothing was changed."
    return REFUSED


def _refused(func: Callable[..., Any], why: str, message: str) -> Any:
    log.warning("callback %s refused what the client sent: %s", func.__qualname__, why)
    set_props(ALERT_ID, {"children": message, "style": {"display": "block"}})
    return no_update  # every output left as it is; Dash still sends the alert


# The post itself -------------------------------------------------------------------------------

_Name = Annotated[str, Field(max_length=MAX_ID)]
_ComponentId = _Name | Annotated[dict[_Name, Annotated[str | int | float | bool, Field(union_mode="left_to_right")]],
                                 Field(max_length=20)]


class _Slot(BaseModel):
    """One input, state or output as the renderer sends it."""

    model_config = ConfigDict(extra="allow")
    id: _ComponentId
    property: _Name
    value: Any = None


_Slots = Annotated[list[_Slot | Annotated[list[_Slot], Field(max_length=MAX_ITEMS)]], Field(max_length=200)]


class _Envelope(BaseModel):
    """A post to ``/_dash-update-component``, shaped as the renderer makes it."""

    model_config = ConfigDict(extra="allow")
    output: Annotated[str, Field(max_length=20_000)]
    outputs: _Slots | _Slot | Annotated[list[_Slot], Field(max_length=MAX_ITEMS)]
    inputs: _Slots
    state: _Slots = []
    changedPropIds: Annotated[list[_Name], Field(max_length=MAX_ITEMS)] = []


def check_envelope(body: Any, callbacks: dict[str, Any]) -> str | None:
    """Why a post does not match any callback of the app as the page would call it, or ``None``.

    Examples
    --------
    >>> callbacks = {"out.children": {"inputs": [{"id": "b", "property": "n_clicks"}], "state": []}}
    >>> ok = {"output": "out.children", "outputs": {"id": "out", "property": "children"},
    ...       "inputs": [{"id": "b", "property": "n_clicks", "value": 1}], "changedPropIds": ["b.n_clicks"]}
    >>> check_envelope(ok, callbacks) is None
    True
    >>> check_envelope({**ok, "inputs": []}, callbacks)
    'out.children: 0 inputs sent, 1 expected'
    >>> check_envelope({**ok, "output": "nope.children"}, callbacks)
    'no callback for that output'
    """
    try:
        envelope = _Envelope.model_validate(body)
    except ValidationError as err:
        return f"malformed: {_summary(err)}"
    cb = callbacks.get(envelope.output)
    if cb is None or "callback" not in cb and "inputs" not in cb:
        return "no callback for that output"
    for kind, sent in (("inputs", envelope.inputs), ("state", envelope.state)):
        expected = cb.get(kind, [])
        if len(sent) != len(expected):
            return f"{envelope.output}: {len(sent)} {kind} sent, {len(expected)} expected"
        for slot, want in zip(sent, expected):
            problem = _slot_problem(slot, want["id"], want["property"])
            if problem:
                return f"{envelope.output}: {problem}"
    if cb.get("no_output"):
        return None
    split: Any = split_callback_id(envelope.output)  # type: ignore[no-untyped-call]
    specs: list[dict[str, str]] = split if isinstance(split, list) else [split]
    # One output comes as itself (a list of components when it is pattern-matching), several as a list.
    outputs: list[Any] = [envelope.outputs]
    if isinstance(split, list):
        outputs = list(envelope.outputs) if isinstance(envelope.outputs, list) else []
    if len(outputs) != len(specs):
        return f"{envelope.output}: outputs do not match"
    for slot, want in zip(outputs, specs):
        problem = _slot_problem(slot, want["id"], want["property"].split("@")[0])
        if problem:
            return f"{envelope.output}: output {problem}"
    return None


_ADDRESS_PARTS = {"pathname", "search", "hash", "href"}
"""Properties of an address (``dcc.Location``), which Dash's own page routing reads as text."""


def _slot_problem(slot: _Slot | list[_Slot], want_id: str, want_property: str) -> str | None:
    if want_property in _ADDRESS_PARTS and isinstance(slot, _Slot) and not (
            slot.value is None or isinstance(slot.value, str) and len(slot.value) <= MAX_ID):
        return f"{want_id}.{want_property} should be a short text"
    if want_property == "pathname" and isinstance(slot, _Slot) and slot.value and not slot.value.startswith("/"):
        return f"{want_id}.pathname should start with /"
    if _wildcard(want_id):  # pattern-matching: a list of the matching components
        if not isinstance(slot, list):
            return f"{want_id} should be a list"
        if any(not isinstance(s.id, dict) or s.property.split("@")[0] != want_property for s in slot):
            return f"{want_id} lists another component"
        return None
    if isinstance(slot, list) or stringify_id(slot.id) != want_id or slot.property.split("@")[0] != want_property:
        return f"expected {want_id}.{want_property}"
    return None


def _wildcard(component_id: str) -> bool:
    return component_id.startswith("{") and any(f'["{w}"]' in component_id for w in ("ALL", "MATCH", "ALLSMALLER"))


def install_input_checks(server: Flask, callbacks: Callable[[], dict[str, Any]], route: str,
                         on_failure: Callable[[Exception], Response]) -> None:
    """Refuse malformed posts to ``route`` (Dash's callback route) before Dash reads them.

    ``callbacks`` gives the app's callback map when asked (Dash completes it on
    its first request). ``on_failure`` answers for a fault Dash itself meets
    outside any callback, which is logged, so no post ends in a 500.
    """
    @server.before_request
    def well_formed() -> Any:
        if request.path != route or request.method != "POST":
            return None
        try:  # parsed once: Dash reads the cached result
            body = request.get_json(cache=True)
        except (HTTPException, ValueError, RecursionError):
            body = None
        problem = check_envelope(body, callbacks())
        if problem is None:
            return None
        log.warning("refused a malformed callback request: %s", problem[:500])
        response = jsonify({"message": MALFORMED})
        response.status_code = 400
        return response

    view = server.view_functions[route]

    @functools.wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        try:
            return view(*args, **kwargs)
        except Exception as err:  # noqa: BLE001  # the app's error handlers decide what the person sees
            return on_failure(err)

    server.view_functions[route] = guarded
