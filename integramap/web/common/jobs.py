"""Long work in the background, with progress a page can show.

A national import or a large comparison takes longer than a browser request
should wait. :class:`JobRunner` runs such work on a worker thread; the work
reports how far it has got through a :class:`Progress` callback (a fraction
and a message), and a page polls :meth:`JobRunner.status` on a
``dcc.Interval`` to draw a progress bar, then the result or the error.

The runner itself is plain Python (threads, no Dash) so it is tested without a
browser; :func:`progress_bar` is the one piece that builds Dash components.
"""

from __future__ import annotations

import contextvars
import itertools
import logging
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import Enum
from typing import Any

__all__ = [
    "JobCancelled", "JobRunner", "JobState", "JobStatus", "Progress", "UnknownJobError",
    "default_runner", "progress_bar",
]

log = logging.getLogger(__name__)

MAX_MESSAGE = 300
"""Longest progress or error message kept: a page shows it in one line or two."""


class JobState(str, Enum):
    """Where a job is in its life."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def finished(self) -> bool:
        return self in (JobState.DONE, JobState.FAILED, JobState.CANCELLED)


class JobCancelled(Exception):
    """Raised inside a job, at its next progress report, once someone has cancelled it."""


class UnknownJobError(KeyError):
    """No job with this id: never started here, or finished long enough ago to be forgotten."""

    def __str__(self) -> str:
        return f"no job {self.args[0]!r}; it may have finished and been cleared, start it again"


@dataclass(frozen=True)
class JobStatus:
    """A snapshot of a job: safe to read from any thread, and to show to a person."""

    id: str
    title: str
    state: JobState
    fraction: float
    message: str
    started: float
    finished: float | None = None
    error: str | None = None

    @property
    def done(self) -> bool:
        return self.state is JobState.DONE

    @property
    def percent(self) -> int:
        return int(round(self.fraction * 100))

    @property
    def elapsed(self) -> float:
        """Seconds since the job was started (until it finished, if it has)."""
        return (self.finished if self.finished is not None else time.time()) - self.started


class Progress:
    """What a job calls to report progress: ``progress(0.4, "Reading practices")``.

    Each call also checks for cancellation, so a cancelled job stops at its
    next report. :meth:`part` hands a sub-task its own 0–1 range inside a
    slice of the whole.

    Examples
    --------
    >>> seen = []
    >>> p = Progress(lambda f, m: seen.append((round(f, 2), m)))
    >>> p(0.5, "half way")
    >>> p.part(0.5, 1.0)(0.5, "three quarters")
    >>> seen
    [(0.5, 'half way'), (0.75, 'three quarters')]
    """

    def __init__(self, report: Callable[[float, str], None],
                 cancelled: Callable[[], bool] = lambda: False,
                 start: float = 0.0, end: float = 1.0) -> None:
        self._report = report
        self._cancelled = cancelled
        self._start = start
        self._end = end

    def __call__(self, fraction: float, message: str = "") -> None:
        if self._cancelled():
            raise JobCancelled()
        f = min(1.0, max(0.0, float(fraction)))
        self._report(self._start + f * (self._end - self._start), message)

    def part(self, start: float, end: float) -> "Progress":
        """A progress callback whose 0–1 maps onto ``start``–``end`` of this one."""
        span = self._end - self._start
        return Progress(self._report, self._cancelled, self._start + start * span,
                        self._start + end * span)


@dataclass
class _Job:
    status: JobStatus
    result: Any = None
    cancel: threading.Event | None = None


class JobRunner:
    """Runs functions on worker threads and keeps their progress, result or error.

    ``workers`` jobs run at once (the rest wait, shown as queued); the last
    ``keep`` finished jobs are remembered for their pages to collect.

    Examples
    --------
    >>> runner = JobRunner(workers=1)
    >>> def count(progress):
    ...     for i in range(3):
    ...         progress(i / 3, f"step {i + 1} of 3")
    ...     return "counted"
    >>> job = runner.submit(count, title="Counting")
    >>> runner.wait(job).state.value, runner.result(job)
    ('done', 'counted')
    >>> runner.shutdown()
    """

    def __init__(self, workers: int = 2, keep: int = 50) -> None:
        # A thread per job, gated by a semaphore, rather than a pool: a pool whose worker
        # thread has died keeps counting it as idle, and every later job waits for ever.
        self._slots = threading.BoundedSemaphore(workers)
        self._closed = False
        self._lock = threading.Lock()
        self._jobs: OrderedDict[str, _Job] = OrderedDict()
        self._keep = keep
        self._serial = itertools.count(1)
        self._threads: set[threading.Thread] = set()
        self._keys: dict[str, str] = {}

    def submit(self, fn: Callable[[Progress], Any], *, title: str,
               message: str = "Waiting to start", key: str | None = None) -> str:
        """Start ``fn(progress)`` in the background; returns the job's id at once.

        Jobs given the same ``key`` are one job while it runs: a second submit
        (a button pressed twice, or by two people) returns the running job's id
        and starts nothing, so two builds of one site never race to save it.
        """
        job_id = f"job-{next(self._serial)}-{secrets.token_hex(6)}"
        cancel = threading.Event()
        status = JobStatus(id=job_id, title=title, state=JobState.QUEUED, fraction=0.0,
                           message=message, started=time.time())
        with self._lock:
            if self._closed:
                raise RuntimeError("the job runner has been shut down; restart the app to run jobs")
            running = self._keys.get(key) if key is not None else None
            if running is not None and running in self._jobs and not self._jobs[running].status.state.finished:
                return running
            if key is not None:
                self._keys[key] = job_id
            self._jobs[job_id] = _Job(status=status, cancel=cancel)
            self._forget_old()
        # The job runs in the submitting request's context, so it acts as the person who started it.
        context = contextvars.copy_context()
        threading.Thread(target=context.run, args=(self._run_when_free, job_id, fn, cancel), daemon=True,
                         name=f"integramap-{job_id}").start()
        return job_id

    def status(self, job_id: str) -> JobStatus:
        """The job's latest snapshot; :class:`UnknownJobError` for an id not known here."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None:
                raise UnknownJobError(job_id)
            return job.status

    def result(self, job_id: str) -> Any:
        """What the job's function returned; ``RuntimeError`` saying why when it has not."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None:
                raise UnknownJobError(job_id)
            if job.status.state is not JobState.DONE:
                reason = job.status.error or f"it is {job.status.state.value}"
                raise RuntimeError(f"{job.status.title} has no result: {reason}")
            return job.result

    def cancel(self, job_id: str) -> bool:
        """Ask a job to stop at its next progress report; False if it has already finished."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None or job.status.state.finished:
                return False
            assert job.cancel is not None
            job.cancel.set()
            if job.status.state is JobState.QUEUED:
                self._finish(job, JobState.CANCELLED, "Cancelled before it started", None)
            return True

    def wait(self, job_id: str, timeout: float | None = None) -> JobStatus:
        """Block until the job has finished (or ``timeout`` seconds pass); its status."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            status = self.status(job_id)
            if status.state.finished or (deadline is not None and time.monotonic() >= deadline):
                return status
            time.sleep(0.02)

    def shutdown(self, wait: bool = False) -> None:
        """Stop taking jobs; running ones are asked to cancel."""
        with self._lock:
            self._closed = True
            for job in self._jobs.values():
                if job.cancel is not None:
                    job.cancel.set()
                if job.status.state is JobState.QUEUED:
                    self._finish(job, JobState.CANCELLED, "Cancelled: the app is stopping", None)
            waiting = list(self._threads)
        if wait:
            for thread in waiting:
                thread.join()

    # -- internals --------------------------------------------------------------------------

    def _update(self, job_id: str, **changes: Any) -> None:
        with self._lock:
            job = self._jobs.get(job_id)
            if job is not None and not job.status.state.finished:
                job.status = replace(job.status, **changes)

    def _finish(self, job: _Job, state: JobState, message: str, error: str | None) -> None:
        fraction = 1.0 if state is JobState.DONE else job.status.fraction
        job.status = replace(job.status, state=state, fraction=fraction, message=message[:MAX_MESSAGE],
                             error=None if error is None else error[:MAX_MESSAGE * 3],
                             finished=time.time())

    def _run_when_free(self, job_id: str, fn: Callable[[Progress], Any], cancel: threading.Event) -> None:
        me = threading.current_thread()
        with self._lock:
            self._threads.add(me)
        try:
            with self._slots:
                self._run(job_id, fn, cancel)
        finally:
            with self._lock:
                self._threads.discard(me)

    def _run(self, job_id: str, fn: Callable[[Progress], Any], cancel: threading.Event) -> None:
        if cancel.is_set():
            return
        self._update(job_id, state=JobState.RUNNING, message="Starting", started=time.time())

        def report(fraction: float, message: str) -> None:
            changes: dict[str, Any] = {"fraction": fraction}
            if message:
                changes["message"] = message[:MAX_MESSAGE]
            self._update(job_id, **changes)

        try:
            result = fn(Progress(report, cancel.is_set))
        except JobCancelled:
            outcome: tuple[JobState, str, str | None, Any] = (JobState.CANCELLED, "Cancelled", None, None)
        except Exception as exc:  # a job's failure is reported on its page, never raised there
            text = str(exc).strip() or type(exc).__name__
            if not isinstance(exc, ValueError | OSError | RuntimeError | KeyError):
                log.exception("background job %s failed", job_id)
                text = f"{type(exc).__name__}: {text}"
            outcome = (JobState.FAILED, "Failed", text, None)
        else:
            outcome = (JobState.DONE, "Done", None, result)
        with self._lock:
            job = self._jobs.get(job_id)
            if job is not None:
                job.result = outcome[3]
                self._finish(job, outcome[0], outcome[1], outcome[2])

    def _forget_old(self) -> None:
        finished = [k for k, j in self._jobs.items() if j.status.state.finished]
        for key in finished[:max(0, len(finished) - self._keep)]:
            del self._jobs[key]


_default: JobRunner | None = None
_default_lock = threading.Lock()


def default_runner() -> JobRunner:
    """The app's shared runner: two workers, for a machine that also serves pages."""
    global _default
    with _default_lock:
        if _default is None:
            _default = JobRunner(workers=2)
        return _default


