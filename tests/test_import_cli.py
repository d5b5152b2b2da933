"""``integramap import table`` and ``integramap template``: exit codes, messages, nothing written on error."""

from __future__ import annotations

from pathlib import Path

import pytest

from integramap.cli import main
from integramap.io import read_site


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_template_then_import_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    template = tmp_path / "template.xlsx"
    assert run(capsys, "template", "-o", template) == (0, f"wrote the template: {template}\n", "")
    site_file = tmp_path / "site.yaml"
    code, out, err = run(capsys, "import", "table", template, "-o", site_file)
    assert (code, out, err) == (0, f"wrote {site_file}: 4 units, 1 link, 2 areas\n", "")
    assert read_site(site_file).unit("camhs-south").parent == "riverside-trust"


def test_template_as_csv_folder_then_import_with_id_and_name(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "tables"
    code, out, _ = run(capsys, "template", "-o", folder)
    assert code == 0 and out.startswith(f"wrote the template: {folder / 'units.csv'}, ")
    site_file = tmp_path / "site.json"
    assert run(capsys, "import", "table", *sorted(folder.glob("*.csv")), "-o", site_file, "--id", "mine",
               "--name", "My borough")[0] == 0
    site = read_site(site_file)
    assert (site.id, site.name, len(site.units)) == ("mine", "My borough", 4)


def test_template_refuses_to_overwrite_without_force(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    template = tmp_path / "template.xlsx"
    template.write_bytes(b"keep me")
    code, out, err = run(capsys, "template", "-o", template)
    assert (code, out) == (1, "")
    assert err == (f"the template was not written (1 problem)\n  - {template}: already exists; choose another "
                   "name, or replace it with --force\n")
    assert template.read_bytes() == b"keep me"
    assert run(capsys, "template", "-o", template, "--force")[0] == 0
    assert template.read_bytes().startswith(b"PK")


def test_template_with_a_wrong_suffix_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "template", "-o", tmp_path / "template.csv")
    assert code == 1 and "expected a name ending .xlsx for a workbook, or a folder for CSV files" in err
    assert list(tmp_path.iterdir()) == []


def test_import_table_errors_exit_1_and_write_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    units = tmp_path / "units.csv"
    units.write_text("id,name,kind\nt1,Team one,team\nt2,Team two,tem\n", encoding="utf-8")
    site_file = tmp_path / "site.yaml"
    code, out, err = run(capsys, "import", "table", units, "-o", site_file)
    assert (code, out) == (1, "")
    assert err.startswith(f"{units}: could not be imported (1 problem)\n  - {units}, line 3, column 'kind': "
                          "'tem' is not allowed; expected one of 'system', ")
    assert "Traceback" not in err
    assert not site_file.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["units.csv"]  # no temporary file left either


def test_import_table_keeps_an_existing_site_file_when_the_input_is_bad(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site_file = tmp_path / "site.yaml"
    site_file.write_text("my earlier site\n", encoding="utf-8")
    junk = tmp_path / "units.xlsx"
    junk.write_bytes(b"\x00\x01 not a workbook")
    code, _, err = run(capsys, "import", "table", junk, "-o", site_file)
    assert code == 1 and "not an XLSX workbook" in err
    assert site_file.read_text(encoding="utf-8") == "my earlier site\n"


def test_import_table_wrong_output_suffix_is_refused_before_reading(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "import", "table", tmp_path / "missing.csv", "-o", tmp_path / "site.txt")
    assert code == 1 and "site.txt" in err and "missing.csv" not in err
    assert list(tmp_path.iterdir()) == []


def test_import_table_missing_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site_file = tmp_path / "site.yaml"
    code, _, err = run(capsys, "import", "table", tmp_path / "units.csv", "-o", site_file)
    assert code == 1 and f"{tmp_path / 'units.csv'}: cannot read: No such file or directory" in err
    assert not site_file.exists()


def test_import_table_needs_files(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["import", "table", "-o", "site.yaml"])
    assert caught.value.code == 2
    assert "the following arguments are required: FILE" in capsys.readouterr().err
