"""The spreadsheet template that ``integramap import table`` reads.

``integramap template -o FILE.xlsx`` writes a workbook with the sheets
``units``, ``links``, ``areas`` and ``site`` (headers exactly the columns
:mod:`integramap.io.table` reads, and a small worked example that imports
cleanly) and a ``README`` sheet explaining every column. The allowed values
come from the model's enums through :mod:`integramap.io.table`, so the template
can never offer a word the importer refuses. ``-o DIR`` writes the same as CSV
files (``units.csv`` …) with a ``README.md``, which the importer does not read.

Nothing is replaced without ``overwrite``, and every file is written
atomically, after every check has passed.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..model import Problem, SiteError
from .csv_safe import csv_rows_text
from .sitefile import write_text_atomic
from .table import COLUMNS, SITE_FIELDS, TableColumn
from .tabular import CellProblem

__all__ = ["EXAMPLE_ROWS", "EXAMPLE_SITE", "TEMPLATE_SHEETS", "readme_rows", "write_template"]

TEMPLATE_SHEETS = ("units", "links", "areas", "site", "README")
"""The workbook's sheets, in order."""

NOT_WRITTEN = "the template was not written"

EXAMPLE_ROWS: dict[str, list[dict[str, str]]] = {
    "units": [
        {"id": "riverside-trust", "name": "Riverside Mental Health NHS Trust", "kind": "organisation",
         "org_type": "nhs_trust", "sectors": "mental_health;community_health"},
        {"id": "riverside-council", "name": "Riverside Borough Council", "kind": "organisation",
         "org_type": "local_authority", "sectors": "social_care"},
        {"id": "camhs-south", "name": "CAMHS South team", "kind": "team", "sectors": "mental_health",
         "parent": "riverside-trust", "basis": "geographic", "age_groups": "children",
         "functions": "emotional wellbeing", "footprint": "RB001:1;RB002:0.5",
         "employer": "Riverside Mental Health NHS Trust", "it_system": "RiO", "location": "Elm House",
         "staff_count": "12"},
        {"id": "csc-south", "name": "Children's social care South", "kind": "team", "sectors": "social_care",
         "parent": "riverside-council", "basis": "geographic", "age_groups": "children",
         "functions": "safeguarding", "footprint": "RB001;RB002", "employer": "Riverside Borough Council",
         "it_system": "Mosaic", "location": "Elm House", "staff_count": "20"},
    ],
    "links": [
        {"id": "camhs-csc-south", "source": "camhs-south", "target": "csc-south", "level": "co_located",
         "target_level": "pooled_management", "governance": "separate", "finance": "aligned",
         "management": "separate", "it": "workaround", "estates": "co_located", "clinical": "joint_assessment",
         "mechanisms": "interface_meeting;single_point_of_access", "notes": "Weekly joint allocation meeting"},
    ],
    "areas": [
        {"id": "RB001", "name": "Riverside 001A", "population": "1975", "codes": "ward=RBW01"},
        {"id": "RB002", "name": "Riverside 001B", "population": "2185", "codes": "ward=RBW01"},
    ],
}
"""The worked example: a CAMHS team co-located with children's social care (fictional)."""

EXAMPLE_SITE: dict[str, str] = {
    "id": "riverside-example", "name": "Riverside (template example)",
    "description": "Children's mental health and social care in the south of Riverside: replace with yours",
}
"""The worked example's ``site`` sheet values."""

_GENERAL_NOTES = (
    "Fill in one row a unit on 'units', one row a link on 'links', one row an area on 'areas', "
    "and the site's id and name on 'site'. Replace the example rows with your own.",
    "Then run: integramap import table THIS-FILE.xlsx -o my-site.yaml (every fault is listed with its "
    "sheet, row and column, and nothing is written until the whole workbook is right).",
    "Columns marked required must be filled on every row; leave any other cell empty if it does not apply.",
    "Lists are separated by ; (for example mental_health;social_care).",
    "A footprint lists the areas a unit covers, each with the share of its population covered: "
    "RB001:1;RB002:0.5. An area with no share counts 1. Every area named must be on the 'areas' sheet.",
    "A parent, and a link's source and target, are the ids of units on the 'units' sheet.",
    "Start a column's header with # to keep your own notes in it: such columns are not read.",
    "Integration levels, lowest to highest, are listed under the 'level' column below.",
)


