"""Boundary analysis of the real national files (skips, saying why, where they are absent).

Each practice's registered list is an area, so a PCN's split over districts or
sub-ICB locations is the share of its practices in each: the same answer as a
plain join of the practice lookup with the LSOA → district lookup.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict

import pytest
from conftest import shared_file

from integramap.analysis.boundaries import analyse, nesting_violations
from integramap.model import Site

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def national() -> Site:
    practices = shared_file("nhs-reference", "practice_pcn_lookup_2024.csv")
    lsoa_lad = shared_file("nhs-reference", "lsoa21_to_lad.csv")
    from integramap.io.nhs import import_nhs

    return import_nhs(practices=practices, lsoa_lad=lsoa_lad)


def _joined_splits(column: str, prefix: str) -> dict[str, dict[str, float]]:
    """PCNs in two or more districts (or locations) by a plain join of the two CSV files."""
    with shared_file("nhs-reference", "lsoa21_to_lad.csv").open(newline="", encoding="utf-8-sig") as fh:
        lad_of = {row["LSOA21CD"]: row["LAD_CD"] for row in csv.DictReader(fh)}
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    path = shared_file("nhs-reference", "practice_pcn_lookup_2024.csv")
    with path.open(newline="", encoding="utf-8-sig") as fh:
        for row in csv.DictReader(fh):
            if row["PCN_CODE"] in ("", "U"):
                continue
            code = lad_of.get(row["PRAC_LSOA21"]) if column == "LAD" else row["LOC_CODE"]
            if code:
                counts[row["PCN_CODE"]][prefix + code] += 1
    return {pcn: {k: n / sum(c.values()) for k, n in c.items()} for pcn, c in counts.items() if len(c) > 1}


def test_croxted_pcn_straddles_lambeth_and_southwark(national: Site) -> None:
    report = analyse(national, "pcn", "local_authority")
    [croxted] = [s for s in report.straddles if s.name.upper() == "CROXTED PCN"]
    assert croxted.unit == "U60524"
    assert croxted.partner_names == ["Lambeth", "Southwark"]
    assert croxted.split == {"LAD:E09000022": pytest.approx(2 / 3), "LAD:E09000028": pytest.approx(1 / 3)}
    assert croxted.alignment == pytest.approx(2 / 3)
    people = report.coterminosity.people
    assert people is not None and 0.9 < people < 1.0
    assert report.counts.double_cover == 0


@pytest.mark.parametrize(("layer", "column", "prefix", "expected"),
                         [("local_authority", "LAD", "LAD:", 167), ("place", "LOC", "LOC:", 9)])
def test_straddles_agree_with_a_plain_join(national: Site, layer: str, column: str, prefix: str,
                                           expected: int) -> None:
    joined = _joined_splits(column, prefix)
    ours = {s.unit: s.split for s in analyse(national, "pcn", layer).straddles}
    assert len(ours) == len(joined) == expected
    assert ours.keys() == joined.keys()
    for pcn, split in joined.items():
        assert ours[pcn] == pytest.approx(split), pcn


def test_pcn_gaps_are_the_lists_of_practices_in_no_pcn(national: Site) -> None:
    unallocated = set(national.metadata["import"]["practices_without_pcn"])
    gaps = [g for g in analyse(national, "pcn", "place").gaps if g.layer == "pcn"]
    assert unallocated and {g.area for g in gaps} == {"list:" + code for code in unallocated}


def test_epcn_alone_shows_pcns_across_sub_icb_locations() -> None:
    epcn = shared_file("nhs-reference", "epcn_2023-01.xlsx")
    epraccur = shared_file("nhs-reference", "epraccur_2023-01.csv")
    from integramap.io.nhs import import_nhs

    site = import_nhs(epcn=epcn, epraccur=epraccur)
    report = analyse(site, "pcn", "place")
    # Each practice's registered list is an area of its own, so places never share one:
    # every straddle is a PCN whose practices belong to different sub-ICB locations.
    assert report.counts.double_cover == 0
    g3 = {s.name: s for s in report.straddles}["G3 PCN"]
    assert g3.split == {"LOC:03W": pytest.approx(1 / 3), "LOC:04C": pytest.approx(1 / 3),
                        "LOC:04V": pytest.approx(1 / 3)}
    for s in report.straddles:
        practices = [u for u in site.units if u.parent == s.unit]
        homes = {loc for p in practices for loc in site.units_by_id if loc.startswith("LOC:")
                 and set(p.footprint) <= set(site.units_by_id[loc].footprint)}
        assert len(homes) >= 2


def test_epcn_nesting_counts_the_practices_ods_flags() -> None:
    """ODS flags 16 current practices whose sub-ICB location is not their PCN's (Jan 2023)."""
    from integramap.io.nhs import import_nhs

    site = import_nhs(epcn=shared_file("nhs-reference", "epcn_2023-01.xlsx"),
                      epraccur=shared_file("nhs-reference", "epraccur_2023-01.csv"))
    # ODS's own parents: U41591 splits 2–2 between 11N and 15N, U93998 mostly lies outside 05G.
    assert site.unit("U41591").parent == "LOC:15N"
    assert site.unit("U93998").parent == "LOC:05G"
    pcns = [v for v in nesting_violations(site) if v.kind == "pcn"]
    assert sum(v.outside_areas for v in pcns) == 16


def test_an_icb_filter_keeps_a_pcn_that_crosses_it_whole() -> None:
    from integramap.io.nhs import import_nhs, import_summary

    site = import_nhs(epcn=shared_file("nhs-reference", "epcn_2023-01.xlsx"),
                      epraccur=shared_file("nhs-reference", "epraccur_2023-01.csv"), icb=["QT6"])
    assert sorted(u.id for u in site.units if u.parent == "U41591") == ["L82008", "L83012", "L83069", "Y01127"]
    assert site.metadata["import"]["practices_outside_filter"] == ["L83012", "L83069"]
    assert "2 practices outside the filter kept with their PCN" in import_summary(site)
    assert {s.unit for s in analyse(site, "pcn", "place").straddles} == {"U41591"}
