"""GeoJSON area shapes: reading, ids, errors, caching, simplification and outlines."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from integramap.io.geometry import (
    GeometryError,
    area_shapes,
    bounds,
    feature_collection,
    outline,
    parse_ref,
    read_features,
    simplify_line,
)
from integramap.model import Area, Site

from conftest import FIXTURES, shared_file

GEO = FIXTURES / "geo"


def _square(x: float, y: float, size: float = 0.01) -> list[list[list[float]]]:
    return [[[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]]


def _write(tmp_path: Path, doc: object, name: str = "f.geojson") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc) if not isinstance(doc, str) else doc)
    return path


# --- good files ------------------------------------------------------------------------------

def test_reads_ons_lsoa_codes_and_names() -> None:
    index = read_features(GEO / "lsoa_grid.geojson")
    assert index.id_property == "LSOA21CD"
    assert sorted(index.geometries) == ["E01900001", "E01900002", "E01900003", "E01900004"]
    assert index.names["E01900003"] == "Hillside 001A"
    assert index.geometries["E01900001"]["type"] == "Polygon"
    assert index.geometries["E01900004"]["type"] == "Polygon"  # a one-part MultiPolygon
    assert index.geometries["E01900001"]["coordinates"][0][1] == [0.01, 51.4]


def test_any_id_property_can_be_named() -> None:
    index = read_features(GEO / "zones.geojson", "ZONE")
    assert sorted(index.geometries) == ["north", "south"]
    assert index.names == {"north": "North zone", "south": "South zone"}


def test_coordinates_are_rounded_and_repeats_dropped(tmp_path: Path) -> None:
    ring = [[0.123456789, 51.987654321], [0.123456781, 51.987654322], [0.2, 51.9],
            [0.3, 52.0], [0.123456789, 51.987654321]]
    path = _write(tmp_path, {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "a"},
         "geometry": {"type": "Polygon", "coordinates": [ring]}}]})
    coords = read_features(path, precision=4).geometries["a"]["coordinates"][0]
    assert coords == [[0.1235, 51.9877], [0.2, 51.9], [0.3, 52.0], [0.1235, 51.9877]]


def test_numeric_ids_become_text(tmp_path: Path) -> None:
    path = _write(tmp_path, {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": 17}, "geometry": {"type": "Polygon",
                                                                   "coordinates": _square(0, 51)}}]})
    assert list(read_features(path).geometries) == ["17"]


def test_files_are_read_once_until_they_change(tmp_path: Path) -> None:
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "a"},
         "geometry": {"type": "Polygon", "coordinates": _square(0, 51)}}]}
    path = _write(tmp_path, doc)
    first = read_features(path)
    assert read_features(path) is first
    doc["features"][0]["properties"]["code"] = "b"  # type: ignore[index]
    path.write_text(json.dumps(doc) + "\n")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert list(read_features(path).geometries) == ["b"]


# --- malformed files -------------------------------------------------------------------------

def test_broken_features_are_all_reported_together() -> None:
    with pytest.raises(GeometryError) as info:
        read_features(GEO / "broken_features.geojson")
    err = info.value
    text = str(err)
    assert "broken_features.geojson" in text
    assert len(err.problems) == 4
    assert "features[0] (E01900001): geometry.type: expected Polygon or MultiPolygon" in err.problems[0]
    assert "features[1]: property 'LSOA21CD' missing or empty" in err.problems[1]
    assert "features[2] (E01900003): geometry.coordinates[0][1]: expected [longitude, latitude] numbers" \
        in err.problems[2]
    assert "features[3] (E01900003): duplicate id" in err.problems[3]


def test_projected_coordinates_are_explained() -> None:
    with pytest.raises(GeometryError, match="not longitude/latitude.*British National Grid"):
        read_features(GEO / "projected.geojson")


@pytest.mark.parametrize(("content", "expected"), [
    ('{"type": "FeatureCollection", "features": [', r"line 1, column \d+: not valid JSON"),
    ("[1, 2, 3]", "expected a GeoJSON FeatureCollection, got 'list'"),
    ('{"type": "Feature"}', "expected a GeoJSON FeatureCollection, got 'Feature'"),
    ('{"type": "FeatureCollection", "features": {}}', "features: expected a list"),
    ('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"x": 1}, '
     '"geometry": null}]}', "no id property found"),
    ('{"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": '
     '"urn:ogc:def:crs:EPSG::27700"}}, "features": []}', "expected WGS 84"),
    ('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"code": "a"}, '
     '"geometry": {"type": "Polygon", "coordinates": [[[0, 51], [1, 51], [0, 51]]]}}]}',
     r"coordinates\[0\]: expected a closed ring of at least 4 positions"),
    ('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"code": "a"}, '
     '"geometry": null}]}', "geometry: expected a Polygon or MultiPolygon object, got null"),
])
def test_malformed_files_say_what_was_expected(tmp_path: Path, content: str, expected: str) -> None:
    path = _write(tmp_path, content)
    with pytest.raises(GeometryError, match=expected) as info:
        read_features(path)
    assert str(path) in str(info.value)


def test_binary_junk_missing_files_and_wrong_suffixes(tmp_path: Path) -> None:
    junk = tmp_path / "junk.geojson"
    junk.write_bytes(b"\xff\xfe\x00\x81" * 50)
    with pytest.raises(GeometryError, match="not a text file|not valid JSON"):
        read_features(junk)
    with pytest.raises(GeometryError, match="no such file"):
        read_features(tmp_path / "absent.geojson")
    with pytest.raises(GeometryError, match="expected a GeoJSON file"):
        read_features(tmp_path / "site.yaml")


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=200))
def test_arbitrary_bytes_give_a_geometry_error_or_shapes(data: bytes) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "any.geojson"
        path.write_bytes(data)
        try:
            read_features(path)
        except GeometryError as err:
            assert str(path) in str(err)


def test_parse_ref_needs_a_file_and_a_feature() -> None:
    assert parse_ref("a/b.geojson#X1") == parse_ref(" a/b.geojson # X1 ")
    for bad in ("b.geojson", "#X1", "b.geojson#", ""):
        with pytest.raises(GeometryError, match="expected '<file>.geojson#<feature id>'"):
            parse_ref(bad)


# --- a site's shapes -------------------------------------------------------------------------

def _site(*refs: str | None) -> Site:
    return Site(id="s", name="S", areas=[Area(id=f"a{i}", geometry=r) for i, r in enumerate(refs)])


def test_area_shapes_resolves_relative_paths_against_base_dirs() -> None:
    site = _site("geo/lsoa_grid.geojson#E01900001", "geo/lsoa_grid.geojson#E01900004", None)
    shapes = area_shapes(site, [FIXTURES])
    assert sorted(shapes.geometries) == ["a0", "a1"]
    assert shapes.problems == [] and shapes.referenced == 2 and shapes.complete


def test_area_shapes_reports_missing_features_and_files_without_raising() -> None:
    site = _site(f"{GEO / 'lsoa_grid.geojson'}#E01900001", f"{GEO / 'lsoa_grid.geojson'}#NOPE",
                 "elsewhere/none.geojson#X", f"{GEO / 'projected.geojson'}#E01900001")
    shapes = area_shapes(site)
    assert list(shapes.geometries) == ["a0"]
    assert not shapes.complete
    text = "\n".join(shapes.problems)
    assert "no feature with LSOA21CD NOPE (1 area)" in text
    assert "elsewhere/none.geojson: no such file (1 area)" in text
    assert "projected.geojson" in text and "not longitude/latitude" in text


def test_area_shapes_can_be_limited_to_some_areas() -> None:
    site = _site("geo/lsoa_grid.geojson#E01900001", "geo/lsoa_grid.geojson#E01900002")
    assert list(area_shapes(site, [FIXTURES], areas=["a1"]).geometries) == ["a1"]


def test_feature_collection_and_bounds() -> None:
    index = read_features(GEO / "lsoa_grid.geojson")
    fc = feature_collection(index.geometries)
    assert [f["id"] for f in fc["features"]] == list(index.geometries)
    assert bounds(index.geometries.values()) == (0.0, 51.4, 0.02, 51.42)
    assert bounds([]) is None


# --- simplification and outlines -------------------------------------------------------------

def test_outline_of_a_two_by_two_grid_is_its_border() -> None:
    index = read_features(GEO / "lsoa_grid.geojson")
    lines = outline(index.geometries.values())
    assert len(lines) == 1
    ring = lines[0]
    assert ring[0] == ring[-1]
    # 8 boundary edges of the unit squares; the centre point (0.01, 51.41) is inside.
    assert len(ring) == 9
    assert (0.01, 51.41) not in ring
    # Simplified, the square keeps only its corners.
    corners = outline(index.geometries.values(), tolerance=1e-6)[0]
    assert sorted(set(corners)) == [(0.0, 51.4), (0.0, 51.42), (0.02, 51.4), (0.02, 51.42)]


def test_outline_of_separate_shapes_is_one_line_each() -> None:
    index = read_features(GEO / "lsoa_grid.geojson")
    apart = [index.geometries["E01900001"], index.geometries["E01900004"]]  # touch at a corner only
    assert len(outline(apart)) == 2


def test_real_borough_lsoas_outline_as_one_line() -> None:
    path = shared_file("geo", "sel-lsoa21", "E09000022.geojson")
    index = read_features(path)
    assert len(index) > 150
    assert index.names["E01003013"].startswith("Lambeth")
    assert len(outline(index.geometries.values())) <= 3


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.floats(-1, 1), st.floats(-1, 1)), min_size=2, max_size=40),
       st.floats(0.0, 0.5))
def test_simplified_line_keeps_its_ends_and_a_subset_of_points(
        points: list[tuple[float, float]], tolerance: float) -> None:
    out = simplify_line(points, tolerance)
    assert out[0] == points[0] and out[-1] == points[-1]
    positions = iter(points)
    assert all(any(p == q for q in positions) for p in out)  # an ordered subsequence


def test_with_roots_only_files_inside_them_are_read_and_the_refusal_reveals_nothing(tmp_path: Path) -> None:
    from integramap.io.geometry import area_shapes
    from integramap.model import Area, Site

    ref = tmp_path / "reference"
    ref.mkdir()
    (ref / "zones.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"LSOA21CD": "Z1"},
         "geometry": {"type": "Polygon", "coordinates": [[[0, 51], [0.1, 51], [0.1, 51.1], [0, 51]]]}}]}))
    secret = tmp_path / "secret.geojson"
    secret.write_text((ref / "zones.geojson").read_text())
    site = Site(id="s", name="S", areas=[
        Area(id="ok", geometry="zones.geojson#Z1"),
        Area(id="abs", geometry=f"{secret}#Z1"),
        Area(id="up", geometry="../secret.geojson#Z1"),
        Area(id="absent", geometry=f"{tmp_path / 'absent.geojson'}#Z1")])
    shapes = area_shapes(site, roots=[ref])
    assert set(shapes.geometries) == {"ok"}, shapes.problems
    refusals = [p.split(": ", 1)[1] for p in shapes.problems]
    assert len(refusals) == 3 and len(set(refusals)) == 1  # an existing and a missing file read the same
    assert refusals[0].startswith("not in the reference data folder")
