"""A real HTTP server on a loopback port, in a background thread, for streaming tests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve_in_thread(
    app: FastAPI | Any, *, log_level: str = "warning", start_seconds: float = 120
) -> Iterator[str]:
    """Serve `app` (any ASGI app) on a free loopback port; yields its base URL. Start-up
    loads the language identifier's models once per process (seconds on a quiet machine, a
    minute on a loaded one), hence the generous wait."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level=log_level))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + start_seconds
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def agent_api(base: str, demo: Any) -> Iterator[httpx.Client]:
    """The demo agent (a `DemoSummary`), signed in to the API of the server at `base`: what
    the console does, without the browser."""
    with httpx.Client(base_url=base, headers={"X-Requested-With": "baton"}, timeout=30) as api:
        login = api.post(
            "/api/v1/auth/login", json={"email": demo.agent_email, "password": demo.password}
        )
        assert login.status_code == 200, login.text
        yield api
