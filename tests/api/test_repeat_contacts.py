"""Repeat contacts: a customer writing again about the same thing within the account's window
(`repeat_contact_days`, 7 by default) gets a bot that says it knows, a higher priority, and a
flag for the agent in the conversation list, the packet and the history; the first
conversation no longer counts as resolved at first contact. Another topic, or the same one
after the window, is a new contact."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from batondesk.api.identity import sign_identity
from batondesk.store.models import Conversation, Event, Inbox, Priority
from tests.support.workspace import Workspace, days_around_today, say

CARD_QUESTION = "my card still hasn't arrived"


def _chat(app: Any, client: TestClient, inbox_public_id: str) -> tuple[int, dict[str, str]]:
    """A conversation of the same signed-in customer each time."""
    with app.state.db.session() as session:
        inbox = session.query(Inbox).filter_by(public_id=inbox_public_id).one()
        token = sign_identity(
            {"external_id": "cust-7", "name": "Grace Hopper", "exp": int(time.time()) + 600},
            inbox.identity_secret,
        )
    started = client.post(
        f"/api/v1/widget/inboxes/{inbox_public_id}/conversations", json={"identity_token": token}
    ).json()
    return started["conversation_id"], {"Authorization": f"Bearer {started['visitor_token']}"}


def _opened_days_ago(app: Any, conversation_id: int, days: int) -> None:
    with app.state.db.session() as session:
        conversation = session.get(Conversation, conversation_id)
        assert conversation is not None
        conversation.created_at -= timedelta(days=days)


def test_a_repeat_contact_is_recognised_prioritised_and_flagged(
    app: Any, client: TestClient, agent: TestClient, admin: TestClient, workspace: Workspace
) -> None:
    inbox = workspace.a.inbox_public_id
    first, visitor = _chat(app, client, inbox)
    answered = say(client, first, visitor, CARD_QUESTION)["reply"]
    assert "asked us about this" not in answered["body"]
    assert agent.post(f"/api/v1/conversations/{first}/resolve").status_code == 200
    _opened_days_ago(app, first, 3)

    second, visitor = _chat(app, client, inbox)
    again = say(client, second, visitor, "when will my new card arrive")["reply"]
    # The bot knows the customer asked before, and still answers.
    assert again["body"].startswith("I can see you asked us about this on")
    assert again["sources"][0]["slug"] == "card-delivery"

    conversation = agent.get(f"/api/v1/conversations/{second}").json()
    assert conversation["repeat_of_id"] == first
    assert conversation["priority"] == Priority.high
    with app.state.db.session() as session:
        raised = (
            session.query(Event).filter_by(conversation_id=second, type="conversation.prioritised")
        ).one()
        assert raised.payload["cause"] == "repeat_contact" and raised.payload["repeat_of"] == first

    packet = agent.get(f"/api/v1/conversations/{second}/packet").json()
    assert packet["repeat_contact"]["conversation_id"] == first
    assert packet["repeat_contact"]["outcome"] == "resolved_by_ai"
    assert "Repeat contact: the customer wrote about card arrival" in packet["summary"]
    [earlier] = packet["history"]
    assert earlier["repeat"] is True and CARD_QUESTION in earlier["summary"]
    assert "answered from When will my card arrive?" in earlier["summary"]

    history = agent.get(f"/api/v1/contacts/{conversation['contact_id']}/conversations").json()
    listed = {c["id"]: c for c in history["data"]}
    assert listed[second]["repeat_of_id"] == first and listed[first]["repeat_of_id"] is None
    assert CARD_QUESTION in listed[first]["summary"]

    # Another topic is a new contact, not a repeat.
    other, visitor = _chat(app, client, inbox)
    say(client, other, visitor, "I lost my card")
    assert agent.get(f"/api/v1/conversations/{other}").json()["repeat_of_id"] is None

    # The first conversation is no longer resolved at first contact.
    report = admin.get("/api/v1/admin/reports/kpis", params=days_around_today()).json()
    assert report["windows"]["repeat_contact_days"] == 7
    assert report["current"]["first_contact_resolution"]["no"] >= 1


def test_the_account_sets_how_many_days_make_a_repeat_contact(
    app: Any, client: TestClient, agent: TestClient, admin: TestClient, workspace: Workspace
) -> None:
    changed = admin.put("/api/v1/admin/settings/escalation", json={"repeat_contact_days": 2})
    assert changed.status_code == 200, changed.text
    inbox = workspace.a.inbox_public_id
    first, visitor = _chat(app, client, inbox)
    say(client, first, visitor, CARD_QUESTION)
    _opened_days_ago(app, first, 3)

    second, visitor = _chat(app, client, inbox)
    reply = say(client, second, visitor, CARD_QUESTION)["reply"]
    assert "asked us about this" not in reply["body"]
    conversation = agent.get(f"/api/v1/conversations/{second}").json()
    assert conversation["repeat_of_id"] is None
    assert conversation["priority"] == Priority.normal
    report = admin.get("/api/v1/admin/reports/kpis", params=days_around_today()).json()
    assert report["windows"]["repeat_contact_days"] == 2
    refused = admin.put("/api/v1/admin/settings/escalation", json={"repeat_contact_days": 0})
    assert refused.status_code == 422
