"""`integramap describe`, `compare` and `export`: formats, files written, exit codes and messages."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import networkx as nx
import pytest
import yaml
from docx import Document

from integramap.analysis.typology_code import parse_code
from integramap.cli import main

MODELS = Path(__file__).resolve().parent.parent / "models"
RIVERSIDE = MODELS / "riverside-borough.yaml"
NORTHVALE = MODELS / "northvale-camhs.yaml"
EASTMOOR = MODELS / "eastmoor-icp.yaml"


def test_describe_markdown_reads_as_the_borough_model(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["describe", str(RIVERSIDE)]) == 0
    md = capsys.readouterr().out
    assert md.startswith("# Integration model: Riverside Borough")
    assert "geographically based model" in md
    assert "adults and older people" in md
    assert "| Highest level | fully merged (Leutz: full integration) |" in md
    assert "Riverbend PCN" in md
    assert "(s)" not in md, "counts are written in words, not as link(s)"


def test_describe_json_carries_every_descriptor_key(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["describe", str(RIVERSIDE), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    for key in ("basis", "populations", "organisations", "sectors", "sector_pairs", "depth", "breadth",
                "rainbow", "mechanisms", "boundary_alignment", "ambition", "structural_challenges", "code"):
        assert key in data, key
    assert data["basis"]["value"] == "geographic"
    assert data["depth"]["highest"] == "fully_merged"
    assert parse_code(data["code"])["basis"] == "geographic"


def test_describe_format_follows_the_output_suffix(tmp_path: Path) -> None:
    out = tmp_path / "riverside.json"
    assert main(["describe", str(RIVERSIDE), "-o", str(out)]) == 0
    assert json.loads(out.read_text())["code"].startswith("G-AO-")


def test_describe_docx_reopens_with_the_descriptor_table(tmp_path: Path) -> None:
    out = tmp_path / "riverside.docx"
    assert main(["describe", str(NORTHVALE), "--format", "docx", "-o", str(out), "--no-figures"]) == 0
    doc = Document(str(out))
    cells = {cell.text for table in doc.tables for row in table.rows for cell in row.cells}
    assert "Typology code" in cells
    assert any(text.startswith("F-") for text in cells), "the functional site's code is in the table"


def test_describe_docx_without_output_file_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["describe", str(RIVERSIDE), "--format", "docx"]) == 1
    assert "-o FILE.docx" in capsys.readouterr().err


def test_explain_code_prints_the_grammar(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["describe", "--explain-code"]) == 0
    out = capsys.readouterr().out
    for part in ("basis", "ages", "sectors", "rainbow", "alignment", "fully merged"):
        assert part in out


def test_schema_is_json_schema_of_the_descriptor(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["describe", "--schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert "code" in schema["properties"] and schema["type"] == "object"


def test_describe_without_site_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["describe"]) == 1
    assert "needs a SITE file" in capsys.readouterr().err


def test_describe_of_a_broken_file_names_the_file_and_writes_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\nname: X\nunits: [\n")
    out = tmp_path / "out.md"
    assert main(["describe", str(bad), "-o", str(out)]) == 1
    assert "bad.yaml" in capsys.readouterr().err
    assert not out.exists()


def test_compare_example_sites_shows_how_they_differ(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", str(RIVERSIDE), str(NORTHVALE), str(EASTMOOR)]) == 0
    md = capsys.readouterr().out
    assert "# Comparison of integration models" in md
    for name in ("Riverside", "Northvale", "Eastmoor"):
        assert name in md
    assert "functional" in md and "geographic" in md


def test_compare_two_revisions_gives_the_diff(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = yaml.safe_load(RIVERSIDE.read_text())
    data["links"] = data["links"][1:]
    after = tmp_path / "after.yaml"
    after.write_text(yaml.safe_dump(data, sort_keys=False))
    assert main(["compare", str(RIVERSIDE), str(after), "--format", "json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["diff"] is not None
    assert len(result["diff"]["links_removed"]) == 1


def test_compare_needs_two_sites(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", str(RIVERSIDE)]) == 1
    assert "two or more" in capsys.readouterr().err


def test_export_graphml_rereads_as_the_same_graph(tmp_path: Path) -> None:
    out = tmp_path / "riverside.graphml"
    assert main(["export", str(RIVERSIDE), "--format", "graphml", "-o", str(out)]) == 0
    graph = nx.read_graphml(out)
    site = yaml.safe_load(RIVERSIDE.read_text())
    assert graph.number_of_nodes() == len(site["units"])


def test_export_csv_writes_units_and_links(tmp_path: Path) -> None:
    folder = tmp_path / "tables"
    assert main(["export", str(EASTMOOR), "--format", "csv", "-o", str(folder)]) == 0
    with (folder / "links.csv").open(newline="", encoding="utf-8") as fh:
        links = list(csv.DictReader(fh))
    site = yaml.safe_load(EASTMOOR.read_text())
    assert len(links) == len(site["links"])
    assert (folder / "units.csv").exists()


def test_export_gexf_is_readable(tmp_path: Path) -> None:
    out = tmp_path / "northvale.gexf"
    assert main(["export", str(NORTHVALE), "--format", "gexf", "-o", str(out)]) == 0
    assert nx.read_gexf(out).number_of_nodes() > 0
