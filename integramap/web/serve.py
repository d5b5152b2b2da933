"""``integramap serve``: the app under gunicorn, a production WSGI server with several workers.

The store is opened and the example sites loaded once, in the main process;
each worker then opens its own connections (connections must not cross a
fork). With no accounts the server refuses any address but this computer's.

With ``$INTEGRAMAP_REDIS_URL`` set, background jobs are queued through Redis
(:mod:`integramap.web.common.shared_jobs`) and run by ``integramap worker``
processes: ``serve`` starts some beside itself unless told not to.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from gunicorn.app.base import BaseApplication
from werkzeug.middleware.proxy_fix import ProxyFix

from integramap.store import DATABASE_URL_ENV, Store
from integramap.web.common.auth import is_loopback
from integramap.web.common.jobs import REDIS_URL_ENV

MODELS = Path(__file__).resolve().parents[2] / "models"
log = logging.getLogger(__name__)


class ServeError(Exception):
    """The server cannot start; the message says why and what to do."""


def listen_problem(store: Store, host: str) -> str | None:
    """Why the app must not listen on ``host`` (no accounts yet and not loopback), or ``None``.

    Examples
    --------
    >>> import tempfile
    >>> store = Store(data_dir=Path(tempfile.mkdtemp()))
    >>> listen_problem(store, "127.0.0.1") is None
    True
    >>> print(listen_problem(store, "0.0.0.0"))
    IntegraMap has no accounts yet, so it only listens on this computer (127.0.0.1), not on 0.0.0.0. Add an account first:
        integramap users add "Your Name" --admin
    then start it again; everyone then signs in.
    >>> store.close()
    """
    if is_loopback(host) or store.accounts.count() > 0:
        return None
    return (f"IntegraMap has no accounts yet, so it only listens on this computer (127.0.0.1), not on {host}. "
            "Add an account first:\n"
            '    integramap users add "Your Name" --admin\n'
            "then start it again; everyone then signs in.")


def build_wsgi(database: str | None, *, behind_proxy: bool) -> Any:
    """The WSGI application one worker serves (called in each worker, after the fork)."""
    from integramap.web import create_app

    store = Store(database) if database else Store.from_env()
    app = create_app(store, https=behind_proxy)
    if behind_proxy:
        # The proxy terminates TLS: trust one hop's X-Forwarded-For/-Proto/-Host for the
        # client's address (rate limits, audit), https URLs and the same-origin check.
        app.server.wsgi_app = ProxyFix(app.server.wsgi_app, x_for=1, x_proto=1, x_host=1)
    warm_up(app.server)
    return app.server


def warm_up(server: Any) -> None:
    """Answer one request before the worker takes any from people.

    Dash finishes setting itself up (its callback list, the pages' router) in its first request;
    several threads arriving together raced there, and a script request failed with
    "dictionary changed size during iteration" (HTTP 500, and a page that never loads).
    """
    with server.test_client() as client:
        client.get("/_dash-dependencies", environ_base={"REMOTE_ADDR": "127.0.0.1"})


class _Gunicorn(BaseApplication):  # type: ignore[misc]  # gunicorn ships no type hints
    def __init__(self, options: dict[str, Any], database: str | None, behind_proxy: bool) -> None:
        self.options = options
        self.database = database
        self.behind_proxy = behind_proxy
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return build_wsgi(self.database, behind_proxy=self.behind_proxy)


def redis_url() -> str | None:
    """The Redis server background jobs go through (``$INTEGRAMAP_REDIS_URL``), if one is named."""
    return os.environ.get(REDIS_URL_ENV, "").strip() or None


def _check_redis() -> str | None:
    url = redis_url()
    if url is None:
        return None
    from integramap.web.common.shared_jobs import redis_problem

    problem = redis_problem(url)
    if problem:
        raise ServeError(problem)
    return url


def run_worker(*, concurrency: int = 2, database: str | None = None) -> None:
    """Run queued background jobs until stopped: ``integramap worker``."""
    if concurrency < 1:
        raise ServeError(f"--concurrency is {concurrency}; it must be 1 or more")
    url = _check_redis()
    if url is None:
        raise ServeError(f"Set {REDIS_URL_ENV} to the Redis server the IntegraMap servers use "
                         "(e.g. redis://10.0.0.7:6379/0): without it each server runs its own jobs.")
    if database:
        os.environ[DATABASE_URL_ENV] = database
    from integramap.web.common.shared_jobs import QUEUE, celery_app

    celery_app(url).worker_main(["worker", "--loglevel=INFO", f"--concurrency={concurrency}", "-Q", QUEUE,
                                 "--without-gossip", "--without-mingle", "-n", f"integramap-{os.getpid()}@%h"])


def _start_job_workers(count: int, database: str | None) -> subprocess.Popen[bytes] | None:
    if count < 1:
        return None
    env = dict(os.environ)
    if database:
        env[DATABASE_URL_ENV] = database
    log.info("starting %d background job worker%s", count, "" if count == 1 else "s")
    return subprocess.Popen([sys.executable, "-m", "integramap", "worker", "--concurrency", str(count)], env=env)


def serve(*, host: str, port: int, workers: int, threads: int = 4, behind_proxy: bool = False,
          database: str | None = None, job_workers: int = 2) -> None:
    """Prepare the store, then serve until stopped (Ctrl+C or SIGTERM).

    With ``$INTEGRAMAP_REDIS_URL`` set, also runs ``job_workers`` background job processes
    (``integramap worker``) for as long as the server runs.
    """
    if workers < 1 or threads < 1:
        raise ServeError(f"--workers is {workers} and --threads {threads}; each must be 1 or more")
    shared = _check_redis() is not None
    store = Store(database) if database else Store.from_env()
    try:
        problem = listen_problem(store, host)
        if problem:
            raise ServeError(problem)
        added = store.seed(MODELS)
        if added:
            log.info("loaded example sites: %s", ", ".join(added))
        log.info("sites are stored in %s", store.describe())
    finally:
        store.close()
    options = {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        # A national import or analysis can keep a request busy for a while.
        "timeout": 300,
        "graceful_timeout": 30,
        "accesslog": "-",
        "forwarded_allow_ips": "*" if behind_proxy else "127.0.0.1",
    }
    jobs = _start_job_workers(job_workers, database) if shared else None
    main = os.getpid()
    try:
        _Gunicorn(options, database, behind_proxy).run()
    finally:
        # Gunicorn's workers are forks of this process and leave through here too: only the
        # main process stops the job workers.
        if jobs is not None and os.getpid() == main:
            jobs.terminate()
            try:
                jobs.wait(timeout=30)
            except subprocess.TimeoutExpired:
                jobs.kill()
