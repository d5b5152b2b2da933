"""Editing a site one change at a time, as the map editor's forms do.

Every operation takes a valid :class:`~integramap.model.Site` and returns a
new valid one, or raises :class:`~integramap.model.SiteError` whose problems'
``loc`` starts with the name of the form field at fault (``("name",)``,
``("parent",)``, ``("target",)``…), so each message can be shown beside its
field. A site is never changed in place.

Form values are accepted as forms give them: an empty text box (``""``) or a
cleared dropdown (``None``) means "not set", a comma-separated string fills a
list field, and a unit's attributes (``employer``, ``it_system``, ``location``,
``staff_count``, ``code``) and a link's facets (``governance``, ``it``…) may be
given flat beside the other fields or nested under ``attributes`` / ``facets``.

Unchanged units and links are reused, not re-validated, and only what an edit
touches is checked (the changed items, the parent chains of moved units, the
links meeting them): a millisecond or two at national scale.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from .model import (
    FACET_SCALES,
    Facets,
    Link,
    Position,
    Problem,
    Site,
    SiteError,
    Unit,
    UnitAttributes,
    problems_from_validation,
)
from .model.incremental import derive
from .wording import plural

__all__ = [
    "DuplicateLink", "add_link", "add_unit", "delete_link", "delete_unit", "existing_link", "new_id", "new_site",
    "readable_id", "set_positions", "slug",
    "update_link", "update_unit",
]

Fields = Mapping[str, Any]

_UNIT_FLAT = {name: "attributes" for name in UnitAttributes.model_fields if name != "position"}
_LINK_FLAT = {name: "facets" for name in FACET_SCALES}
_REQUIRED = {
    Unit: {"name": "a name is required", "kind": "choose the kind of unit"},
    Link: {"source": "choose the unit the link starts from", "target": "choose the unit the link joins",
           "level": "choose the level of integration"},
}
_NOT_ID = re.compile(r"[^A-Za-z0-9_.:\-]+")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
MAX_ID_STEM = 60
"""Longest id made from a name: long names make unwieldy ids."""


def new_id(site: Site, prefix: str) -> str:
    """An id not used by any unit, link or area of the site: ``prefix-1``, ``prefix-2``…

    Examples
    --------
    >>> site = new_site("demo", "Demo")
    >>> new_id(site, "team")
    'team-1'
    >>> new_id(add_unit(site, {"id": "team-1", "name": "A", "kind": "team"}), "team")
    'team-2'
    >>> new_id(site, "Mental health!")
    'Mental-health-1'
    """
    stem = _NOT_ID.sub("-", prefix).strip("-._:") or "item"
    taken = set(site.units_by_id) | set(site.links_by_id) | set(site.areas_by_id)
    n = 1 + sum(1 for item in taken if item.startswith(stem + "-"))
    while f"{stem}-{n}" in taken:
        n += 1
    return f"{stem}-{n}"


def slug(name: str) -> str:
    """A name as an id: lower case, words joined by hyphens, at most :data:`MAX_ID_STEM` characters.

    Examples
    --------
    >>> slug("Northvale Children's Services"), slug("!!")
    ('northvale-children-s-services', '')
    """
    return _NOT_SLUG.sub("-", name.casefold()).strip("-")[:MAX_ID_STEM].strip("-")


def readable_id(site: Site, name: str, fallback: str = "unit") -> str:
    """An id made from a name, not used by any unit, link or area: ``district-nursing-west``,
    then ``district-nursing-west-2``, ``-3``…

    Examples
    --------
    >>> site = new_site("demo", "Demo")
    >>> readable_id(site, "District Nursing (West)")
    'district-nursing-west'
    >>> readable_id(add_unit(site, {"name": "District nursing west", "kind": "team"}), "District Nursing West")
    'district-nursing-west-2'
    >>> readable_id(site, "Æ!", fallback="team")
    'team'
    """
    stem = slug(name) or fallback
    taken = set(site.units_by_id) | set(site.links_by_id) | set(site.areas_by_id)
    if stem not in taken:
        return stem
    n = 2
    while f"{stem}-{n}" in taken:
        n += 1
    return f"{stem}-{n}"


def existing_link(site: Site, one: str, other: str, *, besides: str | None = None) -> Link | None:
    """The link already joining two units, either way round (other than ``besides``), if any.

    Examples
    --------
    >>> site = new_site("demo", "Demo")
    >>> for uid in ("a", "b"):
    ...     site = add_unit(site, {"id": uid, "name": uid.upper(), "kind": "team"})
    >>> site = add_link(site, {"id": "l", "source": "a", "target": "b", "level": "interface"})
    >>> existing_link(site, "b", "a").id, existing_link(site, "a", "b", besides="l")
    ('l', None)
    """
    pair = {one, other}
    return next((lk for lk in site.links if {lk.source, lk.target} == pair and lk.id != besides), None)


def new_site(site_id: str, name: str) -> Site:
    """An empty site; :class:`SiteError` at ``("id",)`` or ``("name",)`` when either is unusable.

    Examples
    --------
    >>> new_site("riverside", "Riverside borough").name
    'Riverside borough'
    >>> try:
    ...     new_site("has spaces", "")
    ... except SiteError as err:
    ...     print(sorted(p.loc for p in err.problems))
    [('id',), ('name',)]
    """
    data: dict[str, Any] = {"id": _text(site_id), "name": _text(name)}
    missing = [Problem((key,), f"a site {key} is required") for key, value in data.items() if not value]
    try:
        site = Site.model_validate({key: value or "x" for key, value in data.items()})
    except ValidationError as exc:
        missing += problems_from_validation(exc.errors())
    if missing:
        raise SiteError(sorted(missing, key=lambda p: str(p.loc)), summary="cannot create the site")
    return site


def add_unit(site: Site, fields: Fields) -> Site:
    """The site with a new unit; its id is made from its name (``crisis-team``) when not given.

    Examples
    --------
    >>> site = add_unit(new_site("demo", "Demo"), {"name": "Trust", "kind": "organisation",
    ...                                            "org_type": "nhs_trust", "sectors": "acute, mental_health"})
    >>> site = add_unit(site, {"name": "Crisis team", "kind": "team", "parent": "trust",
    ...                        "staff_count": "12", "basis": ""})
    >>> [(u.id, u.parent) for u in site.units]
    [('trust', None), ('crisis-team', 'trust')]
    >>> site.unit("crisis-team").attributes.staff_count
    12
    >>> try:
    ...     add_unit(site, {"name": "", "kind": "team", "parent": "nowhere"})
    ... except SiteError as err:
    ...     for p in err.problems: print(p)
    name: a name is required
    """
    data, flat = _form(Unit, fields, _UNIT_FLAT)
    if not data.get("id"):
        kind = data.get("kind")
        fallback = str(kind) if isinstance(kind, str) and kind else "unit"
        name = data.get("name")
        data["id"] = readable_id(site, name if isinstance(name, str) else "", fallback)
    unit = _item(Unit, data, flat)
    _check_free(site.units_by_id, unit.id, "unit")
    return _rebuild(site, "units", len(site.units), flat, units=[*site.units, unit])


def update_unit(site: Site, unit_id: str, changes: Fields) -> Site:
    """The site with one unit's fields changed; a new id is carried to its children and links.

    Examples
    --------
    >>> site = add_unit(new_site("demo", "Demo"), {"id": "org", "name": "Org", "kind": "organisation"})
    >>> site = add_unit(site, {"id": "t", "name": "Team", "kind": "team", "parent": "org"})
    >>> site = update_unit(site, "org", {"id": "trust", "name": "The trust"})
    >>> site.unit("t").parent, site.unit("trust").name
    ('trust', 'The trust')
    >>> try:
    ...     update_unit(site, "trust", {"parent": "t"})
    ... except SiteError as err:
    ...     print(err.problems[0].loc)
    ('parent',)
    """
    old = _find_unit(site, unit_id)
    data, flat = _form(Unit, changes, _UNIT_FLAT, base=old)
    unit = _item(Unit, data, flat)
    if unit.id != old.id:
        _check_free(site.units_by_id, unit.id, "unit")
    index = _position(site.units, old)
    units = list(site.units)
    units[index] = unit
    links = site.links
    if unit.id != old.id:
        units = [u.model_copy(update={"parent": unit.id}) if u.parent == old.id else u for u in units]
        links = [_renamed(lk, old.id, unit.id) for lk in links]
    return _rebuild(site, "units", index, flat, units=units, links=links)


def delete_unit(site: Site, unit_id: str) -> Site:
    """The site without a unit and its links; refused, naming them, while it contains units.

    Examples
    --------
    >>> site = add_unit(new_site("demo", "Demo"), {"id": "org", "name": "Org", "kind": "organisation"})
    >>> site = add_unit(site, {"id": "t", "name": "Crisis team", "kind": "team", "parent": "org"})
    >>> try:
    ...     delete_unit(site, "org")
    ... except SiteError as err:
    ...     print(err.problems[0])
    id: Org contains 1 unit (Crisis team); move or delete it first
    >>> [u.id for u in delete_unit(site, "t").units]
    ['org']
    """
    old = _find_unit(site, unit_id)
    children = site.children_by_id.get(unit_id, [])
    if children:
        names = [site.units_by_id[c].name for c in children]
        shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        n = len(children)
        raise SiteError([Problem(("id",), f"{old.name} contains {plural(n, 'unit')} ({shown}); "
                                          f"move or delete {'them' if n != 1 else 'it'} first")],
                        summary="cannot delete the unit")
    units = [u for u in site.units if u.id != unit_id]
    links = [lk for lk in site.links if unit_id not in (lk.source, lk.target)]
    return _rebuild(site, "units", -1, {}, units=units, links=links)


def add_link(site: Site, fields: Fields) -> Site:
    """The site with a new link; its id is ``link-N`` when not given.

    A second link between the same two units is refused: one relationship has one level
    (and a target level for where it is heading), so change the existing link instead.

    Examples
    --------
    >>> site = new_site("demo", "Demo")
    >>> for uid in ("a", "b"):
    ...     site = add_unit(site, {"id": uid, "name": uid.upper(), "kind": "team"})
    >>> site = add_link(site, {"source": "a", "target": "b", "level": "co_located", "it": "workaround"})
    >>> link = site.link("link-1")
    >>> str(link.level), str(link.facets.it)
    ('co_located', 'workaround')
    >>> try:
    ...     add_link(site, {"source": "a", "target": "a", "level": "interface"})
    ... except SiteError as err:
    ...     print(err.problems[0].loc)
    ('target',)
    >>> try:
    ...     add_link(site, {"source": "b", "target": "a", "level": "interface"})
    ... except SiteError as err:
    ...     print(err.problems[0])
    target: A and B are already linked (co-located): change that link instead
    """
    data, flat = _form(Link, fields, _LINK_FLAT)
    if not data.get("id"):
        data["id"] = new_id(site, "link")
    link = _item(Link, data, flat)
    _check_free(site.links_by_id, link.id, "link")
    _check_pair(site, link, besides=None)
    return _rebuild(site, "links", len(site.links), flat, links=[*site.links, link])


def update_link(site: Site, link_id: str, changes: Fields) -> Site:
    """The site with one link's fields changed.

    Examples
    --------
    >>> site = new_site("demo", "Demo")
    >>> for uid in ("a", "b"):
    ...     site = add_unit(site, {"id": uid, "name": uid.upper(), "kind": "team"})
    >>> site = add_link(site, {"id": "l", "source": "a", "target": "b", "level": "interface"})
    >>> str(update_link(site, "l", {"level": "fully_merged", "target_level": ""}).link("l").level)
    'fully_merged'
    """
    old = _find_link(site, link_id)
    data, flat = _form(Link, changes, _LINK_FLAT, base=old)
    link = _item(Link, data, flat)
    if link.id != old.id:
        _check_free(site.links_by_id, link.id, "link")
    _check_pair(site, link, besides=old.id)
    index = _position(site.links, old)
    links = list(site.links)
    links[index] = link
    return _rebuild(site, "links", index, flat, links=links)


def delete_link(site: Site, link_id: str) -> Site:
    """The site without one link.

    Examples
    --------
    >>> site = new_site("demo", "Demo")
    >>> for uid in ("a", "b"):
    ...     site = add_unit(site, {"id": uid, "name": uid.upper(), "kind": "team"})
    >>> site = add_link(site, {"id": "l", "source": "a", "target": "b", "level": "interface"})
    >>> delete_link(site, "l").links
    []
    """
    _find_link(site, link_id)
    return _rebuild(site, "links", -1, {}, links=[lk for lk in site.links if lk.id != link_id])


def set_positions(site: Site, positions: Mapping[str, tuple[float, float]]) -> Site:
    """The site with units placed on the map; ids that are not units (a map's group nodes) are skipped.

    Returns the same site when no position changes.

    Examples
    --------
    >>> site = add_unit(new_site("demo", "Demo"), {"id": "a", "name": "A", "kind": "team"})
    >>> placed = set_positions(site, {"a": (10, -20.5), "aggregate:north": (0, 0)})
    >>> placed.unit("a").attributes.position
    Position(x=10.0, y=-20.5)
    >>> set_positions(placed, {"a": (10, -20.5)}) is placed
    True
    """
    problems: list[Problem] = []
    moved: dict[str, Position] = {}
    for unit_id, point in positions.items():
        unit = site.units_by_id.get(unit_id)
        if unit is None:
            continue
        try:
            x, y = (float(v) for v in point)
        except (TypeError, ValueError):
            problems.append(Problem(("position", unit_id), f"expected two numbers (x, y), got {point!r}"))
            continue
        if not (math.isfinite(x) and math.isfinite(y)):
            problems.append(Problem(("position", unit_id), f"expected finite numbers, got ({x}, {y})"))
            continue
        current = unit.attributes.position
        if current is None or (current.x, current.y) != (x, y):
            moved[unit_id] = Position(x=x, y=y)
    if problems:
        raise SiteError(problems, summary="cannot place the units")
    if not moved:
        return site
    units = [u.model_copy(update={"attributes": u.attributes.model_copy(update={"position": moved[u.id]})})
             if u.id in moved else u for u in site.units]
    return _rebuild(site, "units", -1, {}, units=units)


# Internals ---------------------------------------------------------------------------------


def _text(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _form(model: type[BaseModel], fields: Fields, flat_names: dict[str, str],
          base: BaseModel | None = None) -> tuple[dict[str, Any], dict[str, str]]:
    """Form values as model data, and which nested fields were given flat (to name them back)."""
    data: dict[str, Any] = base.model_dump(mode="python", exclude_defaults=True) if base is not None else {}
    flat: dict[str, str] = {}
    nested_models: dict[str, type[BaseModel]] = {"attributes": UnitAttributes, "facets": Facets}
    for key, value in fields.items():
        if key in flat_names:
            group = flat_names[key]
            data.setdefault(group, {})
            data[group] = {**data[group], key: _value(nested_models[group], key, value)}
            flat[f"{group}.{key}"] = key
        elif key in nested_models and key in model.model_fields and isinstance(value, Mapping):
            sub = nested_models[key]
            merged = dict(data.get(key) or {})
            merged.update({k: _value(sub, k, v) if k in sub.model_fields else v for k, v in value.items()})
            data[key] = merged
        else:
            data[key] = _value(model, key, value)
    return data, flat


def _value(model: type[BaseModel], key: str, value: Any) -> Any:
    """A form value as the model expects it: blanks are unset, lists may be comma-separated."""
    field = model.model_fields.get(key)
    value = _text(value)
    if field is None:
        return value
    annotation = str(field.annotation)
    if annotation.startswith("list["):
        if value is None or value == "":
            return []
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value
    if value == "" and field.default is None and not field.is_required():
        return None
    return value


def _item(model: type[BaseModel], data: dict[str, Any], flat: dict[str, str]) -> Any:
    """Validate one unit or link, naming each fault by its form field."""
    problems = [Problem((key,), message) for key, message in _REQUIRED.get(model, {}).items()
                if data.get(key) in (None, "")]
    if problems:
        raise SiteError(problems, summary=f"the {model.__name__.lower()} is not valid")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        found = [Problem(_field_loc(p.loc, flat), p.message) for p in problems_from_validation(exc.errors())]
        raise SiteError(found, summary=f"the {model.__name__.lower()} is not valid") from None


def _field_loc(loc: tuple[str | int, ...], flat: dict[str, str]) -> tuple[str | int, ...]:
    if len(loc) >= 2 and f"{loc[0]}.{loc[1]}" in flat:
        return (flat[f"{loc[0]}.{loc[1]}"], *loc[2:])
    return loc


def _rebuild(site: Site, section: str, index: int, flat: dict[str, str], **lists: Any) -> Site:
    """The site with new unit/link lists, integrity-checked; faults of the edited item get field locs.

    Unchanged items are not validated again, and only what the edit touches is checked unless
    that finds a fault (:func:`~integramap.model.incremental.derive`).
    """
    try:
        return derive(site, **lists)
    except ValidationError as exc:
        problems = problems_from_validation(exc.errors())
    own = [Problem(_field_loc(tuple(p.loc[2:]) or _WHOLE[section], flat), p.message)
           for p in problems if p.loc[:2] == (section, index)]
    # Faults of the edited item say it best; others (the rest of a parent loop) repeat them.
    raise SiteError(own or problems, summary="the change was not made")


_WHOLE = {"units": ("id",), "links": ("target",)}
"""Where a fault about a whole item is shown: a link to an ancestor is a fault of its target."""


def _check_free(taken: Mapping[str, Unit] | Mapping[str, Link], item_id: str, what: str) -> None:
    other = taken.get(item_id)
    if other is not None:
        called = f" ({other.name})" if isinstance(other, Unit) else ""
        raise SiteError([Problem(("id",), f"the id {item_id!r} is already used by another {what}{called}; "
                                          f"every {what} needs its own id")], summary=f"the {what} is not valid")


class DuplicateLink(SiteError):
    """A link between two units that another link already joins; ``existing`` is that link's id."""

    def __init__(self, problems: list[Problem], *, existing: str) -> None:
        super().__init__(problems, summary="the link was not added")
        self.existing = existing


def _check_pair(site: Site, link: Link, besides: str | None) -> None:
    other = existing_link(site, link.source, link.target, besides=besides)
    if other is None:
        return
    a, b = site.units_by_id.get(other.source), site.units_by_id.get(other.target)
    if a is None or b is None:
        return
    raise DuplicateLink([Problem(("target",), f"{a.name} and {b.name} are already linked "
                                              f"({other.level.label}): change that link instead")],
                        existing=other.id)


def _find_unit(site: Site, unit_id: str) -> Unit:
    unit = site.units_by_id.get(unit_id)
    if unit is None:
        raise SiteError([Problem(("id",), f"no unit {unit_id!r} in this site; it may have been deleted")],
                        summary="cannot change the unit")
    return unit


def _find_link(site: Site, link_id: str) -> Link:
    link = site.links_by_id.get(link_id)
    if link is None:
        raise SiteError([Problem(("id",), f"no link {link_id!r} in this site; it may have been deleted")],
                        summary="cannot change the link")
    return link


def _position(items: list[Any], item: Any) -> int:
    """Where ``item`` itself is in ``items`` (``list.index`` would compare each model before it, field by
    field)."""
    return next(i for i, other in enumerate(items) if other is item)


def _renamed(link: Link, old: str, new: str) -> Link:
    if old not in (link.source, link.target):
        return link
    return link.model_copy(update={"source": new if link.source == old else link.source,
                                   "target": new if link.target == old else link.target})
