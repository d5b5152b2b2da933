"""Building model objects from values an importer has already checked.

Validating a national site field by field (tens of thousands of units, areas
and footprint entries) costs far more than reading the files it came from.
An importer that has checked its values itself builds the objects with
:func:`construct` and then proves the whole with :func:`check_trusted`: the
same constraints pydantic would apply to the fields it filled, and the site's
integrity checks. Only where that finds a fault does it pay for full
validation, which then reports the fault exactly as for any other file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar, cast

from pydantic import BaseModel

from .errors import Problem
from .integrity import check_site
from .site import ID_MAX_LENGTH, ID_PATTERN, NAME_MAX_LENGTH, Site

__all__ = ["construct", "check_trusted", "is_identifier", "is_name"]

M = TypeVar("M", bound=BaseModel)

_IDENTIFIER = re.compile(ID_PATTERN)


@dataclass(frozen=True)
class _Recipe:
    fields: frozenset[str]
    defaults: tuple[tuple[str, Any, Callable[[], Any] | None], ...]
    plain: bool
    """Whether the model is plain fields only: no extras, private attributes or post-init hook."""


@cache
def _recipe(cls: type[BaseModel]) -> _Recipe:
    defaults: list[tuple[str, Any, Callable[[], Any] | None]] = []
    for name, info in cls.model_fields.items():
        if info.default_factory_takes_validated_data:
            raise TypeError(f"{cls.__name__}.{name}: a default factory taking data cannot be trusted")
        factory = cast("Callable[[], Any] | None", info.default_factory)
        defaults.append((name, None if factory is not None else info.default, factory))
    plain = (cls.model_config.get("extra") != "allow" and not cls.__private_attributes__
             and cls.__pydantic_post_init__ is None)
    return _Recipe(frozenset(cls.model_fields), tuple(defaults), plain)


def construct(cls: type[M], **values: Any) -> M:
    """A model built from values known to be valid, with defaults for the rest, unvalidated.

    What ``model_construct`` does, at a fraction of its cost for a plain model
    (pydantic inspects every default factory's signature on every call, which
    dominated building thousands of units). Fields given count as set, as in
    validation; a name that is not a field is an error.

    Examples
    --------
    >>> from integramap.model import Unit, UnitKind
    >>> unit = construct(Unit, id="A81001", name="The Densham Surgery", kind=UnitKind.PRACTICE)
    >>> unit == Unit(id="A81001", name="The Densham Surgery", kind="practice"), sorted(unit.model_fields_set)
    (True, ['id', 'kind', 'name'])
    >>> construct(Unit, id="x", nmae="X")
    Traceback (most recent call last):
    ...
    TypeError: Unit has no field nmae
    """
    recipe = _recipe(cls)
    given = set(values)
    if not given <= recipe.fields:
        raise TypeError(f"{cls.__name__} has no field {', '.join(sorted(given - recipe.fields))}")
    for name, default, factory in recipe.defaults:
        if name not in values:
            values[name] = factory() if factory is not None else default
    if not recipe.plain:
        return cls.model_construct(_fields_set=given, **values)
    model = cls.__new__(cls)
    # The attributes pydantic's own model_construct sets on a plain model.
    _set(model, "__dict__", values)
    _set(model, "__pydantic_fields_set__", given)
    _set(model, "__pydantic_extra__", None)
    _set(model, "__pydantic_private__", None)
    return model


_set = object.__setattr__


def is_identifier(value: str) -> bool:
    """Whether a string is a valid id (letters, digits and ``_ . : -``, at most 120).

    Examples
    --------
    >>> is_identifier("LOC:72Q"), is_identifier("list:A81001"), is_identifier("72 Q"), is_identifier("")
    (True, True, False, False)
    """
    return 0 < len(value) <= ID_MAX_LENGTH and _IDENTIFIER.fullmatch(value) is not None


def is_name(value: str) -> bool:
    """Whether a string is a valid unit or site name as stored (stripped, 1 to 300 characters).

    Examples
    --------
    >>> is_name("Croxted PCN"), is_name(" Croxted PCN"), is_name("")
    (True, False, False)
    """
    return 0 < len(value) <= NAME_MAX_LENGTH and value == value.strip()


def check_trusted(site: Site, ids: Iterable[str], names: Iterable[str]) -> list[Problem]:
    """Faults in a constructed site: bad ids or names among those given, then integrity.

    ``ids`` and ``names`` are the values the importer took from its files
    (values it made up itself need no check). An empty list means the site is
    as valid as validation would have made it. A non-empty list is a signal to
    validate in full for exact locations, not a report in itself.

    Examples
    --------
    >>> from integramap.model import Unit, UnitKind
    >>> site = construct(Site, id="s", name="S", units=[
    ...     construct(Unit, id="a", name="A", kind=UnitKind.TEAM, parent="zz")])
    >>> [str(p) for p in check_trusted(site, ["a"], ["A"])]
    ["units[0].parent: unknown unit 'zz'; expected the id of a unit in this site"]
    >>> [p.message for p in check_trusted(site, ["a b"], [])]
    ["invalid id 'a b'"]
    """
    bad_ids = [i for i in ids if not is_identifier(i)]
    bad_names = [n for n in names if not is_name(n)]
    if bad_ids or bad_names:
        return ([Problem((), f"invalid id {i!r}") for i in bad_ids[:10]]
                + [Problem((), f"invalid name {n!r}") for n in bad_names[:10]])
    return check_site(site)
