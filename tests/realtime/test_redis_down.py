"""Redis configured but not answering: Baton degrades, it does not break. A customer who asks
for a person is still handed over, the widget rate limit still holds (counted per worker), and
an admin still promotes a model."""

from __future__ import annotations

from fastapi.testclient import TestClient

from batondesk.app import create_app
from batondesk.config import Settings
from batondesk.engine.services import TurnServices
from tests.support.live_server import free_port
from tests.support.workspace import Workspace, build_workspace, login


def test_a_customer_reaches_a_person_while_redis_is_unreachable(
    settings: Settings, db, tiny_classifier, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    # Nothing listens on this port: every Redis command is refused.
    down = settings.model_copy(
        update={
            "redis_url": f"redis://127.0.0.1:{free_port()}/0",
            "widget_rate_limit_per_minute": 4,
        }
    )
    services = TurnServices.from_settings(down, fallback_model=tiny_classifier)
    app = create_app(down, services=services)
    workspace: Workspace = build_workspace(app.state.db)
    with TestClient(app) as customer:
        started = customer.post(
            f"/api/v1/widget/inboxes/{workspace.a.inbox_public_id}/conversations", json={}
        )
        assert started.status_code == 201, started.text
        conversation_id = started.json()["conversation_id"]
        turn = customer.post(
            f"/api/v1/widget/conversations/{conversation_id}/messages",
            json={"body": "I want to talk to a real person"},
            headers={"Authorization": f"Bearer {started.json()['visitor_token']}"},
        )
        assert turn.status_code == 201, turn.text
        assert turn.json()["status"] == "queued"
        statuses = [
            customer.post(
                f"/api/v1/widget/inboxes/{workspace.a.inbox_public_id}/conversations", json={}
            ).status_code
            for _ in range(3)
        ]
        # Two requests were spent above: the third of these is over the limit of four.
        assert statuses == [201, 201, 429]

    registry = services.models.registry(workspace.a.account_id)
    registry.register(tiny_classifier.save(tmp_path / "v1"), "v1")
    with TestClient(app) as admin:
        login(admin, workspace.a.users["admin"][1])
        promoted = admin.post("/api/v1/admin/models/promote", json={"version": "v1"})
        assert promoted.status_code == 200, promoted.text
        assert promoted.json()["active"] == "v1"
    assert services.models.source(workspace.a.account_id) == "account"
