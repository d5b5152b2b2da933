"""Backing up the SQLite store while it runs, and bringing a backup back.

Copying ``integramap.db`` is not a backup: SQLite in WAL mode keeps recent
revisions in ``integramap.db-wal`` until a checkpoint, so a copy of the main
file alone can hold none of them. SQLite's online backup API copies a
consistent snapshot of everything, WAL included, while the app keeps serving.
PostgreSQL has its own tool, ``pg_dump``.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from pathlib import Path

from sqlalchemy.engine import make_url

from .store import Store, StoreError

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_ADVICE = ("this store is PostgreSQL: back it up with PostgreSQL's own tool, e.g. "
                  "`pg_dump --format=custom --file integramap.dump DATABASE_URL`, and restore with `pg_restore`")


def sqlite_path(store: Store) -> Path:
    """The store's SQLite file; :class:`StoreError` with ``pg_dump`` advice for PostgreSQL."""
    if not store.is_sqlite:
        raise StoreError(PG_DUMP_ADVICE)
    database = make_url(store.url).database
    if not database or database == ":memory:":
        raise StoreError("this store is held in memory only; there is nothing on disk to back up")
    return Path(database)


def checkpoint(store: Store) -> None:
    """Move everything in the WAL into the main database file (SQLite only; a no-op otherwise)."""
    if not store.is_sqlite:
        return
    with store.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def backup(store: Store, target: str | Path) -> Path:
    """Write a consistent copy of the whole store to ``target``, one self-contained SQLite file.

    The copy is made beside the target and renamed into place, so a failed backup
    never leaves half a file; it is checked with SQLite's integrity check first.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from integramap.model import Site
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> store = Store(data_dir=folder / "live")
    >>> _ = store.save(Site(id="s", name="S"), author="me", message="first", base=None)
    >>> copy = backup(store, folder / "copy.db")
    >>> Store(f"sqlite:///{copy}").list_sites()[0].id
    's'
    """
    source = sqlite_path(store)
    target = Path(target)
    if target.resolve() == source.resolve():
        raise StoreError(f"{target} is the live database itself; give the backup another name")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        _copy(source, Path(tmp))
        _check(Path(tmp), str(target))
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def restore_backup(store: Store, backup_file: str | Path, *, replace: bool = False) -> int:
    """Make the store hold exactly what ``backup_file`` holds; the number of sites in it.

    The backup is checked first (an SQLite file that passes the integrity check and
    holds IntegraMap's tables). A store that already holds sites is replaced only
    with ``replace``: restoring is the one operation that discards revisions.
    """
    source = Path(backup_file)
    try:
        with source.open("rb") as fh:
            head = fh.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise StoreError(f"{source}: cannot read: {exc.strerror or exc}") from None
    if head != SQLITE_MAGIC:
        raise StoreError(f"{source}: not an IntegraMap backup (not an SQLite database file)")
    _check(source, str(source))
    target = sqlite_path(store)
    if store.list_sites() and not replace:
        raise StoreError(f"the store {store.describe()} already holds sites; restoring replaces every one of "
                         "them with the backup's. Back the store up first, then run again with --replace")
    store.engine.dispose()
    try:
        _copy(source, target, self_contained=False)
    except sqlite3.OperationalError as exc:
        raise StoreError(f"cannot restore into {store.describe()} ({exc}): stop the app first") from None
    store.engine.dispose()
    return len(Store(f"sqlite:///{source}").list_sites())


def _copy(source: Path, target: Path, *, self_contained: bool = True) -> None:
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target, timeout=30)
    try:
        src.backup(dst)
        if self_contained:  # one file: no WAL beside the copy for a later copy to miss
            dst.execute("PRAGMA journal_mode=DELETE")
    finally:
        dst.close()
        src.close()


def _check(path: Path, name: str) -> None:
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = conn.execute("PRAGMA integrity_check").fetchone()
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{name}: not a readable SQLite database ({exc})") from None
    if not result or result[0] != "ok":
        raise StoreError(f"{name}: the database is damaged (SQLite's integrity check: {result[0] if result else '?'})")
    if not {"sites", "revisions"} <= tables:
        raise StoreError(f"{name}: an SQLite database, but not an IntegraMap store (no sites and revisions tables)")
