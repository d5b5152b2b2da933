"""The site model: areas, units and the integration links between them.

A :class:`Site` is always valid once built: structure is checked field by
field by pydantic, and cross-references (unknown ids, cycles, footprints…) by
:func:`integramap.model.integrity.check_site`, every fault collected before
anything is raised.
"""

from __future__ import annotations

import unicodedata
from functools import cached_property
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from .enums import (
    HR,
    IT,
    AgeGroup,
    Basis,
    Clinical,
    Estates,
    Finance,
    Governance,
    Level,
    Management,
    Mechanism,
    OrgType,
    Sector,
    UnitKind,
)

FORMAT_VERSION = 1

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:\-]*$"
ID_MAX_LENGTH = 120
NAME_MAX_LENGTH = 300

Identifier = Annotated[str, StringConstraints(min_length=1, max_length=ID_MAX_LENGTH, pattern=ID_PATTERN)]
"""Ids are codes, not prose: letters, digits and ``_ . : -``, starting with a letter or digit."""

_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_TEXT_CONTROLS_ALLOWED = frozenset("\t\n\r")


def _one_line(value: str) -> str:
    """A name or tag: one line of text, no control characters, no hidden bidirectional overrides.

    Such characters are invisible where a name is shown, reorder its letters on screen, clear a
    terminal (an escape code) or end a spreadsheet row: there is no name they belong in.

    Examples
    --------
    >>> _one_line("Team\\x1b[2J")
    Traceback (most recent call last):
    ...
    ValueError: holds a control character (U+001B) at character 5; a name is one line of plain text
    """
    for i, ch in enumerate(value):
        if ch in _BIDI_CONTROLS or unicodedata.category(ch) in ("Cc", "Zl", "Zp"):
            what = "bidirectional control" if ch in _BIDI_CONTROLS else "control"
            raise ValueError(f"holds a {what} character (U+{ord(ch):04X}) at character {i + 1}; "
                             "a name is one line of plain text")
    return value


def _plain_text(value: str) -> str:
    """Free text (descriptions, notes): line breaks and tabs kept, other control characters refused.

    XML (Word, GraphML, GEXF) cannot hold them, and exports would have to drop them silently.

    Examples
    --------
    >>> _plain_text("Weekly meeting\\r\\nsecond line")
    'Weekly meeting\\r\\nsecond line'
    """
    for i, ch in enumerate(value):
        if (unicodedata.category(ch) == "Cc" and ch not in _TEXT_CONTROLS_ALLOWED) or ch in "\ufffe\uffff":
            raise ValueError(f"holds a control character (U+{ord(ch):04X}) at character {i + 1}; "
                             "expected plain text")
    return value


Name = Annotated[str, StringConstraints(min_length=1, max_length=NAME_MAX_LENGTH, strip_whitespace=True),
                 AfterValidator(_one_line)]
Tag = Annotated[str, StringConstraints(min_length=1, max_length=120, strip_whitespace=True),
                AfterValidator(_one_line)]
Text = Annotated[str, AfterValidator(_plain_text)]
"""Free text: line breaks kept, no other control characters."""
OptionalText = Annotated[str | None, AfterValidator(lambda v: None if v is None else _plain_text(v))]
Weight = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]


class _Strict(BaseModel):
    """Unknown fields are errors: a misspelt key must never be silently dropped."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)


class Position(_Strict):
    """Where a unit sits on the map, in the map's own coordinates."""

    x: float = Field(allow_inf_nan=False)
    y: float = Field(allow_inf_nan=False)


class UnitAttributes(_Strict):
    """Optional facts about a unit that analyses use to test a link's claims."""

    employer: OptionalText = None
    it_system: OptionalText = None
    location: OptionalText = Field(default=None, description="Building or site the unit works from.")
    staff_count: int | None = Field(default=None, ge=0)
    code: OptionalText = Field(default=None, description="An external code, e.g. an ODS code.")
    position: Position | None = None


class Unit(_Strict):
    """A node: an organisation, directorate, team, network, practice, hub, place or system."""

    id: Identifier
    name: Name
    kind: UnitKind
    org_type: OrgType | None = Field(default=None, description="Only for organisations.")
    sectors: list[Sector] = Field(default_factory=list)
    parent: Identifier | None = None
    basis: Basis | None = None
    age_groups: list[AgeGroup] = Field(default_factory=list)
    population_types: list[Tag] = Field(
        default_factory=list, description="Free tags, e.g. 'homeless', 'learning disability'."
    )
    functions: list[Tag] = Field(default_factory=list, description="e.g. 'psychosis', 'frailty'.")
    footprint: dict[Identifier, Weight] = Field(
        default_factory=dict, description="Area id → share of that area's population covered."
    )
    attributes: UnitAttributes = Field(default_factory=UnitAttributes)
    description: Text = ""


class Facets(_Strict):
    """How two units are joined, each on its own ordered scale; ``None`` means not recorded."""

    governance: Governance | None = None
    finance: Finance | None = None
    management: Management | None = None
    hr: HR | None = None
    it: IT | None = None
    estates: Estates | None = None
    clinical: Clinical | None = None

    def recorded(self) -> dict[str, Any]:
        """The facets that have a value, by name."""
        return {k: v for k, v in self if v is not None}


