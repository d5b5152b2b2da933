"""The `integramap` command: validate, schema, info — exit codes and messages."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from integramap.cli import main
from integramap.io import write_site
from integramap.model import validate_site

from test_model import base


@pytest.fixture
def good(tmp_path: Path) -> Path:
    return write_site(validate_site(base()), tmp_path / "good.yaml")


@pytest.fixture
def bad_target(tmp_path: Path) -> Path:
    data = base()
    data["links"][0]["target"] = "nobody"
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_validate_ok(good: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(good)]) == 0
    assert "ok (4 units, 1 link, 2 areas)" in capsys.readouterr().out


def test_validate_unknown_target_exits_1_naming_the_field(
        good: Path, bad_target: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(good), str(bad_target)]) == 1
    out = capsys.readouterr()
    assert "good.yaml: ok" in out.out
    assert str(bad_target) in out.err and "links[0].target" in out.err and "unknown unit 'nobody'" in out.err
    assert "1 of 2 files are not valid" in out.err


def test_validate_malformed_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    junk = tmp_path / "junk.yaml"
    junk.write_bytes(b"\x00\x01\x02binary")
    assert main(["validate", str(junk)]) == 1
    assert "binary file" in capsys.readouterr().err


def test_schema_is_json_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["title"] == "Site" and "units" in schema["properties"]
    assert schema["$defs"]["Level"]["enum"][0] == "interface"


def test_info_text_and_json(good: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["info", str(good)]) == 0
    text = capsys.readouterr().out
    assert "Demo borough (demo)" in text and "pooled management" in text
    assert main(["info", str(good), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["by_kind"] == {"organisation": 2, "team": 2}
    assert data["by_level"]["pooled_management"] == 1 and data["population"] == 2700


def test_info_on_bad_file_exits_1(bad_target: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["info", str(bad_target)]) == 1
    assert "links[0].target" in capsys.readouterr().err


def test_usage_error_exits_2() -> None:
    with pytest.raises(SystemExit) as info:
        main(["no-such-command"])
    assert info.value.code == 2


def test_console_script_runs(good: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "integramap", "validate", str(good)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
