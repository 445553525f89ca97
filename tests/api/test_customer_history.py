"""A customer's conversations (GET /api/v1/contacts/{id}/conversations): newest first, with
what each was about, how it ended and the rating; another account's customer is a 404."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient

from batondesk.api.identity import sign_identity
from batondesk.store.models import Inbox
from tests.support.workspace import Workspace, say


def _known_customer_chat(app, client: TestClient, inbox_public_id: str) -> tuple[int, dict]:  # type: ignore[no-untyped-def,type-arg]
    """A conversation of the same signed-in customer of the website each time."""
    with app.state.db.session() as session:
        inbox = session.query(Inbox).filter_by(public_id=inbox_public_id).one()
        token = sign_identity(
            {"external_id": "cust-42", "name": "Ada", "exp": int(time.time()) + 600},
            inbox.identity_secret,
        )
    started = client.post(
        f"/api/v1/widget/inboxes/{inbox_public_id}/conversations", json={"identity_token": token}
    ).json()
    return started["conversation_id"], {"Authorization": f"Bearer {started['visitor_token']}"}


def test_the_customers_earlier_conversations_newest_first(
    app, client: TestClient, agent: TestClient, workspace: Workspace
) -> None:
    inbox = workspace.a.inbox_public_id
    # 1: answered by the bot, resolved, rated 5.
    first, first_visitor = _known_customer_chat(app, client, inbox)
    say(client, first, first_visitor, "my card still has not arrived")
    assert agent.post(f"/api/v1/conversations/{first}/resolve").status_code == 200
    rated = client.post(
        f"/api/v1/widget/conversations/{first}/csat", json={"score": 5}, headers=first_visitor
    )
    assert rated.status_code == 200
    # 2: handed to a person, who replied and resolved it.
    second, second_visitor = _known_customer_chat(app, client, inbox)
    client.post(f"/api/v1/widget/conversations/{second}/handoff", headers=second_visitor)
    agent.post(f"/api/v1/conversations/{second}/messages", json={"body": "Hello, I can help."})
    agent.post(f"/api/v1/conversations/{second}/resolve")
    # 3: waiting for a person now.
    third, third_visitor = _known_customer_chat(app, client, inbox)
    client.post(f"/api/v1/widget/conversations/{third}/handoff", headers=third_visitor)

    contact_id = agent.get(f"/api/v1/conversations/{third}").json()["contact_id"]
    url = f"/api/v1/contacts/{contact_id}/conversations"
    listed = agent.get(url).json()
    assert [c["id"] for c in listed["data"]] == [third, second, first]
    by_id = {c["id"]: c for c in listed["data"]}
    assert by_id[first]["outcome"] == "resolved_by_ai"
    assert by_id[first]["csat_score"] == 5
    assert by_id[first]["intent"] == "card_arrival"
    assert by_id[second]["outcome"] == "resolved_by_agent"
    assert by_id[second]["escalation_reason"] == "explicit_request"
    assert by_id[third]["outcome"] == "waiting_for_agent"

    # The sidebar leaves out the conversation on screen; long histories come a page at a time.
    earlier = agent.get(url, params={"exclude": third, "limit": 1}).json()
    assert [c["id"] for c in earlier["data"]] == [second]
    rest = agent.get(url, params={"exclude": third, "cursor": earlier["next_cursor"]}).json()
    assert [c["id"] for c in rest["data"]] == [first] and rest["next_cursor"] is None

    broken = agent.get(url, params={"cursor": "not-a-cursor"})
    assert broken.status_code == 422 and broken.json()["error"]["code"] == "invalid_cursor"


def test_another_accounts_customer_is_not_found(
    app, client: TestClient, agent: TestClient, workspace: Workspace
) -> None:
    conversation_id, _visitor = _known_customer_chat(app, client, workspace.b.inbox_public_id)
    with app.state.db.session() as session:
        from batondesk.store.models import Conversation

        contact_id = session.get(Conversation, conversation_id).contact_id  # type: ignore[union-attr]
    response = agent.get(f"/api/v1/contacts/{contact_id}/conversations")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
