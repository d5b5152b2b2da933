"""``integramap worker`` in its own process for tests, with jobs a test can watch and a short heartbeat.

Started as ``python -c "import job_worker; job_worker.main(stale_after, beat_every)"`` with this folder
on ``PYTHONPATH``, so that the jobs below are marked under this module's name in the test and the worker.
"""

from __future__ import annotations

import os
import sys
import time

import redis

from integramap.web.common.jobs import REDIS_URL_ENV, Progress, background_job
from integramap.web.common.services import Services


def _redis() -> redis.Redis:
    return redis.Redis.from_url(os.environ[REDIS_URL_ENV])


@background_job
def report_until_opened(services: Services, progress: Progress, gate: str) -> int:
    """Reports progress every 0.1 s until ``gate`` (a Redis key) exists; says which process runs it
    under ``<gate>:pid``."""
    client = _redis()
    client.set(f"{gate}:pid", os.getpid())
    while not client.exists(gate):
        progress(0.4, "Working")
        time.sleep(0.1)
    return os.getpid()


@background_job
def silent_until_opened(services: Services, progress: Progress, gate: str) -> int:
    """Reports nothing after its first step until ``gate`` exists, as one long query would."""
    client = _redis()
    progress(0.1, "One long step")
    client.set(f"{gate}:pid", os.getpid())
    while not client.exists(gate):
        time.sleep(0.1)
    return os.getpid()


def main(stale_after: float, beat_every: float) -> None:
    """Run queued jobs (one at a time, in a child process as in production) until stopped."""
    from integramap.web.common import shared_jobs
    from integramap.web.serve import run_worker

    shared_jobs.STALE_AFTER = stale_after
    shared_jobs.HEARTBEAT_EVERY = beat_every
    sys.argv = ["integramap-worker"]
    run_worker(concurrency=1)
