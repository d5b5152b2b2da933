"""Area shapes from GeoJSON files, light enough to draw in a browser.

An area's ``geometry`` is a reference ``"<path>#<feature id>"``: a GeoJSON
FeatureCollection (longitude/latitude, as ONS and most open-data portals
publish) and the id of one feature in it. The id is read from a property: the
ONS codes ``LSOA21CD``, ``WD24CD``… are found by themselves; any other
property can be named.

Files are read once and kept (keyed by path, size and modification time), with
coordinates rounded (and polygons simplified on request) so that a figure of a
thousand areas stays under a megabyte. Faults are collected and reported together,
each naming the file, the feature and what was expected.
"""

from __future__ import annotations

import json
import math
import threading
from collections import Counter, OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..model import Site
from ..wording import plural
from .limits import LimitError, read_limited

__all__ = [
    "DEFAULT_PRECISION", "DEFAULT_TOLERANCE", "FeatureIndex", "GeometryError", "GeometryRef",
    "ID_PROPERTIES", "MAX_GEOJSON_BYTES", "AreaShapes", "area_shapes", "bounds",
    "feature_collection", "outline", "parse_ref", "read_features", "rings", "simplify_line",
]

MAX_GEOJSON_BYTES = 64 * 1024 * 1024
"""Larger files are refused: the whole file is parsed in memory."""

DEFAULT_PRECISION = 5
"""Decimal places kept: 1e-5 degrees is about a metre, finer than any boundary file."""

DEFAULT_TOLERANCE = 0.0
"""Simplification tolerance in degrees; off by default.

The ONS generalised boundary files are light already: rounding alone takes the
six south-east London boroughs' 1,040 LSOAs from 1.8 MB to 0.73 MB, while a
4 m tolerance saves only 0.08 MB more and, simplifying each shape on its own,
would break the shared edges that :func:`outline` joins shapes along.
"""

ID_PROPERTIES = (
    "LSOA21CD", "LSOA11CD", "MSOA21CD", "MSOA11CD", "OA21CD",
    "WD25CD", "WD24CD", "WD23CD", "WD22CD", "WD21CD",
    "LAD25CD", "LAD24CD", "LAD23CD", "LAD22CD", "LAD21CD",
    "ICB23CD", "SICBL23CD", "code", "id",
)
"""Properties tried, in order, when the caller names none."""

SUFFIXES = (".geojson", ".json")
MAX_PROBLEMS = 20
_CACHE_FILES = 64

Position = tuple[float, float]
Geometry = dict[str, Any]


class GeometryError(ValueError):
    """A GeoJSON file or a geometry reference that cannot be used; lists every fault found."""

    def __init__(self, source: str, problems: Sequence[str]) -> None:
        self.source = source
        self.problems = list(problems)
        super().__init__(self.render())

    def render(self) -> str:
        """The message for a person: the file, then each fault on its own line."""
        if len(self.problems) == 1:
            return f"{self.source}: {self.problems[0]}"
        lines = [f"{self.source}: {len(self.problems)} problems"]
        lines += [f"  - {p}" for p in self.problems]
        return "\n".join(lines)


@dataclass(frozen=True)
class GeometryRef:
    """Where an area's shape is: a file and the id of a feature in it.

    Examples
    --------
    >>> parse_ref("geo/E09000022.geojson#E01003013")
    GeometryRef(path='geo/E09000022.geojson', feature='E01003013')
    """

    path: str
    feature: str


def parse_ref(ref: str) -> GeometryRef:
    """Read ``"<path>#<feature id>"``; a :class:`GeometryError` says what was expected.

    Examples
    --------
    >>> parse_ref("wards.geojson#E05014095").feature
    'E05014095'
    >>> parse_ref("wards.geojson")
    Traceback (most recent call last):
    ...
    integramap.io.geometry.GeometryError: wards.geojson: expected '<file>.geojson#<feature id>', e.g. 'E09000022.geojson#E01003013'
    """
    path, sep, feature = ref.rpartition("#")
    if not sep or not path.strip() or not feature.strip():
        raise GeometryError(ref, ["expected '<file>.geojson#<feature id>', "
                                  "e.g. 'E09000022.geojson#E01003013'"])
    return GeometryRef(path.strip(), feature.strip())


