"""The revision store on SQLite always, and on PostgreSQL where INTEGRAMAP_TEST_POSTGRES_URL names one."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text, update

from integramap.model import Site, SiteError, validate_site
from integramap.store import (
    ConflictError,
    Revision,
    RevisionInfo,
    SiteInfo,
    Store,
    StoreError,
    UnknownSiteError,
    database_url,
)
from integramap.store.schema import Base, RevisionRow

POSTGRES_ENV = "INTEGRAMAP_TEST_POSTGRES_URL"


def rich_site(site_id: str = "riverside", name: str = "Riverside borough") -> Site:
    """A site using every part of the model, so a round trip checks all of it."""
    return validate_site({
        "id": site_id, "name": name, "description": "Early integrator — “quoted” text, ünïcode",
        "source": {"title": "Hand-made", "licence": "OGL-UK-3.0"},
        "areas": [{"id": "E01000001", "name": "LSOA 1", "population": 1523.5, "codes": {"lad": "E09000022"}},
                  {"id": "E01000002", "population": 1400}],
        "units": [
            {"id": "trust", "name": "Riverside NHS Trust", "kind": "organisation", "org_type": "nhs_trust",
             "sectors": ["community_health", "mental_health"]},
            {"id": "council", "name": "Riverside Council", "kind": "organisation",
             "org_type": "local_authority", "sectors": ["social_care"],
             "footprint": {"E01000001": 1.0, "E01000002": 1.0}},
            {"id": "team-1", "name": "Rapid response", "kind": "team", "parent": "trust", "basis": "geographic",
             "age_groups": ["adults", "older_people"], "functions": ["frailty"],
             "footprint": {"E01000001": 0.5},
             "attributes": {"employer": "trust", "it_system": "SystmOne", "staff_count": 12,
                            "position": {"x": 10.5, "y": -3.25}}},
            {"id": "team-2", "name": "<img src=x onerror=alert(1)>", "kind": "team", "parent": "council"},
        ],
        "links": [{"id": "l1", "source": "team-1", "target": "team-2", "level": "co_located",
                   "target_level": "pooled_management",
                   "facets": {"estates": "co_located", "it": "workaround"},
                   "mechanisms": ["interface_meeting", "shared_care_record"], "notes": "weekly"}],
        "metadata": {"tags": ["example"], "nested": {"n": 1}},
    })


def small_site(site_id: str = "demo", name: str = "Demo", teams: int = 1) -> Site:
    return validate_site({"id": site_id, "name": name,
                          "units": [{"id": f"t{i}", "name": f"Team {i}", "kind": "team"}
                                    for i in range(teams)]})


def _reset(url: str) -> None:
    store = Store(url)
    Base.metadata.drop_all(store.engine)
    with store.engine.begin() as conn:  # so the next store creates the tables again
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    store.close()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database URL for each backend."""
    if request.param == "sqlite":
        yield database_url(None, tmp_path)
        return
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        pytest.skip(f"no PostgreSQL server: set {POSTGRES_ENV} (.ci/run starts one) to test on it")
    _reset(url)
    yield url
    _reset(url)


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    s = Store(store_url)
    yield s
    s.close()


def test_round_trip_returns_an_equal_site(store: Store, store_url: str) -> None:
    site = rich_site()
    info = store.save(site, author="Asha", message="first map", base=None)
    assert isinstance(info, RevisionInfo)
    assert (info.site_id, info.number, info.base, info.units, info.links) == ("riverside", 1, None, 4, 1)
    # A second store has no cache: the document really comes back from the database.
    other = Store(store_url)
    try:
        got = other.get("riverside")
        assert isinstance(got, Revision)
        assert got.site == site
        assert got.number == 1 and got.author == "Asha" and got.message == "first map"
        assert got.created_at.tzinfo is not None and got.created_at.utcoffset().total_seconds() == 0
    finally:
        other.close()


def test_revisions_are_numbered_per_site_and_history_is_newest_first(store: Store) -> None:
    store.save(small_site("a", "Alpha"), author="Asha", message="one", base=None)
    store.save(small_site("b", "Beta"), author="Ben", message="b one", base=None)
    store.save(small_site("a", "Alpha", teams=2), author="Ben", message="two", base=1)
    third = store.save(small_site("a", "Alpha renamed", teams=3), author="Cy", message="three", base=2)
    assert third.number == 3 and third.base == 2 and third.units == 3
    history = store.history("a")
    assert [(r.number, r.base, r.author, r.message) for r in history] == [
        (3, 2, "Cy", "three"), (2, 1, "Ben", "two"), (1, None, "Asha", "one")]
    assert [r.number for r in store.history("b")] == [1]
    assert store.get("a", 2).site == small_site("a", "Alpha", teams=2)
    assert store.get("a").number == 3
    assert store.latest("a") == 3


