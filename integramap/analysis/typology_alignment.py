"""The boundary-alignment part of the typology descriptor.

The layers that matter for integration are the primary care networks (PCNs),
the local care networks (LCNs) they should sit inside, and the local
authorities whose social care the LCNs work with. For each pair of those
layers that a site has, the boundary analysis gives the coterminosity and the
mismatches; the descriptor keeps the numbers and the names of the straddling
units.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ..model import OrgType, Site, UnitKind
from .boundary_results import UnmanagedInterface

LAYER_PAIRS: tuple[tuple[str, str], ...] = (("pcn", "lcn"), ("lcn", "local_authority"),
                                            ("pcn", "local_authority"))
"""Pairs compared, in this order. PCN with local authority is kept beside the two the
design names because where there are no LCNs it is the alignment that matters."""


class LayerAlignment(BaseModel):
    """How one layer lines up with another: coterminosity and the count of each mismatch."""

    model_config = ConfigDict(frozen=True)

    layers: tuple[str, str]
    coterminosity: float | None = Field(description="Coterminosity by people (Coterminosity.PEOPLE_DEFINITION).")
    coterminosity_units: float | None = Field(
        default=None, description="Coterminosity by units (Coterminosity.UNITS_DEFINITION).")
    straddles: int
    gaps: int
    double_cover: int
    nesting_violations: int
    unmanaged_interfaces: int
    straddling_units: list[str]

    @property
    def coterminosity_words(self) -> str:
        """Both coterminosity figures, named: ``coterminous by people 80%, by units 36%``."""
        if self.coterminosity is None:
            return "coterminosity not defined (no shared population)"
        units = "n/a" if self.coterminosity_units is None else f"{self.coterminosity_units:.0%}"
        return f"coterminous by people {self.coterminosity:.0%}, by units {units}"

    @property
    def mismatches(self) -> int:
        """Every mismatch found, of every kind."""
        return (self.straddles + self.gaps + self.double_cover + self.nesting_violations
                + self.unmanaged_interfaces)


class BoundaryAlignment(BaseModel):
    """Alignment of the layers that matter; ``available`` is false when it could not be computed."""

    model_config = ConfigDict(frozen=True)

    available: bool
    note: str
    pairs: list[LayerAlignment]
    lowest_coterminosity: float | None
    mismatches: int
    unmanaged: list[UnmanagedInterface] = Field(
        default_factory=list, description="Every pair of units (of INTERFACE_KINDS, teams with teams too) "
        "sharing people with no link managing their interface, most shared people first.")


INTERFACE_KINDS = ("team", "hub", "pcn", "lcn")
"""Units that run services day to day, so whose shared people make an interface to manage.
Practices sit inside their PCN's; directorates and organisations are reached through their
teams; places and systems are partnerships. Local authorities are added against PCNs and LCNs."""


def unmanaged_everywhere(site: Site) -> list[UnmanagedInterface]:
    """Every unmanaged interface between units of :data:`INTERFACE_KINDS` (and of PCNs and LCNs
    with local authorities), most shared people first.

    Examples
    --------
    >>> from integramap.model import Site, Unit, Area
    >>> site = Site(id="s", name="S", areas=[Area(id="x", population=10)], units=[
    ...     Unit(id="a", name="Memory team", kind="team", footprint={"x": 1}),
    ...     Unit(id="b", name="Frailty team", kind="team", footprint={"x": 1})])
    >>> [(m.a_name, m.b_name, m.population) for m in unmanaged_everywhere(site)]
    [('Memory team', 'Frailty team', 10.0)]
    """
    from .boundaries import unmanaged_interfaces

    present = [k for k in INTERFACE_KINDS if layer_present(site, k)]
    pairs = [(a, b) for i, a in enumerate(present) for b in present[i:]]
    if layer_present(site, "local_authority"):
        pairs += [(k, "local_authority") for k in ("pcn", "lcn") if k in present]
    seen: set[frozenset[str]] = set()
    out: list[UnmanagedInterface] = []
    for a, b in pairs:
        if True:
            for m in unmanaged_interfaces(site, a, b):
                key = frozenset((m.a, m.b))
                if key not in seen:
                    seen.add(key)
                    out.append(m)
    out.sort(key=lambda m: (-m.population, m.a_name, m.b_name))
    return out


def layer_present(site: Site, layer: str) -> bool:
    """Whether a site has any unit in a layer named by unit kind or org type.

    Examples
    --------
    >>> from integramap.model import Site, Unit
    >>> site = Site(id="s", name="S", units=[Unit(id="p", name="P", kind="pcn")])
    >>> layer_present(site, "pcn"), layer_present(site, "local_authority")
    (True, False)
    """
    return layer in _kinds_present(site)


def _kinds_present(site: Site) -> set[str]:
    """The unit kinds and org types a site has, by value: the few distinct members are turned into text,
    not every unit's (``str()`` on an enum is a Python-level call)."""
    return {str(w) for w in {u.kind for u in site.units} | {u.org_type for u in site.units} if w is not None}


