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


def _token(app, inbox_id: str, claims: dict[str, str]) -> str:  # type: ignore[no-untyped-def]
    with app.state.db.session() as session:
        inbox = session.query(Inbox).filter_by(public_id=inbox_id).one()
        return sign_identity({**claims, "exp": int(time.time()) + 600}, inbox.identity_secret)


def _contact_of(agent: TestClient, started: dict[str, int]) -> dict[str, object]:
    conversation = agent.get(f"/api/v1/conversations/{started['conversation_id']}").json()
    return agent.get(f"/api/v1/contacts/{conversation['contact_id']}").json()


def test_signing_in_with_another_customers_email_opens_nothing_of_theirs(
    app, client: TestClient, workspace: Workspace
) -> None:
    """A site that lets users set an unproven email signs whatever they set: the token's
    external_id names the customer, so another id with Rosa's email gets a contact of its own."""
    inbox_id = workspace.a.inbox_public_id
    url = f"/api/v1/widget/inboxes/{inbox_id}/conversations"
    rosa = client.post(url, json={"identity_token": _token(app, inbox_id, CUSTOMER)})
    impostor_claims = {"external_id": "shop-999", "email": CUSTOMER["email"]}
    impostor = client.post(url, json={"identity_token": _token(app, inbox_id, impostor_claims)})
    assert rosa.status_code == 201 and impostor.status_code == 201, impostor.text
    with TestClient(app) as agent:
        login(agent, workspace.a.users["agent"][1])
        rosas, impostors = _contact_of(agent, rosa.json()), _contact_of(agent, impostor.json())
        found = agent.get("/api/v1/conversations", params={"q": CUSTOMER["email"]})
    assert impostors["id"] != rosas["id"]
    assert impostors["external_id"] == "shop-999"
    # Searching by the address finds the customer who signed in with it first, only.
    assert found.status_code == 200, found.text
    assert [c["id"] for c in found.json()["data"]] == [rosa.json()["conversation_id"]]


def test_a_proven_address_is_found_before_one_typed_into_the_chat(
    app, client: TestClient, workspace: Workspace
) -> None:
    inbox_id = workspace.a.inbox_public_id
    url = f"/api/v1/widget/inboxes/{inbox_id}/conversations"
    typed = client.post(url, json={"name": "Someone", "email": CUSTOMER["email"]})
    signed = client.post(url, json={"identity_token": _token(app, inbox_id, CUSTOMER)})
    assert typed.status_code == 201 and signed.status_code == 201, signed.text
    with TestClient(app) as agent:
        login(agent, workspace.a.users["agent"][1])
        typed_contact = _contact_of(agent, typed.json())
        signed_contact = _contact_of(agent, signed.json())
    # The website's customer did not inherit the typed chat's contact...
    assert signed_contact["id"] != typed_contact["id"]
    assert signed_contact["email"] == CUSTOMER["email"]
    # ...and now holds the address: signing in again finds the same contact, and the next
    # anonymous visitor typing it is not joined to it either.
    again = client.post(url, json={"identity_token": _token(app, inbox_id, CUSTOMER)})
    with TestClient(app) as agent:
        login(agent, workspace.a.users["agent"][1])
        assert _contact_of(agent, again.json())["id"] == signed_contact["id"]