def test_list_sites_by_name_with_latest_revision(store: Store) -> None:
    assert store.list_sites() == []
    store.save(small_site("z", "alpha"), author="Asha", message="", base=None)
    store.save(small_site("y", "Charlie"), author="Asha", message="", base=None)
    store.save(small_site("x", "Bravo"), author="Asha", message="", base=None)
    store.save(small_site("x", "Bravo", teams=4), author="Ben", message="more", base=1)
    sites = store.list_sites()
    assert all(isinstance(s, SiteInfo) for s in sites)
    assert [s.id for s in sites] == ["z", "x", "y"]
    bravo = sites[1]
    assert (bravo.latest, bravo.author, bravo.units, bravo.links) == (2, "Ben", 4, 0)
    assert bravo.updated_at.tzinfo is not None


def test_unknown_site_and_revision_are_named(store: Store) -> None:
    with pytest.raises(UnknownSiteError, match="No site called 'nowhere'. Choose one from the list.") as caught:
        store.get("nowhere")
    assert isinstance(caught.value, KeyError)
    assert store.describe() not in str(caught.value), "pages show the message: no database address"
    assert "sites list" in caught.value.command_line and store.describe() in caught.value.command_line
    with pytest.raises(UnknownSiteError):
        store.history("nowhere")
    store.save(small_site(), author="Asha", message="", base=None)
    with pytest.raises(UnknownSiteError, match="has no revision 7 .*1 to 1") as caught:
        store.get("demo", 7)
    assert caught.value.revision == 7
    with pytest.raises(UnknownSiteError, match="'elsewhere'"):
        store.save(small_site("elsewhere"), author="Asha", message="", base=3)


def test_new_site_with_a_taken_id_is_a_conflict(store: Store) -> None:
    store.save(small_site(), author="Asha", message="", base=None)
    with pytest.raises(ConflictError, match="already exists .*saved by Asha") as caught:
        store.save(small_site(name="Other"), author="Ben", message="", base=None)
    assert caught.value.site_id == "demo" and caught.value.latest is not None
    assert [r.number for r in store.history("demo")] == [1]
    assert store.get("demo").site.name == "Demo"


def test_stale_base_is_refused_and_nothing_is_written(store: Store) -> None:
    store.save(small_site(), author="Asha", message="", base=None)
    store.save(small_site(teams=2), author="Asha", message="", base=1)
    store.save(small_site(teams=3), author="Asha", message="mine", base=2)
    with pytest.raises(ConflictError) as caught:
        store.save(small_site(teams=9), author="Ben", message="theirs", base=2)
    message = str(caught.value)
    assert message.startswith(f"Revision 3 of {small_site(teams=3).name} was saved by Asha at ")
    assert "while you were editing revision 2: reload to see their changes, then apply yours again" in message
    assert caught.value.base == 2 and caught.value.latest is not None and caught.value.latest.number == 3
    with pytest.raises(ConflictError, match=r"\(2 revisions since yours\)"):
        store.save(small_site(teams=9), author="Ben", message="", base=1)
    with pytest.raises(ConflictError, match="has no revision 8"):
        store.save(small_site(teams=9), author="Ben", message="", base=8)
    assert [r.number for r in store.history("demo")] == [3, 2, 1]
    assert len(store.get("demo").site.units) == 3
    assert store.list_sites()[0].latest == 3


def _race(urls: list[str], work: list[tuple[Site, int | None]]) -> tuple[list[RevisionInfo], list[Exception]]:
    """Run each save in its own thread and Store, all released at once."""
    stores = [Store(url) for url in urls]
    barrier = threading.Barrier(len(work))
    wins: list[RevisionInfo] = []
    losses: list[Exception] = []
    lock = threading.Lock()

    def attempt(i: int) -> None:
        site, base = work[i]
        barrier.wait()
        try:
            info = stores[i].save(site, author=f"editor {i}", message=f"save {i}", base=base)
            with lock:
                wins.append(info)
        except Exception as exc:  # noqa: BLE001 - every outcome is checked below
            with lock:
                losses.append(exc)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(len(work))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for s in stores:
        s.close()
    return wins, losses


