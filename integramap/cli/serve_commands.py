"""``integramap serve``: run the web app for a team, under a production WSGI server; ``integramap worker``:
run its background jobs (with ``$INTEGRAMAP_REDIS_URL``)."""

from __future__ import annotations

import argparse
import logging

from ..store import DATABASE_URL_ENV
from . import CommandError


def register(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add ``integramap serve`` to the ``integramap`` parser."""
    p = sub.add_parser("serve", help="serve the web app with several workers (gunicorn)",
                       description="Serve the web app and the REST API with gunicorn. With no accounts it "
                                   "listens on this computer only; see docs/deployment.md.")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8050, help="port (default 8050)")
    p.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    p.add_argument("--threads", type=int, default=4, help="threads per worker (default 4)")
    p.add_argument("--behind-proxy", action="store_true",
                   help="browsers reach the app through an HTTPS reverse proxy: trust its X-Forwarded-* "
                        "headers and send the session cookie over HTTPS only")
    p.add_argument("--database", metavar="URL",
                   help=f"database URL (default: ${DATABASE_URL_ENV}, else SQLite in $INTEGRAMAP_DATA_DIR "
                        "or ./instance)")
    p.add_argument("--job-workers", type=int, default=2, metavar="N",
                   help="with $INTEGRAMAP_REDIS_URL: background job processes to start beside the server "
                        "(default 2; 0 when `integramap worker` runs them elsewhere)")
    p.set_defaults(handler=cmd_serve)

    w = sub.add_parser("worker", help="run background jobs queued through Redis ($INTEGRAMAP_REDIS_URL)",
                       description="Run the background jobs (large analyses, demo builds, imports) that any "
                                   "server using the same Redis and database queues. See docs/deployment.md.")
    w.add_argument("--concurrency", type=int, default=2, help="jobs run at once (default 2)")
    w.add_argument("--database", metavar="URL",
                   help=f"database URL (default: ${DATABASE_URL_ENV}); the same as the servers'")
    w.set_defaults(handler=cmd_worker)


def cmd_serve(args: argparse.Namespace) -> int:
    # Imported here: the other commands need neither the web app nor the server.
    from ..web.serve import ServeError, serve

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        serve(host=args.host, port=args.port, workers=args.workers, threads=args.threads,
              behind_proxy=args.behind_proxy, database=args.database, job_workers=args.job_workers)
    except ServeError as err:
        raise CommandError(str(err)) from None
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    from ..web.serve import ServeError, run_worker

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    try:
        run_worker(concurrency=args.concurrency, database=args.database)
    except ServeError as err:
        raise CommandError(str(err)) from None
    return 0
