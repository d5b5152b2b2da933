"""The controlled vocabularies of a site model.

Every enumeration is a ``str`` enum so that site files stay readable
(``level: co_located``) while the ordered scales (the integration level and
each facet) still compare by rank: ``Level.CO_LOCATED < Level.FULLY_MERGED``.
"""

from __future__ import annotations

from enum import Enum
from typing import Any


class StrEnum(str, Enum):
    """A string enum whose ``str()`` is its value, as written in site files."""

    def __str__(self) -> str:
        return str(self.value)

    @property
    def label(self) -> str:
        """The value in words, for people: ``pooled_management`` → ``pooled management``."""
        from ..wording import in_words  # the one place that knows "co-located" is hyphenated

        return in_words(self.value)


class OrderedStrEnum(StrEnum):
    """A string enum ordered by declaration: earlier members rank lower."""

    @property
    def rank(self) -> int:
        """Position on the scale, from 0 for the lowest."""
        return list(type(self)).index(self)

    # str defines every comparison alphabetically, so all four must be replaced.
    def __lt__(self, other: Any) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.rank < other.rank

    def __le__(self, other: Any) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.rank <= other.rank

    def __gt__(self, other: Any) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.rank > other.rank

    def __ge__(self, other: Any) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.rank >= other.rank

    def __hash__(self) -> int:
        return hash(self.value)

    def __eq__(self, other: object) -> bool:
        # Keep str equality (``Level.INTERFACE == "interface"``) as plain str enums have.
        return str.__eq__(self, other)


class UnitKind(StrEnum):
    SYSTEM = "system"
    PLACE = "place"
    ORGANISATION = "organisation"
    DIRECTORATE = "directorate"
    TEAM = "team"
    PCN = "pcn"
    LCN = "lcn"
    PRACTICE = "practice"
    HUB = "hub"


class OrgType(StrEnum):
    NHS_TRUST = "nhs_trust"
    LOCAL_AUTHORITY = "local_authority"
    GP_FEDERATION = "gp_federation"
    VOLUNTARY = "voluntary"
    INDEPENDENT = "independent"
    COMMISSIONER = "commissioner"


class Sector(StrEnum):
    PRIMARY_CARE = "primary_care"
    MENTAL_HEALTH = "mental_health"
    COMMUNITY_HEALTH = "community_health"
    ACUTE = "acute"
    SOCIAL_CARE = "social_care"
    PUBLIC_HEALTH = "public_health"
    COMMISSIONING = "commissioning"
    VOLUNTARY = "voluntary"
    INDEPENDENT = "independent"
    HOUSING = "housing"


class Basis(StrEnum):
    GEOGRAPHIC = "geographic"
    FUNCTIONAL = "functional"


class AgeGroup(StrEnum):
    CHILDREN = "children"
    ADULTS = "adults"
    OLDER_PEOPLE = "older_people"


class Level(OrderedStrEnum):
    """How closely a link joins two units, lowest to highest (DESIGN.md)."""

    INTERFACE = "interface"
    CLOSER_WORKING = "closer_working"
    CO_LOCATED = "co_located"
    POOLED_MANAGEMENT = "pooled_management"
    MERGED_GOVERNANCE = "merged_governance"
    FULLY_MERGED = "fully_merged"


class Governance(OrderedStrEnum):
    SEPARATE = "separate"
    JOINT_COMMITTEE = "joint_committee"
    MERGED_BOARD = "merged_board"


class Finance(OrderedStrEnum):
    SEPARATE = "separate"
    ALIGNED = "aligned"
    POOLED_BUDGET = "pooled_budget"
    SINGLE_BUDGET = "single_budget"


class Management(OrderedStrEnum):
    SEPARATE = "separate"
    JOINT = "joint"
    POOLED = "pooled"
    SINGLE = "single"


class HR(OrderedStrEnum):
    SEPARATE = "separate"
    HARMONISED = "harmonised"
    SINGLE_EMPLOYER = "single_employer"


class IT(OrderedStrEnum):
    SEPARATE = "separate"
    WORKAROUND = "workaround"
    SHARED_RECORD = "shared_record"
    SINGLE_SYSTEM = "single_system"


class Estates(OrderedStrEnum):
    SEPARATE = "separate"
    CO_LOCATED = "co_located"


class Clinical(OrderedStrEnum):
    REFERRAL = "referral"
    SINGLE_POINT_OF_ACCESS = "single_point_of_access"
    JOINT_ASSESSMENT = "joint_assessment"
    INTEGRATED_CASE_MANAGEMENT = "integrated_case_management"
    MERGED_TEAM = "merged_team"


class Mechanism(StrEnum):
    REFERRAL_ROUTE = "referral_route"
    SINGLE_POINT_OF_ACCESS = "single_point_of_access"
    INTERFACE_MEETING = "interface_meeting"
    INTEGRATED_CASE_MANAGEMENT = "integrated_case_management"
    SHARED_CARE_RECORD = "shared_care_record"
    JOINT_FUNDED_ROLE = "joint_funded_role"
    CARE_NAVIGATOR = "care_navigator"
    SHARED_TRAINING = "shared_training"


FACET_SCALES: dict[str, type[OrderedStrEnum]] = {
    "governance": Governance,
    "finance": Finance,
    "management": Management,
    "hr": HR,
    "it": IT,
    "estates": Estates,
    "clinical": Clinical,
}
"""Each facet's name and its ordered scale, in the order DESIGN.md lists them."""