class Link(_Strict):
    """An integration link between two units.

    ``level`` is what is in place now; ``target_level`` what the site is
    working towards (Ahgren & Axelsson's optimum beside the actual).
    """

    id: Identifier
    source: Identifier
    target: Identifier
    level: Level
    target_level: Level | None = None
    facets: Facets = Field(default_factory=Facets)
    mechanisms: list[Mechanism] = Field(default_factory=list)
    notes: Text = ""


class Area(_Strict):
    """A geographic (or list-based) building block with a population."""

    id: Identifier
    name: Text = ""
    population: float | None = Field(default=None, ge=0.0, allow_inf_nan=False)
    codes: dict[Text, Text] = Field(
        default_factory=dict, description="Parent geography codes, e.g. {'lad': 'E09000022'}."
    )
    geometry: OptionalText = Field(
        default=None, description="Reference to the area's shape: 'file.geojson#FEATURE_ID'."
    )

    @property
    def weight_population(self) -> float:
        """The population used in overlaps: 1 where unknown (DESIGN.md)."""
        return 1.0 if self.population is None else self.population


class Source(_Strict):
    """Where a site's facts came from."""

    title: Text = ""
    publisher: Text = ""
    url: Text = ""
    licence: Text = ""
    date: Text = ""
    notes: Text = ""


class Site(_Strict):
    """One area's integration model: areas, units and links.

    Examples
    --------
    >>> site = Site(id="demo", name="Demo", units=[
    ...     Unit(id="t1", name="Team one", kind="team"),
    ...     Unit(id="t2", name="Team two", kind="team")],
    ...     links=[Link(id="l1", source="t1", target="t2", level="co_located")])
    >>> site.unit("t1").name
    'Team one'
    >>> Site(id="bad", name="Bad", links=[Link(id="l1", source="a", target="b", level="interface")])
    Traceback (most recent call last):
    ...
    pydantic_core._pydantic_core.ValidationError: 1 validation error for Site
    ...
    """

    format_version: int = Field(default=FORMAT_VERSION, ge=1, le=FORMAT_VERSION)
    id: Identifier
    name: Name
    description: Text = ""
    source: Source = Field(default_factory=Source)
    areas: list[Area] = Field(default_factory=list)
    units: list[Unit] = Field(default_factory=list)
    links: list[Link] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check_integrity(self) -> "Site":
        from .integrity import IntegrityError, check_site

        problems = check_site(self)
        if problems:
            raise IntegrityError(problems)
        return self

    # Lookups are cached: a Site is frozen, so the indexes can never go stale.
    @cached_property
    def units_by_id(self) -> dict[str, Unit]:
        return {u.id: u for u in self.units}

    @cached_property
    def links_by_id(self) -> dict[str, Link]:
        return {lk.id: lk for lk in self.links}

    @cached_property
    def areas_by_id(self) -> dict[str, Area]:
        return {a.id: a for a in self.areas}

    @cached_property
    def children_by_id(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for u in self.units:
            if u.parent is not None:
                out.setdefault(u.parent, []).append(u.id)
        return out

    def unit(self, unit_id: str) -> Unit:
        """The unit with this id; ``KeyError`` naming the id when there is none."""
        try:
            return self.units_by_id[unit_id]
        except KeyError:
            raise KeyError(f"no unit {unit_id!r} in site {self.id!r}") from None

    def link(self, link_id: str) -> Link:
        """The link with this id; ``KeyError`` naming the id when there is none."""
        try:
            return self.links_by_id[link_id]
        except KeyError:
            raise KeyError(f"no link {link_id!r} in site {self.id!r}") from None

    def ancestors(self, unit_id: str) -> list[str]:
        """Parent, grandparent… of a unit, nearest first."""
        out: list[str] = []
        seen = {unit_id}  # a set beside the list: a deep chain is walked once, not once a step
        current = self.units_by_id[unit_id].parent
        while current is not None and current not in seen:
            out.append(current)
            seen.add(current)
            parent_unit = self.units_by_id.get(current)
            current = parent_unit.parent if parent_unit else None
        return out

    def descendants(self, unit_id: str) -> list[str]:
        """Every unit below this one in the parent tree, breadth first."""
        out: list[str] = []
        frontier = list(self.children_by_id.get(unit_id, []))
        while frontier:
            out.extend(frontier)
            frontier = [c for f in frontier for c in self.children_by_id.get(f, [])]
        return out

    def organisation_of(self, unit_id: str) -> str | None:
        """The nearest organisation at or above a unit, or ``None``."""
        for uid in [unit_id, *self.ancestors(unit_id)]:
            if self.units_by_id[uid].kind is UnitKind.ORGANISATION:
                return uid
        return None

    def replace(self, **changes: Any) -> "Site":
        """A new, re-validated site with some top-level fields replaced."""
        data = self.model_dump(mode="python", round_trip=True)
        data.update(changes)
        return Site.model_validate(data)
