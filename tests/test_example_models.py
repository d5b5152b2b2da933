"""The example sites in models/: valid, exact round trips, and the facts each was built to show.

The structural checks use plain set logic over footprints and links, so they
state what each example contains independently of the analysis modules.
"""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import pytest
from conftest import MODELS, model_files

from integramap.cli import main
from integramap.io import dump_site, parse_site, read_site
from integramap.io.sitefile import Format
from integramap.layout import measure_layout
from integramap.model import Basis, Level, Link, Mechanism, Sector, Site, UnitKind

EXPECTED = {"riverside-borough", "northvale-camhs", "eastmoor-icp"}
MAP_WIDTH, MAP_HEIGHT = 1600.0, 1300.0

FILES = model_files()


def site_named(site_id: str) -> Site:
    return read_site(MODELS / f"{site_id}.yaml")


@pytest.fixture(scope="module")
def borough() -> Site:
    return site_named("riverside-borough")


@pytest.fixture(scope="module")
def camhs() -> Site:
    return site_named("northvale-camhs")


@pytest.fixture(scope="module")
def icp() -> Site:
    return site_named("eastmoor-icp")


# --- helpers: plain set logic over the site --------------------------------------------------

def effective_footprint(site: Site, unit_id: str) -> set[str]:
    """A unit's areas: its own footprint, else the union of its children's (a PCN's practices)."""
    own = site.unit(unit_id).footprint
    if own:
        return {a for a, w in own.items() if w > 0}
    return set().union(*(effective_footprint(site, c) for c in site.children_by_id.get(unit_id, [])))


def sectors_of(site: Site, unit_id: str) -> set[Sector]:
    """A unit's own sectors, else its nearest ancestor's."""
    for uid in [unit_id, *site.ancestors(unit_id)]:
        if site.unit(uid).sectors:
            return set(site.unit(uid).sectors)
    return set()


def linked(site: Site, a: str, b: str) -> bool:
    """Whether a link joins a or any ancestor of a to b or any ancestor of b."""
    chain_a = {a, *site.ancestors(a)}
    chain_b = {b, *site.ancestors(b)}
    return any((lk.source in chain_a and lk.target in chain_b)
               or (lk.source in chain_b and lk.target in chain_a) for lk in site.links)


def units_of_kind(site: Site, kind: UnitKind) -> list[str]:
    return [u.id for u in site.units if u.kind is kind]


def teams_and_hubs(site: Site) -> list[str]:
    return [u.id for u in site.units if u.kind in (UnitKind.TEAM, UnitKind.HUB)]


# --- every model -------------------------------------------------------------------------------

def test_the_three_examples_ship() -> None:
    assert {read_site(path).id for path in FILES} >= EXPECTED
    assert {path.stem for path in FILES} >= EXPECTED


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_model_validates_and_is_named_after_its_file(path: Path) -> None:
    site = read_site(path)
    assert site.id == path.stem
    assert site.description.strip()
    assert site.source.title.strip()
    assert site.areas and site.units and site.links


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_model_file_opens_with_a_comment_saying_what_it_models(path: Path) -> None:
    head = path.read_text(encoding="utf-8").splitlines()[:12]
    assert head[0].startswith("# ")
    assert any("What it models" in line for line in head)


@pytest.mark.parametrize("fmt", ["yaml", "json"])
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_model_round_trips_exactly(path: Path, fmt: Format) -> None:
    site = read_site(path)
    text = dump_site(site, fmt)
    again = parse_site(text, fmt, source=f"{path.name} as {fmt}")
    assert again == site
    assert dump_site(again, fmt) == text


