"""A background job is followed only by whoever started it (or joined it): to anyone else it does not exist.

Each test runs against both runners: the one inside the server process, and the one shared through
Redis with a Celery worker.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from dash.testing.wait import until

from conftest import MODELS
from integramap.people import LOCAL_PERSON, Person, Role, acting_as
from integramap.store import DATABASE_URL_ENV, Store
from integramap.web import create_app
from integramap.web.common.jobs import (
    REDIS_URL_ENV,
    JobRunner,
    JobState,
    Progress,
    Runner,
    Step,
    UnknownJobError,
    background_job,
    follow_job,
)
from integramap.web.common.services import Services
from integramap.web.compare import page as compare
from redis_server import redis_server
from test_web_auth import PASSWORD, dash_post, sign_in

BOROUGH = "riverside-borough"
EASTMOOR = "eastmoor-icp"
ASHA = Person(name="Asha Patel", roles={BOROUGH: Role.EDITOR, EASTMOOR: Role.EDITOR})
BEN = Person(name="Ben Okoro", roles={BOROUGH: Role.EDITOR, EASTMOOR: Role.EDITOR})
_gates: dict[str, threading.Event] = {}


@background_job
def held(services: Services, progress: Progress, gate: str) -> str:
    """Runs until the test opens ``gate``; returns the number of sites it sees."""
    progress(0.5, "Holding")
    assert _gates[gate].wait(60)
    return f"{len(services.store.list_sites())} sites"


class Setting:
    def __init__(self, kind: str, store: Store, runner: Runner) -> None:
        self.kind, self.store, self.runner = kind, store, runner

    def gate(self, name: str) -> threading.Event:
        _gates[name] = threading.Event()
        return _gates[name]


@contextmanager
def _setting(kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Setting]:
    """A store with accounts for Asha and Ben (editors of the same sites) and a runner of ``kind``."""
    db = f"sqlite:///{tmp_path / 'owners.db'}"
    with Store(db) as store:
        store.seed(MODELS)
        for person in (ASHA, BEN):
            store.accounts.add(person.name, PASSWORD, actor="setup")
            for site in person.roles:
                store.accounts.grant(person.name, site, Role.EDITOR, actor="setup")
        if kind == "in-process":
            runner = JobRunner(workers=2)
            try:
                yield Setting(kind, store, runner)
            finally:
                for gate in _gates.values():
                    gate.set()
                runner.shutdown(wait=True)
            return
        from celery.contrib.testing.worker import start_worker

        from integramap.web.common import shared_jobs

        with redis_server(tmp_path / "redis") as url:
            monkeypatch.setenv(REDIS_URL_ENV, url)
            monkeypatch.setenv(DATABASE_URL_ENV, db)
            monkeypatch.delenv("INTEGRAMAP_SECRET_KEY", raising=False)
            shared_jobs._workers.clear()
            try:
                with start_worker(shared_jobs.celery_app(url), pool="threads", concurrency=2,
                                  perform_ping_check=False, loglevel="WARNING", shutdown_timeout=30):
                    try:
                        yield Setting(kind, store, shared_jobs.SharedJobRunner(
                            url, secret=shared_jobs.store_secret(store)))
                    finally:
                        for gate in _gates.values():
                            gate.set()
            finally:
                for worker in shared_jobs._workers.values():
                    worker.services.store.close()
                shared_jobs._workers.clear()


@pytest.fixture(params=["in-process", "redis"])
def setting(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Setting]:
    with _setting(request.param, tmp_path, monkeypatch) as found:
        yield found


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Setting]:
    """The runner inside the server process only: the pages' polls ask it just as they ask the shared one."""
    with _setting("in-process", tmp_path, monkeypatch) as found:
        yield found


def _unknown(call: Any) -> str:
    with pytest.raises(UnknownJobError) as raised:
        call()
    return str(raised.value)


def test_another_person_cannot_read_cancel_or_wait_on_a_job(setting: Setting) -> None:
    runner, services = setting.runner, Services(store=setting.store)
    gate = setting.gate("g-read")
    with acting_as(ASHA):
        job = runner.start(services, held, gate="g-read", title="Holding")
        until(lambda: runner.status(job).state is JobState.RUNNING, 30)
    with acting_as(BEN):
        # Exactly what an id never started says, this id and all.
        assert _unknown(lambda: runner.status(job)) == str(UnknownJobError(job))
        assert _unknown(lambda: runner.result(job)) == str(UnknownJobError(job))
        assert _unknown(lambda: runner.wait(job, timeout=1)) == str(UnknownJobError(job))
        if setting.kind == "in-process":
            assert runner.cancel(job) is False and runner.cancel("job-0-never") is False
        else:
            assert _unknown(lambda: runner.cancel(job)) == str(UnknownJobError(job))
        followed = follow_job(runner, job)
        assert (followed.step, followed.message, followed.bar) == (Step.UNKNOWN, str(UnknownJobError(job)), "")
    gate.set()
    with acting_as(ASHA):
        assert runner.wait(job, timeout=60).state is JobState.DONE  # Ben's cancel did not stop it
        assert runner.result(job).endswith(" sites")
    with acting_as(BEN):
        assert _unknown(lambda: runner.result(job)) == str(UnknownJobError(job))
    # Code acting for no one (the command line) reads every job.
    assert runner.status(job).state is JobState.DONE


def test_a_job_started_in_single_user_mode_is_anyones(setting: Setting) -> None:
    runner, services = setting.runner, Services(store=setting.store)
    setting.gate("g-local").set()
    with acting_as(LOCAL_PERSON):
        job = runner.start(services, held, gate="g-local", title="Holding")
        assert runner.wait(job, timeout=60).state is JobState.DONE
    with acting_as(BEN):
        assert runner.status(job).state is JobState.DONE
    with acting_as(ASHA):
        job = runner.start(services, held, gate="g-local", title="Holding")
        assert runner.wait(job, timeout=60).state is JobState.DONE
    with acting_as(LOCAL_PERSON):  # nor is a signed-in person's job the single user's
        assert _unknown(lambda: runner.status(job)) == str(UnknownJobError(job))


