"""Trying a change on the Map page: the editor's edits recorded as a scenario, not made to the map.

Dash-free, so the translation from an editor action (the unit and link forms'
buttons, a merge) to a scenario edit is tested without a browser. The page
keeps the scenario being tried in a ``dcc.Store`` as plain data::

    {"on": true, "name": "Riverbend's southern practices join Southgate",
     "edits": [{"move": {"unit": "p11", "to": "pcn-south"}}], "kept": null}

and every callback that needs the changed site applies those edits to the
working copy again (:func:`tried`); the last few results are kept in this
process, so a redraw, the panel and a form filled from the same edits apply
them once.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from integramap import edit
from integramap.analysis.whatif import WhatIf, what_if
from integramap.io.scenariofile import scenario_to_data
from integramap.model import Link, Site, SiteError, Unit
from integramap.scenario import Scenario, validate_scenario
from integramap.scenario_edits import Applied, apply_scenario

__all__ = [
    "NOT_TRYING", "Recorded", "adding", "applied_to", "edits_of", "is_on", "kept_state", "merge_units", "record_link",
    "record_unit", "report", "scenario_of", "state_with", "tried",
]

NOT_TRYING: dict[str, Any] = {"on": False, "name": "", "edits": [], "kept": None}
"""The store's value when no change is being tried."""

DEFAULT_NAME = "A change to try"
_CACHED = 16


def is_on(state: dict[str, Any] | None) -> bool:
    """Whether the page is trying a change (edits are recorded, not made)."""
    return isinstance(state, dict) and bool(state.get("on"))


def edits_of(state: dict[str, Any] | None) -> list[Any]:
    """The edits the store holds (it comes from the browser: anything else is no edit)."""
    edits = state.get("edits") if isinstance(state, dict) else None
    return list(edits) if isinstance(edits, list) else []


def scenario_of(state: dict[str, Any] | None, name: str | None = None) -> Scenario | None:
    """The scenario the store holds, ``None`` while it has no edit yet.

    Examples
    --------
    >>> scenario_of({"on": True, "name": "", "edits": [{"remove": {"link": "l1"}}]}).name
    'A change to try'
    >>> scenario_of(NOT_TRYING) is None
    True

    The edits and the name are checked as a scenario file's are: :class:`SiteError` names a fault
    (a name longer than a unit's may be).
    """
    edits = edits_of(state)
    if not edits:
        return None
    assert isinstance(state, dict)
    title = (name if name is not None else str(state.get("name") or "")).strip() or DEFAULT_NAME
    return validate_scenario({"name": title, "edits": edits})


