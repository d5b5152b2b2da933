"""Comparing sites: similarity components, the sector-pair level matrix and the version diff."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import FIXTURES, MODELS
from integramap.analysis.compare import WEIGHTS, compare_sites, diff_sites, similarity_of, unique_labels
from integramap.analysis.typology import describe_site
from integramap.io import read_site
from integramap.model import Level, Site, validate_site


def make_site(sid: str, units: list[dict[str, Any]], links: list[dict[str, Any]] | None = None,
              **extra: Any) -> Site:
    return validate_site({"id": sid, "name": sid.title(), "units": units, "links": links or [], **extra})


UNITS = [
    {"id": "mh", "name": "MH team", "kind": "team", "sectors": ["mental_health"], "basis": "geographic",
     "age_groups": ["adults"]},
    {"id": "sc", "name": "Social work", "kind": "team", "sectors": ["social_care"], "basis": "geographic",
     "age_groups": ["adults"], "attributes": {"position": {"x": 1, "y": 2}}},
    {"id": "gp", "name": "Surgery", "kind": "practice"},
]
LINKS = [
    {"id": "l1", "source": "mh", "target": "sc", "level": "co_located", "mechanisms": ["interface_meeting"]},
    {"id": "l2", "source": "gp", "target": "mh", "level": "interface", "mechanisms": ["referral_route"]},
]


@pytest.fixture
def before() -> Site:
    return make_site("borough", UNITS, LINKS)


def test_weights_sum_to_one() -> None:
    assert sum(WEIGHTS.values()) == pytest.approx(1.0)


def test_identical_sites_score_one(before: Site) -> None:
    d = describe_site(before)
    sim = similarity_of(d, d, "x", "y")
    assert sim.score == 1.0
    assert [c.name for c in sim.components] == list(WEIGHTS)
    assert all(c.value == 1.0 for c in sim.components)


def test_components_are_explained_and_weighted(before: Site) -> None:
    other = make_site("camhs", [
        {"id": "c1", "name": "CAMHS", "kind": "team", "sectors": ["mental_health"], "basis": "functional",
         "age_groups": ["children"]},
        {"id": "c2", "name": "Children's social care", "kind": "team", "sectors": ["social_care"],
         "basis": "functional", "age_groups": ["children"]}],
        [{"id": "k", "source": "c1", "target": "c2", "level": "co_located", "mechanisms": ["interface_meeting"]}])
    sim = similarity_of(describe_site(before), describe_site(other), "borough", "camhs")
    comp = {c.name: c for c in sim.components}
    assert comp["basis"].value == 0.0 and comp["basis"].explanation == "geographic / functional"
    assert comp["populations"].value == 0.0
    assert comp["sectors"].value == pytest.approx(2 / 3, abs=1e-4)
    assert comp["sectors"].explanation == "2 of 3 sectors in common"
    assert comp["sector_pairs"].value == pytest.approx(1 / 2, abs=1e-4)
    assert comp["mechanisms"].value == pytest.approx(1 / 2, abs=1e-4)
    # Half of the borough's links are co-located, half two steps lower (interface): one step
    # apart on average, out of the scale's five.
    assert comp["depth"].value == pytest.approx(1 - 1 / 5, abs=1e-4)
    assert sim.score == pytest.approx(sum(WEIGHTS[n] * c.value for n, c in comp.items()), abs=1e-4)
    assert 0.0 <= sim.score <= 1.0


def test_depth_component_edge_cases() -> None:
    empty = describe_site(make_site("e", [{"id": "a", "name": "A", "kind": "team"}]))
    linked = describe_site(make_site("f", UNITS, LINKS))
    assert {c.name: c.value for c in similarity_of(empty, empty).components}["depth"] == 1.0
    assert {c.name: c.value for c in similarity_of(empty, linked).components}["depth"] == 0.0


def test_level_matrix_has_every_pair_of_every_site(before: Site) -> None:
    other = make_site("other", UNITS, [{"id": "x", "source": "mh", "target": "sc", "level": "fully_merged"}])
    c = compare_sites([before, other])
    assert c.labels == ["borough", "other"]
    assert c.level_matrix == {
        "primary_care+mental_health": {"borough": Level.INTERFACE, "other": None},
        "mental_health+social_care": {"borough": Level.CO_LOCATED, "other": Level.FULLY_MERGED},
    }
    assert c.diff is None  # different sites are not versions of each other


def test_three_sites_give_every_pair(before: Site) -> None:
    c = compare_sites([before, make_site("b", UNITS), make_site("c", UNITS)])
    assert [(s.a, s.b) for s in c.similarity] == [("borough", "b"), ("borough", "c"), ("b", "c")]


def test_fewer_than_two_sites_or_wrong_labels_are_refused(before: Site) -> None:
    with pytest.raises(ValueError, match="two or more sites"):
        compare_sites([before])
    with pytest.raises(ValueError, match="one per site"):
        compare_sites([before, before], labels=["only one"])


def test_repeated_labels_are_numbered() -> None:
    assert unique_labels(["a", "a", "a"]) == ["a", "a (2)", "a (3)"]


def test_two_versions_of_one_site_are_diffed(before: Site) -> None:
    data = before.model_dump(mode="json")
    data["units"][0]["name"] = "Community MH team"
    data["units"][1]["attributes"] = {"position": {"x": 50, "y": 60}}  # moved on the map only
    data["units"].append({"id": "dn", "name": "District nursing", "kind": "team",
                          "sectors": ["community_health"]})
    data["links"][0]["level"] = "pooled_management"
    data["links"][0]["facets"] = {"management": "pooled"}
    data["links"][1]["level"] = "interface"
    data["links"][1]["mechanisms"] = ["referral_route", "single_point_of_access"]
    data["links"].append({"id": "l3", "source": "dn", "target": "sc", "level": "fully_merged"})
    after = validate_site(data)
    gone = validate_site({**before.model_dump(mode="json"), "links": [before.model_dump(mode="json")["links"][0]]})

    c = compare_sites([before, after], labels=["2024", "2025"])
    d = c.diff
    assert d is not None and (d.before, d.after) == ("2024", "2025")
    assert [u.id for u in d.units_added] == ["dn"] and d.units_removed == []
    assert [(u.id, [(ch.field, ch.before, ch.after) for ch in u.changes]) for u in d.units_changed] == [
        ("mh", [("name", "MH team", "Community MH team")])]
    assert [lk.id for lk in d.links_added] == ["l3"]
    changed = {lk.id: lk for lk in d.links_changed}
    assert (changed["l1"].level_before, changed["l1"].level_after, changed["l1"].direction) == (
        Level.CO_LOCATED, Level.POOLED_MANAGEMENT, "up")
    assert [(ch.field, ch.after) for ch in changed["l1"].changes] == [("facets.management", "pooled")]
    assert changed["l2"].direction == "same"
    assert [(ch.field, ch.before, ch.after) for ch in changed["l2"].changes] == [
        ("mechanisms", "referral_route", "referral_route, single_point_of_access")]
    assert (d.levels_up, d.levels_down) == (1, 0)

    back = diff_sites(after, gone)
    assert [lk.id for lk in back.links_removed] == ["l2", "l3"]
    assert [u.id for u in back.units_removed] == ["dn"]
    assert back.levels_down == 1


def test_areas_added_and_removed() -> None:
    v1 = make_site("s", [], areas=[{"id": "a1"}, {"id": "a2"}])
    v2 = make_site("s", [], areas=[{"id": "a2"}, {"id": "a3"}])
    d = diff_sites(v1, v2)
    assert (d.areas_added, d.areas_removed) == (["a3"], ["a1"])


def test_unchanged_versions_have_an_empty_diff() -> None:
    site = read_site(FIXTURES / "typology_borough.yaml")
    d = diff_sites(site, read_site(FIXTURES / "typology_borough.yaml"))
    assert not (d.units_added or d.units_removed or d.units_changed or d.links_added or d.links_removed
                or d.links_changed or d.areas_added or d.areas_removed)


def test_example_sites_differ_plainly() -> None:
    paths = [MODELS / n for n in ("riverside-borough.yaml", "northvale-camhs.yaml", "eastmoor-icp.yaml")]
    if not all(p.exists() for p in paths):
        pytest.skip("example sites not present")
    c = compare_sites([read_site(p) for p in paths])
    scores = {(s.a, s.b): s.score for s in c.similarity}
    assert len(scores) == 3 and all(0.0 < s < 1.0 for s in scores.values())
    assert len({d.code for d in c.descriptors}) == 3
