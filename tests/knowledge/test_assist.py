"""Agent assist: an agent opening a conversation sees the passages that fit and a draft."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.support.workspace import Workspace, login, start_chat


def test_agent_gets_passages_and_a_cited_draft(
    app, client: TestClient, workspace: Workspace
) -> None:  # type: ignore[no-untyped-def]
    conversation_id, visitor = start_chat(client, workspace.a.inbox_public_id)
    url = f"/api/v1/widget/conversations/{conversation_id}/messages"
    client.post(url, json={"body": "I want to talk to a person"}, headers=visitor)
    client.post(url, json={"body": "my card never came, it's been two weeks"}, headers=visitor)
    with TestClient(app) as agent:
        login(agent, workspace.a.users["agent"][1])
        assist = agent.get(f"/api/v1/conversations/{conversation_id}/suggestions")
        assert assist.status_code == 200, assist.text
        body = assist.json()
    assert body["passages"][0]["slug"] == "card-delivery"
    assert "3-5 working days" in body["draft"]
    assert body["draft_mode"] == "extractive"
    assert body["sources"][0]["slug"] == "card-delivery"
    assert body["summary"] is None  # no LLM configured


def test_no_customer_message_means_no_suggestion(
    app, client: TestClient, workspace: Workspace
) -> None:  # type: ignore[no-untyped-def]
    conversation_id, _visitor = start_chat(client, workspace.a.inbox_public_id)
    with TestClient(app) as agent:
        login(agent, workspace.a.users["agent"][1])
        body = agent.get(f"/api/v1/conversations/{conversation_id}/suggestions").json()
    assert body["passages"] == [] and body["draft"] is None
