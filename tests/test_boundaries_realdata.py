"""Boundary analysis of the real national files (skips, saying why, where they are absent)."""

from __future__ import annotations

import pytest
from conftest import shared_file

from integramap.analysis.boundaries import analyse
from integramap.model import Site

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def national() -> Site:
    practices = shared_file("nhs-reference", "practice_pcn_lookup_2024.csv")
    lsoa_lad = shared_file("nhs-reference", "lsoa21_to_lad.csv")
    from integramap.io.nhs import import_nhs

    return import_nhs(practices=practices, lsoa_lad=lsoa_lad)


def test_croxted_pcn_straddles_lambeth_and_southwark(national: Site) -> None:
    report = analyse(national, "pcn", "local_authority")
    [croxted] = [s for s in report.straddles if s.name.upper() == "CROXTED PCN"]
    assert croxted.partner_names == ["Lambeth", "Southwark"]
    assert croxted.split == {"LAD:E09000022": pytest.approx(2 / 3), "LAD:E09000028": pytest.approx(1 / 3)}
    assert croxted.alignment == pytest.approx(2 / 3)
    # Most PCNs lie within one district, and every straddle names at least two
    assert report.coterminosity is not None and 0.9 < report.coterminosity < 1.0
    assert 100 < report.counts.straddles < 400
    assert all(len(s.split) >= 2 for s in report.straddles)


def test_some_pcns_straddle_sub_icb_locations(national: Site) -> None:
    report = analyse(national, "pcn", "place")
    assert report.straddles
    assert all(s.unit.startswith("U") and all(p.startswith("LOC:") for p in s.split) for s in report.straddles)


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
