"""Import a site from spreadsheets: an XLSX workbook or CSV files with units, links and areas.

The layout is the template ``integramap template`` writes (docs/importing.md):
one table each for ``units``, ``links`` and ``areas``, and an optional ``site``
table of ``field, value`` rows. Lists are ``;``-separated; a footprint is
``AREA:0.5;AREA2:1`` (an area with no weight counts 1).

Every fault is reported with the file, the sheet, the row and the column; the
model's own checks (unknown parent, bad level, duplicate id…) are mapped back
to the row they came from.
"""

from __future__ import annotations

import difflib
import json
import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..model import (
    FACET_SCALES,
    AgeGroup,
    Basis,
    Level,
    Mechanism,
    OrgType,
    Problem,
    Sector,
    Site,
    SiteError,
    StrEnum,
    UnitKind,
    short_repr,
    validate_site,
)
from ..wording import plural
from .safe_text import restore_formula_text
from .tabular import (
    CellProblem,
    Table,
    find_sheet,
    header_key,
    import_error,
    open_workbook,
    read_csv_table,
    read_sheet_table,
)

TABLES = ("units", "links", "areas", "site")


@dataclass(frozen=True)
class TableColumn:
    """A template column: where its value goes in the site, how it is read, what it means."""

    name: str
    help: str
    example: str = ""
    required: bool = False
    kind: str = "text"  # text | list | number | integer | footprint | codes
    choices: tuple[str, ...] = ()
    """The allowed values (each item's, for a list), taken from the model's enums."""


def _values(enum: type[StrEnum]) -> tuple[str, ...]:
    return tuple(str(member.value) for member in enum)


UNIT_COLUMNS = (
    TableColumn("id", "Short code for the unit, unique in the site (letters, digits, _ . : -).",
                "camhs-south", True),
    TableColumn("name", "The unit's name as people know it.", "CAMHS South team", True),
    TableColumn("kind", "What sort of unit it is.", "team", True, choices=_values(UnitKind)),
    TableColumn("org_type", "For organisations only: what sort of organisation.", "",
                choices=_values(OrgType)),
    TableColumn("sectors", "What the unit does (;-separated).", "mental_health", kind="list",
                choices=_values(Sector)),
    TableColumn("parent", "The id of the unit that contains this one (team → directorate → organisation).",
                "riverside-trust"),
    TableColumn("basis", "Whether the unit serves a place or a function.", "geographic", choices=_values(Basis)),
    TableColumn("age_groups", "Who it serves by age (;-separated).", "children", kind="list",
                choices=_values(AgeGroup)),
    TableColumn("population_types", "Free tags, ;-separated, e.g. homeless; learning disability.", "",
                kind="list"),
    TableColumn("functions", "Free tags, ;-separated, e.g. psychosis; frailty.", "emotional wellbeing",
                kind="list"),
    TableColumn("footprint", "Areas covered and the share of each: AREA:0.5;AREA2:1 (no share means 1).",
                "RB001:1;RB002:0.5", kind="footprint"),
    TableColumn("employer", "Who employs the staff.", "Riverside NHS Trust"),
    TableColumn("it_system", "The main record system.", "RiO"),
    TableColumn("location", "The building the unit works from.", "Elm House"),
    TableColumn("staff_count", "Number of staff (a whole number).", "12", kind="integer"),
    TableColumn("code", "An external code, e.g. an ODS code.", ""),
    TableColumn("x", "Position on the map (number); leave empty to lay out automatically.", "", kind="number"),
    TableColumn("y", "Position on the map (number).", "", kind="number"),
    TableColumn("description", "Anything else worth saying.", ""),
)