def progress_bar(status: JobStatus, element_id: str | None = None) -> Any:
    """A progress bar with the job's title and message, for a page to show while it polls.

    Names and messages are rendered as text (Dash escapes them).
    """
    from dash import html

    state = status.state
    colour = {"failed": "#c0392b", "cancelled": "#7f8c8d", "done": "#27ae60"}.get(state.value, "#2f78b7")
    text = status.error if state is JobState.FAILED and status.error else status.message
    props: dict[str, Any] = {"id": element_id} if element_id else {}
    return html.Div(className=f"job-progress job-{state.value}", role="status", children=[
        html.Div(className="job-progress-head", children=[
            html.Strong(status.title), html.Span(f" {status.percent}%", className="job-progress-pct"),
            html.Span(f" · {status.elapsed:.0f} s", className="job-progress-time"),
        ]),
        html.Div(className="job-progress-track", style={
            "background": "#e6ebf1", "borderRadius": "4px", "height": "10px", "overflow": "hidden",
            "margin": "4px 0"}, children=html.Div(className="job-progress-fill", style={
                "width": f"{status.percent}%", "height": "100%", "background": colour,
                "transition": "width 0.3s"})),
        html.Div(text, className="job-progress-message",
                 style={"color": "#c0392b"} if state is JobState.FAILED else {}),
    ], **props)
