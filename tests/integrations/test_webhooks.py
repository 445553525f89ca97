"""Outbound webhooks through the real app: a receiver on loopback gets signed events, a failing
one gets retries with backoff, deliveries survive a restart, and bad endpoints are refused."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from batondesk.app import create_app
from batondesk.config import Settings
from tests.support.loopback_http import WebhookReceiver, serving
from tests.support.workspace import Workspace, login

CARD_QUESTION = "my card still hasn't arrived"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Loopback receivers allowed; retries 50 ms apart, doubling; a delivery pass every 50 ms."""
    return settings.model_copy(
        update={
            "allow_private_destinations": True,
            "webhook_retry_base_seconds": 0.05,
            "webhook_delivery_interval_seconds": 0.05,
            "webhook_max_attempts": 4,
        }
    )


def verify(secret: str, header: str, body: bytes) -> bool:
    """The check docs/integrations.md tells receivers to make."""
    fields = dict(part.split("=", 1) for part in header.split(","))
    signed = fields["t"].encode() + b"." + body
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, fields["v1"]) and abs(time.time() - int(fields["t"])) < 300


def wait_for(condition: Callable[[], bool], seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _register(admin: TestClient, url: str, event_types: list[str]) -> dict:  # type: ignore[type-arg]
    created = admin.post("/api/v1/admin/webhooks", json={"url": url, "event_types": event_types})
    assert created.status_code == 201, created.text
    return created.json()  # type: ignore[no-any-return]


def _customer_writes(client: TestClient, workspace: Workspace, text_: str = CARD_QUESTION) -> int:
    started = client.post(
        f"/api/v1/widget/inboxes/{workspace.a.inbox_public_id}/conversations", json={}
    ).json()
    sent = client.post(
        f"/api/v1/widget/conversations/{started['conversation_id']}/messages",
        headers={"authorization": f"Bearer {started['visitor_token']}"},
        json={"body": text_},
    )
    assert sent.status_code == 201, sent.text
    return int(sent.json()["message"]["id"])


def test_a_new_message_reaches_the_receiver_signed_and_without_its_text(
    app, workspace: Workspace
) -> None:
    receiver = WebhookReceiver()
    with serving(receiver) as base, TestClient(app) as client:
        admin = login(TestClient(app), workspace.a.users["admin"][1])
        endpoint = _register(admin, base + "/hooks", ["message.received"])
        message_id = _customer_writes(client, workspace)
        wait_for(lambda: len(receiver.received) >= 1)

        request = receiver.received[0]
        assert request.path == "/hooks"
        assert verify(endpoint["secret"], request.headers["Baton-Signature"], request.body)
        assert not verify("whsec_another", request.headers["Baton-Signature"], request.body)
        event = json.loads(request.body)
        assert event["type"] == "message.received" == request.headers["Baton-Event"]
        assert event["data"]["message_id"] == message_id
        assert event["conversation"]["status"] == "bot"
        assert "card" not in request.body.decode(), "the message text left Baton"

        wait_for(
            lambda: (
                admin.get(f"/api/v1/admin/webhooks/{endpoint['id']}/deliveries").json()[0]["status"]
                == "delivered"
            )
        )
        log = admin.get(f"/api/v1/admin/webhooks/{endpoint['id']}/deliveries").json()
        assert len(log) == 1, "only the subscribed event type is sent"
        assert log[0]["attempts"] == 1 and log[0]["response_status"] == 200


def test_a_failing_receiver_gets_retries_until_it_answers(app, workspace: Workspace) -> None:
    receiver = WebhookReceiver(statuses=[500, 503])
    with serving(receiver) as base, TestClient(app) as client:
        admin = login(TestClient(app), workspace.a.users["admin"][1])
        endpoint = _register(admin, base, ["conversation.opened"])
        _customer_writes(client, workspace)
        deliveries = f"/api/v1/admin/webhooks/{endpoint['id']}/deliveries"
        wait_for(lambda: admin.get(deliveries).json()[0]["status"] == "delivered")

    delivery = admin.get(deliveries).json()[0]
    assert [a["status"] for a in delivery["attempt_log"]] == [500, 503, 200]
    assert delivery["attempt_log"][0]["error"] == "receiver answered HTTP 500"
    bodies = {r.body for r in receiver.received}
    assert len(receiver.received) == 3 and len(bodies) == 1, "every attempt sends the same event"
    assert all(
        verify(endpoint["secret"], r.headers["Baton-Signature"], r.body) for r in receiver.received
    )


def test_a_receiver_that_keeps_failing_is_given_up_on_then_sent_again_on_request(
    app, workspace: Workspace
) -> None:
    receiver = WebhookReceiver(statuses=[500] * 4)
    with serving(receiver) as base, TestClient(app) as client:
        admin = login(TestClient(app), workspace.a.users["admin"][1])
        endpoint = _register(admin, base, ["conversation.opened"])
        _customer_writes(client, workspace)
        deliveries = f"/api/v1/admin/webhooks/{endpoint['id']}/deliveries"
        wait_for(lambda: admin.get(deliveries).json()[0]["status"] == "failed")
        failed = admin.get(deliveries).json()[0]
        assert failed["attempts"] == 4 and len(receiver.received) == 4
        assert admin.get(f"/api/v1/admin/webhooks/{endpoint['id']}").json()["failed"] == 1

        again = admin.post(f"{deliveries}/{failed['id']}/retry")
        assert again.status_code == 200 and again.json()["status"] == "pending"
        wait_for(lambda: admin.get(deliveries).json()[0]["status"] == "delivered")


def test_queued_deliveries_survive_a_restart(settings: Settings, db, workspace: Workspace) -> None:  # type: ignore[no-untyped-def]
    receiver = WebhookReceiver()
    with serving(receiver) as base:
        # A server that never gets to send: its deliveries stay queued when it stops.
        stopped = create_app(settings.model_copy(update={"webhook_delivery_interval_seconds": 0}))
        with TestClient(stopped) as client:
            admin = login(TestClient(stopped), workspace.a.users["admin"][1])
            _register(admin, base, ["message.received"])
            message_id = _customer_writes(client, workspace)
            time.sleep(0.3)
        stopped.state.db.dispose()
        assert receiver.received == []

        restarted = create_app(settings)
        with TestClient(restarted):
            wait_for(lambda: len(receiver.received) == 1)
        restarted.state.db.dispose()
    assert json.loads(receiver.received[0].body)["data"]["message_id"] == message_id


def test_endpoints_are_refused_when_they_could_reach_inside(
    app, settings: Settings, db, workspace: Workspace
) -> None:  # type: ignore[no-untyped-def]
    strict = create_app(settings.model_copy(update={"allow_private_destinations": False}))
    with TestClient(strict) as client:
        login(client, workspace.a.users["admin"][1])
        for url, code in [
            ("ftp://example.com/hook", "unsupported_url_scheme"),
            ("file:///etc/passwd", "unsupported_url_scheme"),
            ("http://127.0.0.1:9/hook", "destination_not_allowed"),
            ("http://localhost/hook", "destination_not_allowed"),
            ("http://169.254.169.254/latest/meta-data", "destination_not_allowed"),
            ("http://[::ffff:10.0.0.1]/", "destination_not_allowed"),
            ("https://user:pw@example.com/", "invalid_url"),
        ]:
            refused = client.post("/api/v1/admin/webhooks", json={"url": url, "event_types": ["*"]})
            assert refused.status_code == 422, (url, refused.text)
            assert refused.json()["error"]["code"] == code, url
        unknown = client.post(
            "/api/v1/admin/webhooks",
            json={"url": "http://127.0.0.1/", "event_types": ["message.exploded"]},
        )
        assert unknown.status_code == 422
        assert client.get("/api/v1/admin/webhooks").json() == [], "nothing was stored"
    strict.state.db.dispose()


def test_endpoints_belong_to_one_account_and_their_secret_is_sealed(
    app, workspace: Workspace
) -> None:
    with TestClient(app) as client:
        admin = login(client, workspace.a.users["admin"][1])
        endpoint = _register(admin, "http://127.0.0.1:9/hook", ["*"])
        with TestClient(app) as other:
            login(other, workspace.b.users["admin"][1])
            assert other.get(f"/api/v1/admin/webhooks/{endpoint['id']}").status_code == 404
            assert other.delete(f"/api/v1/admin/webhooks/{endpoint['id']}").status_code == 404
        with TestClient(app) as agent:
            login(agent, workspace.a.users["agent"][1])
            assert agent.get("/api/v1/admin/webhooks").status_code == 403
        assert "secret" not in admin.get(f"/api/v1/admin/webhooks/{endpoint['id']}").json()

    with app.state.db.engine.connect() as connection:
        stored = connection.execute(text("SELECT secret FROM webhook_endpoints")).scalar_one()
    assert endpoint["secret"].encode() not in bytes(stored)
