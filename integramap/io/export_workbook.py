"""A site as an XLSX workbook in the spreadsheet template's layout, which imports back exactly.

The sheets are those ``integramap template`` writes (``units``, ``links``,
``areas``, ``site``) with the same read-only extras as the CSV export, so a
workbook can be edited in Excel and imported with ``integramap import table``.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ..model import Site
from .export_graph import AREA_COLUMNS, LINK_COLUMNS, UNIT_COLUMNS, area_record, link_record, site_rows, unit_record
from .safe_text import neutralise_formula
from .sitefile import write_text_atomic

XLSX_CELL_LIMIT = 32_767
"""Excel holds at most this many characters in one cell."""


def workbook_losses(site: Site) -> list[str]:
    """What an XLSX workbook of this site could not hold, in words; empty when it holds everything.

    Examples
    --------
    >>> from integramap.model import Site
    >>> workbook_losses(Site(id="s", name="S"))
    []
    >>> workbook_losses(Site(id="s", name="S", description="x" * 40_000))
    ['the site description has 40,000 characters; Excel keeps at most 32,767 in a cell']
    """
    out = []
    for sheet, rows in _sheets(site):
        for row in rows[1:]:
            for head, value in zip(rows[0], row):
                if isinstance(value, str) and len(value) > XLSX_CELL_LIMIT:
                    what = f"the site {row[0]}" if sheet == "site" else f"{head} of {sheet[:-1]} {row[0]}"
                    out.append(f"{what} has {len(value):,} characters; Excel keeps at most "
                               f"{XLSX_CELL_LIMIT:,} in a cell")
    return out


def _table(columns: Sequence[str], records: Iterable[dict[str, Any]]) -> list[list[Any]]:
    return [list(columns)] + [[record.get(c) for c in columns] for record in records]


def _sheets(site: Site) -> list[tuple[str, list[list[Any]]]]:
    return [
        ("units", _table(UNIT_COLUMNS, (unit_record(u) for u in site.units))),
        ("links", _table(LINK_COLUMNS, (link_record(site, lk) for lk in site.links))),
        ("areas", _table(AREA_COLUMNS, (area_record(a) for a in site.areas))),
        ("site", _table(("field", "value"), site_rows(site))),
    ]


def write_workbook(site: Site, path: str | Path) -> Path:
    """Write the site as an XLSX workbook, atomically; ``ValueError`` if a cell would be cut.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from integramap.io.table import import_table
    >>> from integramap.model import Site, Unit
    >>> site = Site(id="s", name="S", units=[Unit(id="t", name="=Team", kind="team")],
    ...             metadata={"import": {"practices": 2}})
    >>> path = write_workbook(site, pathlib.Path(tempfile.mkdtemp()) / "s.xlsx")
    >>> import_table(path) == site
    True
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    losses = workbook_losses(site)
    if losses:
        raise ValueError(f"{path}: cannot be written as a workbook: {'; '.join(losses)}")
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in _sheets(site):
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append([None for _ in row])
            for cell, value in zip(sheet[sheet.max_row], row):
                if isinstance(value, str):
                    # Set as text explicitly: openpyxl would store "=..." as a formula.
                    cell.value = neutralise_formula(value)
                    cell.data_type = "s"
                elif isinstance(value, float) and float(f"{value:.15g}") != value:
                    # Excel keeps 15 significant digits; the shortest exact text reads back unchanged.
                    cell.value = repr(value)
                    cell.data_type = "s"
                else:
                    cell.value = value
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return write_text_atomic(path, buffer.getvalue())