def state_with(state: dict[str, Any] | None, edits: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The store's value with these edits (trying stays on)."""
    return {**NOT_TRYING, **(state if isinstance(state, dict) else {}), "on": True, "edits": list(edits)}


def kept_state(scenario: Scenario, kept: str | None) -> dict[str, Any]:
    """The store's value for a scenario opened from those kept beside the site."""
    return {"on": True, "name": scenario.name, "edits": scenario_to_data(scenario)["edits"], "kept": kept}


_cache: OrderedDict[tuple[int, str], tuple[Site, Applied]] = OrderedDict()
_lock = threading.Lock()


def applied_to(site: Site, scenario: Scenario) -> Applied:
    """``scenario`` applied to ``site`` (the working copy), from this process's cache
    when the same edits were applied to this very site object a moment ago (sites are immutable,
    and a working copy keeps its site object until it changes); :class:`SiteError` names the edit
    that cannot be made (the map was edited meanwhile)."""
    key = (id(site), json.dumps(scenario_to_data(scenario)["edits"], sort_keys=True))
    with _lock:
        entry = _cache.get(key)
        if entry is not None and entry[0] is site:
            _cache.move_to_end(key)
            return entry[1]
    applied = apply_scenario(site, scenario)
    with _lock:
        # The cache holds the site too, so its id cannot be reused by another site meanwhile.
        _cache[key] = (site, applied)
        while len(_cache) > _CACHED:
            _cache.popitem(last=False)
    return applied


def tried(site: Site, state: dict[str, Any] | None) -> Applied | None:
    """The change being tried applied to the working copy; ``None`` when none is being tried, or
    its edits no longer apply (the panel says why)."""
    if not is_on(state):
        return None
    try:
        scenario = scenario_of(state)
        return applied_to(site, scenario) if scenario is not None else None
    except SiteError:
        return None


def report(site: Site, state: dict[str, Any] | None) -> WhatIf | None:
    """Before (the working copy), after (with the change) and the difference; ``None`` with no edit.

    Raises :class:`SiteError` when the edits no longer apply to the working copy.
    """
    scenario = scenario_of(state)
    if scenario is None:
        return None
    return what_if(site, scenario, applied=applied_to(site, scenario))


@dataclass(frozen=True)
class Recorded:
    """An editor action as a scenario edit, or why it cannot be one (``message``)."""

    edit: dict[str, Any] | None
    message: str
    field_errors: dict[str, list[str]] | None = None


NOT_A_CHANGE = ("While trying a change, the editor records moves (a new “Part of”), removals, new links, "
                "link levels and merges. Turn “Try a change” off to rename a unit or change its other "
                "details.")


def _trimmed(unit: Unit) -> Unit:
    """A unit without what an edit in the map changes anyway (its place on the screen)."""
    return unit.model_copy(update={"attributes": unit.attributes.model_copy(update={"position": None})})


def record_unit(after: Site, action: str, unit_id: str | None, fields: dict[str, Any]) -> Recorded:
    """The unit form's button as a scenario edit: ``update`` (a new parent is a ``move``) or ``delete``.

    ``after`` is the site with the change tried so far. Raises :class:`SiteError`
    (by form field) when the form's values are not valid.

    Examples
    --------
    >>> from integramap.model import Site, Unit
    >>> site = Site(id="s", name="S", units=[Unit(id="n1", name="N1", kind="pcn"),
    ...     Unit(id="n2", name="N2", kind="pcn"), Unit(id="gp", name="GP", kind="practice", parent="n1")])
    >>> record_unit(site, "update", "gp", {"name": "GP", "kind": "practice", "parent": "n2"}).edit
    {'move': {'unit': 'gp', 'to': 'n2'}}
    >>> record_unit(site, "delete", "gp", {}).edit
    {'remove': {'unit': 'gp'}}
    >>> record_unit(site, "update", "gp", {"name": "Renamed", "parent": "n1"}).edit is None
    True
    """
    if action == "add":
        return Recorded(None, "A new unit cannot be tried yet: add it to the map itself, or try a merge. "
                              + NOT_A_CHANGE)
    if not unit_id or unit_id not in after.units_by_id:
        return Recorded(None, "Click a unit on the map first.")
    if action == "delete":
        return Recorded({"remove": {"unit": unit_id}}, f"remove {after.unit(unit_id).name}")
    old = after.unit(unit_id)
    changed = edit.update_unit(after, unit_id, fields)
    new = changed.units_by_id.get(unit_id)
    if new is None or _trimmed(new.model_copy(update={"parent": old.parent})) != _trimmed(old):
        return Recorded(None, NOT_A_CHANGE)
    if new.parent == old.parent:
        return Recorded(None, "Nothing changed: choose another “Part of” to try a move.")
    if new.parent is None:
        return Recorded(None, "A unit can be tried in another place, not in none: choose where it goes.")
    to = after.unit(new.parent).name
    return Recorded({"move": {"unit": unit_id, "to": new.parent}}, f"move {old.name} to {to}")


_LINK_SETTINGS = ("level", "target_level", "facets", "mechanisms")


def record_link(after: Site, action: str, link_id: str | None, fields: dict[str, Any]) -> Recorded:
    """The link form's button as a scenario edit: ``add`` (``add_link``), ``update`` (``set_level``)
    or ``delete`` (``remove``). Raises :class:`SiteError` (by form field) for invalid values.

    Examples
    --------
    >>> from integramap.model import Site, Unit, Link
    >>> site = Site(id="s", name="S", units=[Unit(id="a", name="A", kind="team"),
    ...     Unit(id="b", name="B", kind="team")],
    ...     links=[Link(id="l1", source="a", target="b", level="interface")])
    >>> record_link(site, "update", "l1", {"source": "a", "target": "b", "level": "co_located"}).edit
    {'set_level': {'link': 'l1', 'level': 'co_located'}}
    >>> record_link(site, "delete", "l1", {}).edit
    {'remove': {'link': 'l1'}}
    """
    if action == "add":
        changed = edit.add_link(after, fields)
        link = next(lk for lk in changed.links if lk.id not in after.links_by_id)
        data: dict[str, Any] = {"id": link.id, "source": link.source, "target": link.target,
                                "level": str(link.level)}
        data.update({k: v for k, v in _settings(link).items() if k != "level" and v})
        return Recorded({"add_link": data}, f"link {after.unit(link.source).name} and "
                                            f"{after.unit(link.target).name}")
    if not link_id or link_id not in after.links_by_id:
        return Recorded(None, "Click a link on the map first.")
    old = after.link(link_id)
    ends = f"{after.unit(old.source).name} ↔ {after.unit(old.target).name}"
    if action == "delete":
        return Recorded({"remove": {"link": link_id}}, f"remove the link {ends}")
    new = edit.update_link(after, link_id, fields).links_by_id.get(link_id)
    if new is None or (new.source, new.target, new.notes) != (old.source, old.target, old.notes):
        return Recorded(None, NOT_A_CHANGE)
    before, now = _settings(old), _settings(new)
    differ = {k: now[k] for k in _LINK_SETTINGS if now[k] != before[k]}
    if not differ:
        return Recorded(None, "Nothing changed: choose another level, target, facet or mechanism.")
    if differ.get("level", "") is None:
        return Recorded(None, "Every link has a level: choose one.")
    return Recorded({"set_level": {"link": link_id, **differ}}, f"change the link {ends}")


def _settings(link: Link) -> dict[str, Any]:
    return {"level": str(link.level), "target_level": str(link.target_level) if link.target_level else None,
            "facets": {k: str(v) for k, v in link.facets.recorded().items()},
            "mechanisms": [str(m) for m in link.mechanisms]}


def merge_units(after: Site, units: Sequence[str], name: str | None) -> Recorded:
    """A merge of the chosen units (the first is kept), optionally under a new name.

    Examples
    --------
    >>> from integramap.model import Site, Unit
    >>> site = Site(id="s", name="S", units=[Unit(id="n1", name="N1", kind="pcn"),
    ...     Unit(id="n2", name="N2", kind="pcn")])
    >>> merge_units(site, ["n1", "n2"], " North and South ").edit
    {'merge': {'units': ['n1', 'n2'], 'name': 'North and South'}}
    >>> merge_units(site, ["n1"], None).message
    'Choose two or more units to merge.'
    """
    chosen = [u for u in dict.fromkeys(units) if u in after.units_by_id]
    if len(chosen) < 2:
        return Recorded(None, "Choose two or more units to merge.")
    fields: dict[str, Any] = {"units": chosen}
    if name and name.strip():
        fields["name"] = name.strip()
    names = ", ".join(after.unit(u).name for u in chosen)
    return Recorded({"merge": fields}, f"merge {names}")


def adding(state: dict[str, Any] | None, site: Site, recorded: Recorded) -> tuple[dict[str, Any] | None, str]:
    """The store's value with the recorded edit added, and what to tell the person; ``None`` and
    the reason when the edit cannot be made after the others (checked on the working copy)."""
    if recorded.edit is None:
        return None, recorded.message
    edits = [*edits_of(state), recorded.edit]
    try:
        # Through the cache: the panel and the map, asked next, find it applied.
        applied_to(site, validate_scenario({"name": DEFAULT_NAME, "edits": edits}))
    except SiteError as err:
        return None, "Not tried: " + "; ".join(p.message for p in err.problems[:3])
    return state_with(state, edits), f"Tried: {recorded.message}. The map is unchanged until you apply it."