LINK_COLUMNS = (
    TableColumn("id", "Short code for the link; left empty, one is made from source and target.",
                "camhs-csc"),
    TableColumn("source", "The id of one unit.", "camhs-south", True),
    TableColumn("target", "The id of the other unit.", "csc-south", True),
    TableColumn("level", "How closely the two are integrated now, lowest to highest.", "co_located", True,
                choices=_values(Level)),
    TableColumn("target_level", "The level the site is working towards.", "pooled_management",
                choices=_values(Level)),
    TableColumn("governance", "Boards: how they are joined, lowest to highest.", "separate",
                choices=_values(FACET_SCALES["governance"])),
    TableColumn("finance", "Budgets: how they are joined, lowest to highest.", "aligned",
                choices=_values(FACET_SCALES["finance"])),
    TableColumn("management", "Service and team management, lowest to highest.", "separate",
                choices=_values(FACET_SCALES["management"])),
    TableColumn("hr", "Employment of the staff, lowest to highest.", "",
                choices=_values(FACET_SCALES["hr"])),
    TableColumn("it", "Record systems, lowest to highest.", "workaround", choices=_values(FACET_SCALES["it"])),
    TableColumn("estates", "Buildings.", "co_located", choices=_values(FACET_SCALES["estates"])),
    TableColumn("clinical", "Clinical working together, lowest to highest.", "joint_assessment",
                choices=_values(FACET_SCALES["clinical"])),
    TableColumn("mechanisms", "Working arrangements on the link (;-separated).",
                "interface_meeting;single_point_of_access", kind="list", choices=_values(Mechanism)),
    TableColumn("notes", "Anything else worth saying.", "Weekly joint allocation meeting"),
)

AREA_COLUMNS = (
    TableColumn("id", "Short code for the area, e.g. an LSOA code such as E01003946.", "RB001", True),
    TableColumn("name", "The area's name.", "Riverside 001A"),
    TableColumn("population", "Number of people (used to weight overlaps; empty counts 1).", "1975",
                kind="number"),
    TableColumn("codes", "Codes of larger areas it lies in: lad=E09000022;ward=E05014119.",
                "ward=RBW01", kind="codes"),
    TableColumn("geometry", "Where its shape is: file.geojson#FEATURE_ID.", ""),
)

SITE_FIELDS = (
    TableColumn("id", "Short code for the site (empty: made from the file's name).", "riverside"),
    TableColumn("name", "The site's name (empty: the id).", "Riverside borough"),
    TableColumn("description", "What the site covers.", "Children's mental health and social care"),
    TableColumn("source_title", "Where the facts came from.", ""),
    TableColumn("source_publisher", "Who published them.", ""),
    TableColumn("source_url", "A link to them.", ""),
    TableColumn("source_licence", "Their licence.", ""),
    TableColumn("source_date", "Their date.", ""),
    TableColumn("source_notes", "Anything else about them.", ""),
    TableColumn("metadata", "Other facts kept with the site, as JSON (an export writes them; keep as is).", ""),
)

COLUMNS: dict[str, tuple[TableColumn, ...]] = {"units": UNIT_COLUMNS, "links": LINK_COLUMNS,
                                               "areas": AREA_COLUMNS}

READOUT_COLUMNS: dict[str, tuple[str, ...]] = {"links": ("source_name", "target_name", "level_rank")}
"""Columns ``integramap export --format csv`` adds for people reading the links; import skips them,
so an exported folder imports back as it is."""
_ATTRIBUTES = ("employer", "it_system", "location", "staff_count", "code")
_FACETS = tuple(FACET_SCALES)


def import_table(paths: Sequence[str | Path] | str | Path, site_id: str | None = None,
                 name: str | None = None) -> Site:
    """Read a site from an XLSX workbook, CSV files, or a folder of CSV files.

    Parameters
    ----------
    paths
        One ``.xlsx`` workbook, or CSV files named for their table
        (``units.csv``, ``links.csv``, ``areas.csv``, ``site.csv``), or a folder of them.
    site_id, name
        Override the ``site`` table's id and name (the id otherwise defaults
        to the first file's name).

    Raises
    ------
    SiteError
        Listing every fault with its file, sheet, row and column.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "units.csv").write_text("id,name,kind\\nt1,Team one,team\\nt2,Team two,team\\n")
    >>> _ = (folder / "links.csv").write_text("source,target,level\\nt1,t2,co_located\\n")
    >>> site = import_table([folder / "units.csv", folder / "links.csv"], site_id="demo")
    >>> [(lk.id, lk.level.value) for lk in site.links]
    [('t1--t2', 'co_located')]
    """
    tables = read_tables(paths)
    files = sorted({t.file for t in tables.values()})
    builder = _Builder()
    data = builder.build(tables)
    first = Path(files[0]).stem if files else "site"
    data.setdefault("id", _slug(first))
    data.setdefault("name", data["id"])
    if site_id:
        data["id"] = site_id
    if name:
        data["name"] = name
    problems = list(builder.problems)
    try:
        site = validate_site(data)
    except SiteError as err:
        problems += [builder.locate(p, tables) for p in err.problems if not builder.reported(p)]
        raise import_error(_sorted(problems), source=", ".join(files)) from None
    if problems:
        raise import_error(_sorted(problems), source=", ".join(files))
    return site


