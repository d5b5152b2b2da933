"""Background jobs shared by every server process and machine: Celery queues them, Redis keeps them.

When ``$INTEGRAMAP_REDIS_URL`` is set, :func:`~integramap.web.common.jobs.default_runner`
returns a :class:`SharedJobRunner`. Starting a job writes its status to Redis and
queues a Celery message naming the job (a function marked
:func:`~integramap.web.common.jobs.background_job`) and its JSON arguments; an
``integramap worker`` process, on this machine or another, runs it, writing its
progress, then its result or error, back to Redis. Any server process can
therefore answer a page that polls for the job, whichever one started it.

Redis is trusted with no more than it must be: each queued message carries an
HMAC of its content and each result an HMAC of its bytes, made with a key kept in
the database (or ``$INTEGRAMAP_SECRET_KEY``), so someone who can write to Redis
but not the database can neither run a job as another person nor plant a result
that a server would unpickle.

Jobs act for the person who started them, as they do in one process: the
person's name and roles travel in the signed message. Only that person (and
anyone who joined the job by asking for the same work) can read its progress
and result: to anyone else it is a job that does not exist.

A worker process can die mid-job (killed, out of memory, its machine turned
off) without a word. While a job runs, its worker renews a heartbeat in Redis
at each progress report and every :data:`HEARTBEAT_EVERY` seconds from a timer;
the heartbeat lapses :data:`STALE_AFTER` seconds after it was last renewed,
and a running job without one is reported as failed (:data:`STOPPED`), so
its page stops waiting and offers to start again.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import pickle
import secrets
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import redis
from celery import Celery

from integramap.people import Person, acting_as, acting_person
from integramap.web.common.jobs import (
    MAX_MESSAGE,
    BackgroundJob,
    JobCancelled,
    JobState,
    JobStatus,
    Progress,
    UnknownJobError,
    failure_text,
    job_owner,
    marked_name,
    may_follow,
    poll_until_finished,
    registered_job,
)

if TYPE_CHECKING:
    from integramap.store import Store
    from integramap.web.common.services import Services

__all__ = ["HEARTBEAT_EVERY", "KEEP_SECONDS", "QUEUE", "STALE_AFTER", "STOPPED", "SharedJobRunner", "celery_app",
           "redis_problem", "run_queued"]

log = logging.getLogger(__name__)

QUEUE = "integramap-jobs"
TASK = "integramap.run_job"
PREFIX = "integramap:job:"
KEEP_SECONDS = 24 * 3600
"""How long a job's status and result stay in Redis after it was last touched."""
REPORT_EVERY = 0.2
"""Seconds between progress writes (and cancellation checks) from a running job: a job may report
thousands of times, and Redis needs to hear only what a page polling twice a second can show."""
STALE_AFTER = 60.0
"""Seconds a running job's heartbeat lasts: a job not heard from for longer is reported as failed, its worker
presumed dead. Long enough for a busy worker's timer to be late a few times over."""
HEARTBEAT_EVERY = 10.0
"""Seconds between heartbeats from a worker's timer while a job runs (progress reports renew it too)."""
STOPPED = "The server working on this stopped before it finished. Try again."
"""What a page says of a job whose worker stopped mid-job."""
_SECRET_NAME = "job-key"


def redis_problem(url: str) -> str | None:
    """Why Redis at ``url`` cannot be used (in words for whoever runs the server), or ``None``.

    Examples
    --------
    >>> print(redis_problem("redis://127.0.0.1:1/0"))  # doctest: +ELLIPSIS
    No Redis server answers at redis://127.0.0.1:1/0 (...). Start it, or unset INTEGRAMAP_REDIS_URL to run background jobs inside each server process.
    """
    try:
        redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3).ping()
    except (redis.RedisError, ValueError, OSError) as err:
        return (f"No Redis server answers at {_without_password(url)} ({err}). Start it, or unset "
                "INTEGRAMAP_REDIS_URL to run background jobs inside each server process.")
    return None


