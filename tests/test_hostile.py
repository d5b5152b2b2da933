"""Hostile and broken files: each refused in one short message or read whole, never a traceback.

The corpus is written at test time by ``tests/fixtures/hostile/make_hostile.py``
(nothing large is committed).
"""

from __future__ import annotations

import base64
import importlib.util
import tracemalloc
from pathlib import Path
from types import ModuleType

import pytest
from conftest import FIXTURES

from integramap.cli import main
from integramap.io import read_site
from integramap.io.export_graph import write_csv_tables
from integramap.io.table import import_table
from integramap.model import Site, SiteError, validate_site
from integramap.web.common.upload import upload_to_site

MAX_MESSAGE = 2000


def _load_maker() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_hostile", FIXTURES / "hostile" / "make_hostile.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_hostile = _load_maker()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, str, str]]:
    built: dict[str, tuple[Path, str, str]] = make_hostile.make_all(tmp_path_factory.mktemp("hostile"))
    return built


def _read(path: Path) -> Site:
    return read_site(path) if path.suffix in (".yaml", ".json") else import_table(path)


NAMES = ["bomb.xlsx", "long-cell.xlsx", "stale-dimension.xlsx", "deep.json", "big-int.json", "big-int.yaml",
         "duplicate-key.json", "duplicate-key.yaml", "binary-tag.yaml", "escape-name.yaml", "bidi-name.yaml",
         "laughs.yaml", "utf16-site.yaml", "latin1-site.yaml", "utf16-units.csv", "utf16-nobom-units.csv",
         "latin1-units.csv", "unterminated-units.csv", "extra-cells-units.csv", "formula-units.csv"]


def test_the_corpus_is_what_the_tests_name(corpus: dict[str, tuple[Path, str, str]]) -> None:
    assert sorted(corpus) == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_each_hostile_file_is_refused_in_one_short_message_or_read_whole(
        corpus: dict[str, tuple[Path, str, str]], name: str) -> None:
    path, action, words = corpus[name]
    if action == "read":
        site = _read(path)
        assert site.units
        return
    with pytest.raises(SiteError) as caught:
        _read(path)
    message = caught.value.render()
    assert words in message
    assert str(path) in message  # the file is named
    assert len(message) < MAX_MESSAGE


def test_a_stale_dimension_does_not_hide_rows(corpus: dict[str, tuple[Path, str, str]]) -> None:
    site = import_table(corpus["stale-dimension.xlsx"][0])
    assert (len(site.units), len(site.links)) == (10, 9)
    assert site.unit("u9").description == "Team number 9"


def test_encodings_are_read_or_named(corpus: dict[str, tuple[Path, str, str]]) -> None:
    assert read_site(corpus["utf16-site.yaml"][0]).name == "Café"
    assert import_table(corpus["utf16-units.csv"][0]).unit("u1").name == "Café"
    assert import_table(corpus["latin1-units.csv"][0]).unit("u1").name == "Café"


def test_an_apostrophe_before_a_formula_is_the_spreadsheet_text_marker(
        corpus: dict[str, tuple[Path, str, str]]) -> None:
    assert import_table(corpus["formula-units.csv"][0]).unit("u1").name == "=literal"


def test_the_bomb_is_refused_in_bounded_memory(corpus: dict[str, tuple[Path, str, str]]) -> None:
    path = corpus["bomb.xlsx"][0]
    size = path.stat().st_size
    tracemalloc.start()
    try:
        with pytest.raises(SiteError):
            import_table(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 10 * size + 16 * 1024 * 1024, f"peak {peak:,} bytes for a {size:,}-byte file"


def test_the_bomb_through_the_browser_upload(corpus: dict[str, tuple[Path, str, str]]) -> None:
    raw = corpus["bomb.xlsx"][0].read_bytes()
    contents = "data:application/octet-stream;base64," + base64.b64encode(raw).decode()
    with pytest.raises(SiteError) as caught:
        upload_to_site(contents, "site.xlsx")
    message = caught.value.render()
    assert message.startswith("site.xlsx: could not be imported") and "over 100 to 1" in message
    assert "/tmp" not in message and "upload.xlsx" not in message  # never the server's own path
    assert len(message) < MAX_MESSAGE


@pytest.mark.parametrize("filename", ["bad\x00name.xlsx", "x" * 300 + ".xlsx", "../../etc/passwd.xlsx", ""])
def test_odd_upload_names_give_a_message_not_a_server_error(filename: str) -> None:
    contents = "data:application/octet-stream;base64," + base64.b64encode(b"not a workbook").decode()
    with pytest.raises(SiteError) as caught:
        upload_to_site(contents, filename)
    source = caught.value.source or ""
    assert "\x00" not in source and len(source) <= 100 and "/" not in source


def test_export_then_import_gives_every_text_back(tmp_path: Path) -> None:
    site = validate_site({"id": "s", "name": "'=literal", "units": [
        {"id": "a", "name": "'=literal", "kind": "team", "description": "notes\r+cmd|' /C calc'!A0\n-x"},
        {"id": "b", "name": "+44 team", "kind": "team"}],
        "links": [{"id": "l", "source": "a", "target": "b", "level": "interface",
                   "notes": "line\r@SUM(1)\r\n\t=tab"}]})
    back = import_table(write_csv_tables(site, tmp_path / "out"), site_id="s")
    assert back == site
    for path in (tmp_path / "out").iterdir():
        for line in path.read_text(encoding="utf-8-sig").splitlines():
            for cell in line.split(","):
                assert not cell.lstrip('"').startswith(("=", "+", "-", "@", "\t", "\r"))


# --------------------------------------------------------------------------- the command line

def test_file_errors_are_one_line_and_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    units = tmp_path / "units.csv"
    units.write_text("id,name,kind\nu1,Team,team\n", encoding="utf-8")
    cases = [
        ["import", "table", str(units), "-o", "/proc/no-such/site.yaml"],  # unwritable output
        ["import", "nhs", "--practices", "/dev/zero", "-o", str(tmp_path / "x.yaml")],  # a device
        ["import", "table", str(tmp_path / "missing.csv"), "-o", str(tmp_path / "y.yaml")],  # unreadable
        ["info", str(tmp_path / "dir.yaml")],  # a folder
    ]
    (tmp_path / "dir.yaml").mkdir()
    for argv in cases:
        assert main(argv) == 1, argv
        err = capsys.readouterr().err
        assert "Traceback" not in err and 0 < len(err.strip().splitlines()) <= 2, (argv, err)


def test_the_terminal_never_obeys_a_control_character(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "site\x1b[2J\u202e.yaml"
    path.write_text("id: s\n", encoding="utf-8")
    assert main(["validate", str(path)]) == 1
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\u202e" not in err and "\\x1b[2J" in err


def test_deep_and_huge_json_through_every_site_command(corpus: dict[str, tuple[Path, str, str]],
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("deep.json", "big-int.json"):
        path = str(corpus[name][0])
        for argv in (["validate", path], ["info", path], ["sites", "import", path, "--database", "sqlite://"]):
            assert main(argv) == 1
            assert "Traceback" not in capsys.readouterr().err
