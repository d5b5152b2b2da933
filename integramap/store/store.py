"""Every revision of every site, in SQLite by default or PostgreSQL by URL.

A save never overwrites: it adds revision ``n + 1`` of the site, naming the
revision ``n`` it was based on. A save whose base is no longer the latest is
refused with :class:`ConflictError`, whatever the timing: the ``sites`` row's
``latest`` column is compared-and-set inside the saving transaction, and the
unique ``(site_id, number)`` constraint refuses a duplicate revision number
should two saves ever slip past that.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections import OrderedDict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Engine, create_engine, event, insert, select, update
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

from ..io.sitefile import read_site, site_to_data
from ..model import Problem, Site, SiteError, validate_site
from ..model.legacy import repair_control_characters
from ..scenario import Scenario
from .accounts import Accounts
from .migrate import file_lock, upgrade
from .schema import AuditRow, RevisionRow, SiteRow, as_utc
from .scenarios import SavedScenario, ScenarioStore
from .working import WorkingCopyStore

log = logging.getLogger(__name__)

DATA_DIR_ENV = "INTEGRAMAP_DATA_DIR"
DATABASE_URL_ENV = "INTEGRAMAP_DATABASE_URL"
DEFAULT_DATA_DIR = Path("instance")
SQLITE_FILE = "integramap.db"
SEED_AUTHOR = "integramap"
BUSY_TIMEOUT_SECONDS = 30
SQLITE_APPLICATION_ID = 0x494D4150
""""IMAP" in an SQLite file's header: marks it as an IntegraMap store (see ``file(1)``)."""
POOL_SIZE_ENV = "INTEGRAMAP_DB_POOL_SIZE"
POOL_OVERFLOW_ENV = "INTEGRAMAP_DB_POOL_OVERFLOW"
POOL_TIMEOUT_ENV = "INTEGRAMAP_DB_POOL_TIMEOUT"
MAX_AUTHOR_LENGTH = 200
CACHED_REVISIONS = 16
"""Validated revisions kept in memory: revisions never change, and big sites are slow to validate."""


class StoreError(Exception):
    """The store could not do what was asked; the message says why and what to do."""


class ConflictError(StoreError):
    """A save was based on a revision that is no longer the latest (or a new site's id is taken).

    ``latest`` describes the revision the editor has not seen, where there is one.
    """

    def __init__(self, message: str, *, site_id: str, base: int | None,
                 latest: "RevisionInfo | None" = None) -> None:
        super().__init__(message)
        self.site_id = site_id
        self.base = base
        self.latest = latest


