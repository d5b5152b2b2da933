"""Applying a scenario's edits to a copy of a site, through the map editor's own operations.

``move``, ``set_level``, ``add_link`` and ``remove`` are the editor's
:mod:`integramap.edit` operations; ``merge`` and ``split``, which the editor
has no single form for, are built from the same pieces and checked the same
way: each edit is checked as the editor checks it (what it touches, and the whole
site only when that finds a fault). A fault names the edit and
its field, as the scenario file reader does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import compress
from operator import is_not
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from . import edit
from .analysis.footprints import footprints
from .model import Link, Problem, Site, SiteError, Unit, problems_from_validation
from .model.errors import Loc
from .model.incremental import derive
from .scenario import AddLink, Merge, Move, Remove, Scenario, SetLevel, Split

__all__ = ["Applied", "apply_scenario"]

T = TypeVar("T")


@dataclass(frozen=True)
class Applied:
    """A scenario's result: the new site, and which units and links it changed, added or removed.

    ``changed_units`` includes the units whose members changed (a PCN a
    practice joins or leaves), so a map can mark them. (A plain dataclass: a
    model would check the whole site again on the way in.)
    """

    site: Site
    changed_units: list[str]
    added_units: list[str]
    removed_units: list[str]
    changed_links: list[str]
    added_links: list[str]
    removed_links: list[str]


_FIELD_NAMES: dict[str, dict[str, str]] = {
    "move": {"parent": "to", "id": "unit"},
    "merge": {"id": "units", "parent": "units", "name": "name"},
    "split": {"id": "new", "name": "new", "parent": "members"},
    "set_level": {"id": "link"},
    "add_link": {},
    "remove": {"id": "unit"},
}
"""The editor names a fault by its form field; a scenario names it by the edit's own field."""


def apply_scenario(site: Site, scenario: Scenario) -> Applied:
    """The site with the scenario's edits applied in order, validated; ``site`` itself is unchanged.

    Raises :class:`SiteError` naming the first edit that cannot be made, at
    its field (``edits[1].merge.units``) and, for a scenario read from a file,
    its line.

    Examples
    --------
    >>> from integramap.model import Site, Unit
    >>> from integramap.scenario import validate_scenario
    >>> site = Site(id="s", name="S", units=[Unit(id="n1", name="PCN 1", kind="pcn"),
    ...     Unit(id="n2", name="PCN 2", kind="pcn"),
    ...     Unit(id="gp", name="GP", kind="practice", parent="n1")])
    >>> applied = apply_scenario(site, validate_scenario({"name": "x",
    ...     "edits": [{"move": {"unit": "gp", "to": "n2"}}]}))
    >>> applied.site.unit("gp").parent, site.unit("gp").parent, applied.changed_units
    ('n2', 'n1', ['gp', 'n1', 'n2'])
    >>> try:
    ...     apply_scenario(site, validate_scenario({"name": "x", "edits": [{"remove": {"unit": "nowhere"}}]}))
    ... except SiteError as err:
    ...     print(err.problems[0])
    edits[0].remove.unit: no unit 'nowhere' in this site; it may have been deleted
    """
    if scenario.site is not None and scenario.site != site.id:
        raise scenario.located([Problem(("site",), f"the scenario is written for site {scenario.site!r}, "
                                                   f"not {site.id!r} ({site.name})")],
                               summary="cannot be applied")
    current = site
    for index, (kind, fields) in enumerate(scenario.steps()):
        try:
            current = _APPLY[kind](current, fields)
        except SiteError as err:
            names = _FIELD_NAMES[kind]
            problems = [Problem(("edits", index, kind, *_rename(p.loc, names, fields)), p.message)
                        for p in err.problems]
            raise scenario.located(problems, summary=f"edit {index + 1} ({kind}) cannot be made") from None
    return _applied(site, current)


def _rename(loc: Loc, names: dict[str, str], fields: BaseModel) -> Loc:
    if loc and isinstance(loc[0], str) and loc[0] in names:
        return (names[loc[0]], *loc[1:])
    if loc and isinstance(loc[0], str) and loc[0] in type(fields).model_fields:
        return loc
    return ()  # a fault elsewhere in the site that the edit causes: the edit as a whole is at fault


