"""The app's lifespan as several test clients (or a server) run it: the process's job
threads start once and are gone when the last client closes."""

from __future__ import annotations

import threading

from fastapi.testclient import TestClient


def _job_threads() -> list[threading.Thread]:
    return [
        t
        for t in threading.enumerate()
        if t.name == "baton-scheduler" or type(t).__module__.startswith("dramatiq")
    ]


def test_nested_clients_share_one_set_of_job_threads_and_leave_none(app) -> None:  # type: ignore[no-untyped-def]
    before = len(_job_threads())
    with TestClient(app) as first:
        running = len(_job_threads())
        assert running > before
        with TestClient(app) as second:
            assert len(_job_threads()) == running
            assert second.get("/health").status_code == 200
        # The inner client closing stops nothing the outer one still uses.
        assert len(_job_threads()) == running
        assert first.get("/ready").status_code in {200, 503}
    assert len(_job_threads()) == before
