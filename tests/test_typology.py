"""The typology descriptor: each part on small hand-made sites, determinism, and the example sites."""

from __future__ import annotations

import json
from typing import Any

import pytest

from conftest import FIXTURES, MODELS
from integramap.analysis.typology import (
    TypologyDescriptor,
    describe_site,
    descriptor_json_schema,
)
from integramap.analysis.typology_code import parse_code
from integramap.analysis.typology_terms import unit_sectors
from integramap.io import read_site
from integramap.model import Level, Site, validate_site

ISSUE_KEYS = ["basis", "populations", "organisations", "sectors", "sector_pairs", "depth", "breadth",
              "rainbow", "mechanisms", "boundary_alignment", "ambition", "structural_challenges", "code"]


def make_site(units: list[dict[str, Any]], links: list[dict[str, Any]] | None = None,
              **extra: Any) -> Site:
    return validate_site({"id": "t", "name": "Test site", "units": units, "links": links or [], **extra})


def team(uid: str, sectors: list[str], **fields: Any) -> dict[str, Any]:
    return {"id": uid, "name": uid.upper(), "kind": "team", "sectors": sectors, **fields}


def link(lid: str, a: str, b: str, level: str, **fields: Any) -> dict[str, Any]:
    return {"id": lid, "source": a, "target": b, "level": level, **fields}


@pytest.fixture(scope="module")
def borough() -> Site:
    return read_site(FIXTURES / "typology_borough.yaml")


def test_json_has_exactly_the_issue_keys_after_the_site(borough: Site) -> None:
    data = json.loads(describe_site(borough).model_dump_json())
    assert list(data) == ["site", *ISSUE_KEYS]
    assert data["site"] == {"id": "small-borough", "name": "Small Borough"}


def test_same_site_same_descriptor_and_code(borough: Site) -> None:
    first = describe_site(borough).model_dump_json()
    reread = read_site(FIXTURES / "typology_borough.yaml")
    assert describe_site(reread).model_dump_json() == first
    # Unit and link order in the file must not change the code.
    shuffled = borough.replace(units=list(reversed(borough.model_dump()["units"])),
                               links=list(reversed(borough.model_dump()["links"])))
    assert describe_site(shuffled).code == describe_site(borough).code


def test_descriptor_round_trips_through_json(borough: Site) -> None:
    d = describe_site(borough)
    assert TypologyDescriptor.model_validate_json(d.model_dump_json()) == d


def test_json_schema_names_every_key() -> None:
    schema = descriptor_json_schema()
    assert schema["title"] == "TypologyDescriptor"
    assert set(schema["required"]) == {"site", *ISSUE_KEYS}


@pytest.mark.parametrize(("bases", "expected"), [
    (["geographic"] * 4, "geographic"),
    (["geographic"] * 3 + ["functional"], "geographic"),
    (["geographic"] * 2 + ["functional"] * 2, "mixed"),
    (["functional"] * 3, "functional"),
    ([None, None], "unknown"),
])
def test_basis_from_the_teams(bases: list[str | None], expected: str) -> None:
    units = [team(f"t{i}", ["mental_health"], **({"basis": b} if b else {})) for i, b in enumerate(bases)]
    basis = describe_site(make_site(units)).basis
    assert basis.value == expected
    assert basis.geographic == bases.count("geographic")
    assert basis.functional == bases.count("functional")
    assert basis.counted == ("teams and hubs" if any(bases) else "all units (no team or hub records a basis)")


def test_basis_falls_back_to_other_units_when_no_team_records_one() -> None:
    units = [team("t1", ["mental_health"]), {"id": "p", "name": "P", "kind": "pcn", "basis": "geographic"}]
    basis = describe_site(make_site(units)).basis
    assert (basis.value, basis.geographic) == ("geographic", 1)
    assert basis.counted.startswith("all units")


def test_populations_count_units_and_merge_tag_spellings() -> None:
    units = [team("a", [], age_groups=["older_people", "adults"], population_types=["Homeless"]),
             team("b", [], age_groups=["children"], population_types=["homeless ", "Carers"])]
    pops = describe_site(make_site(units)).populations
    assert list(pops.age_groups.items()) == [("children", 1), ("adults", 1), ("older_people", 1)]
    assert pops.population_types == {"Carers": 1, "Homeless": 2}


