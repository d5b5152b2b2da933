"""The spreadsheet importer and the template it reads: round trips and row-level errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from integramap.io.table import COLUMNS, SITE_FIELDS, import_table, table_summary
from integramap.io.template import EXAMPLE_ROWS, TEMPLATE_SHEETS, readme_rows, write_template
from integramap.model import (
    FACET_SCALES,
    AgeGroup,
    Basis,
    Level,
    Mechanism,
    OrgType,
    Sector,
    Site,
    SiteError,
    UnitKind,
)


def write_csvs(folder: Path, **tables: str) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in tables.items():
        path = folder / f"{name}.csv"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def problems_of(call: object) -> list[str]:
    with pytest.raises(SiteError) as caught:
        call()  # type: ignore[operator]
    return [str(p) for p in caught.value.problems]


# --------------------------------------------------------------------------- the template

def test_template_workbook_imports_as_a_valid_site(tmp_path: Path) -> None:
    [path] = write_template(tmp_path / "template.xlsx")
    site = import_table(path)
    assert isinstance(site, Site)
    assert (site.id, site.name) == ("riverside-example", "Riverside (template example)")
    assert [u.id for u in site.units] == [row["id"] for row in EXAMPLE_ROWS["units"]]
    assert table_summary(site) == "4 units, 1 link, 2 areas"
    team = site.unit("camhs-south")
    assert (team.parent, team.footprint, team.attributes.staff_count) == (
        "riverside-trust", {"RB001": 1.0, "RB002": 0.5}, 12)
    [link] = site.links
    assert (link.level, link.target_level, str(link.facets.it)) == (
        Level.CO_LOCATED, Level.POOLED_MANAGEMENT, "workaround")


def test_template_folder_of_csv_files_imports_the_same_site(tmp_path: Path) -> None:
    written = write_template(tmp_path / "csv")
    assert [p.name for p in written] == ["units.csv", "links.csv", "areas.csv", "site.csv", "README.md"]
    [workbook] = write_template(tmp_path / "template.xlsx")
    # The README.md beside the CSV files is not read: a folder imports as it stands.
    assert import_table(tmp_path / "csv") == import_table(workbook)


def test_template_sheets_and_headers_are_exactly_what_the_importer_reads(tmp_path: Path) -> None:
    import openpyxl

    [path] = write_template(tmp_path / "t.xlsx")
    workbook = openpyxl.load_workbook(path, read_only=True)
    try:
        assert tuple(workbook.sheetnames) == TEMPLATE_SHEETS
        for name, columns in COLUMNS.items():
            header = next(workbook[name].iter_rows(values_only=True))
            assert list(header) == [c.name for c in columns]
        site_rows = list(workbook["site"].iter_rows(values_only=True))
        assert site_rows[0] == ("field", "value")
        assert [r[0] for r in site_rows[1:]] == [f.name for f in SITE_FIELDS]
        readme = [r for r in workbook["README"].iter_rows(values_only=True) if r[0] in COLUMNS or r[0] == "site"]
    finally:
        workbook.close()
    documented = {(r[0], r[1]) for r in readme}
    expected = {(name, c.name) for name, columns in COLUMNS.items() for c in columns}
    assert expected | {("site", f.name) for f in SITE_FIELDS} == documented


def test_readme_allowed_values_are_the_model_enums() -> None:
    allowed = {(r[0], r[1]): r[4] for r in readme_rows()[1:]}

    def values(enum: type) -> str:
        return ", ".join(m.value for m in enum)

    assert allowed["units", "kind"] == values(UnitKind)
    assert allowed["units", "org_type"] == values(OrgType)
    assert allowed["units", "sectors"] == values(Sector)
    assert allowed["units", "basis"] == values(Basis)
    assert allowed["units", "age_groups"] == values(AgeGroup)
    assert allowed["links", "level"] == allowed["links", "target_level"] == values(Level)
    assert allowed["links", "mechanisms"] == values(Mechanism)
    for facet, scale in FACET_SCALES.items():
        assert allowed["links", facet] == values(scale)
    assert allowed["units", "name"] == ""  # free text


def test_template_refuses_to_overwrite_and_leaves_the_file_alone(tmp_path: Path) -> None:
    path = tmp_path / "mine.xlsx"
    path.write_bytes(b"my own work")
    with pytest.raises(SiteError) as caught:
        write_template(path)
    assert str(caught.value) == (f"the template was not written (1 problem)\n  - {path}: already exists; "
                                 "choose another name, or replace it with --force")
    assert path.read_bytes() == b"my own work"
    assert write_template(path, overwrite=True) == [path]
    assert import_table(path).id == "riverside-example"


def test_template_folder_refuses_if_any_file_exists_and_writes_none(tmp_path: Path) -> None:
    folder = tmp_path / "csv"
    folder.mkdir()
    (folder / "links.csv").write_text("mine", encoding="utf-8")
    problems = problems_of(lambda: write_template(folder))
    assert problems == [f"{folder / 'links.csv'}: already exists; choose another name, or replace it with --force"]
    assert sorted(os.listdir(folder)) == ["links.csv"]


@pytest.mark.parametrize("name", ["template.csv", "template.xls"])
def test_template_needs_xlsx_or_a_folder(tmp_path: Path, name: str) -> None:
    problems = problems_of(lambda: write_template(tmp_path / name))
    assert "expected a name ending .xlsx for a workbook, or a folder for CSV files" in problems[0]
    assert os.listdir(tmp_path) == []


def test_template_into_an_unwritable_folder_is_a_clean_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    problems = problems_of(lambda: write_template(blocker / "t.xlsx"))
    assert problems[0].startswith(f"{blocker / 't.xlsx'}: cannot be written")


# --------------------------------------------------------------------------- importing

def test_csv_files_are_told_apart_by_name_or_by_header(tmp_path: Path) -> None:
    teams = tmp_path / "teams.csv"
    teams.write_text("id,name,kind\nt1,Team one,team\nt2,Team two,team\n", encoding="utf-8")
    joins = tmp_path / "joins.csv"
    joins.write_text("source,target,level\nt1,t2,interface\n", encoding="utf-8")
    site = import_table([teams, joins], site_id="told", name="Told apart")
    assert (site.id, site.name, len(site.units), len(site.links)) == ("told", "Told apart", 2, 1)


def test_site_id_defaults_to_the_file_name(tmp_path: Path) -> None:
    paths = write_csvs(tmp_path / "x", **{"Borough Model units": "id,name,kind\nt1,T,team\n"})
    site = import_table(paths)
    assert (site.id, site.name) == ("borough-model-units", "borough-model-units")


def test_link_ids_are_made_from_source_and_target(tmp_path: Path) -> None:
    paths = write_csvs(tmp_path, units="id,name,kind\na,A,team\nb,B,team\n",
                       links="source,target,level\na,b,interface\na,b,co_located\n")
    assert [lk.id for lk in import_table(paths, site_id="s").links] == ["a--b", "a--b-2"]


def test_lists_footprints_codes_and_note_columns(tmp_path: Path) -> None:
    paths = write_csvs(
        tmp_path,
        units="id,name,kind,sectors,age_groups,footprint,x,y,# who to ask\n"
              't1,Team,team,"mental_health, social_care",children;adults,"A1:0.25;list:Z90001",1.5,-2,Ann\n',
        areas="id,population,codes\nA1,\"1,650\",lad=E06000901;ward=RBW01\nlist:Z90001,,\n")
    site = import_table(paths, site_id="s")
    unit = site.unit("t1")
    assert [str(s) for s in unit.sectors] == ["mental_health", "social_care"]
    assert [str(a) for a in unit.age_groups] == ["children", "adults"]
    assert unit.footprint == {"A1": 0.25, "list:Z90001": 1.0}
    assert unit.attributes.position is not None and (unit.attributes.position.x, unit.attributes.position.y) == (
        1.5, -2.0)
    assert [(a.id, a.population, a.codes) for a in site.areas] == [
        ("A1", 1650.0, {"lad": "E06000901", "ward": "RBW01"}), ("list:Z90001", None, {})]


def test_every_fault_is_reported_with_its_file_row_and_column(tmp_path: Path) -> None:
    paths = write_csvs(
        tmp_path,
        units="id,name,kind,parent,staff_count,footprint\nt1,Team one,team,org,twelve,A1:2\nt2,Team two,teem,,3,A9\n",
        links="source,target,level,governance\nt1,t2,sort_of,merged\nt1,t3,interface,\n",
        areas="id,population\nA1,100\n",
        site="field,value\nid,demo\ncolour,blue\n")
    problems = problems_of(lambda: import_table(paths))
    units, links, site = str(paths[0]), str(paths[1]), str(paths[3])
    assert problems == [
        f"{links}, line 2, column 'governance': 'merged' is not allowed; expected one of 'separate', "
        "'joint_committee' or 'merged_board'",
        f"{links}, line 2, column 'level': 'sort_of' is not allowed; expected one of 'interface', "
        "'closer_working', 'co_located', 'pooled_management', 'merged_governance' or 'fully_merged'",
        f"{links}, line 3, column 'target': unknown unit 't3'; expected the id of a unit in this site",
        f"{site}, line 3, column 'field': unknown field 'colour'; expected one of description, id, metadata, name, "
        "source_date, source_licence, source_notes, source_publisher, source_title, source_url",
        f"{units}, line 2, column 'footprint': 'A1:2': share 2 for A1 is not between 0 and 1",
        f"{units}, line 2, column 'parent': unknown unit 'org'; expected the id of a unit in this site",
        f"{units}, line 2, column 'staff_count': 'twelve': expected a number",
        f"{units}, line 3, column 'footprint': unknown area 'A9'; expected the id of an area in this site",
        f"{units}, line 3, column 'kind': 'teem' is not allowed; expected one of 'system', 'place', "
        "'organisation', 'directorate', 'team', 'pcn', 'lcn', 'practice' or 'hub'",
    ]


def test_workbook_faults_name_the_sheet_and_the_excel_row(tmp_path: Path) -> None:
    import openpyxl

    [path] = write_template(tmp_path / "t.xlsx")
    workbook = openpyxl.load_workbook(path)
    workbook["links"]["D2"] = "merged"  # the level of the first link
    workbook["units"].append(["extra", "Extra team", "team", None, None, "nobody"])
    workbook.save(path)
    problems = problems_of(lambda: import_table(path))
    assert problems == [
        f"{path}, sheet 'links', row 2, column 'level': 'merged' is not allowed; expected one of 'interface', "
        "'closer_working', 'co_located', 'pooled_management', 'merged_governance' or 'fully_merged'",
        f"{path}, sheet 'units', row 6, column 'parent': unknown unit 'nobody'; expected the id of a unit in "
        "this site",
    ]


def test_unknown_and_missing_columns_list_what_was_expected_and_found(tmp_path: Path) -> None:
    paths = write_csvs(tmp_path, units="id,nmae,kind,Sector\nt1,Team,team,acute\n")
    [problem] = problems_of(lambda: import_table(paths))
    assert problem.startswith(f"{paths[0]}: missing column name; unknown columns 'nmae' (did you mean name?), "
                              "'Sector' (did you mean sectors?). Expected columns: id*, name*, kind*, org_type, "
                              "sectors,")
    assert problem.endswith("Found: 'id', 'nmae', 'kind', 'Sector'")


def test_a_table_given_twice_is_refused(tmp_path: Path) -> None:
    first = write_csvs(tmp_path / "a", units="id,name,kind\nt1,T,team\n")
    second = write_csvs(tmp_path / "b", units="id,name,kind\nt2,U,team\n")
    [problem] = problems_of(lambda: import_table(first + second))
    assert problem == f"{second[0]}: a second units table (the first is in {first[0]}); give one units table"


def test_a_file_that_is_no_known_table(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("who,when\nAnn,Monday\n", encoding="utf-8")
    [problem] = problems_of(lambda: import_table(path))
    assert problem == (f"{path}: cannot tell which table this is: name the file units.csv, links.csv, "
                       "areas.csv or site.csv")


def test_an_empty_folder(tmp_path: Path) -> None:
    [problem] = problems_of(lambda: import_table(tmp_path))
    assert problem.startswith("no files to import; expected an .xlsx workbook or CSV files")


def test_a_missing_column_is_one_fault_not_one_a_row(tmp_path: Path) -> None:
    paths = write_csvs(tmp_path, units="id,name,kind\na,A,team\nb,B,team\n",
                       links="target,level\na,interface\nb,interface\na,co_located\n")
    [problem] = problems_of(lambda: import_table(paths))
    assert problem.startswith(f"{paths[1]}: missing column source. Expected columns: id, source*, target*")


def test_an_empty_source_cell_is_reported_once(tmp_path: Path) -> None:
    paths = write_csvs(tmp_path, units="id,name,kind\na,A,team\nb,B,team\n",
                       links="source,target,level\na,,interface\n,b,\n")
    assert problems_of(lambda: import_table(paths)) == [
        f"{paths[1]}, line 2, column 'target': required field is missing",
        f"{paths[1]}, line 3, column 'level': required field is missing",
        f"{paths[1]}, line 3, column 'source': required field is missing",
    ]


def test_the_importing_guide_documents_every_template_column() -> None:
    from conftest import ROOT

    guide = (ROOT / "docs" / "importing.md").read_text(encoding="utf-8")
    for name, columns in COLUMNS.items():
        section = guide.split(f"**{name}**\n", 1)[1].split("\n\n**", 1)[0]
        assert [line.split("`")[1] for line in section.splitlines() if line.startswith("| `")] == [
            c.name for c in columns]
        for col in columns:
            for value in col.choices:
                assert f"`{value}`" in guide
