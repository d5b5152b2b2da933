"""Load test: many managers using one IntegraMap server at once, against one manager alone.

    python bench/load.py [--database URL] [--redis URL] [--workers 4] [--managers 50] [--sites 10] [--seconds 60]

Starts ``integramap serve --workers N`` on loopback against the database
(``--database``, else ``$INTEGRAMAP_DATABASE_URL``, else ``$INTEGRAMAP_TEST_POSTGRES_URL``;
PostgreSQL is what a team runs, SQLite is accepted for a quick look), with background
jobs shared through Redis (``--redis``, else ``$INTEGRAMAP_REDIS_URL``, else a
``redis-server`` of its own when one is installed; ``--no-redis`` for none). It adds
``--sites`` copies of the Riverside example and ``--managers`` accounts, each an
editor of two sites (so several people edit each site and some saves conflict),
then runs a bounded pool of threads, one per simulated manager, each signed in
through the sign-in page. A manager, over and over, with a short pause between
actions as a person makes:

- through the REST API: opens a site, changes it and saves it on the revision just
  opened (a conflict, 409, when a colleague saved first), runs its Boundaries analysis;
- through the pages, as the browser does (``dashclient.py``: the page, Dash's layout
  and callback list, and every callback post with its real payload until the page
  settles): views the Map page, adds a unit to their working copy there, and views
  the Boundaries page.

It runs the same actions for one manager alone first, then for all of them for
``--seconds``, and prints p50 and p95 per action for both with their ratios,
the number of errors (any 5xx or failed connection), and the saves the server
acknowledged (201) against the revisions stored. It stops the server and
exits by itself; everything it adds is named ``load-…``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from dashclient import Browser, DashPage, Outcome  # noqa: E402
from integramap.io import read_site  # noqa: E402
from integramap.people import Role  # noqa: E402
from integramap.store import Store  # noqa: E402

PASSWORD = "load test password"
ACTIONS = ("open", "save", "boundaries", "map page", "map edit", "boundaries page")
"""The REST API's three, then the pages' three: each page action is every request the browser makes for it."""


class Client:
    """One manager's HTTP calls, timed."""

    def __init__(self, base: str, token: str, results: "Results") -> None:
        self.base = base
        self.headers = {"Authorization": f"Bearer {token}"}
        self.results = results

    def call(self, action: str, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        headers = dict(self.headers, **({"Content-Type": "application/json"} if data else {}))
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        start = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                status, payload = response.status, json.loads(response.read())
        except urllib.error.HTTPError as err:
            status, payload = err.code, json.loads(err.read() or b"{}")
        except (urllib.error.URLError, ConnectionError, TimeoutError) as err:
            status, payload = 0, {"message": str(err)}
        self.results.record(action, time.perf_counter() - start, status)
        return status, payload


class Results:
    """Timings and outcomes of every call, from every thread."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.statuses: dict[int, int] = defaultdict(int)
        self.acknowledged: dict[str, int] = defaultdict(int)
        self.page_errors = 0
        """Page actions after which the page showed its "something went wrong" sentence."""

    def record(self, action: str, seconds: float, status: int) -> None:
        with self.lock:
            self.times[action].append(seconds)
            self.statuses[status] += 1

    def record_page(self, action: str, seconds: float, outcome: Outcome, page: DashPage) -> None:
        shown = page.value("app-error", "style") or {}
        with self.lock:
            self.times[action].append(seconds)
            for _, status, _ in outcome.requests:
                self.statuses[status] += 1
            if shown.get("display") not in (None, "none"):
                self.page_errors += 1

    def saved(self, site_id: str) -> None:
        with self.lock:
            self.acknowledged[site_id] += 1

    def errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status == 0 or status >= 500)


def page_action(results: Results, action: str, page: DashPage, do: Any) -> None:
    start = time.perf_counter()
    try:
        outcome = do()
    except (RuntimeError, ValueError, KeyError) as err:  # a page the client could not follow: an error
        print(f"{action}: {err}", file=sys.stderr)
        outcome = Outcome([(action, 0, 0.0)])
    results.record_page(action, time.perf_counter() - start, outcome, page)


def use_pages(results: Results, browser: Browser, site_id: str, rng: random.Random, think: float) -> None:
    """View the Map page, add a unit there (to the working copy), view the Boundaries page."""
    page = DashPage(browser)
    page_action(results, "map page", page, lambda: page.open(f"/map?site={site_id}"))
    time.sleep(rng.uniform(0, think))
    name = f"Load test team {rng.randrange(10 ** 6)}"
    page.set({"form": "unit", "name": "name", "role": "field"}, value=name)
    page.set({"form": "unit", "name": "kind", "role": "field"}, value="team")
    page_action(results, "map edit", page, lambda: page.click("unit-add"))
    time.sleep(rng.uniform(0, think))
    boundaries = DashPage(browser)
    page_action(results, "boundaries page", boundaries,
                lambda: boundaries.open(f"/boundaries?site={site_id}&a=pcn&b=lcn"))
    time.sleep(rng.uniform(0, think))


def manager(client: Client, browser: Browser, sites: list[str], stop: float, seed: int, think: float) -> None:
    """One simulated manager: open, edit and save, analyse through the API, then the same pages, until ``stop``."""
    rng = random.Random(seed)
    while time.monotonic() < stop:
        site_id = rng.choice(sites)
        status, opened = client.call("open", "GET", f"/api/v1/sites/{site_id}")
        if status != 200:
            continue
        time.sleep(rng.uniform(0, think))
        document = opened["document"]
        document["description"] = f"edited by a load test at {time.time():.3f}"
        status, _ = client.call("save", "POST", f"/api/v1/sites/{site_id}/revisions",
                                {"document": document, "base": opened["revision"], "message": "load test edit"})
        if status == 201:
            client.results.saved(site_id)
        time.sleep(rng.uniform(0, think))
        client.call("boundaries", "GET", f"/api/v1/sites/{site_id}/boundaries")
        time.sleep(rng.uniform(0, think))
        if time.monotonic() < stop:
            use_pages(client.results, browser, site_id, rng, think)


def prepare(store: Store, n_sites: int, n_managers: int) -> tuple[list[str], dict[str, list[str]], dict[str, str]]:
    """Sites ``load-site-i`` and accounts ``load-manager-j`` (editors of two sites each), with tokens."""
    example = read_site(ROOT / "models" / "riverside-borough.yaml")
    sites = [f"load-site-{i}" for i in range(n_sites)]
    for i, site_id in enumerate(sites):
        if not store.exists(site_id):
            store.save(example.replace(id=site_id, name=f"Load test site {i}"), author="load test",
                       message="Load test site", base=None)
    known = {a.name for a in store.accounts.all()}
    tokens: dict[str, str] = {}
    theirs: dict[str, list[str]] = {}
    for j in range(n_managers):
        name = f"load-manager-{j}"
        if name not in known:
            store.accounts.add(name, PASSWORD, actor="load test")
        theirs[name] = [sites[j % n_sites], sites[(j + 3) % n_sites]]
        for site_id in theirs[name]:
            store.accounts.grant(name, site_id, Role.EDITOR, actor="load test")
        tokens[name] = store.accounts.new_token(name, actor="load test")
    return sites, theirs, tokens


def revisions(store: Store, sites: list[str]) -> dict[str, int]:
    return {site_id: store.latest(site_id) for site_id in sites}


def signed_in(base: str, names: list[str]) -> dict[str, Browser]:
    """A browser per manager, signed in through the sign-in page (a few at a time, as people arrive)."""
    def sign_in(name: str) -> Browser:
        browser = Browser(base)
        browser.sign_in(name, PASSWORD)
        return browser
    with ThreadPoolExecutor(max_workers=8) as pool:
        return dict(zip(names, pool.map(sign_in, names)))


def run_phase(base: str, tokens: dict[str, str], browsers: dict[str, Browser], theirs: dict[str, list[str]],
              seconds: float, think: float) -> Results:
    results = Results()
    stop = time.monotonic() + seconds
    with ThreadPoolExecutor(max_workers=len(tokens)) as pool:
        futures = [pool.submit(manager, Client(base, token, results), browsers[name], theirs[name], stop, k, think)
                   for k, (name, token) in enumerate(tokens.items())]
        for future in futures:
            future.result()
    return results


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def own_redis(folder: str) -> tuple[str, subprocess.Popen[bytes]] | None:
    """A throwaway ``redis-server`` on a loopback port, keeping nothing on disk; ``None`` if not installed."""
    program = shutil.which("redis-server")
    if program is None:
        return None
    port = free_port()
    process = subprocess.Popen([program, "--bind", "127.0.0.1", "--port", str(port), "--dir", folder,
                                "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return url, process
        except OSError:
            time.sleep(0.1)
    process.terminate()
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=os.environ.get("INTEGRAMAP_DATABASE_URL")
                        or os.environ.get("INTEGRAMAP_TEST_POSTGRES_URL"))
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--managers", type=int, default=50)
    parser.add_argument("--sites", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--alone-seconds", type=float, default=20)
    parser.add_argument("--think", type=float, default=0.5, help="longest pause between actions, seconds")
    parser.add_argument("--redis", default=os.environ.get("INTEGRAMAP_REDIS_URL"),
                        help="Redis for background jobs (default $INTEGRAMAP_REDIS_URL, else one started here)")
    parser.add_argument("--no-redis", action="store_true", help="background jobs inside each worker instead")
    args = parser.parse_args(argv)
    if not args.database:
        parser.error("name a database: --database URL or $INTEGRAMAP_DATABASE_URL (PostgreSQL for real figures)")
    with tempfile.TemporaryDirectory(prefix="integramap-load-") as folder:
        redis_process = None
        if not args.no_redis and not args.redis:
            started = own_redis(folder)
            if started is not None:
                args.redis, redis_process = started
        try:
            return measure(args)
        finally:
            if redis_process is not None:
                redis_process.terminate()
                redis_process.wait(timeout=30)


def measure(args: argparse.Namespace) -> int:
    """Prepare the sites and accounts, serve, run one manager alone then all of them, and report."""

    with Store(args.database) as store:
        sites, theirs, tokens = prepare(store, args.sites, args.managers)
        before = revisions(store, sites)
        backend = store.engine.dialect.name

    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "INTEGRAMAP_REDIS_URL"}
    if args.redis and not args.no_redis:
        env["INTEGRAMAP_REDIS_URL"] = args.redis
    server = subprocess.Popen([sys.executable, "-m", "integramap", "serve", "--workers", str(args.workers),
                               "--port", str(port), "--database", args.database],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/v1/openapi.json", timeout=2).close()
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if time.monotonic() > deadline or server.poll() is not None:
                    print("the server did not start:", server.stderr.read().decode()[-2000:] if server.stderr else "")
                    return 1
                time.sleep(0.5)
        browsers = signed_in(base, list(tokens))
        first = next(iter(tokens))
        alone = run_phase(base, {first: tokens[first]}, browsers, theirs, args.alone_seconds, args.think)
        crowd = run_phase(base, tokens, browsers, theirs, args.seconds, args.think)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()

    with Store(args.database) as store:
        after = revisions(store, sites)
    stored = sum(after[s] - before[s] for s in sites)
    acknowledged = sum(alone.acknowledged.values()) + sum(crowd.acknowledged.values())

    jobs = "Redis" if args.redis and not args.no_redis else "in each worker"
    print(f"IntegraMap load test: {backend}, {args.workers} workers, background jobs {jobs}, {args.managers} "
          f"managers over {args.sites} sites for {args.seconds:.0f} s (one manager alone for "
          f"{args.alone_seconds:.0f} s)")
    print(f"{'action':<17}{'calls':>7}{'alone p50':>11}{'alone p95':>11}{'p50':>9}{'p95':>9}"
          f"{'p50 ratio':>11}{'p95 ratio':>11}")
    for action in ACTIONS:
        a, c = alone.times.get(action, []), crowd.times.get(action, [])
        a50, a95, c50, c95 = (percentile(a, 0.5), percentile(a, 0.95), percentile(c, 0.5), percentile(c, 0.95))
        print(f"{action:<17}{len(c):>7}{a50 * 1000:>9.0f}ms{a95 * 1000:>9.0f}ms{c50 * 1000:>7.0f}ms"
              f"{c95 * 1000:>7.0f}ms{c50 / a50:>10.1f}x{c95 / a95:>10.1f}x")
    conflicts = crowd.statuses.get(409, 0) + alone.statuses.get(409, 0)
    total = sum(crowd.statuses.values())
    print(f"requests with many managers: {total} ({total / args.seconds:.0f}/s); statuses "
          f"{dict(sorted(crowd.statuses.items()))}")
    print(f"errors (5xx or no answer): {alone.errors() + crowd.errors()}; pages showing the error sentence: "
          f"{alone.page_errors + crowd.page_errors}")
    print(f"saves acknowledged: {acknowledged}; revisions stored: {stored}; conflicts refused: {conflicts}; "
          f"{'none lost' if acknowledged == stored else 'MISMATCH'}")
    failed = alone.errors() + crowd.errors() + alone.page_errors + crowd.page_errors
    return 0 if acknowledged == stored and failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