def lowest_coterminosity(site: Site, reports: Mapping[tuple[str, str], Any] | None = None) -> float | None:
    """The lowest coterminosity of the layer pairs that matter, as :func:`boundary_alignment` gives it,
    without the rest of the boundary analysis (the typology code needs only this).

    Examples
    --------
    >>> from integramap.model import Site, Unit, Area
    >>> site = Site(id="s", name="S", areas=[Area(id="x", population=3), Area(id="y", population=1)],
    ...     units=[Unit(id="p", name="P", kind="pcn", footprint={"x": 1, "y": 1}),
    ...            Unit(id="l1", name="L1", kind="lcn", footprint={"x": 1}),
    ...            Unit(id="l2", name="L2", kind="lcn", footprint={"y": 1})])
    >>> lowest_coterminosity(site) == boundary_alignment(site).lowest_coterminosity == 0.75
    True
    """
    from .boundaries import coterminosity

    given = reports or {}
    present = _kinds_present(site)
    found = [given[pair].coterminosity.people if pair in given else coterminosity(site, *pair)
             for pair in LAYER_PAIRS if pair[0] in present and pair[1] in present]
    values = [round(float(c), 4) for c in found if c is not None]
    return min(values) if values else None


def boundary_alignment(site: Site, reports: Mapping[tuple[str, str], Any] | None = None) -> BoundaryAlignment:
    """Coterminosity and mismatch counts for each pair of layers the site has.

    ``reports`` may hold boundary reports of the site already made, by layer
    pair (``("pcn", "lcn")``), so that a caller which has them (a what-if
    comparing two sites) does not pay for them twice.

    Examples
    --------
    >>> from integramap.model import Site, Unit
    >>> boundary_alignment(Site(id="s", name="S", units=[Unit(id="p", name="P", kind="pcn")])).note
    'the site has PCNs only: no LCNs or local authorities to compare them with'
    """
    wanted = [pair for pair in LAYER_PAIRS if layer_present(site, pair[0]) and layer_present(site, pair[1])]
    if not wanted:
        have = [label for layer, label in (("pcn", "PCNs"), ("lcn", "LCNs"), ("local_authority", "local authorities"))
                if layer_present(site, layer)]
        # Only one of the three is present (any two would make a pair).
        others = [label for label in ("PCNs", "LCNs", "local authorities") if label not in have]
        note = ("the site has no PCN, LCN or local authority layers to compare" if not have else
                f"the site has {have[0]} only: no {' or '.join(others)} to compare them with")
        return BoundaryAlignment(available=True, pairs=[], lowest_coterminosity=None, mismatches=0,
                                 note=note, unmanaged=unmanaged_everywhere(site))
    try:
        # Imported here: boundary analysis is a sibling feature, and the rest of the
        # descriptor must not depend on it being installed.
        from .boundaries import analyse
    except ImportError:
        return BoundaryAlignment(available=False, pairs=[], lowest_coterminosity=None, mismatches=0,
                                 note="boundary analysis is not available in this installation")
    given = reports or {}
    pairs = [_alignment(site, a, b, given[(a, b)] if (a, b) in given else analyse(site, a, b))
             for a, b in wanted]
    coterms = [p.coterminosity for p in pairs if p.coterminosity is not None]
    return BoundaryAlignment(
        available=True, pairs=pairs, lowest_coterminosity=min(coterms) if coterms else None,
        # Nesting violations are of the whole parent tree, not of one pair: count them once.
        mismatches=sum(p.mismatches - p.nesting_violations for p in pairs)
        + max(p.nesting_violations for p in pairs),
        note="" if coterms else "no footprints overlap, so coterminosity cannot be measured",
        unmanaged=unmanaged_everywhere(site),
    )


def _alignment(site: Site, a: str, b: str, report: Any) -> LayerAlignment:
    figures = report.coterminosity
    return LayerAlignment(
        layers=(a, b),
        coterminosity=None if figures.people is None else round(float(figures.people), 4),
        coterminosity_units=None if figures.units is None else round(float(figures.units), 4),
        straddles=len(report.straddles), gaps=len(report.gaps), double_cover=len(report.double_cover),
        nesting_violations=len(report.nesting_violations),
        unmanaged_interfaces=len(report.unmanaged_interfaces),
        straddling_units=sorted({_unit_name(site, item) for item in report.straddles}),
    )


def _unit_name(site: Site, item: Any) -> str:
    """The name of the unit a straddle is about, whatever shape the boundary report gives it."""
    for attr in ("unit", "unit_id", "id"):
        value = getattr(item, attr, None)
        if isinstance(value, str):
            unit = site.units_by_id.get(value)
            name = unit.name if unit is not None else value
            partners = getattr(item, "partner_names", None)
            return f"{name} ({' / '.join(partners)})" if partners else name
    return str(item)
