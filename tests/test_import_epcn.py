"""The ODS ePCN workbook and epraccur readers, on a tiny workbook in the published layout."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES
from epcn_workbook import DETAILS, PARTNER_HEADER, PARTNERS, partner, without_column, write_epcn

from integramap.io.epcn import merge_with_lookup, read_epcn, read_epraccur
from integramap.io.nhs_practices import read_practice_lookup
from integramap.io.nhs_records import PracticeRecord
from integramap.model import SiteError

EPRACCUR = FIXTURES / "import" / "epraccur.csv"
LOOKUP = FIXTURES / "import" / "practice_pcn_lookup.csv"


@pytest.fixture
def epcn(tmp_path: Path) -> Path:
    return write_epcn(tmp_path / "ePCN.xlsx")


def by_code(records: list[PracticeRecord]) -> dict[str, PracticeRecord]:
    return {r.code: r for r in records}


def test_headers_with_line_breaks_and_trailing_spaces_are_read(epcn: Path) -> None:
    assert "\n" in PARTNER_HEADER[0] and PARTNER_HEADER[-1].endswith(" ")
    records = read_epcn(epcn)
    assert records[0] == PracticeRecord(
        code="Z90001", name="RIVERBANK SURGERY", line=2, pcn_code="U90001", pcn_name="RIVERBANK PCN",
        sub_icb_code="90A", sub_icb_name="NHS EXAMPLESHIRE ICB - 90A", icb_code="NHS-EXAMPLESHIRE-ICB",
        icb_name="NHS EXAMPLESHIRE ICB", pcn_sub_icb_code="90A", pcn_sub_icb_name="NHS EXAMPLESHIRE ICB - 90A")


def test_active_relationships_only_by_default(epcn: Path) -> None:
    records = read_epcn(epcn)
    assert [(r.code, r.pcn_code) for r in records] == [
        ("Z90001", "U90001"), ("Z90002", "U90001"), ("Z90003", "U90001"), ("Z90004", "U90002")]
    # Z90004 left Riverbank for Northgate: its ended row (sheet row 5) is not read, its current one is.
    assert by_code(records)["Z90004"].line == 6


def test_include_inactive_adds_each_practice_latest_ended_relationship(epcn: Path) -> None:
    records = by_code(read_epcn(epcn, include_inactive=True))
    assert sorted(records) == ["Z90001", "Z90002", "Z90003", "Z90004", "Z90005", "Z90006"]
    assert records["Z90004"].pcn_code == "U90002"  # a current relationship beats an ended one
    assert records["Z90005"].pcn_code == "U90002"
    # Two ended relationships: the one that ended last (2022, Northgate), not the first (2020, Westfield).
    assert (records["Z90006"].pcn_code, records["Z90006"].line) == ("U90002", 9)


def test_practice_counts_in_its_own_sub_icb_location_not_its_pcns(epcn: Path) -> None:
    records = by_code(read_epcn(epcn))
    hilltop = records["Z90003"]
    assert (hilltop.pcn_code, hilltop.sub_icb_code, hilltop.sub_icb_name) == (
        "U90001", "90B", "NHS EXAMPLESHIRE ICB - 90B")
    riverbank = {r.sub_icb_code for r in records.values() if r.pcn_code == "U90001"}
    assert riverbank == {"90A", "90B"}  # so Riverbank PCN straddles two places


def test_pcn_names_come_from_the_details_sheet(tmp_path: Path) -> None:
    renamed = [row if row[0] != "U90001" else ("U90001", "RIVERBANK AND DISTRICT PCN", *row[2:])
               for row in DETAILS]
    records = read_epcn(write_epcn(tmp_path / "e.xlsx", details=renamed))
    assert {r.pcn_name for r in records if r.pcn_code == "U90001"} == {"RIVERBANK AND DISTRICT PCN"}


def test_without_the_details_sheet_names_come_from_the_partner_rows(tmp_path: Path) -> None:
    records = read_epcn(write_epcn(tmp_path / "e.xlsx", details=None))
    assert {r.pcn_code: r.pcn_name for r in records} == {"U90001": "RIVERBANK PCN", "U90002": "NORTHGATE PCN"}


def test_epraccur_gives_icb_codes(epcn: Path) -> None:
    records = by_code(read_epcn(epcn, epraccur=EPRACCUR))
    assert {r.icb_code for r in records.values()} == {"QZA"}
    assert records["Z90001"].icb_name == "NHS EXAMPLESHIRE ICB"


def test_older_layout_without_the_practice_parent_column(tmp_path: Path) -> None:
    header, rows = without_column(PARTNERS, PARTNER_HEADER, "Practice\nParent\nSub ICB Loc Code")
    path = write_epcn(tmp_path / "old.xlsx", partners=rows, partner_header=header)
    # Without epraccur the PCN's own sub-ICB location is all there is...
    assert by_code(read_epcn(path))["Z90003"].sub_icb_code == "90A"
    # ...with it, each practice's commissioner is its sub-ICB location.
    assert by_code(read_epcn(path, epraccur=EPRACCUR))["Z90003"].sub_icb_code == "90B"


def test_dates_typed_or_saved_by_excel(tmp_path: Path) -> None:
    import datetime as dt

    rows = [partner("Z90006", "CASTLE STREET SURGERY", "91C", "U90003", "WESTFIELD PCN", "91C", end="31/12/2021"),
            partner("Z90006", "CASTLE STREET SURGERY", "91C", "U90002", "NORTHGATE PCN", "90B")[:9]
            + (dt.datetime(2020, 6, 8), True)]
    path = write_epcn(tmp_path / "e.xlsx", partners=rows)
    [record] = read_epcn(path, include_inactive=True)
    assert record.pcn_code == "U90003"  # ended 31/12/2021, after 2020-06-08


def test_a_practice_in_two_pcns_at_once_is_refused(tmp_path: Path) -> None:
    rows = [*PARTNERS, partner("Z90002", "MILL LANE MEDICAL CENTRE", "90A", "U90002", "NORTHGATE PCN", "90B")]
    with pytest.raises(SiteError) as caught:
        read_epcn(write_epcn(tmp_path / "e.xlsx", partners=rows))
    text = str(caught.value)
    assert "sheet 'PCN Core Partner Details', row 10" in text
    assert "practice Z90002 is in two PCNs: U90001 (row 3) and U90002 here" in text


def test_an_end_date_that_is_not_a_date_is_refused(tmp_path: Path) -> None:
    rows = [partner("Z90001", "RIVERBANK SURGERY", "90A", "U90001", "RIVERBANK PCN", "90A", end="n/a")]
    with pytest.raises(SiteError, match=r"row 2, column 'Practice to PCN Relationship End Date': 'n/a' is "
                                        r"not a date"):
        read_epcn(write_epcn(tmp_path / "e.xlsx", partners=rows))


def test_no_current_relationships_says_how_to_read_ended_ones(tmp_path: Path) -> None:
    rows = [r for r in PARTNERS if r[9] is not None]
    with pytest.raises(SiteError, match="no current practice-to-PCN relationships.*include_inactive"):
        read_epcn(write_epcn(tmp_path / "e.xlsx", partners=rows))


def test_epraccur() -> None:
    practices = read_epraccur(EPRACCUR)
    assert len(practices) == 6
    castle = practices["Z90006"]
    assert (castle.name, castle.icb_code, castle.sub_icb_code) == ("CASTLE STREET SURGERY", "QZB", "91C")


def test_merge_with_lookup_adds_lsoas_and_icb_codes(epcn: Path) -> None:
    _, lookup = read_practice_lookup(LOOKUP)
    merged = by_code(merge_with_lookup(read_epcn(epcn), lookup))
    hilltop = merged["Z90003"]
    # The ePCN keeps its say on PCN and sub-ICB location; the lookup adds the LSOA and the ICB.
    assert (hilltop.pcn_code, hilltop.sub_icb_code, hilltop.lsoa) == ("U90001", "90B", "E01990003")
    assert (hilltop.icb_code, hilltop.ons_icb_code, hilltop.ons_sub_icb_code) == ("QZA", "E54000901", "E38000902")


def test_a_pcn_belongs_where_ods_says_not_where_most_practices_are(tmp_path: Path) -> None:
    from integramap.io.nhs import import_nhs

    # Two of three practices in 90B, but ODS gives the PCN's parent as 90A.
    rows = [partner("Z90001", "RIVERBANK SURGERY", "90B", "U90001", "RIVERBANK PCN", "90A"),
            partner("Z90002", "MILL LANE MEDICAL CENTRE", "90B", "U90001", "RIVERBANK PCN", "90A"),
            partner("Z90003", "HILLTOP PRACTICE", "90A", "U90001", "RIVERBANK PCN", "90A")]
    records = read_epcn(write_epcn(tmp_path / "e.xlsx", partners=rows))
    assert {r.pcn_sub_icb_code for r in records} == {"90A"}
    site = import_nhs(epcn=tmp_path / "e.xlsx")
    assert site.unit("U90001").parent == "LOC:90A"


def test_without_the_pcn_parent_column_the_details_sheet_gives_it(tmp_path: Path) -> None:
    header, rows = without_column(PARTNERS, PARTNER_HEADER, "PCN Parent\nSub ICB Loc Code")
    records = read_epcn(write_epcn(tmp_path / "e.xlsx", partners=rows, partner_header=header))
    assert {r.pcn_code: r.pcn_sub_icb_code for r in records} == {"U90001": "90A", "U90002": "90B"}


def test_a_sub_icb_filter_keeps_a_crossing_pcn_whole_and_marks_the_outsiders(tmp_path: Path) -> None:
    from integramap.io.nhs import import_nhs, import_summary

    site = import_nhs(epcn=write_epcn(tmp_path / "e.xlsx"), sub_icb=["90A"])
    practices = {u.id: u for u in site.units if u.kind == "practice"}
    assert set(practices) == {"Z90001", "Z90002", "Z90003"}
    assert practices["Z90003"].description.startswith("Outside the imported area")
    assert not practices["Z90001"].description
    assert site.metadata["import"]["practices_outside_filter"] == ["Z90003"]
    assert "1 practice outside the filter kept with its PCN" in import_summary(site) or \
        "1 practice outside the filter kept with their PCN" in import_summary(site)
