"""The whole life of a conversation, as a customer and an agent experience it."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from batondesk.store.models import Event
from tests.support.workspace import Workspace, login, start_chat


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
