"""The typology descriptor as a Word document (``.docx``) for board papers.

The same content as the Markdown page — summary, the descriptor table, the
detail tables, structural challenges and the mismatch summary — laid out with
Word headings and tables so it can be pasted into a trust's own template.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentType
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.shared import Emu, Inches, Length

from ..analysis.typology import TypologyDescriptor
from ..analysis.whatif import WhatIf
from ..analysis.whatif_format import figure_rows, summary_lines
from .board_pictures import BoardPictures, Picture
from .export_markdown import descriptor_tables, overview_rows, summary_sentences, words
from ..wording import plural
from .safe_text import xml_text
from .sitefile import write_text_atomic

TABLE_STYLE = "Light Grid Accent 1"


def descriptor_to_docx_bytes(d: TypologyDescriptor, pictures: BoardPictures | None = None) -> bytes:
    """The descriptor as the bytes of a ``.docx`` file, with the map and figures when given.

    Pictures without a PNG (the renderer was missing) are left out, and the paper says so.

    Examples
    --------
    >>> from integramap.model import Site, Unit
    >>> from integramap.analysis.typology import describe_site
    >>> data = descriptor_to_docx_bytes(describe_site(Site(id="s", name="S", units=[
    ...     Unit(id="a", name="A", kind="team")])))
    >>> data[:2]
    b'PK'
    """
    doc = Document()
    name = xml_text(d.site.name)
    doc.core_properties.title = f"Integration model: {name}"[:255]
    doc.core_properties.subject = f"Typology code {d.code}"
    doc.add_heading(f"Integration model: {name}", level=0)
    para = doc.add_paragraph("Typology code: ")
    para.add_run(d.code).bold = True
    doc.add_paragraph(xml_text(" ".join(summary_sentences(d))))
    if pictures is not None:
        _pictures(doc, pictures)

    doc.add_heading("Typology descriptor", level=1)
    # Headed like the other tables: an empty header row reads as a blank first line in Word.
    _table(doc, ["Aspect", "This site"], overview_rows(d))
    for heading, (header, rows) in descriptor_tables(d):
        doc.add_heading(heading, level=1)
        if rows:
            _table(doc, header, rows)
        else:
            doc.add_paragraph("None recorded.")

    doc.add_heading("Structural challenges", level=1)
    if d.structural_challenges:
        for c in d.structural_challenges:
            item = doc.add_paragraph(style="List Bullet")
            item.add_run(f"{words(c.rule)}: ").bold = True
            item.add_run(xml_text(c.explanation))
    else:
        doc.add_paragraph("None found: no link's facets contradict its level.")

    doc.add_heading("Mismatch summary", level=1)
    doc.add_paragraph(xml_text(_mismatch_summary(d)))

    doc.add_heading("Definitions", level=1)
    for key, text in d.breadth.definitions.items():
        doc.add_paragraph(f"{words(key)}: {text}", style="List Bullet")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def whatif_to_docx_bytes(report: WhatIf) -> bytes:
    """A what-if report as a board paper's section (``.docx``): what changes, then every figure.

    Examples
    --------
    >>> from integramap.model import Site, Unit
    >>> from integramap.scenario import validate_scenario
    >>> from integramap.analysis.whatif import what_if
    >>> site = Site(id="s", name="S", units=[Unit(id="a", name="A", kind="team")])
    >>> what_if_paper = whatif_to_docx_bytes(what_if(site, validate_scenario(
    ...     {"name": "No A", "edits": [{"remove": {"unit": "a"}}]}), layers=[]))
    >>> what_if_paper[:2]
    b'PK'
    """
    doc = Document()
    title = xml_text(f"What if: {report.scenario}")
    doc.core_properties.title = title[:255]
    doc.add_heading(title, level=1)
    doc.add_paragraph(xml_text(f"Site: {report.before.site_name}"))
    if report.description:
        doc.add_paragraph(xml_text(report.description))
    doc.add_heading("What changes", level=2)
    for line in summary_lines(report):
        doc.add_paragraph(xml_text(line), style="List Bullet")
    doc.add_heading("Before and after", level=2)
    _table(doc, ["Figure", "Before", "After"], figure_rows(report))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def write_descriptor_docx(d: TypologyDescriptor, path: str | Path, pictures: BoardPictures | None = None) -> Path:
    """Write the descriptor as a Word document, atomically (old file or new, never half)."""
    return write_text_atomic(path, descriptor_to_docx_bytes(d, pictures))


def _pictures(doc: DocumentType, pictures: BoardPictures) -> None:
    """The map on a landscape page of its own, then the figures, each with a caption and alt text.

    A map is wider than tall and full of names: across a landscape page its labels print at
    about half as large again as across a portrait one. A note says which pictures were left out.
    """
    drawn = [p for p in pictures.pictures if p.png is not None]
    number = 0
    if drawn and drawn[0].name == "map":
        _orient(doc, WD_ORIENT.LANDSCAPE)
        doc.add_heading("The map", level=1)
        number += 1
        _picture(doc, drawn.pop(0), number, Inches(9.2), Inches(5.6))
        _orient(doc, WD_ORIENT.PORTRAIT)
    if drawn or pictures.left_out:
        doc.add_heading("Figures", level=1)
    for pic in drawn:
        number += 1
        _picture(doc, pic, number, Inches(6.3), Inches(8.0))
    if pictures.left_out:
        doc.add_paragraph().add_run(xml_text(pictures.note())).italic = True


def _orient(doc: DocumentType, orientation: WD_ORIENT) -> None:
    """Start a new page turned to ``orientation``, with the page's sides swapped to match."""
    previous = doc.sections[-1]
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    long_side, short_side = (max(previous.page_width or 0, previous.page_height or 0),
                             min(previous.page_width or 0, previous.page_height or 0))
    section.orientation = orientation
    if orientation == WD_ORIENT.LANDSCAPE:
        section.page_width, section.page_height = long_side, short_side
    else:
        section.page_width, section.page_height = short_side, long_side