@pytest.mark.parametrize("round_", range(3))
def test_concurrent_saves_from_one_base_let_exactly_one_through(store_url: str, round_: int) -> None:
    store = Store(store_url)
    store.save(small_site(), author="Asha", message="", base=None)
    editors = 6
    wins, losses = _race([store_url] * editors, [(small_site(teams=i + 2), 1) for i in range(editors)])
    assert len(wins) == 1 and len(losses) == editors - 1
    assert all(isinstance(exc, ConflictError) for exc in losses), losses
    winner = wins[0]
    assert all(f"saved by {winner.author}" in str(exc) for exc in losses)
    assert [r.number for r in store.history("demo")] == [2, 1]
    assert store.get("demo").units == winner.units
    store.close()


def test_concurrent_creation_of_one_id_lets_exactly_one_through(store_url: str) -> None:
    editors = 5
    wins, losses = _race([store_url] * editors, [(small_site(teams=i + 1), None) for i in range(editors)])
    assert len(wins) == 1 and all(isinstance(exc, ConflictError) for exc in losses), losses
    store = Store(store_url)
    assert [r.number for r in store.history("demo")] == [1]
    store.close()


def test_one_store_shared_by_threads_serialises_saves(store: Store) -> None:
    store.save(small_site(), author="Asha", message="", base=None)
    errors: list[Exception] = []

    def keep_saving(i: int) -> None:
        for _ in range(5):
            while True:
                base = store.latest("demo")
                try:
                    store.save(small_site(teams=i + 1), author=f"e{i}", message="", base=base)
                    break
                except ConflictError:
                    continue
                except Exception as exc:  # noqa: BLE001
                    errors.append(exc)
                    return

    threads = [threading.Thread(target=keep_saving, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    history = store.history("demo")
    assert [r.number for r in history] == list(range(21, 0, -1))
    assert all(r.base == r.number - 1 for r in history if r.number > 1)


def test_restore_adds_a_revision_and_destroys_nothing(store: Store) -> None:
    store.save(small_site(teams=1), author="Asha", message="one", base=None)
    store.save(small_site(teams=2), author="Ben", message="two", base=1)
    info = store.restore("demo", 1, author="Cy")
    assert (info.number, info.base, info.author, info.message, info.units) == (3, 2, "Cy", "Restored revision 1", 1)
    assert store.get("demo").site == small_site(teams=1)
    assert store.get("demo", 2).site == small_site(teams=2)
    custom = store.restore("demo", 2, author="Cy", message="back to two")
    assert custom.message == "back to two" and custom.number == 4
    with pytest.raises(UnknownSiteError, match="no revision 9"):
        store.restore("demo", 9, author="Cy")


def _write(path: Path, content: str) -> Path:
    path.write_text(content, encoding="utf-8")
    return path


def test_seed_loads_new_models_once_and_reports_bad_files(store: Store, tmp_path: Path) -> None:
    models = tmp_path / "models"
    models.mkdir()
    _write(models / "a-site.yaml", "id: alpha\nname: Alpha\nunits:\n  - {id: t, name: T, kind: team}\n")
    _write(models / "b-site.yaml", "id: beta\nname: Beta\n")
    _write(models / "broken.yaml", "id: gamma\nname: Gamma\nunits:\n  - {id: t, name: T, kind: spaceship}\n")
    _write(models / "notes.txt", "not a model")
    assert store.seed(models) == ["alpha", "beta"]
    assert len(store.seed_errors) == 1
    assert "broken.yaml" in str(store.seed_errors[0]) and "spaceship" in str(store.seed_errors[0])
    first = store.history("alpha")[0]
    assert (first.author, first.message) == ("integramap", "Loaded from models/a-site.yaml")
    store.save(small_site("alpha", "Alpha edited"), author="Asha", message="", base=1)
    assert store.seed(models) == []
    assert store.latest("alpha") == 2, "seeding again must not touch an edited site"
    _write(models / "c-site.yaml", "id: gamma2\nname: Later\n")
    assert store.seed(models) == ["gamma2"]


def test_documents_are_validated_when_read_back(store: Store, store_url: str) -> None:
    store.save(small_site(), author="Asha", message="", base=None)
    store.save(small_site(teams=2), author="Asha", message="", base=1)
    with store.engine.begin() as conn:
        conn.execute(update(RevisionRow).where(RevisionRow.number == 1).values(
            document=json.dumps({"id": "demo", "name": "Demo", "units": [{"id": "t", "kind": "robot"}]})))
        conn.execute(update(RevisionRow).where(RevisionRow.number == 2).values(
            document=json.dumps({"id": "imposter", "name": "Demo"})))
    fresh = Store(store_url)
    try:
        with pytest.raises(SiteError, match="site 'demo' revision 1 in the store") as caught:
            fresh.get("demo", 1)
        assert {p.loc for p in caught.value.problems} >= {("units", 0, "kind"), ("units", 0, "name")}
        with pytest.raises(SiteError, match="'imposter'; expected 'demo'"):
            fresh.get("demo", 2)
    finally:
        fresh.close()


def test_a_revision_saved_before_names_refused_control_characters_still_opens(
        store: Store, store_url: str, caplog: pytest.LogCaptureFixture) -> None:
    store.save(small_site(), author="Asha", message="", base=None)
    stored = {"id": "demo", "name": "Demo\x1b[2J", "description": "first line\x00\nsecond line",
              "units": [{"id": "t", "name": "Team \u202eWest", "kind": "team"}]}
    with store.engine.begin() as conn:
        conn.execute(update(RevisionRow).where(RevisionRow.number == 1).values(document=json.dumps(stored)))
    fresh = Store(store_url)
    try:
        with caplog.at_level("WARNING", logger="integramap.store.store"):
            site = fresh.get("demo", 1).site
        assert site.name == "Demo [2J"
        assert site.description == "first line\nsecond line"
        assert [u.name for u in site.units] == ["Team West"]
        assert "3 name(s) or note(s) held control characters" in caplog.text
        with fresh.engine.connect() as conn:  # history is never rewritten
            document = conn.execute(RevisionRow.__table__.select()).first().document  # type: ignore[union-attr]
        assert json.loads(document) == stored
    finally:
        fresh.close()


def test_author_is_required(store: Store) -> None:
    with pytest.raises(ValueError, match="author is required"):
        store.save(small_site(), author="  ", message="", base=None)
    with pytest.raises(ValueError, match="at most 200"):
        store.save(small_site(), author="x" * 201, message="", base=None)
    assert store.list_sites() == []
    assert store.save(small_site(), author="  Asha   Patel ", message="", base=None).author == "Asha Patel"


def test_sqlite_file_lives_in_the_data_dir_in_wal_mode(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INTEGRAMAP_DATABASE_URL", raising=False)
    monkeypatch.setenv("INTEGRAMAP_DATA_DIR", str(tmp_path / "data"))
    store = Store.from_env()
    try:
        assert (tmp_path / "data" / "integramap.db").exists()
        with store.engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert int(conn.execute(text("PRAGMA busy_timeout")).scalar() or 0) >= 1000
        assert store.is_sqlite
    finally:
        store.close()
    explicit = Store(data_dir=tmp_path / "elsewhere")
    explicit.close()
    assert (tmp_path / "elsewhere" / "integramap.db").exists()


def test_database_url_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'named.db'}"
    monkeypatch.setenv("INTEGRAMAP_DATABASE_URL", url)
    store = Store.from_env()
    store.close()
    assert store.url == url and (tmp_path / "named.db").exists()
    assert database_url("postgres://u:p@h:5432/d") == "postgresql+psycopg://u:p@h:5432/d"
    assert database_url("postgresql+psycopg://h/d") == "postgresql+psycopg://h/d"


def test_unreachable_database_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises((StoreError, OSError)):
        Store(f"sqlite:///{blocker / 'sub' / 'x.db'}")
    with pytest.raises(StoreError, match=r"cannot open the database postgresql\+psycopg://u:\*\*\*@127.0.0.1:9/"):
        Store("postgresql://u:secret@127.0.0.1:9/none")


def test_timestamps_are_utc_and_ordered(store: Store) -> None:
    before = datetime.now(UTC)
    store.save(small_site(), author="Asha", message="", base=None)
    store.save(small_site(teams=2), author="Asha", message="", base=1)
    after = datetime.now(UTC)
    newest, oldest = store.history("demo")
    assert before <= oldest.created_at <= newest.created_at <= after


def _open_store(folder: str) -> int:
    with Store(data_dir=Path(folder)) as st:
        return len(st.list_sites())


def test_processes_opening_a_fresh_database_at_once_all_succeed(tmp_path: Path) -> None:
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    with context.Pool(4) as pool:
        assert pool.map(_open_store, [str(tmp_path / "fresh")] * 8) == [0] * 8


def test_an_older_database_gains_the_working_copy_tables_and_keeps_its_sites(tmp_path: Path) -> None:
    from sqlalchemy import create_engine, inspect

    from integramap.store.schema import RevisionRow, SiteRow

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(url)
    SiteRow.__table__.create(engine)  # type: ignore[attr-defined]
    RevisionRow.__table__.create(engine)  # type: ignore[attr-defined]
    engine.dispose()
    with Store(url) as old:
        old.save(small_site(), author="Asha", message="", base=None)
    with Store(url) as st:
        tables = set(inspect(st.engine).get_table_names())
        assert {"working_copies", "working_copy_steps", "sites", "revisions"} <= tables
        assert [s.id for s in st.list_sites()] == [small_site().id]
