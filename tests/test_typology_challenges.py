"""Structural challenges: each rule fires on its contradiction, and only on it."""

from __future__ import annotations

from typing import Any

import pytest

from integramap.analysis.typology import describe_site
from integramap.analysis.typology_challenges import RULE_NAMES, structural_challenges
from integramap.model import Site, validate_site


def pair_site(level: str, facets: dict[str, str] | None = None,
              attrs: tuple[dict[str, Any], dict[str, Any]] = ({}, {})) -> Site:
    return validate_site({
        "id": "s", "name": "S",
        "units": [{"id": "mh", "name": "Older adults MH", "kind": "team", "attributes": attrs[0]},
                  {"id": "sw", "name": "Older adults social work", "kind": "team", "attributes": attrs[1]}],
        "links": [{"id": "l1", "source": "mh", "target": "sw", "level": level, "facets": facets or {}}],
    })


def rules(site: Site) -> list[str]:
    return [c.rule for c in structural_challenges(site)]


@pytest.mark.parametrize(("level", "facets", "rule"), [
    ("pooled_management", {"it": "separate"}, "pooled_management_on_separate_it"),
    ("merged_governance", {"it": "separate", "finance": "pooled_budget"}, "pooled_management_on_separate_it"),
    ("fully_merged", {"estates": "separate", "it": "single_system", "management": "single"},
     "merged_team_on_separate_sites"),
    ("merged_governance", {"finance": "separate"}, "merged_governance_with_separate_finance"),
    ("co_located", {"governance": "merged_board", "finance": "separate", "estates": "co_located"},
     "merged_governance_with_separate_finance"),
    ("fully_merged", {"management": "joint"}, "merged_team_without_single_management"),
    ("fully_merged", {"management": "pooled"}, "merged_team_without_single_management"),
    ("fully_merged", {"hr": "separate", "management": "single"}, "merged_team_with_separate_hr"),
    ("co_located", {"estates": "separate"}, "co_located_on_separate_sites"),
])
def test_each_rule_fires_on_its_contradiction(level: str, facets: dict[str, str], rule: str) -> None:
    assert rules(pair_site(level, facets)) == [rule]


@pytest.mark.parametrize(("level", "facets"), [
    ("co_located", {"it": "separate"}),                        # below pooled management
    ("pooled_management", {"it": "workaround"}),               # not separate
    ("merged_governance", {"finance": "aligned"}),
    ("fully_merged", {"management": "single", "hr": "single_employer", "estates": "co_located",
                      "it": "single_system", "finance": "single_budget"}),
    ("pooled_management", {"estates": "separate"}),            # pooled management may span sites
    ("interface", {"estates": "separate", "it": "separate", "finance": "separate"}),
    ("fully_merged", {}),                                      # nothing recorded, nothing claimed against
])
def test_no_challenge_where_facets_agree_or_are_silent(level: str, facets: dict[str, str]) -> None:
    assert rules(pair_site(level, facets)) == []


def test_every_rule_is_covered_by_a_test() -> None:
    assert set(RULE_NAMES) == {
        "pooled_management_on_separate_it", "merged_team_on_separate_sites",
        "merged_governance_with_separate_finance", "merged_team_without_single_management",
        "merged_team_with_separate_hr", "co_located_on_separate_sites"}


def test_a_link_can_break_several_rules_reported_in_rule_order() -> None:
    site = pair_site("fully_merged", {"it": "separate", "estates": "separate", "finance": "separate",
                                      "management": "joint", "hr": "separate"})
    assert rules(site) == list(RULE_NAMES[:5])


def test_explanation_names_the_units_the_level_and_the_evidence() -> None:
    [challenge] = structural_challenges(pair_site("pooled_management", {"it": "separate"}))
    assert challenge.link == "l1"
    assert "Older adults MH and Older adults social work" in challenge.explanation
    assert "(mh)" not in challenge.explanation
    assert "pooled management" in challenge.explanation
    assert "IT is recorded as separate" in challenge.explanation


@pytest.mark.parametrize(("level", "attribute", "rule", "words"), [
    ("pooled_management", "it_system", "pooled_management_on_separate_it", "IT systems differ"),
    ("fully_merged", "location", "merged_team_on_separate_sites", "locations differ"),
    ("fully_merged", "employer", "merged_team_with_separate_hr", "employers differ"),
    ("co_located", "location", "co_located_on_separate_sites", "locations differ"),
])
def test_unit_attributes_stand_in_for_unrecorded_facets(level: str, attribute: str, rule: str,
                                                        words: str) -> None:
    site = pair_site(level, attrs=({attribute: "Alpha"}, {attribute: "Beta"}))
    [challenge] = structural_challenges(site)
    assert challenge.rule == rule
    assert words in challenge.evidence and "Alpha / Beta" in challenge.evidence


def test_same_attribute_spelt_differently_is_not_a_challenge() -> None:
    site = pair_site("fully_merged", attrs=({"location": "Elm House"}, {"location": " elm house"}))
    assert rules(site) == []


def test_a_recorded_facet_outranks_the_attributes() -> None:
    site = pair_site("pooled_management", {"it": "shared_record"},
                     attrs=({"it_system": "RiO"}, {"it_system": "Mosaic"}))
    assert rules(site) == []


def test_challenges_appear_in_the_descriptor() -> None:
    d = describe_site(pair_site("co_located", {"estates": "separate"}))
    assert [(c.rule, c.link) for c in d.structural_challenges] == [("co_located_on_separate_sites", "l1")]
