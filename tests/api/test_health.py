"""Liveness and readiness: /health answers while the process is up; /ready only once the
default model is loaded and the database's schema is at the newest migration."""

from __future__ import annotations

import logging

from fastapi.testclient import TestClient

from batondesk.app import create_app
from batondesk.config import Settings
from batondesk.engine.services import TurnServices
from tests.support.processes import wait_until


def test_a_migrated_server_is_ready_once_its_model_is_loaded(client: TestClient) -> None:
    assert client.get("/health").json()["status"] == "ok"
    wait_until(lambda: client.get("/ready").status_code == 200, 30, "readiness")
    assert client.get("/ready").json() == {"status": "ready", "waiting_for": []}


def test_a_server_on_an_unmigrated_database_is_not_ready(
    settings: Settings, services: TurnServices, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    fresh = settings.model_copy(update={"database_url": f"sqlite:///{tmp_path / 'empty.db'}"})
    app = create_app(fresh, services=services)
    with TestClient(app) as client:
        wait_until(lambda: app.state.models_ready.is_set(), 30, "the model")
        answer = client.get("/ready")
        assert answer.status_code == 503
        assert answer.json() == {"status": "waiting", "waiting_for": ["migrations"]}
        assert client.get("/health").status_code == 200


def test_polling_readiness_does_not_fill_the_log(
    settings: Settings, services: TurnServices, tmp_path, caplog
) -> None:  # type: ignore[no-untyped-def]
    """An orchestrator asks /ready every few seconds, for as long as `baton migrate` has not
    run: the answers add nothing to the server's log, before the migration or after."""
    fresh = settings.model_copy(update={"database_url": f"sqlite:///{tmp_path / 'empty.db'}"})
    app = create_app(fresh, services=services)
    with TestClient(app) as client:
        wait_until(lambda: app.state.models_ready.is_set(), 30, "the model")
        with caplog.at_level(logging.INFO):
            caplog.clear()
            for _ in range(5):
                assert client.get("/ready").status_code == 503
            waiting_lines = _server_lines(caplog.records)
            app.state.db.migrate()
            caplog.clear()
            for _ in range(5):
                assert client.get("/ready").status_code == 200
            ready_lines = _server_lines(caplog.records)
    assert waiting_lines == []
    assert ready_lines == []


def _server_lines(records: list[logging.LogRecord]) -> list[str]:
    """What the server logged; httpx's lines are the test client's own, not the server's."""
    return [f"{r.name}: {r.getMessage()}" for r in records if not r.name.startswith("httpx")]
