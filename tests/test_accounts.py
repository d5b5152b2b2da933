"""Accounts, roles, tokens and the audit log in the store, and the migrations that make their tables."""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, insert, inspect, text

from integramap.model import Site
from integramap.people import LOCAL_PERSON, Person, Role
from integramap.store import ConflictError, Store, database_url
from integramap.store.store import SQLITE_APPLICATION_ID, _make_engine
from integramap.store.accounts import AccountError, TooManyAttempts
from integramap.store.migrate import file_lock, head
from integramap.store.schema import Base, RevisionRow, SiteRow

POSTGRES_ENV = "INTEGRAMAP_TEST_POSTGRES_URL"
PASSWORD = "correct horse battery"


def _drop_everything(url: str) -> None:
    engine = create_engine(database_url(url))
    Base.metadata.drop_all(engine)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a database with no tables at all, for each backend."""
    if request.param == "sqlite":
        yield database_url(None, tmp_path)
        return
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        pytest.skip(f"no PostgreSQL server: set {POSTGRES_ENV} (.ci/run starts one) to test on it")
    _drop_everything(url)
    yield url
    _drop_everything(url)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(data_dir=tmp_path) as s:
        yield s


# Migrations --------------------------------------------------------------------------------

def test_a_fresh_database_is_created_at_the_latest_migration(fresh_url: str) -> None:
    with Store(fresh_url) as store:
        tables = set(inspect(store.engine).get_table_names())
        with store.engine.connect() as conn:
            version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    assert {"sites", "revisions", "users", "grants", "tokens", "audit", "settings"} <= tables
    assert version == head()


def test_a_database_made_before_migrations_is_upgraded_in_place(fresh_url: str) -> None:
    # Exactly what the store's create_all made before migrations: sites and revisions, no version table.
    engine = create_engine(database_url(fresh_url))
    Base.metadata.create_all(engine, tables=[SiteRow.__table__, RevisionRow.__table__])  # type: ignore[list-item]
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(insert(SiteRow).values(id="old", name="Old site", latest=1, created_at=now, updated_at=now))
        conn.execute(insert(RevisionRow).values(
            site_id="old", number=1, author="Asha", message="made before accounts", created_at=now, base=None,
            name="Old site", units=0, links=0, document='{"id": "old", "name": "Old site"}'))
    engine.dispose()

    with Store(fresh_url) as store:
        assert store.get("old").author == "Asha"
        store.save(Site(id="old", name="Old site, renamed"), author="Ben", message="after", base=1)
        store.accounts.add("Ben", PASSWORD, actor="test")
        assert [r.number for r in store.history("old")] == [2, 1]
        with store.engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == head()


def _open_at_once(url: str, barrier: "multiprocessing.synchronize.Barrier", results: "multiprocessing.Queue[str]") -> None:
    barrier.wait()
    try:
        with Store(url) as store:
            try:
                store.save(Site(id="shared", name="Shared"), author="setup", message="first", base=None)
            except ConflictError:
                pass  # another process saved it first, as it should be for all but one
            store.accounts.secret("session")
        results.put("ok")
    except Exception as exc:  # reported to the test, which names it
        results.put(f"{type(exc).__name__}: {exc}")


@pytest.mark.parametrize("round_", range(2))
def test_processes_opening_a_fresh_database_at_once_all_succeed(fresh_url: str, round_: int) -> None:
    ctx = multiprocessing.get_context("fork")  # each child opens its own store
    workers = 5
    barrier = ctx.Barrier(workers)
    results: multiprocessing.Queue[str] = ctx.Queue()
    procs = [ctx.Process(target=_open_at_once, args=(fresh_url, barrier, results)) for _ in range(workers)]
    for p in procs:
        p.start()
    outcomes = [results.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=30)
    assert outcomes == ["ok"] * workers
    with Store(fresh_url) as store:
        assert len({store.accounts.secret("session")}) == 1
        assert [(s.id, s.latest) for s in store.list_sites()] == [("shared", 1)]


def test_a_fresh_sqlite_file_is_switched_to_wal_under_the_file_lock(tmp_path: Path) -> None:
    # Processes switching a new file's journal mode at once fail with "database is locked"
    # without waiting (about 1 round in 10 with five processes): the switch must queue.
    path = tmp_path / "integramap.db"
    lock = Path(str(path) + ".lock")
    opened: list[str] = []

    def open_store() -> None:
        engine = _make_engine(database_url(None, tmp_path), True, lock)
        with engine.connect() as conn:  # only connecting: the tables are made under the lock anyway
            opened.append(str(conn.execute(text("PRAGMA journal_mode")).scalar()))
        engine.dispose()

    with file_lock(lock):
        opener = threading.Thread(target=open_store)
        opener.start()
        opener.join(timeout=0.5)
        assert opener.is_alive(), "the journal mode was switched without the lock"
    opener.join(timeout=60)
    assert opened == ["wal"] and not opener.is_alive()
    header = path.read_bytes()[:100]
    assert header[18:20] == b"\x02\x02"  # WAL, recorded in the file itself
    assert int.from_bytes(header[68:72], "big") == SQLITE_APPLICATION_ID
    with Store(database_url(None, tmp_path)):  # the lock is re-entrant for the upgrade's own connections
        pass


# Accounts ----------------------------------------------------------------------------------

def test_passwords_are_hashed_with_argon2_and_checked(store: Store) -> None:
    store.accounts.add("Asha Patel", PASSWORD, admin=True, actor="setup")
    with store.engine.connect() as conn:
        stored = conn.execute(text("SELECT password_hash FROM users")).scalar()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    person = store.accounts.sign_in("Asha  Patel", PASSWORD)
    assert person == Person(name="Asha Patel", admin=True)
    assert store.accounts.sign_in("Asha Patel", PASSWORD + "x") is None
    assert store.accounts.sign_in("Nobody", PASSWORD) is None


def test_bad_names_and_short_passwords_are_refused_with_a_reason(store: Store) -> None:
    with pytest.raises(AccountError, match="at least 10"):
        store.accounts.add("Asha", "short", actor="setup")
    with pytest.raises(AccountError, match="control character"):
        store.accounts.add("Asha\x00", PASSWORD, actor="setup")
    store.accounts.add("Asha", PASSWORD, actor="setup")
    with pytest.raises(AccountError, match="already an account named 'Asha'"):
        store.accounts.add("Asha", PASSWORD, actor="setup")
    with pytest.raises(AccountError, match="no account named 'Ben'"):
        store.accounts.grant("Ben", "s", Role.VIEWER, actor="setup")
    assert store.accounts.count() == 1


def test_roles_replace_each_other_and_revoke_removes_them(store: Store) -> None:
    store.accounts.add("Asha", PASSWORD, actor="setup")
    store.accounts.grant("Asha", "riverside", Role.VIEWER, actor="Owen")
    store.accounts.grant("Asha", "riverside", Role.EDITOR, actor="Owen")
    store.accounts.grant("Asha", "harbour", Role.OWNER, actor="Owen")
    person = store.accounts.person("Asha")
    assert person.roles == {"riverside": Role.EDITOR, "harbour": Role.OWNER}
    assert person.may("riverside", Role.EDITOR) and not person.may("riverside", Role.OWNER)
    assert store.accounts.members("riverside") == {"Asha": Role.EDITOR}
    assert store.accounts.revoke("Asha", "riverside", actor="Owen") is True
    assert store.accounts.revoke("Asha", "riverside", actor="Owen") is False
    assert store.accounts.person("Asha").roles == {"harbour": Role.OWNER}


def test_tokens_identify_their_owner_and_only_a_digest_is_kept(store: Store) -> None:
    store.accounts.add("Asha", None, actor="setup")
    token = store.accounts.new_token("Asha", actor="setup")
    assert token.startswith("im_") and len(token) > 40
    assert store.accounts.person_for_token(token) == Person(name="Asha")
    assert store.accounts.person_for_token(token + "x") is None
    with store.engine.connect() as conn:
        assert token not in str(conn.execute(text("SELECT * FROM tokens")).all())
    # An account without a password cannot sign in with one, whatever is typed.
    assert store.accounts.sign_in("Asha", "") is None


def test_removing_an_account_keeps_its_revisions_and_drops_its_roles_and_tokens(store: Store) -> None:
    store.accounts.add("Asha", PASSWORD, actor="setup")
    store.accounts.grant("Asha", "demo", Role.EDITOR, actor="setup")
    token = store.accounts.new_token("Asha", actor="setup")
    store.save(Site(id="demo", name="Demo"), author="Asha", message="start", base=None)
    store.accounts.remove("Asha", actor="setup")
    assert store.accounts.count() == 0 and store.accounts.person_for_token(token) is None
    assert store.history("demo")[0].author == "Asha"
    store.accounts.add("Asha", PASSWORD, actor="setup")  # the name can be used again, with no old roles
    assert store.accounts.person("Asha").roles == {}


def test_the_audit_log_records_sign_ins_grants_and_saves(store: Store) -> None:
    store.accounts.add("Asha", PASSWORD, actor="root")
    store.accounts.grant("Asha", "demo", Role.EDITOR, actor="root")
    store.accounts.sign_in("Asha", PASSWORD)
    store.accounts.sign_in("Asha", "guess guess guess")
    store.save(Site(id="demo", name="Demo"), author="Asha", message="first map", base=None)
    entries = store.accounts.audit()
    assert [(e.actor, e.action, e.site_id) for e in entries] == [
        ("Asha", "save", "demo"), ("Asha", "sign-in failed", None), ("Asha", "sign-in", None),
        ("root", "grant", "demo"), ("root", "add user", None)]
    assert entries[0].detail == "revision 1: first map"
    assert [e.action for e in store.accounts.audit(site_id="demo")] == ["save", "grant"]
    assert [e.action for e in store.accounts.audit(actor="root", limit=1)] == ["grant"]


def test_a_refused_save_is_not_audited(store: Store) -> None:
    store.save(Site(id="demo", name="Demo"), author="Asha", message="one", base=None)
    with pytest.raises(Exception, match="already exists"):
        store.save(Site(id="demo", name="Demo"), author="Ben", message="two", base=None)
    assert [e.actor for e in store.accounts.audit()] == ["Asha"]


def test_the_shared_secret_is_made_once_and_kept(store: Store, tmp_path: Path) -> None:
    first = store.accounts.secret("session")
    with Store(data_dir=tmp_path) as other:
        assert other.accounts.secret("session") == first
    assert len(first) == 64 and store.accounts.secret("other") != first


def test_the_single_user_person_may_do_everything() -> None:
    assert LOCAL_PERSON.local and LOCAL_PERSON.may("any-site", Role.OWNER)


# Limits that hold under a burst ----------------------------------------------------------------

def _use_at_once(url: str, barrier: object, results: object, password: str | None) -> None:
    barrier.wait()  # type: ignore[attr-defined]
    try:
        with Store(url) as store:
            if password is None:
                results.put(store.accounts.use_within_limit("Asha", "upload", 5, 600))  # type: ignore[attr-defined]
            else:
                try:
                    store.accounts.sign_in("Asha", password, most_failures=5, window_seconds=900)
                    results.put("checked")  # type: ignore[attr-defined]
                except TooManyAttempts:
                    results.put("refused")  # type: ignore[attr-defined]
    except Exception as exc:  # reported to the test, which names it
        results.put(f"{type(exc).__name__}: {exc}")  # type: ignore[attr-defined]


def _burst(url: str, workers: int, password: str | None) -> list[object]:
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(workers)
    results: multiprocessing.Queue[object] = ctx.Queue()
    procs = [ctx.Process(target=_use_at_once, args=(url, barrier, results, password)) for _ in range(workers)]
    for p in procs:
        p.start()
    outcomes = [results.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=30)
    return outcomes


def test_a_burst_of_uses_from_many_processes_never_goes_over_the_limit(fresh_url: str) -> None:
    with Store(fresh_url) as store:
        store.accounts.add("Asha", PASSWORD, actor="setup")
        assert store.accounts.use_within_limit("Asha", "upload", 5, 600)  # one use before the burst
    outcomes = _burst(fresh_url, 12, None)
    assert all(isinstance(o, bool) for o in outcomes), outcomes
    let_through = sum(1 for o in outcomes if o is True)
    assert let_through <= 4, outcomes  # 5 in all: the one before, and at most 4 of the burst
    with Store(fresh_url) as store:
        assert store.accounts.recent("Asha", "upload", 600) == 1 + let_through
        assert store.accounts.recent("Asha", "upload refused", 600) == 12 - let_through


def test_a_burst_of_password_guesses_is_held_to_the_failure_limit(fresh_url: str) -> None:
    with Store(fresh_url) as store:
        store.accounts.add("Asha", PASSWORD, actor="setup")
    outcomes = _burst(fresh_url, 12, "a wrong guess")
    assert set(outcomes) <= {"checked", "refused"}, outcomes
    checked = outcomes.count("checked")
    assert checked <= 5, outcomes  # a password was checked at most 5 times, however many came at once
    with Store(fresh_url) as store:
        assert store.accounts.recent("Asha", "sign-in failed", 900) == checked
        assert store.accounts.recent("Asha", "sign-in refused", 900) == 12 - checked
        with pytest.raises(TooManyAttempts):
            store.accounts.sign_in("Asha", PASSWORD, most_failures=checked, window_seconds=900)


def test_a_right_password_is_audited_as_a_sign_in_not_a_failure(store: Store) -> None:
    store.accounts.add("Asha", PASSWORD, actor="setup")
    assert store.accounts.sign_in("Asha", PASSWORD, most_failures=5, window_seconds=900) is not None
    assert store.accounts.recent("Asha", "sign-in failed", 900) == 0
    assert store.accounts.recent("Asha", "sign-in", 900) == 1
