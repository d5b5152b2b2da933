"""Demo sites: finding the public files, building the site with shapes, and ``integramap demo``.

The fixture under tests/fixtures/demo/ is a made-up ICB (QZZ, "Vale") in the
layout and column sets of the real files: Riverside PCN has two practices in
the Riverside district and one in Hillside; Hillside PCN has two practices in
one Hillside LSOA; one practice is in no PCN, and one belongs to another ICB.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from conftest import FIXTURES, SHARED_DATA, shared_file
from integramap.cli import main
from integramap.demo import (
    DEMOS,
    REFERENCE_DATA_ENV,
    Demo,
    DemoDataError,
    DemoFiles,
    UnknownDemoError,
    build_demo,
    find_demo_files,
    summarise_demo,
)
from integramap.io import read_site, site_to_data, write_site
from integramap.io.geometry import GeometryError, area_shapes, outline, read_features
from integramap.model import Site, validate_site
from integramap.store import Store

DATA = FIXTURES / "demo"
TODAY = date(2026, 1, 31)
RIVERSIDE, HILLSIDE = "E09000901", "E09000902"


@pytest.fixture(autouse=True)
def vale(monkeypatch: pytest.MonkeyPatch) -> Demo:
    """The fixture's demo, registered for the test only; no stray reference-data folder from outside."""
    demo = Demo(name="vale", title="Vale: practices, PCNs and districts", icb="QZZ",
                lad_codes=(RIVERSIDE, HILLSIDE), description="A made-up ICB for tests.")
    monkeypatch.setitem(DEMOS, "vale", demo)
    monkeypatch.delenv(REFERENCE_DATA_ENV, raising=False)
    return demo


@pytest.fixture
def files() -> DemoFiles:
    return find_demo_files(DATA, demo="vale")


@pytest.fixture
def site(files: DemoFiles) -> Site:
    return build_demo("vale", files, today=TODAY)


# --------------------------------------------------------------------------------------- finding

def test_finds_every_file_in_the_data_folder_layout(files: DemoFiles) -> None:
    assert files.practices == DATA / "nhs-reference" / "practice_pcn_lookup_2099.csv"
    assert files.lsoa_lad == DATA / "nhs-reference" / "lsoa21_to_lad.csv"
    assert files.lsoa_geo == DATA / "geo" / "sel-lsoa21"
    assert files.ward_geo == DATA / "geo" / "sel-ward"


def test_every_missing_file_is_named_with_where_it_was_looked_for_and_its_publisher(tmp_path: Path) -> None:
    with pytest.raises(DemoDataError) as caught:
        find_demo_files(tmp_path, demo="vale")
    err = caught.value
    assert [m.key for m in err.missing] == ["practices", "lsoa_lad", "lsoa_geo", "ward_geo"]
    text = str(err)
    for part in ("nhs-reference/practice_pcn_lookup*.csv", "nhs-reference/lsoa21_to_lad.csv",
                 "geo/sel-lsoa21", "geo/sel-ward"):
        assert str(tmp_path / part) in text
    assert "digital.nhs.uk" in text and "geoportal.statistics.gov.uk" in text
    assert "not part of IntegraMap" in text


def test_only_the_files_absent_are_named(tmp_path: Path) -> None:
    shutil.copytree(DATA / "nhs-reference", tmp_path / "nhs-reference")
    (tmp_path / "geo" / "sel-ward").mkdir(parents=True)  # a folder with no GeoJSON is not the ward files
    with pytest.raises(DemoDataError) as caught:
        find_demo_files(tmp_path, demo="vale")
    assert [m.key for m in caught.value.missing] == ["lsoa_geo", "ward_geo"]
    assert "a folder of GeoJSON files" in str(caught.value)