def test_sectors_are_inferred_from_parents_kinds_and_org_types() -> None:
    site = make_site([
        {"id": "la", "name": "Council", "kind": "organisation", "org_type": "local_authority"},
        {"id": "sw", "name": "Social work", "kind": "team", "parent": "la"},
        {"id": "gp", "name": "Surgery", "kind": "practice"},
        {"id": "x", "name": "Unknown", "kind": "hub"},
    ])
    assert [str(s) for s in unit_sectors(site, "sw")] == ["social_care"]
    assert [str(s) for s in unit_sectors(site, "gp")] == ["primary_care"]
    assert unit_sectors(site, "x") == ()
    d = describe_site(site)
    assert d.sectors == {"primary_care": 1, "social_care": 2}
    assert [(o.id, str(o.org_type)) for o in d.organisations] == [("la", "local_authority")]


def test_depth_distribution_highest_median_and_leutz() -> None:
    units = [team(u, ["mental_health"]) for u in "abcd"]
    links = [link("l1", "a", "b", "interface"), link("l2", "b", "c", "closer_working"),
             link("l3", "c", "d", "merged_governance")]
    depth = describe_site(make_site(units, links)).depth
    assert list(depth.distribution) == [str(lv) for lv in Level]
    assert depth.distribution["closer_working"] == 1 and depth.distribution["fully_merged"] == 0
    assert depth.highest == Level.MERGED_GOVERNANCE
    assert depth.median == Level.CLOSER_WORKING
    assert depth.leutz_degree == "full_integration"
    assert depth.leutz_distribution == {"linkage": 2, "coordination": 0, "full_integration": 1}


def test_site_without_links_has_no_depth() -> None:
    d = describe_site(make_site([team("a", ["acute"])]))
    assert (d.depth.highest, d.depth.median, d.depth.leutz_degree) == (None, None, None)
    assert d.breadth.value == "none"
    assert "-NL/N-" in d.code


def test_sector_pairs_keep_the_highest_level_and_count_links() -> None:
    units = [team("mh", ["mental_health"]), team("sc", ["social_care"]), team("sc2", ["social_care"])]
    links = [link("l1", "mh", "sc", "interface"), link("l2", "sc2", "mh", "pooled_management"),
             link("l3", "sc", "sc2", "co_located")]
    d = describe_site(make_site(units, links))
    pairs = {p.pair: (p.links, p.highest) for p in d.sector_pairs}
    assert pairs == {"mental_health+social_care": (2, Level.POOLED_MANAGEMENT),
                     "social_care+social_care": (1, Level.CO_LOCATED)}
    assert d.depth.per_sector_pair["mental_health+social_care"] == {"interface": 1, "pooled_management": 1}


def test_breadth_horizontal_vertical_and_outside_tiers() -> None:
    units = [team("mh", ["mental_health"]), team("ch", ["community_health"]), team("sc", ["social_care"]),
             team("vol", ["voluntary"]), {"id": "gp", "name": "GP", "kind": "practice"}]
    links = [link("h", "mh", "ch", "co_located"),       # both secondary
             link("v1", "mh", "sc", "interface"),       # secondary - social care
             link("v2", "gp", "ch", "interface"),       # primary - secondary
             link("o", "vol", "sc", "closer_working")]  # voluntary is in no tier
    b = describe_site(make_site(units, links)).breadth
    assert (b.value, b.horizontal, b.vertical, b.outside_tiers) == ("both", 1, 2, 1)
    assert b.tiers_present == ["primary", "secondary", "social_care"]
    assert b.tier_pairs == {"primary+secondary": 1, "secondary+secondary": 1, "secondary+social_care": 1}
    assert set(b.definitions) == {"tiers", "horizontal", "vertical", "outside_tiers"}


def test_mechanisms_counted_once_per_link() -> None:
    units = [team("a", []), team("b", []), team("c", [])]
    links = [link("l1", "a", "b", "interface", mechanisms=["referral_route", "referral_route"]),
             link("l2", "b", "c", "interface", mechanisms=["shared_care_record", "referral_route"])]
    assert describe_site(make_site(units, links)).mechanisms == {"referral_route": 2, "shared_care_record": 1}


def test_ambition_lists_links_below_target_with_the_gap() -> None:
    units = [team(u, []) for u in "abcd"]
    links = [link("up", "a", "b", "interface", target_level="pooled_management"),
             link("there", "b", "c", "co_located", target_level="co_located"),
             link("over", "c", "d", "fully_merged", target_level="merged_governance")]
    amb = describe_site(make_site(units, links)).ambition
    assert [(a.link, a.source_name, a.target_name, a.gap) for a in amb.links] == [("up", "A", "B", 3)]
    assert (amb.count, amb.total_gap, amb.largest_gap, amb.at_target, amb.above_target) == (1, 3, 3, 1, 1)


