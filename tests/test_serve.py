"""``integramap serve``: gunicorn with several workers serving the app, and its refusals."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from dash.testing.wait import until

from integramap.cli import main
from integramap.store import Store

PASSWORD = "correct horse battery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_refuses_other_addresses_without_accounts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = f"sqlite:///{tmp_path / 'a.db'}"
    assert main(["serve", "--host", "0.0.0.0", "--database", db]) == 1
    assert 'integramap users add "Your Name" --admin' in capsys.readouterr().err
    assert main(["serve", "--workers", "0", "--database", db]) == 1


def test_serve_runs_several_workers_that_share_sign_in(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'served.db'}"
    with Store(db) as store:
        store.accounts.add("Ed Editor", PASSWORD, admin=True, actor="setup")
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "integramap", "serve", "--workers", "2", "--port", str(port),
                               "--database", db], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              env={**os.environ, "INTEGRAMAP_SECRET_KEY": ""})
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            with urllib.request.urlopen(f"{base}/api/v1/openapi.json", timeout=2) as r:
                return bool(r.status == 200)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return False
    try:
        until(up, timeout=90, poll=0.5)
        token_request = urllib.request.Request(f"{base}/api/v1/sites")
        with pytest.raises(urllib.error.HTTPError) as anonymous:
            urllib.request.urlopen(token_request, timeout=10)
        assert anonymous.value.code == 401
        with Store(db) as store:
            token = store.accounts.new_token("Ed Editor", actor="setup")
        # Several requests land on both workers; each answers for the same person.
        for _ in range(6):
            request = urllib.request.Request(f"{base}/api/v1/sites", headers={"Authorization": f"Bearer {token}"})
            with urllib.request.urlopen(request, timeout=10) as r:
                assert r.status == 200 and r.headers["X-Frame-Options"] == "DENY"
    finally:
        server.send_signal(signal.SIGTERM)
        output = server.communicate(timeout=60)[0].decode()
    assert "Booting worker" in output and output.count("Booting worker") == 2, output[-2000:]


def test_a_worker_has_finished_setting_up_before_people_reach_it(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from integramap.web.serve import build_wsgi

    server = build_wsgi(f"sqlite:///{tmp_path / 'warm.db'}", behind_proxy=False)
    dash_app = server.extensions["integramap-app"]
    assert dash_app._got_first_request == {"pages": True, "setup_server": True}

    def first_request(_: int) -> int:
        with server.test_client() as client:
            return int(client.get("/_dash-dependencies", environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code)
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(first_request, range(16))) == [200] * 16