def test_search_order_env_then_working_folder_data_then_shared(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    work = tmp_path / "project"
    work.mkdir()
    monkeypatch.chdir(work)
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "data").symlink_to(DATA, target_is_directory=True)
    assert find_demo_files(demo="vale").practices == Path("..", "shared", "data", "nhs-reference",
                                                          "practice_pcn_lookup_2099.csv")
    (work / "data").symlink_to(DATA, target_is_directory=True)
    assert find_demo_files(demo="vale").lsoa_lad == Path("data", "nhs-reference", "lsoa21_to_lad.csv")
    elsewhere = tmp_path / "reference"
    shutil.copytree(DATA, elsewhere)
    monkeypatch.setenv(REFERENCE_DATA_ENV, str(elsewhere))
    assert find_demo_files(demo="vale").ward_geo == elsewhere / "geo" / "sel-ward"


def test_data_dir_given_is_the_only_folder_searched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(REFERENCE_DATA_ENV, str(DATA))
    with pytest.raises(DemoDataError) as caught:
        find_demo_files(tmp_path, demo="vale")
    assert len(caught.value.missing) == 4
    assert str(DATA) not in str(caught.value)


def test_paths_given_win_and_a_wrong_one_is_named_as_given(tmp_path: Path) -> None:
    practices = tmp_path / "my practices.csv"
    shutil.copy(DATA / "nhs-reference" / "practice_pcn_lookup_2099.csv", practices)
    found = find_demo_files(DATA, demo="vale", practices=practices, lsoa_geo=None)
    assert found.practices == practices and found.lsoa_geo == DATA / "geo" / "sel-lsoa21"
    with pytest.raises(DemoDataError) as caught:
        find_demo_files(DATA, demo="vale", lsoa_lad=tmp_path / "nope.csv", ward_geo=practices)
    assert [m.key for m in caught.value.missing] == ["lsoa_lad", "ward_geo"]
    text = str(caught.value)
    assert f"{tmp_path / 'nope.csv'} (given; expected a file)" in text
    assert f"{practices} (given; expected a folder of GeoJSON files)" in text
    with pytest.raises(TypeError, match="unknown file wards"):
        find_demo_files(DATA, demo="vale", wards=DATA)


def test_an_unknown_demo_names_the_demos_there_are() -> None:
    with pytest.raises(UnknownDemoError, match="no demo 'vael'; did you mean vale"):
        find_demo_files(DATA, demo="vael")


# --------------------------------------------------------------------------------------- building

def test_imports_the_icb_practices_and_their_districts_only(site: Site) -> None:
    practices = sorted(u.id for u in site.units if u.kind.value == "practice")
    assert practices == ["Z00001", "Z00002", "Z00003", "Z00004", "Z00005", "Z00007"]
    assert sorted(u.name for u in site.units if u.kind.value == "pcn") == ["HILLSIDE PCN", "RIVERSIDE PCN"]
    assert sorted(u.id for u in site.units if u.org_type is not None) == [f"LAD:{RIVERSIDE}", f"LAD:{HILLSIDE}"]
    assert site.id == "vale" and site.name == "Vale: practices, PCNs and districts"


