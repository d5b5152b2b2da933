"""``integramap boundaries``: exit codes, output keys and formats."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from conftest import FIXTURES

from integramap.analysis.boundary_format import CSV_COLUMNS
from integramap.cli import main

BOROUGH = str(FIXTURES / "boundaries_borough.yaml")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["boundaries", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_has_the_keys_the_issue_promises(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, BOROUGH, "--layers", "pcn", "lcn", "--format", "json")
    assert code == 0
    data = json.loads(out)
    for key in ("straddles", "gaps", "double_cover", "nesting_violations", "unmanaged_interfaces",
                "coterminosity"):
        assert key in data
    assert data["coterminosity"]["people"] == pytest.approx(5 / 6)
    assert data["coterminosity"]["units"] is not None
    [alder] = data["straddles"]
    assert alder["unit"] == "pcn-a" and alder["name"] == "Alder PCN"
    assert alder["split"] == {"lcn-south": pytest.approx(2 / 3), "lcn-north": pytest.approx(1 / 3)}
    assert [g["area"] for g in data["gaps"]] == ["W4", "W4"]
    assert [u["id"] for u in data["no_footprint"]] == ["pcn-c"]


def test_text_is_a_readable_report(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, BOROUGH, "--layers", "pcn", "lcn")
    assert code == 0
    assert "Coterminosity by people: 83.3%" in out and "Coterminosity by units: " in out
    assert "Straddles: 1 PCN lies across more than one LCN" in out
    assert "Alder PCN (pcn-a), population 3,000: 66.7% South LCN, 33.3% North LCN" in out
    assert "Westbrook (W4), population 4,000" in out
    assert "=Cedar PCN" in out  # no footprint, so not checked


def test_csv_has_one_row_per_finding_and_neutralises_formulas(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, BOROUGH, "--layers", "pcn", "lcn", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == CSV_COLUMNS
    kinds = [r["kind"] for r in rows]
    assert kinds.count("straddle") == 1 and kinds.count("gap") == 2 and kinds.count("coterminosity_people") == kinds.count("coterminosity_units") == 1
    assert kinds.count("unmanaged_interface") == 3
    [unchecked] = [r for r in rows if r["kind"] == "unchecked"]
    assert unchecked["name"] == "'=Cedar PCN"
    [straddle] = [r for r in rows if r["kind"] == "straddle"]
    assert float(straddle["share"]) == pytest.approx(2 / 3)
    assert "South LCN (lcn-south) 66.7%" in straddle["detail"]


def test_threshold_changes_the_unmanaged_interfaces(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, BOROUGH, "--layers", "pcn", "lcn", "--format", "json", "--threshold", "0.5")
    assert {(m["a"], m["b"]) for m in json.loads(out)["unmanaged_interfaces"]} == {
        ("pcn-b", "lcn-north"), ("pcn-a", "lcn-south")}


def test_links_through_parents_manage_interfaces(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, BOROUGH, "--layers", "team:mental_health:psychosis", "pcn", "--format", "json")
    data = json.loads(out)
    # the trust's link to Birch PCN is strategic (DESIGN.md): it manages neither of the team's interfaces
    assert sorted((m["a"], m["b"]) for m in data["unmanaged_interfaces"]) == [("mh-team", "pcn-a"),
                                                                              ("mh-team", "pcn-b")]
    assert data["straddles"][0]["split"] == {"pcn-a": 0.5, "pcn-b": 0.5}


def test_output_file_is_written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "report.json"
    code, out, _ = run(capsys, BOROUGH, "--layers", "pcn", "local_authority", "--format", "json",
                       "-o", str(target))
    assert code == 0 and out == ""
    assert json.loads(target.read_text())["layer_b"] == "local_authority"


def test_empty_layer_is_a_note_not_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, BOROUGH, "--layers", "pcn", "place", "--format", "json")
    assert code == 0
    assert json.loads(out)["coterminosity"]["people"] is None
    assert "no units in layer place" in err


def test_bad_layer_exits_1_naming_the_valid_words(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, BOROUGH, "--layers", "pnc", "lcn")
    assert code == 1 and out == ""
    assert "unknown layer 'pnc'" in err and "local_authority" in err


def test_missing_site_file_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, str(tmp_path / "nowhere.yaml"), "--layers", "pcn", "lcn")
    assert code == 1 and out == ""
    assert "nowhere.yaml" in err


def test_invalid_site_file_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: s\nname: S\nunits:\n  - {id: p, name: P, kind: pcn, footprint: {nowhere: 1}}\n")
    code, _, err = run(capsys, str(bad), "--layers", "pcn", "lcn")
    assert code == 1
    assert "unknown area 'nowhere'" in err


def test_unwritable_output_exits_1_and_leaves_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    target = blocker / "report.txt"
    code, _, err = run(capsys, BOROUGH, "--layers", "pcn", "lcn", "-o", str(target))
    assert code == 1 and "cannot write" in err
    assert not target.exists()


@pytest.mark.parametrize("argv", [
    ["--layers", "pcn"],
    ["--layers", "pcn", "lcn", "--threshold", "1.5"],
    ["--layers", "pcn", "lcn", "--threshold", "lots"],
    ["--layers", "pcn", "lcn", "--format", "xml"],
    ["--layers", "pcn", "lcn", "--limit", "-1"],
])
def test_bad_usage_exits_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["boundaries", BOROUGH, *argv])
    assert exc.value.code == 2
    capsys.readouterr()


def test_limit_shortens_long_sections(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    areas = "".join(f"  - {{id: A{i}, population: {i + 1}}}\n" for i in range(40))
    site = tmp_path / "wide.yaml"
    site.write_text("id: wide\nname: Wide\nareas:\n" + areas
                    + "units:\n  - {id: p, name: Lone PCN, kind: pcn, footprint: {A0: 1}}\n")
    _, out, _ = run(capsys, str(site), "--layers", "pcn", "lcn", "--limit", "5")
    assert "Gaps: 39 areas (population 819) that no PCN covers" in out
    assert "… and 34 more" in out
    _, out, _ = run(capsys, str(site), "--layers", "pcn", "lcn", "--limit", "0")
    assert "more (--format csv" not in out
    assert "No area has a population" not in out


def test_a_site_without_links_says_so_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from integramap.io import read_site, write_site

    site = read_site(BOROUGH)
    bare = tmp_path / "bare.yaml"
    write_site(site.model_copy(update={"links": []}), bare)
    _, out, _ = run(capsys, str(bare), "--layers", "pcn", "lcn")
    assert "no links recorded yet, so every PCN–LCN pair that shares" in out
    assert out.index("Straddles") < out.index("Unmanaged interfaces")
    unmanaged = out.split("Unmanaged interfaces:")[1].split("Not checked")[0]
    assert "  - " not in unmanaged  # one line, no row per pair