def _picture(doc: DocumentType, pic: Picture, number: int, max_width: Length, max_height: Length) -> None:
    assert pic.png is not None
    # The PNG header holds the size: fit the width, unless that makes the picture too tall.
    width_px, height_px = int.from_bytes(pic.png[16:20], "big"), int.from_bytes(pic.png[20:24], "big")
    width = max_width
    if width_px and height_px and max_width * height_px / width_px > max_height:
        width = Emu(int(max_height * width_px / height_px))
    shape = doc.add_picture(io.BytesIO(pic.png), width=width)
    # Word reads a picture's alt text from its drawing properties (docPr): descr and title.
    props = shape._inline.docPr
    props.set("descr", xml_text(pic.alt))
    props.set("title", xml_text(pic.caption)[:255])
    caption = doc.add_paragraph(style="Caption")
    caption.add_run(f"Figure {number}. ").bold = True
    caption.add_run(xml_text(pic.caption))


def _mismatch_summary(d: TypologyDescriptor) -> str:
    align = d.boundary_alignment
    if not align.available or not align.pairs:
        return align.note or "No boundary layers to compare."
    parts = []
    for p in align.pairs:
        text = (f"{words(p.layers[0])} with {words(p.layers[1])}: {p.coterminosity_words}; "
                f"{plural(p.straddles, 'straddle')}, {plural(p.gaps, 'gap')}, "
                f"{plural(p.double_cover, 'area')} double covered, "
                f"{plural(p.unmanaged_interfaces, 'unmanaged interface')}")
        if p.straddling_units:
            text += f" — straddling: {', '.join(p.straddling_units)}"
        parts.append(text + ".")
    parts.append(f"{plural(align.mismatches, 'mismatch', 'mismatches')} in all.")
    return " ".join(parts)


def _table(doc: DocumentType, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    try:
        table.style = TABLE_STYLE
    except (KeyError, ValueError):  # a template without the style still gets a plain table
        table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header):
        cell.text = xml_text(text)
    for row in rows:
        for cell, text in zip(table.add_row().cells, row):
            cell.text = xml_text(text)
