"""Serve the IntegraMap web app: ``python app.py [--host H] [--port P] [--debug]``.

Binds to 127.0.0.1 unless told otherwise, so a map of local services is not
offered to the whole network by accident. On start the store is opened
(SQLite under ``$INTEGRAMAP_DATA_DIR`` or ``./instance``, or the PostgreSQL
database named by ``$INTEGRAMAP_DATABASE_URL``) and the example sites in
``models/`` that are not stored yet are loaded.
"""

from __future__ import annotations

import argparse
import atexit
import logging
import signal
import sys
from pathlib import Path

from integramap.store import Store
from integramap.store.backup import checkpoint
from integramap.web import create_app
from integramap.web.serve import listen_problem, warm_up

MODELS = Path(__file__).resolve().parent / "models"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve the IntegraMap web app.")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1: this computer only)")
    parser.add_argument("--port", type=int, default=8050, help="port to listen on (default 8050)")
    parser.add_argument("--debug", action="store_true", help="reload on code changes and show Dash's debug tools")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)  # not its chatter at every start
    store = Store.from_env()
    problem = listen_problem(store, args.host)
    if problem:
        parser.exit(2, problem + "\n")
    added = store.seed(MODELS)
    if added:
        logging.info("loaded example sites: %s", ", ".join(added))
    logging.info("sites are stored in %s", store.describe())
    # A stop by SIGTERM (systemd, docker, kill) exits cleanly, so the WAL is checkpointed into
    # integramap.db and the closing log line is written; without it the latest revisions stay in
    # integramap.db-wal, and a copy of integramap.db alone holds none of them.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    atexit.register(_shut_down, store)
    app = create_app(store)
    # Dash finishes setting up in its first request; the server's threads must not race there.
    warm_up(app.server)
    app.run(host=args.host, port=args.port, debug=args.debug)


def _shut_down(store: Store) -> None:
    try:
        checkpoint(store)
    finally:
        store.close()
    logging.info("stopped; every revision is in %s", store.describe())


if __name__ == "__main__":
    main()