@dataclass(frozen=True)
class FeatureIndex:
    """The features of one GeoJSON file by id, with their names where the file gives them."""

    path: str
    id_property: str
    geometries: dict[str, Geometry]
    names: dict[str, str] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.geometries)


# ---------------------------------------------------------------------------------------------
# Simplification

def simplify_line(points: Sequence[Position], tolerance: float) -> list[Position]:
    """Douglas–Peucker: the fewest points within ``tolerance`` of the line (ends kept).

    Examples
    --------
    >>> simplify_line([(0, 0), (1, 0.00001), (2, 0), (3, 5)], 0.001)
    [(0, 0), (2, 0), (3, 5)]
    """
    n = len(points)
    if n <= 2 or tolerance <= 0:
        return list(points)
    xy = np.asarray(points, dtype=np.float64)
    keep = np.zeros(n, dtype=bool)
    keep[0] = keep[-1] = True
    stack = [(0, n - 1)]
    while stack:
        first, last = stack.pop()
        if last - first < 2:
            continue
        seg = xy[last] - xy[first]
        rel = xy[first + 1:last] - xy[first]
        length = math.hypot(seg[0], seg[1])
        if length == 0.0:
            dist = np.hypot(rel[:, 0], rel[:, 1])
        else:
            dist = np.abs(seg[0] * rel[:, 1] - seg[1] * rel[:, 0]) / length
        k = int(np.argmax(dist))
        if dist[k] > tolerance:
            mid = first + 1 + k
            keep[mid] = True
            stack.append((first, mid))
            stack.append((mid, last))
    return [points[i] for i in np.flatnonzero(keep).tolist()]


def _simplify_ring(ring: list[Position], tolerance: float) -> list[Position]:
    # A closed ring's two ends are one point, so Douglas-Peucker from there would keep
    # a degenerate line: split at the point farthest from the start instead.
    if len(ring) <= 4 or tolerance <= 0:
        return ring
    xy = np.asarray(ring, dtype=np.float64)
    far = int(np.argmax(np.hypot(*(xy - xy[0]).T)))
    if far in (0, len(ring) - 1):
        return ring
    out = simplify_line(ring[:far + 1], tolerance)[:-1] + simplify_line(ring[far:], tolerance)
    return out if len(out) >= 4 else ring


def _round_ring(ring: Sequence[Position], precision: int) -> list[Position]:
    out: list[Position] = []
    for x, y in ring:
        p = (round(x, precision), round(y, precision))
        if not out or out[-1] != p:
            out.append(p)
    return out


def _polygons(geometry: Geometry) -> list[list[list[Position]]]:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    return list(geometry["coordinates"])


def _lighten(geometry: Geometry, precision: int, tolerance: float) -> Geometry:
    polygons = []
    for polygon in _polygons(geometry):
        rings = []
        for ring in polygon:
            rounded = _round_ring(ring, precision)
            if len(rounded) >= 4:
                rings.append([list(p) for p in _simplify_ring(rounded, tolerance)])
        if rings:
            polygons.append(rings)
    if len(polygons) == 1:
        return {"type": "Polygon", "coordinates": polygons[0]}
    return {"type": "MultiPolygon", "coordinates": polygons}


# ---------------------------------------------------------------------------------------------
# Reading and checking

def _check_position(pos: Any) -> str | None:
    if not isinstance(pos, list | tuple) or len(pos) < 2:
        return f"expected a [longitude, latitude] pair, got {json.dumps(pos)[:40]}"
    x, y = pos[0], pos[1]
    if not all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in (x, y)):
        return f"expected [longitude, latitude] numbers, got {json.dumps(pos)[:40]}"
    if not (-180.0 <= x <= 180.0 and -90.0 <= y <= 90.0):
        return (f"coordinates {x}, {y} are not longitude/latitude; the file looks projected "
                "(e.g. British National Grid metres): expected WGS 84 longitude/latitude, as in "
                "the ONS Open Geography Portal's GeoJSON downloads")
    return None


