"""The ODS ePCN workbook (NHS Digital, "GP and GP practice related data") and ODS ``epraccur``.

The sheet ``PCN Core Partner Details`` has one row per practice-to-PCN
relationship; its headers carry line breaks and trailing spaces, which are
normalised. Only current relationships (no end date) are read unless ended
ones are asked for, and then each practice keeps its current relationship or,
failing that, its latest ended one. ``PCNDetails`` (optional) gives PCN names.

The ePCN has no LSOAs: each practice's registered list is its area, and the
practice counts in the sub-ICB location ODS gives as *the practice's own*
parent (column ``Practice Parent Sub ICB Loc Code``), so a PCN whose practices
sit in different sub-ICB locations shows as a straddle of ``pcn`` over
``place``. Where a workbook lacks that column, ``epraccur`` (headerless:
column 0 the practice code, 3 its ICB, 14 its commissioner) supplies it; with
neither, the PCN's own sub-ICB location is used.

The ePCN names no ICB codes: ``epraccur`` gives them; otherwise the ICB is
taken from the sub-ICB location's name ("NHS SOUTH WEST LONDON ICB - 36L")
and its id made from that name.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from pathlib import Path

from ..model import Problem
from .nhs_practices import duplicate_message
from .nhs_records import PracticeRecord, is_code, pcn_code_or_none
from .tabular import (
    Column,
    Table,
    find_sheet,
    import_error,
    open_workbook,
    read_csv_table,
    read_sheet_table,
    resolve_columns,
)

PARTNER_SHEET = "PCN Core Partner Details"
DETAILS_SHEET = "PCNDetails"

PARTNER_COLUMNS = (
    Column("Partner Organisation Code", ("Partner Code", "Practice Code")),
    Column("Partner Name", ("Practice Name",), required=False),
    Column("Practice Parent Sub ICB Loc Code",
           ("Practice Parent Sub ICB Location Code", "Practice Parent CCG Code"), required=False),
    Column("Practice Parent Sub ICB Loc Name",
           ("Practice Parent Sub ICB Location Name", "Practice Parent CCG Name"), required=False),
    Column("PCN Code"),
    Column("PCN Name", required=False),
    Column("PCN Parent Sub ICB Loc Code", ("PCN Parent Sub ICB Location Code", "PCN Parent CCG Code"),
           required=False),
    Column("PCN Parent Sub ICB Loc Name", ("PCN Parent Sub ICB Location Name", "PCN Parent CCG Name"),
           required=False),
    Column("Practice to PCN Relationship End Date", ("Relationship End Date", "End Date")),
)

DETAILS_COLUMNS = (
    Column("PCN Code"),
    Column("PCN Name", required=False),
    Column("Current Sub ICB Loc Code", ("Current Sub ICB Location Code", "Current CCG Code"), required=False),
    Column("Sub ICB Location", ("Current Sub ICB Loc Name", "Sub ICB Location Name", "CCG Name"),
           required=False),
)

EPRACCUR_CODE, EPRACCUR_NAME, EPRACCUR_ICB, EPRACCUR_COMMISSIONER = 0, 1, 3, 14


@dataclass(frozen=True, slots=True)
class OdsPractice:
    """A practice's own parents as ``epraccur`` gives them."""

    code: str
    name: str
    icb_code: str
    sub_icb_code: str


