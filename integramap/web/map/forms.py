"""The editor's forms as data: which fields, which widget, and how errors map to fields.

Dash-free, so the mapping from a unit or link to form values (and from a
:class:`~integramap.model.SiteError` to the message beside each field) is
tested without a browser. The values go to :mod:`integramap.edit` as the form
gives them; it accepts flat attributes and facets, blanks and comma lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from integramap.model import (
    FACET_SCALES,
    AgeGroup,
    Basis,
    Level,
    Link,
    Mechanism,
    OrgType,
    Sector,
    SiteError,
    Unit,
    UnitKind,
)
from integramap.wording import first_upper, in_words

GENERAL = "_general"
"""The error slot for problems that belong to no single field."""


@dataclass(frozen=True)
class FieldSpec:
    """One form field: its name (as :mod:`integramap.edit` knows it), label and widget.

    ``widget`` is ``text``, ``number``, ``textarea``, ``choice`` (one of
    ``choices``), ``multi`` (several of ``choices``) or ``unit`` (a unit of the
    site, filled in from the working copy).
    """

    name: str
    label: str
    widget: str = "text"
    choices: tuple[str, ...] = ()
    required: bool = False
    help: str = ""


def _choices(enum: type[Enum]) -> tuple[str, ...]:
    return tuple(str(m.value) for m in enum)


UNIT_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("name", "Name", required=True),
    FieldSpec("kind", "Kind", "choice", _choices(UnitKind), required=True),
    FieldSpec("parent", "Part of", "unit", help="The organisation, directorate or network it sits in."),
    FieldSpec("org_type", "Organisation type", "choice", _choices(OrgType), help="Organisations only."),
    FieldSpec("sectors", "Sectors", "multi", _choices(Sector)),
    FieldSpec("basis", "Basis", "choice", _choices(Basis)),
    FieldSpec("age_groups", "Age groups", "multi", _choices(AgeGroup)),
    FieldSpec("population_types", "Population types", help="Comma-separated, e.g. homeless, learning disability."),
    FieldSpec("functions", "Functions", help="Comma-separated, e.g. psychosis, frailty."),
    FieldSpec("employer", "Employer"),
    FieldSpec("it_system", "IT system"),
    FieldSpec("location", "Location", help="Building or site it works from."),
    FieldSpec("staff_count", "Staff", "number"),
    FieldSpec("code", "Code", help="An external code, e.g. an ODS code."),
    FieldSpec("description", "Description", "textarea"),
    FieldSpec("id", "Id", help="Left blank, one is made from the kind (team-3)."),
)

LINK_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("source", "From", "unit", required=True),
    FieldSpec("target", "To", "unit", required=True),
    FieldSpec("level", "Level now", "choice", _choices(Level), required=True),
    FieldSpec("target_level", "Target level", "choice", _choices(Level),
              help="What the site is working towards."),
    *(FieldSpec(name, first_upper(in_words(name)), "choice",
                _choices(scale)) for name, scale in FACET_SCALES.items()),
    FieldSpec("mechanisms", "Mechanisms", "multi", _choices(Mechanism)),
    FieldSpec("notes", "Notes", "textarea"),
    FieldSpec("id", "Id", help="Left blank, one is made for you."),
)


def choice_label(value: str) -> str:
    """A choice as a person reads it.

    Examples
    --------
    >>> choice_label("pooled_management")
    'pooled management'
    """
    return in_words(value)


def _form_value(value: Any, spec: FieldSpec) -> Any:
    if value is None:
        return [] if spec.widget == "multi" else None
    if spec.widget == "multi":
        return [str(v) for v in value]
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, Enum):
        return str(value.value)
    return value


def unit_values(unit: Unit) -> dict[str, Any]:
    """A unit's fields as the unit form shows them.

    Examples
    --------
    >>> u = Unit(id="t", name="Team", kind="team", sectors=["mental_health"], functions=["psychosis", "crisis"])
    >>> v = unit_values(u)
    >>> v["kind"], v["sectors"], v["functions"], v["staff_count"]
    ('team', ['mental_health'], 'psychosis, crisis', None)
    """
    out: dict[str, Any] = {}
    attributes = unit.attributes.model_dump()
    for spec in UNIT_FIELDS:
        raw = attributes.get(spec.name) if spec.name in attributes else getattr(unit, spec.name)
        out[spec.name] = _form_value(raw, spec)
    return out


def link_values(link: Link) -> dict[str, Any]:
    """A link's fields as the link form shows them (facets flat beside the level).

    Examples
    --------
    >>> lk = Link(id="l", source="a", target="b", level="co_located", facets={"it": "separate"})
    >>> v = link_values(lk)
    >>> v["level"], v["it"], v["governance"], v["mechanisms"]
    ('co_located', 'separate', None, [])
    """
    out: dict[str, Any] = {}
    for spec in LINK_FIELDS:
        raw = getattr(link.facets, spec.name) if spec.name in FACET_SCALES else getattr(link, spec.name)
        out[spec.name] = _form_value(raw, spec)
    return out


def errors_by_field(err: SiteError, fields: tuple[FieldSpec, ...]) -> dict[str, list[str]]:
    """Each problem's message under the form field it names; others under :data:`GENERAL`.

    Examples
    --------
    >>> from integramap.model import Problem
    >>> err = SiteError([Problem(("name",), "a name is required"), Problem(("units", 3), "odd")])
    >>> errors_by_field(err, UNIT_FIELDS)
    {'name': ['a name is required'], '_general': ['units[3]: odd']}
    """
    names = {spec.name for spec in fields}
    out: dict[str, list[str]] = {}
    for problem in err.problems:
        field = next((str(part) for part in problem.loc if str(part) in names), None)
        if field is not None:
            out.setdefault(field, []).append(problem.message)
        else:
            out.setdefault(GENERAL, []).append(str(problem))
    return out
