"""Board papers' pictures: the map as SVG and PNG, and the Word and Markdown papers that carry them."""

from __future__ import annotations

import re
import sys
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from docx import Document

from integramap.analysis.typology import describe_site
from integramap.cli import main
from integramap.io import board_pictures as bp
from integramap.io import map_picture
from integramap.io.export_docx import descriptor_to_docx_bytes
from integramap.io.export_markdown import write_descriptor_markdown
from integramap.io.map_picture import RendererMissing, drawing_from_site, map_positions, site_svg, svg_to_png
from integramap.io.sitefile import read_site
from integramap.layout.vocabulary import TARGET_TEXT_COLOUR
from integramap.model import Site

from conftest import MODELS

SVG = "{http://www.w3.org/2000/svg}"
RIVERSIDE = MODELS / "riverside-borough.yaml"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def riverside() -> Site:
    return read_site(RIVERSIDE)


def fake_figures(figures: Sequence[Any]) -> list[bytes]:
    """A stand-in for plotly's image export: a small real PNG per figure, quickly."""
    return [svg_to_png('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"/>') for _ in figures]


def no_renderer(figures: Sequence[Any]) -> list[bytes]:
    raise RendererMissing("kaleido is not installed (test)")


def png_size(data: bytes) -> tuple[int, int]:
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def test_the_map_svg_is_well_formed_with_one_drawing_per_unit(riverside: Site) -> None:
    root = ET.fromstring(site_svg(riverside))
    units = root.findall(f".//{SVG}g[@class='unit']")
    boxes = root.findall(f".//{SVG}g[@class='box']")
    holders = {u.parent for u in riverside.units if u.parent}
    # Every unit is drawn once: as a box when it holds others, as a shape otherwise.
    assert sorted(g.get("data-id") for g in units) == sorted(u.id for u in riverside.units if u.id not in holders)
    assert sorted(g.get("data-id") for g in boxes) == sorted(holders)
    assert len(root.findall(f".//{SVG}path[@class='link']")) == len(riverside.links)
    names = " ".join(t.text or "" for t in root.iter(f"{SVG}tspan"))  # wrapped names, a line per tspan
    assert "Riverbend Surgery" in names and "District Nursing" in names


def test_links_between_the_same_two_units_are_drawn_apart() -> None:
    site = Site.model_validate({"id": "s", "name": "S", "units": [
        {"id": "a", "name": "A", "kind": "team"}, {"id": "b", "name": "B", "kind": "team"}], "links": [
        {"id": "l1", "source": "a", "target": "b", "level": "interface"},
        {"id": "l2", "source": "b", "target": "a", "level": "co_located"}]})
    root = ET.fromstring(site_svg(site, {"a": (0.0, 0.0), "b": (200.0, 0.0)}))
    paths = [p.get("d") for p in root.findall(f".//{SVG}path[@class='link']")]
    assert len(paths) == 2 and len(set(paths)) == 2


def test_a_target_level_is_written_on_its_dashed_line() -> None:
    site = Site.model_validate({"id": "s", "name": "S", "units": [
        {"id": "a", "name": "A", "kind": "team"}, {"id": "b", "name": "B", "kind": "team"}], "links": [
        {"id": "l1", "source": "a", "target": "b", "level": "interface", "target_level": "fully_merged"}]})
    root = ET.fromstring(site_svg(site, {"a": (0.0, 0.0), "b": (300.0, 0.0)}))
    assert len(root.findall(f".//{SVG}path[@class='link target']")) == 1
    written = [t for t in root.iter(f"{SVG}text") if "".join(t.itertext()) == "→ fully merged"]
    assert len(written) == 1 and written[0].get("fill") == TARGET_TEXT_COLOUR
    # Midway along the line, as on the screen.
    assert 100 < float(written[0].get("x") or 0) < 200


def test_names_are_escaped_in_the_svg() -> None:
    site = Site.model_validate({"id": "s", "name": "S", "units": [
        {"id": "a", "name": "<script>alert(1)</script> & Co", "kind": "team"}]})
    svg = site_svg(site, {"a": (0.0, 0.0)})
    assert "<script>" not in svg
    assert "<script>alert(1)</script> & Co" in "".join(ET.fromstring(svg).itertext())


