"""Bad input gets a clear error with a stable code, and nothing is half-written."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from batondesk.store.base import utcnow
from batondesk.store.models import Message, UserSession
from tests.support.workspace import Workspace, login, start_chat


def _message_count(app) -> int:  # type: ignore[no-untyped-def]
    with app.state.db.session() as session:
        return int(session.scalar(select(func.count()).select_from(Message)) or 0)


def test_widget_rejects_bad_messages_without_storing_them(
    app, client, workspace: Workspace
) -> None:
    conversation_id, visitor = start_chat(client, workspace.a.inbox_public_id)
    url = f"/api/v1/widget/conversations/{conversation_id}/messages"
    cases = [
        (
            {"content": b"{not json", "headers": {"Content-Type": "application/json"}},
            400,
            "malformed_json",
        ),
        ({"json": {"body": 42}}, 422, "invalid_input"),
        ({"json": {"body": ""}}, 422, "invalid_input"),
        ({"json": {"body": "   "}}, 422, "empty_message"),
        ({"json": {"body": "x" * 5001}}, 413, "message_too_long"),
        ({"json": {"body": "hi", "extra": 1}}, 422, "invalid_input"),
        ({"json": ["body"]}, 422, "invalid_input"),
        (
            {"content": b"x" * 300_000, "headers": {"Content-Type": "application/json"}},
            413,
            "too_large",
        ),
    ]
    for kwargs, status, code in cases:
        headers = {**visitor, **kwargs.pop("headers", {})}
        response = client.post(url, headers=headers, **kwargs)
        assert response.status_code == status, (code, response.text)
        assert response.json()["error"]["code"] == code
        assert response.json()["error"]["message"]
    assert _message_count(app) == 0


def test_tokens_are_checked(client, workspace: Workspace, app) -> None:
    conversation_id, visitor = start_chat(client, workspace.a.inbox_public_id)
    url = f"/api/v1/widget/conversations/{conversation_id}"
    assert client.get(url).json()["error"]["code"] == "not_authenticated"
    forged = client.get(url, headers={"Authorization": "Bearer abc.def.ghi"})
    assert forged.status_code == 401 and forged.json()["error"]["code"] == "invalid_token"

    # Another visitor cannot read this conversation.
    _other_id, other_visitor = start_chat(client, workspace.a.inbox_public_id)
    assert client.get(url, headers=other_visitor).status_code == 404

    # An expired visitor token is refused with its own code.
    app.state.settings.widget_token_ttl_seconds = -1
    expired = client.get(url, headers=visitor)
    assert expired.status_code == 401 and expired.json()["error"]["code"] == "token_expired"


def test_unknown_inbox_and_conversation_are_404(client, workspace: Workspace) -> None:
    response = client.post("/api/v1/widget/inboxes/in_nope/conversations", json={})
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    _cid, visitor = start_chat(client, workspace.a.inbox_public_id)
    assert client.get("/api/v1/widget/conversations/999999", headers=visitor).status_code == 404


def test_state_conflicts_are_409(app, client, workspace: Workspace) -> None:
    conversation_id, visitor = start_chat(client, workspace.a.inbox_public_id)
    early = client.post(
        f"/api/v1/widget/conversations/{conversation_id}/csat", json={"score": 4}, headers=visitor
    )
    assert early.status_code == 409 and early.json()["error"]["code"] == "not_resolved"
    with TestClient(app) as agent:
        login(agent, workspace.a.users["agent"][1])
        assert agent.post(f"/api/v1/conversations/{conversation_id}/resolve").status_code == 200
        again = agent.post(f"/api/v1/conversations/{conversation_id}/resolve")
        assert again.status_code == 409 and again.json()["error"]["code"] == "already_resolved"
    bad_score = client.post(
        f"/api/v1/widget/conversations/{conversation_id}/csat", json={"score": 9}, headers=visitor
    )
    assert bad_score.status_code == 422


def test_wrong_password_and_expired_session(app, client, workspace: Workspace) -> None:
    email = workspace.a.users["agent"][1]
    wrong = client.post("/api/v1/auth/login", json={"email": email, "password": "nope-nope"})
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "bad_credentials"
    login(client, email)
    assert client.get("/api/v1/me").status_code == 200
    with app.state.db.session() as session:
        for user_session in session.scalars(select(UserSession)):
            user_session.expires_at = utcnow() - timedelta(seconds=1)
    expired = client.get("/api/v1/me")
    assert expired.status_code == 401 and expired.json()["error"]["code"] == "session_expired"