def readme_rows() -> list[tuple[str, str, str, str, str, str]]:
    """The README's column table: sheet, column, required, meaning, allowed values, example.

    Examples
    --------
    >>> rows = readme_rows()
    >>> rows[0]
    ('sheet', 'column', 'required', 'what it means', 'allowed values', 'example')
    >>> [r[4] for r in rows if r[:2] == ("links", "level")][0]
    'interface, closer_working, co_located, pooled_management, merged_governance, fully_merged'
    """
    rows = [("sheet", "column", "required", "what it means", "allowed values", "example")]
    for sheet, columns in [*COLUMNS.items(), ("site", SITE_FIELDS)]:
        for col in columns:
            rows.append((sheet, col.name, "required" if col.required else "", col.help,
                         ", ".join(col.choices), col.example))
    return rows


def write_template(out: Path, overwrite: bool = False) -> list[Path]:
    """Write the spreadsheet template: an XLSX workbook, or CSV files in a folder.

    Parameters
    ----------
    out
        ``FILE.xlsx`` for a workbook; an existing folder, or a path with no
        suffix (created), for ``units.csv``, ``links.csv``, ``areas.csv``,
        ``site.csv`` and ``README.md``.
    overwrite
        Replace files that already exist; without it they are refused.

    Returns
    -------
    list of Path
        The files written.

    Raises
    ------
    SiteError
        Naming the file, when it exists (and ``overwrite`` is false), when the
        name is neither ``.xlsx`` nor a folder, or when it cannot be written.
        Nothing is written then.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> [p.name for p in write_template(folder / "site.xlsx")]
    ['site.xlsx']
    >>> [p.name for p in write_template(folder / "csv")]
    ['units.csv', 'links.csv', 'areas.csv', 'site.csv', 'README.md']
    >>> write_template(folder / "site.xlsx")
    Traceback (most recent call last):
    ...
    integramap.model.errors.SiteError: the template was not written (1 problem)
      - .../site.xlsx: already exists; choose another name, or replace it with --force
    """
    out = Path(out)
    if out.suffix.lower() == ".xlsx" and not out.is_dir():
        files: dict[Path, bytes] = {out: _workbook_bytes()}
    elif out.is_dir() or (not out.suffix and not out.exists()):
        files = {out / f"{name}.csv": _csv_bytes(name) for name in ("units", "links", "areas", "site")}
        files[out / "README.md"] = _readme_markdown().encode("utf-8")
    else:
        what = "a file" if out.exists() else f"a {out.suffix!r} name"
        raise _refused(out, f"is {what}; expected a name ending .xlsx for a workbook, or a folder for "
                       "CSV files")
    if not overwrite:
        existing = [p for p in files if p.exists() or p.is_symlink()]
        if existing:
            raise SiteError([_problem(p, "already exists; choose another name, or replace it with --force")
                             for p in existing], summary=NOT_WRITTEN)
    for path in files:
        if path.is_dir():
            raise _refused(path, "is a folder; expected a file name")
    written: list[Path] = []
    for path, data in files.items():
        try:
            written.append(write_text_atomic(path, data))
        except OSError as exc:
            raise _refused(path, f"cannot be written: {exc.strerror or exc}") from None
    return written


def _problem(path: Path, message: str) -> Problem:
    return CellProblem((), message, file=str(path))


def _refused(path: Path, message: str) -> SiteError:
    return SiteError([_problem(path, message)], summary=NOT_WRITTEN)


def _header(name: str) -> list[str]:
    return ["field", "value"] if name == "site" else [c.name for c in COLUMNS[name]]