def table_summary(site: Site) -> str:
    """Counts of what a table import produced.

    Examples
    --------
    >>> print(table_summary(Site(id="s", name="S")))
    0 units, 0 links, 0 areas
    """
    def count(n: int, noun: str) -> str:
        return f"{n} {noun}{'' if n == 1 else 's'}"

    return ", ".join([count(len(site.units), "unit"), count(len(site.links), "link"),
                      count(len(site.areas), "area")])


def read_tables(paths: Sequence[str | Path] | str | Path) -> dict[str, Table]:
    """The named tables in the given files: a workbook's sheets, or CSV files by name or header."""
    items = [Path(paths)] if isinstance(paths, (str, Path)) else [Path(p) for p in paths]
    files: list[Path] = []
    for p in items:
        files.extend(sorted(p.glob("*.csv")) + sorted(p.glob("*.xlsx")) if p.is_dir() else [p])
    if not files:
        raise import_error([CellProblem((), "no files to import; expected an .xlsx workbook or CSV files "
                                        "named units.csv, links.csv, areas.csv (and site.csv)")])
    tables: dict[str, Table] = {}
    for path in files:
        found = _read_workbook(path) if path.suffix.lower() in (".xlsx", ".xlsm") else _read_csv(path)
        for kind, table in found.items():
            if kind in tables:
                raise import_error([CellProblem((), f"a second {kind} table (the first is in "
                                                f"{tables[kind].file}); give one {kind} table", file=table.file)])
            tables[kind] = table
    if not any(k in tables for k in COLUMNS):
        raise import_error([CellProblem((), "no units, links or areas table found; expected sheets or CSV "
                                        "files named units, links and areas (see `integramap template`)",
                                        file=", ".join(str(f) for f in files))])
    return tables


def _read_workbook(path: Path) -> dict[str, Table]:
    workbook = open_workbook(path)
    try:
        out = {}
        for kind in TABLES:
            sheet = find_sheet(workbook, str(path), kind, required=False)
            if sheet is not None:
                out[kind] = read_sheet_table(sheet, str(path))
        return out
    finally:
        workbook.close()


def _read_csv(path: Path) -> dict[str, Table]:
    if path.suffix.lower() not in (".csv", ".txt"):
        raise import_error([CellProblem((), f"unsupported file type {path.suffix or '(none)'!r}; expected "
                                        ".xlsx or .csv", file=str(path))])
    table = read_csv_table(path)
    stem = header_key(path.stem)
    for kind in TABLES:
        if stem == kind or stem.endswith((" " + kind, "-" + kind, "." + kind)):
            return {kind: table}
    keys = {header_key(h) for h in table.header}
    if {"source", "target"} <= keys:
        return {"links": table}
    if "kind" in keys:
        return {"units": table}
    if {"field", "value"} <= keys:
        return {"site": table}
    if "population" in keys:
        return {"areas": table}
    raise table.error("cannot tell which table this is: name the file units.csv, links.csv, areas.csv or "
                      "site.csv")


def _slug(text: str) -> str:
    import re

    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()[:100] or "site"


def _sorted(problems: list[Problem]) -> list[Problem]:
    def key(p: Problem) -> tuple[str, str, int, str]:
        if isinstance(p, CellProblem):
            return (p.file, p.sheet or "", p.row or 0, p.column or "")
        return ("", "", 0, "")
    return sorted(problems, key=key)