def read_epcn(path: str | Path, *, epraccur: str | Path | None = None,
              include_inactive: bool = False) -> list[PracticeRecord]:
    """Read the ePCN workbook: one record per practice with its PCN and sub-ICB location.

    Raises :class:`~integramap.model.SiteError` naming the file, sheet, row and
    column for any fault, including a practice in two PCNs at once.
    """
    name = str(path)
    workbook = open_workbook(path)
    try:
        partners = read_sheet_table(find_sheet(workbook, name, PARTNER_SHEET), name)
        details_sheet = find_sheet(workbook, name, DETAILS_SHEET, required=False)
        details = read_sheet_table(details_sheet, name) if details_sheet is not None else None
    finally:
        workbook.close()
    ods = read_epraccur(epraccur) if epraccur is not None else {}
    pcn_names, loc_names, pcn_locs = _details(details) if details is not None else ({}, {}, {})
    chosen = _relationships(partners, include_inactive)
    pos = resolve_columns(partners, PARTNER_COLUMNS, what="an ePCN workbook's partner sheet")

    def get(row: list[str], col: str) -> str:
        i = pos.get(col)
        return row[i] if i is not None and i < len(row) else ""

    for _, row in chosen:
        for code_col, name_col in (("Practice Parent Sub ICB Loc Code", "Practice Parent Sub ICB Loc Name"),
                                   ("PCN Parent Sub ICB Loc Code", "PCN Parent Sub ICB Loc Name")):
            code = get(row, code_col).upper()
            if code and get(row, name_col):
                loc_names.setdefault(code, get(row, name_col))

    records: list[PracticeRecord] = []
    for line, row in chosen:
        code = get(row, "Partner Organisation Code").upper()
        pcn = pcn_code_or_none(get(row, "PCN Code"))
        own = ods.get(code)
        loc = (get(row, "Practice Parent Sub ICB Loc Code").upper()
               or (own.sub_icb_code if own else "")
               or get(row, "PCN Parent Sub ICB Loc Code").upper())
        loc_name = loc_names.get(loc, "")
        # ODS's own parent for the PCN: a PCN whose practices split evenly, or mostly lie
        # elsewhere, still belongs where ODS says, not where most practices are.
        pcn_loc = (get(row, "PCN Parent Sub ICB Loc Code").upper() or pcn_locs.get(pcn or "", "")) if pcn else ""
        icb_name = icb_name_from_location(loc_name)
        icb_code = own.icb_code if own and own.icb_code else icb_id_from_name(icb_name)
        records.append(PracticeRecord(
            code=code, name=get(row, "Partner Name") or (own.name if own else "") or code, line=line,
            pcn_code=pcn, pcn_name=(pcn_names.get(pcn, "") or get(row, "PCN Name")) if pcn else "",
            sub_icb_code=loc, sub_icb_name=loc_name, icb_code=icb_code,
            icb_name=icb_name or icb_code, pcn_sub_icb_code=pcn_loc,
            pcn_sub_icb_name=loc_names.get(pcn_loc, "") if pcn_loc else ""))
    if not records:
        raise partners.error("no current practice-to-PCN relationships in the sheet"
                             + ("" if include_inactive else " (ended ones are read with include_inactive)"))
    return records


def _relationships(table: Table, include_inactive: bool) -> list[tuple[int, list[str]]]:
    """The one relationship kept per practice, checked: codes, dates, no practice in two PCNs."""
    pos = resolve_columns(table, PARTNER_COLUMNS, what="an ePCN workbook's partner sheet")
    i_code, i_pcn = pos["Partner Organisation Code"], pos["PCN Code"]
    i_end = pos["Practice to PCN Relationship End Date"]
    code_col, pcn_col = table.header[i_code], table.header[i_pcn]
    problems: list[Problem] = []
    current: dict[str, tuple[int, list[str]]] = {}
    ended: dict[str, tuple[str, int, list[str]]] = {}
    for line, row in table.rows:
        row = row + [""] * (len(table.header) - len(row))
        code, pcn, end = row[i_code].upper(), row[i_pcn].upper(), row[i_end]
        if not is_code(code):
            what = "is empty" if not code else f"{code!r} is not a practice code"
            problems.append(table.problem(f"{what}; expected an ODS code such as A81001", line, code_col))
            continue
        if pcn and not is_code(pcn):
            problems.append(table.problem(f"{pcn!r} is not a PCN code; expected an ODS code such as U89141",
                                          line, pcn_col))
            continue
        if end:
            key = date_key(end)
            if key is None:
                problems.append(table.problem(f"{end!r} is not a date; expected the date the relationship "
                                              "ended (20220331 or 2022-03-31), or nothing if it has not",
                                              line, table.header[i_end]))
            elif include_inactive and (code not in ended or key > ended[code][0]):
                ended[code] = (key, line, row)
            continue
        earlier = current.get(code)
        if earlier is not None:
            first = PracticeRecord(code, "", earlier[0], pcn_code_or_none(earlier[1][i_pcn]))
            later = PracticeRecord(code, "", line, pcn_code_or_none(pcn))
            problems.append(table.problem(duplicate_message(first, later).replace("line", "row"), line, code_col))
            continue
        current[code] = (line, row)
    if problems:
        raise import_error(problems, source=table.file)
    kept = dict(current)
    for code, (_, line, row) in ended.items():
        kept.setdefault(code, (line, row))
    return sorted(kept.values(), key=lambda item: item[0])


def _details(table: Table) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """PCN names, sub-ICB location names and each PCN's sub-ICB location from ``PCNDetails``."""
    pos = resolve_columns(table, DETAILS_COLUMNS, what="an ePCN workbook's PCNDetails sheet")
    pcn_names: dict[str, str] = {}
    loc_names: dict[str, str] = {}
    pcn_locs: dict[str, str] = {}
    for _, row in table.rows:
        cells = row + [""] * (len(table.header) - len(row))
        code = cells[pos["PCN Code"]].upper()
        if "PCN Name" in pos and cells[pos["PCN Name"]]:
            pcn_names.setdefault(code, cells[pos["PCN Name"]])
        if "Current Sub ICB Loc Code" in pos and "Sub ICB Location" in pos:
            loc = cells[pos["Current Sub ICB Loc Code"]].upper()
            if loc and cells[pos["Sub ICB Location"]]:
                loc_names.setdefault(loc, cells[pos["Sub ICB Location"]])
        if "Current Sub ICB Loc Code" in pos and cells[pos["Current Sub ICB Loc Code"]]:
            pcn_locs.setdefault(code, cells[pos["Current Sub ICB Loc Code"]].upper())
    return pcn_names, loc_names, pcn_locs


