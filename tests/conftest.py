"""Shared test set-up: headless Chromium for dash.testing, paths to shipped and public data."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from dash.testing.wait import until

from integramap.demo import REFERENCE_DATA_ENV
from integramap.store import Store
from integramap.web.common.jobs import JobRunner

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "models"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED_DATA = ROOT.parent / "shared" / "data"

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--window-size=1280,900",
]


def pytest_setup_options():  # type: ignore[no-untyped-def]
    """Webdriver options for dash.testing: Debian's Chromium, headless, no network chatter."""
    from selenium.webdriver.chrome.options import Options

    options = Options()
    binary = shutil.which("chromium") or "/usr/bin/chromium"
    options.binary_location = binary
    for arg in CHROMIUM_ARGS:
        options.add_argument(arg)
    return options


@pytest.fixture(autouse=True)
def _free_port_for_dash_testing() -> None:
    """Each browser test's app on a port free at its start.

    dash.testing numbers ports from 58050 in every test process, so two test runs on one machine
    (a developer's and CI's, or several checkouts) would start their apps on the same ports.
    """
    import socket

    from dash.testing.application_runners import BaseDashRunner

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        BaseDashRunner._next_port = probe.getsockname()[1]


def shared_file(*parts: str) -> Path:
    """A file under ../shared/data, or skip the test naming what is missing."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"public reference file not present: {path} (see README, 'Reference data')")
    return path


def model_files() -> list[Path]:
    """Every site model that ships in models/."""
    return sorted(MODELS.glob("*.yaml"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Browser tests need Chromium and its driver; where absent, skip them saying so."""
    if shutil.which("chromedriver") and (shutil.which("chromium") or Path("/usr/bin/chromium").exists()):
        return
    reason = "needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)"
    for item in items:
        if "dash_duo" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A fresh revision store holding the example sites (a test module may define its own)."""
    with Store(data_dir=tmp_path / "data") as s:
        s.seed(MODELS)
        yield s


@pytest.fixture
def boundaries_pages(monkeypatch: pytest.MonkeyPatch) -> Iterator[JobRunner]:
    """The Boundaries page and its demo offer as a browser test wants them: shapes read only from the
    test fixtures, and a job runner of the test's own (the shared one's threads would outlive the
    test's server)."""
    import integramap.web.boundaries.page as page
    from integramap.web.boundaries import demo_offer

    monkeypatch.setenv(REFERENCE_DATA_ENV, str(FIXTURES))
    own = JobRunner(workers=2)
    monkeypatch.setattr(page, "default_runner", lambda: own)
    monkeypatch.setattr(demo_offer, "default_runner", lambda: own)
    yield own
    own.shutdown(wait=True)


@pytest.fixture
def atlas_country(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """The made-up country of two ICBs (tests/fixtures/demo) stands in for the national files; no
    atlas is kept from another test."""
    from integramap.web.atlas import data

    monkeypatch.setenv(REFERENCE_DATA_ENV, str(FIXTURES / "demo"))
    monkeypatch.chdir(tmp_path)  # ./data and ../shared/data are not looked in
    data._kept.clear()
    yield
    data._kept.clear()


@pytest.fixture
def atlas_runner(monkeypatch: pytest.MonkeyPatch) -> Iterator[JobRunner]:
    """The Atlas page's job runner, the test's own: the shared one's threads do not outlive a test server."""
    import integramap.web.atlas.page as page

    own = JobRunner(workers=2)
    monkeypatch.setattr(page, "default_runner", lambda: own)
    yield own
    own.shutdown(wait=True)


def downloaded(folder: str, suffix: str, timeout: float = 10) -> Path:
    """The file with this suffix once the browser has finished writing it."""
    def done() -> Path | None:
        files = [p for p in Path(folder).glob(f"*{suffix}") if p.stat().st_size > 0]
        return files[0] if files else None
    until(lambda: done() is not None, timeout)
    found = done()
    assert found is not None
    return found
