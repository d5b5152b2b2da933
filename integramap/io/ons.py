"""ONS lookups of LSOAs (2021) to local authority districts, from the Open Geography Portal.

Accepts the usual spellings of ONS column names: ``LAD_CD`` or a year-stamped
``LAD22CD``/``LAD23CD``/``LAD24CD``…, and the same for names, upper-tier
authorities and regions. Lookups built from output areas repeat each LSOA once
an output area: repeats that agree are merged, repeats that disagree are errors.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path

from ..model import Problem
from .nhs_records import CODE_PATTERN, LsoaRecord, is_code
from .tabular import Table
from .tabular import Column, import_error, read_csv_table, resolve_columns

WHAT = "an ONS LSOA → local authority lookup"

LSOA_LAD_COLUMNS = (
    Column("LSOA21CD", ("LSOA_CD", "LSOA_CODE", "LSOA21_CD"), pattern=r"lsoa\d\dcd"),
    Column("LSOA21NM", ("LSOA_NM", "LSOA_NAME", "LSOA21_NM"), pattern=r"lsoa\d\dnm", required=False),
    Column("LAD_CD", ("LAD_CODE", "LTLA_CD"), pattern=r"(lad|ltla)\d\dcd"),
    Column("LAD_NM", ("LAD_NAME", "LTLA_NM"), pattern=r"(lad|ltla)\d\dnm", required=False),
    Column("UTLA_CD", ("UTLA_CODE",), pattern=r"utla\d\dcd", required=False),
    Column("UTLA_NM", ("UTLA_NAME",), pattern=r"utla\d\dnm", required=False),
    Column("RGN_NM", ("RGN_NAME", "REGION_NAME"), pattern=r"rgn\d\dnm", required=False),
)
"""Columns read; year-stamped ONS variants (``LAD23CD``) match by pattern."""


def read_lsoa_lad(path: str | Path, keep: Collection[str] | None = None) -> list[LsoaRecord]:
    """Read an LSOA → LAD lookup CSV: one record per LSOA, in file order.

    ``keep``: return records for these LSOAs only (the ones practices stand
    in); every row is still checked, so a fault anywhere in the file is
    reported all the same. The national lookup has 35,000 rows and a
    national import needs about 6,000 of them.

    Raises :class:`~integramap.model.SiteError` naming the file, line and
    column for wrong columns, bad codes, or an LSOA given two districts.
    """
    table = read_csv_table(path)
    pos = resolve_columns(table, LSOA_LAD_COLUMNS, what=WHAT)
    i_lsoa, i_lad = pos["LSOA21CD"], pos["LAD_CD"]
    i_name, i_lad_name = pos.get("LSOA21NM"), pos.get("LAD_NM")
    i_utla, i_utla_name, i_rgn = pos.get("UTLA_CD"), pos.get("UTLA_NM"), pos.get("RGN_NM")
    lsoa_col, lad_col = table.header[i_lsoa], table.header[i_lad]

    # The national lookup has 35,000 rows: cells are read by position, a missing
    # column read as a cell past the header that is always blank, and codes are
    # checked with is_code's pattern directly.
    blank = len(table.header)
    pad = [""] * (blank + 1)
    i_name, i_lad_name, i_utla, i_utla_name, i_rgn = (
        blank if i is None else i for i in (i_name, i_lad_name, i_utla, i_utla_name, i_rgn))
    wanted = None if keep is None else set(keep)
    fast = _all_rows_sound(table, i_lsoa, i_lad)
    if fast is not None:
        kept: list[LsoaRecord] = []
        for (line, cells), code, lad in zip(table.rows, *fast):
            if wanted is None or code in wanted:
                row = cells[:blank]
                row += pad[len(row):]
                kept.append(LsoaRecord(code, row[i_name], lad, row[i_lad_name] or lad, row[i_utla].upper(),
                                       row[i_utla_name], row[i_rgn], line))
        return kept
    match = CODE_PATTERN.match
    problems: list[Problem] = []
    # Every LSOA's district and line, for the check of repeats; a record only for those kept.
    seen: dict[str, tuple[str, int]] = {}
    records: list[LsoaRecord] = []
    good_lads: set[str] = set()  # some 300 districts over 35,000 rows: each code checked once
    for line, cells in table.rows:
        row = cells[:blank]
        row += pad[len(row):]
        code = row[i_lsoa].upper()
        lad = row[i_lad].upper()
        if not (code and len(code) <= 40 and match(code)) or not (
                lad in good_lads or (lad and len(lad) <= 40 and match(lad))):
            problems.append(_code_problem(table, line, code, lad, lsoa_col, lad_col))
            continue
        good_lads.add(lad)
        earlier = seen.get(code)
        if earlier is not None:
            if earlier[0] != lad:
                problems.append(table.problem(
                    f"LSOA {code} is given two districts: {earlier[0]} (line {earlier[1]}) and {lad} "
                    "here; an LSOA lies in one district", line, lad_col))
            continue
        seen[code] = (lad, line)
        if wanted is None or code in wanted:
            records.append(LsoaRecord(code, row[i_name], lad, row[i_lad_name] or lad, row[i_utla].upper(),
                                      row[i_utla_name], row[i_rgn], line))
    if problems:
        raise import_error(problems, source=table.file)
    if not seen:
        raise table.error("no LSOAs: the file has a header but no rows; expected one row an LSOA")
    return records


_CODES = re.compile(r"(?:[A-Za-z0-9][A-Za-z0-9_.\-]{0,39}\n)*")
"""A column of codes, one a line, each as :data:`~integramap.io.nhs_records.CODE_PATTERN` and at most 40 long."""


def _all_rows_sound(table: Table, i_lsoa: int, i_lad: int) -> tuple[list[str], list[str]] | None:
    """Every row's LSOA and district code in upper case, when every one is a code and no LSOA
    repeats; else ``None``, and the rows are read one by one to name each fault (or merge repeats).

    Checking a whole column with one pattern spares 35,000 checks of one code each.
    """
    rows = table.rows
    lsoas = "\n".join([c[i_lsoa] if i_lsoa < len(c) else "" for _, c in rows]).upper() + "\n"
    lads = "\n".join([c[i_lad] if i_lad < len(c) else "" for _, c in rows]).upper() + "\n"
    if _CODES.fullmatch(lsoas) is None or _CODES.fullmatch(lads) is None:
        return None
    codes, districts = lsoas.split("\n")[:-1], lads.split("\n")[:-1]
    # A cell holding a line break would shift the lines: then the counts differ.
    if len(codes) != len(rows) or len(districts) != len(rows) or len(set(codes)) != len(codes):
        return None
    return codes, districts


def _code_problem(table: Table, line: int, code: str, lad: str, lsoa_col: str, lad_col: str) -> Problem:
    if not is_code(code):
        what = "is empty" if not code else f"{code!r} is not an LSOA code"
        return table.problem(f"{what}; expected a code such as E01000001", line, lsoa_col)
    what = "is empty" if not lad else f"{lad!r} is not a local authority district code"
    return table.problem(f"{what}; expected a code such as E09000022", line, lad_col)
