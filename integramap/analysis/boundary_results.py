"""The results of a boundary check, as pydantic models carrying names beside ids.

Shares are fractions (0–1); populations are people where the site's areas give
a population, and otherwise counts of areas (an area of unknown population
counts as 1, DESIGN.md).
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "BoundaryCounts", "BoundaryReport", "Coterminosity", "DoubleCover", "Gap", "LayerUnit", "NestingViolation",
    "Overlap", "OverlapMatrix", "Partner", "Straddle", "UnitRef", "UnmanagedInterface",
]


class _Result(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Coterminosity(_Result):
    """How far layer A lies inside layer B, as the two figures DESIGN.md names, never one alone.

    ``people`` weighs each unit of A by the people it shares with B; ``units``
    counts units. They differ a lot in practice: an ICB can have 80 % of people
    in their PCN's main district while only 36 % of its PCNs lie within one
    district. Both are ``None`` where A and B share no people.
    """

    PEOPLE_DEFINITION: ClassVar[str] = (
        "people: the share of the people in each unit who are also in that unit's main partner "
        "(Σ over units of the largest overlap ÷ Σ of all overlaps); 100% means every unit lies inside one")
    UNITS_DEFINITION: ClassVar[str] = (
        "units: the share of units (of those that meet the other layer at all) whose people all lie "
        "within a single unit of the other layer")

    layer_a: str
    layer_b: str
    people: float | None = Field(description="Σ_U max_V O(U,V) / Σ_U Σ_V O(U,V); None: no shared people.")
    units: float | None = Field(description="Share of A's units meeting B that meet only one unit of B.")
    units_within: int = Field(description="Units of A meeting exactly one unit of B.")
    units_meeting: int = Field(description="Units of A sharing people with any unit of B.")


class UnitRef(_Result):
    """A unit named, with the population of its effective footprint."""

    id: str
    name: str
    population: float


class LayerUnit(UnitRef):
    """A unit of a named layer (for lists that mix two layers)."""

    layer: str


class Overlap(_Result):
    """The population two units share: ``O(a, b)``, and what share of each it is."""

    a: str
    a_name: str
    b: str
    b_name: str
    population: float
    share_of_a: float
    share_of_b: float


class OverlapMatrix(_Result):
    """The population-weighted overlap of two layers, as its non-zero entries."""

    layer_a: str
    layer_b: str
    units_a: list[UnitRef]
    units_b: list[UnitRef]
    overlaps: list[Overlap] = Field(description="Non-zero entries, by a's id, largest first.")

    def value(self, a: str, b: str) -> float:
        """``O(a, b)``; 0 where the two share no population."""
        for entry in self.overlaps:
            if entry.a == a and entry.b == b:
                return entry.population
        return 0.0

    def to_dict(self) -> dict[str, dict[str, float]]:
        """``{a_id: {b_id: population}}`` for every non-zero entry."""
        out: dict[str, dict[str, float]] = {}
        for entry in self.overlaps:
            out.setdefault(entry.a, {})[entry.b] = entry.population
        return out


class Partner(_Result):
    """One unit of the other layer that a straddling unit overlaps."""

    id: str
    name: str
    share: float
    population: float


class Straddle(_Result):
    """A unit overlapping two or more units of the other layer, with its split."""

    unit: str
    name: str
    population: float = Field(description="Σ of its overlaps with the other layer.")
    alignment: float = Field(description="The largest share: 1.0 would be fully inside one unit.")
    split: dict[str, float] = Field(description="{unit_id: share}, largest first; sums to 1.")
    partner_names: list[str] = Field(description="Names of the units it straddles, largest share first.")
    partners: list[Partner]


class Gap(_Result):
    """An area in scope that the layer's units do not (fully) cover."""

    layer: str
    area: str
    name: str
    population: float
    covered: float = Field(description="Total weight the layer's units give the area (0 = none).")
    uncovered_population: float
    within: list[str] = Field(default_factory=list, description="Units of the other layer covering it.")
    within_names: list[str] = Field(default_factory=list)


class DoubleCover(_Result):
    """An area two or more units of one layer cover with total weight above 1."""

    layer: str
    area: str
    name: str
    population: float
    total_weight: float
    excess_population: float = Field(description="pop × (total weight − 1): people counted twice.")
    units: dict[str, float] = Field(description="{unit_id: weight}, largest first.")
    unit_names: list[str]


class NestingViolation(_Result):
    """A unit whose effective footprint reaches outside its parent's."""

    unit: str
    name: str
    kind: str
    parent: str
    parent_name: str
    population: float
    outside_population: float
    outside_share: float
    outside_areas: int


class UnmanagedInterface(_Result):
    """Two units sharing population with no link between them or their ancestors."""

    a: str
    a_name: str
    b: str
    b_name: str
    population: float
    share: float = Field(description="The shared population as a share of the smaller unit's.")
    share_of_a: float
    share_of_b: float


class BoundaryCounts(_Result):
    """How many findings of each kind; ``mismatches`` is their total."""

    straddles: int
    gaps: int
    double_cover: int
    nesting_violations: int
    unmanaged_interfaces: int
    no_footprint: int
    mismatches: int


class BoundaryReport(_Result):
    """Every boundary finding for two layers of one site."""

    site: str
    site_name: str
    layer_a: str
    layer_b: str
    label_a: str
    label_b: str
    units_a: int
    units_b: int
    threshold: float
    population_known: bool = Field(description="False when no area has a population (counts are areas).")
    coterminosity: Coterminosity
    links_recorded: int = Field(default=0, description="Integration links in the site: with none, every "
                                "pair that shares people is unmanaged, which says nothing pair by pair.")
    counts: BoundaryCounts
    straddles: list[Straddle]
    gaps: list[Gap]
    double_cover: list[DoubleCover]
    nesting_violations: list[NestingViolation]
    unmanaged_interfaces: list[UnmanagedInterface]
    no_footprint: list[LayerUnit]
    overlaps: list[Overlap]
