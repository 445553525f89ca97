"""BATON_REQUEST_THREADS caps the threads an API process runs synchronous endpoints in."""

from __future__ import annotations

import anyio.to_thread
from fastapi.testclient import TestClient

from batondesk.app import create_app
from batondesk.config import Settings


def test_the_request_thread_cap_is_the_setting(tmp_path) -> None:
    settings = Settings(data_dir=tmp_path, environment="dev", request_threads=3)
    with TestClient(create_app(settings)) as client:
        tokens = client.portal.call(
            lambda: anyio.to_thread.current_default_thread_limiter().total_tokens
        )
        assert client.get("/health").status_code == 200
    assert tokens == 3
