"""Every export that claims to round-trip does so exactly, metadata included: CSV, JSON, YAML.

Checked over generated sites (every optional field, awkward text, nested
metadata), not only the example sites.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from conftest import model_files
from integramap.io import read_site, write_site
from integramap.io.export_graph import write_csv_tables
from integramap.io.export_workbook import workbook_losses, write_workbook
from integramap.io.table import import_table
from integramap.model import Site, validate_site
from site_strategies import sites

ROUND_TRIP = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def same(a: Site, b: Site) -> None:
    assert b.model_dump(mode="json") == a.model_dump(mode="json")


@ROUND_TRIP
@given(site=sites())
def test_csv_round_trip_is_exact(site: Site, tmp_path: Path) -> None:
    same(site, import_table(write_csv_tables(site, tmp_path / "csv")))


@ROUND_TRIP
@given(site=sites())
@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_site_file_round_trip_is_exact(suffix: str, site: Site, tmp_path: Path) -> None:
    same(site, read_site(write_site(site, tmp_path / f"site{suffix}")))


@pytest.mark.parametrize("path", model_files(), ids=lambda p: p.name)
def test_example_sites_round_trip_through_csv_with_metadata(path: Path, tmp_path: Path) -> None:
    site = read_site(path)
    same(site, import_table(write_csv_tables(site, tmp_path / "csv")))


def test_imported_metadata_survives_csv(tmp_path: Path) -> None:
    site = validate_site({"id": "s", "name": "S", "units": [{"id": "a", "name": "A", "kind": "pcn"}],
                          "metadata": {"import": {"practices": 3, "note": "=not a formula"},
                                       "overlays": [{"title": "Boroughs", "file": "b.geojson"}]}})
    same(site, import_table(write_csv_tables(site, tmp_path)))


def test_broken_metadata_is_named_with_its_row(tmp_path: Path) -> None:
    (tmp_path / "units.csv").write_text("id,name,kind\na,A,team\n")
    (tmp_path / "site.csv").write_text("field,value\nid,s\nmetadata,[1\n")
    with pytest.raises(Exception, match=r"site\.csv, line 3.*metadata is not a JSON object"):
        import_table(tmp_path)


@ROUND_TRIP
@given(site=sites())
def test_xlsx_round_trip_is_exact(site: Site, tmp_path: Path) -> None:
    same(site, import_table(write_workbook(site, tmp_path / "site.xlsx")))


@pytest.mark.parametrize("path", model_files(), ids=lambda p: p.name)
def test_example_sites_round_trip_through_xlsx(path: Path, tmp_path: Path) -> None:
    site = read_site(path)
    same(site, import_table(write_workbook(site, tmp_path / "site.xlsx")))


def test_a_cell_too_long_for_excel_is_refused_and_named(tmp_path: Path) -> None:
    site = validate_site({"id": "s", "name": "S", "units": [{"id": "a", "name": "A", "kind": "team",
                                                             "description": "x" * 40_000}]})
    assert workbook_losses(site) == ["description of unit a has 40,000 characters; Excel keeps at most "
                                     "32,767 in a cell"]
    with pytest.raises(ValueError, match="description of unit a"):
        write_workbook(site, tmp_path / "s.xlsx")
    assert not (tmp_path / "s.xlsx").exists()


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_demo_round_trips_with_its_overlays_and_provenance(kind: str, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import date

    from conftest import FIXTURES
    from integramap.demo import DEMOS, REFERENCE_DATA_ENV, Demo, build_demo, find_demo_files

    monkeypatch.setitem(DEMOS, "vale", Demo(name="vale", title="Vale", icb="QZZ",
                                           lad_codes=("E09000901", "E09000902"), description="Test ICB."))
    monkeypatch.delenv(REFERENCE_DATA_ENV, raising=False)
    site = build_demo("vale", find_demo_files(FIXTURES / "demo", demo="vale"), today=date(2026, 1, 31))
    assert {"import", "overlays", "demo"} <= set(site.metadata)
    written = write_csv_tables(site, tmp_path / "csv") if kind == "csv" else write_workbook(site, tmp_path / "d.xlsx")
    same(site, import_table(written))