class UnknownSiteError(KeyError):
    """No site (or no such revision of a site) in the store."""

    def __init__(self, message: str, *, site_id: str, revision: int | None = None,
                 command_line: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.site_id = site_id
        self.revision = revision
        self.command_line = command_line or message
        """The message for the command line, which may name the database and a command to run."""

    def __str__(self) -> str:  # KeyError would quote the message
        return self.message


class RevisionInfo(BaseModel):
    """One revision of a site, without its document: for histories and listings."""

    model_config = ConfigDict(frozen=True)

    site_id: str
    number: int
    author: str
    message: str
    created_at: datetime
    base: int | None
    name: str
    units: int
    links: int


class Revision(RevisionInfo):
    """One revision of a site with its validated document."""

    site: Site


class SiteInfo(BaseModel):
    """A stored site as listed: its latest revision's name, number, author, time and size."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    latest: int
    updated_at: datetime
    author: str
    units: int
    links: int


def database_url(url: str | None = None, data_dir: Path | None = None) -> str:
    """The SQLAlchemy URL to use: ``url`` as given (PostgreSQL gets the psycopg 3 driver),
    or an SQLite file in the data folder.

    Examples
    --------
    >>> database_url("postgresql://me@db.example/integramap")
    'postgresql+psycopg://me@db.example/integramap'
    >>> database_url(None, Path("/srv/im"))
    'sqlite:////srv/im/integramap.db'
    """
    if url:
        for prefix in ("postgresql://", "postgres://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix):]
        return url
    folder = data_dir or Path(os.environ.get(DATA_DIR_ENV) or DEFAULT_DATA_DIR)
    return f"sqlite:///{(folder / SQLITE_FILE).absolute()}"


class Store:
    """Sites and their revisions in a database.

    Parameters
    ----------
    url
        A SQLAlchemy database URL (``postgresql://…`` is accepted and run with
        psycopg 3). ``None`` means an SQLite file ``integramap.db`` in
        ``data_dir``, else ``$INTEGRAMAP_DATA_DIR``, else ``./instance``.
    data_dir
        The folder for the SQLite file when no URL is given.

    Examples
    --------
    >>> import tempfile
    >>> from integramap.model import Site
    >>> store = Store(data_dir=Path(tempfile.mkdtemp()))
    >>> first = store.save(Site(id="demo", name="Demo"), author="Asha", message="start", base=None)
    >>> second = store.save(Site(id="demo", name="Demo borough"), author="Ben", message="rename", base=1)
    >>> [(r.number, r.author, r.name) for r in store.history("demo")]
    [(2, 'Ben', 'Demo borough'), (1, 'Asha', 'Demo')]
    >>> store.save(Site(id="demo", name="Stale"), author="Cy", message="", base=1)
    Traceback (most recent call last):
    ...
    integramap.store.store.ConflictError: Revision 2 of Demo borough was saved by Ben at ...
    >>> store.close()
    """

    def __init__(self, url: str | None = None, *, data_dir: Path | None = None) -> None:
        self.url = database_url(url, data_dir)
        parsed = make_url(self.url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        lock_file = None
        if self.is_sqlite and parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            lock_file = Path(parsed.database + ".lock")
        self.engine: Engine = _make_engine(self.url, self.is_sqlite, lock_file)
        try:
            upgrade(self.engine, lock_file)
        except (OperationalError, ProgrammingError) as exc:
            self.engine.dispose()
            raise StoreError(f"cannot open the database {self.describe()}: {exc.orig}") from None
        self.working_copies = WorkingCopyStore(self.engine)
        """Each person's unsaved working copies, kept in the same database."""
        self.accounts = Accounts(self.engine)
        self._scenarios = ScenarioStore(self.engine)
        """Accounts, roles, tokens and the audit log kept in the same database."""
        self._cache: OrderedDict[tuple[str, int], Revision] = OrderedDict()
        self._cache_lock = threading.Lock()
        self.seed_errors: list[SiteError] = []

    @classmethod
    def from_env(cls) -> "Store":
        """The store the environment names: ``$INTEGRAMAP_DATABASE_URL``, else SQLite in
        ``$INTEGRAMAP_DATA_DIR`` (default ``./instance``)."""
        return cls(os.environ.get(DATABASE_URL_ENV) or None)

    def describe(self) -> str:
        """Where the data lives, for messages (the password is hidden)."""
        return make_url(self.url).render_as_string(hide_password=True)

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # Reading -----------------------------------------------------------------------------

    def list_sites(self) -> list[SiteInfo]:
        """Every stored site with its latest revision, by name."""
        query = (select(SiteRow.id, RevisionRow.name, SiteRow.latest, RevisionRow.created_at,
                        RevisionRow.author, RevisionRow.units, RevisionRow.links)
                 .join(RevisionRow, (RevisionRow.site_id == SiteRow.id)
                       & (RevisionRow.number == SiteRow.latest)))
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        sites = [SiteInfo(id=r.id, name=r.name, latest=r.latest, updated_at=as_utc(r.created_at),
                          author=r.author, units=r.units, links=r.links) for r in rows]
        return sorted(sites, key=lambda s: (s.name.casefold(), s.id))

    def exists(self, site_id: str) -> bool:
        """Whether a site with this id is stored."""
        with self.engine.connect() as conn:
            return conn.execute(select(SiteRow.id).where(SiteRow.id == site_id)).first() is not None

    def latest(self, site_id: str) -> int:
        """The latest revision number of a site; :class:`UnknownSiteError` when there is none."""
        with self.engine.connect() as conn:
            number = conn.execute(select(SiteRow.latest).where(SiteRow.id == site_id)).scalar()
        if number is None:
            raise self._unknown(site_id)
        return int(number)

    def get(self, site_id: str, revision: int | None = None) -> Revision:
        """A revision of a site (the latest when ``revision`` is ``None``), validated.

        Raises :class:`UnknownSiteError` naming the site or revision that is not stored,
        and :class:`SiteError` if the stored document is no longer a valid site.
        """
        number = self.latest(site_id) if revision is None else revision
        with self._cache_lock:
            cached = self._cache.get((site_id, number))
            if cached is not None:
                self._cache.move_to_end((site_id, number))
                return cached
        with self.engine.connect() as conn:
            row = conn.execute(select(RevisionRow).where(RevisionRow.site_id == site_id,
                                                         RevisionRow.number == number)).first()
        if row is None:
            if revision is not None and self.exists(site_id):
                raise UnknownSiteError(
                    f"site {site_id!r} has no revision {revision} (its revisions are 1 to "
                    f"{self.latest(site_id)})", site_id=site_id, revision=revision)
            raise self._unknown(site_id)
        result = Revision(site=_load_document(row), **_info(row).model_dump())
        with self._cache_lock:
            self._cache[(site_id, number)] = result
            while len(self._cache) > CACHED_REVISIONS:
                self._cache.popitem(last=False)
        return result

    def history(self, site_id: str) -> list[RevisionInfo]:
        """Every revision of a site, newest first; :class:`UnknownSiteError` when there is none."""
        query = (select(RevisionRow.site_id, RevisionRow.number, RevisionRow.author,
                        RevisionRow.message, RevisionRow.created_at, RevisionRow.base,
                        RevisionRow.name, RevisionRow.units, RevisionRow.links)
                 .where(RevisionRow.site_id == site_id).order_by(RevisionRow.number.desc()))
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        if not rows:
            raise self._unknown(site_id)
        return [_info(r) for r in rows]

    # Writing -----------------------------------------------------------------------------

    def save(self, site: Site, *, author: str, message: str, base: int | None) -> RevisionInfo:
        """Store ``site`` as the next revision, in one transaction.

        ``base`` is the revision the editor started from: ``None`` creates a new
        site (:class:`ConflictError` if the id is taken); any other value must be
        the site's latest revision, or :class:`ConflictError` says who saved what
        in the meantime. Nothing is written when a save is refused.
        """
        author = _clean_author(author)
        document = json.dumps(site_to_data(site), ensure_ascii=False, separators=(",", ":"))
        now = datetime.now(UTC)
        number = 1 if base is None else base + 1
        row = {"site_id": site.id, "number": number, "author": author, "message": message,
               "created_at": now, "base": base, "name": site.name, "units": len(site.units),
               "links": len(site.links), "document": document}
        try:
            with self.engine.begin() as conn:
                # The write comes first, so the database's row lock (PostgreSQL) or write
                # lock (SQLite) orders concurrent saves before anything is read.
                if base is None:
                    conn.execute(insert(SiteRow).values(id=site.id, name=site.name, latest=1,
                                                        created_at=now, updated_at=now))
                else:
                    moved = conn.execute(
                        update(SiteRow).where(SiteRow.id == site.id, SiteRow.latest == base)
                        .values(latest=number, name=site.name, updated_at=now))
                    if moved.rowcount != 1:
                        raise self._stale(conn, site.id, base)
                conn.execute(insert(RevisionRow).values(**row))
                conn.execute(insert(AuditRow).values(at=now, actor=author, action="save", site_id=site.id,
                                                     detail=f"revision {number}: {message}"[:2000]))
        except IntegrityError:
            with self.engine.connect() as conn:
                raise self._stale(conn, site.id, base) from None
        except OperationalError as exc:
            raise StoreError(f"could not save site {site.id!r} to {self.describe()}: {exc.orig}; "
                             "nothing was saved, try again") from None
        info = RevisionInfo(**{k: v for k, v in row.items() if k != "document"})
        with self._cache_lock:
            self._cache[(site.id, number)] = Revision(site=site, **info.model_dump())
            while len(self._cache) > CACHED_REVISIONS:
                self._cache.popitem(last=False)
        return info

    def restore(self, site_id: str, revision: int, *, author: str,
                message: str | None = None) -> RevisionInfo:
        """Make an old revision's document the latest again, as a new revision.

        Nothing is destroyed: the revisions in between stay in the history.
        """
        old = self.get(site_id, revision)
        text = message or f"Restored revision {revision}"
        for _attempt in range(3):
            latest = self.latest(site_id)
            try:
                return self.save(old.site, author=author, message=text, base=latest)
            except ConflictError:
                continue  # someone saved meanwhile; restoring does not depend on what they saved
        raise ConflictError(f"could not restore revision {revision} of site {site_id!r}: other "
                            "saves kept arriving; try again", site_id=site_id, base=None)

    def seed(self, models_dir: Path) -> list[str]:
        """Store each ``models_dir/*.yaml`` whose site id is not stored yet.

        Returns the ids of the sites added. A file that is not a valid site is
        logged and kept in :attr:`seed_errors`, and the others are still loaded.
        """
        models_dir = Path(models_dir)
        added: list[str] = []
        self.seed_errors = []
        for path in sorted(models_dir.glob("*.yaml")):
            try:
                site = read_site(path)
            except SiteError as err:
                log.warning("not loading %s:\n%s", path, err.render())
                self.seed_errors.append(err)
                continue
            if self.exists(site.id):
                continue
            try:
                self.save(site, author=SEED_AUTHOR, message=f"Loaded from {models_dir.name}/{path.name}",
                          base=None)
            except ConflictError:
                continue  # another process loaded it first
            added.append(site.id)
        return added

    # Scenarios kept beside a site ---------------------------------------------------------

    def list_scenarios(self, site_id: str) -> list[SavedScenario]:
        """The what-if scenarios kept beside a site, by name."""
        return self._scenarios.list(site_id)

    def get_scenario(self, site_id: str, name: str) -> Scenario:
        """A kept scenario; :class:`~integramap.store.scenarios.UnknownScenarioError` if none of that name."""
        return self._scenarios.get(site_id, name)

    def save_scenario(self, site_id: str, scenario: Scenario, *, author: str,
                      base: int | None) -> SavedScenario:
        """Keep a scenario beside a stored site (replacing one of the same name); ``base`` is the
        revision it was tried on. :class:`UnknownSiteError` if the site was never saved."""
        try:
            return self._scenarios.save(site_id, scenario, author=_clean_author(author), base=base)
        except KeyError:
            raise self._unknown(site_id) from None

    def delete_scenario(self, site_id: str, name: str) -> None:
        """Forget a kept scenario."""
        self._scenarios.delete(site_id, name)

    # Helpers -----------------------------------------------------------------------------

    def _unknown(self, site_id: str) -> UnknownSiteError:
        # Pages show the message; only the command line names the database and a command.
        return UnknownSiteError(
            f"No site called {site_id!r}. Choose one from the list.", site_id=site_id,
            command_line=f"no site {site_id!r} in {self.describe()}; `integramap sites list` shows the "
                         "stored sites")

    def _stale(self, conn: Connection, site_id: str, base: int | None) -> Exception:
        """The error for a save whose base is not the latest, read after the refusal."""
        latest = conn.execute(select(SiteRow.latest).where(SiteRow.id == site_id)).scalar()
        if latest is None:
            return self._unknown(site_id)
        row = conn.execute(select(RevisionRow.site_id, RevisionRow.number, RevisionRow.author,
                                  RevisionRow.message, RevisionRow.created_at, RevisionRow.base,
                                  RevisionRow.name, RevisionRow.units, RevisionRow.links)
                           .where(RevisionRow.site_id == site_id, RevisionRow.number == latest)).first()
        info = _info(row) if row is not None else None
        who = f" by {info.author} at {_when(info.created_at)}" if info else ""
        if base is None:
            return ConflictError(
                f"A site with id {site_id!r} already exists (revision {latest} saved{who}): choose "
                "another id for the new site, or open the existing one to edit it",
                site_id=site_id, base=base, latest=info)
        if base > latest:
            return ConflictError(f"Site {site_id!r} has no revision {base} to save over (the latest "
                                 f"is {latest}): reload the site", site_id=site_id, base=base, latest=info)
        others = latest - base
        more = f" ({others} revisions since yours)" if others > 1 else ""
        called = info.name if info else repr(site_id)  # the name a manager knows the site by
        return ConflictError(
            f"Revision {latest} of {called} was saved{who} while you were editing "
            f"revision {base}{more}: reload to see their changes, then apply yours again",
            site_id=site_id, base=base, latest=info)


def _make_engine(url: str, is_sqlite: bool, lock_file: Path | None = None) -> Engine:
    if not is_sqlite:
        # Each server process keeps at most POOL_SIZE + POOL_OVERFLOW connections; a request
        # that waits longer than POOL_TIMEOUT for one fails with a "busy, try again" (the web
        # app answers 503) rather than queueing for ever.
        return create_engine(url, pool_pre_ping=True, pool_size=_env_int(POOL_SIZE_ENV, 5),
                             max_overflow=_env_int(POOL_OVERFLOW_ENV, 10),
                             pool_timeout=_env_int(POOL_TIMEOUT_ENV, 10))
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_SECONDS,
                                              "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        # The busy timeout makes a writer wait for the lock rather than fail at once.
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_SECONDS * 1000}")
        cursor.execute("PRAGMA foreign_keys=ON")
        if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            _use_wal(cursor, lock_file)
        cursor.close()

    return engine


