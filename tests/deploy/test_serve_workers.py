"""`baton serve --workers 2` on the embedded defaults: two worker processes answer, both
ready, and SIGTERM stops them all."""

from __future__ import annotations

import http.client
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.support.processes import BATON, environment, start_api, stopping


def _migrated(tmp_path: Path) -> dict[str, str]:
    """The environment of a server on a fresh SQLite database in `tmp_path`, migrated."""
    env = environment(
        BATON_ENVIRONMENT="test",
        BATON_DATA_DIR=str(tmp_path),
        BATON_PASSWORD_HASHING="fast",
        BATON_NLU_MODEL_DIR=str(tmp_path / "no-model"),
    )
    subprocess.run([BATON, "migrate"], env=env, check=True, capture_output=True, timeout=300)
    return env


@pytest.mark.slow
def test_serve_with_two_workers(tmp_path: Path) -> None:
    env = _migrated(tmp_path)
    server = start_api("serve", env, tmp_path, "--workers", "2")
    with stopping(server):
        children = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children")
        workers = [
            pid
            for pid in children.read_text().split()
            if "multiprocessing" in Path(f"/proc/{pid}/cmdline").read_text()
            and "spawn_main" in Path(f"/proc/{pid}/cmdline").read_text()
        ]
        assert len(workers) == 2, server.output()[-2000:]
        for _ in range(6):  # new connections: the kernel hands them to either worker
            assert httpx.get(f"{server.base_url}/ready", timeout=5).status_code == 200
        assert server.stop() in (0, -signal.SIGTERM), server.output()[-2000:]
        assert server.output().count("Application shutdown complete") == 2


@pytest.mark.slow
def test_a_connection_left_idle_past_a_clients_keep_alive_still_answers(tmp_path: Path) -> None:
    """A client or load balancer reuses an idle connection for seconds (httpx: 5 s, nginx and
    cloud balancers: 60 s); the server must not be the one that closes it first, or a
    request sent as it closes is reset."""
    env = _migrated(tmp_path)
    server = start_api("serve", env, tmp_path)
    with stopping(server):
        address = httpx.URL(server.base_url)
        # http.client reads whole responses and never reconnects behind our back: a server
        # that closed the idle connection makes the second request fail.
        connection = http.client.HTTPConnection(address.host, address.port, timeout=10)
        try:
            connection.request("GET", "/health")
            first = connection.getresponse()
            first.read()
            assert first.status == 200
            assert connection.sock is not None
            opened = connection.sock.getsockname()
            time.sleep(6)  # longer than uvicorn's own default keep-alive of 5 s
            connection.request("GET", "/health")
            second = connection.getresponse()  # RemoteDisconnected if closed while idle
            second.read()
            assert second.status == 200
            assert connection.sock.getsockname() == opened, "answered on a new connection"
        finally:
            connection.close()
