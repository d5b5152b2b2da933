"""The ONS LSOA (2021) → local authority district lookup reader."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES

from integramap.io.nhs_records import LsoaRecord
from integramap.io.ons import read_lsoa_lad
from integramap.model import SiteError

LSOA_LAD = FIXTURES / "import" / "lsoa21_to_lad.csv"
OA_LOOKUP = FIXTURES / "import" / "oa21_lsoa21_msoa21_lad22.csv"


def test_published_layout_with_crlf_line_ends() -> None:
    assert LSOA_LAD.read_bytes().startswith(b"LSOA21CD,LSOA21NM,LAD_CD,LAD_NM,UTLA_CD,UTLA_NM,RGN_NM\r\n")
    records = read_lsoa_lad(LSOA_LAD)
    assert len(records) == 7
    assert records[0] == LsoaRecord(code="E01990001", name="Exampleton 001A", lad_code="E06000901",
                                    lad_name="Exampleton", utla_code="E06000901", utla_name="Exampleton",
                                    region="Example Region", line=2)


def test_district_footprints_group_their_lsoas() -> None:
    districts: dict[str, list[str]] = {}
    for r in read_lsoa_lad(LSOA_LAD):
        districts.setdefault(r.lad_code, []).append(r.code)
    assert districts == {"E06000901": ["E01990001", "E01990002", "E01990003"],
                         "E06000902": ["E01990004", "E01990005"], "E07000901": ["E01990006"],
                         "W06000901": ["W01990001"]}


def test_a_two_tier_district_keeps_its_county() -> None:
    westshire = {r.code: r for r in read_lsoa_lad(LSOA_LAD)}["E01990006"]
    assert (westshire.lad_code, westshire.utla_code, westshire.utla_name) == (
        "E07000901", "E10000901", "Westshire County")


def test_year_stamped_columns_and_output_area_repeats() -> None:
    # The Open Geography Portal's OA → LSOA → MSOA → LAD lookups repeat each LSOA once an output area,
    # and name their columns by year (LAD22CD); LAD22NMW, the Welsh name, is not the name.
    records = read_lsoa_lad(OA_LOOKUP)
    assert [(r.code, r.lad_code, r.lad_name, r.line) for r in records] == [
        ("E01990001", "E06000901", "Exampleton", 2), ("E01990002", "E06000901", "Exampleton", 4),
        ("E01990004", "E06000902", "Otherbury", 5)]


def test_minimal_columns_with_other_spellings(tmp_path: Path) -> None:
    path = tmp_path / "lookup.csv"
    path.write_text("lsoa21cd,LAD23CD\ne01990001,e06000901\n", encoding="utf-8")
    [record] = read_lsoa_lad(path)
    # With no district name the code stands in for it, so the unit still has a name.
    assert (record.code, record.lad_code, record.lad_name, record.name) == (
        "E01990001", "E06000901", "E06000901", "")


def test_an_lsoa_in_two_districts_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "lookup.csv"
    path.write_text("LSOA21CD,LAD22CD\nE01990001,E06000901\nE01990001,E06000902\n", encoding="utf-8")
    with pytest.raises(SiteError) as caught:
        read_lsoa_lad(path)
    assert ("line 3, column 'LAD22CD': LSOA E01990001 is given two districts: E06000901 (line 2) and "
            "E06000902 here") in str(caught.value)


def test_only_the_lsoas_asked_for_are_kept_but_every_row_is_checked(tmp_path: Path) -> None:
    kept = read_lsoa_lad(LSOA_LAD, keep={"E01990001", "E01990003", "E01999999"})
    assert [r.code for r in kept] == ["E01990001", "E01990003"]
    assert kept == [r for r in read_lsoa_lad(LSOA_LAD) if r.code in {"E01990001", "E01990003"}]
    bad = tmp_path / "bad.csv"
    bad.write_text("LSOA21CD,LAD_CD\nE01000001,E09000001\nE01000002,not a code!\nE01000001,E09000002\n",
                   encoding="utf-8")
    with pytest.raises(SiteError) as caught:
        read_lsoa_lad(bad, keep={"E01000001"})
    text = caught.value.render()
    assert "line 3" in text and "'NOT A CODE!' is not a local authority district code" in text
    assert "LSOA E01000001 is given two districts: E09000001 (line 2) and E09000002" in text