def test_every_area_gets_a_shape_that_area_shapes_resolves(site: Site, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # absolute paths: no base folder needed, whatever the working folder
    shapes = area_shapes(site)
    assert shapes.complete and shapes.problems == []
    assert set(shapes.geometries) == {a.id for a in site.areas} and len(site.areas) == 6
    assert site.metadata["demo"]["areas_without_shape"] == {}
    by_practice = {u.id: next(iter(u.footprint)) for u in site.units if u.kind.value == "practice"}
    # Two practices in one LSOA are two areas drawn in the same polygon.
    assert shapes.geometries[by_practice["Z00004"]] == shapes.geometries[by_practice["Z00005"]]
    square = shapes.geometries[by_practice["Z00001"]]["coordinates"][0]
    assert min(x for x, _ in square) == 0.0 and max(x for x, _ in square) == 0.01
    for area in site.areas:
        assert area.geometry is not None and Path(area.geometry.partition("#")[0]).is_absolute()


def test_a_straddling_pcn_is_found_with_its_split(site: Site) -> None:
    summary = summarise_demo(site)
    assert (summary.practices, summary.pcns, summary.boroughs) == (6, 2, ["Hillside", "Riverside"])
    assert [s.name for s in summary.straddles] == ["RIVERSIDE PCN"]
    riverside = summary.straddles[0]
    assert riverside.split == pytest.approx({f"LAD:{RIVERSIDE}": 2 / 3, f"LAD:{HILLSIDE}": 1 / 3})
    assert riverside.partner_names == ["Riverside", "Hillside"]
    assert "  RIVERSIDE PCN (U99001): Riverside 67%, Hillside 33%" in summary.lines()


def test_progress_rises_to_one_with_plain_messages(files: DemoFiles) -> None:
    seen: list[tuple[float, str]] = []
    build_demo("vale", files, lambda fraction, message: seen.append((fraction, message)), today=TODAY)
    fractions = [f for f, _ in seen]
    assert len(seen) >= 4
    assert fractions == sorted(fractions) and len(set(fractions)) == len(fractions)
    assert fractions[0] >= 0.0 and fractions[-1] == 1.0
    assert all(message and "Traceback" not in message for _, message in seen)
    assert "QZZ" in seen[0][1] and "6 of 6 areas drawn" in seen[-1][1]


def test_overlays_name_readable_borough_and_ward_files(site: Site) -> None:
    boroughs, wards = site.metadata["overlays"]
    assert boroughs["name"] == "Boroughs" and boroughs["draw"] == "outline"
    assert boroughs["labels"] == ["Riverside", "Hillside"]
    assert [Path(p).name for p in boroughs["files"]] == [f"{RIVERSIDE}.geojson", f"{HILLSIDE}.geojson"]
    riverside = list(read_features(boroughs["files"][0]).geometries.values())
    assert len(outline(riverside)) == 1  # three touching squares make one borough outline
    assert wards["name"] == "Wards" and wards["draw"] == "features"
    names = [n for path in wards["files"] for n in read_features(path).names.values()]
    assert names == ["Riverside North", "Riverside South", "Hillside North", "Hillside South"]
    assert all(Path(p).is_absolute() for o in (boroughs, wards) for p in o["files"])


def test_provenance_names_files_publishers_licence_and_date(site: Site, files: DemoFiles) -> None:
    assert site.source.licence == "Open Government Licence v3.0"
    assert site.source.date == "2026-01-31"
    assert "Office for National Statistics" in site.source.publisher and "NHS" in site.source.publisher
    assert "practice_pcn_lookup_2099.csv" in site.source.title
    assert str(files.practices.resolve()) in site.source.notes
    demo = site.metadata["demo"]
    assert demo["name"] == "vale" and demo["built"] == "2026-01-31"
    assert demo["files"] == files.as_dict()
    assert site.metadata["import"]["practices_without_pcn"] == ["Z00007"]


def test_building_is_deterministic_and_survives_a_site_file(site: Site, files: DemoFiles,
                                                           tmp_path: Path) -> None:
    again = build_demo("vale", files, today=TODAY)
    assert site_to_data(again) == site_to_data(site)
    path = write_site(site, tmp_path / "vale.yaml")
    reread = read_site(path)
    assert reread == site
    assert area_shapes(reread).complete


def test_an_lsoa_missing_from_the_boundaries_is_reported_not_fatal(files: DemoFiles, tmp_path: Path) -> None:
    geo = tmp_path / "lsoa"
    geo.mkdir()
    doc = json.loads((files.lsoa_geo / f"{RIVERSIDE}.geojson").read_text())
    doc["features"] = [f for f in doc["features"] if f["properties"]["LSOA21CD"] != "E01900002"]
    (geo / f"{RIVERSIDE}.geojson").write_text(json.dumps(doc))
    shutil.copy(files.lsoa_geo / f"{HILLSIDE}.geojson", geo)
    site = build_demo("vale", DemoFiles(files.practices, files.lsoa_lad, geo, files.ward_geo), today=TODAY)
    area = next(iter(site.unit("Z00002").footprint))
    assert site.metadata["demo"]["areas_without_shape"] == {
        area: f"LSOA E01900002 is in no GeoJSON file of {geo.resolve()}"}
    assert len(area_shapes(site).geometries) == 5


def test_boundaries_in_one_file_of_another_name_are_found(files: DemoFiles, tmp_path: Path) -> None:
    geo = tmp_path / "all-lsoas"
    geo.mkdir()
    features = [f for code in (RIVERSIDE, HILLSIDE)
                for f in json.loads((files.lsoa_geo / f"{code}.geojson").read_text())["features"]]
    (geo / "vale.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    site = build_demo("vale", DemoFiles(files.practices, files.lsoa_lad, geo, files.ward_geo), today=TODAY)
    assert area_shapes(site).complete and len(area_shapes(site).geometries) == 6
    assert [o["name"] for o in site.metadata["overlays"]] == ["Wards"]  # no per-borough files to outline


def test_areas_that_are_lsoas_themselves_are_drawn_as_themselves(files: DemoFiles,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Imports that make each LSOA an area (and a practice cover its LSOA) get the same shapes."""
    lsoas = {"E01900001": RIVERSIDE, "E01900002": RIVERSIDE, "E01900004": HILLSIDE, "E01900006": HILLSIDE}

    def lsoa_import(**kwargs: object) -> Site:
        return validate_site({
            "id": "vale", "name": "Vale",
            "areas": [{"id": code, "codes": {"lad": lad}} for code, lad in lsoas.items()]
                     + [{"id": "E01900005"}],  # no district known: found by searching the folder
            "units": [{"id": "U99001", "name": "RIVERSIDE PCN", "kind": "pcn"},
                      {"id": "Z00001", "name": "One", "kind": "practice", "parent": "U99001",
                       "footprint": {"E01900001": 1}},
                      {"id": "Z00003", "name": "Three", "kind": "practice", "parent": "U99001",
                       "footprint": {"E01900004": 1}},
                      *[{"id": f"LAD:{lad}", "name": name, "kind": "organisation", "org_type": "local_authority",
                         "footprint": {c: 1 for c, d in lsoas.items() if d == lad}}
                        for lad, name in ((RIVERSIDE, "Riverside"), (HILLSIDE, "Hillside"))]]})

    monkeypatch.setattr("integramap.demo.import_nhs", lsoa_import)
    site = build_demo("vale", files, today=TODAY)
    assert {a.id: Path(a.geometry or "").name for a in site.areas} == {
        "E01900001": f"{RIVERSIDE}.geojson#E01900001", "E01900002": f"{RIVERSIDE}.geojson#E01900002",
        "E01900004": f"{HILLSIDE}.geojson#E01900004", "E01900005": f"{HILLSIDE}.geojson#E01900005",
        "E01900006": f"{HILLSIDE}.geojson#E01900006"}
    assert area_shapes(site).complete
    assert [s.name for s in summarise_demo(site).straddles] == ["RIVERSIDE PCN"]


def test_a_broken_boundary_file_is_refused_naming_it(files: DemoFiles, tmp_path: Path) -> None:
    geo = tmp_path / "lsoa"
    shutil.copytree(files.lsoa_geo, geo)
    (geo / f"{HILLSIDE}.geojson").write_text('{"type": "FeatureCollection", "features": [')
    with pytest.raises(GeometryError, match=f"{HILLSIDE}.geojson: line 1.*not valid JSON"):
        build_demo("vale", DemoFiles(files.practices, files.lsoa_lad, geo, files.ward_geo))


# --------------------------------------------------------------------------------------- command line

def demo_args(tmp_path: Path, *extra: str) -> list[str]:
    return ["demo", "vale", "--data-dir", str(DATA), "-o", str(tmp_path / "vale.yaml"), *extra]


def test_cli_lists_the_demos(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "south-east-london: South east London" in out and "Open Government Licence" in out
    assert "vale: Vale" in out


def test_cli_builds_writes_and_summarises(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(demo_args(tmp_path)) == 0
    captured = capsys.readouterr()
    site = read_site(tmp_path / "vale.yaml")
    assert area_shapes(site).complete
    assert f"wrote {tmp_path / 'vale.yaml'}" in captured.out
    assert "6 practices in 2 PCNs, over 2 boroughs (Hillside, Riverside)" in captured.out
    assert "RIVERSIDE PCN (U99001): Riverside 67%, Hillside 33%" in captured.out
    assert f"integramap boundaries {tmp_path / 'vale.yaml'} --layers pcn local_authority" in captured.out
    assert "[100%]" in captured.err  # progress goes to stderr, out of a script's way


def test_cli_default_output_is_the_demo_name_in_the_working_folder(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["demo", "vale", "--data-dir", str(DATA)]) == 0
    assert read_site(tmp_path / "vale.yaml").id == "vale"


def test_cli_refuses_to_overwrite_without_force(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "vale.yaml"
    out.write_text("mine\n")
    assert main(demo_args(tmp_path)) == 1
    assert "already exists; give --force" in capsys.readouterr().err
    assert out.read_text() == "mine\n"
    assert main(demo_args(tmp_path, "--force")) == 0
    assert read_site(out).id == "vale"


@pytest.mark.parametrize("args, message", [
    (["--data-dir", "{tmp}/empty"], "4 public reference files not found"),
    (["--data-dir", str(DATA), "--lsoa-geo", "{tmp}/nowhere"], "LSOA boundary folder: looked for"),
    (["--data-dir", str(DATA), "-o", "{tmp}/vale.txt"], "vale.txt"),
    (["--data-dir", str(DATA), "-o", "{tmp}/no/such/folder/vale.yaml"], "does not exist"),
])
def test_cli_errors_exit_1_and_write_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             args: list[str], message: str) -> None:
    (tmp_path / "empty").mkdir()
    db = tmp_path / "store.db"
    argv = ["demo", "vale", *[a.format(tmp=tmp_path) for a in args], "--save", "--database", f"sqlite:///{db}"]
    if "-o" not in args:
        argv += ["-o", str(tmp_path / "vale.yaml")]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty"]


def test_cli_unknown_demo(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "south-east-londn"]) == 1
    assert "did you mean south-east-london" in capsys.readouterr().err


def test_cli_save_stores_a_revision_once(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INTEGRAMAP_DATABASE_URL", raising=False)
    monkeypatch.setenv("INTEGRAMAP_DATA_DIR", str(tmp_path / "instance"))
    assert main(demo_args(tmp_path, "--save")) == 0
    assert "saved site 'vale' as revision 1" in capsys.readouterr().out
    with Store.from_env() as store:
        assert store.latest("vale") == 1
        assert store.get("vale").site == read_site(tmp_path / "vale.yaml")
    assert main(demo_args(tmp_path, "--save", "--force")) == 0
    assert "'vale': revision 1 in " in (out := capsys.readouterr().out) and "already holds this; nothing saved" in out
    with Store.from_env() as store:
        assert [r.number for r in store.history("vale")] == [1]


# --------------------------------------------------------------------------------------- real data

@pytest.mark.realdata
def test_south_east_london_from_the_public_files() -> None:
    for part in (("nhs-reference", "practice_pcn_lookup_2024.csv"), ("nhs-reference", "lsoa21_to_lad.csv"),
                 ("geo", "sel-lsoa21"), ("geo", "sel-ward")):
        shared_file(*part)
    files = find_demo_files(SHARED_DATA)
    site = build_demo("south-east-london", files)  # its time is bench's to measure, not a test's
    summary = summarise_demo(site)
    assert summary.boroughs == ["Bexley", "Bromley", "Greenwich", "Lambeth", "Lewisham", "Southwark"]
    croxted = next(s for s in summary.straddles if s.unit == "U60524")
    assert croxted.partner_names == ["Lambeth", "Southwark"]
    assert croxted.split == pytest.approx({"LAD:E09000022": 2 / 3, "LAD:E09000028": 1 / 3})
    members = sorted(u.id for u in site.units if u.parent == "U60524")
    assert members == ["G85039", "G85137", "G85706"]
    shapes = area_shapes(site)
    assert shapes.problems == [] and set(shapes.geometries) == {a.id for a in site.areas}
    assert summary.practices > 150 and summary.pcns > 30
    wards = next(o for o in site.metadata["overlays"] if o["name"] == "Wards")
    assert len(wards["files"]) == 6
