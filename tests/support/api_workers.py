"""`baton serve` in processes of their own, sharing the test's database and Redis: what
several API workers behind a load balancer are."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from batondesk.config import Settings
from tests.conftest import TEST_REDIS_URL
from tests.support.live_server import free_port


@contextmanager
def api_worker(settings: Settings, tmp_path: Path, name: str, **env: str) -> Iterator[str]:
    """One worker on a free loopback port; yields its base URL. `env` adds or overrides
    settings (e.g. BATON_NLU_MODEL_DIR); its output goes to `<tmp_path>/<name>.log`."""
    port = free_port()
    process_env = {
        **os.environ,
        "BATON_ENVIRONMENT": "test",
        "BATON_DATA_DIR": str(tmp_path),  # the same dev keys as the test's own writes
        "BATON_DATABASE_URL": settings.sqlalchemy_url,
        "BATON_REDIS_URL": TEST_REDIS_URL,
        "BATON_PASSWORD_HASHING": "fast",
        "BATON_NLU_MODEL_DIR": str(tmp_path / "no-model"),
        **env,
    }
    log_path = tmp_path / f"{name}.log"
    log = log_path.open("w")
    baton = Path(sys.executable).with_name("baton")
    process = subprocess.Popen(
        [str(baton), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=process_env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"worker {name} exited: {log_path.read_text()}")
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"worker {name} did not start")
            time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