def _without_password(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    if "@" in rest:
        rest = "***@" + rest.rpartition("@")[2]
    return f"{scheme}{sep}{rest}"


def celery_app(url: str) -> Celery:
    """The Celery application that carries IntegraMap's jobs through Redis at ``url``."""
    app = Celery("integramap", broker=url, set_as_current=False)
    app.conf.update(
        task_serializer="json", accept_content=["json"], result_backend=None, task_ignore_result=True,
        task_default_queue=QUEUE, broker_connection_retry_on_startup=True,
        # One job at a time per worker process: jobs are long, and a prefetched one would wait
        # behind it while another worker stands idle.
        worker_prefetch_multiplier=1, task_acks_late=True,
        worker_hijack_root_logger=False,
    )
    app.task(name=TASK)(run_queued)
    return app


def _signature(secret: bytes, data: bytes) -> str:
    return hmac.new(secret, data, hashlib.sha256).hexdigest()


def _canonical(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()


def store_secret(store: "Store") -> bytes:
    """The key that signs queued jobs and their results: ``$INTEGRAMAP_SECRET_KEY``, else one kept in
    the database, so every server and worker using that database shares it."""
    given = os.environ.get("INTEGRAMAP_SECRET_KEY", "").strip()
    return (given or store.accounts.secret(_SECRET_NAME)).encode()


def store_fingerprint(store: "Store") -> str:
    """Says which database a job was started on, without naming it (the URL may hold a password)."""
    return hashlib.sha256(store.url.encode()).hexdigest()[:16]


class _Records:
    """A job's status, cancellation flag and result, in Redis."""

    def __init__(self, client: redis.Redis) -> None:
        self.redis = client

    def get(self, key: str) -> bytes | None:
        found = self.redis.get(key)
        return found.encode() if isinstance(found, str) else found  # bytes unless told to decode

    def write(self, job_id: str, *, alive: bool = False, **fields: Any) -> None:
        """Set the job's ``fields``; ``alive`` also renews its heartbeat (a job running in this process)."""
        key = PREFIX + job_id
        pipe = self.redis.pipeline()
        if alive:
            fields["beat"] = time.time()
            pipe.set(key + ":alive", b"1", px=int(STALE_AFTER * 1000))
        pipe.hset(key, mapping={k: json.dumps(v) for k, v in fields.items()})
        pipe.expire(key, KEEP_SECONDS)
        pipe.execute()

    def fields(self, job_id: str) -> dict[str, Any]:
        """The job's record, with ``alive`` saying whether its heartbeat lasts."""
        pipe = self.redis.pipeline()
        pipe.hgetall(PREFIX + job_id)
        pipe.exists(PREFIX + job_id + ":alive")
        raw, alive = pipe.execute()
        if not raw:
            raise UnknownJobError(job_id)
        found = {(k.decode() if isinstance(k, bytes) else k): json.loads(v) for k, v in raw.items()}
        found["alive"] = bool(alive)
        return found

    def read(self, job_id: str) -> JobStatus:
        return self.status(job_id, self.fields(job_id))

    @staticmethod
    def status(job_id: str, f: dict[str, Any]) -> JobStatus:
        status = JobStatus(id=job_id, title=f["title"], state=JobState(f["state"]), fraction=float(f["fraction"]),
                           message=f["message"], started=float(f["started"]), finished=f.get("finished"),
                           error=f.get("error"))
        if status.state is JobState.RUNNING and not f["alive"]:
            # Its worker stopped without saying so: the job will never finish.
            return JobStatus(id=job_id, title=status.title, state=JobState.FAILED, fraction=status.fraction,
                             message="Failed", started=status.started, error=STOPPED,
                             finished=float(f.get("beat") or status.started))
        return status

    def joined(self, job_id: str) -> set[str]:
        """Who else asked for the same work while the job ran."""
        return {m.decode() if isinstance(m, bytes) else str(m)
                for m in self.redis.smembers(PREFIX + job_id + ":joined")}

    def join(self, job_id: str, person: str) -> None:
        pipe = self.redis.pipeline()
        pipe.sadd(PREFIX + job_id + ":joined", person)
        pipe.expire(PREFIX + job_id + ":joined", KEEP_SECONDS)
        pipe.execute()

    def cancelled(self, job_id: str) -> bool:
        return bool(self.redis.exists(PREFIX + job_id + ":cancel"))

    def finish(self, job_id: str, state: JobState, message: str, error: str | None,
               result: bytes | None = None) -> None:
        fields: dict[str, Any] = {"state": state.value, "message": message[:MAX_MESSAGE], "finished": time.time(),
                                  "error": None if error is None else error[:MAX_MESSAGE * 3]}
        if state is JobState.DONE:
            fields["fraction"] = 1.0
        if result is not None:
            self.redis.set(PREFIX + job_id + ":result", result, ex=KEEP_SECONDS)
        self.write(job_id, **fields)


class SharedJobRunner:
    """Starts jobs on a Celery queue and reads their progress and results from Redis.

    Every server process makes its own runner on the same ``url``; they share every job.
    ``secret`` signs the queued messages and results (default: :func:`store_secret` of the
    store a job is started on, or of the app serving the request).
    """

    def __init__(self, url: str, secret: bytes | None = None) -> None:
        self.url = url
        self.records = _Records(redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=30))
        self.celery = celery_app(url)
        self._secret = secret
        self._lock = threading.Lock()

    def _key(self, store: "Store | None" = None) -> bytes:
        with self._lock:
            if self._secret is None:
                if store is None:
                    from integramap.web.common.services import current_services

                    store = current_services().store
                self._secret = store_secret(store)
            return self._secret

    def start(self, services: "Services", job: BackgroundJob, *, title: str,
              message: str = "Waiting to start", key: str | None = None, **arguments: Any) -> str:
        """Queue ``job(services, progress, **arguments)`` for a worker; its id at once.

        Jobs given the same ``key`` are one job while it runs, across every process.
        """
        name = marked_name(job)
        job_id = f"job-{secrets.token_hex(10)}"
        if key is not None:
            key_name = PREFIX + "key:" + key
            for _ in range(3):
                if self.records.redis.set(key_name, job_id, nx=True, ex=KEEP_SECONDS):
                    break
                running = self.records.get(key_name)
                if running is not None:
                    try:
                        if not self.records.read(running.decode()).state.finished:
                            joiner = job_owner()
                            if joiner is not None:  # whoever asked for the same work may follow it
                                self.records.join(running.decode(), joiner)
                            return running.decode()
                    except UnknownJobError:
                        pass
                    # The job under this key has finished: the next try takes the key over.
                    if self.records.get(key_name) == running:
                        self.records.redis.delete(key_name)
        person = acting_person()
        payload = {"id": job_id, "job": name, "arguments": arguments, "store": store_fingerprint(services.store),
                   "person": None if person is None else person.model_dump(mode="json")}
        data = _canonical(payload)  # TypeError here, before anything is queued, for arguments that are not JSON
        self.records.write(job_id, title=title, state=JobState.QUEUED.value, fraction=0.0,
                           message=message[:MAX_MESSAGE], started=time.time(), finished=None, error=None,
                           owner=job_owner(person))
        self.celery.send_task(TASK, args=[payload, _signature(self._key(services.store), data)], queue=QUEUE)
        return job_id

    def status(self, job_id: str) -> JobStatus:
        """The job's latest snapshot; :class:`UnknownJobError` for an id Redis does not hold, or another
        person's job. A running job whose worker has stopped is reported as failed."""
        found = self.records.fields(job_id)
        owner = found.get("owner")
        if not may_follow(owner) and not may_follow(owner, self.records.joined(job_id)):
            raise UnknownJobError(job_id)
        return self.records.status(job_id, found)

    def result(self, job_id: str) -> Any:
        """What the job returned; ``RuntimeError`` saying why when it has not (or its result is not ours)."""
        status = self.status(job_id)
        if status.state is not JobState.DONE:
            reason = status.error or f"it is {status.state.value}"
            raise RuntimeError(f"{status.title} has no result: {reason}")
        stored = self.records.get(PREFIX + job_id + ":result")
        if stored is None:
            raise RuntimeError(f"{status.title} has no result: it was cleared, start it again")
        mark, _, body = stored.partition(b"\n")
        if not hmac.compare_digest(mark.decode(errors="replace"), _signature(self._key(), body)):
            log.error("job %s: its result is not signed with this server's key; ignored", job_id)
            raise RuntimeError(f"{status.title} has no result this server can trust: start it again")
        return pickle.loads(body)  # noqa: S301  # signed above with a key only servers and workers hold

    def cancel(self, job_id: str) -> bool:
        """Ask the job to stop at its next progress report; False if it has already finished."""
        status = self.status(job_id)
        if status.state.finished:
            return False
        self.records.redis.set(PREFIX + job_id + ":cancel", b"1", ex=KEEP_SECONDS)
        if status.state is JobState.QUEUED:
            self.records.finish(job_id, JobState.CANCELLED, "Cancelled before it started", None)
        return True

    def wait(self, job_id: str, timeout: float | None = None) -> JobStatus:
        """Block until the job has finished (or ``timeout`` seconds pass); its status."""
        return poll_until_finished(self.status, job_id, timeout, interval=0.05)


# -- in the worker process ---------------------------------------------------------------------

@dataclass
class _Worker:
    services: "Services"
    records: _Records
    secret: bytes
    fingerprint: str


_workers: dict[int, _Worker] = {}
_workers_lock = threading.Lock()


def _worker() -> _Worker:
    """This worker process's store and Redis connection, opened at its first job (after any fork)."""
    with _workers_lock:
        found = _workers.get(os.getpid())
        if found is None:
            from integramap.store import Store
            from integramap.store.access import PersonalStore
            from integramap.web.common.jobs import REDIS_URL_ENV
            from integramap.web.common.services import Services

            store = Store.from_env()
            client = redis.Redis.from_url(os.environ[REDIS_URL_ENV], socket_connect_timeout=5, socket_timeout=30)
            # Through the person's roles, as in the server: a job reads and writes only what its
            # starter may.
            found = _Worker(Services(store=PersonalStore(store)), _Records(client), store_secret(store),
                            store_fingerprint(store))
            _workers[os.getpid()] = found
        return found


def run_queued(payload: dict[str, Any], signature: str) -> None:
    """The Celery task: check the message's signature, then run the job it names and record the outcome."""
    worker = _worker()
    if not hmac.compare_digest(str(signature), _signature(worker.secret, _canonical(payload))):
        log.error("refused a queued job whose signature does not match this database's key")
        return
    job_id = str(payload["id"])
    records = worker.records
    if payload.get("store") != worker.fingerprint:
        records.finish(job_id, JobState.FAILED, "Failed", "The job worker uses another database than the "
                       "server that started this job: give both the same INTEGRAMAP_DATABASE_URL.")
        return
    try:
        if records.read(job_id).state is not JobState.QUEUED or records.cancelled(job_id):
            return  # cancelled while it waited
    except UnknownJobError:
        return  # forgotten while it waited
    records.write(job_id, alive=True, state=JobState.RUNNING.value, message="Starting", started=time.time())
    last = [0.0, 0.0]  # when progress was last written, and cancellation last checked

    def report(fraction: float, message: str) -> None:
        now = time.monotonic()
        if now - last[0] >= REPORT_EVERY or fraction >= 1.0:
            last[0] = now
            records.write(job_id, alive=True, fraction=fraction,
                          **({"message": message[:MAX_MESSAGE]} if message else {}))

    def cancelled() -> bool:
        now = time.monotonic()
        if now - last[1] < REPORT_EVERY:
            return False
        last[1] = now
        return records.cancelled(job_id)

    person = payload.get("person")
    stop = threading.Event()
    # A job may work for minutes between reports (one large query): the timer keeps it heard from.
    beating = threading.Thread(target=_beat, args=(records, job_id, stop), daemon=True,
                               name=f"integramap-beat-{job_id}")
    beating.start()
    try:
        try:
            job = registered_job(str(payload["job"]))
            with acting_as(None if person is None else Person.model_validate(person)):
                result = job(worker.services, Progress(report, cancelled), **payload.get("arguments", {}))
            body = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
        except JobCancelled:
            records.finish(job_id, JobState.CANCELLED, "Cancelled", None)
        except Exception as exc:  # a job's failure is reported on its page, never raised there
            records.finish(job_id, JobState.FAILED, "Failed", failure_text(exc, job_id))
        else:
            records.finish(job_id, JobState.DONE, "Done", None,
                           result=_signature(worker.secret, body).encode() + b"\n" + body)
    finally:
        stop.set()


def _beat(records: _Records, job_id: str, stop: threading.Event) -> None:
    """Renew the job's heartbeat every :data:`HEARTBEAT_EVERY` seconds until ``stop`` is set."""
    while not stop.wait(HEARTBEAT_EVERY):
        try:
            records.write(job_id, alive=True)
        except redis.RedisError as err:  # Redis away for a moment: the next beat may reach it
            log.warning("job %s: heartbeat not written (%s)", job_id, err)
