"""Formula neutralising and Markdown escaping of user text."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from integramap.io.safe_text import (
    FORMULA_PREFIXES,
    markdown_cell,
    markdown_text,
    neutralise_formula,
    restore_formula_text,
    xml_text,
)


@pytest.mark.parametrize("dangerous", ["=1+1", "+44 20", "-2+3", "@SUM(A1)", "\t=1", "\r1",
                                       "=HYPERLINK(\"http://evil\",\"click\")"])
def test_formula_prefixes_are_neutralised(dangerous: str) -> None:
    safe = neutralise_formula(dangerous)
    assert safe == "'" + dangerous
    assert not safe.startswith(FORMULA_PREFIXES)


@pytest.mark.parametrize("plain", ["Riverside CMHT", "", "A=B", "Team - North", "'quoted"])
def test_plain_text_is_unchanged(plain: str) -> None:
    assert neutralise_formula(plain) == plain


@given(st.text())
def test_no_neutralised_text_starts_a_formula(text: str) -> None:
    safe = neutralise_formula(text)
    assert not safe.startswith(FORMULA_PREFIXES)
    # Nor does any line of it: a reader that splits lines meets no formula either.
    assert not any(line.startswith(FORMULA_PREFIXES) for line in re.split(r"\r\n|\r|\n", safe)[1:])
    assert restore_formula_text(safe) == text
    assert not markdown_cell(text).startswith(FORMULA_PREFIXES)


@given(st.text())
def test_a_markdown_cell_is_one_line_without_bare_pipes_or_tags(text: str) -> None:
    cell = markdown_cell(text)
    assert "\n" not in cell and "\r" not in cell
    assert "<" not in cell and ">" not in cell
    # Every pipe is escaped: an odd run of backslashes precedes it.
    for i, ch in enumerate(cell):
        if ch == "|":
            run = len(cell[:i]) - len(cell[:i].rstrip("\\"))
            assert run % 2 == 1


def test_markdown_cell_examples() -> None:
    assert markdown_cell("North | South") == "North \\| South"
    assert markdown_cell("line one\r\nline two\nthree") == "line one line two three"
    assert markdown_cell("back\\slash|") == "back\\\\slash\\|"
    assert markdown_cell(None) == ""
    assert markdown_text("#1 team") == "\\#1 team"
    assert markdown_text("=cmd|' /C calc'!A0") == "'=cmd|' /C calc'!A0"


def test_xml_text_drops_characters_xml_cannot_hold() -> None:
    assert xml_text("A\x00B\x1fC\tD\nE") == "ABC\tD\nE"
    assert xml_text(None) == ""


def test_a_line_break_inside_a_value_is_guarded_and_reversible() -> None:
    text = "notes\r+cmd|' /C calc'!A0\n=SUM(1)\r\n'=kept"
    safe = neutralise_formula(text)
    assert safe == "notes\r'+cmd|' /C calc'!A0\n'=SUM(1)\r\n''=kept"
    assert restore_formula_text(safe) == text
    assert restore_formula_text("'=literal") == "=literal"  # the spreadsheet's own text marker
    assert restore_formula_text(neutralise_formula("'=literal")) == "'=literal"
