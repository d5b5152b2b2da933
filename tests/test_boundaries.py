"""Boundary analysis on small hand-built sites with known answers."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from scipy import sparse

from integramap.analysis.boundaries import (
    analyse,
    coterminosity,
    double_cover,
    gaps,
    nesting_violations,
    no_footprint,
    overlap_matrix,
    straddles,
    unmanaged_interfaces,
)
from integramap.analysis.footprints import footprints, overlap
from integramap.analysis.layers import Layer, LayerError
from integramap.model import Area, Link, Site, Unit


def la(uid: str, name: str, footprint: dict[str, float], **extra: Any) -> Unit:
    return Unit(id=uid, name=name, kind="organisation", org_type="local_authority", footprint=footprint,
                **extra)


def practice(uid: str, pcn: str, area: str, weight: float = 1.0) -> Unit:
    return Unit(id=uid, name=f"Practice {uid}", kind="practice", parent=pcn, footprint={area: weight})


def croxted() -> Site:
    """Croxted PCN: two practices in Lambeth, one in Southwark (the real case, in miniature)."""
    return Site(id="sel", name="South East London",
                areas=[Area(id=f"L{i}", name=f"Lambeth {i}", population=1500) for i in range(3)]
                + [Area(id=f"S{i}", name=f"Southwark {i}", population=1500) for i in range(2)],
                units=[la("lam", "Lambeth", {"L0": 1, "L1": 1, "L2": 1}),
                       la("sou", "Southwark", {"S0": 1, "S1": 1}),
                       Unit(id="crox", name="Croxted PCN", kind="pcn"),
                       practice("g1", "crox", "L0"), practice("g2", "crox", "L1"), practice("g3", "crox", "S0"),
                       Unit(id="brix", name="Brixton PCN", kind="pcn"),
                       practice("g4", "brix", "L2")])


# --- effective footprints ----------------------------------------------------------------------

def test_pcn_footprint_is_the_union_of_its_practices_capped_at_one() -> None:
    site = Site(id="s", name="S", areas=[Area(id="a"), Area(id="b")], units=[
        Unit(id="pcn", name="PCN", kind="pcn"),
        practice("p1", "pcn", "a", 0.7), practice("p2", "pcn", "a", 0.6), practice("p3", "pcn", "b", 0.2)])
    assert footprints(site).weights("pcn") == {"a": 1.0, "b": pytest.approx(0.2)}


def test_own_footprint_wins_over_children() -> None:
    site = Site(id="s", name="S", areas=[Area(id="a"), Area(id="b")], units=[
        Unit(id="pcn", name="PCN", kind="pcn", footprint={"b": 1}), practice("p1", "pcn", "a")])
    assert footprints(site).weights("pcn") == {"b": 1.0}


def test_footprints_come_up_through_units_without_their_own() -> None:
    site = Site(id="s", name="S", areas=[Area(id="a"), Area(id="b"), Area(id="c")], units=[
        Unit(id="icb", name="ICB", kind="system"),
        Unit(id="place", name="Place", kind="place", parent="icb"),
        Unit(id="pcn", name="PCN", kind="pcn", parent="place"),
        practice("p1", "pcn", "a"), practice("p2", "pcn", "b"),
        Unit(id="pcn2", name="PCN 2", kind="pcn", parent="icb", footprint={"c": 0.5}),
        practice("p3", "pcn2", "a")])
    fp = footprints(site)
    assert fp.weights("place") == {"a": 1.0, "b": 1.0}
    # pcn2's own footprint stands for its practices, so p3's area is not added again
    assert fp.weights("icb") == {"a": 1.0, "b": 1.0, "c": 0.5}


def test_an_all_zero_footprint_counts_as_none() -> None:
    site = Site(id="s", name="S", areas=[Area(id="a"), Area(id="b")], units=[
        Unit(id="pcn", name="PCN", kind="pcn", footprint={"b": 0.0}), practice("p1", "pcn", "a")])
    assert footprints(site).weights("pcn") == {"a": 1.0}


def test_footprints_are_cached_per_site_object() -> None:
    site = croxted()
    assert footprints(site) is footprints(site)
    assert footprints(croxted()) is not footprints(site)


def test_overlap_matches_a_dense_computation() -> None:
    rng = np.random.default_rng(7)
    a = rng.random((6, 9)) * (rng.random((6, 9)) < 0.4)
    b = rng.random((5, 9)) * (rng.random((5, 9)) < 0.5)
    pop = rng.random(9) * 100
    dense = np.array([[float(np.sum(pop * np.minimum(a[i], b[j]))) for j in range(5)] for i in range(6)])
    got = overlap(sparse.csr_matrix(a), sparse.csr_matrix(b), pop).toarray()
    np.testing.assert_allclose(got, dense)


def test_overlap_of_empty_matrices() -> None:
    got = overlap(sparse.csr_matrix((0, 4)), sparse.csr_matrix((3, 4)), np.ones(4))
    assert got.shape == (0, 3) and got.nnz == 0


# --- overlap matrix and straddles ---------------------------------------------------------------

def test_overlap_matrix_of_croxted() -> None:
    matrix = overlap_matrix(croxted(), "pcn", "local_authority")
    assert matrix.to_dict() == {"brix": {"lam": 1500.0}, "crox": {"lam": 3000.0, "sou": 1500.0}}
    assert matrix.value("crox", "sou") == 1500.0
    assert matrix.value("brix", "sou") == 0.0
    assert [u.id for u in matrix.units_a] == ["crox", "brix"]
    crox_lam = matrix.overlaps[1]
    assert (crox_lam.a_name, crox_lam.b_name, crox_lam.share_of_a, crox_lam.share_of_b) == (
        "Croxted PCN", "Lambeth", pytest.approx(2 / 3), pytest.approx(2 / 3))


def test_croxted_straddles_lambeth_and_southwark_with_known_split() -> None:
    found = straddles(croxted(), "pcn", "local_authority")
    assert len(found) == 1
    s = found[0]
    assert (s.unit, s.name, s.population) == ("crox", "Croxted PCN", 4500.0)
    assert s.split == {"lam": pytest.approx(2 / 3), "sou": pytest.approx(1 / 3)}
    assert list(s.split) == ["lam", "sou"]
    assert s.alignment == pytest.approx(2 / 3)
    assert s.partner_names == ["Lambeth", "Southwark"]


def test_a_tie_is_broken_by_id_and_straddles_sort_least_aligned_first() -> None:
    site = Site(id="s", name="S", areas=[Area(id=a, population=10) for a in "wxyz"], units=[
        la("zeta", "Zeta", {"w": 1, "y": 1}), la("alpha", "Alpha", {"x": 1, "z": 1}),
        Unit(id="even", name="Even PCN", kind="pcn", footprint={"w": 1, "x": 1}),
        Unit(id="lop", name="Lopsided PCN", kind="pcn", footprint={"w": 1, "x": 1, "z": 1})])
    found = straddles(site, "pcn", "local_authority")
    assert [s.unit for s in found] == ["even", "lop"]
    assert list(found[0].split) == ["alpha", "zeta"]
    assert found[0].alignment == 0.5
    assert found[1].split == {"alpha": pytest.approx(2 / 3), "zeta": pytest.approx(1 / 3)}


def test_zero_population_areas_make_no_straddle() -> None:
    site = Site(id="s", name="S", areas=[Area(id="a", population=100), Area(id="park", population=0)],
                units=[la("l1", "One", {"a": 1}), la("l2", "Two", {"park": 1}),
                       Unit(id="p", name="PCN", kind="pcn", footprint={"a": 1, "park": 1})])
    assert straddles(site, "pcn", "local_authority") == []
    assert overlap_matrix(site, "pcn", "local_authority").to_dict() == {"p": {"l1": 100.0}}
    assert coterminosity(site, "pcn", "local_authority") == 1.0


def test_unknown_population_counts_one_per_area() -> None:
    site = Site(id="s", name="S", areas=[Area(id="a"), Area(id="b"), Area(id="c")],
                units=[la("l1", "One", {"a": 1, "b": 1}), la("l2", "Two", {"c": 1}),
                       Unit(id="p", name="PCN", kind="pcn", footprint={"a": 1, "b": 1, "c": 1})])
    assert straddles(site, "pcn", "local_authority")[0].split == {"l1": pytest.approx(2 / 3),
                                                                   "l2": pytest.approx(1 / 3)}


def test_a_unit_with_no_footprint_is_listed_not_straddled() -> None:
    site = croxted().replace(units=[*croxted().model_dump()["units"],
                                    {"id": "empty", "name": "Empty PCN", "kind": "pcn"}])
    assert "empty" not in {s.unit for s in straddles(site, "pcn", "local_authority")}
    assert [u.id for u in no_footprint(site, "pcn")] == ["empty"]
    report = analyse(site, "pcn", "local_authority")
    assert [(u.id, u.layer) for u in report.no_footprint] == [("empty", "pcn")]
    assert report.counts.no_footprint == 1


# --- coterminosity -------------------------------------------------------------------------------

def test_coterminosity_known_values() -> None:
    site = croxted()
    # Croxted 3000 of 4500 in its largest district, Brixton 1500 of 1500
    assert coterminosity(site, "pcn", "local_authority") == pytest.approx(4500 / 6000)
    # Lambeth holds Croxted's 3000 and Brixton's 1500; Southwark only Croxted's 1500
    assert coterminosity(site, "local_authority", "pcn") == pytest.approx((3000 + 1500) / 6000)
    assert coterminosity(site, "pcn", "pcn") == pytest.approx(1.0)


def test_coterminosity_is_undefined_for_empty_layers_and_disjoint_layers() -> None:
    site = croxted()
    assert coterminosity(site, "pcn", "lcn") is None
    assert coterminosity(site, "lcn", "pcn") is None
    disjoint = Site(id="s", name="S", areas=[Area(id="a"), Area(id="b")],
                    units=[Unit(id="p", name="P", kind="pcn", footprint={"a": 1}),
                           Unit(id="l", name="L", kind="lcn", footprint={"b": 1})])
    assert coterminosity(disjoint, "pcn", "lcn") is None


# --- gaps ---------------------------------------------------------------------------------------

def gap_site() -> Site:
    return Site(id="s", name="S", areas=[
        Area(id="a", name="A", population=100), Area(id="b", name="B", population=300),
        Area(id="c", name="C", population=300), Area(id="d", name="D", population=50),
        Area(id="e", name="E", population=0)],
        units=[la("council", "Council", {"a": 1, "b": 1, "c": 1, "e": 1}),
               Unit(id="t1", name="Team 1", kind="team", footprint={"a": 1}),
               Unit(id="t2", name="Team 2", kind="team", footprint={"d": 0.5})])


def test_gaps_in_the_whole_site_sorted_by_population_then_id() -> None:
    found = gaps(gap_site(), "team")
    assert [(g.area, g.population, g.uncovered_population) for g in found] == [
        ("b", 300.0, 300.0), ("c", 300.0, 300.0), ("e", 0.0, 0.0)]
    assert all(g.layer == "team" and g.covered == 0.0 and g.within == [] for g in found)


def test_gaps_within_another_layer_name_its_units() -> None:
    found = gaps(gap_site(), "team", "local_authority")
    assert [g.area for g in found] == ["b", "c", "e"]
    assert found[0].within == ["council"] and found[0].within_names == ["Council"]


def test_partial_gaps_include_areas_covered_less_than_fully() -> None:
    found = gaps(gap_site(), "team", partial=True)
    assert [(g.area, g.covered, g.uncovered_population) for g in found] == [
        ("b", 0.0, 300.0), ("c", 0.0, 300.0), ("d", 0.5, 25.0), ("e", 0.0, 0.0)]


def test_every_area_is_a_gap_of_an_empty_layer() -> None:
    assert [g.area for g in gaps(gap_site(), "lcn")] == ["b", "c", "a", "d", "e"]
    assert gaps(gap_site(), "team", "lcn") == []


# --- double cover -------------------------------------------------------------------------------

def test_double_cover_needs_two_units_and_total_above_one() -> None:
    site = Site(id="s", name="S", areas=[Area(id=a, population=100) for a in "abcd"], units=[
        Unit(id="t1", name="Team 1", kind="team", footprint={"a": 0.5, "b": 0.6, "c": 1, "d": 1}),
        Unit(id="t2", name="Team 2", kind="team", footprint={"a": 0.5, "b": 0.6, "c": 1}),
        Unit(id="t3", name="Team 3", kind="team", footprint={"c": 0.25})])
    found = double_cover(site, "team")
    assert [(d.area, d.total_weight, d.excess_population) for d in found] == [
        ("c", 2.25, 125.0), ("b", pytest.approx(1.2), pytest.approx(20.0))]
    assert found[0].units == {"t1": 1.0, "t2": 1.0, "t3": 0.25}
    assert found[0].unit_names == ["Team 1", "Team 2", "Team 3"]


def test_double_cover_of_empty_layer_and_zero_population() -> None:
    site = Site(id="s", name="S", areas=[Area(id="a", population=0)], units=[
        Unit(id="t1", name="Team 1", kind="team", footprint={"a": 1}),
        Unit(id="t2", name="Team 2", kind="team", footprint={"a": 1})])
    assert double_cover(site, "lcn") == []
    found = double_cover(site, "team")
    assert [(d.area, d.population, d.excess_population) for d in found] == [("a", 0.0, 0.0)]


# --- nesting ------------------------------------------------------------------------------------

def test_nesting_violation_share_and_population_outside() -> None:
    site = Site(id="s", name="S", areas=[Area(id="a", population=300), Area(id="b", population=100),
                                         Area(id="c", population=100)], units=[
        Unit(id="place", name="Place", kind="place", footprint={"a": 1}),
        Unit(id="lcn", name="LCN", kind="lcn", parent="place", footprint={"a": 1, "b": 1, "c": 0.5}),
        Unit(id="ok", name="Inside LCN", kind="lcn", parent="place", footprint={"a": 0.5})])
    found = nesting_violations(site)
    assert len(found) == 1
    v = found[0]
    assert (v.unit, v.parent, v.parent_name, v.outside_areas) == ("lcn", "place", "Place", 2)
    assert v.population == 450.0 and v.outside_population == 150.0
    assert v.outside_share == pytest.approx(1 / 3)


def test_a_weight_above_the_parents_is_outside() -> None:
    site = Site(id="s", name="S", areas=[Area(id="a", population=100)], units=[
        Unit(id="org", name="Org", kind="organisation", footprint={"a": 0.5}),
        Unit(id="t", name="Team", kind="team", parent="org", footprint={"a": 1})])
    assert nesting_violations(site)[0].outside_population == 50.0


def test_nesting_with_zero_population_falls_back_to_weights() -> None:
    site = Site(id="s", name="S", areas=[Area(id="a", population=0), Area(id="b", population=0)], units=[
        Unit(id="org", name="Org", kind="organisation", footprint={"a": 1}),
        Unit(id="t", name="Team", kind="team", parent="org", footprint={"a": 1, "b": 1})])
    v = nesting_violations(site)[0]
    assert (v.outside_population, v.outside_share) == (0.0, 0.5)


def test_derived_parents_and_units_without_footprints_never_violate() -> None:
    site = croxted().replace(units=[*croxted().model_dump()["units"],
                                    {"id": "t", "name": "Team", "kind": "team", "parent": "lam"}])
    assert nesting_violations(site) == []


def test_nesting_narrowed_to_layers() -> None:
    site = Site(id="s", name="S", areas=[Area(id="a"), Area(id="b")], units=[
        Unit(id="place", name="Place", kind="place", footprint={"a": 1}),
        Unit(id="lcn", name="LCN", kind="lcn", parent="place", footprint={"b": 1}),
        Unit(id="pcn", name="PCN", kind="pcn", parent="place", footprint={"b": 1})])
    assert [v.unit for v in nesting_violations(site)] == ["lcn", "pcn"]
    assert [v.unit for v in nesting_violations(site, ["pcn"])] == ["pcn"]


# --- unmanaged interfaces -----------------------------------------------------------------------

def interface_site(links: list[Link]) -> Site:
    return Site(id="s", name="S", areas=[Area(id=a, population=100) for a in "abcd"], units=[
        Unit(id="trust", name="Trust", kind="organisation", org_type="nhs_trust"),
        Unit(id="dir", name="Adult MH", kind="directorate", parent="trust"),
        Unit(id="team", name="Team", kind="team", parent="dir", sectors=["mental_health"],
             footprint={"a": 1, "b": 1}),
        Unit(id="place", name="Place", kind="place"),
        Unit(id="pcn", name="PCN", kind="pcn", parent="place", footprint={"b": 1, "c": 1, "d": 1})],
        links=links)


def test_unmanaged_interface_without_any_link() -> None:
    found = unmanaged_interfaces(interface_site([]), "team", "pcn")
    assert len(found) == 1
    m = found[0]
    assert (m.a, m.a_name, m.b, m.b_name, m.population) == ("team", "Team", "pcn", "PCN", 100.0)
    assert (m.share, m.share_of_a, m.share_of_b) == (0.5, 0.5, pytest.approx(1 / 3))


@pytest.mark.parametrize(("source", "target"), [("team", "pcn"), ("pcn", "team"), ("dir", "pcn"), ("pcn", "dir")])
def test_a_link_between_the_units_or_their_operational_containers_manages_the_interface(source: str,
                                                                                        target: str) -> None:
    site = interface_site([Link(id="l", source=source, target=target, level="interface")])
    assert unmanaged_interfaces(site, "team", "pcn") == []


@pytest.mark.parametrize(("source", "target"), [("trust", "pcn"), ("dir", "place"), ("place", "team"),
                                                ("team", "place")])
def test_a_link_to_an_organisation_place_or_system_is_strategic_and_manages_nothing(source: str,
                                                                                    target: str) -> None:
    # DESIGN.md: a link manages an interface only below organisation level.
    site = interface_site([Link(id="l", source=source, target=target, level="merged_governance")])
    assert [(m.a, m.b) for m in unmanaged_interfaces(site, "team", "pcn")] == [("team", "pcn")]


def directorates_site(links: list[Link]) -> Site:
    """Two sibling teams in one directorate, a cousin in another; PCNs under two places, an LCN."""
    return Site(id="s", name="S", areas=[Area(id=a, population=100) for a in "abcdef"], units=[
        Unit(id="trust", name="Trust", kind="organisation", org_type="nhs_trust"),
        Unit(id="dir_a", name="Directorate A", kind="directorate", parent="trust"),
        Unit(id="dir_b", name="Directorate B", kind="directorate", parent="trust"),
        Unit(id="t1", name="Team 1", kind="team", parent="dir_a", footprint={"a": 1, "b": 1}),
        Unit(id="t2", name="Team 2", kind="team", parent="dir_a", footprint={"b": 1, "c": 1}),
        Unit(id="t3", name="Team 3", kind="team", parent="dir_b", footprint={"c": 1, "d": 1}),
        Unit(id="north", name="North place", kind="place"),
        Unit(id="south", name="South place", kind="place"),
        Unit(id="p1", name="PCN 1", kind="pcn", parent="north", footprint={"a": 1, "b": 1, "c": 1}),
        Unit(id="p2", name="PCN 2", kind="pcn", parent="south", footprint={"d": 1, "e": 1, "f": 1}),
        Unit(id="lcn", name="North LCN", kind="lcn", parent="north", footprint={"c": 1, "d": 1})],
        links=links)


def test_siblings_are_managed_by_their_parent_but_cousins_are_not() -> None:
    site = directorates_site([])
    # t1 and t2 share area b under one directorate; t2 and t3 share c across two directorates
    assert [(m.a, m.b, m.population) for m in unmanaged_interfaces(site, "team", "team")] == [("t2", "t3", 100.0)]


def test_a_place_does_not_manage_the_interfaces_of_the_networks_beneath_it() -> None:
    site = directorates_site([])
    # PCN 1 and the LCN are both under North place, PCN 2 under South: a partnership board
    # is not the manager of either PCN:LCN interface, so both are reported
    assert [(m.a, m.b, m.population) for m in unmanaged_interfaces(site, "pcn", "lcn")] == [
        ("p1", "lcn", 100.0), ("p2", "lcn", 100.0)]
    linked = directorates_site([Link(id="l", source="p1", target="lcn", level="interface")])
    assert [(m.a, m.b) for m in unmanaged_interfaces(linked, "pcn", "lcn")] == [("p2", "lcn")]


def test_a_link_between_the_parents_manages_every_pair_below_them() -> None:
    site = directorates_site([Link(id="l1", source="dir_a", target="dir_b", level="interface"),
                              Link(id="l2", source="south", target="lcn", level="interface"),
                              Link(id="l3", source="p1", target="lcn", level="interface")])
    assert unmanaged_interfaces(site, "team", "team") == []
    # p1's own link manages p1–LCN; the South place's link is strategic and leaves p2–LCN unmanaged.
    assert [(m.a, m.b) for m in unmanaged_interfaces(site, "pcn", "lcn")] == [("p2", "lcn")]


def test_unmanaged_interfaces_of_teams_and_pcns_with_known_answers() -> None:
    site = directorates_site([Link(id="l", source="dir_b", target="p2", level="co_located")])
    found = [(m.a, m.b, m.population, round(m.share, 3)) for m in unmanaged_interfaces(site, "team", "pcn")]
    # t1 and t2 lie within PCN 1 (200 of their 200 people); t3 meets PCN 1 in c and PCN 2 in d,
    # and the directorate's link to PCN 2 manages the second
    assert found == [("t1", "p1", 200.0, 1.0), ("t2", "p1", 200.0, 1.0), ("t3", "p1", 100.0, 0.5)]


def test_threshold_is_a_share_of_the_smaller_unit() -> None:
    site = interface_site([])
    assert len(unmanaged_interfaces(site, "team", "pcn", threshold=0.5)) == 1
    assert unmanaged_interfaces(site, "team", "pcn", threshold=0.51) == []
    assert len(unmanaged_interfaces(site, "team", "pcn", threshold=0.0)) == 1
    with pytest.raises(ValueError, match="between 0 and 1"):
        unmanaged_interfaces(site, "team", "pcn", threshold=1.5)


def test_within_one_layer_each_pair_is_reported_once() -> None:
    site = Site(id="s", name="S", areas=[Area(id="a"), Area(id="b")], units=[
        Unit(id="t2", name="Team 2", kind="team", footprint={"a": 1}),
        Unit(id="t1", name="Team 1", kind="team", footprint={"a": 1, "b": 1})])
    assert [(m.a, m.b) for m in unmanaged_interfaces(site, "team", "team")] == [("t1", "t2")]


def test_containment_and_the_same_unit_are_not_interfaces() -> None:
    site = Site(id="s", name="S", areas=[Area(id="a")], units=[
        Unit(id="place", name="Place", kind="place", footprint={"a": 1}),
        Unit(id="pcn", name="PCN", kind="pcn", parent="place", footprint={"a": 1})])
    assert unmanaged_interfaces(site, "pcn", "place") == []
    assert unmanaged_interfaces(site, "pcn", "pcn") == []


# --- analyse ------------------------------------------------------------------------------------

def test_analyse_collects_everything_and_counts_it() -> None:
    site = croxted()
    report = analyse(site, "pcn", Layer.parse("local_authority"))
    assert (report.layer_a, report.layer_b, report.units_a, report.units_b) == ("pcn", "local_authority", 2, 2)
    assert report.coterminosity.people == pytest.approx(0.75)
    # Croxted straddles, its neighbour does not: half the PCNs lie within one district.
    assert (report.coterminosity.units, report.coterminosity.units_within) == (0.5, 1)
    assert [s.unit for s in report.straddles] == ["crox"]
    assert [(g.layer, g.area, g.within) for g in report.gaps] == [("pcn", "S1", ["sou"])]
    assert report.double_cover == [] and report.nesting_violations == []
    assert {(m.a, m.b) for m in report.unmanaged_interfaces} == {("crox", "lam"), ("crox", "sou"),
                                                                ("brix", "lam")}
    c = report.counts
    assert (c.straddles, c.gaps, c.double_cover, c.nesting_violations, c.unmanaged_interfaces) == (1, 1, 0, 0, 3)
    assert c.mismatches == 5
    assert report.population_known


def test_analyse_with_empty_layers() -> None:
    report = analyse(croxted(), "lcn", "place")
    assert report.coterminosity.people is None and report.coterminosity.units is None
    assert report.straddles == [] and report.unmanaged_interfaces == [] and report.overlaps == []
    assert report.counts.gaps == 10  # every area, once for each empty layer
    assert report.units_a == report.units_b == 0


def test_analyse_is_deterministic_whatever_the_unit_order() -> None:
    site = croxted()
    reordered = site.replace(units=list(reversed(site.model_dump()["units"])),
                             areas=list(reversed(site.model_dump()["areas"])))
    first = analyse(site, "pcn", "local_authority").model_dump()
    second = analyse(reordered, "pcn", "local_authority").model_dump()
    assert first["straddles"] == second["straddles"]
    assert first["gaps"] == second["gaps"]
    assert first["unmanaged_interfaces"] == second["unmanaged_interfaces"]
    assert first["overlaps"] == second["overlaps"]
    assert first["coterminosity"]["people"] == pytest.approx(second["coterminosity"]["people"])
    assert first["coterminosity"]["units"] == second["coterminosity"]["units"]


def test_analyse_rejects_bad_input() -> None:
    with pytest.raises(LayerError):
        analyse(croxted(), "pnc", "lcn")
    with pytest.raises(ValueError, match="threshold"):
        analyse(croxted(), "pcn", "lcn", threshold=-0.1)


def test_analyse_json_has_the_documented_keys() -> None:
    data = analyse(croxted(), "pcn", "local_authority").model_dump(mode="json")
    for key in ("straddles", "gaps", "double_cover", "nesting_violations", "unmanaged_interfaces",
                "coterminosity"):
        assert key in data
    assert {"unit", "name", "split", "alignment", "partner_names"} <= set(data["straddles"][0])


def test_units_serving_different_age_groups_share_no_people() -> None:
    areas = [Area(id="a", population=100)]
    site = Site(id="s", name="S", areas=areas, units=[
        Unit(id="adult", name="Adult team", kind="team", age_groups=["adults"], footprint={"a": 1}),
        Unit(id="older", name="Older people's team", kind="team", age_groups=["older_people"], footprint={"a": 1}),
        Unit(id="both", name="Frailty team", kind="team", age_groups=["adults", "older_people"],
             footprint={"a": 1}),
        Unit(id="any", name="Team with no ages recorded", kind="team", footprint={"a": 1})])
    pairs = {(m.a, m.b) for m in unmanaged_interfaces(site, "team", "team")}
    assert ("adult", "older") not in pairs
    assert {("adult", "both"), ("both", "older"), ("adult", "any"), ("any", "older"), ("any", "both")} <= pairs
