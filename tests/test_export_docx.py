"""The descriptor as a Word document: it re-opens with python-docx and holds the tables."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document

from conftest import FIXTURES
from integramap.analysis.typology import describe_site
from integramap.io import read_site
from integramap.io.export_docx import descriptor_to_docx_bytes, write_descriptor_docx
from integramap.model import validate_site


@pytest.fixture(scope="module")
def document_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("docx") / "borough.docx"
    write_descriptor_docx(describe_site(read_site(FIXTURES / "typology_borough.yaml")), path)
    return path


def test_reopens_with_headings(document_path: Path) -> None:
    doc = Document(str(document_path))
    headings = [p.text for p in doc.paragraphs if p.style is not None and p.style.name.startswith(("Heading", "Title"))]
    assert headings == ["Integration model: Small Borough", "Typology descriptor", "Sectors joined",
                        "Depth: links by level", "Rainbow Model (Valentijn)", "Boundary alignment",
                        "Unmanaged interfaces", "Ambition: links below their target", "Structural challenges", "Mismatch summary",
                        "Definitions"]
    assert doc.core_properties.title == "Integration model: Small Borough"
    assert doc.core_properties.subject == "Typology code G-AO-4S-FM/HV-R4fn-C0.75"


def test_holds_the_descriptor_and_detail_tables(document_path: Path) -> None:
    doc = Document(str(document_path))
    assert len(doc.tables) == 7
    overview = {row.cells[0].text: row.cells[1].text for row in doc.tables[0].rows}
    assert overview["Typology code"] == "G-AO-4S-FM/HV-R4fn-C0.75"
    assert overview["Basis"].startswith("geographic")
    assert overview["Highest level"] == "fully merged (Leutz: full integration)"
    depth = [[c.text for c in row.cells] for row in doc.tables[2].rows]
    assert depth[0] == ["Level", "Links", "Leutz degree"]
    assert ["fully merged", "1", "full integration"] in depth
    alignment = [[c.text for c in row.cells] for row in doc.tables[4].rows]
    assert alignment[1][:4] == ["PCN with LCN", "75%", "67%", "1"]


def test_holds_challenges_and_mismatch_summary(document_path: Path) -> None:
    text = "\n".join(p.text for p in Document(str(document_path)).paragraphs)
    assert "pooled management on separate IT: North Community MH Team" in text
    assert "PCN with LCN: coterminous by people 75%, by units 67%; 1 straddle," in text
    assert "straddling: Cross PCN (North LCN / South LCN)" in text


def test_long_names_do_not_break_the_document(tmp_path: Path) -> None:
    # Control characters cannot reach the document: the site refuses them (test_model).
    site = validate_site({"id": "s", "name": "Bad name " + "x" * 290,
                          "units": [{"id": "a", "name": "Team A", "kind": "team"}]})
    path = write_descriptor_docx(describe_site(site), tmp_path / "out.docx")
    doc = Document(str(path))
    assert doc.paragraphs[0].text.startswith("Integration model: Bad name x")
    assert len(doc.core_properties.title) <= 255


def test_a_failed_write_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "out.docx"
    target.write_bytes(b"old")
    import integramap.io.sitefile as sitefile

    def broken_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(sitefile.os, "replace", broken_replace)
    with pytest.raises(OSError):
        write_descriptor_docx(describe_site(read_site(FIXTURES / "typology_borough.yaml")), target)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.docx"]


def test_bytes_are_a_docx_zip() -> None:
    data = descriptor_to_docx_bytes(describe_site(read_site(FIXTURES / "typology_borough.yaml")))
    assert data[:4] == b"PK\x03\x04"
