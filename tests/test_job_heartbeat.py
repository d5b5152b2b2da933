"""A job whose worker process dies is reported as failed, not left running for ever.

A real ``integramap worker`` (Celery, prefork: the job runs in a child process) runs the jobs in
``job_worker``; the test kills that child with SIGKILL mid-job, as the kernel's out-of-memory killer
or a lost machine would, and waits for the job's page to say so.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from dash.testing.wait import until

import job_worker
from integramap.people import Person, acting_as
from integramap.store import DATABASE_URL_ENV, Store
from integramap.web.common.jobs import REDIS_URL_ENV, JobState, Step, follow_job
from integramap.web.common.services import Services
from redis_server import redis_server

TESTS = Path(__file__).resolve().parent
STALE_AFTER = 3.0
"""The worker's heartbeat bound in these tests (60 s in production), so that a death shows within seconds."""
BEAT_EVERY = 0.5


class Setting:
    def __init__(self, url: str, store: Store, worker: subprocess.Popen[bytes], log: Path) -> None:
        from integramap.web.common.shared_jobs import SharedJobRunner, store_secret

        self.url, self.store, self.worker, self.log = url, store, worker, log
        self.runner = SharedJobRunner(url, secret=store_secret(store))
        self.redis: Any = job_worker._redis()

    def pid(self, gate: str) -> int:
        """The process running the job that waits on ``gate``, once it has started."""
        until(lambda: self.redis.get(f"{gate}:pid") is not None, timeout=60, poll=0.1)
        return int(self.redis.get(f"{gate}:pid"))

    def said(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]


@pytest.fixture
def setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Setting]:
    """Redis, a store, and a job worker process with a short heartbeat."""
    db = f"sqlite:///{tmp_path / 'jobs.db'}"
    with redis_server(tmp_path / "redis") as url, Store(db) as store:
        store.seed(TESTS.parent / "models")
        monkeypatch.setenv(REDIS_URL_ENV, url)
        monkeypatch.setenv(DATABASE_URL_ENV, db)
        monkeypatch.delenv("INTEGRAMAP_SECRET_KEY", raising=False)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")])}
        log = tmp_path / "worker.log"
        with log.open("wb") as out:
            worker = subprocess.Popen(
                [sys.executable, "-c", f"import job_worker; job_worker.main({STALE_AFTER}, {BEAT_EVERY})"],
                env=env, cwd=TESTS.parent, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            yield Setting(url, store, worker, log)
        finally:
            # The worker and the children it forked: the session it leads holds only them.
            try:
                os.killpg(worker.pid, signal.SIGTERM)
                worker.wait(timeout=30)
            except ProcessLookupError:
                pass
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait()


def test_a_job_whose_worker_is_killed_is_reported_as_failed(setting: Setting) -> None:
    from integramap.web.common.shared_jobs import STOPPED

    with acting_as(Person(name="Asha Patel", roles={})):
        job = setting.runner.start(Services(store=setting.store), job_worker.report_until_opened, gate="g1",
                                   title="Building the map", key="heartbeat:g1")
        pid = setting.pid("g1")
        until(lambda: setting.runner.status(job).message == "Working", timeout=30, poll=0.1)
        assert pid != setting.worker.pid  # the job runs in a child of the worker, as in production
        os.kill(pid, signal.SIGKILL)

        until(lambda: setting.runner.status(job).state.finished, timeout=STALE_AFTER * 10, poll=0.2)
        status = setting.runner.status(job)
        assert (status.state, status.error, status.fraction) == (JobState.FAILED, STOPPED, 0.4), setting.said()
        assert status.finished is not None and status.finished >= status.started
        followed = follow_job(setting.runner, job)
        assert (followed.step, followed.message) == (Step.FAILED, STOPPED)
        assert "stopped before it finished" in str(followed.bar)

        # Pressing the button again starts a new job (the dead one holds its key no more), which the
        # worker's new child runs to the end.
        again = setting.runner.start(Services(store=setting.store), job_worker.report_until_opened, gate="g2",
                                     title="Building the map", key="heartbeat:g1")
        assert again != job
        setting.redis.set("g2", b"1")
        assert setting.runner.wait(again, timeout=60).state is JobState.DONE, setting.said()
        assert setting.runner.result(again) not in (pid, setting.worker.pid)


def test_a_job_that_reports_nothing_for_a_long_step_stays_running(setting: Setting) -> None:
    job = setting.runner.start(Services(store=setting.store), job_worker.silent_until_opened, gate="g3",
                               title="Importing")
    setting.pid("g3")
    seen: set[JobState] = set()

    def long_past_the_bound() -> bool:
        status = setting.runner.status(job)
        seen.add(status.state)
        return status.state.finished or status.elapsed > 3 * STALE_AFTER
    until(long_past_the_bound, timeout=60, poll=0.2)
    # Its worker's timer kept it heard from all along, though the job itself said nothing.
    assert seen == {JobState.RUNNING}, setting.said()
    setting.redis.set("g3", b"1")
    assert setting.runner.wait(job, timeout=60).state is JobState.DONE, setting.said()