def _applied(before: Site, after: Site) -> Applied:
    old_u, new_u = before.units_by_id, after.units_by_id
    old_l, new_l = before.links_by_id, after.links_by_id
    added, removed = new_u.keys() - old_u.keys(), old_u.keys() - new_u.keys()
    changed: set[str] = set()
    for unit in _not_kept(before.units, after.units):
        old = old_u.get(unit.id)
        if old is None or old is unit or old == unit:
            continue
        changed.add(unit.id)
        if old.parent != unit.parent:
            # A unit whose members change changes too (a PCN a practice leaves or joins).
            changed.update(p for p in (old.parent, unit.parent) if p is not None)
    changed.update(p for p in (old_u[u].parent for u in removed) if p is not None)
    changed.update(p for p in (new_u[u].parent for u in added) if p is not None)
    return Applied(
        site=after,
        changed_units=sorted(u for u in changed if u in old_u and u in new_u),
        added_units=sorted(added),
        removed_units=sorted(removed),
        changed_links=sorted(lk.id for lk in _not_kept(before.links, after.links) if lk.id in old_l
                             and old_l[lk.id] is not lk and old_l[lk.id] != lk),
        added_links=sorted(lk for lk in new_l if lk not in old_l),
        removed_links=sorted(lk for lk in old_l if lk not in new_l))


def _not_kept(old: Sequence[T], new: Sequence[T]) -> list[T]:
    """The items of ``new`` that are not the very item at their place in ``old`` (at C speed): an edit
    replaces items in place or adds them at the end, so only these can differ."""
    if len(new) < len(old):
        return list(new)
    places = compress(range(len(old)), map(is_not, new, old))
    return [new[i] for i in places] + list(new[len(old):])


def _need_units(site: Site, ids: Sequence[str], field: str) -> None:
    missing = [u for u in ids if u not in site.units_by_id]
    if missing:
        raise SiteError([Problem((field,), f"no unit {m!r} in this site; expected the id of a unit")
                         for m in missing], summary="the change was not made")


def _move(site: Site, fields: BaseModel) -> Site:
    assert isinstance(fields, Move)
    _need_units(site, fields.moved, "unit" if fields.unit is not None else "units")
    _need_units(site, [fields.to], "to")
    for unit_id in fields.moved:
        site = edit.update_unit(site, unit_id, {"parent": fields.to})
    return site


def _merge(site: Site, fields: BaseModel) -> Site:
    assert isinstance(fields, Merge)
    _need_units(site, fields.units, "units")
    kept = site.units_by_id[fields.kept]
    others = [u for u in fields.units if u != kept.id]
    kinds = {str(site.units_by_id[u].kind) for u in fields.units}
    if len(kinds) > 1:
        raise SiteError([Problem(("units",), "only units of one kind can be merged; these are "
                                             + ", ".join(sorted(kinds)))], summary="the change was not made")
    for u in fields.units:
        inside = [a for a in site.ancestors(u) if a in fields.units]
        if inside:
            raise SiteError([Problem(("units",), f"{site.units_by_id[u].name} is inside "
                                                 f"{site.units_by_id[inside[0]].name}; merge units side by side")],
                            summary="the change was not made")
    footprint = dict(kept.footprint)
    if any(site.units_by_id[u].footprint for u in fields.units):
        # Effective footprints: a unit whose footprint comes from its members still brings its people.
        fp = footprints(site)
        footprint = {}
        for u in fields.units:
            for area, weight in fp.weights(u).items():
                footprint[area] = min(1.0, footprint.get(area, 0.0) + weight)
    merged = kept.model_copy(update={"footprint": footprint,
                                     **({"name": fields.name} if fields.name is not None else {})})
    gone = set(others)
    new_units = [merged if u.id == kept.id else u.model_copy(update={"parent": kept.id})
                 if u.parent in gone else u for u in site.units if u.id not in gone]
    new_links = _repointed(site.links, gone, kept.id)
    return _validated(site, new_units, new_links)


def _repointed(old: Sequence[Link], gone: set[str], kept: str) -> list[Link]:
    """Links of merged units moved to the kept unit; of two links joining the same pair, the higher stays."""
    out: list[Link] = []
    at: dict[frozenset[str], int] = {}
    for link in old:
        source = kept if link.source in gone else link.source
        target = kept if link.target in gone else link.target
        if source == target:
            continue  # a link between two merged units is now inside one unit
        if (source, target) != (link.source, link.target):
            link = link.model_copy(update={"source": source, "target": target})
        if kept not in (source, target):
            out.append(link)
            continue
        pair = frozenset((source, target))
        if pair in at:
            if link.level > out[at[pair]].level:
                out[at[pair]] = link
            continue
        at[pair] = len(out)
        out.append(link)
    return out