def _check_geometry(geometry: Any) -> str | None:
    if not isinstance(geometry, dict):
        return "geometry: expected a Polygon or MultiPolygon object, got " + (
            "null" if geometry is None else type(geometry).__name__)
    kind = geometry.get("type")
    if kind not in ("Polygon", "MultiPolygon"):
        return f"geometry.type: expected Polygon or MultiPolygon (areas are shapes), got {kind!r}"
    coords = geometry.get("coordinates")
    polygons = [coords] if kind == "Polygon" else coords
    if not isinstance(polygons, list) or not polygons:
        return "geometry.coordinates: expected a non-empty list of polygons"
    for p, polygon in enumerate(polygons):
        where = "geometry.coordinates" + (f"[{p}]" if kind == "MultiPolygon" else "")
        if not isinstance(polygon, list) or not polygon:
            return f"{where}: expected a list of rings, each a list of [longitude, latitude]"
        for r, ring in enumerate(polygon):
            if not isinstance(ring, list) or len(ring) < 4:
                return f"{where}[{r}]: expected a closed ring of at least 4 positions"
            for i, pos in enumerate(ring):
                fault = _check_position(pos)
                if fault:
                    return f"{where}[{r}][{i}]: {fault}"
    return None


def _choose_id_property(features: list[Any], wanted: str | None) -> str | None:
    first = next((f for f in features if isinstance(f, dict)), None)
    props = first.get("properties") if first else None
    props = props if isinstance(props, dict) else {}
    if wanted is not None:
        return wanted
    for name in ID_PROPERTIES:
        if name in props:
            return name
    # ONS code columns end in CD (LAD24CD, CTRY24CD…); prefer one that looks like a code.
    for name, value in props.items():
        if isinstance(name, str) and name.upper().endswith("CD") and isinstance(value, str):
            return str(name)
    return None


def _name_of(props: Mapping[str, Any], id_property: str) -> str:
    if id_property.upper().endswith("CD"):
        value = props.get(id_property[:-2] + "NM")
        if isinstance(value, str):
            return value
    value = props.get("name")
    return value if isinstance(value, str) else ""


