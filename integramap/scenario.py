"""What-if scenarios: a named list of edits, tried on a copy of a site.

A scenario is written in the map editor's own vocabulary::

    name: Riverbend's southern practices join Fenwick and Southgate
    edits:
      - move: {units: [p11, p12], to: pcn-south}
      - set_level: {link: lcn-south-pcn-south, level: closer_working}

Six kinds of edit: ``move`` (units to another parent), ``merge`` (units into
one), ``split`` (part of a unit's footprint, or some of its members, into a
new unit), ``set_level`` (a link's level, target, facets or mechanisms),
``add_link`` and ``remove`` (a unit or a link).
:func:`~integramap.scenario_edits.apply_scenario` applies
them in order to the site it is given and returns a new validated site; the
site given is never changed (sites are immutable), so a stored revision is
never touched by trying a scenario on it.

Reading a scenario file (:mod:`integramap.io.scenariofile`) checks the shape
of every edit; applying it (:mod:`integramap.scenario_edits`) checks what
only the site can tell (that the units exist, that a move makes no loop).
Either way a fault is reported as a :class:`~integramap.model.SiteError`
whose problems are located at the edit and its field (``edits[0].move.to``),
with the file line when the scenario came from a file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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

from .model import Facets, Level, Mechanism, Problem, SiteError, problems_from_validation
from .model.errors import Loc
from .model.site import Identifier, Name

__all__ = [
    "EDIT_KINDS", "AddLink", "Merge", "Move", "NewUnit", "Remove", "Scenario", "SetLevel", "Split",
    "validate_scenario",
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
            problems = [Problem(p.loc, p.message, p.line if p.line is not None else line_of(text, p.loc))
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
