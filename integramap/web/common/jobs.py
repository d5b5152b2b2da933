"""Long work in the background, with progress a page can show.

A national import or a large comparison takes longer than a browser request
should wait. :class:`JobRunner` runs such work on a worker thread; the work
reports how far it has got through a :class:`Progress` callback (a fraction
and a message), and a page polls :meth:`JobRunner.status` on a
``dcc.Interval`` to draw a progress bar, then the result or the error.

The runner itself is plain Python (threads, no Dash) so it is tested without a
browser; :func:`progress_bar` is the one piece that builds Dash components.

Pages start work with :meth:`JobRunner.start`, naming a module-level function
marked :func:`background_job` and plain (JSON) arguments rather than a closure,
so the same call can run the job in this process or, when
``$INTEGRAMAP_REDIS_URL`` is set, queue it for any worker process on any machine
(:mod:`integramap.web.common.shared_jobs`): :func:`default_runner` picks one.
Pages follow a job with :func:`follow_job`, the same steps for every page.

A job belongs to the person who started it (:func:`job_owner`): to any other
signed-in person its status and result are those of a job that does not exist,
so knowing a job's id is not enough to read what it found. Someone who presses
a button that joins a running job of the same ``key`` may follow it too.
"""

from __future__ import annotations

import contextvars
import itertools
import logging
import secrets
import threading
import time
from collections import OrderedDict
import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from integramap.people import Person, acting_person

if TYPE_CHECKING:
    from collections.abc import Collection

    from integramap.web.common.services import Services