def _parse(path: Path, id_property: str | None, precision: int, tolerance: float) -> FeatureIndex:
    source = str(path)
    try:
        raw = read_limited(path, MAX_GEOJSON_BYTES, "split it into smaller files (for example one per "
                                                    "local authority)")
    except LimitError as exc:
        raise GeometryError(source, [str(exc)]) from None
    except OSError as exc:
        raise GeometryError(source, [f"cannot read the file: {exc.strerror or exc}"]) from None
    try:
        data = json.loads(raw)
    except RecursionError:
        raise GeometryError(source, ["lists nested too deeply; expected a GeoJSON FeatureCollection"]) from None
    except UnicodeDecodeError:
        raise GeometryError(source, ["not a text file: expected a GeoJSON FeatureCollection "
                                     "(UTF-8 JSON)"]) from None
    except json.JSONDecodeError as exc:
        raise GeometryError(source, [f"line {exc.lineno}, column {exc.colno}: not valid JSON "
                                     f"({exc.msg}); expected a GeoJSON FeatureCollection"]) from None
    except ValueError:  # a number over Python's own limit of 4,300 digits
        raise GeometryError(source, ["a number too long to read; expected a GeoJSON FeatureCollection"]) from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        got = data.get("type") if isinstance(data, dict) else type(data).__name__
        raise GeometryError(source, [f"expected a GeoJSON FeatureCollection, got {got!r}"])
    crs = data.get("crs")
    crs_name = crs.get("properties", {}).get("name", "") if isinstance(crs, dict) else ""
    if isinstance(crs_name, str) and crs_name and not any(
            ok in crs_name.upper() for ok in ("CRS84", "4326")):
        raise GeometryError(source, [f"crs {crs_name!r}: expected WGS 84 longitude/latitude "
                                     "(CRS84 or EPSG:4326); re-export the file in WGS 84"])
    features = data.get("features")
    if not isinstance(features, list):
        raise GeometryError(source, ["features: expected a list of Feature objects"])
    prop = _choose_id_property(features, id_property)
    if prop is None:
        raise GeometryError(source, ["no id property found: expected one of "
                                     f"{', '.join(ID_PROPERTIES[:6])}… or a property named by the "
                                     "caller, on every feature"])
    problems: list[str] = []
    geometries: dict[str, Geometry] = {}
    names: dict[str, str] = {}
    seen: set[str] = set()
    for i, feature in enumerate(features):
        if len(problems) >= MAX_PROBLEMS:
            problems.append("… further problems not listed")
            break
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            problems.append(f"features[{i}]: expected a Feature object")
            continue
        props = feature.get("properties")
        props = props if isinstance(props, dict) else {}
        fid = props.get(prop, feature.get("id") if prop == "id" else None)
        if isinstance(fid, int | float) and not isinstance(fid, bool):
            fid = str(fid)
        if not isinstance(fid, str) or not fid.strip():
            problems.append(f"features[{i}]: property {prop!r} missing or empty; expected the "
                            "feature's id")
            continue
        fid = fid.strip()
        if fid in seen:
            problems.append(f"features[{i}] ({fid}): duplicate id; each feature's {prop} must be "
                            "unique")
            continue
        seen.add(fid)
        fault = _check_geometry(feature.get("geometry"))
        if fault:
            problems.append(f"features[{i}] ({fid}): {fault}")
            continue
        geometries[fid] = _lighten(feature["geometry"], precision, tolerance)
        name = _name_of(props, prop)
        if name:
            names[fid] = name
    if problems:
        raise GeometryError(source, problems)
    return FeatureIndex(path=source, id_property=prop, geometries=geometries, names=names)


_cache: OrderedDict[tuple[Any, ...], FeatureIndex] = OrderedDict()
_cache_lock = threading.Lock()


def read_features(path: str | Path, id_property: str | None = None, *,
                  precision: int = DEFAULT_PRECISION,
                  tolerance: float = DEFAULT_TOLERANCE) -> FeatureIndex:
    """The features of a GeoJSON FeatureCollection, by id, rounded and simplified.

    Read once per file version: the result is kept, keyed by the file's path,
    size and modification time, and the arguments.

    Raises
    ------
    GeometryError
        For a missing, oversized or malformed file, listing every fault with
        the feature's index and id.

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> square = [[[0, 51], [0.01, 51], [0.01, 51.01], [0, 51.01], [0, 51]]]
    >>> doc = {"type": "FeatureCollection", "features": [{"type": "Feature",
    ...     "properties": {"WD24CD": "E05000001", "WD24NM": "Riverside"},
    ...     "geometry": {"type": "Polygon", "coordinates": square}}]}
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "wards.geojson"
    >>> _ = path.write_text(json.dumps(doc))
    >>> index = read_features(path)
    >>> index.id_property, index.names
    ('WD24CD', {'E05000001': 'Riverside'})
    """
    p = Path(path)
    source = str(p)
    if p.suffix.lower() not in SUFFIXES:
        raise GeometryError(source, [f"expected a GeoJSON file ({' or '.join(SUFFIXES)})"])
    try:
        stat = p.stat()
    except OSError:
        raise GeometryError(source, ["no such file"]) from None
    if not p.is_file():
        raise GeometryError(source, ["not a file; expected a GeoJSON FeatureCollection"])
    if stat.st_size > MAX_GEOJSON_BYTES:
        raise GeometryError(source, [f"the file is {stat.st_size // (1024 * 1024)} MB; files over "
                                     f"{MAX_GEOJSON_BYTES // (1024 * 1024)} MB are refused"])
    key = (str(p.resolve()), stat.st_size, stat.st_mtime_ns, id_property, precision, tolerance)
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
            return hit
    index = _parse(p, id_property, precision, tolerance)
    with _cache_lock:
        _cache[key] = index
        while len(_cache) > _CACHE_FILES:
            _cache.popitem(last=False)
    return index


