"""Background jobs through Celery and Redis: any server process follows any job, whichever started it."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from integramap.people import Person, acting_as, acting_person
from integramap.store import DATABASE_URL_ENV, Store
from integramap.web.common import jobs as jobs_module
from integramap.web.common.jobs import (
    REDIS_URL_ENV,
    JobState,
    Progress,
    Step,
    UnknownJobError,
    background_job,
    default_runner,
    follow_job,
)
from integramap.web.common.services import Services
from redis_server import redis_server


def _redis() -> Any:
    import redis

    return redis.Redis.from_url(os.environ[REDIS_URL_ENV])


@background_job
def wait_for_gate(services: Services, progress: Progress, gate: str) -> dict[str, Any]:
    """Reports progress until the test opens ``gate`` (a Redis key), then says who it ran as."""
    client = _redis()
    while not client.exists(gate):
        progress(0.5, "Waiting for the gate")
        time.sleep(0.05)
    person = acting_person()
    return {"person": None if person is None else person.name, "sites": len(services.store.list_sites()),
            "pid": os.getpid()}


@background_job
def fail(services: Services, progress: Progress) -> None:
    progress(0.3, "About to fail")
    raise ValueError("The practices file has no 'PCN' column")


@background_job
def site_name(services: Services, progress: Progress, site_id: str) -> str:
    return services.store.get(site_id).site.name


def not_marked(services: Services, progress: Progress) -> None:
    """Not a background job: no runner may start it."""


@pytest.fixture
def shared(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Store]]:
    """Redis, a store with one site, and a Celery worker (in this process) running queued jobs."""
    from celery.contrib.testing.worker import start_worker

    from integramap.web.common import shared_jobs

    db = f"sqlite:///{tmp_path / 'jobs.db'}"
    with redis_server(tmp_path / "redis") as url:
        monkeypatch.setenv(REDIS_URL_ENV, url)
        monkeypatch.setenv(DATABASE_URL_ENV, db)
        monkeypatch.delenv("INTEGRAMAP_SECRET_KEY", raising=False)
        shared_jobs._workers.clear()
        with Store(db) as store:
            store.seed(Path(__file__).resolve().parents[1] / "models")
            with start_worker(shared_jobs.celery_app(url), pool="threads", concurrency=2,
                              perform_ping_check=False, loglevel="WARNING", shutdown_timeout=30):
                yield url, store
        for worker in shared_jobs._workers.values():
            worker.services.store.close()
        shared_jobs._workers.clear()


def _runner(url: str, store: Store) -> Any:
    from integramap.web.common.shared_jobs import SharedJobRunner, store_secret

    return SharedJobRunner(url, secret=store_secret(store))


def test_a_job_started_through_one_server_is_followed_through_another(shared: tuple[str, Store]) -> None:
    url, store = shared
    one, other = _runner(url, store), _runner(url, store)  # two server processes' runners
    with acting_as(Person(name="Asha Patel", roles={"riverside-borough": "editor"})):
        job = one.start(Services(store=store), wait_for_gate, gate="gate-1", title="Waiting")

    def waiting() -> bool:
        return other.status(job).message == "Waiting for the gate"
    until(waiting, 30)
    status = other.status(job)
    assert (status.state, status.percent, status.title) == (JobState.RUNNING, 50, "Waiting")
    _redis().set("gate-1", b"1")
    assert other.wait(job, timeout=30).state is JobState.DONE
    result = other.result(job)
    assert result["person"] == "Asha Patel"  # the job acts for whoever started it
    assert result["sites"] == 1 < len(store.list_sites())  # only the sites she has a role on
    assert one.result(job) == result


def test_a_failing_job_reports_its_sentence_to_every_server(shared: tuple[str, Store]) -> None:
    url, store = shared
    job = _runner(url, store).start(Services(store=store), fail, title="Importing")
    status = _runner(url, store).wait(job, timeout=30)
    assert status.state is JobState.FAILED
    assert status.error == "The practices file has no 'PCN' column"
    with pytest.raises(RuntimeError, match="Importing has no result: The practices file"):
        _runner(url, store).result(job)


def test_a_job_cancelled_through_another_server_stops(shared: tuple[str, Store]) -> None:
    url, store = shared
    one, other = _runner(url, store), _runner(url, store)
    job = one.start(Services(store=store), wait_for_gate, gate="never-opened", title="Waiting")
    until(lambda: one.status(job).state is JobState.RUNNING, 30)
    assert other.cancel(job) is True
    assert one.wait(job, timeout=30).state is JobState.CANCELLED
    assert other.cancel(job) is False


def test_jobs_with_one_key_are_one_job_across_servers(shared: tuple[str, Store]) -> None:
    url, store = shared
    one, other = _runner(url, store), _runner(url, store)
    first = one.start(Services(store=store), wait_for_gate, gate="gate-2", title="Demo", key="demo:sel")
    second = other.start(Services(store=store), wait_for_gate, gate="gate-2", title="Demo", key="demo:sel")
    assert first == second
    _redis().set("gate-2", b"1")
    assert one.wait(first, timeout=30).state is JobState.DONE
    third = other.start(Services(store=store), wait_for_gate, gate="gate-2", title="Demo", key="demo:sel")
    assert third != first  # the first has finished: a new press starts a new build
    assert other.wait(third, timeout=30).state is JobState.DONE


def test_a_result_not_signed_with_the_servers_key_is_refused(shared: tuple[str, Store]) -> None:
    import pickle

    from integramap.web.common.shared_jobs import PREFIX

    url, store = shared
    runner = _runner(url, store)
    _redis().set("gate-3", b"1")
    job = runner.start(Services(store=store), wait_for_gate, gate="gate-3", title="Waiting")
    assert runner.wait(job, timeout=30).state is JobState.DONE
    _redis().set(PREFIX + job + ":result", b"0" * 64 + b"\n" + pickle.dumps({"planted": True}))
    with pytest.raises(RuntimeError, match="no result this server can trust"):
        runner.result(job)
    # A page following the job says so, and stops polling, rather than failing its request.
    followed = follow_job(runner, job)
    assert followed.step is Step.FAILED and not followed.polling and followed.result is None
    assert followed.message == "Waiting has no result this server can trust: start it again"
    assert "job-failed" in followed.bar.className and followed.message in repr(followed.bar.to_plotly_json())


def test_a_queued_message_with_a_forged_signature_is_not_run(shared: tuple[str, Store]) -> None:
    from integramap.web.common.shared_jobs import QUEUE, SharedJobRunner

    url, store = shared
    forger = SharedJobRunner(url, secret=b"not the database's key")
    _redis().set("gate-4", b"1")
    job = forger.start(Services(store=store), wait_for_gate, gate="gate-4", title="Forged")
    honest = _runner(url, store).start(Services(store=store), wait_for_gate, gate="gate-4", title="Honest")
    assert _runner(url, store).wait(honest, timeout=30).state is JobState.DONE
    # The forged message, sent first, has left the queue, and nothing ran it.
    assert _redis().llen(QUEUE) == 0
    assert forger.status(job).state is JobState.QUEUED


def test_a_worker_on_another_database_says_so(shared: tuple[str, Store], tmp_path: Path) -> None:
    url, store = shared
    with Store(f"sqlite:///{tmp_path / 'other.db'}") as other_store:
        from integramap.web.common.shared_jobs import SharedJobRunner

        runner = SharedJobRunner(url, secret=_runner(url, store)._key())
        _redis().set("gate-5", b"1")
        job = runner.start(Services(store=other_store), wait_for_gate, gate="gate-5", title="Elsewhere")
        status = runner.wait(job, timeout=30)
    assert status.state is JobState.FAILED
    assert "uses another database" in (status.error or "")


def test_unknown_jobs_and_unmarked_functions_are_refused(shared: tuple[str, Store]) -> None:
    url, store = shared
    runner = _runner(url, store)
    with pytest.raises(UnknownJobError):
        runner.status("job-nothing")
    with pytest.raises(ValueError, match="not marked as a background job"):
        runner.start(Services(store=store), not_marked, title="Anything")


def test_the_app_shares_jobs_through_redis_when_it_is_named(shared: tuple[str, Store],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from integramap.web.common.shared_jobs import SharedJobRunner

    url, _ = shared
    assert isinstance(default_runner(), SharedJobRunner)
    assert default_runner() is default_runner()
    monkeypatch.delenv(REDIS_URL_ENV)
    assert isinstance(default_runner(), jobs_module.JobRunner)


def until(condition: Any, timeout: float) -> None:
    from dash.testing.wait import until as dash_until

    dash_until(condition, timeout, poll=0.05)


def test_serve_and_worker_say_plainly_when_redis_does_not_answer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    from integramap.cli import main

    pytest.importorskip("celery", reason="the redis extra is not installed: pip install -e '.[redis]'")
    db = f"sqlite:///{tmp_path / 'a.db'}"
    monkeypatch.setenv(REDIS_URL_ENV, "redis://:secret@127.0.0.1:1/0")
    assert main(["serve", "--database", db]) == 1
    said = capsys.readouterr().err
    assert "No Redis server answers at redis://***@127.0.0.1:1/0" in said
    assert "secret" not in said  # a password in the URL is never shown
    assert main(["worker", "--database", db]) == 1
    assert "No Redis server answers" in capsys.readouterr().err
    monkeypatch.delenv(REDIS_URL_ENV)
    assert main(["worker", "--database", db]) == 1
    assert "Set INTEGRAMAP_REDIS_URL to the Redis server" in capsys.readouterr().err


def test_a_job_reads_only_what_the_person_who_started_it_may(shared: tuple[str, Store]) -> None:
    url, store = shared
    runner = _runner(url, store)
    with acting_as(Person(name="Ben Okoro", roles={"riverside-borough": "viewer"})):
        allowed = runner.start(Services(store=store), site_name, site_id="riverside-borough", title="Reading")
    with acting_as(Person(name="Cara Smith", roles={})):
        refused = runner.start(Services(store=store), site_name, site_id="riverside-borough", title="Reading")
    assert runner.wait(allowed, timeout=30).state is JobState.DONE
    assert runner.result(allowed) == store.get("riverside-borough").site.name
    status = runner.wait(refused, timeout=30)
    assert status.state is JobState.FAILED
    assert "riverside-borough" in (status.error or "")


def test_an_icb_opened_from_the_atlas_is_built_by_a_worker_and_the_page_draws_its_own_atlas(
        shared: tuple[str, Store], monkeypatch: pytest.MonkeyPatch) -> None:
    from integramap.demo import REFERENCE_DATA_ENV
    from integramap.web.atlas import data as atlas_data
    from integramap.web.atlas import page as atlas_page

    url, store = shared
    monkeypatch.setenv(REFERENCE_DATA_ENV, str(Path(__file__).resolve().parent / "fixtures" / "demo"))
    atlas_data._kept.clear()
    try:
        # A process that never ran the national build draws the atlas all the same.
        national = atlas_page._national()
        assert {e.code for e in national.found.icbs} == {"QZZ", "QYY"}
        job = _runner(url, store).start(Services(store=store), atlas_page.open_icb_in_background,
                                        title="Opening Vale", code="QZZ", author="Asha Patel")
        assert _runner(url, store).wait(job, timeout=60).state is JobState.DONE
        site_id = _runner(url, store).result(job)
        assert site_id == "england-QZZ" and store.get(site_id).author == "Asha Patel"
    finally:
        atlas_data._kept.clear()
