"""Liveness and readiness: /health answers while the process is up; /ready only once the
default model is loaded and the database's schema is at the newest migration."""

from __future__ import annotations

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