def _use_wal(cursor: Any, lock_file: Path | None) -> None:
    """Put the database file in WAL mode, which lets the app read while another process saves.

    Processes opening a new file at once all find it in rollback mode and all switch: each
    holds a shared lock and wants an exclusive one, and SQLite answers all but one with
    "database is locked" at once, without waiting (its deadlock rule). Switching under the
    file lock leaves nothing to race: whoever comes next finds WAL and does nothing. The file
    is marked as an IntegraMap store (its application id) in the same step.
    """
    with file_lock(lock_file):
        cursor.execute("PRAGMA journal_mode=WAL")
        if cursor.execute("PRAGMA application_id").fetchone()[0] != SQLITE_APPLICATION_ID:
            cursor.execute(f"PRAGMA application_id={SQLITE_APPLICATION_ID}")


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit():
        raise StoreError(f"${name} is {value!r}; expected a whole number")
    return int(value)


def _when(moment: datetime) -> str:
    moment = as_utc(moment)
    clock = moment.strftime("%H:%M UTC")
    if moment.date() == datetime.now(UTC).date():
        return clock
    return f"{clock} on {moment.day} {moment.strftime('%b %Y')}"


def _info(row: Any) -> RevisionInfo:
    return RevisionInfo(site_id=row.site_id, number=row.number, author=row.author, message=row.message,
                        created_at=as_utc(row.created_at), base=row.base, name=row.name,
                        units=row.units, links=row.links)


def _clean_author(author: str) -> str:
    author = " ".join(str(author).split())
    if not author:
        raise ValueError("author is required: the name of the person saving")
    if len(author) > MAX_AUTHOR_LENGTH:
        raise ValueError(f"author is {len(author)} characters; at most {MAX_AUTHOR_LENGTH} are kept")
    return author


def _load_document(row: Any) -> Site:
    """The stored document as a validated site, which must carry the row's site id."""
    source = f"site {row.site_id!r} revision {row.number} in the store"
    try:
        data = json.loads(row.document)
    except json.JSONDecodeError as exc:
        raise SiteError.single(f"stored document is not JSON: {exc.msg}", source=source) from None
    try:
        site = validate_site(data, source=source)
    except SiteError as err:
        repaired = repair_control_characters(data, err.problems)
        if repaired is None:
            raise
        site = validate_site(repaired[0], source=source)
        log.warning("%s: %d name(s) or note(s) held control characters, taken out on loading; "
                    "the stored revision is unchanged", source, repaired[1])
    if site.id != row.site_id:
        raise SiteError([Problem(("id",), f"document's id is {site.id!r}; expected {row.site_id!r}, "
                                          "the site it is stored under")], source=source)
    return site