def test_rainbow_types_need_evidence() -> None:
    units = [{"id": "trust", "name": "Trust", "kind": "organisation", "org_type": "nhs_trust"},
             {"id": "la", "name": "Council", "kind": "organisation", "org_type": "local_authority"},
             team("mh", ["mental_health"], parent="trust"), team("sc", ["social_care"], parent="la")]
    only_referral = describe_site(make_site(units, [link("l", "mh", "sc", "interface",
                                                         mechanisms=["referral_route"])]))
    assert only_referral.rainbow.types_present == []
    assert only_referral.rainbow.enablers_present == []
    merged = describe_site(make_site(units, [link("l", "mh", "sc", "merged_governance",
                                                  facets={"finance": "pooled_budget", "it": "shared_record"},
                                                  mechanisms=["shared_training", "care_navigator"])]))
    rb = merged.rainbow
    assert rb.types_present == ["system", "organisational", "professional", "clinical"]
    assert rb.enablers_present == ["functional", "normative"]
    assert "the link between MH and SC joins two organisations at merged governance" in rb.types["organisational"].evidence
    assert rb.enablers["functional"].evidence_count == 2


def test_boundary_alignment_reports_coterminosity_and_straddlers(borough: Site) -> None:
    pytest.importorskip("integramap.analysis.boundaries")
    align = describe_site(borough).boundary_alignment
    assert align.available
    pairs = {p.layers: p for p in align.pairs}
    assert set(pairs) == {("pcn", "lcn"), ("lcn", "local_authority"), ("pcn", "local_authority")}
    pcn_lcn = pairs[("pcn", "lcn")]
    # Cross PCN covers a2 (North) and a3 (South): 1000 + 1000 of 4000 misaligned by half.
    assert pcn_lcn.coterminosity == pytest.approx(0.75)
    assert pcn_lcn.straddles == 1
    assert pcn_lcn.straddling_units == ["Cross PCN (North LCN / South LCN)"]
    assert align.lowest_coterminosity == pytest.approx(0.75)
    assert describe_site(borough).code.endswith("-C0.75")


def test_no_layers_means_no_alignment_and_dash_in_code() -> None:
    d = describe_site(make_site([team("a", ["acute"])]))
    assert d.boundary_alignment.pairs == []
    assert "no PCN, LCN or local authority" in d.boundary_alignment.note
    assert d.code.endswith("-C-")


def test_code_parses_back_to_the_descriptor(borough: Site) -> None:
    d = describe_site(borough)
    parts = parse_code(d.code)
    assert parts["basis"] == d.basis.value
    assert parts["age_groups"] == list(d.populations.age_groups)
    assert parts["sector_count"] == len(d.sectors)
    assert parts["highest_level"] == str(d.depth.highest)
    assert parts["breadth"] == d.breadth.value
    assert parts["rainbow_types"] == len(d.rainbow.types_present)
    assert parts["functional_enabler"] == ("functional" in d.rainbow.enablers_present)


# The example sites shipped in models/: each descriptor shows what the site was built to show.

def _example(name: str) -> TypologyDescriptor:
    path = MODELS / name
    if not path.exists():
        pytest.skip(f"example site {path} not present")
    return describe_site(read_site(path))


def test_london_borough_example_is_what_it_was_built_to_show() -> None:
    d = _example("riverside-borough.yaml")
    assert d.basis.value == "geographic"
    assert list(d.populations.age_groups) == ["adults", "older_people"]
    assert {"mental_health", "community_health", "social_care", "primary_care"} <= set(d.sectors)
    assert d.depth.highest == Level.FULLY_MERGED
    pytest.importorskip("integramap.analysis.boundaries")
    pcn_lcn = next(p for p in d.boundary_alignment.pairs if p.layers == ("pcn", "lcn"))
    assert pcn_lcn.straddles == 1
    assert d.code.startswith("G-AO-")


def test_camhs_example_is_functional_and_for_children() -> None:
    d = _example("northvale-camhs.yaml")
    assert d.basis.value == "functional"
    assert list(d.populations.age_groups) == ["children"]
    assert {"mental_health", "social_care"} <= set(d.sectors)
    assert d.code.startswith("F-C-")


def test_icp_example_has_no_merged_governance() -> None:
    d = _example("eastmoor-icp.yaml")
    assert d.depth.highest is not None and d.depth.highest < Level.MERGED_GOVERNANCE
    assert d.depth.leutz_distribution["full_integration"] == 0
    assert "organisational" not in d.rainbow.types_present
