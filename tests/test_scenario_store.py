"""Scenarios kept beside their site in the store, on SQLite always and on PostgreSQL where one is named."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from integramap.model import Site, validate_site
from integramap.people import Person, Role, acting_as
from integramap.scenario import Scenario, validate_scenario
from integramap.store import Store, UnknownSiteError, database_url
from integramap.store.access import NotAllowed, PersonalStore
from integramap.store.scenarios import UnknownScenarioError
from integramap.store.schema import Base

POSTGRES_ENV = "INTEGRAMAP_TEST_POSTGRES_URL"


def _site() -> Site:
    return validate_site({"id": "demo", "name": "Demo", "units": [
        {"id": "n1", "name": "North PCN", "kind": "pcn"}, {"id": "n2", "name": "South PCN", "kind": "pcn"},
        {"id": "gp", "name": "GP", "kind": "practice", "parent": "n1"}]})


def _move(name: str = "GP moves south", to: str = "n2") -> Scenario:
    return validate_scenario({"name": name, "edits": [{"move": {"unit": "gp", "to": to}}]})


def _reset(url: str) -> None:
    store = Store(url)
    Base.metadata.drop_all(store.engine)
    with store.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    store.close()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        url = database_url(None, tmp_path)
    else:
        found = os.environ.get(POSTGRES_ENV)
        if not found:
            pytest.skip(f"no PostgreSQL server: set {POSTGRES_ENV} to test on it")
        url = found
        _reset(url)
    s = Store(url)
    s.save(_site(), author="Asha", message="", base=None)
    yield s
    s.close()
    if request.param != "sqlite":
        _reset(url)


def test_a_saved_scenario_reads_back_with_its_edits_and_particulars(store: Store) -> None:
    saved = store.save_scenario("demo", _move(), author="  Asha  ", base=1)
    assert (saved.name, saved.edits, saved.base, saved.author) == ("GP moves south", 1, 1, "Asha")
    back = store.get_scenario("demo", "GP moves south")
    assert back.site == "demo"
    assert [(kind, fields.model_dump(exclude_unset=True)) for kind, fields in back.steps()] == [
        ("move", {"unit": "gp", "to": "n2"})]
    listed = store.list_scenarios("demo")
    assert [(s.name, s.author, s.edits) for s in listed] == [("GP moves south", "Asha", 1)]
    assert listed[0].updated_at.tzinfo is not None


def test_saving_under_a_kept_name_replaces_it_and_names_list_in_order(store: Store) -> None:
    store.save_scenario("demo", _move("b idea"), author="Asha", base=1)
    store.save_scenario("demo", _move("A idea"), author="Asha", base=1)
    store.save_scenario("demo", _move("b idea", to="n1"), author="Ben", base=2)
    assert [(s.name, s.author, s.base) for s in store.list_scenarios("demo")] == [
        ("A idea", "Asha", 1), ("b idea", "Ben", 2)]
    assert store.get_scenario("demo", "b idea").steps()[0][1].model_dump()["to"] == "n1"


def test_unknown_scenario_and_unknown_site_are_named(store: Store) -> None:
    with pytest.raises(UnknownScenarioError, match="No scenario called 'nothing'"):
        store.get_scenario("demo", "nothing")
    with pytest.raises(UnknownScenarioError):
        store.delete_scenario("demo", "nothing")
    with pytest.raises(UnknownSiteError, match="No site called 'elsewhere'"):
        store.save_scenario("elsewhere", _move(), author="Asha", base=None)
    assert store.list_scenarios("elsewhere") == []


def test_deleting_forgets_only_that_scenario(store: Store) -> None:
    store.save_scenario("demo", _move("one"), author="Asha", base=1)
    store.save_scenario("demo", _move("two"), author="Asha", base=1)
    store.delete_scenario("demo", "one")
    assert [s.name for s in store.list_scenarios("demo")] == ["two"]


def test_viewers_read_kept_scenarios_but_only_editors_keep_them(store: Store) -> None:
    store.accounts.add("Vic", None, actor="setup")
    store.save_scenario("demo", _move(), author="Asha", base=1)
    mine = PersonalStore(store)
    viewer = Person(name="Vic", roles={"demo": Role.VIEWER})
    editor = Person(name="Eve", roles={"demo": Role.EDITOR})
    stranger = Person(name="Sam", roles={})
    with acting_as(viewer):
        assert [s.name for s in mine.list_scenarios("demo")] == ["GP moves south"]
        assert mine.get_scenario("demo", "GP moves south").name == "GP moves south"
        with pytest.raises(NotAllowed):
            mine.save_scenario("demo", _move("mine"), author="Vic", base=1)
        with pytest.raises(NotAllowed):
            mine.delete_scenario("demo", "GP moves south")
    with acting_as(stranger), pytest.raises(UnknownSiteError):
        mine.list_scenarios("demo")
    with acting_as(editor):
        saved = mine.save_scenario("demo", _move("theirs"), author="Chief Executive", base=1)
    assert saved.author == "Eve"  # the signed-in person, whatever the page sends


def test_an_older_database_gains_the_scenarios_table(tmp_path: Path) -> None:
    from integramap.store.migrate import head

    url = f"sqlite:///{tmp_path / 'old.db'}"
    with Store(url) as st:
        st.save(_site(), author="Asha", message="", base=None)
        with st.engine.begin() as conn:
            conn.execute(text("DROP TABLE scenarios"))
            conn.execute(text("UPDATE alembic_version SET version_num = '0003'"))
    with Store(url) as st:
        assert "scenarios" in inspect(st.engine).get_table_names()
        with st.engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == head() == "0004"
        assert [s.id for s in st.list_sites()] == ["demo"]
        st.save_scenario("demo", _move(), author="Asha", base=1)
        assert len(st.list_scenarios("demo")) == 1
