"""Several server processes share background jobs (through Redis) and working copies (in the store).

Two ``integramap serve --workers 2`` servers on one database and one Redis
stand for two machines behind a load balancer. The pages are driven as a
browser drives them (Dash's own requests, see ``bench/dashclient.py``), and
the browser's next request is sent to the other server, as a load balancer may.
"""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from dash.testing.wait import until

from integramap.model import Area, Site, Unit
from integramap.store import Store
from redis_server import redis_server
from test_serve import free_port

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from dashclient import Browser, DashPage  # noqa: E402

BIG = "big-borough"
PRACTICES = 3100
"""Above the Boundaries page's threshold for analysing in the background."""


def big_site() -> Site:
    """A borough of 3,100 practices in 62 PCNs over 31 areas, and two LCNs that one PCN in each area straddles."""
    areas = [Area(id=f"a{i}", name=f"Area {i}", population=1000) for i in range(31)]
    units = [Unit(id="lcn-north", name="North LCN", kind="lcn", footprint={f"a{i}": 1 for i in range(16)}),
             Unit(id="lcn-south", name="South LCN", kind="lcn", footprint={f"a{i}": 1 for i in range(15, 31)})]
    for p in range(62):
        units.append(Unit(id=f"pcn-{p}", name=f"PCN {p}", kind="pcn", footprint={f"a{p // 2}": 0.5}))
    for k in range(PRACTICES):
        units.append(Unit(id=f"practice-{k}", name=f"Practice {k}", kind="practice", parent=f"pcn-{k % 62}"))
    return Site(id=BIG, name="Big borough", areas=areas, units=units)


class Server:
    """``integramap serve`` in its own process, stopped by :meth:`stop`."""

    def __init__(self, database: str, env: dict[str, str], *args: str) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = Path(env["INTEGRAMAP_DATA_DIR"]) / f"serve-{self.port}.log"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "integramap", "serve", "--workers", "2", "--port", str(self.port),
                 "--database", database, *args], stdout=log, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
        until(self._up, timeout=120, poll=0.5)

    def _up(self) -> bool:
        if self.process.poll() is not None:
            raise RuntimeError(f"integramap serve stopped with {self.process.returncode}")
        try:
            with urllib.request.urlopen(f"{self.base}/api/v1/openapi.json", timeout=2) as r:
                return bool(r.status == 200)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return False

    def said(self) -> str:
        """The end of the server's log, to explain a failure."""
        lines = self.log.read_text(errors="replace").splitlines()
        return "\n".join(line for line in lines if '"GET ' not in line and '"POST ' not in line)[-3000:]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def setting(tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """A store holding the big borough, and the environment naming a fresh Redis."""
    database = f"sqlite:///{tmp_path / 'shared.db'}"
    with Store(database) as store:
        store.seed(ROOT / "models")
        store.save(big_site(), author="setup", message="A large borough", base=None)
    with redis_server(tmp_path / "redis") as url:
        yield database, {**os.environ, "INTEGRAMAP_REDIS_URL": url, "INTEGRAMAP_SECRET_KEY": "",
                         "INTEGRAMAP_DATA_DIR": str(tmp_path)}


def _poll_until_drawn(page: DashPage, errors: list[int]) -> list[str]:
    """Tick the Boundaries page's poll until the analysis is drawn; the progress seen on the way."""
    seen: list[str] = []

    def drawn() -> bool:
        outcome = page.set("boundaries-poll", n_intervals=(page.value("boundaries-poll", "n_intervals") or 0) + 1)
        errors.extend(s for _, s, _ in outcome.requests if s == 0 or s >= 500)
        seen.append(str(page.value("boundaries-progress", "children")))
        return bool(page.value("boundaries-verdict", "children"))
    until(drawn, timeout=180, poll=0.3)
    return seen


def test_a_job_started_through_one_server_is_run_and_followed_through_another(
        setting: tuple[str, dict[str, str]]) -> None:
    database, env = setting
    errors: list[int] = []
    # The first server runs no jobs itself: what it starts waits in the queue.
    first = Server(database, env, "--job-workers", "0")
    second = None
    try:
        browser = Browser(first.base)
        page = DashPage(browser)
        opened = page.open(f"/boundaries?site={BIG}&a=pcn&b=lcn")
        errors.extend(s for _, s, _ in opened.requests if s == 0 or s >= 500)
        job = page.value("boundaries-job", "data")
        assert isinstance(job, str) and job.startswith("job-"), (page.value("boundaries-message", "children"),
                                                                 first.said())
        assert "Analysing the boundaries of Big borough" in str(page.value("boundaries-progress", "children"))
        page.set("boundaries-poll", n_intervals=1)
        assert "Waiting to start" in str(page.value("boundaries-progress", "children"))
        assert page.value("boundaries-poll", "disabled") is False  # still polling

        # Another server (another machine) starts, with job workers: they take the queued job,
        # and the browser's next polls reach that server.
        second = Server(database, env)
        browser.base = second.base
        seen = _poll_until_drawn(page, errors)
        assert page.value("boundaries-job", "data") is None  # drawn: the page has let the job go
        assert "PCN" in str(page.value("boundaries-verdict", "children"))
        assert page.value("boundaries-title", "children")
        assert seen[-1] in ("", "None")  # the progress bar is gone once the analysis is drawn
        # The first server draws the same finished job when the page's next request reaches it.
        browser.base = first.base
        again = DashPage(browser)
        again.props.update(page.props)
        again.ids.update(page.ids)
        redraw = again.set("boundaries-ready", data=job)
        errors.extend(s for _, s, _ in redraw.requests if s == 0 or s >= 500)
        assert again.value("boundaries-verdict", "children") == page.value("boundaries-verdict", "children")
    finally:
        first.stop()
        if second is not None:
            second.stop()
    assert errors == []


def test_a_working_copy_edited_through_one_server_is_seen_through_another(
        setting: tuple[str, dict[str, str]]) -> None:
    database, env = setting
    first = Server(database, env)
    second = Server(database, env)
    try:
        browser = Browser(first.base)
        page = DashPage(browser)
        page.open("/map?site=riverside-borough")
        units = len(page.value("map-cy", "elements"))
        page.set({"form": "unit", "name": "name", "role": "field"}, value="Crisis resolution team")
        page.set({"form": "unit", "name": "kind", "role": "field"}, value="team")
        added = page.click("unit-add")
        assert page.value("unit-message", "children") == "Done: add Crisis resolution team."
        assert len(page.value("map-cy", "elements")) == units + 1

        browser.base = second.base  # the same person's next page view reaches the other server
        elsewhere = DashPage(browser)
        reopened = elsewhere.open("/map?site=riverside-borough")
        labels = [e["data"].get("label") for e in elsewhere.value("map-cy", "elements")]
        assert "Crisis resolution team" in labels
        assert elsewhere.value("map-draft", "data")["dirty"] is True

        # Someone else, in another browser, opens the site on the first server: not their edit.
        stranger = DashPage(Browser(first.base))
        stranger.open("/map?site=riverside-borough")
        assert "Crisis resolution team" not in [e["data"].get("label")
                                                for e in stranger.value("map-cy", "elements")]
        statuses = [s for o in (added, reopened) for _, s, _ in o.requests]
        assert statuses and all(s in (200, 204) for s in statuses)
    finally:
        first.stop()
        second.stop()
