"""Fuzzing every reader: whatever the input, a site or one :class:`SiteError`, never another exception.

Brief in ``make test`` (20 cases a reader); ``make fuzz`` runs the same tests
with ``INTEGRAMAP_FUZZ=long``: 10,000 cases a reader (``INTEGRAMAP_FUZZ=500``: 500).
"""

from __future__ import annotations

import base64
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import FIXTURES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from integramap.io import parse_site
from integramap.io.epcn import read_epraccur
from integramap.io.nhs_practices import read_practice_lookup
from integramap.io.ons import read_lsoa_lad
from integramap.io.table import COLUMNS, import_table
from integramap.model import SiteError
from integramap.web.common.upload import upload_to_site

_LENGTH = os.environ.get("INTEGRAMAP_FUZZ", "")
"""``long`` for ``make fuzz``; a number of cases a reader for a run in between."""
FUZZ = settings(max_examples=10_000 if _LENGTH == "long" else int(_LENGTH) if _LENGTH.isdigit() else 20,
                deadline=None, suppress_health_check=list(HealthCheck))

MAX_MESSAGE = 20_000
"""Fifty problems of a few hundred characters: the most any refusal prints."""

IMPORT = FIXTURES / "import"

# Text a hostile or careless person might put anywhere: controls, bidi overrides, formulas, quotes,
# separators, huge digits, surrogate-free unicode.
HOSTILE_TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", "=1+1", "'=literal", "notes\r+cmd|' /C calc'!A0", "\x1b[2J", "\u202eevil", "\x00",
                     "a,b", '"', '"unterminated', "9" * 5000, "-", "@", "\t=1", "\ufeff", "Café", "1e400",
                     "nan", "!!binary", "&a", "*a", "{", "[", "a: b", "\r\n", "\u2028"]),
)


def _only_site_error(read: Callable[[], Any]) -> None:
    try:
        read()
    except SiteError as err:
        message = err.render()
        assert err.problems and len(message) < MAX_MESSAGE


def _in_folder(files: dict[str, bytes], read: Callable[[list[Path]], Any]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for name, raw in files.items():
            path = Path(folder) / name
            path.write_bytes(raw)
            paths.append(path)
        _only_site_error(lambda: read(paths))


# --------------------------------------------------------------------------- site files

_JSONISH = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), HOSTILE_TEXT),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(HOSTILE_TEXT, inner, max_size=4)),
    max_leaves=20)

_UNIT = st.fixed_dictionaries({"id": HOSTILE_TEXT, "name": HOSTILE_TEXT,
                               "kind": st.sampled_from(["team", "pcn", "organisation", "bogus"])},
                              optional={"parent": HOSTILE_TEXT, "description": HOSTILE_TEXT,
                                        "footprint": st.dictionaries(HOSTILE_TEXT, _JSONISH, max_size=2)})
_SITE = st.fixed_dictionaries({"id": HOSTILE_TEXT, "name": HOSTILE_TEXT},
                              optional={"units": st.lists(_UNIT, max_size=4), "metadata": _JSONISH,
                                        "links": st.lists(st.dictionaries(HOSTILE_TEXT, _JSONISH, max_size=4),
                                                          max_size=2)})


@FUZZ
@given(site=_SITE, fmt=st.sampled_from(["yaml", "json"]), cut=st.integers(min_value=0, max_value=2000),
       noise=st.binary(max_size=8))
def test_site_files(site: dict[str, Any], fmt: str, cut: int, noise: bytes) -> None:
    text = json.dumps(site) if fmt == "json" else yaml.safe_dump(site, allow_unicode=True)
    raw = text.encode("utf-8")
    _only_site_error(lambda: parse_site(raw, fmt))  # type: ignore[arg-type]
    broken = raw[:cut] + noise + raw[cut:]
    _only_site_error(lambda: parse_site(broken, fmt))  # type: ignore[arg-type]


# --------------------------------------------------------------------------- CSV and XLSX tables

_ROWS = st.lists(st.lists(HOSTILE_TEXT, min_size=0, max_size=6), max_size=5)


