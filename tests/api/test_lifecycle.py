"""The whole life of a conversation, as a customer and an agent experience it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from batondesk.store.models import Event
from tests.support.workspace import Workspace, login, say, start_chat


def test_customer_bot_human_resolve_rate(app, client: TestClient, workspace: Workspace) -> None:
    conversation_id, visitor = start_chat(client, workspace.a.inbox_public_id)
    url = f"/api/v1/widget/conversations/{conversation_id}"

    # The bot answers a routine question from the knowledge base and cites it.
    turn = client.post(
        f"{url}/messages", json={"body": "my card still hasn't arrived"}, headers=visitor
    )
    assert turn.status_code == 201, turn.text
    reply = turn.json()["reply"]
    assert reply["sender_type"] == "bot"
    assert "3-5 working days" in reply["body"]
    assert reply["sources"][0]["slug"] == "card-delivery"
    assert turn.json()["status"] == "bot"

    # The customer asks for a person: queued, and told where they stand.
    turn = client.post(
        f"{url}/messages", json={"body": "I want to talk to a real person please"}, headers=visitor
    )
    assert turn.json()["status"] == "queued"
    assert turn.json()["queue_position"] == 1
    assert "number 1 in the queue" in turn.json()["reply"]["body"]

    # The agent sees it in the queue and takes it over.
    with TestClient(app) as agent:
        login(agent, workspace.a.users["agent"][1])
        queue = agent.get("/api/v1/queue").json()
        assert [c["id"] for c in queue["data"]] == [conversation_id]
        assert queue["data"][0]["escalation_reason"] == "explicit_request"
        taken = agent.post(f"/api/v1/conversations/{conversation_id}/take-over")
        assert taken.json()["status"] == "assigned"

        # While a person owns the conversation the bot stays silent.
        turn = client.post(
            f"{url}/messages", json={"body": "when will my card arrive"}, headers=visitor
        )
        assert turn.json()["reply"] is None
        assert turn.json()["status"] == "assigned"

        sent = agent.post(
            f"/api/v1/conversations/{conversation_id}/messages",
            json={"body": "Hi, I'm Sam. I've reissued your card; it ships today."},
        )
        assert sent.status_code == 201
        resolved = agent.post(f"/api/v1/conversations/{conversation_id}/resolve")
        assert resolved.json()["status"] == "resolved"

    # The customer sees the agent's reply and rates the conversation.
    seen = client.get(url, headers=visitor).json()
    assert [m["sender_type"] for m in seen["messages"]] == [
        "customer",
        "bot",
        "customer",
        "bot",
        "customer",
        "agent",
    ]
    assert "reissued your card" in seen["messages"][-1]["body"]
    rated = client.post(
        f"{url}/csat", json={"score": 5, "comment": "quick and kind"}, headers=visitor
    )
    assert rated.status_code == 200

    with app.state.db.session() as session:
        events = list(
            session.scalars(
                select(Event).where(Event.conversation_id == conversation_id).order_by(Event.id)
            )
        )
    steps = [e.type for e in events]
    assert steps == [
        "conversation.opened",
        "message.received",
        "message.understood",
        "bot.replied",
        "message.received",
        "message.understood",
        "conversation.escalated",
        "conversation.routed",  # to the Cards team, which handles card_arrival
        "conversation.assigned",
        "message.received",
        "agent.replied",
        "conversation.resolved",
        "csat.submitted",
    ]
    times = [e.created_at for e in events]
    assert times == sorted(times) and all(t.tzinfo is not None for t in times)
    escalated = events[steps.index("conversation.escalated")]
    assert escalated.payload["reason"] == "explicit_request"
    assert events[-1].payload["score"] == 5


def test_handback_returns_conversation_to_the_bot(app, client, workspace: Workspace) -> None:
    conversation_id, visitor = start_chat(client, workspace.a.inbox_public_id)
    url = f"/api/v1/widget/conversations/{conversation_id}"
    assert client.post(f"{url}/handoff", headers=visitor).json()["status"] == "queued"
    with TestClient(app) as agent:
        login(agent, workspace.a.users["agent"][1])
        agent.post(f"/api/v1/conversations/{conversation_id}/take-over")
        back = agent.post(f"/api/v1/conversations/{conversation_id}/hand-back")
        assert back.json()["status"] == "bot"
    turn = client.post(f"{url}/messages", json={"body": "I lost my card"}, headers=visitor).json()
    assert turn["reply"]["sender_type"] == "bot"
    assert "Freeze your card" in turn["reply"]["body"]


def test_unclear_messages_get_a_question_then_a_person(client, workspace: Workspace) -> None:
    conversation_id, visitor = start_chat(client, workspace.a.inbox_public_id)
    url = f"/api/v1/widget/conversations/{conversation_id}/messages"
    statuses = []
    for text in ("purple elephant gravity", "zebra quantum teapot", "marble volcano spoon"):
        statuses.append(client.post(url, json={"body": text}, headers=visitor).json()["status"])
    # Two clarifying questions, then the bot stops guessing and hands over.
    assert statuses == ["bot", "bot", "queued"]


def test_customer_message_after_resolution_reopens(app, client, workspace: Workspace) -> None:
    conversation_id, visitor = start_chat(client, workspace.a.inbox_public_id)
    with TestClient(app) as agent:
        login(agent, workspace.a.users["agent"][1])
        agent.post(f"/api/v1/conversations/{conversation_id}/messages", json={"body": "Hello!"})
        agent.post(f"/api/v1/conversations/{conversation_id}/resolve")
        client.post(
            f"/api/v1/widget/conversations/{conversation_id}/messages",
            json={"body": "one more thing"},
            headers=visitor,
        )
        # The agent who owned it keeps it, so the bot does not jump back in.
        assert agent.get(f"/api/v1/conversations/{conversation_id}").json()["status"] == "assigned"


def _events(app, conversation_id: int) -> list[Event]:  # type: ignore[no-untyped-def]
    with app.state.db.session() as session:
        return list(
            session.scalars(
                select(Event).where(Event.conversation_id == conversation_id).order_by(Event.id)
            )
        )


def test_talk_to_a_person_after_resolution_reopens(app, client, workspace: Workspace) -> None:
    # Regression: the button queued a resolved conversation again without recording a reopen,
    # so the reports went on counting it resolved.
    conversation_id, visitor = start_chat(client, workspace.a.inbox_public_id)
    with TestClient(app) as agent:
        login(agent, workspace.a.users["agent"][1])
        sent = agent.post(
            f"/api/v1/conversations/{conversation_id}/messages", json={"body": "Hello!"}
        )
        assert sent.status_code == 201
        resolved = agent.post(f"/api/v1/conversations/{conversation_id}/resolve")
        assert resolved.json()["status"] == "resolved"

    handed = client.post(f"/api/v1/widget/conversations/{conversation_id}/handoff", headers=visitor)
    assert handed.status_code == 200, handed.text
    assert handed.json()["status"] == "queued"

    events = _events(app, conversation_id)
    steps = [e.type for e in events]
    after = steps.index("conversation.resolved") + 1
    assert steps[after : after + 2] == ["conversation.reopened", "conversation.escalated"]
    assert steps.count("conversation.reopened") == 1
    reopened, escalated = events[after], events[after + 1]
    assert reopened.payload == {"to_status": "queued"}
    assert (reopened.actor_type, reopened.actor_id) == ("customer", escalated.actor_id)
    assert escalated.payload["reason"] == "explicit_request"

    with TestClient(app) as admin:
        login(admin, workspace.a.users["admin"][1])
        today = date.today()
        period = {"from": str(today - timedelta(days=1)), "to": str(today + timedelta(days=1))}
        report = admin.get("/api/v1/admin/reports/kpis", params=period)
    assert report.status_code == 200, report.text
    current = report.json()["current"]
    assert current["reopen"] == {"rate": 1.0, "reopened": 1, "resolved": 1}
    # The reopen starts a new response cycle, which nobody has answered yet.
    assert (current["first_response"]["count"], current["first_response"]["unanswered"]) == (1, 1)
    assert current["resolution"]["full"]["count"] == 0  # no longer resolved


@pytest.mark.parametrize(
    ("texts", "button"),
    [
        # The message itself asks for a person: the bot hands over in the same turn.
        (["I want to talk to a real person please"], False),
        # The bot answers the message; the customer then presses "talk to a person".
        (["my card still hasn't arrived"], True),
    ],
)
def test_message_then_hand_over_after_resolution_reopens_once(
    app, client, workspace: Workspace, texts: list[str], button: bool
) -> None:
    conversation_id, visitor = start_chat(client, workspace.a.inbox_public_id)
    with TestClient(app) as agent:
        login(agent, workspace.a.users["agent"][1])
        # Closed from the bot: nobody owns it, so the bot takes the next message.
        resolved = agent.post(f"/api/v1/conversations/{conversation_id}/resolve")
        assert resolved.json()["status"] == "resolved"
    for text in texts:
        say(client, conversation_id, visitor, text)
    if button:
        client.post(f"/api/v1/widget/conversations/{conversation_id}/handoff", headers=visitor)
    status = client.get(f"/api/v1/widget/conversations/{conversation_id}", headers=visitor).json()[
        "status"
    ]
    assert status == "queued"

    steps = [e.type for e in _events(app, conversation_id)]
    assert steps.count("conversation.reopened") == 1
    assert steps.count("conversation.escalated") == 1
    assert (
        steps.index("conversation.resolved")
        < steps.index("conversation.reopened")
        < steps.index("message.received")
        < steps.index("conversation.escalated")
    )
