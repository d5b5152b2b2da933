"""Site files: exact round trips, and malformed files that fail cleanly and write nothing."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from integramap.io import dump_site, parse_site, read_site, write_site, write_text_atomic
from integramap.io import sitefile
from integramap.model import Site, SiteError, validate_site

from test_model import base


@pytest.fixture
def site() -> Site:
    return validate_site(base())


@pytest.mark.parametrize("suffix", [".yaml", ".yml", ".json"])
def test_round_trip_is_exact(site: Site, tmp_path: Path, suffix: str) -> None:
    path = write_site(site, tmp_path / f"site{suffix}")
    again = read_site(path)
    assert again == site
    write_site(again, tmp_path / f"again{suffix}")
    assert (tmp_path / f"again{suffix}").read_text() == path.read_text()


def test_yaml_is_readable_and_omits_defaults(site: Site) -> None:
    text = dump_site(site)
    assert text.startswith("format_version: 1\nid: demo\nname: Demo borough\n")
    assert "description" not in text  # empty defaults are not written
    assert "level: pooled_management" in text


def test_floats_survive_exactly(tmp_path: Path) -> None:
    data = base()
    data["units"][1]["footprint"] = {"A1": 0.1 + 0.2, "A2": 1 / 3}
    data["areas"][0]["population"] = 1234.5678901234567
    site = validate_site(data)
    assert read_site(write_site(site, tmp_path / "s.yaml")) == site
    assert read_site(write_site(site, tmp_path / "s.json")) == site


def test_unicode_names_round_trip(tmp_path: Path) -> None:
    data = base()
    data["units"][0]["name"] = "Ysbyty Gwynedd — Tîm Iechyd Meddwl ✓"
    site = validate_site(data)
    assert read_site(write_site(site, tmp_path / "s.yaml")).unit("trust").name == data["units"][0]["name"]


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def error_of(path: Path) -> SiteError:
    with pytest.raises(SiteError) as info:
        read_site(path)
    return info.value


def test_bad_yaml_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "broken.yaml", "id: s\nname: S\nunits:\n  - id: a\n    name: [unclosed\n")
    err = error_of(path)
    text = str(err)
    assert str(path) in text and "invalid YAML" in text
    assert err.problems[0].line is not None and err.problems[0].line >= 5


def test_bad_json_names_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "broken.json", '{"id": "s",\n "name": "S",\n "units": [,]}')
    err = error_of(path)
    assert err.problems[0].line == 3 and "invalid JSON" in str(err)


def test_unknown_target_names_field_and_line(tmp_path: Path) -> None:
    data = base()
    data["links"][0]["target"] = "nobody"
    text = yaml.safe_dump(data, sort_keys=False)
    path = write(tmp_path, "site.yaml", text)
    err = error_of(path)
    (problem,) = err.problems
    assert problem.where == "links[0].target"
    expected_line = next(i for i, line in enumerate(text.splitlines(), 1) if "target: nobody" in line)
    assert problem.line == expected_line
    assert f"line {expected_line}: links[0].target: unknown unit 'nobody'" in str(err)


def test_wrong_types_and_unknown_fields_are_all_reported(tmp_path: Path) -> None:
    data = base()
    data["units"][0]["staff"] = 12
    data["areas"][1]["population"] = "lots"
    path = write(tmp_path, "site.json", json.dumps(data, indent=1))
    err = error_of(path)
    wheres = sorted(p.where for p in err.problems)
    assert wheres == ["areas[1].population", "units[0].staff"]
    assert all(p.line is not None for p in err.problems)


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
        (b"\xfa\xfb junk", "not UTF-8"),
        (b"", "empty"),
        (b"# only a comment\n", "empty"),
        (b"- just\n- a list\n", "expected a mapping"),
        (b"just a string", "expected a mapping"),
        (b"a: &x [1]\nb: *x\n", "aliases"),
    ],
    ids=["binary", "not-utf8", "empty", "comment-only", "list", "scalar", "alias"],
)
def test_malformed_files_fail_cleanly(tmp_path: Path, content: bytes, words: str) -> None:
    err = error_of(write(tmp_path, "bad.yaml", content))
    assert words in str(err)
    assert str(tmp_path / "bad.yaml") in str(err)


def test_billion_laughs_is_refused_quickly(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        refs = ",".join([f"*a{i - 1}"] * 9)
        lines.append(f"a{i}: &a{i} [{refs}]")
    err = error_of(write(tmp_path, "bomb.yaml", "\n".join(lines) + "\n"))
    assert "aliases" in str(err)


def test_huge_file_is_refused_without_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sitefile, "MAX_FILE_BYTES", 1000)
    err = error_of(write(tmp_path, "huge.yaml", "id: s\nname: S\ndescription: " + "x" * 2000 + "\n"))
    assert "refused" in str(err)


def test_unsupported_suffix_and_missing_file(tmp_path: Path) -> None:
    assert "unsupported file type '.txt'" in str(error_of(write(tmp_path, "site.txt", "id: s")))
    assert "cannot open" in str(error_of(tmp_path / "nowhere.yaml"))


def test_failed_write_leaves_old_file_and_no_temporaries(tmp_path: Path, site: Site) -> None:
    target = write_site(site, tmp_path / "site.yaml")
    before = target.read_text()

    class Boom(Exception):
        pass

    class Exploding(str):
        def encode(self, *args: object, **kwargs: object) -> bytes:
            raise Boom()

    with pytest.raises(Boom):
        write_text_atomic(target, Exploding("new content"))
    assert target.read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site.yaml"]


def test_parse_site_accepts_text(site: Site) -> None:
    assert parse_site(dump_site(site, "json"), "json") == site


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_never_escape_as_other_errors(junk: bytes) -> None:
    for fmt in ("yaml", "json"):
        try:
            parse_site(junk, fmt)  # type: ignore[arg-type]
        except SiteError as err:
            assert err.problems


def test_written_file_keeps_the_mode_of_the_file_it_replaces(tmp_path: Path) -> None:
    target = tmp_path / "site.yaml"
    write_site(validate_site(base()), target)
    os.chmod(target, 0o640)
    write_site(validate_site(base()), target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_new_file_gets_the_umask_mode_not_owner_only(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        target = write_site(validate_site(base()), tmp_path / "site.json")
    finally:
        os.umask(old)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
