"""Helpers for the privacy tests: identified customers chatting through the real widget API,
and raw views of what is stored."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from batondesk.api.identity import sign_identity
from batondesk.store.models import Inbox
from tests.support.workspace import Tenant, Workspace, login


def identified_chat(
    app,
    client: TestClient,
    tenant: Tenant,
    *,
    external_id: str,
    name: str,
    email: str,  # type: ignore[no-untyped-def]
) -> tuple[int, dict[str, str], int]:
    """Start a conversation as a known customer; returns (conversation id, visitor headers,
    contact id)."""
    with app.state.db.session() as session:
        inbox = session.query(Inbox).filter_by(public_id=tenant.inbox_public_id).one()
        token = sign_identity(
            {
                "external_id": external_id,
                "name": name,
                "email": email,
                "exp": int(time.time()) + 600,
            },
            inbox.identity_secret,
        )
    started = client.post(
        f"/api/v1/widget/inboxes/{tenant.inbox_public_id}/conversations",
        json={"identity_token": token},
    )
    assert started.status_code == 201, started.text
    body = started.json()
    headers = {"Authorization": f"Bearer {body['visitor_token']}"}
    with app.state.db.session() as session:
        from batondesk.store.models import Conversation

        contact_id = session.get(Conversation, body["conversation_id"]).contact_id
    return body["conversation_id"], headers, contact_id


def say(client: TestClient, conversation_id: int, headers: dict[str, str], text_: str) -> None:
    response = client.post(
        f"/api/v1/widget/conversations/{conversation_id}/messages",
        json={"body": text_},
        headers=headers,
    )
    assert response.status_code == 201, response.text


@pytest.fixture
def admin_a(app, workspace: Workspace) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app) as admin:
        login(admin, workspace.a.users["admin"][1])
        yield admin
