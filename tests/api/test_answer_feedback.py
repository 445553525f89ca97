"""The customer's "Did this answer your question? Yes / No" over the widget API: recorded as
an event with ids and a boolean only, changed by a later click, shown to agents beside the
answer, refused for anything but a bot answer of the visitor's own conversation, and 422s that
name what is wrong with a request."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.support.workspace import Workspace, say, start_chat

QUESTION = "my card still hasn't arrived"


def _answered(client: TestClient, inbox: str) -> dict[str, Any]:
    conversation_id, visitor = start_chat(client, inbox)
    turn = say(client, conversation_id, visitor, QUESTION)
    assert turn["reply"]["kind"] == "answer" and turn["reply"]["sources"]
    return {"conversation_id": conversation_id, "visitor": visitor, **turn}


def _feedback_url(conversation_id: int, message_id: int) -> str:
    return f"/api/v1/widget/conversations/{conversation_id}/messages/{message_id}/feedback"


def _feedback_events(agent: TestClient, conversation_id: int) -> list[dict[str, Any]]:
    events = agent.get(f"/api/v1/conversations/{conversation_id}/events").json()["data"]
    return [e for e in events if e["type"] == "bot.answer_feedback"]


def test_the_customer_says_an_answer_helped_then_changes_their_mind(
    client: TestClient, workspace: Workspace, agent: TestClient
) -> None:
    chat = _answered(client, workspace.a.inbox_public_id)
    answer_id = chat["reply"]["id"]
    url = _feedback_url(chat["conversation_id"], answer_id)

    said = client.put(url, json={"helpful": True}, headers=chat["visitor"])
    assert said.status_code == 200, said.text
    assert said.json() == {"message_id": answer_id, "helpful": True}
    # A double click or a retried request counts once.
    assert client.put(url, json={"helpful": True}, headers=chat["visitor"]).status_code == 200
    changed = client.put(url, json={"helpful": False}, headers=chat["visitor"])
    assert changed.json() == {"message_id": answer_id, "helpful": False}

    events = _feedback_events(agent, chat["conversation_id"])
    assert [(e["actor_type"], e["payload"]) for e in events] == [
        ("customer", {"message_id": answer_id, "helpful": True}),
        ("customer", {"message_id": answer_id, "helpful": False}),
    ]
    messages = agent.get(f"/api/v1/conversations/{chat['conversation_id']}/messages").json()
    shown = next(m for m in messages if m["id"] == answer_id)
    assert shown["annotations"]["customer_feedback"] == {"helpful": False}


def test_the_console_shows_the_customers_latest_verdict_beside_the_answer(
    client: TestClient, workspace: Workspace, agent: TestClient
) -> None:
    chat = _answered(client, workspace.a.inbox_public_id)
    answer_id = chat["reply"]["id"]
    url = _feedback_url(chat["conversation_id"], answer_id)
    messages_url = f"/api/v1/conversations/{chat['conversation_id']}/messages"

    def shown() -> dict[int, Any]:
        return {m["id"]: m["customer_feedback"] for m in agent.get(messages_url).json()}

    before = shown()
    assert answer_id in before and set(before.values()) == {None}  # nobody said anything yet
    for helpful in (True, False):
        assert client.put(url, json={"helpful": helpful}, headers=chat["visitor"]).is_success
        # The latest click, on the answer only, and nothing but the verdict.
        assert shown() == {**before, answer_id: {"helpful": helpful}}


def test_only_a_bot_answer_of_the_visitors_own_conversation_takes_feedback(
    client: TestClient, workspace: Workspace, agent: TestClient
) -> None:
    mine = _answered(client, workspace.a.inbox_public_id)
    theirs = _answered(client, workspace.a.inbox_public_id)
    other_account = _answered(client, workspace.b.inbox_public_id)
    yes = {"helpful": True}

    refused = [
        # Another visitor's answer, through my conversation or through theirs.
        (mine["conversation_id"], theirs["reply"]["id"], mine["visitor"]),
        (theirs["conversation_id"], theirs["reply"]["id"], mine["visitor"]),
        (mine["conversation_id"], other_account["reply"]["id"], mine["visitor"]),
        # My own message is not an answer; nor is a message that does not exist.
        (mine["conversation_id"], mine["message"]["id"], mine["visitor"]),
        (mine["conversation_id"], 999_999, mine["visitor"]),
    ]
    for conversation_id, message_id, visitor in refused:
        response = client.put(_feedback_url(conversation_id, message_id), json=yes, headers=visitor)
        assert response.status_code == 404, (conversation_id, message_id, response.text)
    assert _feedback_events(agent, mine["conversation_id"]) == []
    assert _feedback_events(agent, theirs["conversation_id"]) == []

    url = _feedback_url(mine["conversation_id"], mine["reply"]["id"])
    assert client.put(url, json=yes).status_code == 401  # no visitor token


def test_bad_feedback_is_refused_by_name_and_nothing_is_recorded(
    client: TestClient, workspace: Workspace, agent: TestClient
) -> None:
    chat = _answered(client, workspace.a.inbox_public_id)
    url = _feedback_url(chat["conversation_id"], chat["reply"]["id"])
    for body, named in (
        ({}, "helpful"),
        ({"helpful": "yes"}, "helpful"),
        ({"helpful": 1}, "helpful"),
        ({"helpful": None}, "helpful"),
        ({"helpful": True, "comment": "it did, thanks"}, "comment"),
    ):
        response = client.put(url, json=body, headers=chat["visitor"])
        assert response.status_code == 422, body
        error = response.json()["error"]
        assert error["code"] == "invalid_input" and named in error["message"], body
    zero = _feedback_url(chat["conversation_id"], 0)
    assert client.put(zero, json={"helpful": True}, headers=chat["visitor"]).status_code == 422
    assert _feedback_events(agent, chat["conversation_id"]) == []
