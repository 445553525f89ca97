"""The Baton Bank demo workspace, seeded through the real actions."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from batondesk.demo.seed import seed_demo
from batondesk.store.models import Article, Contact, Conversation, Event, Membership


def _counts(db) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with db.session() as session:
        return {
            model.__name__: int(session.scalar(select(func.count()).select_from(model)) or 0)
            for model in (Article, Contact, Conversation, Event, Membership)
        }


def test_seeding_is_complete_and_idempotent(app) -> None:
    db = app.state.db
    first = seed_demo(db)
    counts = _counts(db)
    assert first.created
    assert counts["Contact"] == 50
    assert counts["Article"] >= 45
    assert counts["Membership"] >= 6
    assert counts["Conversation"] > 30  # earlier conversations, for history and KPIs
    second = seed_demo(db)
    assert not second.created and second.account_id == first.account_id
    assert _counts(db) == counts


def test_demo_customer_message_is_answered_and_visible_to_the_demo_agent(app, client) -> None:
    summary = seed_demo(app.state.db)
    started = client.post(
        f"/api/v1/widget/inboxes/{summary.inbox_public_id}/conversations", json={}
    ).json()
    headers = {"Authorization": f"Bearer {started['visitor_token']}"}
    turn = client.post(
        f"/api/v1/widget/conversations/{started['conversation_id']}/messages",
        json={"body": "my new card still hasn't arrived"},
        headers=headers,
    ).json()
    assert turn["reply"]["sender_type"] == "bot"
    assert turn["reply"]["sources"], "the answer cites a knowledge-base article"

    with TestClient(app) as agent:
        login = agent.post(
            "/api/v1/auth/login", json={"email": summary.agent_email, "password": summary.password}
        )
        assert login.status_code == 200
        messages = agent.get(f"/api/v1/conversations/{started['conversation_id']}/messages").json()
        assert messages[0]["body"] == "my new card still hasn't arrived"
        assert messages[0]["annotations"]["intent"] == "card_arrival"