def read_epraccur(path: str | Path) -> dict[str, OdsPractice]:
    """Read ODS ``epraccur`` (headerless CSV): each practice's ICB and commissioner by code."""
    table = read_csv_table(path, header=False)
    problems: list[Problem] = []
    short: list[tuple[int, int]] = []
    out: dict[str, OdsPractice] = {}
    for line, row in table.rows:
        if line == 1 and row and row[0].casefold().startswith("organisation"):
            continue  # a header some people add by hand
        if len(row) <= EPRACCUR_COMMISSIONER:
            short.append((line, len(row)))
            continue
        code = row[EPRACCUR_CODE].upper()
        if not is_code(code):
            problems.append(table.problem(f"{code!r} is not a practice code; expected an ODS code", line))
            continue
        icb = row[EPRACCUR_ICB].upper()
        loc = row[EPRACCUR_COMMISSIONER].upper()
        out[code] = OdsPractice(code, row[EPRACCUR_NAME], icb if is_code(icb) else "",
                                loc if is_code(loc) else "")
    if short:
        # A wrong file has every line short: one problem says so, not one a line.
        line, width = short[0]
        more = f" (and {len(short) - 1} more line{'s' if len(short) > 2 else ''} like it)" if len(short) > 1 else ""
        problems.insert(0, table.problem(
            f"{width} column{'s' if width != 1 else ''}{more}; expected the ODS epraccur layout (no header, "
            f"at least {EPRACCUR_COMMISSIONER + 1} columns: code, name, …, commissioner in column "
            f"{EPRACCUR_COMMISSIONER + 1})", line))
    if problems:
        raise import_error(problems, source=table.file)
    return out


def date_key(text: str) -> str | None:
    """A date cell as ``YYYYMMDD`` (which sorts as dates do), or ``None`` if it is not a date.

    ODS writes ``20220331``; a workbook saved from Excel may hold a real date
    (read as ``2022-03-31``), and people type ``31/03/2022``.

    Examples
    --------
    >>> date_key("20220331"), date_key("2022-03-31"), date_key("31/03/2022"), date_key("n/a")
    ('20220331', '20220331', '20220331', None)
    """
    text = text.strip()
    for pattern in ("%Y%m%d", "%Y-%m-%d", "%d/%m/%Y", "%Y-%m-%dT%H:%M:%S"):
        try:
            return dt.datetime.strptime(text, pattern).strftime("%Y%m%d")
        except ValueError:
            continue
    return None


def icb_name_from_location(location_name: str) -> str:
    """The ICB's name inside a sub-ICB location's name.

    Examples
    --------
    >>> icb_name_from_location("NHS SOUTH WEST LONDON ICB - 36L")
    'NHS SOUTH WEST LONDON ICB'
    >>> icb_name_from_location("")
    ''
    """
    return re.sub(r"\s*-\s*[A-Z0-9]{3,5}\s*$", "", location_name.strip())


def icb_id_from_name(icb_name: str) -> str:
    """A code for an ICB known only by name (letters, digits and ``-``).

    Examples
    --------
    >>> icb_id_from_name("NHS South West London ICB")
    'NHS-SOUTH-WEST-LONDON-ICB'
    """
    return re.sub(r"[^A-Za-z0-9]+", "-", icb_name).strip("-").upper()[:100]


def merge_with_lookup(records: list[PracticeRecord], lookup: list[PracticeRecord]) -> list[PracticeRecord]:
    """ePCN records with LSOAs and ICB codes from a practice lookup.

    The ePCN keeps its say on PCN membership and sub-ICB location; the lookup
    adds each practice's LSOA and, by sub-ICB location, the ICB's code and name.
    """
    by_code = {r.code: r for r in lookup}
    icb_by_loc = {r.sub_icb_code: r for r in lookup if r.sub_icb_code and r.icb_code}
    out: list[PracticeRecord] = []
    for r in records:
        known = by_code.get(r.code)
        via = icb_by_loc.get(r.sub_icb_code) or known
        changes: dict[str, object] = {}
        if known is not None:
            changes["lsoa"] = known.lsoa
        if via is not None and via.icb_code:
            changes.update(icb_code=via.icb_code, icb_name=via.icb_name, ons_icb_code=via.ons_icb_code)
            if via.sub_icb_code == r.sub_icb_code:
                changes["ons_sub_icb_code"] = via.ons_sub_icb_code
        out.append(replace(r, **changes) if changes else r)  # type: ignore[arg-type]
    return out
