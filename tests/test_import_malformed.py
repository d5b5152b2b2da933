"""Malformed input to every reader: one clean SiteError naming the file, line and column; never a crash."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES
from epcn_workbook import PARTNER_HEADER, PARTNERS, write_epcn
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from integramap.io.epcn import read_epcn, read_epraccur
from integramap.io.nhs_practices import read_practice_lookup
from integramap.io.ons import read_lsoa_lad
from integramap.io.table import COLUMNS, import_table
from integramap.model import SiteError

IMPORT = FIXTURES / "import"
LOOKUP = IMPORT / "practice_pcn_lookup.csv"
GP_REG_MAP = IMPORT / "gp-reg-pat-prac-map.csv"
LSOA_LAD = IMPORT / "lsoa21_to_lad.csv"

CSV_READERS: dict[str, Callable[[Path], Any]] = {
    "practices": read_practice_lookup,
    "lsoa-lad": read_lsoa_lad,
    "epraccur": read_epraccur,
    "table": import_table,
}
XLSX_READERS: dict[str, Callable[[Path], Any]] = {"epcn": read_epcn, "table": import_table}
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def refused(reader: Callable[[Path], Any], path: Path) -> str:
    """The rendered error a reader gives for a file (the test fails if it reads it)."""
    with pytest.raises(SiteError) as caught:
        reader(path)
    return str(caught.value)


def lookup_with(tmp_path: Path, *rows: str, source: Path = GP_REG_MAP) -> Path:
    """The gp-reg-pat-prac-map fixture's header and first rows, then ``rows``."""
    lines = source.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "lookup.csv"
    path.write_text("\n".join([*lines[:3], *rows]) + "\n", encoding="utf-8")
    return path


def gp_row(code: str, pcn: str = "U90001", loc: str = "90A", icb: str = "QZA") -> str:
    return (f"GP_PRAC_PAT_LIST,01JAN2024,GP,{code},A PRACTICE,ZZ9 9ZZ,E38000901,{loc},LOC NAME,E54000901,{icb},"
            f"ICB NAME,E40000901,Y90,EXAMPLE REGION,EMIS,{pcn},A PCN")


# --------------------------------------------------------------------------- not a table at all

@pytest.mark.parametrize("reader", CSV_READERS.values(), ids=list(CSV_READERS))
@pytest.mark.parametrize("content", [b"", b"\r\n\r\n  \n", b",,,\n,,\n"], ids=["empty", "blank", "commas"])
def test_empty_csv(tmp_path: Path, reader: Callable[[Path], Any], content: bytes) -> None:
    path = tmp_path / "units.csv"
    path.write_bytes(content)
    message = refused(reader, path)
    assert f"{path}: the file is empty; expected " in message


@pytest.mark.parametrize("reader", XLSX_READERS.values(), ids=list(XLSX_READERS))
def test_empty_workbook_file(tmp_path: Path, reader: Callable[[Path], Any]) -> None:
    path = tmp_path / "units.xlsx"
    path.write_bytes(b"")
    assert f"{path}: the file is empty; expected an XLSX workbook" in refused(reader, path)


@pytest.mark.parametrize("reader", CSV_READERS.values(), ids=list(CSV_READERS))
def test_binary_junk_as_csv(tmp_path: Path, reader: Callable[[Path], Any]) -> None:
    path = tmp_path / "units.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    assert f"{path}: this is a binary file, not a CSV text file" in refused(reader, path)


@pytest.mark.parametrize("reader", CSV_READERS.values(), ids=list(CSV_READERS))
def test_workbook_given_as_csv(tmp_path: Path, reader: Callable[[Path], Any]) -> None:
    path = tmp_path / "units.csv"
    write_epcn(path.with_suffix(".xlsx")).rename(path)
    assert f"{path}: this is an XLSX workbook (or another zip file), not a CSV file" in refused(reader, path)


