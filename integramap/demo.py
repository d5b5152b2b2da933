"""Real cases in one command: demo sites built on the user's machine from public files.

A demo is a named recipe (:data:`DEMOS`): which ICB's practices to import
through :func:`integramap.io.nhs.import_nhs`, which boroughs it covers, and
where the public files are usually kept. Those files (NHS practice → PCN
lookup, ONS LSOA → district lookup, ONS LSOA and ward boundaries) are
published under the Open Government Licence and never ship with IntegraMap:
:func:`find_demo_files` finds them where the user keeps them, and
:func:`build_demo` turns them into a :class:`~integramap.model.Site`.

What :func:`build_demo` adds to the imported site
---------------------------------------------------

* **Area shapes.** Every area whose LSOA is known gets
  ``geometry = "<absolute path>/<LAD code>.geojson#<LSOA21CD>"``: a practice's
  registered list (``list:<practice code>``, its LSOA and district in
  ``Area.codes["lsoa"]`` and ``["lad"]``) is drawn as the LSOA polygon its
  premises stand in; an area that *is* an LSOA (older imports) as itself.
  Paths are absolute because the site is built on, and for, the machine that
  holds the files, so :func:`~integramap.io.geometry.area_shapes` resolves them
  with no base folder. A file that holds no ``<LAD code>.geojson`` for a
  district is searched for the LSOA in the folder's other GeoJSON files.
* **Overlays** for a map to draw over the areas, in ``site.metadata["overlays"]``::

      [{"name": "Boroughs", "draw": "outline", "files": ["/…/E09000022.geojson", …],
        "labels": ["Lambeth", …]},
       {"name": "Wards", "draw": "features", "files": ["/…/sel-ward/E09000022.geojson", …]}]

  ``files`` are absolute paths of GeoJSON FeatureCollections readable with
  :func:`~integramap.io.geometry.read_features`. ``draw`` says how:
  ``"features"`` draws every feature's edge (each ward, named by its ``…NM``
  property); ``"outline"`` draws each file's outer boundary as one shape
  (:func:`~integramap.io.geometry.outline` of all its features), labelled by
  the same-position entry of ``labels``.
* **Provenance**: ``site.source`` names the files, their publishers, the
  licence and the date built; ``site.metadata["demo"]`` holds the demo's name,
  the absolute paths read, and the areas left without a shape (with why).

Building is deterministic for given files and ``today``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .io.geometry import GeometryError, read_features
from .io.nhs import LAD_PREFIX, OGL, import_nhs
from .io.sitefile import site_to_data
from .io.tabular import close_matches
from .model import Area, OrgType, Site, UnitKind, validate_site
from .wording import plural

if TYPE_CHECKING:
    from .analysis.boundary_results import Straddle

__all__ = [
    "DEMOS", "REFERENCE_DATA_ENV", "reference_file", "Demo", "DemoDataError", "DemoFiles", "DemoLayout", "DemoSummary",
    "MissingFile", "UnknownDemoError", "build_demo", "demo_choices", "find_demo_files", "get_demo",
    "summarise_demo",
]

REFERENCE_DATA_ENV = "INTEGRAMAP_REFERENCE_DATA"
"""A folder holding the public reference files, in the layout of :class:`DemoLayout`."""

OGL_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"

ProgressFn = Callable[[float, str], None]

_LSOA_CODE = re.compile(r"^[EW]01\d{6}$")
_GEOJSON = (".geojson", ".json")


@dataclass(frozen=True)
class DemoLayout:
    """Where each file sits inside a reference-data folder (globs allowed for the lookup)."""

    practices: str = "nhs-reference/practice_pcn_lookup*.csv"
    lsoa_lad: str = "nhs-reference/lsoa21_to_lad.csv"
    lsoa_geo: str = "geo/sel-lsoa21"
    ward_geo: str = "geo/sel-ward"


@dataclass(frozen=True)
class Demo:
    """A real case a new user can build in one command."""

    name: str
    title: str
    icb: str
    lad_codes: tuple[str, ...]
    description: str
    headline: str = ""
    layout: DemoLayout = field(default_factory=DemoLayout)


WHERE_PUBLISHED: dict[str, str] = {
    "practices": "the practice → PCN lookup with each practice's LSOA: NHS Digital's 'Patients Registered "
                 "at a GP Practice' mapping (gp-reg-pat-prac-map.csv, "
                 "https://digital.nhs.uk/data-and-information/publications/statistical/"
                 "patients-registered-at-a-gp-practice) with each practice's postcode placed in its LSOA by "
                 "the ONS Postcode Directory (https://geoportal.statistics.gov.uk/)",
    "lsoa_lad": "the ONS LSOA (2021) → local authority district lookup, ONS Open Geography Portal "
                "(https://geoportal.statistics.gov.uk/, search 'LSOA 2021 to LAD lookup'), saved as CSV",
    "lsoa_geo": "the ONS 'Lower layer Super Output Areas (December 2021) Boundaries EW BGC', ONS Open "
                "Geography Portal (https://geoportal.statistics.gov.uk/), saved as GeoJSON, one file per "
                "borough named by its LAD code (E09000022.geojson)",
    "ward_geo": "the ONS 'Wards (May 2025) Boundaries UK BGC', ONS Open Geography Portal "
                "(https://geoportal.statistics.gov.uk/), saved as GeoJSON, one file per borough named by its "
                "LAD code",
}
"""Where NHS England, NHS Digital and ONS publish each file, for the person who lacks one."""

_LABELS = {"practices": "practice → PCN lookup", "lsoa_lad": "LSOA → local authority lookup",
           "lsoa_geo": "LSOA boundary folder", "ward_geo": "ward boundary folder"}

DEMOS: dict[str, Demo] = {
    "south-east-london": Demo(
        name="south-east-london",
        title="South east London: practices, PCNs and boroughs",
        icb="QKK",
        lad_codes=("E09000004", "E09000006", "E09000011", "E09000022", "E09000023", "E09000028"),
        description=(
            "Every GP practice of NHS South East London ICB in its primary care network (PCN), over the "
            "six boroughs of Lambeth, Southwark, Lewisham, Greenwich, Bexley and Bromley. Each practice is "
            "drawn in the small area (LSOA) where its premises stand, with the borough and ward boundaries "
            "over them, so you can see where a borough boundary cuts through a PCN. Built on your computer "
            "from public files published by NHS England, NHS Digital and the Office for National Statistics "
            "under the Open Government Licence v3.0; none of them ships with IntegraMap."),
        headline="Croxted PCN (U60524): two of its practices are in Lambeth and one in Southwark.",
    ),
}
"""The demos, by name."""


# ---------------------------------------------------------------------------------------------
# Errors

class UnknownDemoError(ValueError):
    """No demo of this name."""


@dataclass(frozen=True)
class MissingFile:
    """One reference file not found: what it is, where it was looked for, where it is published."""

    key: str
    what: str
    looked_in: tuple[str, ...]
    published: str


class DemoDataError(ValueError):
    """The public files a demo needs are missing; names each one, where it was looked for and its source."""

    def __init__(self, missing: Sequence[MissingFile]) -> None:
        self.missing = list(missing)
        super().__init__(self.render())

    def render(self) -> str:
        """The message for a person: one paragraph per missing file."""
        n = len(self.missing)
        lines = [f"{plural(n, 'public reference file')} not found "
                 f"(they are not part of IntegraMap; save them from their publishers):"]
        for m in self.missing:
            lines.append(f"  - {m.what}: looked for {', '.join(m.looked_in)}")
            lines.append(f"    published as {m.published}")
        lines.append("Give each file with its option, or see docs/demo.md for the folder layout.")
        return "\n".join(lines)

    def for_people(self) -> str:
        """The message for a page: which files and where they are published, without the folders
        searched or the command-line options (those are for whoever runs the server)."""
        n = len(self.missing)
        lines = [f"{plural(n, 'public reference file')} not found on the server "
                 f"(they are not part of IntegraMap; they are saved from their publishers):"]
        lines += [f"  - {m.what}, published as {m.published}" for m in self.missing]
        lines.append("Ask whoever runs IntegraMap for your team to save them in its reference-data folder.")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.render()


def get_demo(name: str) -> Demo:
    """The demo of this name, or :class:`UnknownDemoError` listing the demos there are.

    Examples
    --------
    >>> get_demo("south-east-london").icb
    'QKK'
    >>> get_demo("south-east-londn")
    Traceback (most recent call last):
    ...
    integramap.demo.UnknownDemoError: no demo 'south-east-londn'; did you mean south-east-london? (demos: south-east-london)
    """
    demo = DEMOS.get(name.strip().lower())
    if demo is not None:
        return demo
    near = close_matches(name, DEMOS)
    hint = f"; did you mean {', '.join(near)}?" if near else ""
    raise UnknownDemoError(f"no demo {name!r}{hint} (demos: {', '.join(sorted(DEMOS))})")


# ---------------------------------------------------------------------------------------------
# Finding the files

@dataclass(frozen=True)
class DemoFiles:
    """The public files a demo is built from."""

    practices: Path
    lsoa_lad: Path
    lsoa_geo: Path
    ward_geo: Path

    def as_dict(self) -> dict[str, str]:
        """Absolute paths by field name, as recorded in a built site."""
        return {"practices": str(self.practices.resolve()), "lsoa_lad": str(self.lsoa_lad.resolve()),
                "lsoa_geo": str(self.lsoa_geo.resolve()), "ward_geo": str(self.ward_geo.resolve())}


def _search_dirs(data_dir: Path | None) -> list[Path]:
    if data_dir is not None:
        return [Path(data_dir).expanduser()]
    dirs: list[Path] = []
    env = os.environ.get(REFERENCE_DATA_ENV, "").strip()
    if env:
        dirs.append(Path(env).expanduser())
    dirs += [Path("data"), Path("..") / "shared" / "data"]
    return dirs


def _is_geo_dir(path: Path) -> bool:
    return path.is_dir() and any(p.suffix.lower() in _GEOJSON for p in path.iterdir())


def _find_one(key: str, pattern: str, dirs: Sequence[Path]) -> Path | None:
    for folder in dirs:
        if key in ("lsoa_geo", "ward_geo"):
            candidate = folder / pattern
            if _is_geo_dir(candidate):
                return candidate
            continue
        hits = sorted(p for p in folder.glob(pattern) if p.is_file())
        if hits:
            return hits[-1]  # the newest issue: names carry the year
    return None


def reference_file(key: str, data_dir: Path | None = None) -> Path:
    """One national file of the reference-data folder (``practices`` or ``lsoa_lad``), found where the
    demo's files are; :class:`DemoDataError` naming it when it is not there.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> try:
    ...     reference_file("practices", pathlib.Path(tempfile.mkdtemp()))
    ... except DemoDataError as err:
    ...     print(err.missing[0].what)
    practice → PCN lookup
    """
    pattern = {"practices": DemoLayout.practices, "lsoa_lad": DemoLayout.lsoa_lad}[key]
    dirs = _search_dirs(data_dir)
    hit = _find_one(key, pattern, dirs)
    if hit is None:
        raise DemoDataError([MissingFile(key, _LABELS[key], tuple(str(d / pattern) for d in dirs),
                                         WHERE_PUBLISHED[key])])
    return hit


def find_demo_files(data_dir: Path | None = None, *, demo: str = "south-east-london",
                    **overrides: str | Path | None) -> DemoFiles:
    """Find a demo's public files: given paths first, then the usual folders.

    Each file is taken from ``overrides`` (``practices``, ``lsoa_lad``,
    ``lsoa_geo``, ``ward_geo``) when given; else from ``data_dir`` when given;
    else from the first of ``$INTEGRAMAP_REFERENCE_DATA``, ``./data`` and
    ``../shared/data`` holding it, in the layout of :class:`DemoLayout`
    (``nhs-reference/practice_pcn_lookup*.csv``, ``nhs-reference/lsoa21_to_lad.csv``,
    ``geo/sel-lsoa21/``, ``geo/sel-ward/``; a boundary folder must hold GeoJSON).

    Raises
    ------
    DemoDataError
        Naming every file not found, where it was looked for, and where it is published.
    UnknownDemoError
        For a demo name not in :data:`DEMOS`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> empty = pathlib.Path(tempfile.mkdtemp())
    >>> try:
    ...     find_demo_files(empty)
    ... except DemoDataError as err:
    ...     print([m.key for m in err.missing])
    ['practices', 'lsoa_lad', 'lsoa_geo', 'ward_geo']
    """
    layout = get_demo(demo).layout
    unknown = sorted(set(overrides) - set(_LABELS))
    if unknown:
        raise TypeError(f"find_demo_files: unknown file {', '.join(unknown)}; expected {', '.join(_LABELS)}")
    dirs = _search_dirs(data_dir)
    found: dict[str, Path] = {}
    missing: list[MissingFile] = []
    for key, pattern in (("practices", layout.practices), ("lsoa_lad", layout.lsoa_lad),
                         ("lsoa_geo", layout.lsoa_geo), ("ward_geo", layout.ward_geo)):
        given = overrides.get(key)
        is_dir = key in ("lsoa_geo", "ward_geo")
        if given is not None:
            path = Path(given).expanduser()
            ok = _is_geo_dir(path) if is_dir else path.is_file()
            if ok:
                found[key] = path
            else:
                expected = "a folder of GeoJSON files" if is_dir else "a file"
                missing.append(MissingFile(key, _LABELS[key], (f"{path} (given; expected {expected})",),
                                           WHERE_PUBLISHED[key]))
            continue
        hit = _find_one(key, pattern, dirs)
        if hit is not None:
            found[key] = hit
        else:
            suffix = "/ (a folder of GeoJSON files)" if is_dir else ""
            missing.append(MissingFile(key, _LABELS[key], tuple(f"{d / pattern}{suffix}" for d in dirs),
                                       WHERE_PUBLISHED[key]))
    if missing:
        raise DemoDataError(missing)
    return DemoFiles(**found)


# ---------------------------------------------------------------------------------------------
# Building

def _report(progress: ProgressFn | None, fraction: float, message: str) -> None:
    if progress is not None:
        progress(fraction, message)


def _lsoa_and_lad(area: Area) -> tuple[str | None, str | None]:
    """An area's LSOA and district: from ``codes`` (practice lists), else the area is an LSOA."""
    lsoa = area.codes.get("lsoa")
    if not lsoa and _LSOA_CODE.match(area.id):
        lsoa = area.id
    return lsoa or None, area.codes.get("lad") or None


