"""Importing the national NHS and ONS reference files (integramap.io.nhs and ``integramap import nhs``).

The fixtures in tests/fixtures/nhs/ are small files in the published formats (the
header lines are copied from the real files) with fictional codes:

* ICB Q99 (sub-ICB locations 99A and 99B) over the districts Northbank and Southbank;
  ICB Q98 (location 98X) over Hillshire.
* Ferry PCN U90001: two practices in Northbank, one in Southbank (a straddle, 2/3 and 1/3).
* Bridge PCN U90002: one practice of 99A and one of 99B, both in LSOA E01900004.
* Towpath PCN U90003 and the unallocated Lock Keeper practice (PCN code U) are in
  99B, in that same LSOA.
* Hilltop PCN U90004: one practice in Hillshire, one whose LSOA the lookup lacks.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, shared_file

from integramap.analysis.boundaries import analyse
from integramap.cli import main
from integramap.io import read_site
from integramap.io.nhs import import_nhs, import_summary
from integramap.model import Site, SiteError, validate_site

NHS = FIXTURES / "nhs"
PRACTICES = NHS / "practice_pcn_lookup.csv"
LSOA_LAD = NHS / "lsoa21_to_lad.csv"
EPCN = NHS / "epcn.xlsx"
NORTHBANK, SOUTHBANK, HILLSHIRE = "LAD:E09900001", "LAD:E09900002", "LAD:E06900001"


@pytest.fixture(scope="module")
def site() -> Site:
    return import_nhs(practices=PRACTICES, lsoa_lad=LSOA_LAD)


def practice_codes(site: Site) -> list[str]:
    return sorted(u.id for u in site.units if u.kind == "practice")


# --------------------------------------------------------------------------- areas and footprints

def test_each_practice_list_is_an_area_carrying_its_lsoa_and_district(site: Site) -> None:
    assert [a.id for a in site.areas] == [f"list:{c}" for c in (
        "Z10001", "Z10002", "Z10003", "Z10004", "Z10005", "Z10006", "Z10007", "Z20001", "Z20002")]
    ferry_lane = site.areas_by_id["list:Z10001"]
    assert ferry_lane.name == "Registered list of FERRY LANE SURGERY"
    assert ferry_lane.population is None  # the files give no list sizes
    assert ferry_lane.codes == {"lsoa": "E01900001", "lad": "E09900001", "utla": "E09900001"}
    # An LSOA the district lookup lacks is kept, with no district
    assert site.areas_by_id["list:Z20002"].codes == {"lsoa": "E01900099"}
    assert site.metadata["import"]["practice_lsoas_not_in_lookup"] == ["Z20002"]


def test_practices_places_systems_and_districts_cover_practice_lists(site: Site) -> None:
    units = site.units_by_id
    assert units["Z10005"].footprint == {"list:Z10005": 1.0}
    assert units["Z10005"].parent == "U90002"
    assert set(units["LOC:99A"].footprint) == {"list:Z10001", "list:Z10002", "list:Z10003", "list:Z10004"}
    assert set(units["LOC:99B"].footprint) == {"list:Z10005", "list:Z10006", "list:Z10007"}
    assert set(units["ICB:Q99"].footprint) == {f"list:Z1000{i}" for i in range(1, 8)}
    assert set(units[NORTHBANK].footprint) == {"list:Z10001", "list:Z10002"}
    assert set(units[SOUTHBANK].footprint) == {"list:Z10003", "list:Z10004", "list:Z10005", "list:Z10006",
                                               "list:Z10007"}
    assert set(units[HILLSHIRE].footprint) == {"list:Z20001"}
    assert (units[NORTHBANK].name, units[NORTHBANK].org_type) == ("Northbank", "local_authority")
    # A PCN's footprint comes from its practices; its parent is its practices' location
    assert units["U90001"].footprint == {} and units["U90001"].parent == "LOC:99A"
    assert units["LOC:99A"].parent == "ICB:Q99"
    assert "LAD:E09900099" not in units


def test_a_pcn_with_two_practices_in_one_district_and_one_in_another_straddles_two_to_one(site: Site) -> None:
    report = analyse(site, "pcn", "local_authority")
    [ferry] = report.straddles
    assert (ferry.unit, ferry.name, ferry.partner_names) == ("U90001", "FERRY PCN", ["Northbank", "Southbank"])
    assert ferry.split == {NORTHBANK: pytest.approx(2 / 3), SOUTHBANK: pytest.approx(1 / 3)}
    assert ferry.alignment == pytest.approx(2 / 3)


def test_practices_sharing_an_lsoa_make_no_false_straddle_over_places(site: Site) -> None:
    report = analyse(site, "pcn", "place")
    # Bridge PCN really has a practice in each location; Towpath PCN, whose practice shares
    # an LSOA with a practice of 99A, does not straddle.
    assert [(s.unit, s.split) for s in report.straddles] == [
        ("U90002", {"LOC:99A": pytest.approx(0.5), "LOC:99B": pytest.approx(0.5)})]
    assert report.counts.double_cover == 0


def test_the_pcn_layer_gaps_are_the_lists_of_practices_in_no_pcn(site: Site) -> None:
    report = analyse(site, "pcn", "place")
    assert [(g.layer, g.area, g.within) for g in report.gaps] == [("pcn", "list:Z10007", ["LOC:99B"])]
    assert site.metadata["import"]["practices_without_pcn"] == ["Z10007"]
    # The district layer's gap is the list whose LSOA the lookup lacks
    by_district = analyse(site, "pcn", "local_authority")
    assert {(g.layer, g.area) for g in by_district.gaps} == {("pcn", "list:Z10007"),
                                                            ("local_authority", "list:Z20002")}


def test_summary_counts_kinds_and_unallocated_practices(site: Site) -> None:
    summary = import_summary(site)
    assert summary.splitlines()[0] == ("9 areas, 21 units (2 ICBs, 3 sub-ICB locations, 4 PCNs, 9 practices, "
                                       "3 local authority districts)")
    assert "1 practice in no PCN (PCN code U): Z10007" in summary
    assert "1 practice whose LSOA is not in the LSOA → LAD lookup" in summary


def test_the_site_built_from_records_is_the_site_validation_would_make(site: Site) -> None:
    validated = validate_site(site.model_dump(mode="json", exclude_defaults=True))
    assert validated == site
    assert validated.model_dump(mode="json") == site.model_dump(mode="json")


def test_a_name_the_model_refuses_is_reported_with_its_place(tmp_path: Path) -> None:
    lines = PRACTICES.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace("FERRY LANE SURGERY", "F" * 301)
    bad = tmp_path / "lookup.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(SiteError) as err:
        import_nhs(practices=bad)
    [problem] = err.value.problems
    assert problem.where.endswith(".name") and "300 characters" in problem.message
    assert "lookup.csv" in str(err.value)


# --------------------------------------------------------------------------- filters

def test_icb_filter_keeps_its_practices_and_their_districts() -> None:
    site = import_nhs(practices=PRACTICES, lsoa_lad=LSOA_LAD, icb=["q99"])
    assert practice_codes(site) == [f"Z1000{i}" for i in range(1, 8)]
    assert sorted(u.id for u in site.units if u.kind == "organisation") == [NORTHBANK, SOUTHBANK]
    # The ONS code of the ICB, and its name, do the same
    assert practice_codes(import_nhs(practices=PRACTICES, icb=["E54900001"])) == practice_codes(site)
    assert practice_codes(import_nhs(practices=PRACTICES,
                                     icb=["NHS Riverside Integrated Care Board"])) == practice_codes(site)


def test_sub_icb_and_lad_filters_combine() -> None:
    # A filter keeps whole every PCN it touches: the practices outside it are listed, and
    # kept, because they are what shows the PCN crossing the boundary.
    site = import_nhs(practices=PRACTICES, lsoa_lad=LSOA_LAD, sub_icb=["99A"])
    assert practice_codes(site) == ["Z10001", "Z10002", "Z10003", "Z10004", "Z10005"]
    assert site.metadata["import"]["practices_outside_filter"] == ["Z10005"]
    site = import_nhs(practices=PRACTICES, lsoa_lad=LSOA_LAD, lad=["E09900002"])
    assert practice_codes(site) == ["Z10001", "Z10002", "Z10003", "Z10004", "Z10005", "Z10006", "Z10007"]
    assert site.metadata["import"]["practices_outside_filter"] == ["Z10001", "Z10002"]
    assert site.metadata["import"]["practices_without_lsoa_district"] == ["Z20002"]
    site = import_nhs(practices=PRACTICES, lsoa_lad=LSOA_LAD, sub_icb=["99A"], lad=["E09900002"])
    assert practice_codes(site) == ["Z10001", "Z10002", "Z10003", "Z10004", "Z10005"]
    assert site.metadata["import"]["practices_outside_filter"] == ["Z10001", "Z10002", "Z10005"]
    assert [u.id for u in site.units if u.kind == "organisation"] == [NORTHBANK, SOUTHBANK]


@pytest.mark.parametrize(("option", "value", "expected"), [
    ("icb", "Q97", "--icb 'Q97': no ICB with this code in the files; close matches: "
                   "Q99 (NHS Riverside Integrated Care Board), Q98 (NHS Hillshire Integrated Care Board)"),
    ("sub_icb", "99C", "--sub-icb '99C': no sub-ICB location with this code in the files; close matches: "
                       "99B (NHS Riverside ICB - 99B), 99A (NHS Riverside ICB - 99A)"),
    ("lad", "E09900003", "--lad 'E09900003': no local authority district with this code in the files; "
                         "close matches: E09900002 (Southbank), E09900001 (Northbank), E06900001 (Hillshire)"),
])
def test_an_unknown_filter_code_is_an_error_naming_close_matches(option: str, value: str, expected: str) -> None:
    with pytest.raises(SiteError) as err:
        import_nhs(practices=PRACTICES, lsoa_lad=LSOA_LAD, **{option: [value]})  # type: ignore[arg-type]
    assert expected in str(err.value)


def test_filters_that_need_a_file_say_which() -> None:
    with pytest.raises(SiteError, match="--lad needs the LSOA → LAD lookup"):
        import_nhs(practices=PRACTICES, lad=["E09900001"])
    with pytest.raises(SiteError, match="--icb and --sub-icb filter practices"):
        import_nhs(lsoa_lad=LSOA_LAD, icb=["Q99"])
    with pytest.raises(SiteError, match="nothing to import"):
        import_nhs()


# --------------------------------------------------------------------------- other files alone

def test_lsoa_lookup_alone_makes_lsoas_the_areas() -> None:
    site = import_nhs(lsoa_lad=LSOA_LAD)
    assert sorted(a.id for a in site.areas) == ["E01900001", "E01900002", "E01900003", "E01900004",
                                                "E01900005", "E01900006"]
    assert site.areas_by_id["E01900006"].codes == {"lad": "E09900001", "utla": "E09900001"}
    assert set(site.unit(NORTHBANK).footprint) == {"E01900001", "E01900002", "E01900006"}
    only = import_nhs(lsoa_lad=LSOA_LAD, lad=["Hillshire"])
    assert [u.id for u in only.units] == [HILLSHIRE] and [a.id for a in only.areas] == ["E01900005"]


def test_epcn_alone_gives_each_practice_its_list_and_its_own_location() -> None:
    site = import_nhs(epcn=EPCN)
    assert practice_codes(site) == ["Z10001", "Z10002", "Z10004", "Z10005", "Z10006"]
    assert all(a.id.startswith("list:") and a.codes == {} for a in site.areas)
    # Towpath Surgery's ended relationship with Bridge PCN is not read
    assert site.unit("Z10006").parent == "U90003"
    assert set(site.unit("LOC:99B").footprint) == {"list:Z10005", "list:Z10006"}
    assert site.unit("LOC:99A").parent == "ICB:NHS-RIVERSIDE-ICB"
    [bridge] = analyse(site, "pcn", "place").straddles
    assert bridge.unit == "U90002" and bridge.split == {"LOC:99A": 0.5, "LOC:99B": 0.5}


def test_epcn_with_the_lookup_takes_lsoas_from_the_lookup() -> None:
    site = import_nhs(practices=PRACTICES, epcn=EPCN, lsoa_lad=LSOA_LAD)
    # The ePCN decides membership: only its practices are imported
    assert practice_codes(site) == ["Z10001", "Z10002", "Z10004", "Z10005", "Z10006"]
    assert site.areas_by_id["list:Z10005"].codes == {"lsoa": "E01900004", "lad": "E09900002",
                                                    "utla": "E09900002"}
    assert site.unit("LOC:99A").parent == "ICB:Q99"


# --------------------------------------------------------------------------- the command

def run_import(tmp_path: Path, *args: str) -> tuple[int, Path]:
    out = tmp_path / "riverside.yaml"
    return main(["import", "nhs", *args, "-o", str(out)]), out


def test_cli_writes_the_site_and_summarises_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run_import(tmp_path, "--practices", str(PRACTICES), "--lsoa-lad", str(LSOA_LAD))
    assert code == 0
    assert f"wrote {out}: 9 areas, 21 units" in capsys.readouterr().out
    written = read_site(out)
    assert written.id == "riverside" and len(written.units) == 21
    assert written.areas_by_id["list:Z10003"].codes["lad"] == "E09900002"

    assert main(["boundaries", str(out), "--layers", "pcn", "local_authority"]) == 0
    report = capsys.readouterr().out
    assert "FERRY PCN (U90001)" in report and "66.7% Northbank, 33.3% Southbank" in report


@pytest.mark.parametrize("args", [
    ["--practices", str(PRACTICES), "--lsoa-lad", str(LSOA_LAD), "--icb", "Q97"],
    ["--practices", str(NHS / "absent.csv")],
    ["--lsoa-lad", str(PRACTICES)],  # the wrong file for the option
    [],
])
def test_cli_on_error_exits_1_and_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                  args: list[str]) -> None:
    code, out = run_import(tmp_path, *args)
    assert code == 1
    assert capsys.readouterr().err.strip()
    assert list(tmp_path.iterdir()) == []


def test_cli_error_leaves_an_existing_site_file_as_it_was(tmp_path: Path) -> None:
    out = tmp_path / "riverside.yaml"
    shutil.copyfile(FIXTURES / "boundaries_borough.yaml", out)
    before = out.read_bytes()
    assert main(["import", "nhs", "--practices", str(PRACTICES), "--sub-icb", "00Z", "-o", str(out)]) == 1
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["riverside.yaml"]


def test_cli_bad_usage_exits_2(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["import", "nhs", "--practices", str(PRACTICES)])  # no -o
    assert exit_.value.code == 2


# --------------------------------------------------------------------------- the real files

@pytest.mark.realdata
def test_national_import_has_croxted_pcn_straddling_lambeth_and_southwark() -> None:
    practices = shared_file("nhs-reference", "practice_pcn_lookup_2024.csv")
    lsoa_lad = shared_file("nhs-reference", "lsoa21_to_lad.csv")
    site = import_nhs(practices=practices, lsoa_lad=lsoa_lad)
    croxted = site.unit("U60524")
    assert croxted.name.upper() == "CROXTED PCN"
    members = sorted(site.children_by_id["U60524"])
    assert len(members) == 3
    districts = sorted(site.areas_by_id[f"list:{m}"].codes["lad"] for m in members)
    assert districts == ["E09000022", "E09000022", "E09000028"]  # Lambeth, Lambeth, Southwark
    [straddle] = [s for s in analyse(site, "pcn", "local_authority").straddles if s.unit == "U60524"]
    assert straddle.partner_names == ["Lambeth", "Southwark"]
    assert straddle.split == {"LAD:E09000022": pytest.approx(2 / 3), "LAD:E09000028": pytest.approx(1 / 3)}


@pytest.mark.realdata
def test_national_files_through_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    practices = shared_file("nhs-reference", "practice_pcn_lookup_2024.csv")
    lsoa_lad = shared_file("nhs-reference", "lsoa21_to_lad.csv")
    out = tmp_path / "england.yaml"
    assert main(["import", "nhs", "--practices", str(practices), "--lsoa-lad", str(lsoa_lad), "-o", str(out)]) == 0
    capsys.readouterr()
    found = {}
    for layer in ("local_authority", "place"):
        assert main(["boundaries", str(out), "--layers", "pcn", layer, "--format", "json"]) == 0
        found[layer] = {s["unit"]: s["split"] for s in json.loads(capsys.readouterr().out)["straddles"]}
    assert (len(found["local_authority"]), len(found["place"])) == (167, 9)
    assert found["local_authority"]["U60524"] == {"LAD:E09000022": pytest.approx(2 / 3),
                                                  "LAD:E09000028": pytest.approx(1 / 3)}
    assert found["place"]["U87499"] == {"LOC:03W": pytest.approx(1 / 3), "LOC:04C": pytest.approx(1 / 3),
                                        "LOC:04V": pytest.approx(1 / 3)}
