"""The readers on the real national files in ../shared/data (skipped, saying why, where absent).

The counts are what the published files hold: the 2024 practice → PCN lookup,
the ONS LSOA (2021) → LAD lookup, and the ODS ePCN workbook and epraccur of January 2023.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

import pytest
from conftest import shared_file

from integramap.io.epcn import read_epcn, read_epraccur
from integramap.io.nhs_practices import read_practice_lookup
from integramap.io.nhs_records import LsoaRecord, PracticeRecord
from integramap.io.ons import read_lsoa_lad

pytestmark = pytest.mark.realdata

CROXTED = ["G85039", "G85137", "G85706"]


@pytest.fixture(scope="module")
def lookup() -> list[PracticeRecord]:
    kind, records = read_practice_lookup(shared_file("nhs-reference", "practice_pcn_lookup_2024.csv"))
    assert kind == "lookup"
    return records


@pytest.fixture(scope="module")
def lsoas() -> list[LsoaRecord]:
    return read_lsoa_lad(shared_file("nhs-reference", "lsoa21_to_lad.csv"))


@pytest.fixture(scope="module")
def epcn() -> list[PracticeRecord]:
    return read_epcn(shared_file("nhs-reference", "epcn_2023-01.xlsx"))


def pcns_across_sub_icb_locations(records: Iterable[PracticeRecord]) -> dict[str, set[str]]:
    homes: dict[str, set[str]] = defaultdict(set)
    for r in records:
        if r.pcn_code:
            homes[r.pcn_code].add(r.sub_icb_code)
    return {pcn: locs for pcn, locs in homes.items() if len(locs) > 1}


def test_practice_lookup_counts(lookup: list[PracticeRecord]) -> None:
    assert len(lookup) == 6325
    assert len({r.code for r in lookup}) == 6325
    assert sum(r.pcn_code is None for r in lookup) == 69  # PCN code U: in no PCN
    assert len({r.pcn_code for r in lookup if r.pcn_code}) == 1272
    assert len({r.sub_icb_code for r in lookup}) == 106
    assert len({r.icb_code for r in lookup}) == 42
    assert all(r.lsoa and r.lsoa.startswith("E01") for r in lookup)
    assert all(r.ons_icb_code.startswith("E54") and r.ons_sub_icb_code.startswith("E38") for r in lookup)


def test_practice_lookup_croxted_and_south_east_london(lookup: list[PracticeRecord]) -> None:
    croxted = [r for r in lookup if r.pcn_name == "CROXTED PCN"]
    assert [r.code for r in croxted] == CROXTED
    assert {(r.pcn_code, r.sub_icb_code, r.icb_code) for r in croxted} == {("U60524", "72Q", "QKK")}
    assert [r.lsoa for r in croxted] == ["E01003946", "E01003170", "E01003165"]
    south_east_london = [r for r in lookup if r.icb_code == "QKK"]
    assert len(south_east_london) == 194
    assert {r.sub_icb_code for r in south_east_london} == {"72Q"}


def test_lsoa_lookup_counts(lsoas: list[LsoaRecord]) -> None:
    assert len(lsoas) == 35672
    assert len({r.code for r in lsoas}) == 35672
    assert len({r.lad_code for r in lsoas}) == 319
    assert Counter(r.code[0] for r in lsoas) == {"E": 33755, "W": 1917}
    by_lad = Counter(r.lad_code for r in lsoas)
    assert (by_lad["E09000022"], by_lad["E09000028"]) == (181, 173)  # Lambeth, Southwark


def test_croxted_practices_lie_in_lambeth_and_southwark(lookup: list[PracticeRecord],
                                                        lsoas: list[LsoaRecord]) -> None:
    district = {r.code: r.lad_name for r in lsoas}
    croxted = [r for r in lookup if r.code in CROXTED]
    assert Counter(district[r.lsoa] for r in croxted if r.lsoa) == {"Lambeth": 2, "Southwark": 1}
    # Every practice's LSOA is in the ONS lookup, so every practice finds its district.
    assert all(r.lsoa in district for r in lookup)


def test_epcn_active_relationships(epcn: list[PracticeRecord]) -> None:
    assert len(epcn) == 6391
    assert len({r.code for r in epcn}) == 6391
    assert all(r.pcn_code for r in epcn)
    assert len({r.pcn_code for r in epcn}) == 1264
    assert len({r.sub_icb_code for r in epcn}) == 106
    assert len({r.icb_name for r in epcn}) == 42
    croxted = [r for r in epcn if r.pcn_name == "CROXTED PCN"]
    assert [(r.code, r.sub_icb_code) for r in croxted] == [(c, "72Q") for c in CROXTED]


def test_epcn_pcns_whose_practices_sit_in_two_sub_icb_locations(epcn: list[PracticeRecord]) -> None:
    across = pcns_across_sub_icb_locations(epcn)
    assert len(across) == 9
    names = {r.pcn_code: r.pcn_name for r in epcn}
    g3 = next(code for code in across if names[code] == "G3 PCN")
    assert across[g3] == {"03W", "04C", "04V"}


def test_epcn_with_ended_relationships() -> None:
    records = read_epcn(shared_file("nhs-reference", "epcn_2023-01.xlsx"), include_inactive=True)
    assert len(records) == 6807
    assert len({r.code for r in records}) == 6807


def test_epraccur_gives_the_epcn_its_icb_codes(epcn: list[PracticeRecord]) -> None:
    path = shared_file("nhs-reference", "epraccur_2023-01.csv")
    practices = read_epraccur(path)
    assert len(practices) == 15536
    records = read_epcn(shared_file("nhs-reference", "epcn_2023-01.xlsx"), epraccur=path)
    assert len({r.icb_code for r in records}) == 42
    assert {r.icb_code for r in records if r.sub_icb_code == "72Q"} == {"QKK"}
    assert len(pcns_across_sub_icb_locations(records)) == 9
