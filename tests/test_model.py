"""The domain model: every validation rule has a failing case naming its location."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from integramap.model import (
    FACET_SCALES,
    IT,
    Level,
    Site,
    SiteError,
    UnitKind,
    validate_site,
)


def base() -> dict[str, Any]:
    """A small valid site as plain data, for tests to break one rule at a time."""
    return {
        "id": "demo",
        "name": "Demo borough",
        "areas": [
            {"id": "A1", "name": "North", "population": 1500},
            {"id": "A2", "name": "South", "population": 1200},
        ],
        "units": [
            {"id": "trust", "name": "Mental health trust", "kind": "organisation",
             "org_type": "nhs_trust", "sectors": ["mental_health"]},
            {"id": "cmht", "name": "Community MH team", "kind": "team", "parent": "trust",
             "sectors": ["mental_health"], "basis": "geographic", "age_groups": ["adults"],
             "footprint": {"A1": 1.0, "A2": 0.5}},
            {"id": "council", "name": "Council", "kind": "organisation", "org_type": "local_authority"},
            {"id": "asc", "name": "Adult social care", "kind": "team", "parent": "council",
             "sectors": ["social_care"]},
        ],
        "links": [
            {"id": "l1", "source": "cmht", "target": "asc", "level": "pooled_management",
             "target_level": "fully_merged", "facets": {"it": "separate", "management": "pooled"},
             "mechanisms": ["integrated_case_management"]},
        ],
    }


def problems_of(data: dict[str, Any]) -> list[str]:
    with pytest.raises(SiteError) as info:
        validate_site(data)
    return [str(p) for p in info.value.problems]


def test_base_site_is_valid() -> None:
    site = validate_site(base())
    assert site.unit("cmht").parent == "trust"
    assert site.link("l1").level is Level.POOLED_MANAGEMENT
    assert site.link("l1").facets.it is IT.SEPARATE
    assert site.organisation_of("cmht") == "trust"
    assert site.ancestors("cmht") == ["trust"]
    assert site.descendants("council") == ["asc"]


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d["links"][0].update(target="nobody"),
         "links[0].target: unknown unit 'nobody'"),
        (lambda d: d["links"][0].update(source="ghost"),
         "links[0].source: unknown unit 'ghost'"),
        (lambda d: d["units"][1].update(parent="missing"),
         "units[1].parent: unknown unit 'missing'"),
        (lambda d: d["units"][1]["footprint"].update(A9=0.5),
         "units[1].footprint.A9: unknown area 'A9'"),
        (lambda d: d["units"].append(dict(d["units"][0])),
         "units[4].id: duplicate unit id 'trust'"),
        (lambda d: d["links"].append(dict(d["links"][0])),
         "links[1].id: duplicate link id 'l1'"),
        (lambda d: d["areas"].append({"id": "A1"}),
         "areas[2].id: duplicate area id 'A1'"),
        (lambda d: d["links"][0].update(target="cmht"),
         "links[0].target: link joins 'cmht' to itself"),
        (lambda d: d["units"][0].update(parent="cmht"),
         "units[0].parent: parent chain loops back to 'trust'"),
        (lambda d: d["links"][0].update(target="trust"),
         "links[0]: link joins 'cmht' to its own ancestor 'trust'"),
        (lambda d: d["units"][1].update(org_type="nhs_trust"),
         "units[1].org_type: org_type is only for organisations"),
    ],
    ids=["link-target", "link-source", "parent", "footprint-area", "dup-unit", "dup-link",
         "dup-area", "self-link", "parent-cycle", "ancestor-link", "org-type-on-team"],
)
def test_integrity_rules(mutate: Any, expected: str) -> None:
    data = copy.deepcopy(base())
    mutate(data)
    found = problems_of(data)
    assert any(expected in p for p in found), found


@pytest.mark.parametrize(
    ("mutate", "where", "words"),
    [
        (lambda d: d["units"][1]["footprint"].update(A1=1.5), "units[1].footprint.A1", "less than or equal to 1"),
        (lambda d: d["units"][1]["footprint"].update(A1=-0.1), "units[1].footprint.A1", "greater than or equal to 0"),
        (lambda d: d["areas"][0].update(population=-5), "areas[0].population", "greater than or equal to 0"),
        (lambda d: d["links"][0].update(level="best_friends"), "links[0].level", "expected one of"),
        (lambda d: d["units"][0].update(kind="department"), "units[0].kind", "expected one of"),
        (lambda d: d["units"][0].update(colour="red"), "units[0].colour", "unknown field"),
        (lambda d: d.update(extra_field=1), "extra_field", "unknown field"),
        (lambda d: d["units"][0].update(id="has space"), "units[0].id", "pattern"),
        (lambda d: d["links"][0]["facets"].update(it="telepathy"), "links[0].facets.it", "expected one of"),
        (lambda d: d["units"][1].update(sectors="mental_health"), "units[1].sectors", "list"),
        (lambda d: d["units"][1]["footprint"].update(A1=float("nan")), "units[1].footprint.A1", "finite"),
        (lambda d: d.pop("name"), "name", "required field is missing"),
    ],
    ids=["weight-high", "weight-negative", "population-negative", "bad-level", "bad-kind",
         "unknown-unit-field", "unknown-site-field", "id-pattern", "bad-facet", "wrong-type",
         "nan-weight", "missing-name"],
)
def test_field_rules(mutate: Any, where: str, words: str) -> None:
    data = copy.deepcopy(base())
    mutate(data)
    found = problems_of(data)
    assert any(p.startswith(f"{where}:") and words in p for p in found), found


def test_every_fault_is_collected_not_just_the_first() -> None:
    data = copy.deepcopy(base())
    data["links"][0]["target"] = "nobody"
    data["units"][1]["parent"] = "missing"
    data["links"].append({"id": "l2", "source": "asc", "target": "asc", "level": "interface"})
    found = problems_of(data)
    assert len(found) == 3, found


def test_structure_errors_are_collected_across_sections() -> None:
    data = copy.deepcopy(base())
    data["units"][0]["kind"] = "nope"
    data["links"][0]["level"] = "nope"
    data["areas"][0]["population"] = -1
    assert len(problems_of(data)) == 3


def test_type_and_reference_faults_are_reported_together() -> None:
    data = copy.deepcopy(base())
    data["areas"][0]["population"] = "many"
    data["links"][0]["target"] = "nobody"
    data["units"][1]["parent"] = 42
    found = problems_of(data)
    assert any(p.startswith("areas[0].population:") for p in found), found
    assert any(p.startswith("links[0].target: unknown unit 'nobody'") for p in found), found
    assert any(p.startswith("units[1].parent:") and "string" in p for p in found), found
    assert len(found) == 3, found


def test_top_level_must_be_a_mapping() -> None:
    with pytest.raises(SiteError, match="expected a mapping"):
        validate_site(["not", "a", "site"])


def test_error_message_is_readable() -> None:
    data = copy.deepcopy(base())
    data["links"][0]["target"] = "nobody"
    with pytest.raises(SiteError) as info:
        validate_site(data, source="borough.yaml")
    text = str(info.value)
    assert text.startswith("borough.yaml: is not a valid site (1 problem)")
    assert "links[0].target" in text and "expected the id of a unit" in text


def test_level_is_ordered_and_reads_as_text() -> None:
    assert list(Level)[0] is Level.INTERFACE and list(Level)[-1] is Level.FULLY_MERGED
    assert Level.INTERFACE < Level.CLOSER_WORKING < Level.CO_LOCATED < Level.POOLED_MANAGEMENT
    assert Level.MERGED_GOVERNANCE < Level.FULLY_MERGED
    assert Level.FULLY_MERGED > Level.CO_LOCATED >= Level.CO_LOCATED
    assert max([Level.CO_LOCATED, Level.INTERFACE]) is Level.CO_LOCATED
    assert Level.CO_LOCATED == "co_located" and str(Level.CO_LOCATED) == "co_located"
    assert Level.POOLED_MANAGEMENT.label == "pooled management"
    assert [lv.rank for lv in Level] == list(range(6))


def test_facet_scales_are_ordered_with_separate_lowest() -> None:
    assert set(FACET_SCALES) == {"governance", "finance", "management", "hr", "it", "estates", "clinical"}
    for name, scale in FACET_SCALES.items():
        first = list(scale)[0]
        assert first.rank == 0
        if name != "clinical":
            assert first.value == "separate"
    with pytest.raises(TypeError):
        _ = Level.INTERFACE < IT.SEPARATE  # different scales do not compare


def test_site_is_frozen_and_lookups_do_not_go_stale() -> None:
    site = validate_site(base())
    with pytest.raises(Exception):
        site.name = "changed"  # type: ignore[misc]
    renamed = site.replace(name="Renamed")
    assert renamed.name == "Renamed" and site.name == "Demo borough"
    assert renamed.unit("asc").kind is UnitKind.TEAM


def test_unknown_lookup_names_the_id() -> None:
    site = validate_site(base())
    with pytest.raises(KeyError, match="no unit 'zzz' in site 'demo'"):
        site.unit("zzz")
    with pytest.raises(KeyError, match="no link 'zzz'"):
        site.link("zzz")


def test_area_population_defaults_to_one_in_overlaps() -> None:
    site = validate_site({"id": "s", "name": "S", "areas": [{"id": "x"}, {"id": "y", "population": 0}]})
    assert [a.weight_population for a in site.areas] == [1.0, 0.0]


def test_site_equality_ignores_cached_lookups() -> None:
    a, b = validate_site(base()), validate_site(base())
    _ = a.units_by_id, a.children_by_id
    assert a == b
    assert isinstance(Site.model_json_schema(), dict)