def test_site_ids_and_names_are_unique_across_models() -> None:
    sites = [read_site(p) for p in FILES]
    assert len({s.id for s in sites}) == len(sites)
    assert len({s.name for s in sites}) == len(sites)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_ids_and_names_are_unique_within_a_model(path: Path) -> None:
    site = read_site(path)
    for label, values in (("unit ids", [u.id for u in site.units]),
                          ("unit names", [u.name for u in site.units]),
                          ("area ids", [a.id for a in site.areas]),
                          ("area names", [a.name for a in site.areas]),
                          ("link ids", [lk.id for lk in site.links])):
        repeated = [v for v, n in Counter(values).items() if n > 1]
        assert not repeated, f"{path.name}: repeated {label}: {repeated}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_every_unit_has_a_tidy_position(path: Path) -> None:
    site = read_site(path)
    points = {}
    for unit in site.units:
        pos = unit.attributes.position
        assert pos is not None, f"{unit.id} has no position"
        assert 0 <= pos.x <= MAP_WIDTH and 0 <= pos.y <= MAP_HEIGHT, unit.id
        points[unit.id] = (pos.x, pos.y)
    # Measured as the map draws them: shapes with labels, and boxes around their members (a box's
    # own position is where it is drawn collapsed, at its centre, among its members).
    quality = measure_layout(site, points)
    assert (quality.node_overlaps, quality.box_overlaps, quality.label_overlaps) == (0, 0, 0), path.name


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_areas_have_populations_and_every_area_is_used(path: Path) -> None:
    site = read_site(path)
    used = set().union(*(effective_footprint(site, u.id) for u in site.units))
    for area in site.areas:
        assert area.population is not None and area.population > 0, area.id
        assert area.id in used, f"{area.id} is in no footprint"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_footprints_nest_inside_their_parents(path: Path) -> None:
    site = read_site(path)
    for unit in site.units:
        if unit.parent is None or not unit.footprint:
            continue
        outside = effective_footprint(site, unit.id) - effective_footprint(site, unit.parent)
        assert not outside, f"{unit.id} reaches {sorted(outside)} outside {unit.parent}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_targets_are_never_below_the_actual_level(path: Path) -> None:
    site = read_site(path)
    for lk in site.links:
        if lk.target_level is not None:
            assert lk.target_level > lk.level, f"{lk.id}: target should be above the actual level"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_teams_and_hubs_record_basis_populations_and_facts(path: Path) -> None:
    site = read_site(path)
    for uid in teams_and_hubs(site):
        unit = site.unit(uid)
        assert unit.basis is not None, uid
        assert unit.age_groups, uid
        assert unit.footprint, uid
        assert unit.attributes.employer, uid
        if unit.kind is UnitKind.TEAM:  # a hub may be a partnership's, hosted by one employer
            assert site.organisation_of(uid) is not None, f"{uid} belongs to no organisation"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_most_links_record_facets(path: Path) -> None:
    site = read_site(path)
    with_facets = [lk for lk in site.links if lk.facets.recorded()]
    assert len(with_facets) >= 0.75 * len(site.links)


