"""The project's one CSV writer: every exported table is written through here.

Two things make a CSV file unsafe to hand to someone with a spreadsheet:

- a field holding a line break or a separator that is not quoted (Python's
  ``csv`` module quotes ``\\r`` only when it is part of the line terminator, so a
  lone carriage return in a name started a new row, and a formula with it);
- a text cell, or any line of one, that starts with ``= + - @``, a tab or a
  carriage return, which spreadsheets run as a formula.

Here every field holding ``\\r``, ``\\n``, a comma or a quote is quoted, and
every text cell is neutralised line by line (:func:`~.safe_text.neutralise_formula`),
so what :mod:`integramap.io.table` reads back is exactly what was written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .safe_text import neutralise_formula

_NEEDS_QUOTES = frozenset(',"\r\n')


def csv_field(value: object) -> str:
    """One field as CSV: formula-safe text, quoted where it must be.

    Numbers are written as numbers (a spreadsheet shows ``-3`` as minus three,
    it does not run it); everything else is text.

    Examples
    --------
    >>> csv_field("notes\\r+cmd|' /C calc'!A0")
    '"notes\\r\\'+cmd|\\' /C calc\\'!A0"'
    >>> csv_field('A "quoted", name'), csv_field(None), csv_field(-2.5)
    ('"A ""quoted"", name"', '', '-2.5')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        text = str(value)
    elif isinstance(value, (int, float)):
        return str(value)
    else:
        text = neutralise_formula(str(value))
    if _NEEDS_QUOTES.intersection(text):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_rows_text(rows: Iterable[Sequence[Any]], *, line_end: str = "\n") -> str:
    """Rows (the first is usually the header) as CSV text.

    ``line_end`` separates records; a line break inside a field is always quoted,
    so either ending reads back the same.

    Examples
    --------
    >>> print(csv_rows_text([["kind", "name"], ["gap", "=SUM(A1)"]]), end="")
    kind,name
    gap,'=SUM(A1)
    """
    return "".join(",".join(csv_field(v) for v in row) + line_end for row in rows)


def csv_text(columns: Iterable[str], records: Iterable[Mapping[str, Any]], *, line_end: str = "\n") -> str:
    """Records as CSV text under a header of ``columns`` (a missing key is an empty cell).

    Examples
    --------
    >>> print(csv_text(["id", "name"], [{"id": "a", "name": "=1+1"}]), end="")
    id,name
    a,'=1+1
    """
    cols = list(columns)
    header: list[Any] = list(cols)
    return csv_rows_text([header, *([record.get(c) for c in cols] for record in records)], line_end=line_end)