@pytest.mark.parametrize("reader", CSV_READERS.values(), ids=list(CSV_READERS))
def test_neither_utf8_nor_windows_1252(tmp_path: Path, reader: Callable[[Path], Any]) -> None:
    path = tmp_path / "units.csv"
    # 0x81 and 0x8d are undefined in Windows-1252 and cannot start a UTF-8 character.
    path.write_bytes(LOOKUP.read_bytes() + b"\x81\x8d\n")
    assert "not text in UTF-8, UTF-16 or Windows-1252/Latin-1 (byte " in refused(reader, path)
    assert "save it as CSV UTF-8" in refused(reader, path)


@pytest.mark.parametrize("reader", XLSX_READERS.values(), ids=list(XLSX_READERS))
def test_csv_given_as_workbook(tmp_path: Path, reader: Callable[[Path], Any]) -> None:
    path = tmp_path / "units.xlsx"
    path.write_bytes(LOOKUP.read_bytes())
    assert f"{path}: not an XLSX workbook (an .xlsx file is a zip archive, and this is not one)" in refused(
        reader, path)


@pytest.mark.parametrize("reader", XLSX_READERS.values(), ids=list(XLSX_READERS))
def test_zip_that_is_not_a_workbook(tmp_path: Path, reader: Callable[[Path], Any]) -> None:
    path = tmp_path / "units.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "hello")
    assert f"{path}: not an XLSX workbook that can be read; expected an Excel .xlsx file" in refused(reader, path)


