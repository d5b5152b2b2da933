"""A throwaway Redis server for tests: its own folder and loopback port, stopped afterwards."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def redis_server(folder: Path) -> Iterator[str]:
    """Start ``redis-server`` on 127.0.0.1 at a free port, keeping nothing on disk; yields its URL.

    Skips the test, saying why, where Redis or its Python client is not installed.
    """
    pytest.importorskip("redis", reason="the redis extra is not installed: pip install -e '.[redis]'")
    pytest.importorskip("celery", reason="the redis extra is not installed: pip install -e '.[redis]'")
    if not Path(REDIS_SERVER).exists():
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    import redis

    port = _free_port()
    folder.mkdir(parents=True, exist_ok=True)
    server = subprocess.Popen([REDIS_SERVER, "--bind", "127.0.0.1", "--port", str(port), "--dir", str(folder),
                               "--save", "", "--appendonly", "no", "--protected-mode", "yes"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                redis.Redis.from_url(url, socket_connect_timeout=1).ping()
                break
            except redis.RedisError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.skip(f"redis-server did not start on port {port}")
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