# ---------------------------------------------------------------------------------------------
# A site's shapes

@dataclass(frozen=True)
class AreaShapes:
    """The shapes found for a site's areas, and why any referenced shape was not found."""

    geometries: dict[str, Geometry]
    problems: list[str]
    referenced: int

    @property
    def complete(self) -> bool:
        """True when every area that names a shape got one."""
        return not self.problems and len(self.geometries) == self.referenced


def _resolve(path: str, base_dirs: Sequence[Path]) -> Path:
    p = Path(path).expanduser()
    if p.is_absolute():
        return p
    for base in base_dirs:
        candidate = base / p
        if candidate.exists():
            return candidate
    return (base_dirs[0] / p) if base_dirs else p


def inside(path: str | Path, roots: Sequence[str | Path]) -> bool:
    """Whether ``path``, with links and ``..`` resolved, lies in one of the ``roots`` folders.

    Examples
    --------
    >>> inside("/srv/ref/geo/a.geojson", ["/srv/ref"]), inside("/srv/ref/../etc/x.json", ["/srv/ref"])
    (True, False)
    """
    resolved = Path(path).expanduser().resolve()
    return any(resolved.is_relative_to(Path(root).expanduser().resolve()) for root in roots)


def area_shapes(site: Site, base_dirs: Sequence[str | Path] = (), *,
                areas: Iterable[str] | None = None,
                precision: int = DEFAULT_PRECISION,
                tolerance: float = DEFAULT_TOLERANCE,
                roots: Sequence[str | Path] | None = None) -> AreaShapes:
    """The shapes of a site's areas (all, or those named), read from their referenced files.

    Relative paths are looked for in ``base_dirs`` in turn (e.g. the site file's
    folder), then the working folder. A file or feature that cannot be found is
    reported in ``problems`` (one line per file) rather than raised: a map
    with most of its shapes is still worth showing.

    ``roots``, when given, are the only folders files may be read from (a
    server reading paths that anyone's site names): relative paths are looked
    for there only, and a path outside them is refused unread, with the same
    message whether or not such a file exists.

    Examples
    --------
    >>> from integramap.model import Site, Area
    >>> shapes = area_shapes(Site(id="s", name="S", areas=[Area(id="a", geometry="missing.geojson#X")]))
    >>> shapes.geometries, shapes.problems
    ({}, ['missing.geojson: no such file (1 area)'])
    """
    wanted = set(areas) if areas is not None else None
    bases = [Path(b) for b in roots] if roots is not None else [Path(b) for b in base_dirs] + [Path.cwd()]
    by_file: dict[str, list[tuple[str, str]]] = {}
    referenced = 0
    problems: list[str] = []
    for area in site.areas:
        if area.geometry is None or (wanted is not None and area.id not in wanted):
            continue
        referenced += 1
        try:
            ref = parse_ref(area.geometry)
        except GeometryError as err:
            problems.append(f"area {area.id}: {err}")
            continue
        by_file.setdefault(ref.path, []).append((area.id, ref.feature))
    geometries: dict[str, Geometry] = {}
    for path, pairs in by_file.items():
        found = _resolve(path, bases)
        if roots is not None and not inside(found, roots):
            problems.append(f"{path}: not in the reference data folder, where shapes are read from "
                            f"({plural(len(pairs), 'area')})")
            continue
        try:
            index = read_features(found, precision=precision, tolerance=tolerance)
        except GeometryError as err:
            first = err.problems[0] if err.problems else str(err)
            more = f" and {len(err.problems) - 1} more problems" if len(err.problems) > 1 else ""
            problems.append(f"{path}: {first}{more} ({plural(len(pairs), 'area')})")
            continue
        missing = [feature for _, feature in pairs if feature not in index.geometries]
        for area_id, feature in pairs:
            if feature in index.geometries:
                geometries[area_id] = index.geometries[feature]
        if missing:
            shown = ", ".join(missing[:5]) + ("…" if len(missing) > 5 else "")
            problems.append(f"{path}: no feature with {index.id_property} {shown} "
                            f"({plural(len(missing), 'area')})")
    return AreaShapes(geometries=geometries, problems=problems, referenced=referenced)


