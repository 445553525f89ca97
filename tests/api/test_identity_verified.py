"""Agents can tell a customer the website vouched for (a signed identity token) from one who
only typed a name and email into the chat."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient

from batondesk.api.identity import sign_identity
from batondesk.store.models import Inbox
from tests.support.workspace import Workspace, login

CUSTOMER = {"external_id": "shop-881", "name": "Rosa Verified", "email": "rosa@shop.example"}


def test_the_conversation_says_whether_the_website_vouched_for_the_customer(
    app, client: TestClient, workspace: Workspace
) -> None:
    inbox_id = workspace.a.inbox_public_id
    with app.state.db.session() as session:
        inbox = session.query(Inbox).filter_by(public_id=inbox_id).one()
        token = sign_identity({**CUSTOMER, "exp": int(time.time()) + 600}, inbox.identity_secret)
    url = f"/api/v1/widget/inboxes/{inbox_id}/conversations"
    signed = client.post(url, json={"identity_token": token})
    typed = client.post(url, json={"name": CUSTOMER["name"], "email": CUSTOMER["email"]})
    assert signed.status_code == 201 and typed.status_code == 201, (signed.text, typed.text)

    with TestClient(app) as agent:
        login(agent, workspace.a.users["agent"][1])
        verified = agent.get(f"/api/v1/conversations/{signed.json()['conversation_id']}").json()
        unverified = agent.get(f"/api/v1/conversations/{typed.json()['conversation_id']}").json()
        contact = agent.get(f"/api/v1/contacts/{verified['contact_id']}").json()
    assert verified["identity_verified"] is True
    assert contact["external_id"] == CUSTOMER["external_id"]
    assert contact["email"] == CUSTOMER["email"]
    # The same name and email typed into the chat prove nothing, and open no one else's chat.
    assert unverified["identity_verified"] is False
    assert unverified["contact_id"] != verified["contact_id"]