def test_a_large_site_is_drawn_as_its_groups_with_counts() -> None:
    units: list[dict[str, Any]] = [{"id": f"o{i}", "name": f"Trust {i}", "kind": "organisation"} for i in range(3)]
    units += [{"id": f"t{i}", "name": f"Team {i}", "kind": "team", "parent": f"o{i % 3}"} for i in range(300)]
    site = Site.model_validate({"id": "big", "name": "Big", "units": units, "links": [
        {"id": f"l{i}", "source": f"t{i}", "target": f"t{i + 1}", "level": "interface"} for i in range(299)]
        + [{"id": "within", "source": "t0", "target": "t3", "level": "fully_merged"}]})
    drawing = drawing_from_site(site, {u["id"]: (float(i), 0.0) for i, u in enumerate(units)})
    assert [u.id for u in drawing.units] == ["o0", "o1", "o2"]
    assert [u.count for u in drawing.units] == [100, 100, 100]
    assert "Trust 0 (100 units)" in [u.label for u in drawing.units]
    merged = {(lk.source, lk.target): lk.count for lk in drawing.links}
    # t0 and t3 are both in Trust 0: their link is inside the group; the 299 others join two groups.
    assert sum(merged.values()) == 299 and len(merged) == 3, "links within one group vanish, the rest merge"
    assert {lk.level for lk in drawing.links} == {"interface"}
    assert "303 units drawn as 3 groups" in drawing.note


def test_the_map_png_has_the_signature_and_twice_the_drawing_size(riverside: Site) -> None:
    svg = site_svg(riverside)
    root = ET.fromstring(svg)
    png = svg_to_png(svg, scale=2)
    assert png[:8] == PNG_SIGNATURE
    width, height = png_size(png)
    assert (width, height) == (round(2 * float(root.get("width", 0))), round(2 * float(root.get("height", 0))))


def test_positions_are_the_maps_own(riverside: Site) -> None:
    positions = map_positions(riverside)
    assert set(positions) == {u.id for u in riverside.units}
    saved = {u.id: (u.attributes.position.x, u.attributes.position.y)
             for u in riverside.units if u.attributes.position is not None}
    assert all(positions[uid] == p for uid, p in saved.items())


def test_the_word_paper_holds_the_map_and_figures_with_alt_text(riverside: Site) -> None:
    d = describe_site(riverside)
    pictures = bp.board_pictures(riverside, d, render=fake_figures)
    doc = Document(__import__("io").BytesIO(descriptor_to_docx_bytes(d, pictures)))
    names = [p.name for p in pictures.pictures]
    assert names == ["map", "typology-facets", "typology-levels", "boundaries-pcn-lcn"]
    assert len(doc.inline_shapes) == 4
    alts = [shape._inline.docPr.get("descr") for shape in doc.inline_shapes]
    assert alts[0].startswith("Map of Riverside Borough") and all(alts)
    captions = [p.text for p in doc.paragraphs if p.style is not None and p.style.name == "Caption"]
    assert captions[0].startswith("Figure 1. The map of Riverside Borough")
    assert not any("left out" in p.text for p in doc.paragraphs)


def test_the_markdown_paper_links_image_files_that_exist(riverside: Site, tmp_path: Path) -> None:
    d = describe_site(riverside)
    written = write_descriptor_markdown(d, tmp_path / "board.md", bp.board_pictures(riverside, d,
                                                                                   render=fake_figures))
    page = tmp_path / "board.md"
    assert written[-1] == page
    links = re.findall(r"!\[[^\]]+\]\(([^)]+)\)", page.read_text(encoding="utf-8"))
    assert links == ["board-map.png", "board-typology-facets.png", "board-typology-levels.png",
                     "board-boundaries-pcn-lcn.png"]
    for target in links:
        assert (tmp_path / target).read_bytes()[:8] == PNG_SIGNATURE