def _rows(name: str) -> list[list[str]]:
    """The example rows of one table, in its column order (every key checked to be a column)."""
    if name == "site":
        return [[c.name, EXAMPLE_SITE.get(c.name, "")] for c in SITE_FIELDS]
    header = _header(name)
    out = []
    for example in EXAMPLE_ROWS[name]:
        unknown = set(example) - set(header)
        if unknown:  # a slip in this module, caught by its tests, never by a user
            raise AssertionError(f"example {name} row has unknown columns {sorted(unknown)}")
        out.append([example.get(col, "") for col in header])
    return out


def _csv_bytes(name: str) -> bytes:
    text = csv_rows_text([_header(name), *_rows(name)], line_end="\r\n")
    # With a byte-order mark Excel opens the file as UTF-8 (names with accents stay readable).
    return text.encode("utf-8-sig")


def _readme_markdown() -> str:
    lines = ["# IntegraMap spreadsheet template", ""]
    lines += [f"- {note}" for note in _GENERAL_NOTES]
    lines += ["", "The CSV files: units.csv, links.csv, areas.csv and site.csv (field, value rows). "
              "Import the folder with: integramap import table FOLDER -o my-site.yaml", ""]
    head, *rows = readme_rows()
    lines.append("| " + " | ".join(head) + " |")
    lines.append("|" + " --- |" * len(head))
    for row in rows:
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |")
    return "\n".join(lines) + "\n"


def _workbook_bytes() -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    workbook.remove(workbook.active)
    bold = Font(bold=True)
    for name in ("units", "links", "areas", "site"):
        sheet = workbook.create_sheet(name)
        sheet.append(_header(name))
        for row in _rows(name):
            sheet.append([_typed(name, col, value) for col, value in zip(_header(name), row)])
        for cell in sheet[1]:
            cell.font = bold
        sheet.freeze_panes = "A2"
        for index, head in enumerate(_header(name), start=1):
            width = max(len(head), *(len(r[index - 1]) for r in _rows(name))) + 2
            sheet.column_dimensions[_letter(index)].width = min(max(width, 10), 48)
        if name in COLUMNS:
            _add_choice_lists(sheet, COLUMNS[name], DataValidation)
    readme = workbook.create_sheet("README")
    readme.append(["IntegraMap spreadsheet template"])
    readme["A1"].font = Font(bold=True, size=14)
    for note in _GENERAL_NOTES:
        readme.append([note])
    readme.append([])
    first = readme.max_row + 1
    for entry in readme_rows():
        readme.append(list(entry))
    for cell in readme[first]:
        cell.font = bold
    wrap = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCDEF", (10, 18, 10, 60, 60, 30)):
        readme.column_dimensions[letter].width = width
    for cells in readme.iter_rows(min_row=first + 1):
        for cell in cells:
            cell.alignment = wrap
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _typed(sheet: str, column: str, value: str) -> Any:
    """Numbers as numbers, so Excel neither flags them as text nor right-aligns them oddly."""
    kind = next((c.kind for c in COLUMNS.get(sheet, ()) if c.name == column), "text")
    if value and kind in ("number", "integer"):
        number = float(value)
        return int(number) if number.is_integer() else number
    return value if value else None


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(index))


def _add_choice_lists(sheet: Any, columns: Sequence[TableColumn], validation: Any) -> None:
    """Drop-down lists on the single-choice columns (lists of several values are typed in)."""
    for index, col in enumerate(columns, start=1):
        if not col.choices or col.kind == "list":
            continue
        letter = _letter(index)
        rule = validation(type="list", formula1='"' + ",".join(col.choices) + '"', allow_blank=True,
                          showErrorMessage=True, errorStyle="warning", errorTitle=col.name,
                          error="Expected one of: " + ", ".join(col.choices))
        rule.add(f"{letter}2:{letter}1000")
        sheet.add_data_validation(rule)
