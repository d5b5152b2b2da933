"""Valentijn's Rainbow Model of Integrated Care: which types of integration a map shows, and why.

Valentijn et al. (2013) place integration at three levels — system (macro),
organisational and professional (meso), clinical (micro) — held together by
two enablers, functional (support functions: money, management,
information) and normative (shared values and culture). IntegraMap cannot
see values or culture; it can see the arrangements that carry them, so each
type is marked present only on explicit evidence in the map:

system
    a ``system`` or ``place`` unit with two or more organisations beneath it
    or joined by a link; or a link between different organisations at
    ``merged_governance`` or above (merged boards, pooled budgets).
organisational
    a link between different organisations at ``pooled_management`` or
    above, or with governance at ``joint_committee`` or above, or finance at
    ``pooled_budget`` or above.
professional
    a link between two teams, hubs or practices of different sectors at
    ``co_located`` or above; or an ``interface_meeting``,
    ``joint_funded_role`` or ``shared_training`` mechanism.
clinical
    a link with clinical facet ``single_point_of_access`` or above; or an
    ``integrated_case_management``, ``single_point_of_access`` or
    ``care_navigator`` mechanism.
functional enabler
    a link with IT at ``shared_record`` or above, finance ``pooled_budget``
    or above, HR ``harmonised`` or above or management ``pooled`` or above;
    or a ``shared_care_record`` mechanism.
normative enabler
    a ``shared_training`` or ``joint_funded_role`` mechanism (people trained
    or employed in common).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from pydantic import BaseModel, ConfigDict

from ..model import HR, IT, Clinical, Finance, Governance, Level, Link, Management, Mechanism, Site, UnitKind
from .typology_terms import link_label, unit_label, unit_sectors

RAINBOW_TYPES: tuple[str, ...] = ("system", "organisational", "professional", "clinical")
RAINBOW_ENABLERS: tuple[str, ...] = ("functional", "normative")
MAX_EVIDENCE = 10
"""Evidence listed per type; the count says how much more there is."""

_FRONT_LINE = {UnitKind.TEAM, UnitKind.HUB, UnitKind.PRACTICE}


class RainbowFinding(BaseModel):
    """Whether one Rainbow-model type or enabler is present, and the evidence found for it."""

    model_config = ConfigDict(frozen=True)

    present: bool
    evidence: list[str]
    evidence_count: int


def rainbow(site: Site) -> dict[str, RainbowFinding]:
    """Each Rainbow-model type, then each enabler, with the evidence found in the map.

    Examples
    --------
    >>> from integramap.model import Site, Unit, Link
    >>> site = Site(id="s", name="S", units=[
    ...     Unit(id="a", name="MH", kind="team", sectors=["mental_health"]),
    ...     Unit(id="b", name="GP", kind="practice")],
    ...     links=[Link(id="l1", source="a", target="b", level="interface",
    ...                 mechanisms=["single_point_of_access"])])
    >>> {name: f.present for name, f in rainbow(site).items()}  # doctest: +NORMALIZE_WHITESPACE
    {'system': False, 'organisational': False, 'professional': False, 'clinical': True,
     'functional': False, 'normative': False}
    >>> rainbow(site)["clinical"].evidence
    ['the link between MH and GP uses single point of access']
    """
    finders = {"system": _system, "organisational": _organisational, "professional": _professional,
               "clinical": _clinical, "functional": _functional, "normative": _normative}
    out: dict[str, RainbowFinding] = {}
    for name in (*RAINBOW_TYPES, *RAINBOW_ENABLERS):
        found = list(dict.fromkeys(finders[name](site)))
        out[name] = RainbowFinding(present=bool(found), evidence=found[:MAX_EVIDENCE],
                                   evidence_count=len(found))
    return out


def _crosses_organisations(site: Site, link: Link) -> bool:
    a, b = site.organisation_of(link.source), site.organisation_of(link.target)
    return a is not None and b is not None and a != b


def _mechanism_evidence(site: Site, wanted: set[Mechanism]) -> Iterator[str]:
    for link in site.links:
        for mech in link.mechanisms:
            if mech in wanted:
                yield f"{link_label(site, link)} uses {mech.label}"


def _system(site: Site) -> Iterator[str]:
    # Counted up from each organisation, and links read once: a national site has hundreds of
    # places and systems, each with thousands of units below it.
    holds: Counter[str] = Counter()
    for unit in site.units:
        if unit.kind is UnitKind.ORGANISATION:
            holds.update(site.ancestors(unit.id))
    linked = {end for lk in site.links for end in (lk.source, lk.target)}
    for unit in site.units:
        if unit.kind not in (UnitKind.SYSTEM, UnitKind.PLACE):
            continue
        if holds[unit.id] >= 2:
            yield f"{unit.kind} {unit_label(site, unit.id)} holds {holds[unit.id]} organisations"
        if unit.id in linked:
            yield f"{unit.kind} {unit_label(site, unit.id)} is joined by an integration link"
    for link in site.links:
        if link.level >= Level.MERGED_GOVERNANCE and _crosses_organisations(site, link):
            yield f"{link_label(site, link)} joins two organisations at {link.level.label}"


def _organisational(site: Site) -> Iterator[str]:
    for link in site.links:
        if not _crosses_organisations(site, link):
            continue
        f = link.facets
        if link.level >= Level.POOLED_MANAGEMENT:
            yield f"{link_label(site, link)} joins two organisations at {link.level.label}"
        if f.governance is not None and f.governance >= Governance.JOINT_COMMITTEE:
            yield f"{link_label(site, link)} has governance: {f.governance.label}"
        if f.finance is not None and f.finance >= Finance.POOLED_BUDGET:
            yield f"{link_label(site, link)} has finance: {f.finance.label}"


def _professional(site: Site) -> Iterator[str]:
    for link in site.links:
        a, b = site.units_by_id[link.source], site.units_by_id[link.target]
        if (a.kind in _FRONT_LINE and b.kind in _FRONT_LINE and link.level >= Level.CO_LOCATED
                and set(unit_sectors(site, a.id)) != set(unit_sectors(site, b.id))):
            yield f"{link_label(site, link)} joins teams of different sectors at {link.level.label}"
    yield from _mechanism_evidence(site, {Mechanism.INTERFACE_MEETING, Mechanism.JOINT_FUNDED_ROLE,
                                          Mechanism.SHARED_TRAINING})


def _clinical(site: Site) -> Iterator[str]:
    for link in site.links:
        c = link.facets.clinical
        if c is not None and c >= Clinical.SINGLE_POINT_OF_ACCESS:
            yield f"{link_label(site, link)} has clinical: {c.label}"
    yield from _mechanism_evidence(site, {Mechanism.INTEGRATED_CASE_MANAGEMENT,
                                          Mechanism.SINGLE_POINT_OF_ACCESS, Mechanism.CARE_NAVIGATOR})


def _functional(site: Site) -> Iterator[str]:
    for link in site.links:
        f = link.facets
        if f.it is not None and f.it >= IT.SHARED_RECORD:
            yield f"{link_label(site, link)} has it: {f.it.label}"
        if f.finance is not None and f.finance >= Finance.POOLED_BUDGET:
            yield f"{link_label(site, link)} has finance: {f.finance.label}"
        if f.hr is not None and f.hr >= HR.HARMONISED:
            yield f"{link_label(site, link)} has hr: {f.hr.label}"
        if f.management is not None and f.management >= Management.POOLED:
            yield f"{link_label(site, link)} has management: {f.management.label}"
    yield from _mechanism_evidence(site, {Mechanism.SHARED_CARE_RECORD})


def _normative(site: Site) -> Iterator[str]:
    yield from _mechanism_evidence(site, {Mechanism.SHARED_TRAINING, Mechanism.JOINT_FUNDED_ROLE})