def _split(site: Site, fields: BaseModel) -> Site:
    assert isinstance(fields, Split)
    _need_units(site, [fields.unit], "unit")
    if fields.new.id in site.units_by_id:
        raise SiteError([Problem(("new", "id"), f"the id {fields.new.id!r} is already used by another unit "
                                                f"({site.units_by_id[fields.new.id].name}); every unit needs its own id")],
                        summary="the change was not made")
    old = site.units_by_id[fields.unit]
    if fields.areas:
        outside = [a for a in fields.areas if a not in old.footprint]
        if outside:
            how = ("its footprint comes from its members: split by `members` instead" if not old.footprint
                   else "expected areas of its footprint")
            raise SiteError([Problem(("areas",), f"{old.name} does not cover {', '.join(outside)}; {how}")],
                            summary="the change was not made")
        taken = {a: old.footprint[a] for a in fields.areas}
        members: list[str] = []
    else:
        children = set(site.children_by_id.get(old.id, []))
        strangers = [m for m in fields.members if m not in children]
        if strangers:
            raise SiteError([Problem(("members",), f"{', '.join(strangers)} {'is' if len(strangers) == 1 else 'are'} "
                                                   f"not in {old.name}; expected units it contains")],
                            summary="the change was not made")
        members = list(fields.members)
        taken = {}
        if old.footprint:
            fp = footprints(site)
            for m in members:
                for area, weight in fp.weights(m).items():
                    taken[area] = min(1.0, taken.get(area, 0.0) + weight)
    left = {a: w - taken.get(a, 0.0) for a, w in old.footprint.items()}
    kept_footprint = {a: w for a, w in left.items() if w > 1e-9}
    new = old.model_copy(update={"id": fields.new.id, "name": fields.new.name,
                                 "footprint": taken if old.footprint else {},
                                 "attributes": old.attributes.model_copy(update={"position": None})})
    moved = set(members)
    new_units: list[Unit] = []
    for u in site.units:
        if u.id == old.id:
            new_units += [old.model_copy(update={"footprint": kept_footprint}), new]
        else:
            new_units.append(u.model_copy(update={"parent": new.id}) if u.id in moved else u)
    new_links = list(site.links)
    if fields.copy_links:
        for link in site.links:
            if old.id in (link.source, link.target):
                copy_id = edit.new_id(site.model_copy(update={"links": new_links}), f"{link.id}-{new.id}")
                new_links.append(link.model_copy(update={
                    "id": copy_id, "source": new.id if link.source == old.id else link.source,
                    "target": new.id if link.target == old.id else link.target}))
    return _validated(site, new_units, new_links)


def _set_level(site: Site, fields: BaseModel) -> Site:
    assert isinstance(fields, SetLevel)
    changes: dict[str, Any] = {}
    for name in ("level", "target_level", "mechanisms"):
        if name in fields.model_fields_set:
            value = getattr(fields, name)
            changes[name] = [str(m) for m in value] if name == "mechanisms" and value is not None else value
    if fields.facets is not None:
        changes["facets"] = fields.facets.recorded()
    site = edit.update_link(site, fields.link, changes)
    return site


def _add_link(site: Site, fields: BaseModel) -> Site:
    assert isinstance(fields, AddLink)
    data = fields.model_dump(exclude_defaults=True, exclude={"facets"})
    if fields.facets.recorded():
        data["facets"] = fields.facets.recorded()
    return edit.add_link(site, data)


def _remove(site: Site, fields: BaseModel) -> Site:
    assert isinstance(fields, Remove)
    if fields.link is not None:
        try:
            return edit.delete_link(site, fields.link)
        except SiteError as err:
            raise SiteError([Problem(("link",), p.message) for p in err.problems],
                            summary=err.summary) from None
    assert fields.unit is not None
    return edit.delete_unit(site, fields.unit)


_APPLY: dict[str, Callable[[Site, BaseModel], Site]] = {
    "move": _move, "merge": _merge, "split": _split, "set_level": _set_level, "add_link": _add_link,
    "remove": _remove,
}


def _validated(site: Site, units: list[Unit], links: list[Link]) -> Site:
    """The site with new unit and link lists, integrity-checked (unchanged items are not re-validated)."""
    try:
        return derive(site, units=units, links=links)
    except ValidationError as exc:
        raise SiteError(problems_from_validation(exc.errors()), summary="the change was not made") from None