class _Builder:
    """Turns tables into site data, remembering which row each item came from."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.rows: dict[str, list[int]] = {}
        self.missing: set[tuple[str, str]] = set()
        self.unnamed_links: set[int] = set()

    def build(self, tables: dict[str, Table]) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if "site" in tables:
            data.update(self._site(tables["site"]))
        for kind, columns in COLUMNS.items():
            if kind in tables:
                data[kind] = self._rows(kind, tables[kind], columns)
        return data

    def _check_header(self, table: Table, columns: Sequence[TableColumn],
                      readout: Sequence[str] = ()) -> dict[str, int]:
        known = {c.name: c for c in columns}
        pos: dict[str, int] = {}
        unknown: list[str] = []
        for i, head in enumerate(table.header):
            key = header_key(head).replace(" ", "_")
            if not key or key.startswith("#") or key in readout:
                continue  # blank and '#' columns are the user's own notes
            if key in known and key not in pos:
                pos[key] = i
            else:
                hint = difflib.get_close_matches(key, [k for k in known if k not in pos], n=1, cutoff=0.6)
                unknown.append(repr(head) + (f" (did you mean {hint[0]}?)" if hint else ""))
        missing = [c.name for c in columns if c.required and c.name not in pos]
        if unknown or missing:
            parts = []
            if missing:
                parts.append("missing column" + ("s " if len(missing) > 1 else " ") + ", ".join(missing))
            if unknown:
                parts.append("unknown column" + ("s " if len(unknown) > 1 else " ") + ", ".join(unknown))
            expected = ", ".join(c.name + ("*" if c.required else "") for c in columns)
            found = ", ".join(repr(h) for h in table.header if h) or "none"
            self.problems.append(table.problem(
                f"{'; '.join(parts)}. Expected columns: {expected} (* = required; start a column's name with "
                f"# to keep your own notes). Found: {found}"))
        return pos

    def _site(self, table: Table) -> dict[str, Any]:
        fields = {c.name for c in SITE_FIELDS}
        out: dict[str, Any] = {}
        source: dict[str, str] = {}
        keys = [header_key(h) for h in table.header]
        rows = list(table.rows)
        if keys[:2] != ["field", "value"]:
            # A header row that is itself a field ("id, riverside") is read as data.
            rows = [(1, table.header)] + rows
        for number, row in rows:
            key = header_key(row[0]).replace(" ", "_") if row else ""
            value = restore_formula_text(row[1]) if len(row) > 1 else ""
            if not key or key.startswith("#"):
                continue
            if key not in fields:
                self.problems.append(table.problem(
                    f"unknown field {row[0]!r}; expected one of {', '.join(sorted(fields))}", number, "field"))
            elif value:
                if key.startswith("source_"):
                    source[key[len("source_"):]] = value
                elif key == "metadata":
                    out[key] = self._metadata(value, table, number)
                else:
                    out[key] = value
        if source:
            out["source"] = source
        return out

    def _metadata(self, text: str, table: Table, number: int) -> dict[str, Any]:
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            value = exc
        if not isinstance(value, dict):
            self.problems.append(table.problem("metadata is not a JSON object; expected {...} as an export "
                                               "writes it", number, "value"))
            return {}
        return value

    def _rows(self, kind: str, table: Table, columns: Sequence[TableColumn]) -> list[dict[str, Any]]:
        pos = self._check_header(table, columns, READOUT_COLUMNS.get(kind, ()))
        self.missing |= {(kind, c.name) for c in columns if c.required and c.name not in pos}
        by_name = {c.name: c for c in columns}
        items: list[dict[str, Any]] = []
        numbers: list[int] = []
        ids: Counter[str] = Counter()
        for number, row in table.rows:
            extra = [c for c in row[len(table.header):] if c]
            if extra:
                self.problems.append(table.problem(
                    f"{plural(len(table.header) + len(extra), 'cell')} in a row under "
                    f"{plural(len(table.header), 'column heading')}: {short_repr(extra[0])} has no column; "
                    "give it a heading, or quote a cell that holds a comma", number))
            values: dict[str, Any] = {}
            for col_name, i in pos.items():
                text = row[i] if i < len(row) else ""
                if text == "":
                    continue
                parsed = self._parse(by_name[col_name], restore_formula_text(text), table, number)
                if parsed is not None:
                    values[col_name] = parsed
            item = _shape(kind, values)
            if kind == "links" and "id" not in item and "source" in item and "target" in item:
                base = f"{item['source']}--{item['target']}"
                ids[base] += 1
                item["id"] = base if ids[base] == 1 else f"{base}-{ids[base]}"
            elif kind == "links" and "id" not in item:
                self.unnamed_links.add(len(items))  # its missing source or target is the fault to report
            items.append(item)
            numbers.append(number)
        self.rows[kind] = numbers
        return items

    def _parse(self, col: TableColumn, text: str, table: Table, number: int) -> Any:
        parser: Callable[[str], Any] = _PARSERS[col.kind]
        try:
            return parser(text)
        except ValueError as exc:
            self.problems.append(table.problem(f"{short_repr(text)}: {exc}", number, col.name))
            return None

    def reported(self, problem: Problem) -> bool:
        """Whether a model problem is about a column already reported missing (one error, not one a row)."""
        loc = problem.loc
        if loc[:1] == ("links",) and loc[2:] == ("id",) and loc[1] in self.unnamed_links:
            return True
        return len(loc) > 2 and (str(loc[0]), _column_of(loc[2:]) or "") in self.missing

    def locate(self, problem: Problem, tables: dict[str, Table]) -> Problem:
        """A model problem (``units[3].kind``) as a cell problem (units sheet, row 5, column kind)."""
        loc = problem.loc
        if loc and loc[0] in COLUMNS and loc[0] in tables:
            table = tables[str(loc[0])]
            row = None
            if len(loc) > 1 and isinstance(loc[1], int) and loc[1] < len(self.rows.get(str(loc[0]), [])):
                row = self.rows[str(loc[0])][loc[1]]
            column = _column_of(loc[2:])
            return table.problem(problem.message, row, column)
        if "site" in tables and loc and loc[0] in ("id", "name", "description", "source"):
            field = "_".join(str(p) for p in loc)
            return tables["site"].problem(f"{field}: {problem.message}")
        where = problem.where
        return CellProblem((), f"{where}: {problem.message}" if loc else problem.message)


def _column_of(rest: tuple[str | int, ...]) -> str | None:
    """The template column for the rest of a model location: ``("attributes", "staff_count")`` → staff_count."""
    if not rest:
        return None
    head = str(rest[0])
    if head in ("attributes", "facets") and len(rest) > 1:
        name = str(rest[1])
        if name == "position" and len(rest) > 2:
            return str(rest[2])
        return name
    return head


def _shape(kind: str, values: dict[str, Any]) -> dict[str, Any]:
    """Flat row values nested as the model wants them (attributes, position, facets)."""
    if kind == "units":
        attributes = {k: values.pop(k) for k in _ATTRIBUTES if k in values}
        if "x" in values or "y" in values:
            attributes["position"] = {k: values.pop(k) for k in ("x", "y") if k in values}
        if attributes:
            values["attributes"] = attributes
    elif kind == "links":
        facets = {k: values.pop(k) for k in _FACETS if k in values}
        if facets:
            values["facets"] = facets
    return values


def _split(text: str) -> list[str]:
    """A ;-separated list (commas accepted too), blanks dropped.

    Examples
    --------
    >>> _split("mental_health; social_care;")
    ['mental_health', 'social_care']
    """
    sep = ";" if ";" in text or "," not in text else ","
    return [part.strip() for part in text.split(sep) if part.strip()]


def _number(text: str) -> float:
    try:
        value = float(text.replace(",", ""))
    except ValueError:
        raise ValueError("expected a number") from None
    if not math.isfinite(value):
        raise ValueError("expected a finite number")
    return value


def _integer(text: str) -> int:
    value = _number(text)
    if not value.is_integer():
        raise ValueError("expected a whole number")
    return int(value)


def _footprint(text: str) -> dict[str, float]:
    """``AREA:0.5;AREA2:1`` as a dict; an id may itself contain ``:`` (``list:A81001``).

    Examples
    --------
    >>> _footprint("E01000001:0.5; list:A81001; E01000002:1")
    {'E01000001': 0.5, 'list:A81001': 1.0, 'E01000002': 1.0}
    """
    out: dict[str, float] = {}
    for part in _split(text):
        area, sep, weight = part.rpartition(":")
        if sep:
            try:
                value = float(weight)
            except ValueError:
                area, value = part, 1.0
        else:
            area, value = part, 1.0
        area = area.strip()
        if not area:
            raise ValueError("expected AREA:share, e.g. E01000001:0.5")
        if not math.isfinite(value) or not 0.0 <= value <= 1.0:
            raise ValueError(f"share {weight} for {area} is not between 0 and 1")
        if area in out:
            raise ValueError(f"area {area} is listed twice")
        out[area] = value
    return out


def _codes(text: str) -> dict[str, str]:
    """``lad=E09000022;utla=E09000022`` as a dict.

    Examples
    --------
    >>> _codes("lad=E09000022; utla=E09000022")
    {'lad': 'E09000022', 'utla': 'E09000022'}
    """
    out: dict[str, str] = {}
    for part in _split(text):
        key, sep, value = part.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise ValueError("expected key=code pairs, e.g. lad=E09000022;utla=E09000022")
        out[key.strip()] = value.strip()
    return out


_PARSERS: dict[str, Callable[[str], Any]] = {
    "text": str, "list": _split, "number": _number, "integer": _integer,
    "footprint": _footprint, "codes": _codes,
}
