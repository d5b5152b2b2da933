"""The background job runner: progress, results, errors, cancellation, queueing, forgetting."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from dash.testing.wait import until

from integramap.web.common.jobs import (
    JobRunner,
    JobState,
    Progress,
    Step,
    UnknownJobError,
    background_job,
    default_runner,
    follow_job,
    progress_bar,
)


@pytest.fixture
def runner() -> Iterator[JobRunner]:
    r = JobRunner(workers=1, keep=3)
    yield r
    r.shutdown(wait=True)


def test_progress_is_visible_while_the_job_runs(runner: JobRunner) -> None:
    reached = threading.Event()
    go_on = threading.Event()

    def work(progress: Progress) -> int:
        progress(0.25, "Reading the practice lookup")
        reached.set()
        assert go_on.wait(5)
        progress(0.9, "")
        return 42

    job = runner.submit(work, title="National import")
    assert reached.wait(5)
    status = runner.status(job)
    assert status.state is JobState.RUNNING
    assert status.fraction == 0.25 and status.percent == 25
    assert status.message == "Reading the practice lookup"
    assert status.title == "National import"
    with pytest.raises(RuntimeError, match="National import has no result: it is running"):
        runner.result(job)
    go_on.set()
    final = runner.wait(job, timeout=5)
    assert final.state is JobState.DONE and final.done
    assert final.fraction == 1.0 and final.message == "Done" and final.error is None
    assert final.finished is not None and final.elapsed >= 0
    assert runner.result(job) == 42


def test_a_failing_job_reports_its_message_not_a_traceback(runner: JobRunner) -> None:
    def work(progress: Progress) -> None:
        progress(0.5, "half way")
        raise ValueError("practices.csv: line 3: PCN_CODE: expected a code, got ''")

    job = runner.submit(work, title="Import")
    status = runner.wait(job, timeout=5)
    assert status.state is JobState.FAILED
    assert status.error == "practices.csv: line 3: PCN_CODE: expected a code, got ''"
    assert status.fraction == 0.5
    with pytest.raises(RuntimeError, match="expected a code"):
        runner.result(job)


def test_an_unexpected_error_names_its_type(runner: JobRunner) -> None:
    def work(progress: Progress) -> None:
        raise ZeroDivisionError("division by zero")

    status = runner.wait(runner.submit(work, title="Sums"), timeout=5)
    assert status.state is JobState.FAILED
    assert status.error == "ZeroDivisionError: division by zero"
    assert "Traceback" not in (status.error or "")


def test_cancelling_stops_a_job_at_its_next_report(runner: JobRunner) -> None:
    started = threading.Event()
    release = threading.Event()
    after_cancel: list[str] = []

    def work(progress: Progress) -> None:
        progress(0.1, "started")
        started.set()
        release.wait(5)
        progress(0.2, "should not get here")
        after_cancel.append("ran on")

    job = runner.submit(work, title="Long")
    assert started.wait(5)
    assert runner.cancel(job)
    release.set()
    status = runner.wait(job, timeout=5)
    assert status.state is JobState.CANCELLED
    assert after_cancel == []
    assert not runner.cancel(job)  # already finished


def test_jobs_wait_their_turn_and_a_queued_job_can_be_cancelled(runner: JobRunner) -> None:
    release = threading.Event()
    first = runner.submit(lambda p: release.wait(5), title="First")
    second = runner.submit(lambda p: "second", title="Second")
    third = runner.submit(lambda p: "third", title="Third")
    assert runner.status(second).state is JobState.QUEUED
    assert runner.status(second).message == "Waiting to start"
    assert runner.cancel(third)
    assert runner.status(third).state is JobState.CANCELLED
    release.set()
    assert runner.wait(second, timeout=5).done
    assert runner.result(second) == "second"
    assert runner.wait(first, timeout=5).done
    assert runner.status(third).state is JobState.CANCELLED


def test_old_finished_jobs_are_forgotten(runner: JobRunner) -> None:
    ids = []
    for i in range(6):
        ids.append(runner.submit(lambda p, i=i: i, title=f"job {i}"))
        runner.wait(ids[-1], timeout=5)
    with pytest.raises(UnknownJobError, match="start it again"):
        runner.status(ids[0])
    assert runner.result(ids[-1]) == 5


def test_progress_parts_and_clamping() -> None:
    seen: list[tuple[float, str]] = []
    progress = Progress(lambda f, m: seen.append((round(f, 3), m)))
    progress(-1, "below")
    progress(7, "above")
    inner = progress.part(0.2, 0.6).part(0.5, 1.0)
    inner(0.0, "start of inner")
    inner(1.0, "end of inner")
    assert seen == [(0.0, "below"), (1.0, "above"), (0.4, "start of inner"), (0.6, "end of inner")]


def test_status_of_an_unknown_job() -> None:
    with pytest.raises(UnknownJobError):
        JobRunner(workers=1).status("job-0-nothing")


def test_default_runner_is_shared() -> None:
    assert default_runner() is default_runner()


def test_progress_bar_shows_title_percent_and_message_as_text(runner: JobRunner) -> None:
    job = runner.submit(lambda p: (_ for _ in ()).throw(ValueError("<b>bad</b> file")), title="<i>x</i>")
    status = runner.wait(job, timeout=5)
    bar = progress_bar(status, "bar")
    flat = repr(bar.to_plotly_json())
    assert "<i>x</i>" in flat and "<b>bad</b> file" in flat  # plain strings: Dash renders them as text
    assert bar.id == "bar"
    assert "job-failed" in bar.className


def test_shutdown_cancels_queued_jobs_and_refuses_new_ones() -> None:
    runner = JobRunner(workers=1)
    gate = threading.Event()

    def blocked(progress: Progress) -> str:
        gate.wait(5)
        progress(1.0, "released")
        return "ran"

    first = runner.submit(blocked, title="First")
    second = runner.submit(blocked, title="Second")
    assert runner.status(second).state is JobState.QUEUED
    runner.shutdown()
    gate.set()
    assert runner.wait(second, timeout=5).state is JobState.CANCELLED
    assert runner.wait(first, timeout=5).state in (JobState.CANCELLED, JobState.DONE)
    with pytest.raises(RuntimeError, match="shut down"):
        runner.submit(blocked, title="Third")


def test_jobs_with_one_key_are_one_job_while_it_runs(runner: JobRunner) -> None:
    release = threading.Event()
    runs: list[int] = []

    def build(progress: Progress) -> int:
        runs.append(1)
        release.wait(10)
        return len(runs)
    ids = {runner.submit(build, title="Build", key="demo:sel") for _ in range(8)}
    assert len(ids) == 1
    other = runner.submit(build, title="Build another", key="demo:other")
    release.set()
    first = ids.pop()
    until(lambda: runner.status(first).state.finished and runner.status(other).state.finished, timeout=10)
    assert len(runs) == 2
    # Once finished, the key starts a new job.
    again = runner.submit(lambda progress: "again", title="Build", key="demo:sel")
    assert again != first


@background_job
def _double(services: object, progress: Progress, number: int) -> int:
    progress(0.5, "doubling")
    return number * 2


def _not_marked(services: object, progress: Progress) -> None:
    """Not a background job."""


def test_start_runs_a_marked_job_with_its_arguments_and_refuses_others(runner: JobRunner) -> None:
    job = runner.start(None, _double, number=21, title="Doubling")  # type: ignore[arg-type]
    assert runner.wait(job, timeout=10).state.value == "done"
    assert runner.result(job) == 42
    with pytest.raises(ValueError, match="not marked as a background job"):
        runner.start(None, _not_marked, title="Anything")  # type: ignore[arg-type]


def test_following_a_job_through_each_step(runner: JobRunner) -> None:
    assert follow_job(runner, None).step is Step.NONE and follow_job(runner, "").step is Step.NONE
    gone = follow_job(runner, "job-0-gone")
    assert (gone.step, gone.bar, gone.result) == (Step.UNKNOWN, "", None)
    assert gone.message == str(UnknownJobError("job-0-gone"))

    reached, go_on = threading.Event(), threading.Event()

    def work(progress: Progress) -> dict[str, int]:
        progress(0.6, "Reading the practice lookup")
        reached.set()
        assert go_on.wait(10)
        return {"practices": 6}

    job = runner.submit(work, title="National import")
    assert reached.wait(10)
    running = follow_job(runner, job)
    assert running.step is Step.RUNNING and running.polling and running.result is None
    assert "job-running" in running.bar.className
    assert "Reading the practice lookup" in repr(running.bar.to_plotly_json())
    go_on.set()
    runner.wait(job, timeout=10)
    done = follow_job(runner, job)
    assert (done.step, done.result, done.message, done.polling) == (Step.DONE, {"practices": 6}, "", False)
    assert "job-done" in done.bar.className
    left = follow_job(runner, job, collect=False)
    assert (left.step, left.result) == (Step.DONE, None)


def test_following_a_failed_or_cancelled_job_gives_its_sentence(runner: JobRunner) -> None:
    def fail(progress: Progress) -> None:
        raise ValueError("practices.csv: line 3: PCN_CODE: expected a code, got ''")

    job = runner.submit(fail, title="Import")
    runner.wait(job, timeout=10)
    failed = follow_job(runner, job)
    assert (failed.step, failed.message) == (Step.FAILED, "practices.csv: line 3: PCN_CODE: expected a code, got ''")
    assert "job-failed" in failed.bar.className

    blocker = threading.Event()
    first = runner.submit(lambda progress: blocker.wait(10), title="First")
    queued = runner.submit(lambda progress: None, title="Second")
    assert runner.cancel(queued)
    blocker.set()
    runner.wait(first, timeout=10)
    cancelled = follow_job(runner, queued)
    assert (cancelled.step, cancelled.message) == (Step.FAILED, "Cancelled before it started")
