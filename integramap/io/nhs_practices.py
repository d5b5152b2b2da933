"""The national practice → PCN lookup CSV, in either of its two published column sets.

* the practice lookup with LSOAs (``PRAC_CODE, PRAC_NAME, PRAC_LSOA21, PCN_CODE,
  PCN_NAME, LOC_CODE, LOC_NAME, ICB_CODE, ICB_NAME, …``);
* NHS Digital's ``gp-reg-pat-prac-map.csv`` from "Patients Registered at a GP
  Practice" (``PRACTICE_CODE, PRACTICE_NAME, PCN_CODE, PCN_NAME,
  SUB_ICB_LOCATION_CODE, SUB_ICB_LOCATION_NAME, ICB_CODE, ICB_NAME, …``), which
  has no LSOA: each practice's registered list is then its area.

The column set is told from the header.
"""

from __future__ import annotations

from pathlib import Path

from ..model import Problem
from .nhs_records import PracticeRecord, is_code, pcn_code_or_none
from .tabular import (
    Column,
    Table,
    header_key,
    import_error,
    missing_columns_message,
    read_csv_table,
    resolve_columns,
)

WHAT = "a practice → PCN lookup"

R_MISSING = "NA"
"""How the lookup (written by R's write.csv) spells a missing value: never a code, always empty."""

LOOKUP_COLUMNS = (
    Column("PRAC_CODE"), Column("PRAC_NAME"), Column("PRAC_LSOA21", ("PRAC_LSOA",)),
    Column("PCN_CODE"), Column("PCN_NAME"), Column("LOC_CODE", ("SUB_ICB_CODE",)),
    Column("LOC_NAME", ("SUB_ICB_NAME",)), Column("ICB_CODE"), Column("ICB_NAME"),
    Column("ONS_LOC_CODE", required=False), Column("ONS_ICB_CODE", required=False),
)
"""The lookup that places each practice in an LSOA (column names as published)."""

GP_REG_MAP_COLUMNS = (
    Column("PRACTICE_CODE"), Column("PRACTICE_NAME"), Column("PCN_CODE"), Column("PCN_NAME"),
    Column("SUB_ICB_LOCATION_CODE", ("SUB_ICB_LOC_CODE", "CCG_CODE")),
    Column("SUB_ICB_LOCATION_NAME", ("SUB_ICB_LOC_NAME", "CCG_NAME")),
    Column("ICB_CODE", ("STP_CODE",)), Column("ICB_NAME", ("STP_NAME",)),
    Column("ONS_SUB_ICB_LOCATION_CODE", ("ONS_SUB_ICB_LOC_CODE", "ONS_CCG_CODE"), required=False),
    Column("ONS_ICB_CODE", ("ONS_STP_CODE",), required=False),
)
"""NHS Digital's gp-reg-pat-prac-map.csv (older issues say CCG and STP for sub-ICB and ICB)."""

# Canonical field ← column name, per column set.
_FIELDS = {
    "lookup": {"code": "PRAC_CODE", "name": "PRAC_NAME", "lsoa": "PRAC_LSOA21", "pcn": "PCN_CODE",
               "pcn_name": "PCN_NAME", "loc": "LOC_CODE", "loc_name": "LOC_NAME", "icb": "ICB_CODE",
               "icb_name": "ICB_NAME", "ons_loc": "ONS_LOC_CODE", "ons_icb": "ONS_ICB_CODE"},
    "gp-reg-pat-prac-map": {"code": "PRACTICE_CODE", "name": "PRACTICE_NAME", "pcn": "PCN_CODE",
                            "pcn_name": "PCN_NAME", "loc": "SUB_ICB_LOCATION_CODE",
                            "loc_name": "SUB_ICB_LOCATION_NAME", "icb": "ICB_CODE", "icb_name": "ICB_NAME",
                            "ons_loc": "ONS_SUB_ICB_LOCATION_CODE", "ons_icb": "ONS_ICB_CODE"},
}


