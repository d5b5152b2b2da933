"""The practice → PCN lookup reader, in both published column sets (fixtures in the real formats)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES

from integramap.io.nhs_practices import GP_REG_MAP_COLUMNS, LOOKUP_COLUMNS, read_practice_lookup
from integramap.io.nhs_records import PracticeRecord

IMPORT = FIXTURES / "import"
LOOKUP = IMPORT / "practice_pcn_lookup.csv"
GP_REG_MAP = IMPORT / "gp-reg-pat-prac-map.csv"
GP_REG_MAP_CCG = IMPORT / "gp-reg-pat-prac-map-ccg.csv"


def by_code(records: list[PracticeRecord]) -> dict[str, PracticeRecord]:
    return {r.code: r for r in records}


def test_fixture_headers_are_the_published_ones() -> None:
    # The fixture's header line is copied from the national file; keep them in step.
    header = LOOKUP.read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith('"","PRAC_CODE","PRAC_NAME","PRAC_POSTCODE"')
    assert header.endswith('"NHSER_CODE","NHSER_NAME","SUPPLIER_NAME"')
    for col in LOOKUP_COLUMNS:
        assert f'"{col.name}"' in header
    gp_header = GP_REG_MAP.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert {c.name for c in GP_REG_MAP_COLUMNS} <= set(gp_header)


def test_lookup_with_lsoas() -> None:
    kind, records = read_practice_lookup(LOOKUP)
    assert kind == "lookup"
    assert [r.code for r in records] == [f"Z9000{i}" for i in range(1, 8)]
    first = records[0]
    assert first == PracticeRecord(
        code="Z90001", name="RIVERBANK SURGERY", line=2, pcn_code="U90001", pcn_name="RIVERBANK PCN",
        sub_icb_code="90A", sub_icb_name="NHS Exampleshire ICB - 90A", icb_code="QZA",
        icb_name="NHS Exampleshire Integrated Care Board", lsoa="E01990001",
        ons_sub_icb_code="E38000901", ons_icb_code="E54000901")


def test_lookup_pcn_u_means_no_pcn_and_na_means_missing() -> None:
    _, records = read_practice_lookup(LOOKUP)
    practices = by_code(records)
    # PCN code U (with NA in the PCN's other columns) is a practice in no PCN.
    assert practices["Z90005"].pcn_code is None
    # R writes a missing LSOA as NA: the practice then has no LSOA, never an area called "NA".
    assert practices["Z90007"].lsoa is None
    assert all(r.lsoa != "NA" for r in records)


def test_lookup_pcn_spanning_two_sub_icb_locations() -> None:
    _, records = read_practice_lookup(LOOKUP)
    riverbank = [r for r in records if r.pcn_code == "U90001"]
    assert [r.code for r in riverbank] == ["Z90001", "Z90002", "Z90003"]
    assert sorted({r.sub_icb_code for r in riverbank}) == ["90A", "90B"]


def test_gp_reg_pat_prac_map_column_set() -> None:
    kind, records = read_practice_lookup(GP_REG_MAP)
    assert kind == "gp-reg-pat-prac-map"
    practices = by_code(records)
    assert len(records) == 6
    assert all(r.lsoa is None for r in records)  # this file has no LSOAs: lists become areas
    castle = practices["Z90006"]
    assert (castle.pcn_code, castle.pcn_name, castle.sub_icb_code, castle.icb_code, castle.icb_name) == (
        "U90003", "WESTFIELD PCN", "91C", "QZB", "NHS Otherside Integrated Care Board")
    assert (castle.ons_sub_icb_code, castle.ons_icb_code) == ("E38000903", "E54000902")
    assert castle.line == 7
    assert practices["Z90005"].pcn_code is None


def test_both_column_sets_agree_on_membership() -> None:
    _, lookup = read_practice_lookup(LOOKUP)
    _, gp_map = read_practice_lookup(GP_REG_MAP)
    common = by_code(gp_map).keys()
    keyed = {r.code: (r.pcn_code, r.sub_icb_code, r.icb_code) for r in lookup if r.code in common}
    assert keyed == {r.code: (r.pcn_code, r.sub_icb_code, r.icb_code) for r in gp_map}


def test_older_gp_reg_map_with_ccg_and_stp_columns() -> None:
    kind, records = read_practice_lookup(GP_REG_MAP_CCG)
    assert kind == "gp-reg-pat-prac-map"
    assert [(r.code, r.sub_icb_code, r.sub_icb_name, r.icb_code) for r in records] == [
        ("Z90001", "90A", "NHS EXAMPLESHIRE CCG", "QZA"), ("Z90002", "90A", "NHS EXAMPLESHIRE CCG", "QZA")]


def test_headers_in_other_case_and_spacing(tmp_path: Path) -> None:
    path = tmp_path / "lookup.csv"
    path.write_text("prac code,Prac Name,prac_lsoa21,pcn code,PCN NAME,loc code,loc name,icb code,icb name\n"
                    "z90001,Riverbank Surgery,e01990001,U90001,Riverbank PCN,90a,Loc,qza,ICB\n", encoding="utf-8")
    kind, [record] = read_practice_lookup(path)
    assert kind == "lookup"
    # Codes are upper-cased: ODS codes are case-insensitive and the model compares them exactly.
    assert (record.code, record.lsoa, record.sub_icb_code, record.icb_code) == (
        "Z90001", "E01990001", "90A", "QZA")


def test_windows_1252_file_keeps_its_accents(tmp_path: Path) -> None:
    path = tmp_path / "lookup.csv"
    text = LOOKUP.read_text(encoding="utf-8").replace("RIVERBANK SURGERY", "RIVERBANK SURGERY – CAFÉ")
    path.write_bytes(text.encode("cp1252"))
    _, records = read_practice_lookup(path)
    assert records[0].name == "RIVERBANK SURGERY – CAFÉ"


def test_utf8_with_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "gp-reg-pat-prac-map.csv"
    path.write_bytes(b"\xef\xbb\xbf" + GP_REG_MAP.read_bytes().replace(b"\n", b"\r\n"))
    kind, records = read_practice_lookup(path)
    assert kind == "gp-reg-pat-prac-map" and len(records) == 6


@pytest.mark.parametrize("fixture", [LOOKUP, GP_REG_MAP])
def test_blank_lines_are_skipped_and_lines_still_counted(tmp_path: Path, fixture: Path) -> None:
    lines = fixture.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "lookup.csv"
    path.write_text("\n".join([lines[0], "", lines[1], ",,,", lines[2]]) + "\n", encoding="utf-8")
    _, records = read_practice_lookup(path)
    assert [(r.code, r.line) for r in records] == [("Z90001", 3), ("Z90002", 5)]
