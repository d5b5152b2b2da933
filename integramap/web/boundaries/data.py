"""Loading and analysing a site for the Boundaries page: the result, cached, and the site's overlays.

A stored revision never changes, so neither does its analysis for two layers:
results are kept by (database, site, revision, layers) for the page's
callbacks (highlights, downloads) to reuse without analysing again.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from integramap.analysis.boundaries import analyse
from integramap.demo import REFERENCE_DATA_ENV
from integramap.analysis.boundary_results import BoundaryReport
from integramap.io.geometry import AreaShapes, GeometryError, area_shapes, inside, outline, read_features, rings
from integramap.model import Site
from integramap.web.boundaries.findings import Finding, LayerOption, default_layers, findings, site_layers
from integramap.figures.boundaries import Overlay
from integramap.web.common.jobs import Progress, background_job, default_runner
from integramap.web.common.services import Services

__all__ = [
    "RESULTS", "Result", "ResultCache", "collect", "compute", "compute_in_background", "geometry_dirs",
    "site_overlays", "site_units",
]

CACHED_RESULTS = 16


def geometry_dirs() -> list[Path]:
    """The only folders shapes are read from, for areas and overlays alike: the reference data
    folders the demo reads (``$INTEGRAMAP_REFERENCE_DATA`` if set, ``./data``, ``../shared/data``).

    A site's document names its files, and anyone who may edit a site can write any path
    there, so nothing outside these folders is ever opened.
    """
    folder = os.environ.get(REFERENCE_DATA_ENV, "").strip()
    return ([Path(folder)] if folder else []) + [Path("data"), Path("..") / "shared" / "data"]


@dataclass(frozen=True)
class Result:
    """One site revision analysed for two layers, with everything the page draws."""

    site: Site
    revision: int
    options: list[LayerOption]
    a: str | None
    b: str | None
    report: BoundaryReport | None
    rows: list[Finding]
    shapes: AreaShapes
    overlays: list[Overlay] = field(default_factory=list)


class ResultCache:
    """Results by (database, site, revision, layers): a stored revision never changes."""

    def __init__(self, capacity: int = CACHED_RESULTS) -> None:
        self._lock = threading.Lock()
        self._data: OrderedDict[tuple[str, str, int, str | None, str | None], Result] = OrderedDict()
        self._capacity = capacity

    def get(self, services: Services, site: str, revision: int, a: str | None, b: str | None) -> Result | None:
        key = (services.store.url, site, revision, a, b)
        with self._lock:
            found = self._data.get(key)
            if found is not None:
                self._data.move_to_end(key)
            return found

    def put(self, services: Services, result: Result, a: str | None, b: str | None) -> None:
        with self._lock:
            for key in {(result.a, result.b), (a, b)}:
                self._data[(services.store.url, result.site.id, result.revision, *key)] = result
            while len(self._data) > self._capacity:
                self._data.popitem(last=False)


RESULTS = ResultCache()


def _middle(lines: list[list[tuple[float, float]]]) -> tuple[float, float]:
    xs = [x for line in lines for x, _ in line]
    ys = [y for line in lines for _, y in line]
    return (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2


def site_overlays(site: Site, roots: list[Path] | None = None) -> list[Overlay]:
    """The extra boundaries a site records in ``metadata["overlays"]`` (the demo's boroughs and wards).

    Each entry is ``{"name", "draw", "files", "labels"}`` (see :mod:`integramap.demo`): ``"features"``
    draws every feature's edge, thin; ``"outline"`` each file's outer boundary, labelled. Files that
    cannot be read, or lie outside ``roots`` (default :func:`geometry_dirs`), are left out: the map is
    still worth showing without them.
    """
    roots = geometry_dirs() if roots is None else roots
    found: list[Overlay] = []
    for entry in site.metadata.get("overlays") or []:
        if not isinstance(entry, dict) or not isinstance(entry.get("files"), list):
            continue
        bold = entry.get("draw") == "outline"
        given = entry.get("labels")
        names: list[Any] = given if isinstance(given, list) else []
        lines: list[list[tuple[float, float]]] = []
        labels: list[tuple[float, float, str]] = []
        parts: dict[str, list[list[tuple[float, float]]]] = {}
        for k, path in enumerate(entry["files"]):
            if not inside(str(path), roots):
                continue
            try:
                index = read_features(Path(str(path)))
            except GeometryError:
                continue
            geometries = list(index.geometries.values())
            drawn = outline(geometries) if bold else rings(geometries)
            lines += drawn
            if bold and drawn and k < len(names):
                labels.append((*_middle(drawn), str(names[k])))
                parts[str(names[k])] = drawn
        if lines:
            found.append(Overlay(name=str(entry.get("name") or "Overlay"), lines=lines, labels=labels,
                                 bold=bold, parts=parts))
    return found


def compute(services: Services, site_id: str, a: str | None, b: str | None,
            progress: Progress | None = None) -> Result:
    """Load the site's latest revision and analyse two of its layers (defaults where not given)."""
    report_progress = progress or (lambda _f, _m="": None)
    report_progress(0.05, "Loading the site")
    rev = services.store.get(site_id)
    cached = RESULTS.get(services, site_id, rev.number, a, b)
    if cached is not None:
        return cached
    site = rev.site
    report_progress(0.4, "Listing its layers")
    options = site_layers(site)
    specs = {o.spec for o in options}
    da, db = default_layers(options)
    asked = (a, b)
    a = a if a in specs else da
    b = b if b in specs else db
    report = None
    rows: list[Finding] = []
    if a is not None and b is not None:
        report_progress(0.5, f"Comparing {a} with {b}")
        report = analyse(site, a, b)
        rows = findings(report)
    report_progress(0.8, "Reading the areas' shapes")
    dirs = geometry_dirs()
    shapes = area_shapes(site, roots=dirs)
    overlays = site_overlays(site, dirs) if shapes.geometries else []
    result = Result(site=site, revision=rev.number, options=options, a=a, b=b, report=report, rows=rows,
                    shapes=shapes, overlays=overlays)
    RESULTS.put(services, result, *asked)
    report_progress(1.0, "Done")
    return result


@background_job
def compute_in_background(services: Services, progress: Progress, site_id: str, a: str | None,
                          b: str | None) -> Result:
    """:func:`compute` as a background job (in this process, or any worker's)."""
    return compute(services, site_id, a, b, progress)


def collect(services: Services, job: str, site_id: str, a: str | None, b: str | None) -> Result | None:
    """The result of a finished :func:`compute_in_background` for ``site_id``, kept for this process's
    callbacks (the job may have run in another process, whose cache this one cannot see).

    ``None`` when the job analysed another site: the page names the job, so it is checked against
    the site the page shows (which the caller has already checked this person may see).
    """
    result = default_runner().result(job)
    if not isinstance(result, Result) or result.site.id != site_id:
        return None
    RESULTS.put(services, result, a, b)
    return result


def site_units(services: Services, site_id: str) -> int:
    """How many units the site's latest revision holds, from the store's listing (no site loaded)."""
    return next((s.units for s in services.store.list_sites() if s.id == site_id), 0)
