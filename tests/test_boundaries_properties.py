"""Properties of the boundary analysis that hold for any site (hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from integramap.analysis.boundaries import analyse, coterminosity, overlap_matrix, straddles
from integramap.analysis.footprints import footprints
from integramap.model import Area, Site, Unit

populations = st.one_of(st.none(), st.sampled_from([0.0]), st.floats(min_value=0.0, max_value=1e5))
weights = st.floats(min_value=0.01, max_value=1.0)


@st.composite
def split_layers(draw: st.DrawFn) -> Site:
    """Layer ``lcn`` with disjoint footprints, and layer ``pcn`` made by splitting the LCNs."""
    n_areas = draw(st.integers(min_value=1, max_value=14))
    pops = draw(st.lists(populations, min_size=n_areas, max_size=n_areas))
    n_lcns = draw(st.integers(min_value=1, max_value=4))
    owner = draw(st.lists(st.integers(min_value=-1, max_value=n_lcns - 1), min_size=n_areas, max_size=n_areas))
    area_weights = draw(st.lists(weights, min_size=n_areas, max_size=n_areas))
    part = draw(st.lists(st.integers(min_value=0, max_value=2), min_size=n_areas, max_size=n_areas))
    areas = [Area(id=f"a{j}", population=pops[j]) for j in range(n_areas)]
    units = []
    for k in range(n_lcns):
        mine = [j for j in range(n_areas) if owner[j] == k]
        units.append(Unit(id=f"lcn{k}", name=f"LCN {k}", kind="lcn",
                          footprint={f"a{j}": area_weights[j] for j in mine}))
        for p in range(3):
            piece = {f"a{j}": area_weights[j] for j in mine if part[j] == p}
            if piece:
                units.append(Unit(id=f"pcn{k}-{p}", name=f"PCN {k}-{p}", kind="pcn", footprint=piece))
    return Site(id="s", name="S", areas=areas, units=units)


@st.composite
def any_layers(draw: st.DrawFn) -> Site:
    """Two layers with arbitrary footprints over the same areas."""
    n_areas = draw(st.integers(min_value=1, max_value=10))
    pops = draw(st.lists(populations, min_size=n_areas, max_size=n_areas))
    areas = [Area(id=f"a{j}", population=pops[j]) for j in range(n_areas)]
    area_ids = [a.id for a in areas]
    units = []
    for kind, count in (("pcn", draw(st.integers(0, 5))), ("lcn", draw(st.integers(0, 5)))):
        for i in range(count):
            footprint = draw(st.dictionaries(st.sampled_from(area_ids), weights, max_size=n_areas))
            units.append(Unit(id=f"{kind}{i}", name=f"{kind} {i}", kind=kind, footprint=footprint))
    return Site(id="s", name="S", areas=areas, units=units)


@settings(max_examples=150, deadline=None)
@given(split_layers())
def test_coterminosity_is_one_when_a_is_made_by_splitting_b(site: Site) -> None:
    value = coterminosity(site, "pcn", "lcn")
    if value is None:  # nothing shared: every shared area has no population
        assert overlap_matrix(site, "pcn", "lcn").overlaps == []
    else:
        assert value == pytest.approx(1.0)
    assert straddles(site, "pcn", "lcn") == []


@settings(max_examples=150, deadline=None)
@given(any_layers())
def test_straddle_shares_sum_to_one_and_alignment_is_the_largest(site: Site) -> None:
    for s in straddles(site, "pcn", "lcn"):
        assert sum(s.split.values()) == pytest.approx(1.0)
        assert len(s.split) >= 2
        assert s.alignment == pytest.approx(max(s.split.values()))
        assert list(s.split.values()) == sorted(s.split.values(), reverse=True)
        assert s.partner_names == [site.unit(uid).name for uid in s.split]


@settings(max_examples=150, deadline=None)
@given(split_layers())
def test_overlap_row_sums_are_at_most_the_units_population(site: Site) -> None:
    # The LCNs do not overlap one another, so no person is counted in two of them.
    matrix = overlap_matrix(site, "pcn", "lcn")
    rows = matrix.to_dict()
    for unit in matrix.units_a:
        assert sum(rows.get(unit.id, {}).values()) <= unit.population * (1 + 1e-9) + 1e-9


@settings(max_examples=100, deadline=None)
@given(any_layers())
def test_overlap_matches_the_definition(site: Site) -> None:
    fp = footprints(site)
    matrix = overlap_matrix(site, "pcn", "lcn").to_dict()
    pop = {a.id: a.weight_population for a in site.areas}
    for u in site.units:
        if u.kind != "pcn":
            continue
        for v in site.units:
            if v.kind != "lcn":
                continue
            wu, wv = fp.weights(u.id), fp.weights(v.id)
            expected = sum(pop[a] * min(wu[a], wv[a]) for a in wu.keys() & wv.keys())
            assert matrix.get(u.id, {}).get(v.id, 0.0) == pytest.approx(expected, abs=1e-6)


@settings(max_examples=100, deadline=None)
@given(any_layers())
def test_analyse_counts_match_its_lists(site: Site) -> None:
    report = analyse(site, "pcn", "lcn")
    c = report.counts
    assert c.straddles == len(report.straddles)
    assert c.gaps == len(report.gaps)
    assert c.mismatches == (len(report.straddles) + len(report.gaps) + len(report.double_cover)
                            + len(report.nesting_violations) + len(report.unmanaged_interfaces))
    figures = report.coterminosity
    if figures.people is not None:
        assert 0.0 < figures.people <= 1.0
        assert figures.units is not None and 0.0 <= figures.units <= 1.0
        # Every unit within one partner has all its shared people in its main partner.
        assert figures.units_within == figures.units_meeting - len(report.straddles)
        if figures.units == 1.0:
            assert figures.people == pytest.approx(1.0)