def test_damaged_workbook_names_the_file(tmp_path: Path) -> None:
    good = write_epcn(tmp_path / "good.xlsx").read_bytes()
    path = tmp_path / "damaged.xlsx"
    path.write_bytes(good[: len(good) // 2])
    assert "damaged.xlsx: not an XLSX workbook that can be read" in refused(read_epcn, path)


def test_workbook_of_another_suffix_is_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "epcn.ods"
    write_epcn(tmp_path / "x.xlsx").rename(path)
    assert "a .ods suffix is not read as a workbook; expected an Excel .xlsx file" in refused(read_epcn, path)


def test_missing_file(tmp_path: Path) -> None:
    assert f"{tmp_path / 'nowhere.csv'}: cannot read: No such file or directory" in refused(
        read_practice_lookup, tmp_path / "nowhere.csv")


# --------------------------------------------------------------------------- wrong columns

def test_wrong_file_for_the_practice_lookup_lists_both_column_sets(tmp_path: Path) -> None:
    message = refused(read_practice_lookup, LSOA_LAD)
    assert ("this is not a practice → PCN lookup with LSOAs: missing column PRAC_CODE. Expected columns: "
            "PRAC_CODE, PRAC_NAME, PRAC_LSOA21, PCN_CODE") in message
    assert "Found: 'LSOA21CD', 'LSOA21NM', 'LAD_CD', 'LAD_NM', 'UTLA_CD', 'UTLA_NM', 'RGN_NM'" in message
    assert ("Or, for NHS Digital's gp-reg-pat-prac-map.csv, expected columns: PRACTICE_CODE, PRACTICE_NAME, "
            "PCN_CODE") in message


def test_practice_lookup_missing_columns_are_all_named_in_one_error(tmp_path: Path) -> None:
    path = tmp_path / "lookup.csv"
    path.write_text("PRACTICE_CODE,PRACTICE_NAME,PCN_CDE\nZ90001,A,U90001\n", encoding="utf-8")
    with pytest.raises(SiteError) as caught:
        read_practice_lookup(path)
    [problem] = caught.value.problems
    assert str(problem).startswith(
        f"{path}: this is not a practice → PCN lookup (gp-reg-pat-prac-map columns): missing columns "
        "PCN_CODE (did you mean 'PCN_CDE'?), PCN_NAME, SUB_ICB_LOCATION_CODE, SUB_ICB_LOCATION_NAME, ICB_CODE, "
        "ICB_NAME. Expected columns: PRACTICE_CODE, PRACTICE_NAME, PCN_CODE,")
    assert str(problem).endswith("Found: 'PRACTICE_CODE', 'PRACTICE_NAME', 'PCN_CDE'")


def test_wrong_file_for_the_lsoa_lookup(tmp_path: Path) -> None:
    message = refused(read_lsoa_lad, GP_REG_MAP)
    assert ("this is not an ONS LSOA → local authority lookup: missing columns LSOA21CD, LAD_CD. Expected "
            "columns: LSOA21CD, LSOA21NM?, LAD_CD, LAD_NM?, UTLA_CD?, UTLA_NM?, RGN_NM? (? = optional). Found: "
            "'PUBLICATION'") in message


def test_wrong_file_for_epraccur_is_one_problem() -> None:
    with pytest.raises(SiteError) as caught:
        read_epraccur(LSOA_LAD)
    [problem] = caught.value.problems
    assert str(problem) == (f"{LSOA_LAD}, line 1: 7 columns (and 7 more lines like it); expected the ODS "
                            "epraccur layout (no header, at least 15 columns: code, name, …, commissioner in "
                            "column 15)")


def test_epcn_without_the_partner_sheet_lists_the_sheets(tmp_path: Path) -> None:
    path = write_epcn(tmp_path / "e.xlsx", partner_sheet="Partners")
    assert "no sheet named 'PCN Core Partner Details'; the workbook has 'PCNDetails', 'Partners'" in refused(
        read_epcn, path)


def test_epcn_missing_columns(tmp_path: Path) -> None:
    header = ["Practice Code", "Partner\nName", "PCN\nCode "]
    path = write_epcn(tmp_path / "e.xlsx", partners=[row[:2] + (row[4],) for row in PARTNERS],
                      partner_header=header)
    message = refused(read_epcn, path)
    assert ("sheet 'PCN Core Partner Details': this is not an ePCN workbook's partner sheet: missing column "
            "Practice to PCN Relationship End Date. Expected columns: Partner Organisation Code, Partner Name?,"
            ) in message
    assert "Found: 'Practice Code', 'Partner Name', 'PCN Code'" in message


# --------------------------------------------------------------------------- wrong rows

def _header_only(tmp_path: Path, source: Path) -> Path:
    path = tmp_path / f"header-{source.name}"
    path.write_text(source.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    return path


def test_header_but_no_rows(tmp_path: Path) -> None:
    lookup = _header_only(tmp_path, GP_REG_MAP)
    assert (f"{lookup}: no practices: the file has a header but no rows; expected one row a practice"
            in refused(read_practice_lookup, lookup))
    lsoas = _header_only(tmp_path, LSOA_LAD)
    assert f"{lsoas}: no LSOAs: the file has a header but no rows" in refused(read_lsoa_lad, lsoas)


def test_duplicate_practice_code(tmp_path: Path) -> None:
    path = lookup_with(tmp_path, gp_row("Z90001"))
    assert (f"{path}, line 4, column 'PRACTICE_CODE': practice Z90001 is listed twice (first on line 2); keep "
            "one row a practice") in refused(read_practice_lookup, path)


def test_practice_in_two_pcns(tmp_path: Path) -> None:
    path = lookup_with(tmp_path, gp_row("Z90002", pcn="U90002"))
    assert (f"{path}, line 4, column 'PRACTICE_CODE': practice Z90002 is in two PCNs: U90001 (line 3) and "
            "U90002 here; a practice belongs to one PCN, so keep one row") in refused(read_practice_lookup, path)


def test_practice_in_a_pcn_and_in_none(tmp_path: Path) -> None:
    path = lookup_with(tmp_path, gp_row("Z90002", pcn="U"))
    assert "practice Z90002 is in two PCNs: U90001 (line 3) and none here" in refused(read_practice_lookup, path)


def test_bad_codes_are_each_reported_with_line_and_column(tmp_path: Path) -> None:
    path = lookup_with(tmp_path, gp_row("not a code"), gp_row(""), gp_row("Z90010", pcn="U 900"),
                       gp_row("Z90011", loc="90/A"), gp_row("Z90012", icb="Q Z A"))
    with pytest.raises(SiteError) as caught:
        read_practice_lookup(path)
    assert [str(p).removeprefix(f"{path}, ") for p in caught.value.problems] == [
        "line 4, column 'PRACTICE_CODE': 'NOT A CODE' is not a practice code; expected an ODS code such as A81001",
        "line 5, column 'PRACTICE_CODE': is empty; expected an ODS code such as A81001",
        "line 6, column 'PCN_CODE': 'U 900' is not a PCN code; expected an ODS code such as U89141, or U for a "
        "practice in no PCN",
        "line 7, column 'SUB_ICB_LOCATION_CODE': '90/A' is not a sub-ICB location code; expected a code such "
        "as 16C",
        "line 8, column 'ICB_CODE': 'Q Z A' is not an ICB code; expected a code such as QHM",
    ]
    assert str(caught.value).startswith(f"{path}: could not be imported (5 problems)")


def test_bad_lsoa_code(tmp_path: Path) -> None:
    lines = LOOKUP.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "lookup.csv"
    path.write_text("\n".join([lines[0], lines[1].replace('"E01990001","U90001"', '"E01 990001","U90001"')]),
                    encoding="utf-8")
    assert (f"{path}, line 2, column 'PRAC_LSOA21': 'E01 990001' is not an LSOA code; expected a code such as "
            "E01000001") in refused(read_practice_lookup, path)


def test_bad_codes_in_the_lsoa_lookup(tmp_path: Path) -> None:
    path = tmp_path / "lsoa.csv"
    path.write_text("LSOA21CD,LAD_CD\nE01990001,\n,E06000901\nE01 2,E06000901\n", encoding="utf-8")
    with pytest.raises(SiteError) as caught:
        read_lsoa_lad(path)
    assert [str(p).removeprefix(f"{path}, ") for p in caught.value.problems] == [
        "line 2, column 'LAD_CD': is empty; expected a code such as E09000022",
        "line 3, column 'LSOA21CD': is empty; expected a code such as E01000001",
        "line 4, column 'LSOA21CD': 'E01 2' is not an LSOA code; expected a code such as E01000001",
    ]


def test_bad_practice_code_in_the_epcn(tmp_path: Path) -> None:
    rows = [("Z9 0001", *PARTNERS[0][1:]), ("", *PARTNERS[1][1:])]
    path = write_epcn(tmp_path / "e.xlsx", partners=rows)
    message = refused(read_epcn, path)
    assert ("sheet 'PCN Core Partner Details', row 2, column 'Partner Organisation Code': 'Z9 0001' is not a "
            "practice code") in message
    assert "row 3, column 'Partner Organisation Code': is empty; expected an ODS code" in message


def test_broken_quoting_is_a_clean_error(tmp_path: Path) -> None:
    path = tmp_path / "lookup.csv"
    path.write_text(GP_REG_MAP.read_text(encoding="utf-8") + '"unterminated,' + "x" * 10 + "\n", encoding="utf-8")
    # The csv module alone would read an unterminated quote to the end of the file without a word.
    assert ("line 8: a quoted cell starting on this line is never closed (a \" with no closing \")"
            in refused(read_practice_lookup, path))


# --------------------------------------------------------------------------- random input never crashes

def _only_site_errors(reader: Callable[[Any], Any], path: Path | list[Path]) -> None:
    try:
        reader(path)
    except SiteError as err:
        assert err.problems and all(str(p) for p in err.problems)


@FUZZ
@given(raw=st.binary(max_size=2000))
def test_random_bytes_never_raise_anything_but_site_error(tmp_path: Path, raw: bytes) -> None:
    for name, reader in CSV_READERS.items():
        path = tmp_path / f"units-{name}.csv"
        path.write_bytes(raw)
        _only_site_errors(reader, path)
    for name, reader in XLSX_READERS.items():
        path = tmp_path / f"units-{name}.xlsx"
        path.write_bytes(raw)
        _only_site_errors(reader, path)


_GARBLE = st.text(alphabet=st.sampled_from(list('abcZ90U,;:"\'\r\n \t=#-–é\x00')), max_size=400)


@FUZZ
@given(garble=_GARBLE, cut=st.integers(min_value=0, max_value=3000))
def test_garbled_csv_files_never_raise_anything_but_site_error(tmp_path: Path, garble: str, cut: int) -> None:
    for source, reader in ((LOOKUP, read_practice_lookup), (GP_REG_MAP, read_practice_lookup),
                           (LSOA_LAD, read_lsoa_lad), (IMPORT / "epraccur.csv", read_epraccur)):
        text = source.read_text(encoding="utf-8")
        path = tmp_path / "units.csv"
        path.write_text(text[:cut] + garble + text[cut:], encoding="utf-8")
        _only_site_errors(reader, path)
        _only_site_errors(import_table, path)


_CELL = st.one_of(st.sampled_from(["", "team", "a", "b", "A1", "A1:0.5", "x:y:z", ":", ";", "nan", "inf", "-1",
                                    "1e400", "co_located", "lad=", "=x", "a=b", "#", "1,2", "NaN:1"]),
                  st.text(max_size=8))


@FUZZ
@given(tables=st.fixed_dictionaries({
    name: st.lists(st.lists(_CELL, min_size=len(COLUMNS[name]), max_size=len(COLUMNS[name])), max_size=4)
    for name in COLUMNS}))
def test_spreadsheet_tables_with_odd_cells_never_raise_anything_but_site_error(
        tmp_path: Path, tables: dict[str, list[list[str]]]) -> None:
    paths = []
    for name, rows in tables.items():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([c.name for c in COLUMNS[name]])
        writer.writerows(rows)
        path = tmp_path / f"{name}.csv"
        path.write_text(buffer.getvalue(), encoding="utf-8")
        paths.append(path)
    _only_site_errors(import_table, paths)


@FUZZ
@given(flips=st.lists(st.tuples(st.integers(min_value=0), st.integers(min_value=0, max_value=255)),
                      min_size=1, max_size=8),
       cut=st.one_of(st.none(), st.integers(min_value=0)))
def test_damaged_workbooks_never_raise_anything_but_site_error(
        tmp_path: Path, epcn_bytes: bytes, flips: list[tuple[int, int]], cut: int | None) -> None:
    data = bytearray(epcn_bytes)
    for where, value in flips:
        data[where % len(data)] = value
    if cut is not None:
        data = data[: cut % len(data)]
    path = tmp_path / "units.xlsx"
    path.write_bytes(bytes(data))
    _only_site_errors(read_epcn, path)
    _only_site_errors(import_table, path)


@FUZZ
@given(cells=st.lists(st.lists(st.one_of(st.none(), st.text(max_size=12), st.integers(), st.floats(),
                                         st.booleans()), min_size=0, max_size=12), max_size=6))
def test_workbooks_with_odd_cells_never_raise_anything_but_site_error(
        tmp_path: Path, cells: list[list[object]]) -> None:
    from openpyxl.utils.exceptions import IllegalCharacterError

    path = tmp_path / "e.xlsx"
    try:
        write_epcn(path, partners=[*PARTNERS[:2], *cells])
    except (IllegalCharacterError, ValueError):
        return  # openpyxl cannot write such a cell, so no workbook can hold it
    _only_site_errors(read_epcn, path)


@pytest.fixture(scope="module")
def epcn_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return write_epcn(tmp_path_factory.mktemp("epcn") / "e.xlsx").read_bytes()

