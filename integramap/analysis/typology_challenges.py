"""Structural challenges: links whose level their facets (or their units' facts) contradict.

A contradiction is not an error in the map. It is what the seeds call the
practical obstacles of integration — "IT and email systems, human resources
and contractual work, where teams and people are located" — and a site
needs to see each one named, with the units involved.

Each rule looks at the link's recorded facets first. Where a facet is not
recorded, the units' own attributes stand in as evidence: two ends with
different recorded IT systems are on separate IT, at different recorded
locations on separate sites, with different recorded employers under
separate HR.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

from ..model import HR, IT, Estates, Finance, Governance, Level, Link, Management, Site
from .typology_terms import unit_label


class StructuralChallenge(BaseModel):
    """One link whose level is contradicted, with the rule it broke and why that matters."""

    model_config = ConfigDict(frozen=True)

    rule: str
    link: str
    source: str
    target: str
    level: Level
    evidence: str
    explanation: str


@dataclass(frozen=True)
class _Rule:
    name: str
    applies: Callable[[Link], bool]
    facet: str
    separate: object
    attribute: str | None
    claim: str
    consequence: str


def _at_least(level: Level) -> Callable[[Link], bool]:
    return lambda link: link.level >= level


def _exactly(level: Level) -> Callable[[Link], bool]:
    return lambda link: link.level == level


def _merged_governance(link: Link) -> bool:
    return link.level >= Level.MERGED_GOVERNANCE or link.facets.governance == Governance.MERGED_BOARD


def _fully_merged(link: Link) -> bool:
    return link.level == Level.FULLY_MERGED


RULES: tuple[_Rule, ...] = (
    _Rule("pooled_management_on_separate_it", _at_least(Level.POOLED_MANAGEMENT), "it", IT.SEPARATE,
          "it_system", "are joined at {level}",
          "managers cannot see one caseload or one record, so staff re-key information and "
          "work around two systems"),
    _Rule("merged_team_on_separate_sites", _fully_merged, "estates", Estates.SEPARATE, "location",
          "are one team under single management (fully merged)",
          "a merged team that never shares a base keeps two cultures and two ways of working"),
    _Rule("merged_governance_with_separate_finance", _merged_governance, "finance", Finance.SEPARATE,
          None, "have merged governance",
          "a joint board without pooled or aligned money cannot move resources to where the "
          "joint plan needs them"),
    _Rule("merged_team_without_single_management", _fully_merged, "management", None, None,
          "are one team under single management (fully merged)",
          "staff still answer to separate managers, so decisions and priorities are negotiated "
          "rather than made"),
    _Rule("merged_team_with_separate_hr", _fully_merged, "hr", HR.SEPARATE, "employer",
          "are one team under single management (fully merged)",
          "colleagues doing the same job keep different contracts, terms and policies"),
    _Rule("co_located_on_separate_sites", _exactly(Level.CO_LOCATED), "estates", Estates.SEPARATE,
          "location", "are co-located",
          "the benefit claimed for co-location (corridor conversations, shared space) is not there"),
)
"""The rules, in the order they are reported. ``merged_team_without_single_management``
fires on any recorded management facet below ``single``."""

RULE_NAMES: tuple[str, ...] = tuple(r.name for r in RULES)


def structural_challenges(site: Site) -> list[StructuralChallenge]:
    """Every link whose level its facets or its units' attributes contradict, in link order.

    Examples
    --------
    >>> from integramap.model import Site, Unit, Link
    >>> site = Site(id="s", name="S", units=[
    ...     Unit(id="a", name="Adult MH", kind="team"), Unit(id="b", name="Social work", kind="team")],
    ...     links=[Link(id="l1", source="a", target="b", level="fully_merged",
    ...                 facets={"estates": "separate"})])
    >>> [(c.rule, c.link) for c in structural_challenges(site)]
    [('merged_team_on_separate_sites', 'l1')]
    """
    out: list[StructuralChallenge] = []
    for link in site.links:
        for rule in RULES:
            if not rule.applies(link):
                continue
            evidence = _evidence(site, link, rule)
            if evidence is None:
                continue
            claim = rule.claim.format(level=link.level.label)
            a, b = unit_label(site, link.source), unit_label(site, link.target)
            out.append(StructuralChallenge(
                rule=rule.name, link=link.id, source=link.source, target=link.target, level=link.level,
                evidence=evidence,
                explanation=f"{a} and {b} {claim}, but {evidence}: {rule.consequence}.",
            ))
    return out


def _evidence(site: Site, link: Link, rule: _Rule) -> str | None:
    """Why the rule fires for this link, in words, or ``None`` when it does not.

    The recorded facet decides; the units' attributes are consulted only where the
    facet is not recorded (a link recording HR as harmonised has dealt with its two
    employers, so their differing is no challenge).
    """
    value = getattr(link.facets, rule.facet)
    if rule.name == "merged_team_without_single_management":
        if value is not None and value < Management.SINGLE:
            return f"management is recorded as {value.label}"
        return None
    if value is not None:
        facet = {"it": "IT", "hr": "HR"}.get(rule.facet, rule.facet)
        return f"{facet} is recorded as {value.label}" if value == rule.separate else None
    if rule.attribute is None:
        return None
    ends = [getattr(site.units_by_id[uid].attributes, rule.attribute) for uid in (link.source, link.target)]
    if ends[0] and ends[1] and ends[0].strip().casefold() != ends[1].strip().casefold():
        what = {"it_system": "IT systems", "location": "locations", "employer": "employers"}[rule.attribute]
        return f"their recorded {what} differ ({ends[0]} / {ends[1]})"
    return None
