"""What-if scenarios: a named list of edits, tried on a copy of a site.

A scenario is written in the map editor's own vocabulary::

    name: Riverbend's southern practices join Fenwick and Southgate
    edits:
      - move: {units: [p11, p12], to: pcn-south}
      - set_level: {link: lcn-south-pcn-south, level: closer_working}

Six kinds of edit: ``move`` (units to another parent), ``merge`` (units into
one), ``split`` (part of a unit's footprint, or some of its members, into a
new unit), ``set_level`` (a link's level, target, facets or mechanisms),
``add_link`` and ``remove`` (a unit or a link). :func:`apply_scenario` applies
them in order to the site it is given and returns a new validated site; the
site given is never changed (sites are immutable), so a stored revision is
never touched by trying a scenario on it.

Reading a scenario file (:mod:`integramap.io.scenariofile`) checks the shape
of every edit; applying it checks what only the site can tell (that the
units exist, that a move makes no loop). Either way a fault is reported as a
:class:`~integramap.model.SiteError` whose problems are located at the edit
and its field (``edits[0].move.to``), with the file line when the scenario
came from a file.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    Tag,
    ValidationError,
    model_validator,
)

from . import edit
from .analysis.footprints import footprints
from .model import (
    Facets,
    Level,
    Link,
    Mechanism,
    Problem,
    Site,
    SiteError,
    Unit,
    problems_from_validation,
)
from .model.errors import Loc
from .model.site import Identifier, Name

__all__ = [
    "EDIT_KINDS", "AddLink", "Applied", "Merge", "Move", "NewUnit", "Remove", "Scenario", "SetLevel",
    "Split", "apply_scenario", "validate_scenario",
]

EDIT_KINDS = ("move", "merge", "split", "set_level", "add_link", "remove")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Move(_Strict):
    """Units to another parent: ``{unit: p11, to: pcn-south}`` or ``{units: [p11, p12], to: …}``."""

    unit: Identifier | None = None
    units: list[Identifier] = Field(default_factory=list)
    to: Identifier

    @model_validator(mode="after")
    def _one_way(self) -> Move:
        if (self.unit is None) == (not self.units):
            raise ValueError("give either `unit` (one id) or `units` (a list of ids), "
                             "not both and not neither")
        return self

    @property
    def moved(self) -> list[str]:
        return [self.unit] if self.unit is not None else list(self.units)


class Merge(_Strict):
    """Units of one kind into one: the first (or ``into``) is kept and takes the others' place."""

    units: list[Identifier] = Field(min_length=2)
    into: Identifier | None = Field(default=None, description="The unit kept (default: the first).")
    name: Name | None = Field(default=None, description="A new name for the merged unit.")

    @model_validator(mode="after")
    def _kept_is_merged(self) -> Merge:
        if len(set(self.units)) != len(self.units):
            raise ValueError("a unit is listed twice in `units`; list each unit once")
        if self.into is not None and self.into not in self.units:
            raise ValueError(f"`into` is {self.into!r}, which is not one of `units`; expected one of "
                             + ", ".join(self.units))
        return self

    @property
    def kept(self) -> str:
        return self.into if self.into is not None else self.units[0]


class NewUnit(_Strict):
    """The unit a split makes: its id and name (everything else is copied from the unit split)."""

    id: Identifier
    name: Name


class Split(_Strict):
    """Part of a unit into a new unit: some ``areas`` of its footprint, or some of its ``members``."""

    unit: Identifier
    new: NewUnit
    areas: list[Identifier] = Field(default_factory=list)
    members: list[Identifier] = Field(default_factory=list)
    copy_links: bool = Field(default=False,
                             description="Give the new unit a copy of each of the unit's links.")

    @model_validator(mode="after")
    def _one_way(self) -> Split:
        if bool(self.areas) == bool(self.members):
            raise ValueError("give either `areas` (of the unit's footprint) or `members` (units it contains) "
                             "for the new unit, not both and not neither")
        return self


class SetLevel(_Strict):
    """A link's level, target level, facets or mechanisms; only what is given changes."""

    link: Identifier
    level: Level | None = None
    target_level: Level | None = None
    facets: Facets | None = None
    mechanisms: list[Mechanism] | None = None

    @model_validator(mode="after")
    def _something(self) -> SetLevel:
        if not self.model_fields_set - {"link"}:
            raise ValueError("nothing to change; give `level`, `target_level`, `facets` or `mechanisms`")
        if "level" in self.model_fields_set and self.level is None:
            raise ValueError("`level` cannot be cleared; every link has a level")
        return self


class AddLink(_Strict):
    """A new link, with the fields of a link in a site file (the id is made when not given)."""

    id: Identifier | None = None
    source: Identifier
    target: Identifier
    level: Level
    target_level: Level | None = None
    facets: Facets = Field(default_factory=Facets)
    mechanisms: list[Mechanism] = Field(default_factory=list)
    notes: str = ""


class Remove(_Strict):
    """A unit (with its links; it must contain no units) or a link."""

    unit: Identifier | None = None
    link: Identifier | None = None

    @model_validator(mode="after")
    def _one(self) -> Remove:
        if (self.unit is None) == (self.link is None):
            raise ValueError("give either `unit` or `link` to remove, not both and not neither")
        return self


def _edit_kind(value: Any) -> str | None:
    if isinstance(value, Mapping) and len(value) == 1:
        key = next(iter(value))
        return key if key in EDIT_KINDS else None
    if isinstance(value, BaseModel):
        return next(iter(value.model_fields_set), None)
    return None


