"""Recommendations through the HTTP API: a verified customer who agreed to marketing is
offered their next-best offer by the bot after a question it resolved (once per
conversation), and agents see it with its reason in the packet and the contact's
recommendations. Without marketing consent nothing is recommended anywhere."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from batondesk.api.identity import sign_identity
from batondesk.store.models import Conversation, Event, Inbox, Message
from tests.support.workspace import Workspace, say

EXTERNAL_ID = "cust-42"
CARD_QUESTION = "my card still hasn't arrived"


def _transactions() -> list[dict[str, Any]]:
    """A week of a customer whose money is in pounds: three card payments in US dollars,
    each converted, beside their everyday spending in pounds."""
    today = datetime.now(UTC).date()

    def paid(n: int, amount: float, currency: str, where: str) -> dict[str, Any]:
        return {
            "id": f"TX-{n}",
            "kind": "card_payment",
            "date": str(today - timedelta(days=n)),
            "status": "completed",
            "total": -amount,
            "currency": currency,
            "description": where,
        }

    dollars = [paid(n, 80.0, "USD", "Diner in Boston") for n in (1, 2, 3)]
    return dollars + [paid(n, 12.5, "GBP", "Corner shop") for n in (4, 5, 6, 7)]


def _customer(admin: TestClient) -> None:
    record = {
        "external_id": EXTERNAL_ID,
        "name": "Ada Lovelace",
        "attributes": {},
        "products": [{"name": "Everyday account"}, {"id": "currency_eur", "name": "EUR balance"}],
        "orders": _transactions(),
    }
    stored = admin.post("/api/v1/customers/records", json={"records": [record]})
    assert stored.status_code == 200, stored.text
    enabled = admin.put("/api/v1/admin/settings/recommendations", json={"enabled": True})
    assert enabled.status_code == 200 and enabled.json()["offer_in_chat"] is True


def _chat(
    app: Any, client: TestClient, inbox_public_id: str, *, verified: bool = True
) -> tuple[int, dict[str, str]]:
    body = {}
    if verified:
        with app.state.db.session() as session:
            inbox = session.query(Inbox).filter_by(public_id=inbox_public_id).one()
            body["identity_token"] = sign_identity(
                {"external_id": EXTERNAL_ID, "exp": int(time.time()) + 600},
                inbox.identity_secret,
            )
    started = client.post(f"/api/v1/widget/inboxes/{inbox_public_id}/conversations", json=body)
    assert started.status_code == 201, started.text
    data = started.json()
    return data["conversation_id"], {"Authorization": f"Bearer {data['visitor_token']}"}


def _contact_of(agent: TestClient, conversation_id: int) -> int:
    return int(agent.get(f"/api/v1/conversations/{conversation_id}").json()["contact_id"])


def _marketing(admin: TestClient, contact_id: int, granted: bool) -> None:
    answer = admin.put(
        f"/api/v1/admin/privacy/contacts/{contact_id}/consents",
        json={"purpose": "marketing", "granted": granted},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["marketing"] is granted


def test_a_consenting_customer_is_offered_it_once_after_a_resolved_question(
    app: Any, client: TestClient, admin: TestClient, agent: TestClient, workspace: Workspace
) -> None:
    _customer(admin)
    inbox = workspace.a.inbox_public_id
    conversation, visitor = _chat(app, client, inbox)
    contact = _contact_of(agent, conversation)
    _marketing(admin, contact, True)

    # An answer the customer said did not help resolved nothing: thanks for it brings no offer.
    unhelpful = say(client, conversation, visitor, "what exchange rate do you use")["reply"]
    assert unhelpful["kind"] == "answer"
    feedback = f"/api/v1/widget/conversations/{conversation}/messages/{unhelpful['id']}/feedback"
    assert client.put(feedback, json={"helpful": False}, headers=visitor).status_code == 200
    assert "By the way" not in say(client, conversation, visitor, "ok thanks")["reply"]["body"]

    # Greeted before any question was answered: no offer.
    assert "By the way" not in say(client, conversation, visitor, "hello")["reply"]["body"]
    answered = say(client, conversation, visitor, CARD_QUESTION)["reply"]
    assert answered["kind"] == "answer" and "By the way" not in answered["body"]

    thanked = say(client, conversation, visitor, "thanks!")["reply"]
    assert thanked["body"].startswith("You're welcome!")
    assert (
        "By the way: Over the last three months you paid US$240.00 in USD by card (3 payments)"
        in thanked["body"]
    )
    assert thanked["body"].endswith("You can open one for free in Home > + > Add currency.")

    # Another answer and another thanks in the same conversation: no second offer.
    rates = say(client, conversation, visitor, "how are exchange rates calculated")["reply"]
    assert rates["kind"] == "answer"
    again = say(client, conversation, visitor, "thank you")["reply"]
    assert "By the way" not in again["body"]

    # What was offered is recorded by its ids, never with the customer's figures.
    with app.state.db.session() as session:
        stored = session.get(Message, thanked["id"])
        assert stored is not None
        assert stored.annotations["recommendation"] == {
            "offer": "currency_usd",
            "rule": "currency_spend",
        }
        replied = [
            e.payload
            for e in session.query(Event).filter_by(
                conversation_id=conversation, type="bot.replied"
            )
        ]
    offered = [
        p["evidence"]["recommendation"] for p in replied if "recommendation" in p["evidence"]
    ]
    assert offered == [{"offer": "currency_usd", "rule": "currency_spend"}]
    assert not any("240" in str(p) for p in replied)

    # The agent sees the same offer, with its reason, in the packet and for the contact.
    packet = agent.get(f"/api/v1/conversations/{conversation}/packet").json()
    shown = packet["recommendations"]
    assert shown["status"] == "shown"
    best = shown["offers"][0]
    assert best["offer"] == "currency_usd" and best["source"] == "rule"
    assert best["name"] == "USD currency account"
    assert best["reason"].startswith("Over the last three months you paid US$240.00 in USD")
    assert best["figures"] == {"spent": 240.0, "payments": 3}
    listed = agent.get(f"/api/v1/contacts/{contact}/recommendations").json()
    assert listed == shown


def test_without_marketing_consent_nothing_is_recommended_anywhere(
    app: Any, client: TestClient, admin: TestClient, agent: TestClient, workspace: Workspace
) -> None:
    _customer(admin)
    inbox = workspace.a.inbox_public_id

    def nothing_anywhere() -> int:
        conversation, visitor = _chat(app, client, inbox)
        contact = _contact_of(agent, conversation)
        assert say(client, conversation, visitor, CARD_QUESTION)["reply"]["kind"] == "answer"
        thanked = say(client, conversation, visitor, "thanks!")["reply"]
        assert thanked["body"] == "You're welcome! Is there anything else I can help with?"
        packet = agent.get(f"/api/v1/conversations/{conversation}/packet").json()
        assert packet["recommendations"] == {"status": "no_consent", "offers": []}
        listed = agent.get(f"/api/v1/contacts/{contact}/recommendations").json()
        assert listed == {"status": "no_consent", "offers": []}
        return contact

    # Never asked: no.
    contact = nothing_anywhere()
    # Asked and withdrawn: no.
    _marketing(admin, contact, True)
    _marketing(admin, contact, False)
    nothing_anywhere()
    with app.state.db.session() as session:
        assert not any((m.annotations or {}).get("recommendation") for m in session.query(Message))


def test_the_bot_offers_nothing_to_an_anonymous_visitor_or_where_the_account_says_not(
    app: Any, client: TestClient, admin: TestClient, agent: TestClient, workspace: Workspace
) -> None:
    _customer(admin)
    inbox = workspace.a.inbox_public_id
    conversation, visitor = _chat(app, client, inbox)
    _marketing(admin, _contact_of(agent, conversation), True)

    # The account keeps recommendations for its agents only.
    assert admin.put(
        "/api/v1/admin/settings/recommendations", json={"offer_in_chat": False}
    ).json() == {"enabled": True, "offer_in_chat": False, "shown": 3}
    say(client, conversation, visitor, CARD_QUESTION)
    assert "By the way" not in say(client, conversation, visitor, "thanks!")["reply"]["body"]
    packet = agent.get(f"/api/v1/conversations/{conversation}/packet").json()
    assert packet["recommendations"]["status"] == "shown"

    # An anonymous visitor could be anyone: the bot offers them nothing.
    admin.put("/api/v1/admin/settings/recommendations", json={"offer_in_chat": True})
    anonymous, visitor = _chat(app, client, inbox, verified=False)
    say(client, anonymous, visitor, CARD_QUESTION)
    assert "By the way" not in say(client, anonymous, visitor, "thanks!")["reply"]["body"]

    # Off for the account: nothing for agents either; bad settings are refused.
    admin.put("/api/v1/admin/settings/recommendations", json={"enabled": False})
    packet = agent.get(f"/api/v1/conversations/{conversation}/packet").json()
    assert packet["recommendations"] == {"status": "off", "offers": []}
    refused = admin.put("/api/v1/admin/settings/recommendations", json={"shown": 9})
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "invalid_setting"
    assert "shown" in refused.json()["error"]["message"]


def test_a_contact_of_another_account_is_not_found(
    app: Any, client: TestClient, agent: TestClient, workspace: Workspace
) -> None:
    other, _visitor = _chat(app, client, workspace.b.inbox_public_id, verified=False)
    with app.state.db.session() as session:
        foreign = session.get(Conversation, other)
        assert foreign is not None
        contact = foreign.contact_id
    found = agent.get(f"/api/v1/contacts/{contact}/recommendations")
    assert found.status_code == 404