def test_cli_validates_every_model(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", *map(str, FILES)]) == 0
    out = capsys.readouterr().out
    assert all(f"{p}: ok" in out for p in map(str, FILES))


# --- Riverside Borough -----------------------------------------------------------------------

def test_borough_has_a_system_a_place_three_lcns_and_four_pcns(borough: Site) -> None:
    assert len(units_of_kind(borough, UnitKind.SYSTEM)) == 1
    assert len(units_of_kind(borough, UnitKind.PLACE)) == 1
    assert len(units_of_kind(borough, UnitKind.LCN)) == 3
    assert len(units_of_kind(borough, UnitKind.PCN)) == 4
    practices = units_of_kind(borough, UnitKind.PRACTICE)
    assert 12 <= len(practices) <= 20
    assert all(borough.unit(borough.unit(p).parent or "").kind is UnitKind.PCN for p in practices)


def test_borough_areas_are_small_with_ward_and_locality_codes(borough: Site) -> None:
    assert 40 <= len(borough.areas) <= 60
    for area in borough.areas:
        assert 1200 <= (area.population or 0) <= 2200, area.id
        assert set(area.codes) == {"ward", "lcn_locality"}, area.id


def test_borough_lcns_divide_the_borough_by_locality_code(borough: Site) -> None:
    all_areas = {a.id for a in borough.areas}
    lcn_areas = [effective_footprint(borough, lcn) for lcn in units_of_kind(borough, UnitKind.LCN)]
    assert set().union(*lcn_areas) == all_areas
    assert sum(len(a) for a in lcn_areas) == len(all_areas)  # no area in two LCNs
    for lcn, areas in zip(units_of_kind(borough, UnitKind.LCN), lcn_areas):
        localities = {borough.areas_by_id[a].codes["lcn_locality"] for a in areas}
        assert len(localities) == 1, f"{lcn} spans localities {localities}"
    la = [u.id for u in borough.units if u.org_type == "local_authority"]
    assert len(la) == 1 and effective_footprint(borough, la[0]) == all_areas


def test_borough_practices_cover_every_area_once(borough: Site) -> None:
    cover: Counter[str] = Counter()
    for p in units_of_kind(borough, UnitKind.PRACTICE):
        assert 1 <= len(borough.unit(p).footprint) <= 4, p
        cover.update(borough.unit(p).footprint)
    assert {a.id for a in borough.areas} == set(cover)
    assert all(math.isclose(total, 1.0) for total in cover.values())
    assert any(w < 1 for p in units_of_kind(borough, UnitKind.PRACTICE)
               for w in borough.unit(p).footprint.values()), "some areas should be shared"


def test_borough_three_pcns_lie_in_one_lcn_each_and_one_straddles_two(borough: Site) -> None:
    lcns = {lcn: effective_footprint(borough, lcn) for lcn in units_of_kind(borough, UnitKind.LCN)}
    touched = {}
    for pcn in units_of_kind(borough, UnitKind.PCN):
        assert not borough.unit(pcn).footprint, "PCN footprints are derived from practices"
        areas = effective_footprint(borough, pcn)
        assert areas
        touched[pcn] = {lcn for lcn, lcn_areas in lcns.items() if areas & lcn_areas}
    straddling = [pcn for pcn, hit in touched.items() if len(hit) == 2]
    assert straddling == ["pcn-riverbend"]
    inside_one = [next(iter(hit)) for pcn, hit in touched.items() if len(hit) == 1]
    assert sorted(inside_one) == sorted(lcns), "each other PCN maps onto its own LCN"


def test_borough_geographic_locality_teams_cover_their_lcn(borough: Site) -> None:
    lcn_footprints = [effective_footprint(borough, lcn) for lcn in units_of_kind(borough, UnitKind.LCN)]
    all_areas = {a.id for a in borough.areas}
    locality_teams = 0
    for uid in teams_and_hubs(borough):
        unit = borough.unit(uid)
        assert unit.basis == "geographic", uid
        areas = effective_footprint(borough, uid)
        assert areas == all_areas or areas in lcn_footprints, f"{uid} covers neither borough nor an LCN"
        locality_teams += areas in lcn_footprints
    assert locality_teams >= 9  # psychosis, district nursing and social care in each LCN


def test_borough_serves_adults_and_older_people_across_four_sectors(borough: Site) -> None:
    ages = {a for u in borough.units for a in u.age_groups}
    assert ages == {"adults", "older_people"}
    tags = {t for u in borough.units for t in u.population_types}
    assert {"severe mental illness", "frailty"} <= tags
    sectors = {s for u in borough.units for s in u.sectors}
    assert {Sector.MENTAL_HEALTH, Sector.COMMUNITY_HEALTH, Sector.SOCIAL_CARE,
            Sector.PRIMARY_CARE, Sector.COMMISSIONING} <= sectors
    org_types = Counter(str(u.org_type) for u in borough.units if u.kind is UnitKind.ORGANISATION)
    assert org_types == {"nhs_trust": 2, "local_authority": 1, "gp_federation": 1}


def test_borough_mental_health_trust_has_adult_and_older_peoples_teams(borough: Site) -> None:
    mh_teams = [uid for uid in units_of_kind(borough, UnitKind.TEAM)
                if borough.organisation_of(uid) == "mh-trust"]
    ages = {a for uid in mh_teams for a in borough.unit(uid).age_groups}
    assert ages == {"adults", "older_people"}
    functions = {f for uid in mh_teams for f in borough.unit(uid).functions}
    assert {"psychosis", "memory assessment"} <= functions


def test_borough_spa_hub_links_into_mental_health_community_health_and_social_care(
        borough: Site) -> None:
    hubs = units_of_kind(borough, UnitKind.HUB)
    assert len(hubs) == 1
    hub = hubs[0]
    spa_links = [lk for lk in borough.links if hub in (lk.source, lk.target)
                 and Mechanism.SINGLE_POINT_OF_ACCESS in lk.mechanisms]
    far_ends = [lk.target if lk.source == hub else lk.source for lk in spa_links]
    reached = set().union(*(sectors_of(borough, end) for end in far_ends))
    assert {Sector.MENTAL_HEALTH, Sector.COMMUNITY_HEALTH, Sector.SOCIAL_CARE,
            Sector.PRIMARY_CARE} <= reached
    # Primary care's way in: every PCN reaches the hub.
    assert set(units_of_kind(borough, UnitKind.PCN)) <= set(far_ends)


def test_borough_has_interface_and_case_management_meetings(borough: Site) -> None:
    meetings = [lk for lk in borough.links if Mechanism.INTERFACE_MEETING in lk.mechanisms]
    lcn_pcn = [lk for lk in meetings if {borough.unit(lk.source).kind, borough.unit(lk.target).kind}
               == {UnitKind.LCN, UnitKind.PCN}]
    assert {lk.source if borough.unit(lk.source).kind is UnitKind.PCN else lk.target
            for lk in lcn_pcn} == set(units_of_kind(borough, UnitKind.PCN))
    icm = [lk for lk in borough.links if Mechanism.INTEGRATED_CASE_MANAGEMENT in lk.mechanisms]
    for lcn in units_of_kind(borough, UnitKind.LCN):
        partners = {lk.target if lk.source == lcn else lk.source for lk in icm
                    if lcn in (lk.source, lk.target)}
        sectors = set().union(*(sectors_of(borough, p) for p in partners))
        assert {Sector.MENTAL_HEALTH, Sector.COMMUNITY_HEALTH} <= sectors, lcn


def test_borough_is_functionally_merged_with_social_care(borough: Site) -> None:
    merged = [lk for lk in borough.links if lk.level is Level.FULLY_MERGED]
    assert merged
    for lk in merged:
        ends = sectors_of(borough, lk.source) | sectors_of(borough, lk.target)
        assert Sector.SOCIAL_CARE in ends and Sector.COMMUNITY_HEALTH in ends
    assert max(lk.level for lk in borough.links) is Level.FULLY_MERGED


def _find(site: Site, level: Level, facet: str, value: str) -> list[Link]:
    return [lk for lk in site.links if lk.level == level and getattr(lk.facets, facet) == value]


def test_borough_carries_its_structural_challenges(borough: Site) -> None:
    assert [lk.id for lk in _find(borough, Level.FULLY_MERGED, "it", "separate")] == ["ict-north"]
    assert [lk.id for lk in _find(borough, Level.POOLED_MANAGEMENT, "it", "separate")] == ["mhsw-north"]
    assert [lk.id for lk in _find(borough, Level.MERGED_GOVERNANCE, "finance", "separate")] == [
        "s75-mental-health"]


def test_borough_has_ambition_above_actual_levels(borough: Site) -> None:
    ambitious = [lk for lk in borough.links if lk.target_level is not None]
    assert len(ambitious) >= 5
    assert any(lk.target_level is Level.FULLY_MERGED for lk in ambitious)


@pytest.mark.parametrize("a, b", [("mh-memory", "ch-frailty"), ("mh-oa-cmht", "ch-frailty"),
                                  ("pcn-riverbend", "lcn-south")])
def test_borough_unmanaged_interfaces_share_population_but_no_link(
        borough: Site, a: str, b: str) -> None:
    shared = effective_footprint(borough, a) & effective_footprint(borough, b)
    assert sum(borough.areas_by_id[x].weight_population for x in shared) > 5000
    assert not linked(borough, a, b)


def test_borough_straddling_pcn_meets_only_one_of_its_lcns(borough: Site) -> None:
    assert linked(borough, "pcn-riverbend", "lcn-central")
    assert not linked(borough, "pcn-riverbend", "lcn-south")


# --- Northvale CAMHS -------------------------------------------------------------------------

def test_camhs_is_functional_and_for_children_only(camhs: Site) -> None:
    assert {camhs.unit(uid).basis for uid in teams_and_hubs(camhs)} == {"functional"}
    assert {a for u in camhs.units for a in u.age_groups} == {"children"}
    tags = {t for u in camhs.units for t in u.population_types}
    assert "looked after children" in tags


def test_camhs_joins_nhs_camhs_with_council_childrens_social_care(camhs: Site) -> None:
    org_types = {str(camhs.unit(o).org_type) for o in units_of_kind(camhs, UnitKind.ORGANISATION)}
    assert {"nhs_trust", "local_authority"} <= org_types
    cross = [lk for lk in camhs.links
             if {camhs.organisation_of(lk.source), camhs.organisation_of(lk.target)} == {"trust", "council"}
             and camhs.unit(lk.source).kind in (UnitKind.TEAM, UnitKind.HUB)]
    assert len(cross) >= 5


def test_camhs_is_co_located_but_separately_managed(camhs: Site) -> None:
    levels = Counter(lk.level for lk in camhs.links)
    assert max(levels) is Level.CO_LOCATED
    assert levels[Level.CO_LOCATED] >= 3 and levels[Level.CLOSER_WORKING] >= 2
    for lk in camhs.links:
        assert lk.facets.management in (None, "separate"), lk.id
        assert lk.facets.governance in (None, "separate"), lk.id
    co_located = [lk for lk in camhs.links if lk.level is Level.CO_LOCATED]
    assert sum(lk.facets.estates == "co_located" for lk in co_located) >= 3


def test_camhs_areas_are_a_county_of_districts(camhs: Site) -> None:
    assert 4 <= len(camhs.areas) <= 6
    assert sum(a.population or 0 for a in camhs.areas) > 300_000


# --- Eastmoor ICP ----------------------------------------------------------------------------

def test_icp_has_no_level_above_co_located_and_no_merged_governance(icp: Site) -> None:
    assert max(lk.level for lk in icp.links) is Level.CO_LOCATED
    for lk in icp.links:
        assert lk.level <= Level.CO_LOCATED, lk.id
        assert lk.facets.governance in (None, "separate", "joint_committee"), lk.id
        assert lk.facets.governance != "merged_board", lk.id
        assert lk.facets.finance not in ("pooled_budget", "single_budget"), lk.id
        assert lk.facets.management in (None, "separate", "joint"), lk.id


def test_icp_works_by_agreements_navigators_and_referral_routes(icp: Site) -> None:
    levels = Counter(lk.level for lk in icp.links)
    assert levels[Level.CLOSER_WORKING] > levels[Level.CO_LOCATED]
    assert levels[Level.INTERFACE] > 0
    mechanisms = {m for lk in icp.links for m in lk.mechanisms}
    assert {Mechanism.SHARED_TRAINING, Mechanism.CARE_NAVIGATOR, Mechanism.REFERRAL_ROUTE} <= mechanisms


def test_icp_brings_together_seven_kinds_of_partner(icp: Site) -> None:
    orgs = [icp.unit(o) for o in units_of_kind(icp, UnitKind.ORGANISATION)]
    org_types = Counter(str(o.org_type) for o in orgs)
    assert org_types["nhs_trust"] == 3
    assert {"local_authority", "gp_federation", "voluntary", "independent"} <= set(org_types)
    trust_sectors = {s for o in orgs if o.org_type == "nhs_trust" for s in o.sectors}
    assert trust_sectors == {Sector.ACUTE, Sector.COMMUNITY_HEALTH, Sector.MENTAL_HEALTH}
    assert units_of_kind(icp, UnitKind.PCN)


def test_icp_is_mixed_basis_for_all_ages(icp: Site) -> None:
    bases = Counter(icp.unit(uid).basis for uid in teams_and_hubs(icp))
    assert bases[Basis.GEOGRAPHIC] and bases[Basis.FUNCTIONAL]
    assert {a for u in icp.units for a in u.age_groups} == {"children", "adults", "older_people"}