class _MoveEdit(_Strict):
    move: Move


class _MergeEdit(_Strict):
    merge: Merge


class _SplitEdit(_Strict):
    split: Split


class _SetLevelEdit(_Strict):
    set_level: SetLevel


class _AddLinkEdit(_Strict):
    add_link: AddLink


class _RemoveEdit(_Strict):
    remove: Remove


Edit = Annotated[
    Annotated[_MoveEdit, Tag("move")] | Annotated[_MergeEdit, Tag("merge")]
    | Annotated[_SplitEdit, Tag("split")] | Annotated[_SetLevelEdit, Tag("set_level")]
    | Annotated[_AddLinkEdit, Tag("add_link")] | Annotated[_RemoveEdit, Tag("remove")],
    Discriminator(_edit_kind, custom_error_type="edit_kind",
                  custom_error_message="expected one edit: a mapping with one key, one of "
                                       + ", ".join(EDIT_KINDS)),
]


class Scenario(_Strict):
    """A named list of edits to try on a site.

    Examples
    --------
    >>> scenario = validate_scenario({"name": "Join up the south",
    ...     "edits": [{"move": {"units": ["p11", "p12"], "to": "pcn-south"}}]})
    >>> scenario.name, scenario.kinds()
    ('Join up the south', ['move'])
    """

    name: Name
    description: str = ""
    site: Identifier | None = Field(default=None, description="The id of the site it is written for.")
    edits: list[Edit] = Field(min_length=1)

    _text: str | None = PrivateAttr(default=None)
    _source: str | None = PrivateAttr(default=None)

    def kinds(self) -> list[str]:
        """Each edit's kind, in order."""
        return [next(iter(type(step).model_fields)) for step in self.edits]

    def steps(self) -> list[tuple[str, BaseModel]]:
        """Each edit as (kind, its fields), in order."""
        return [(kind, getattr(step, kind)) for kind, step in zip(self.kinds(), self.edits)]

    def located(self, problems: Sequence[Problem], summary: str) -> SiteError:
        """A :class:`SiteError` naming the scenario's file and each problem's line, where known."""
        if self._text is not None:
            from .io.sitefile import line_of

            text = self._text
            problems = [Problem(p.loc, p.message, p.line if p.line is not None else line_of(text, "yaml", p.loc))
                        for p in problems]
        return SiteError(list(problems), source=self._source, summary=summary)


def validate_scenario(data: object, *, source: str | None = None, text: str | None = None) -> Scenario:
    """A :class:`Scenario` from plain data, or :class:`SiteError` listing every fault with its place.

    ``text`` is the file the data came from, to name each fault's line.

    Examples
    --------
    >>> try:
    ...     validate_scenario({"name": "x", "edits": [{"move": {"unit": "p1"}}, {"swap": {}}]})
    ... except SiteError as err:
    ...     print(err)
    is not a valid scenario (2 problems)
      - edits[0].move.to: required field is missing
      - edits[1]: expected one edit: a mapping with one key, one of move, merge, split, set_level, add_link, remove
    """
    if not isinstance(data, dict):
        raise SiteError([Problem((), "expected a mapping with `name` and `edits` at the top level, "
                                     f"got {type(data).__name__}")], source=source,
                        summary="is not a valid scenario")
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        problems = [Problem(_edit_loc(p.loc), p.message) for p in problems_from_validation(exc.errors())]
        holder = Scenario.model_construct(name="x", edits=[])
        holder._text, holder._source = text, source
        raise holder.located(problems, "is not a valid scenario") from None
    scenario._text, scenario._source = text, source
    return scenario


def _edit_loc(loc: Loc) -> Loc:
    """``edits.0.move.move.to`` (the union's tag, then the field) read as ``edits.0.move.to``."""
    parts = list(loc)
    if len(parts) >= 4 and parts[0] == "edits" and parts[2] == parts[3] and parts[2] in EDIT_KINDS:
        del parts[2]
    return tuple(parts)


# Applying --------------------------------------------------------------------------------


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
    changed: set[str] = set()
    for unit in after.units:
        old = old_u.get(unit.id)
        if old is None or old is unit or old == unit:
            continue
        changed.add(unit.id)
        if old.parent != unit.parent:
            # A unit whose members change changes too (a PCN a practice leaves or joins).
            changed.update(p for p in (old.parent, unit.parent) if p is not None)
    changed.update(u.parent for u in before.units if u.id not in new_u and u.parent is not None)
    changed.update(u.parent for u in after.units if u.id not in old_u and u.parent is not None)
    return Applied(
        site=after,
        changed_units=sorted(u for u in changed if u in old_u and u in new_u),
        added_units=sorted(u for u in new_u if u not in old_u),
        removed_units=sorted(u for u in old_u if u not in new_u),
        changed_links=sorted(lk.id for lk in after.links if lk.id in old_l and old_l[lk.id] is not lk
                             and old_l[lk.id] != lk),
        added_links=sorted(lk for lk in new_l if lk not in old_l),
        removed_links=sorted(lk for lk in old_l if lk not in new_l))


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
    data = {name: getattr(site, name) for name in Site.model_fields}
    data.update(units=units, links=links)
    try:
        return Site.model_validate(data)
    except ValidationError as exc:
        raise SiteError(problems_from_validation(exc.errors()), summary="the change was not made") from None
