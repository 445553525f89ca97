"""Typing indicators carry the fact of typing only, to the other side, throttled; the chat's
read receipts move forward within the visitor's own conversation."""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.support.workspace import Workspace, say, start_chat


def _capture(app: FastAPI) -> list[tuple[str, dict[str, Any]]]:
    sent: list[tuple[str, dict[str, Any]]] = []
    app.state.db.publisher = sent.extend
    return sent


def test_the_customer_typing_reaches_the_console_without_a_word_of_the_draft(
    client: TestClient, app: FastAPI, workspace: Workspace
) -> None:
    conversation_id, visitor = start_chat(client, workspace.a.inbox_public_id)
    sent = _capture(app)
    url = f"/api/v1/widget/conversations/{conversation_id}/typing"
    first = client.post(url, json={"typing": True}, headers=visitor)
    assert first.status_code == 200 and first.json() == {"sent": True}
    assert sent == [
        (
            f"account:{workspace.a.account_id}",
            {
                "type": "typing",
                "conversation_id": conversation_id,
                "sender": "customer",
                "typing": True,
            },
        )
    ]
    # Repeats within the throttle are dropped; stopping is passed on at once.
    assert client.post(url, json={"typing": True}, headers=visitor).json() == {"sent": False}
    assert client.post(url, json={"typing": False}, headers=visitor).json() == {"sent": True}
    assert len(sent) == 2 and sent[1][1]["typing"] is False
    # A draft is never accepted, and only a boolean is.
    for body in ({"typing": True, "text": "my pin is 1234"}, {"typing": "yes"}, {}):
        assert client.post(url, json=body, headers=visitor).status_code == 422
    assert "1234" not in json.dumps(sent)
    # Someone else's conversation, or no token: refused.
    other_id, other_visitor = start_chat(client, workspace.a.inbox_public_id)
    assert client.post(url, json={"typing": True}, headers=other_visitor).status_code == 404
    assert client.post(url, json={"typing": True}).status_code == 401


def test_an_agent_typing_shows_their_name_in_the_customers_chat(
    agent: TestClient, client: TestClient, app: FastAPI, workspace: Workspace
) -> None:
    conversation_id, _visitor = start_chat(client, workspace.a.inbox_public_id)
    sent = _capture(app)
    url = f"/api/v1/conversations/{conversation_id}/typing"
    response = agent.post(url, json={"typing": True})
    assert response.status_code == 200, response.text
    assert sent == [
        (
            f"conversation:{conversation_id}",
            {
                "type": "typing",
                "conversation_id": conversation_id,
                "sender": "agent",
                "typing": True,
                "name": "Agent north",
            },
        )
    ]
    # Another account's conversation is a 404, like a missing one.
    foreign_id, _ = start_chat(client, workspace.b.inbox_public_id)
    assert (
        agent.post(f"/api/v1/conversations/{foreign_id}/typing", json={"typing": True}).status_code
        == 404
    )


def test_the_chat_reports_what_it_has_shown_and_never_goes_back(
    client: TestClient, app: FastAPI, workspace: Workspace
) -> None:
    conversation_id, visitor = start_chat(client, workspace.a.inbox_public_id)
    turn = say(client, conversation_id, visitor, "hello")
    first, newest = turn["message"]["id"], (turn["reply"] or turn["message"])["id"]
    url = f"/api/v1/widget/conversations/{conversation_id}/seen"
    assert client.post(url, json={"message_id": newest}, headers=visitor).json() == {
        "message_id": newest
    }
    assert client.post(url, json={"message_id": first}, headers=visitor).json() == {
        "message_id": newest
    }
    other_id, other_visitor = start_chat(client, workspace.a.inbox_public_id)
    other = say(client, other_id, other_visitor, "hi")["message"]["id"]
    # A message of another conversation is not this one's to report.
    assert client.post(url, json={"message_id": other}, headers=visitor).status_code == 404
    assert client.post(url, json={"message_id": 0}, headers=visitor).status_code == 422
    assert client.post(url, json={"message_id": "one"}, headers=visitor).status_code == 422
