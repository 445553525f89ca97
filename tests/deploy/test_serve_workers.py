"""`baton serve --workers 2` on the embedded defaults: two worker processes answer, both
ready, and SIGTERM stops them all."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.support.processes import BATON, environment, start_api, stopping


@pytest.mark.slow
def test_serve_with_two_workers(tmp_path: Path) -> None:
    env = environment(
        BATON_ENVIRONMENT="test",
        BATON_DATA_DIR=str(tmp_path),
        BATON_PASSWORD_HASHING="fast",
        BATON_NLU_MODEL_DIR=str(tmp_path / "no-model"),
    )
    subprocess.run([BATON, "migrate"], env=env, check=True, capture_output=True, timeout=300)
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