def _raw_csv(header: list[str], rows: list[list[str]], sep: str, quote: bool) -> bytes:
    def cell(text: str) -> str:
        return '"' + text.replace('"', '""') + '"' if quote else text

    lines = [sep.join(cell(c) for c in row) for row in [header, *rows]]
    return "\n".join(lines).encode("utf-8", "surrogatepass")


@FUZZ
@given(tables=st.fixed_dictionaries({name: _ROWS for name in COLUMNS}), sep=st.sampled_from([",", ";", "\t"]),
       quote=st.booleans(), encoding=st.sampled_from(["utf-8", "utf-16", "latin-1"]))
def test_csv_tables(tables: dict[str, list[list[str]]], sep: str, quote: bool, encoding: str) -> None:
    files = {}
    for name, rows in tables.items():
        raw = _raw_csv([c.name for c in COLUMNS[name]], rows, sep, quote)
        try:
            raw = raw.decode("utf-8").encode(encoding)
        except UnicodeError:
            pass
        files[f"{name}.csv"] = raw
    _in_folder(files, import_table)


@FUZZ
@given(tables=st.fixed_dictionaries({name: st.lists(st.lists(
    st.one_of(st.none(), HOSTILE_TEXT, st.integers(), st.floats(), st.booleans()), max_size=6), max_size=5)
    for name in ("units", "links")}))
def test_xlsx_tables(tables: dict[str, list[list[object]]]) -> None:
    import openpyxl
    from openpyxl.utils.exceptions import IllegalCharacterError

    book = openpyxl.Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    try:
        for name, rows in tables.items():
            sheet = book.create_sheet(name)
            sheet.append([c.name for c in COLUMNS[name]])
            for row in rows:
                sheet.append(row)
    except (IllegalCharacterError, ValueError):
        return  # openpyxl cannot write such a cell, so no workbook holds it
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "site.xlsx"
        book.save(path)
        _only_site_error(lambda: import_table(path))


# --------------------------------------------------------------------------- NHS reference files

_REFERENCE = {
    "practices": (IMPORT / "practice_pcn_lookup.csv", read_practice_lookup),
    "lsoa-lad": (IMPORT / "lsoa21_to_lad.csv", read_lsoa_lad),
    "epraccur": (IMPORT / "epraccur.csv", read_epraccur),
}


@FUZZ
@given(reader=st.sampled_from(sorted(_REFERENCE)), rows=_ROWS, keep=st.integers(min_value=0, max_value=20))
def test_nhs_reference_files(reader: str, rows: list[list[str]], keep: int) -> None:
    source, read = _REFERENCE[reader]
    lines = source.read_text(encoding="utf-8").splitlines()[: keep + 1]
    raw = ("\n".join(lines) + "\n").encode("utf-8") + _raw_csv([], rows, ",", False)
    _in_folder({"reference.csv": raw}, lambda paths: read(paths[0]))


# --------------------------------------------------------------------------- uploads

@FUZZ
@given(site=_SITE, name=st.one_of(HOSTILE_TEXT, st.sampled_from(["s.yaml", "s.json", "s.xlsx", "s.txt"])),
       suffix=st.sampled_from([".yaml", ".yml", ".json", ".xlsx", ""]), junk=st.binary(max_size=64),
       damaged=st.booleans())
def test_uploads(site: dict[str, Any], name: str, suffix: str, junk: bytes, damaged: bool) -> None:
    raw = junk if damaged else json.dumps(site).encode("utf-8")
    payload = base64.b64encode(raw).decode()
    if damaged:
        payload = payload[:-1] + "!"
    _only_site_error(lambda: upload_to_site("data:application/octet-stream;base64," + payload, name + suffix))


def test_a_file_of_long_made_up_keys_gets_a_message_of_readable_length() -> None:
    # Found by the fuzzing above: keys of thousands of characters were repeated whole in every
    # problem's location, so 31 problems made a message of over 20,000 characters.
    key = "9" * 1500
    units = [{"id": "", "name": "", "kind": "bogus", "parent": "x y", "footprint": {"": None, key: None}}
             for _ in range(3)]
    raw = yaml.safe_dump({"id": "", "name": "", "units": units}).encode()
    _only_site_error(lambda: parse_site(raw, "yaml"))
    with pytest.raises(SiteError) as caught:
        parse_site(raw, "yaml")
    assert len(caught.value.problems) > 10 and key not in caught.value.render()