def test_whoever_asks_for_the_same_work_may_follow_it(setting: Setting) -> None:
    runner, services = setting.runner, Services(store=setting.store)
    gate = setting.gate("g-key")
    with acting_as(ASHA):
        job = runner.start(services, held, gate="g-key", title="Holding", key="owners:demo")
    with acting_as(BEN):
        assert runner.start(services, held, gate="g-key", title="Holding", key="owners:demo") == job
        assert runner.status(job).title == "Holding"
    gate.set()
    with acting_as(BEN):
        assert runner.wait(job, timeout=60).state is JobState.DONE
        assert runner.result(job).endswith(" sites")
    with acting_as(Person(name="Cara Smith")):
        assert _unknown(lambda: runner.status(job)) == str(UnknownJobError(job))


def _answer(client: Any, input_id: str, inputs: dict[str, Any], state: dict[str, Any]) -> dict[str, Any]:
    reply = dash_post(client, input_id, inputs, state)
    assert reply.status_code == 200, reply.get_data(as_text=True)
    answer: dict[str, Any] = json.loads(reply.get_data(as_text=True))["response"]
    return answer


def test_the_compare_page_shows_a_job_to_its_starter_only(setting: Setting,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(compare, "BACKGROUND_UNITS", 0)
    monkeypatch.setattr(compare, "default_runner", lambda: setting.runner)
    compare.RESULTS_CACHE._data.clear()
    app = create_app(setting.store).server
    asha, ben = app.test_client(), app.test_client()
    sign_in(asha, ASHA.name)
    sign_in(ben, BEN.name)

    started = _answer(asha, compare.SELECTION, {f"{compare.SELECTION}.data": {
        "mode": "sites", "sites": [BOROUGH, EASTMOOR]}}, {})
    job = started[compare.JOB]["data"]
    assert isinstance(job, str) and "Comparing 2 models" in json.dumps(started[compare.PROGRESS])

    def poll(client: Any, job_id: str) -> dict[str, Any]:
        return _answer(client, compare.POLL, {f"{compare.POLL}.n_intervals": 1}, {f"{compare.JOB}.data": job_id})

    # Ben, given Asha's job's id, is told what he is told of a job that never was; he sees nothing of it.
    seen = poll(ben, job)
    never = poll(ben, "job-0-never")
    assert json.dumps(seen).replace(job, "ID") == json.dumps(never).replace("job-0-never", "ID")
    assert "no longer known to the server" in json.dumps(seen)
    assert seen[compare.POLL]["disabled"] is True and seen[compare.RESULTS]["children"] == []

    drawn: dict[str, Any] = {}

    def finished() -> bool:
        drawn.update(poll(asha, job))
        return bool(drawn[compare.POLL]["disabled"])
    until(finished, timeout=120, poll=0.3)
    assert drawn[compare.MESSAGE]["children"] == ""
    assert "compare-heatmap" in json.dumps(drawn[compare.RESULTS])
    # Still nothing for Ben, now that it is done.
    assert json.dumps(poll(ben, job)).replace(job, "ID") == json.dumps(poll(ben, "job-0-never")).replace(
        "job-0-never", "ID")


POLLS = [  # each page's poll: the module whose runner it asks, its interval and the store holding the job
    ("integramap.web.boundaries.page", "boundaries-poll", "boundaries-job"),
    ("integramap.web.boundaries.demo_offer", "sites-demo-poll", "sites-demo-job"),
    ("integramap.web.atlas.page", "atlas-poll", "atlas-job"),
    ("integramap.web.atlas.page", "atlas-open-poll", "atlas-open-job"),
    ("integramap.web.compare.page", "compare-poll", "compare-job"),
    ("integramap.web.map.start", "map-start-poll", "map-start-job"),
]


@pytest.mark.parametrize(("module", "poll_id", "job_id"), POLLS, ids=[p[1] for p in POLLS])
def test_every_page_shows_a_running_job_to_its_starter_only(here: Setting, monkeypatch: pytest.MonkeyPatch,
                                                            module: str, poll_id: str, job_id: str) -> None:
    import importlib

    setting = here
    monkeypatch.setattr(importlib.import_module(module), "default_runner", lambda: setting.runner)
    app = create_app(setting.store).server
    asha, ben = app.test_client(), app.test_client()
    sign_in(asha, ASHA.name)
    sign_in(ben, BEN.name)
    gate = setting.gate(f"g-{poll_id}")
    with acting_as(ASHA):
        job = setting.runner.start(Services(store=setting.store), held, gate=f"g-{poll_id}", title="Holding on")
        until(lambda: setting.runner.status(job).message == "Holding", 30)

    def poll(client: Any, job: str | None) -> str:
        reply = dash_post(client, poll_id, {f"{poll_id}.n_intervals": 1}, {f"{job_id}.data": job})
        assert reply.status_code in (200, 204), reply.get_data(as_text=True)
        return reply.get_data(as_text=True)

    try:
        assert "Holding on" in poll(asha, job) and "Holding" in poll(asha, job)
        for client in (asha, ben):  # with no job, a poll shows no message
            assert "no job" not in poll(client, None) and "error" not in poll(client, None)
        seen = poll(ben, job)
        assert seen.replace(job, "ID") == poll(ben, "job-0-never").replace("job-0-never", "ID")
        assert "Holding" not in seen
    finally:
        gate.set()
