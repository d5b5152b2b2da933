"""Backups that hold every revision: the online backup, restoring it, and the WAL checkpoint on shutdown."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest

from integramap.cli import main
from integramap.model import Site
from integramap.store import Store, StoreError
from integramap.store.backup import PG_DUMP_ADVICE, backup

ROOT = Path(__file__).resolve().parent.parent


def _live_store(folder: Path) -> Store:
    store = Store(data_dir=folder)
    base = None
    for n in range(3):
        base = store.save(Site(id="riverside", name=f"Riverside {n}"), author="me", message=f"save {n}",
                          base=base).number
    return store


def _sites_in_copy_of_main_file(db: Path, tmp: Path) -> int:
    """What the old advice gave: a copy of integramap.db alone, without its -wal file."""
    copy = tmp / "copy" / "integramap.db"
    copy.parent.mkdir()
    shutil.copyfile(db, copy)
    with Store(f"sqlite:///{copy}") as store:
        return len(store.list_sites())


def test_backup_holds_what_the_wal_holds_and_restores(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = _live_store(tmp_path / "live")
    db = tmp_path / "live" / "integramap.db"
    assert (tmp_path / "live" / "integramap.db-wal").stat().st_size > 0  # the revisions are in the WAL
    url = f"sqlite:///{db}"
    assert main(["backup", str(tmp_path / "b.db"), "--database", url]) == 0
    assert "1 site with every revision" in capsys.readouterr().out
    store.close()
    assert not (tmp_path / "b-wal").exists()
    fresh = f"sqlite:///{tmp_path / 'new' / 'integramap.db'}"
    assert main(["restore-backup", str(tmp_path / "b.db"), "--database", fresh]) == 0
    with Store(fresh) as restored:
        assert [r.number for r in restored.history("riverside")] == [3, 2, 1]


def test_restore_refuses_what_is_not_a_backup_and_a_store_with_sites(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = _live_store(tmp_path / "live")
    url = f"sqlite:///{tmp_path / 'live' / 'integramap.db'}"
    assert main(["backup", str(tmp_path / "b.db"), "--database", url]) == 0
    (tmp_path / "junk.db").write_bytes(b"not a database")
    assert main(["restore-backup", str(tmp_path / "junk.db"), "--database", url]) == 1
    assert "not an IntegraMap backup" in capsys.readouterr().err
    assert main(["restore-backup", str(tmp_path / "b.db"), "--database", url]) == 1
    assert "already holds sites" in capsys.readouterr().err
    store.close()  # the app is stopped before a restore
    assert main(["restore-backup", str(tmp_path / "b.db"), "--database", url, "--replace"]) == 0


def test_postgresql_is_pointed_at_pg_dump(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="pg_dump"):
        backup(cast(Store, SimpleNamespace(is_sqlite=False)), tmp_path / "x.db")
    assert "pg_restore" in PG_DUMP_ADVICE


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def test_a_sigterm_stop_leaves_every_revision_in_the_main_file(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "INTEGRAMAP_DATA_DIR": str(tmp_path / "data")}
    env.pop("INTEGRAMAP_DATABASE_URL", None)
    proc = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "--port", str(port)], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        def listening() -> bool:
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
            with socket.socket() as s:
                return s.connect_ex(("127.0.0.1", port)) == 0

        _wait(listening, 120, "the app to listen")
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    db = tmp_path / "data" / "integramap.db"
    wal = tmp_path / "data" / "integramap.db-wal"
    assert not wal.exists() or wal.stat().st_size == 0
    assert _sites_in_copy_of_main_file(db, tmp_path) == len(list((ROOT / "models").glob("*.yaml")))