def feature_collection(geometries: Mapping[str, Geometry]) -> dict[str, Any]:
    """A GeoJSON FeatureCollection whose features carry the area ids as ``id``.

    Examples
    --------
    >>> fc = feature_collection({"a": {"type": "Polygon", "coordinates": []}})
    >>> fc["features"][0]["id"]
    'a'
    """
    return {"type": "FeatureCollection",
            "features": [{"type": "Feature", "id": key, "properties": {}, "geometry": geom}
                         for key, geom in geometries.items()]}


def bounds(geometries: Iterable[Geometry]) -> tuple[float, float, float, float] | None:
    """``(min longitude, min latitude, max longitude, max latitude)``, or ``None`` for no shapes.

    Examples
    --------
    >>> bounds([{"type": "Polygon", "coordinates": [[[0, 1], [2, 1], [2, 3], [0, 1]]]}])
    (0.0, 1.0, 2.0, 3.0)
    """
    lines = rings(geometries)
    xs = [x for line in lines for x, _ in line]
    ys = [y for line in lines for _, y in line]
    if not xs:
        return None
    return min(xs), min(ys), max(xs), max(ys)


def rings(geometries: Iterable[Geometry]) -> list[list[Position]]:
    """Every ring of every polygon, as lines of float positions: each shape's own edges.

    Examples
    --------
    >>> rings([{"type": "MultiPolygon", "coordinates": [[[[0, 1], [2, 1], [2, 3], [0, 1]]]]}])
    [[(0.0, 1.0), (2.0, 1.0), (2.0, 3.0), (0.0, 1.0)]]
    """
    return [[(float(p[0]), float(p[1])) for p in ring]
            for geom in geometries for polygon in _polygons(geom) for ring in polygon]


def outline(geometries: Iterable[Geometry], tolerance: float = 0.0) -> list[list[Position]]:
    """The outer boundary of a group of touching shapes, as polylines.

    An edge shared by two shapes of the group is inside it; the edges used
    once are its boundary, chained into lines (then simplified by
    ``tolerance``). Shapes must share their vertices where they touch, as
    boundary files cut from one topology do.

    Examples
    --------
    >>> left = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}
    >>> right = {"type": "Polygon", "coordinates": [[[1, 0], [2, 0], [2, 1], [1, 1], [1, 0]]]}
    >>> lines = outline([left, right])
    >>> len(lines), sorted(set(lines[0]))
    (1, [(0, 0), (0, 1), (1, 0), (1, 1), (2, 0), (2, 1)])
    """
    edges: Counter[tuple[Position, Position]] = Counter()
    for geom in geometries:
        for polygon in _polygons(geom):
            for ring in polygon:
                pts = [(p[0], p[1]) for p in ring]
                for u, v in zip(pts, pts[1:]):
                    if u != v:
                        edges[(u, v) if u <= v else (v, u)] += 1
    boundary = [e for e, n in edges.items() if n == 1]
    neighbours: dict[Position, list[Position]] = {}
    for u, v in boundary:
        neighbours.setdefault(u, []).append(v)
        neighbours.setdefault(v, []).append(u)
    used: set[tuple[Position, Position]] = set()
    lines: list[list[Position]] = []
    for u, v in boundary:
        if (u, v) in used:
            continue
        used.add((u, v))
        line = [u, v]
        current, previous = v, u
        while True:
            nxt = next((w for w in neighbours[current]
                        if w != previous and ((current, w) if current <= w else (w, current)) not in used),
                       None)
            if nxt is None:
                break
            used.add((current, nxt) if current <= nxt else (nxt, current))
            line.append(nxt)
            previous, current = current, nxt
            if nxt == line[0]:
                break
        lines.append(simplify_line(line, tolerance) if tolerance > 0 else line)
    return lines
