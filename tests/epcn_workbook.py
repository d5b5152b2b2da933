"""A tiny ODS ePCN workbook in the real layout, for the importer tests.

The headers are copied from the published workbook (``epcn_2023-01.xlsx``):
line breaks inside the header cells, and a trailing space on the last one.
Practice and PCN codes are fictional (Z9…, U9…); dates are text, as ODS gives them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

PARTNER_SHEET = "PCN Core Partner Details"
DETAILS_SHEET = "PCNDetails"

PARTNER_HEADER = (
    "Partner\nOrganisation\nCode", "Partner\nName", "Practice\nParent\nSub ICB Loc Code",
    "Practice\nParent\nSub ICB Loc Name", "PCN Code", "PCN Name", "PCN Parent\nSub ICB Loc Code",
    "PCN Parent\nSub ICB Loc Name", "Practice to PCN\nRelationship\nStart Date",
    "Practice to PCN\nRelationship\nEnd Date", "Practice Sub ICB Loc and PCN Sub ICB Loc Match ",
)

DETAILS_HEADER = (
    "PCN Code", "PCN Name", "Current Sub ICB Loc Code", "Sub ICB Location", "Open Date", "Close Date",
    "Address Line 1", "Address Line 2", "Address Line 3", "Address Line 4", "Address Line 5", "Postcode",
)

LOC_90A = "NHS EXAMPLESHIRE ICB - 90A"
LOC_90B = "NHS EXAMPLESHIRE ICB - 90B"
LOC_91C = "NHS OTHERSIDE ICB - 91C"
_LOC_NAMES = {"90A": LOC_90A, "90B": LOC_90B, "91C": LOC_91C}


def partner(code: str, name: str, practice_loc: str, pcn: str, pcn_name: str, pcn_loc: str,
            start: str = "20191001", end: str | None = None) -> tuple[object, ...]:
    """One row of the partner sheet, as the published workbook has it."""
    return (code, name, practice_loc, _LOC_NAMES[practice_loc], pcn, pcn_name, pcn_loc, _LOC_NAMES[pcn_loc],
            start, end, practice_loc == pcn_loc)


PARTNERS: tuple[tuple[object, ...], ...] = (
    partner("Z90001", "RIVERBANK SURGERY", "90A", "U90001", "RIVERBANK PCN", "90A"),
    partner("Z90002", "MILL LANE MEDICAL CENTRE", "90A", "U90001", "RIVERBANK PCN", "90A"),
    # A practice whose own sub-ICB location is not its PCN's: the PCN straddles two places.
    partner("Z90003", "HILLTOP PRACTICE", "90B", "U90001", "RIVERBANK PCN", "90A"),
    # Moved PCN: the ended relationship must not count against the current one.
    partner("Z90004", "STATION ROAD SURGERY", "90B", "U90001", "RIVERBANK PCN", "90A", end="20220331"),
    partner("Z90004", "STATION ROAD SURGERY", "90B", "U90002", "NORTHGATE PCN", "90B", start="20220401"),
    # Closed practice: ended relationships only.
    partner("Z90005", "THE GREEN HEALTH CENTRE", "90B", "U90002", "NORTHGATE PCN", "90B", end="20210131"),
    partner("Z90006", "CASTLE STREET SURGERY", "91C", "U90003", "WESTFIELD PCN", "91C", end="20200608"),
    partner("Z90006", "CASTLE STREET SURGERY", "91C", "U90002", "NORTHGATE PCN", "90B", start="20200609",
            end="20220331"),
)

DETAILS: tuple[tuple[object, ...], ...] = (
    ("U90001", "RIVERBANK PCN", "90A", LOC_90A, "20191001", "", "RIVER STREET", "", "", "EXAMPLETON", "",
     "ZZ1 1AB"),
    ("U90002", "NORTHGATE PCN", "90B", LOC_90B, "20191001", "", "STATION ROAD", "", "", "OTHERBURY", "",
     "ZZ2 2AB"),
    ("U90003", "WESTFIELD PCN", "91C", LOC_91C, "20191001", "", "CASTLE STREET", "", "", "WESTFIELD", "",
     "ZZ3 1AB"),
)


def write_epcn(path: Path, partners: Sequence[Sequence[object]] = PARTNERS,
               details: Sequence[Sequence[object]] | None = DETAILS,
               partner_header: Sequence[str] = PARTNER_HEADER, partner_sheet: str = PARTNER_SHEET) -> Path:
    """Write an ePCN workbook: ``PCNDetails`` first (as published), then the partner sheet."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    if details is not None:
        sheet = workbook.create_sheet(DETAILS_SHEET)
        sheet.append(list(DETAILS_HEADER))
        for row in details:
            sheet.append(list(row))
    sheet = workbook.create_sheet(partner_sheet)
    sheet.append(list(partner_header))
    for row in partners:
        sheet.append(list(row))
    workbook.save(path)
    return path


def without_column(rows: Sequence[Sequence[object]], header: Sequence[str], name: str
                   ) -> tuple[list[str], list[list[object]]]:
    """The header and rows with one column left out (a workbook from an older layout)."""
    index = list(header).index(name)
    return ([h for i, h in enumerate(header) if i != index],
            [[v for i, v in enumerate(row) if i != index] for row in rows])
