"""Reading CSV files and XLSX sheets as plain tables, with errors a person can act on.

Every importer reads through here, so every importer refuses empty files,
binary junk, wrong columns and broken rows in the same words: the file, the
sheet, the row and the column, and what was expected there.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import difflib
import io
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..model import Problem, SiteError, short_repr
from .limits import MAX_CELL_CHARS, LimitError, check_workbook, megabytes, read_limited

MAX_TABLE_BYTES = 256 * 1024 * 1024
"""Largest file read: the national reference files are a few MB; far larger is a mistake."""

IMPORT_FAILED = "could not be imported"

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm")
"""The suffixes openpyxl opens; it refuses any other name, even for a good workbook."""

csv.field_size_limit(1024 * 1024)


@dataclass(frozen=True)
class CellProblem(Problem):
    """A fault in one file, sheet, row or column of a table.

    Examples
    --------
    >>> str(CellProblem((), "expected a number", file="units.csv", row=4, column="staff_count"))
    "units.csv, line 4, column 'staff_count': expected a number"
    >>> str(CellProblem((), "sheet is empty", file="site.xlsx", sheet="links"))
    "site.xlsx, sheet 'links': sheet is empty"
    """

    file: str = ""
    sheet: str | None = None
    row: int | None = None
    column: str | None = None

    @property
    def where(self) -> str:
        parts = [self.file] if self.file else []
        if self.sheet is not None:
            parts.append(f"sheet {self.sheet!r}")
        if self.row is not None:
            # A CSV row is a line of the file; a sheet row is numbered as Excel shows it.
            parts.append(f"{'row' if self.sheet is not None else 'line'} {self.row}")
        if self.column is not None:
            parts.append(f"column {self.column!r}")
        return ", ".join(parts)

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


def import_error(problems: Sequence[Problem], source: str | None = None) -> SiteError:
    """The one error type every importer raises: a :class:`SiteError` listing every fault.

    Faults all in one file are headed by that file's name, as a site file's are.

    Examples
    --------
    >>> print(import_error([CellProblem((), "the file is empty", file="units.csv")]))
    units.csv: could not be imported (1 problem)
      - units.csv: the file is empty
    """
    if source is None:
        files = {p.file if isinstance(p, CellProblem) else "" for p in problems}
        if len(files) == 1:
            source = files.pop() or None
    return SiteError(list(problems), source=source, summary=IMPORT_FAILED)


@dataclass
class Table:
    """Rows of one CSV file or one XLSX sheet, every cell as stripped text.

    ``rows`` pairs each row with its number as a person sees it (the header is
    row 1, the first data row is row 2; for CSV, the file line where the row starts).
    """

    file: str
    sheet: str | None
    header: list[str]
    rows: list[tuple[int, list[str]]] = field(default_factory=list)

    def problem(self, message: str, row: int | None = None, column: str | None = None) -> CellProblem:
        """A problem located in this table."""
        return CellProblem((), message, file=self.file, sheet=self.sheet, row=row, column=column)

    def error(self, message: str, row: int | None = None, column: str | None = None) -> SiteError:
        """An import error with a single problem located in this table."""
        return import_error([self.problem(message, row, column)])


def normalise_header(value: object) -> str:
    """A header cell with line breaks, doubled and trailing spaces collapsed.

    Examples
    --------
    >>> normalise_header("Practice to PCN\\nRelationship\\nEnd Date ")
    'Practice to PCN Relationship End Date'
    >>> normalise_header(None)
    ''
    """
    if value is None:
        return ""
    return " ".join(str(value).replace("\ufeff", "").split())


def header_key(value: object) -> str:
    """A header cell reduced for matching: case, spaces and underscores do not matter.

    Examples
    --------
    >>> header_key(" Sub ICB\\nLoc Code") == header_key("SUB_ICB_LOC_CODE")
    True
    """
    return re.sub(r"[\s_]+", " ", normalise_header(value)).strip().casefold()


# --------------------------------------------------------------------------- CSV

def read_csv_table(path: str | Path, *, header: bool = True) -> Table:
    """Read a CSV file into a :class:`Table`; :class:`SiteError` for anything that is not CSV.

    With ``header=False`` (ODS files such as ``epraccur``) the table's header is
    empty and every line is a data row.
    """
    path = Path(path)
    name = str(path)
    text = _read_text(path)
    table = Table(name, None, [])
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        start = 1
        for cells in reader:
            line = start
            start = reader.line_num + 1
            cleaned = list(map(str.strip, cells))
            if not any(cleaned):
                continue
            if header and not table.header:
                table.header = [normalise_header(c) for c in cleaned]
                continue
            table.rows.append((line, cleaned))
    except csv.Error as exc:
        raise import_error([CellProblem((), f"not a readable CSV file: {exc}", file=name,
                                        row=reader.line_num)]) from None
    if table.rows and _unterminated(text, table.rows[-1][0]):
        raise table.error('a quoted cell starting on this line is never closed (a " with no closing "); '
                          "every cell that opens a quote must close it", row=table.rows[-1][0])
    if header and not table.header:
        raise table.error("the file is empty; expected a header row naming the columns, then one row a record")
    if not header and not table.rows:
        raise table.error("the file is empty; expected one row a record")
    return table


def _unterminated(text: str, line: int) -> bool:
    """Whether the record starting on ``line`` (the file's last) opens a quote it never closes.

    The lenient reader takes the rest of the file into that cell without a word;
    the strict one says so, but also refuses stray quotes that the lenient one reads well.
    """
    rest = "".join(text.splitlines(keepends=True)[line - 1:])
    try:
        list(csv.reader(io.StringIO(rest, newline=""), strict=True))
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


def _read_text(path: Path) -> str:
    name = str(path)
    try:
        raw = read_limited(path, MAX_TABLE_BYTES, "split it into smaller files (for example one per ICB) "
                                                  "and import each")
    except LimitError as exc:
        raise import_error([CellProblem((), str(exc), file=name)]) from None
    except OSError as exc:
        raise import_error([CellProblem((), f"cannot read: {exc.strerror or exc}", file=name)]) from None
    if raw.startswith(b"PK\x03\x04"):
        raise import_error([CellProblem((), "this is an XLSX workbook (or another zip file), not a CSV file",
                                        file=name)])
    try:
        return decode_text(raw, "CSV text")
    except ValueError as exc:
        hint = "" if "binary" in str(exc) else "; save it as CSV UTF-8"
        raise import_error([CellProblem((), f"{exc}{hint}", file=name)]) from None


def decode_text(raw: bytes, kind: str = "text", *, legacy: bool = True) -> str:
    """Text from a file's bytes: UTF-8, UTF-16 with its byte-order mark, or Windows-1252 (Latin-1).

    ``ValueError`` names what the bytes are when they are none of these, or when
    they are Windows-1252 and ``legacy`` is false (YAML and JSON are UTF-8 or UTF-16 by definition).

    Examples
    --------
    >>> decode_text("id,name\\n".encode("utf-16")), decode_text("Caf\\xe9".encode("latin-1"))
    ('id,name\\n', 'Café')
    >>> decode_text("id".encode("utf-16-le"))
    Traceback (most recent call last):
    ...
    ValueError: this is UTF-16 text without a byte-order mark, which is not read
    """
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ValueError(f"this is damaged UTF-16 text (byte {exc.start})") from None
    head = raw[:4096]
    if b"\x00" in head:
        if head[1::2].count(0) > len(head) // 4 or head[0::2].count(0) > len(head) // 4:
            raise ValueError("this is UTF-16 text without a byte-order mark, which is not read")
        raise ValueError(f"this is a binary file, not a {kind} file")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        start = exc.start
    try:
        # Files saved from Excel on Windows are often Windows-1252 (Latin-1 and a few more), not UTF-8.
        text = raw.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise ValueError(f"this is not text in UTF-8, UTF-16 or Windows-1252/Latin-1 (byte {exc.start})") from None
    if not legacy:
        raise ValueError(f"this is Windows-1252/Latin-1 text, not UTF-8 (byte {start})")
    return text


# --------------------------------------------------------------------------- XLSX

def open_workbook(path: str | Path) -> Any:
    """Open an XLSX workbook read-only (fast, low memory); :class:`SiteError` if it is not one."""
    import openpyxl

    path = Path(path)
    name = str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise import_error([CellProblem((), f"cannot read: {exc.strerror or exc}", file=name)]) from None
    if size == 0:
        raise import_error([CellProblem((), "the file is empty; expected an XLSX workbook", file=name)])
    if size > MAX_TABLE_BYTES:
        raise import_error([CellProblem((), f"the file is {megabytes(size)}, over the {megabytes(MAX_TABLE_BYTES)} "
                                        "read from one file; split it into smaller workbooks and import each",
                                        file=name)])
    if path.suffix.lower() not in WORKBOOK_SUFFIXES:
        raise import_error([CellProblem((), f"a {path.suffix or 'file without a'} suffix is not read as a "
                                        "workbook; expected an Excel .xlsx file", file=name)])
    try:
        with path.open("rb") as fh:
            magic = fh.read(4)
    except OSError as exc:
        raise import_error([CellProblem((), f"cannot read: {exc.strerror or exc}", file=name)]) from None
    if magic != b"PK\x03\x04":
        raise import_error([CellProblem((), "not an XLSX workbook (an .xlsx file is a zip archive, and this "
                                        "is not one); expected an Excel .xlsx file, saved from Excel as "
                                        "'Excel Workbook'", file=name)])
    try:
        check_workbook(path)
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except LimitError as exc:
        raise import_error([CellProblem((), str(exc), file=name)]) from None
    except zipfile.BadZipFile:
        raise import_error([CellProblem((), "not an XLSX workbook that can be read (a damaged zip archive); "
                                        "expected an Excel .xlsx file", file=name)]) from None
    except Exception as exc:  # noqa: BLE001
        # A damaged workbook surfaces as whatever the layer that trips on it raises (zlib.error,
        # XML syntax errors, KeyError for a missing part, NotImplementedError for encryption…):
        # all of them mean the same thing to the person who gave us the file.
        raise import_error([CellProblem((), "not an XLSX workbook that can be read; expected an Excel "
                                        f".xlsx file ({type(exc).__name__}: {short_repr(str(exc))})",
                                        file=name)]) from None


def find_sheet(workbook: Any, file: str, wanted: str | Sequence[str], *, required: bool = True) -> Any:
    """The sheet whose name matches one of ``wanted`` (case and spacing ignored), or ``None``."""
    names = [wanted] if isinstance(wanted, str) else list(wanted)
    keys = {header_key(n) for n in names}
    for sheet_name in workbook.sheetnames:
        if header_key(sheet_name) in keys:
            return workbook[sheet_name]
    if not required:
        return None
    found = ", ".join(repr(s) for s in workbook.sheetnames) or "none"
    raise import_error([CellProblem((), f"no sheet named {names[0]!r}; the workbook has {found}", file=file)])


def read_sheet_table(sheet: Any, file: str, *, max_columns: int = 200) -> Table:
    """Read one worksheet into a :class:`Table` (header in its first non-empty row)."""
    table = Table(file, str(sheet.title), [])
    # The <dimension> a workbook states can be stale (rows added by another program): read every row.
    sheet.reset_dimensions()
    try:
        rows = sheet.iter_rows(values_only=True)
        for number, values in enumerate(rows, start=1):
            if any(v is not None and v != "" for v in values[max_columns:]):
                raise table.error(f"row {number} has values beyond column {max_columns}, the most read; "
                                  "move them into the first columns, or split the sheet")
            cells = [cell_text(v) for v in values[:max_columns]]
            longest = max(map(len, cells), default=0)
            if longest > MAX_CELL_CHARS:
                raise table.error(f"a cell holds {longest:,} characters, more than Excel's own limit of "
                                  f"{MAX_CELL_CHARS:,}; shorten it, or split its text over several cells", number)
            if not any(cells):
                continue
            if not table.header:
                table.header = [normalise_header(c) for c in cells]
                continue
            table.rows.append((number, cells))
    except SiteError:
        raise
    except Exception as exc:  # noqa: BLE001
        # Read-only sheets are parsed lazily, so a damaged sheet fails here, not on opening,
        # with whatever its zip, zlib or XML layer raises (see open_workbook).
        raise table.error(f"the sheet cannot be read; the workbook is damaged ({type(exc).__name__}: "
                          f"{short_repr(str(exc))})") from None
    if not table.header:
        raise table.error("the sheet is empty; expected a header row naming the columns")
    return table


def cell_text(value: object) -> str:
    """A cell's value as the text a person sees in it.

    Examples
    --------
    >>> cell_text(12.0), cell_text(0.5), cell_text(None), cell_text(" A81001 ")
    ('12', '0.5', '', 'A81001')
    >>> import datetime; cell_text(datetime.datetime(2023, 1, 31))
    '2023-01-31'
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


# --------------------------------------------------------------------------- columns

@dataclass(frozen=True)
class Column:
    """A column an importer reads: its name and the header spellings accepted for it."""

    name: str
    aliases: tuple[str, ...] = ()
    pattern: str | None = None
    required: bool = True

    def matches(self, key: str) -> bool:
        if key in {header_key(a) for a in (self.name, *self.aliases)}:
            return True
        return self.pattern is not None and re.fullmatch(self.pattern, key) is not None


def resolve_columns(table: Table, columns: Iterable[Column], *, what: str) -> dict[str, int]:
    """Map each column's name to its position in the table, or raise one error naming them all.

    The error lists the columns that are missing, every column expected, and
    every column found, so one look at it tells a person what to fix.
    """
    keys = [header_key(h) for h in table.header]
    found: dict[str, int] = {}
    missing: list[Column] = []
    cols = list(columns)
    for col in cols:
        index = next((i for i, key in enumerate(keys) if key and col.matches(key)), None)
        if index is not None:
            found[col.name] = index
        elif col.required:
            missing.append(col)
    if missing:
        raise table.error(missing_columns_message(what, missing, cols, table.header))
    return found


def missing_columns_message(what: str, missing: Sequence[Column], expected: Sequence[Column],
                            header: Sequence[str]) -> str:
    """The sentence for missing columns: what is missing, what was expected, what was found."""
    def spell(col: Column) -> str:
        hint = difflib.get_close_matches(col.name, [h for h in header if h], n=1, cutoff=0.7)
        return col.name + (f" (did you mean {hint[0]!r}?)" if hint else "")

    names = ", ".join(spell(c) for c in missing)
    want = ", ".join(c.name + ("" if c.required else "?") for c in expected)
    got = ", ".join(repr(h) for h in header if h) or "no columns"
    return (f"this is not {what}: missing column{'s' if len(missing) != 1 else ''} {names}. "
            f"Expected columns: {want} (? = optional). Found: {got}")


def cell(row: Sequence[str], columns: Mapping[str, int], name: str) -> str:
    """The text of a named column in a row; empty where the column is absent or the row short."""
    index = columns.get(name)
    if index is None or index >= len(row):
        return ""
    return row[index]


def close_matches(value: str, candidates: Iterable[str], n: int = 5) -> list[str]:
    """Up to ``n`` candidates that look like ``value`` (case ignored), for 'did you mean'.

    Examples
    --------
    >>> close_matches("qmh", ["QHM", "QKK", "QWE"])
    ['QHM']
    """
    by_key: dict[str, str] = {}
    for c in candidates:
        by_key.setdefault(c.casefold(), c)
    hits = difflib.get_close_matches(value.casefold(), list(by_key), n=n, cutoff=0.6)
    return [by_key[h] for h in hits]