__all__ = [
    "Followed", "JobCancelled", "JobRunner", "JobState", "JobStatus", "Progress", "Runner", "Step",
    "UnknownJobError", "background_job", "default_runner", "failure_text", "follow_job", "job_name",
    "job_owner", "marked_name", "may_follow", "progress_bar", "registered_job",
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


UNKNOWN_JOB = "This work is no longer known to the server (it may have finished a while ago): please start it again."


class UnknownJobError(KeyError):
    """No job with this id: never started here, or finished long enough ago to be forgotten."""

    def __str__(self) -> str:
        # Said on pages: the id means nothing to a person (it stays in ``args`` for the logs).
        return UNKNOWN_JOB


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


BackgroundJob = Callable[..., Any]
"""``job(services, progress, **arguments)``: a page's long work, run by a :class:`Runner`."""

_F = TypeVar("_F", bound=BackgroundJob)
_REGISTRY: dict[str, BackgroundJob] = {}


def job_name(job: BackgroundJob) -> str:
    """The name a job is queued under: its module and function name."""
    return f"{job.__module__}:{job.__qualname__}"


def background_job(job: _F) -> _F:
    """Mark a module-level function as a background job, so that a worker process may run it.

    Only functions marked so are ever run from a queued message: a message naming any other
    function is refused.

    Examples
    --------
    >>> @background_job
    ... def count(services, progress, upto):
    ...     return list(range(upto))
    >>> registered_job(job_name(count)) is count
    True
    """
    _REGISTRY[job_name(job)] = job
    return job


def registered_job(name: str) -> BackgroundJob:
    """The job marked :func:`background_job` under ``name``; ``KeyError`` for any other name."""
    if name not in _REGISTRY:
        module = name.partition(":")[0]
        if module.split(".")[0] == "integramap":  # a worker imports the page that marks it
            try:
                __import__(module)
            except ImportError:
                pass
    return _REGISTRY[name]


def marked_name(job: BackgroundJob) -> str:
    """``job``'s queued name; ``ValueError`` unless it is marked :func:`background_job`."""
    name = job_name(job)
    if _REGISTRY.get(name) is not job:
        raise ValueError(f"{name} is not marked as a background job")
    return name


def failure_text(exc: Exception, job_id: str) -> str:
    """What a page shows for a job that raised ``exc``: the sentence, and the kind of an unexpected error."""
    text = str(exc).strip() or type(exc).__name__
    if not isinstance(exc, ValueError | OSError | RuntimeError | KeyError):
        log.exception("background job %s failed", job_id)
        text = f"{type(exc).__name__}: {text}"
    return text


def job_owner(person: Person | None = None) -> str | None:
    """Whose a job started now is: the acting person's name; ``None`` in single-user mode or outside
    any request (a job anyone may follow).

    Examples
    --------
    >>> job_owner(Person(name="Asha")), job_owner(None)
    ('Asha', None)
    """
    person = person if person is not None else acting_person()
    return None if person is None or person.local else person.name


def may_follow(owner: str | None, joined: "Collection[str]" = (), reader: Person | None = None) -> bool:
    """Whether the acting person (or ``reader``) may read a job started by ``owner`` and joined by ``joined``.

    Code acting for no one (the command line, a test) may read every job; a signed-in person only the
    jobs they started or joined, and every job started in single-user mode.

    Examples
    --------
    >>> asha, ben = Person(name="Asha"), Person(name="Ben")
    >>> may_follow("Asha", reader=asha), may_follow("Asha", reader=ben), may_follow(None, reader=ben)
    (True, False, True)
    >>> may_follow("Asha", joined={"Ben"}, reader=ben)
    True
    """
    reader = reader if reader is not None else acting_person()
    if owner is None or reader is None:
        return True
    return not reader.local and (reader.name == owner or reader.name in joined)


class Runner(Protocol):
    """What pages need of a job runner, in this process or shared through Redis."""

    def start(self, services: "Services", job: BackgroundJob, *, title: str, message: str = ...,
              key: str | None = None, **arguments: Any) -> str: ...

    def status(self, job_id: str) -> JobStatus: ...

    def result(self, job_id: str) -> Any: ...

    def cancel(self, job_id: str) -> bool: ...

    def wait(self, job_id: str, timeout: float | None = None) -> JobStatus: ...


@dataclass
class _Job:
    status: JobStatus
    result: Any = None
    cancel: threading.Event | None = None
    owner: str | None = None
    joined: set[str] = field(default_factory=set)


def poll_until_finished(status: Callable[[str], JobStatus], job_id: str, timeout: float | None,
                        interval: float) -> JobStatus:
    """Read a job's status every ``interval`` seconds until it has finished or ``timeout`` seconds have
    passed (never, when ``None``); the last status read. Both runners' ``wait``."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        found = status(job_id)
        if found.state.finished or (deadline is not None and time.monotonic() >= deadline):
            return found
        time.sleep(interval)


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
                joiner = job_owner()
                if joiner is not None:  # whoever asked for the same work may follow it
                    self._jobs[running].joined.add(joiner)
                return running
            if key is not None:
                self._keys[key] = job_id
            self._jobs[job_id] = _Job(status=status, cancel=cancel, owner=job_owner())
            self._forget_old()
        # The job runs in the submitting request's context, so it acts as the person who started it.
        context = contextvars.copy_context()
        threading.Thread(target=context.run, args=(self._run_when_free, job_id, fn, cancel), daemon=True,
                         name=f"integramap-{job_id}").start()
        return job_id

    def start(self, services: "Services", job: BackgroundJob, *, title: str,
              message: str = "Waiting to start", key: str | None = None, **arguments: Any) -> str:
        """Start ``job(services, progress, **arguments)`` in the background; its id at once.

        ``job`` must be marked :func:`background_job` and ``arguments`` be plain JSON values,
        as for a runner that queues the job for another process.
        """
        marked_name(job)
        return self.submit(lambda progress: job(services, progress, **arguments), title=title,
                           message=message, key=key)

    def _followed(self, job_id: str) -> _Job:
        # Called with the lock held. Another person's job is one this person cannot tell exists.
        job = self._jobs.get(job_id)
        if job is None or not may_follow(job.owner, job.joined):
            raise UnknownJobError(job_id)
        return job

    def status(self, job_id: str) -> JobStatus:
        """The job's latest snapshot; :class:`UnknownJobError` for an id not known here, or another
        person's job."""
        with self._lock:
            return self._followed(job_id).status

    def result(self, job_id: str) -> Any:
        """What the job's function returned; ``RuntimeError`` saying why when it has not."""
        with self._lock:
            job = self._followed(job_id)
            if job.status.state is not JobState.DONE:
                reason = job.status.error or f"it is {job.status.state.value}"
                raise RuntimeError(f"{job.status.title} has no result: {reason}")
            return job.result

    def cancel(self, job_id: str) -> bool:
        """Ask a job to stop at its next progress report; False if it has already finished."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None or job.status.state.finished or not may_follow(job.owner, job.joined):
                return False
            assert job.cancel is not None
            job.cancel.set()
            if job.status.state is JobState.QUEUED:
                self._finish(job, JobState.CANCELLED, "Cancelled before it started", None)
            return True

    def wait(self, job_id: str, timeout: float | None = None) -> JobStatus:
        """Block until the job has finished (or ``timeout`` seconds pass); its status."""
        return poll_until_finished(self.status, job_id, timeout, interval=0.02)

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
            outcome = (JobState.FAILED, "Failed", failure_text(exc, job_id), None)
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


REDIS_URL_ENV = "INTEGRAMAP_REDIS_URL"
"""Names the Redis server that queues background jobs and keeps their progress for every process."""

_default: JobRunner | None = None
_shared: dict[str, Runner] = {}
_default_lock = threading.Lock()


def default_runner() -> Runner:
    """The app's runner: shared through Redis when ``$INTEGRAMAP_REDIS_URL`` is set, so that any
    server process can follow any job; otherwise two worker threads in this process."""
    global _default
    url = os.environ.get(REDIS_URL_ENV, "").strip()
    with _default_lock:
        if url:
            if url not in _shared:
                from integramap.web.common.shared_jobs import SharedJobRunner

                _shared[url] = SharedJobRunner(url)
            return _shared[url]
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


class Step(str, Enum):
    """Where a page that follows a job has got to."""

    NONE = "none"
    """The page follows no job."""
    UNKNOWN = "unknown"
    """No such job here: forgotten, or another person's."""
    RUNNING = "running"
    """Queued or running: keep polling."""
    DONE = "done"
    """Finished with a result."""
    FAILED = "failed"
    """Failed, was cancelled, or its result cannot be read."""


@dataclass(frozen=True)
class Followed:
    """What a page needs to draw one poll of a job: see :func:`follow_job`."""

    step: Step
    bar: Any = ""
    """The progress bar (a Dash component) while there is a status to show, else ``""``."""
    result: Any = None
    """What the job returned, once it is done (and was asked for)."""
    message: str = ""
    """Why there is no result, in words for people, when the step is unknown or failed."""

    @property
    def polling(self) -> bool:
        """Whether the page should poll again."""
        return self.step is Step.RUNNING


def follow_job(runner: Runner, job_id: str | None, *, collect: bool = True) -> Followed:
    """One poll of ``job_id`` for a page: its step, progress bar, and result or message.

    ``collect=False`` leaves the result where it is, for a page that fetches it elsewhere.

    Examples
    --------
    >>> runner = JobRunner(workers=1)
    >>> follow_job(runner, None).step.value
    'none'
    >>> job = runner.submit(lambda progress: 6 * 7, title="Counting")
    >>> _ = runner.wait(job)
    >>> followed = follow_job(runner, job)
    >>> followed.step.value, followed.result, followed.polling
    ('done', 42, False)
    >>> followed = follow_job(runner, "job-0-gone")
    >>> followed.step.value, followed.message
    ('unknown', 'This work is no longer known to the server (it may have finished a while ago): please start it again.')
    >>> runner.shutdown()
    """
    if not job_id:
        return Followed(Step.NONE)
    try:
        status = runner.status(job_id)
    except UnknownJobError as err:
        return Followed(Step.UNKNOWN, message=str(err))
    bar = progress_bar(status)
    if not status.state.finished:
        return Followed(Step.RUNNING, bar)
    if status.state is not JobState.DONE:
        return Followed(Step.FAILED, bar, message=status.error or status.message)
    if not collect:
        return Followed(Step.DONE, bar)
    try:
        return Followed(Step.DONE, bar, result=runner.result(job_id))
    except UnknownJobError as err:
        return Followed(Step.UNKNOWN, message=str(err))
    except RuntimeError as err:  # cleared, or not signed with this server's key
        failed = replace(status, state=JobState.FAILED, message="Failed", error=str(err))
        return Followed(Step.FAILED, progress_bar(failed), message=str(err))
