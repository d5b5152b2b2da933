"""The one CSV writer: every field quoted where it must be, no cell a formula, text read back unchanged."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from integramap.io.csv_safe import csv_field, csv_rows_text, csv_text
from integramap.io.safe_text import FORMULA_PREFIXES, restore_formula_text
from integramap.io.tabular import read_csv_table

# Cells are stripped on reading and a NUL cannot be in a text file: the writer's
# callers hold model text, which is stripped and has no NUL.
cell_text = st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)))


def _spreadsheet_cells(text: str) -> list[list[str]]:
    """The cells a spreadsheet sees: RFC 4180 parsing, any line break ending a record."""
    return list(csv.reader(io.StringIO(text, newline="")))


@given(st.lists(cell_text, min_size=1, max_size=4))
def test_any_text_round_trips_and_no_cell_starts_a_formula(cells: list[str]) -> None:
    text = csv_rows_text([["id", *"abcd"[: len(cells)]], ["x", *cells]])
    header, row = _spreadsheet_cells(text)
    assert len(row) == len(cells) + 1
    for written, original in zip(row[1:], cells):
        assert not written.startswith(FORMULA_PREFIXES)
        assert restore_formula_text(written) == original


@given(cell_text.filter(lambda t: t.strip() == t and t != ""))
def test_the_project_reader_gives_back_what_the_writer_wrote(value: str) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "units.csv"
        path.write_bytes(csv_text(["id", "name"], [{"id": "a", "name": value}]).encode("utf-8-sig"))
        table = read_csv_table(path)
    assert [restore_formula_text(c) for c in table.rows[0][1]] == ["a", value]


def test_a_lone_carriage_return_is_quoted_and_cannot_start_a_row() -> None:
    text = csv_text(["id", "name"], [{"id": "u1", "name": "notes\r+cmd|' /C calc'!A0"}])
    assert text == "id,name\nu1,\"notes\r'+cmd|' /C calc'!A0\"\n"
    rows = _spreadsheet_cells(text)
    assert len(rows) == 2 and not any(r[0].startswith(FORMULA_PREFIXES) for r in rows)


def test_numbers_stay_numbers_and_none_is_empty() -> None:
    assert [csv_field(v) for v in (-3, 2.5, None, True, "-3")] == ["-3", "2.5", "", "True", "'-3"]
