"""Bring a database's tables up to date with Alembic, safely when several processes start at once.

Every :class:`~integramap.store.Store` calls :func:`upgrade` when it opens a
database. Web server workers (and machines) start together, so creating or
upgrading the tables happens under a lock: a PostgreSQL advisory lock held by
the upgrading transaction, or an exclusive lock on a file beside an SQLite
database. Whoever gets the lock second finds the tables at the latest
revision and does nothing. A database made before migrations existed (the
``sites`` and ``revisions`` tables and no ``alembic_version``) is stamped at the
first revision, which describes exactly those tables, then upgraded in place.
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Iterator
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import Connection

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows; SQLite there relies on its own locking
    fcntl = None  # type: ignore[assignment]

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BASELINE = "0001"
"""The revision describing the tables that ``create_all`` made before migrations existed."""
ADVISORY_LOCK_KEY = 0x1A7E_6A4A
"""PostgreSQL advisory lock id for schema changes: any fixed number no other code uses."""
_held_locks = threading.local()


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration for the store's migrations, bound to ``connection`` if given."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@functools.cache
def head() -> str:
    """The latest migration's revision id.

    Examples
    --------
    >>> head()
    '0004'
    """
    found = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert found is not None, "the store's migrations folder holds no revision"
    return found


def current(connection: Connection) -> str | None:
    """The revision a database is at; ``None`` for one Alembic has never touched."""
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, lock_file: Path | None = None) -> None:
    """Create or upgrade the store's tables to the latest revision, under a lock.

    ``lock_file`` is the file to lock for SQLite (PostgreSQL uses an advisory
    lock and needs none); ``None`` means no other process can open this
    database (an in-memory one).
    """
    with engine.connect() as conn:
        if current(conn) == head():
            return  # the common case, and it needs no lock
    with file_lock(lock_file), engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # Held until this transaction ends, so it covers the whole upgrade.
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
        at = current(conn)
        if at == head():
            return  # another process upgraded it while this one waited
        config = alembic_config(conn)
        if at is None and inspect(conn).has_table("sites"):
            command.stamp(config, BASELINE)
        command.upgrade(config, "head")


@contextlib.contextmanager
def file_lock(path: Path | None) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (made if missing) for the block; ``None`` locks nothing.

    Re-entrant within a thread: a connection opened while this thread holds the lock
    (the upgrade's own) must not wait for itself.
    """
    if path is None or fcntl is None:
        yield
        return
    held: set[Path] = _held_locks.__dict__.setdefault("paths", set())
    if path in held:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        held.add(path)
        try:
            yield
        finally:
            held.discard(path)
            fcntl.flock(handle, fcntl.LOCK_UN)