def test_without_renderers_the_papers_are_written_and_say_what_is_left_out(
        riverside: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_cairo(svg: str, scale: float = 2.0) -> bytes:
        raise RendererMissing("the map picture needs CairoSVG and the cairo library (test)")

    monkeypatch.setattr(bp, "svg_to_png", no_cairo)
    d = describe_site(riverside)
    pictures = bp.board_pictures(riverside, d, render=no_renderer)
    assert [p.name for p in pictures.pictures] == ["map"] and pictures.pictures[0].png is None
    note = pictures.note()
    assert note.startswith("Figures left out: the map as an image for Word")
    assert "pip install cairosvg" in note and "pip install kaleido" in note

    doc = Document(__import__("io").BytesIO(descriptor_to_docx_bytes(d, pictures)))
    assert len(doc.inline_shapes) == 0
    assert any(p.text == note for p in doc.paragraphs)

    write_descriptor_markdown(d, tmp_path / "board.md", pictures)
    text = (tmp_path / "board.md").read_text(encoding="utf-8")
    assert "![" in text and "(board-map.svg)" in text, "Markdown still has the map, as SVG"
    assert ET.parse(tmp_path / "board-map.svg").getroot().tag == f"{SVG}svg"
    assert "Figures left out" in text


def test_missing_cairo_is_reported_not_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "cairosvg", None)  # as if the package were not installed
    with pytest.raises(RendererMissing, match="CairoSVG"):
        map_picture.svg_to_png('<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>')


def test_describe_writes_the_figures_note_on_the_command_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(bp, "plotly_png", no_renderer)
    out = tmp_path / "riverside.docx"
    assert main(["describe", str(RIVERSIDE), "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert "figures left out: the typology and boundary charts" in err and "install kaleido" in err
    assert len(Document(str(out)).inline_shapes) == 1, "the map is still in"


def test_describe_no_figures_leaves_pictures_out(tmp_path: Path) -> None:
    out = tmp_path / "riverside.md"
    assert main(["describe", str(RIVERSIDE), "-o", str(out), "--no-figures"]) == 0
    assert "![" not in out.read_text(encoding="utf-8")
    assert [p.name for p in tmp_path.iterdir()] == ["riverside.md"]


def test_plotly_figures_export_as_png_when_a_browser_is_there(riverside: Site) -> None:
    d = describe_site(riverside)
    try:
        pictures = bp.board_pictures(riverside, d)
    except Exception as exc:  # pragma: no cover - only where plotly's export breaks outright
        pytest.fail(f"board_pictures raised {exc!r}")
    if any("typology and boundary charts" in reason for reason in pictures.left_out):
        pytest.skip(f"plotly's image export cannot run here: {pictures.note()}")
    assert all(p.png is not None and p.png[:8] == PNG_SIGNATURE for p in pictures.pictures)
    assert png_size(pictures.pictures[1].png or b"")[0] == 1800, "figures at twice 900 px"


class FakeKaleido:
    """kaleido's server calls, counted; ``images`` is what each export's figures give."""

    def __init__(self, calls: list[str]) -> None:
        self.calls = calls

    def start_sync_server(self, silence_warnings: bool) -> None:
        self.calls.append("start")

    def stop_sync_server(self, silence_warnings: bool) -> None:
        self.calls.append("stop")


class FakePio:
    def __init__(self, calls: list[str], fail: bool = False) -> None:
        self.calls, self.fail = calls, fail

    def to_image(self, fig: Any, **_options: Any) -> bytes:
        if self.fail:
            raise RuntimeError("Chromium crashed\nmore detail")
        self.calls.append(f"image {fig}")
        return PNG_SIGNATURE


def test_each_export_starts_the_browser_and_stops_it_after() -> None:
    calls: list[str] = []
    assert bp._export(FakeKaleido(calls), FakePio(calls), ["a", "b"]) == [PNG_SIGNATURE] * 2
    assert calls == ["start", "image a", "image b", "stop"]


def test_a_failed_export_stops_the_browser_and_names_the_fault() -> None:
    calls: list[str] = []
    with pytest.raises(RendererMissing, match=r"RuntimeError: Chromium crashed\)$"):
        bp._export(FakeKaleido(calls), FakePio(calls, fail=True), ["a"])
    assert calls == ["start", "stop"]