def read_practice_lookup(path: str | Path) -> tuple[str, list[PracticeRecord]]:
    """Read a practice → PCN lookup CSV: its column set's name and one record per practice.

    Raises :class:`~integramap.model.SiteError` naming the file, the line and the
    column for any fault: wrong columns, a bad code, a practice listed twice
    or in two PCNs.
    """
    table = read_csv_table(path)
    kind, columns = _column_set(table)
    fields = _FIELDS[kind]
    positions = resolve_columns(table, columns, what=f"{WHAT} ({kind} columns)")
    idx = {f: positions.get(col) for f, col in fields.items()}

    def get(row: list[str], f: str) -> str:
        i = idx.get(f)
        value = row[i] if i is not None and i < len(row) else ""
        return "" if value == R_MISSING else value

    problems: list[Problem] = []
    records: list[PracticeRecord] = []
    first_seen: dict[str, PracticeRecord] = {}
    code_col, pcn_col, lsoa_col = fields["code"], fields["pcn"], fields.get("lsoa", "")
    for line, row in table.rows:
        code = get(row, "code").upper()
        if not is_code(code):
            what = "is empty" if not code else f"{code!r} is not a practice code"
            problems.append(table.problem(f"{what}; expected an ODS code such as A81001", line, code_col))
            continue
        pcn_raw = get(row, "pcn")
        if pcn_raw and not is_code(pcn_raw):
            problems.append(table.problem(f"{pcn_raw!r} is not a PCN code; expected an ODS code such as "
                                          "U89141, or U for a practice in no PCN", line, pcn_col))
            continue
        lsoa = get(row, "lsoa").upper() if "lsoa" in fields else ""
        if lsoa and not is_code(lsoa):
            problems.append(table.problem(f"{lsoa!r} is not an LSOA code; expected a code such as "
                                          "E01000001", line, lsoa_col))
            continue
        loc = get(row, "loc").upper()
        if loc and not is_code(loc):
            problems.append(table.problem(f"{loc!r} is not a sub-ICB location code; expected a code such as "
                                          "16C", line, fields["loc"]))
            continue
        icb = get(row, "icb").upper()
        if icb and not is_code(icb):
            problems.append(table.problem(f"{icb!r} is not an ICB code; expected a code such as QHM",
                                          line, fields["icb"]))
            continue
        record = PracticeRecord(
            code=code, name=get(row, "name") or code, line=line,
            pcn_code=pcn_code_or_none(pcn_raw), pcn_name=get(row, "pcn_name"),
            sub_icb_code=loc, sub_icb_name=get(row, "loc_name"),
            icb_code=icb, icb_name=get(row, "icb_name"), lsoa=lsoa or None,
            ons_sub_icb_code=get(row, "ons_loc").upper(), ons_icb_code=get(row, "ons_icb").upper())
        earlier = first_seen.get(code)
        if earlier is not None:
            problems.append(table.problem(duplicate_message(earlier, record), line, code_col))
            continue
        first_seen[code] = record
        records.append(record)
    if problems:
        raise import_error(problems, source=table.file)
    if not records:
        raise table.error(f"no practices: the file has a header but no rows; expected one row a practice")
    return kind, records


def duplicate_message(earlier: PracticeRecord, later: PracticeRecord) -> str:
    """Why a practice listed twice is refused: in two PCNs, or simply twice."""
    if earlier.pcn_code != later.pcn_code:
        return (f"practice {later.code} is in two PCNs: {earlier.pcn_code or 'none'} (line {earlier.line}) "
                f"and {later.pcn_code or 'none'} here; a practice belongs to one PCN, so keep one row")
    return f"practice {later.code} is listed twice (first on line {earlier.line}); keep one row a practice"


def _column_set(table: Table) -> tuple[str, tuple[Column, ...]]:
    keys = {header_key(h) for h in table.header}
    if header_key("PRAC_CODE") in keys:
        return "lookup", LOOKUP_COLUMNS
    if header_key("PRACTICE_CODE") in keys:
        return "gp-reg-pat-prac-map", GP_REG_MAP_COLUMNS
    message = (missing_columns_message(f"{WHAT} with LSOAs", [LOOKUP_COLUMNS[0]], LOOKUP_COLUMNS, table.header)
               + f". Or, for NHS Digital's gp-reg-pat-prac-map.csv, expected columns: "
               + ", ".join(c.name + ("" if c.required else "?") for c in GP_REG_MAP_COLUMNS))
    raise table.error(message)
