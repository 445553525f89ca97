"""Each account tunes when the bot hands over; the customer can always ask for a person."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from batondesk.store.models import Event
from tests.support.workspace import Workspace, login, say, start_chat

DISAPPOINTED = "my card still hasn't arrived"  # mildly unhappy: frustration about 0.31


def test_lowering_a_threshold_changes_the_decision(
    app, client: TestClient, workspace: Workspace
) -> None:
    conversation_id, visitor = start_chat(client, workspace.a.inbox_public_id)
    assert say(client, conversation_id, visitor, DISAPPOINTED)["status"] == "bot"

    with TestClient(app) as admin:
        login(admin, workspace.a.users["admin"][1])
        defaults = admin.get("/api/v1/admin/settings/escalation").json()
        assert defaults["frustration_message_threshold"] == 0.5
        changed = admin.put(
            "/api/v1/admin/settings/escalation", json={"frustration_message_threshold": 0.25}
        )
        assert changed.status_code == 200, changed.text
        assert changed.json()["frustration_message_threshold"] == 0.25

    conversation_id, visitor = start_chat(client, workspace.a.inbox_public_id)
    turn = say(client, conversation_id, visitor, DISAPPOINTED)
    assert turn["status"] == "queued"

    with app.state.db.session() as session:
        escalated = session.scalars(
            select(Event).where(
                Event.conversation_id == conversation_id, Event.type == "conversation.escalated"
            )
        ).one()
        assert escalated.payload["reason"] == "frustration"
        assert escalated.payload["evidence"]["escalation_thresholds"]["frustration_message"] == 0.25
        assert escalated.payload["evidence"]["signal"]["message_score"] >= 0.25


def test_settings_are_per_account(app, client: TestClient, workspace: Workspace) -> None:
    with TestClient(app) as admin:
        login(admin, workspace.a.users["admin"][1])
        admin.put("/api/v1/admin/settings/escalation", json={"frustration_message_threshold": 0.25})
    conversation_id, visitor = start_chat(client, workspace.b.inbox_public_id)
    assert say(client, conversation_id, visitor, DISAPPOINTED)["status"] == "bot"


def test_a_disabled_signal_no_longer_escalates_but_the_button_always_does(
    app, client: TestClient, workspace: Workspace
) -> None:
    with TestClient(app) as admin:
        login(admin, workspace.a.users["admin"][1])
        signals = ["sensitive", "frustration", "repeated_failure", "low_confidence", "vip"]
        response = admin.put("/api/v1/admin/settings/escalation", json={"enabled_signals": signals})
        assert response.status_code == 200
    conversation_id, visitor = start_chat(client, workspace.a.inbox_public_id)
    turn = say(client, conversation_id, visitor, "I want to talk to a real person")
    assert turn["status"] == "bot"

    pressed = client.post(
        f"/api/v1/widget/conversations/{conversation_id}/handoff", headers=visitor
    )
    assert pressed.json()["status"] == "queued"
    seen = client.get(f"/api/v1/widget/conversations/{conversation_id}", headers=visitor).json()
    last = seen["messages"][-1]["body"]
    assert "You asked for a person" in last and "number 1 in the queue" in last


def test_high_stakes_intent_goes_to_a_person_when_the_model_is_unsure(
    app, client: TestClient, workspace: Workspace
) -> None:
    with TestClient(app) as admin:
        login(admin, workspace.a.users["admin"][1])
        admin.put(
            "/api/v1/admin/settings/escalation",
            json={"high_stakes_intents": ["lost_or_stolen_card"], "high_stakes_confidence": 0.99},
        )
    conversation_id, visitor = start_chat(client, workspace.a.inbox_public_id)
    turn = say(client, conversation_id, visitor, "I lost my card")
    assert turn["status"] == "queued"
    with app.state.db.session() as session:
        escalated = session.scalars(
            select(Event).where(
                Event.conversation_id == conversation_id, Event.type == "conversation.escalated"
            )
        ).one()
        assert escalated.payload["reason"] == "low_confidence"
        assert escalated.payload["evidence"]["signal"]["intent"] == "lost_or_stolen_card"


def test_bad_settings_are_refused_by_name_and_nothing_is_stored(app, workspace: Workspace) -> None:
    with TestClient(app) as admin:
        login(admin, workspace.a.users["admin"][1])
        for body, named in (
            ({"frustration_threshold": 7}, "frustration_threshold"),
            ({"enabled_signals": ["telepathy"]}, "telepathy"),
            ({"no_such_setting": 1}, "no_such_setting"),
        ):
            response = admin.put("/api/v1/admin/settings/escalation", json=body)
            assert response.status_code == 422
            assert named in response.json()["error"]["message"]
        assert (
            admin.get("/api/v1/admin/settings/escalation").json()["frustration_threshold"] == 0.45
        )
