"""The IntegraMap domain model (pydantic v2): sites, units, links, areas."""

from .enums import (
    FACET_SCALES,
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
    OrderedStrEnum,
    OrgType,
    Sector,
    StrEnum,
    UnitKind,
)
from .errors import IntegrityError, Problem, SiteError, format_loc, problems_from_validation, short_repr
from .site import (
    FORMAT_VERSION,
    Area,
    Facets,
    Link,
    Position,
    Site,
    Source,
    Unit,
    UnitAttributes,
)

__all__ = [
    "FACET_SCALES", "FORMAT_VERSION", "HR", "IT", "AgeGroup", "Area", "Basis", "Clinical",
    "Estates", "Facets", "Finance", "Governance", "IntegrityError", "Level", "Link",
    "Management", "Mechanism", "OrderedStrEnum", "OrgType", "Position", "Problem", "Sector",
    "Site", "SiteError", "Source", "StrEnum", "Unit", "UnitAttributes", "UnitKind",
    "format_loc", "problems_from_validation", "short_repr", "validate_site",
]


def validate_site(data: object, source: str | None = None) -> Site:
    """Build a :class:`Site` from plain data, or raise :class:`SiteError` listing every fault.

    Examples
    --------
    >>> site = validate_site({"id": "s", "name": "S", "units": [{"id": "a", "name": "A", "kind": "team"}]})
    >>> len(site.units)
    1
    >>> try:
    ...     validate_site({"id": "s", "name": "S", "links": [
    ...         {"id": "l", "source": "x", "target": "y", "level": "interface"}]})
    ... except SiteError as err:
    ...     print(err)
    is not a valid site (2 problems)
      - links[0].source: unknown unit 'x'; expected the id of a unit in this site
      - links[0].target: unknown unit 'y'; expected the id of a unit in this site
    """
    from pydantic import ValidationError

    if not isinstance(data, dict):
        raise SiteError([Problem((), f"expected a mapping of site fields at the top level, "
                                     f"got {type(data).__name__}")], source=source)
    try:
        return Site.model_validate(data)
    except ValidationError as exc:
        problems = problems_from_validation(exc.errors())
    # The integrity validator only runs once every field is well typed: check references on the
    # raw data too, so a file's reference faults are not hidden behind its type faults.
    from .integrity import check_raw

    seen = {(p.loc, p.message) for p in problems}
    problems += [p for p in check_raw(data) if (p.loc, p.message) not in seen]
    raise SiteError(problems, source=source)
