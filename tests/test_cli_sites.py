"""``integramap sites``: list, history, export, import and restore against a temporary store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from integramap.cli import main
from integramap.io import read_site
from integramap.store import Store

SITE_V1 = "id: demo\nname: Demo borough\nunits:\n  - {id: t1, name: Crisis team, kind: team}\n"
SITE_V2 = SITE_V1 + "  - {id: t2, name: Social work, kind: team}\nlinks:\n" \
                    "  - {id: l1, source: t1, target: t2, level: co_located}\n"


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A database URL for --database; the environment points elsewhere to prove the flag wins."""
    monkeypatch.delenv("INTEGRAMAP_DATABASE_URL", raising=False)
    monkeypatch.setenv("INTEGRAMAP_DATA_DIR", str(tmp_path / "unused"))
    return f"sqlite:///{tmp_path / 'cli.db'}"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_import_new_then_revision_then_unchanged(db: str, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    v1 = write(tmp_path, "v1.yaml", SITE_V1)
    assert main(["sites", "import", str(v1), "--author", "Asha", "--database", db]) == 0
    assert "new site 'demo' (Demo borough): revision 1; 1 unit, 0 links" in capsys.readouterr().out
    v2 = write(tmp_path, "v2.yaml", SITE_V2)
    assert main(["sites", "import", str(v2), "--author", "Ben", "--message", "add social work",
                 "--database", db]) == 0
    assert "new revision 2, based on revision 1; 2 units, 1 link" in capsys.readouterr().out
    assert main(["sites", "import", str(v2), "--database", db]) == 0
    assert "revision 2 already holds this document; nothing imported" in capsys.readouterr().out
    with Store(db) as store:
        history = store.history("demo")
        assert [(r.number, r.author, r.message) for r in history] == [
            (2, "Ben", "add social work"), (1, "Asha", "Imported from v1.yaml")]
        assert store.get("demo").site == read_site(v2)
    assert not (tmp_path / "unused").exists(), "--database must win over the environment"


def test_import_of_a_bad_file_names_the_fault_and_stores_nothing(db: str, tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    bad = write(tmp_path, "bad.yaml", SITE_V1 + "  - {id: t2, name: X, kind: team, parent: ghost}\n")
    assert main(["sites", "import", str(bad), "--database", db]) == 1
    err = capsys.readouterr().err
    assert "bad.yaml" in err and "line 5" in err and "units[1].parent" in err and "ghost" in err
    with Store(db) as store:
        assert store.list_sites() == []
    assert main(["sites", "import", str(tmp_path / "missing.yaml"), "--database", db]) == 1
    assert "cannot open" in capsys.readouterr().err


def test_list_and_history(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sites", "list", "--database", db]) == 0
    assert "no sites in sqlite:///" in capsys.readouterr().out
    main(["sites", "import", str(write(tmp_path, "v1.yaml", SITE_V1)), "--author", "Asha", "--database", db])
    main(["sites", "import", str(write(tmp_path, "b.yaml", "id: alpha\nname: Alpha\n")), "--author", "Cy",
          "--database", db])
    main(["sites", "import", str(write(tmp_path, "v2.yaml", SITE_V2)), "--author", "Ben", "--database", db])
    capsys.readouterr()
    assert main(["sites", "list", "--database", db]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["ID", "NAME", "REVISION", "SAVED", "BY", "UNITS", "LINKS"]
    assert lines[1].split()[:2] == ["alpha", "Alpha"] and lines[2].startswith("demo")
    assert lines[2].split()[3:4] == ["2"] and "Ben" in lines[2]
    assert main(["sites", "history", "demo", "--database", db]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split()[:2] == ["2", "1"] and "Ben" in lines[1] and "Imported from v2.yaml" in lines[1]
    assert lines[2].split()[:2] == ["1", "-"] and "Asha" in lines[2]
    assert main(["sites", "history", "nowhere", "--database", db]) == 1
    assert "no site 'nowhere'" in capsys.readouterr().err


def test_export_latest_and_a_given_revision(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["sites", "import", str(write(tmp_path, "v1.yaml", SITE_V1)), "--database", db])
    main(["sites", "import", str(write(tmp_path, "v2.yaml", SITE_V2)), "--database", db])
    out = tmp_path / "out" / "demo.json"
    assert main(["sites", "export", "demo", "-o", str(out), "--database", db]) == 0
    assert "revision 2 (2 units, 1 link)" in capsys.readouterr().out
    assert len(json.loads(out.read_text())["units"]) == 2
    old = tmp_path / "old.yml"
    assert main(["sites", "export", "demo", "--revision", "1", "--output", str(old), "--database", db]) == 0
    assert read_site(old) == read_site(tmp_path / "v1.yaml")
    assert yaml.safe_load(old.read_text())["id"] == "demo"


def test_export_refusals_leave_no_file(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["sites", "import", str(write(tmp_path, "v1.yaml", SITE_V1)), "--database", db])
    capsys.readouterr()
    assert main(["sites", "export", "demo", "--revision", "5", "-o", str(tmp_path / "x.yaml"),
                 "--database", db]) == 1
    assert "has no revision 5" in capsys.readouterr().err
    assert main(["sites", "export", "demo", "-o", str(tmp_path / "x.txt"), "--database", db]) == 1
    assert "expected .yaml, .yml or .json" in capsys.readouterr().err
    assert main(["sites", "export", "ghost", "-o", str(tmp_path / "x.yaml"), "--database", db]) == 1
    assert not (tmp_path / "x.yaml").exists() and not (tmp_path / "x.txt").exists()
    existing = write(tmp_path, "keep.yaml", "precious")
    assert main(["sites", "export", "ghost", "-o", str(existing), "--database", db]) == 1
    assert existing.read_text() == "precious"


def test_restore(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["sites", "import", str(write(tmp_path, "v1.yaml", SITE_V1)), "--database", db])
    main(["sites", "import", str(write(tmp_path, "v2.yaml", SITE_V2)), "--database", db])
    capsys.readouterr()
    assert main(["sites", "restore", "demo", "1", "--author", "Asha", "--database", db]) == 0
    assert "revision 1 restored as revision 3" in capsys.readouterr().out
    with Store(db) as store:
        latest = store.history("demo")[0]
        assert (latest.number, latest.author, latest.message, latest.units) == (3, "Asha", "Restored revision 1", 1)
    assert main(["sites", "restore", "demo", "9", "--database", db]) == 1
    assert "no revision 9" in capsys.readouterr().err


def test_environment_chooses_the_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("INTEGRAMAP_DATABASE_URL", raising=False)
    monkeypatch.setenv("INTEGRAMAP_DATA_DIR", str(tmp_path / "data"))
    assert main(["sites", "import", str(write(tmp_path, "v1.yaml", SITE_V1))]) == 0
    assert (tmp_path / "data" / "integramap.db").exists()
    monkeypatch.setenv("INTEGRAMAP_DATABASE_URL", f"sqlite:///{tmp_path / 'other.db'}")
    capsys.readouterr()
    assert main(["sites", "list"]) == 0
    assert "no sites" in capsys.readouterr().out


def test_unreachable_database_is_one_clean_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sites", "list", "--database", "postgresql://me:secret@127.0.0.1:9/none"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: cannot open the database") and "secret" not in err
    assert main(["sites", "list", "--database", "nonsense://"]) == 1
    assert "error: cannot open the database" in capsys.readouterr().err
