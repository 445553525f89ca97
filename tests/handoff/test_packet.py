"""The handoff packet: the agent takes over without the customer repeating anything."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlalchemy import select

from batondesk.actions.contacts import do_create_contact
from batondesk.actions.conversations import (
    do_open_conversation,
    do_resolve,
    do_submit_csat,
)
from batondesk.actions.customer_turn import do_receive_customer_message
from batondesk.store.models import Event, Inbox
from tests.support.workspace import Workspace, login

PACKET_KEYS = {
    "summary",
    "intents",
    "ai_answers",
    "sentiment_timeline",
    "escalation",
    "contact",
    "history",
    "repeat_contact",
    "recommendations",
    "suggested_reply",
}


def _conversations(app, workspace: Workspace) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """An earlier resolved conversation and a current one escalated as sensitive."""
    services = app.state.services
    with app.state.db.session() as session:
        inbox = session.scalars(
            select(Inbox).where(Inbox.public_id == workspace.a.inbox_public_id)
        ).one()
        contact = do_create_contact(
            session,
            inbox.account_id,
            name="Ana Lopez",
            email="ana@example.org",
            tier="premium",
            attributes={"plan": "premium"},
        )
        earlier = do_open_conversation(session, inbox, contact)
        do_receive_customer_message(session, earlier, "I lost my card", services, max_chars=5000)
        do_resolve(session, earlier, actor_type="bot", actor_id=None)
        do_submit_csat(session, earlier, 5, None)
        current = do_open_conversation(session, inbox, contact)
        for text in (
            "my card still hasn't arrived",
            "Also there's a payment on my card I don't recognise",
        ):
            do_receive_customer_message(session, current, text, services, max_chars=5000)
        return earlier.id, current.id


def test_packet_shows_the_whole_story(app, workspace: Workspace) -> None:
    earlier_id, conversation_id = _conversations(app, workspace)
    with TestClient(app) as agent:
        login(agent, workspace.a.users["agent"][1])
        response = agent.get(f"/api/v1/conversations/{conversation_id}/packet")
    assert response.status_code == 200, response.text
    packet = response.json()
    assert set(packet) == PACKET_KEYS

    assert "Ana Lopez" in packet["summary"]
    assert "fraud" in packet["summary"] or "unrecognised" in packet["summary"]
    assert packet["intents"][0]["intent"] == "card_arrival"
    assert 0 < packet["intents"][0]["confidence"] <= 1

    [answer] = packet["ai_answers"]
    assert "3-5 working days" in answer["text"]
    assert answer["sources"][0]["slug"] == "card-delivery"
    assert set(answer["sources"][0]) == {"article_id", "slug", "title"}

    timeline = packet["sentiment_timeline"]
    assert len(timeline) == 2
    assert set(timeline[0]) == {"message_id", "at", "polarity", "frustration"}

    escalation = packet["escalation"]
    assert escalation["reason"] == "sensitive"
    assert escalation["evidence"]["signal"]["cue"] == "fraud"
    assert escalation["evidence"]["signal"]["message_id"] == timeline[1]["message_id"]
    assert "don't recognise" in escalation["evidence"]["signal"]["words"]
    assert escalation["thresholds"]["frustration"] == 0.45
    assert escalation["at"]

    contact = packet["contact"]
    assert (contact["name"], contact["email"], contact["tier"]) == (
        "Ana Lopez",
        "ana@example.org",
        "premium",
    )
    assert contact["attributes"]["plan"] == "premium"
    [past] = packet["history"]
    assert past["conversation_id"] == earlier_id
    assert past["csat"] == 5
    assert past["status"] == "resolved"
    assert past["intent"] == "lost_or_stolen_card"
    assert past["outcome"] == "resolved_by_ai"
    assert "I lost my card" in past["summary"]
    # The packet's repeat contact is the history's entry the conversation repeats, if any.
    assert packet["repeat_contact"] == (past if past["repeat"] else None)

    assert packet["suggested_reply"].startswith("Hi Ana, I'm Agent")
    assert "freeze your card" in packet["suggested_reply"]


def test_escalation_events_hold_evidence_but_no_text(app, workspace: Workspace) -> None:
    _earlier, conversation_id = _conversations(app, workspace)
    with app.state.db.session() as session:
        event = session.scalars(
            select(Event).where(
                Event.conversation_id == conversation_id, Event.type == "conversation.escalated"
            )
        ).one()
        payload = event.payload
    assert payload["reason"] == "sensitive"
    assert payload["evidence"]["signal"]["span"]
    assert payload["evidence"]["escalation_thresholds"]["frustration"] > 0
    stored = json.dumps(payload)
    assert "recognise" not in stored and "payment" not in stored


def test_packet_of_a_conversation_that_never_escalated(app, client, workspace: Workspace) -> None:
    from tests.support.workspace import start_chat

    conversation_id, visitor = start_chat(client, workspace.a.inbox_public_id)
    client.post(
        f"/api/v1/widget/conversations/{conversation_id}/messages",
        json={"body": "my card still hasn't arrived"},
        headers=visitor,
    )
    with TestClient(app) as agent:
        login(agent, workspace.a.users["analyst"][1])
        packet = agent.get(f"/api/v1/conversations/{conversation_id}/packet").json()
    assert packet["escalation"] is None
    assert packet["history"] == []
    assert packet["suggested_reply"].startswith("Hi, I'm Analyst")


def test_the_suggested_reply_reads_well_when_the_topic_is_unknown() -> None:
    from batondesk.handoff.packet import suggested_reply

    for reason in ("repeated_failure", "explicit_request", "frustration", None):
        text = suggested_reply(
            reason=reason, category=None, topic=None, customer_name="Ana Silva", agent_name="Tom"
        )
        assert "your question about your question" not in text
        assert "about your question" not in text and "about  " not in text, text
        assert text.startswith("Hi Ana, I'm Tom from the team.")
    known = suggested_reply(
        reason="repeated_failure",
        category=None,
        topic="card delivery",
        customer_name=None,
        agent_name=None,
    )
    assert "your question about your card delivery" in known