def _geo_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in _GEOJSON and p.is_file())


def _place_areas(site: Site, folder: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Each area's geometry reference, and why any area with no shape has none."""
    folder = folder.resolve()
    refs: dict[str, str] = {}
    unplaced: dict[str, str] = {}
    pending: dict[str, str] = {}  # area id → LSOA not found in its district's file
    for area in site.areas:
        lsoa, lad = _lsoa_and_lad(area)
        if lsoa is None:
            unplaced[area.id] = "no LSOA known for this area"
            continue
        own = folder / f"{lad}.geojson" if lad else None
        if own is not None and own.is_file() and lsoa in read_features(own).geometries:
            refs[area.id] = f"{own}#{lsoa}"
        else:
            pending[area.id] = lsoa
    if pending:
        # Other layouts (one file for the whole area, files named otherwise): look everywhere once.
        where: dict[str, Path] = {}
        for path in _geo_files(folder):
            for feature in read_features(path).geometries:
                where.setdefault(feature, path)
        for area_id, lsoa in pending.items():
            if lsoa in where:
                refs[area_id] = f"{where[lsoa]}#{lsoa}"
            else:
                unplaced[area_id] = f"LSOA {lsoa} is in no GeoJSON file of {folder}"
    return refs, unplaced


def _districts(site: Site) -> list[tuple[str, str]]:
    """(LAD code, name) of the site's local authority districts, by code."""
    return sorted((u.id[len(LAD_PREFIX):], u.name) for u in site.units
                  if u.kind is UnitKind.ORGANISATION and u.id.startswith(LAD_PREFIX))


def _overlays(site: Site, files: DemoFiles) -> list[dict[str, Any]]:
    districts = _districts(site)
    overlays: list[dict[str, Any]] = []
    lsoa_dir = files.lsoa_geo.resolve()
    boroughs = [(lsoa_dir / f"{code}.geojson", name) for code, name in districts
                if (lsoa_dir / f"{code}.geojson").is_file()]
    if boroughs:
        overlays.append({"name": "Boroughs", "draw": "outline", "files": [str(p) for p, _ in boroughs],
                         "labels": [name for _, name in boroughs]})
    ward_dir = files.ward_geo.resolve()
    wards = [ward_dir / f"{code}.geojson" for code, _ in districts if (ward_dir / f"{code}.geojson").is_file()]
    if not wards:
        wards = _geo_files(ward_dir)
    for path in wards:
        read_features(path)  # a broken ward file is refused now, not when a page draws it
    if wards:
        overlays.append({"name": "Wards", "draw": "features", "files": [str(p) for p in wards]})
    return overlays


def build_demo(name: str, files: DemoFiles, progress: ProgressFn | None = None, *,
               today: date | None = None) -> Site:
    """Build a demo's site from its public files, with area shapes, overlays and provenance.

    ``progress`` is called with a rising fraction (ending at 1.0) and a plain
    message at each step. ``today`` is the build date recorded (default: today).

    Raises
    ------
    UnknownDemoError
        For a name not in :data:`DEMOS`.
    SiteError
        For a fault in a lookup file, naming the file, line and column.
    GeometryError
        For a malformed boundary file, naming the file and the features at fault.

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "gp.csv").write_text("PRAC_CODE,PRAC_NAME,PRAC_LSOA21,PCN_CODE,PCN_NAME,LOC_CODE,"
    ...     "LOC_NAME,ICB_CODE,ICB_NAME\\nG1,One,E01000001,U1,Net,L1,Loc,QZZ,Vale ICB\\n")
    >>> _ = (d / "lsoa.csv").write_text("LSOA21CD,LAD22CD,LAD22NM\\nE01000001,E09000099,Vale\\n")
    >>> for sub in ("lsoa", "ward"):
    ...     (d / sub).mkdir()
    ...     _ = (d / sub / "E09000099.geojson").write_text(json.dumps({"type": "FeatureCollection",
    ...         "features": [{"type": "Feature", "properties": {"code": "E01000001"}, "geometry": {
    ...         "type": "Polygon", "coordinates": [[[0, 51], [0.1, 51], [0.1, 51.1], [0, 51]]]}}]}))
    >>> DEMOS["vale"] = Demo("vale", "Vale", "QZZ", ("E09000099",), "A made-up ICB.")
    >>> site = build_demo("vale", DemoFiles(d / "gp.csv", d / "lsoa.csv", d / "lsoa", d / "ward"))
    >>> del DEMOS["vale"]
    >>> [a.geometry.rpartition("/")[2] for a in site.areas]
    ['E09000099.geojson#E01000001']
    >>> [o["name"] for o in site.metadata["overlays"]]
    ['Boroughs', 'Wards']
    """
    demo = get_demo(name)
    built = (today or date.today()).isoformat()
    _report(progress, 0.0, f"Reading the practices of ICB {demo.icb} and the LSOA → borough lookup")
    site = import_nhs(practices=files.practices, lsoa_lad=files.lsoa_lad, icb=[demo.icb],
                      site_id=demo.name, name=demo.title)
    _report(progress, 0.5, f"Placing {len(site.areas)} areas on the LSOA boundaries")
    refs, unplaced = _place_areas(site, files.lsoa_geo)
    _report(progress, 0.8, "Adding the borough and ward boundaries")
    overlays = _overlays(site, files)
    _report(progress, 0.9, "Recording where the data came from")
    data = site_to_data(site)
    for area in data.get("areas", []):
        if area["id"] in refs:
            area["geometry"] = refs[area["id"]]
    paths = files.as_dict()
    data["description"] = demo.description
    data["source"] = {
        "title": "; ".join(Path(p).name for p in paths.values()),
        "publisher": "NHS England, NHS Digital and the Office for National Statistics",
        "url": OGL_URL, "licence": OGL, "date": built,
        "notes": ("Built on this computer from public files, which IntegraMap does not ship: "
                  + "; ".join(f"{_LABELS[k]} {v}" for k, v in paths.items())
                  + ". Contains public sector information licensed under the Open Government Licence "
                    "v3.0. Source: Office for National Statistics licensed under the Open Government "
                    "Licence v3.0. Contains OS data © Crown copyright and database right."),
    }
    metadata = dict(data.get("metadata", {}))
    metadata["overlays"] = overlays
    metadata["demo"] = {"name": demo.name, "icb": demo.icb, "built": built, "files": paths,
                        "geometry_paths": "absolute",
                        "areas_without_shape": dict(sorted(unplaced.items()))}
    data["metadata"] = metadata
    result = validate_site(data, source=f"demo {demo.name}")
    shaped = len(refs)
    _report(progress, 1.0, f"Built {demo.title}: {len(result.units)} units, {shaped} of "
                           f"{len(result.areas)} areas drawn")
    return result


# ---------------------------------------------------------------------------------------------
# Summary

@dataclass(frozen=True)
class DemoSummary:
    """What a built demo holds, for a person: counts and the PCNs a borough boundary cuts through."""

    practices: int
    pcns: int
    boroughs: list[str]
    straddles: list[Straddle]
    areas: int
    areas_with_shape: int

    def lines(self) -> list[str]:
        """The summary as short lines of text."""
        out = [f"{self.practices} practices in {self.pcns} PCNs, over {len(self.boroughs)} boroughs "
               f"({', '.join(self.boroughs)})",
               f"{self.areas_with_shape} of {self.areas} areas have a shape to draw"]
        if not self.straddles:
            out.append("no PCN straddles two boroughs")
            return out
        n = len(self.straddles)
        out.append(f"{plural(n, 'PCN')} straddle{'s' if n == 1 else ''} boroughs:")
        for s in self.straddles:
            split = ", ".join(f"{p.name} {p.share:.0%}" for p in s.partners)
            out.append(f"  {s.name} ({s.unit}): {split}")
        return out


def summarise_demo(site: Site) -> DemoSummary:
    """Counts and the straddles of PCNs over boroughs, for the command line and the app.

    Examples
    --------
    >>> from integramap.model import Site
    >>> summarise_demo(Site(id="s", name="S")).lines()[0]
    '0 practices in 0 PCNs, over 0 boroughs ()'
    """
    from .analysis.boundaries import straddles  # scipy: loaded only when a summary is asked for

    kinds = [u.kind for u in site.units]
    boroughs = sorted(u.name for u in site.units if u.org_type is OrgType.LOCAL_AUTHORITY)
    return DemoSummary(
        practices=kinds.count(UnitKind.PRACTICE), pcns=kinds.count(UnitKind.PCN), boroughs=boroughs,
        straddles=straddles(site, "pcn", "local_authority"), areas=len(site.areas),
        areas_with_shape=sum(1 for a in site.areas if a.geometry))


def demo_choices() -> Mapping[str, str]:
    """Demo names and titles, for a menu."""
    return {name: demo.title for name, demo in sorted(DEMOS.items())}
