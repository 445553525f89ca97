"""Replies filled from the customer's profile: the bot never asks for what it already knows."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from batondesk.actions.contacts import do_create_contact
from batondesk.actions.conversations import do_open_conversation
from batondesk.actions.customer_turn import do_receive_customer_message
from batondesk.knowledge.templates import check_template, render_template
from batondesk.store.models import Inbox
from tests.support.workspace import Workspace, login

TEMPLATE = (
    "Hi {{contact.first_name|there}}, your replacement for the card ending in "
    "{{contact.card_last4}} is on its way: cards arrive within 3-5 working days of ordering."
)
# What a bot that ignores the profile would have to ask.
ASKS_FOR_CARD = re.compile(r"(which card|last (four|4) digits|card number)[^.]*\?", re.IGNORECASE)


def _ask(app, services, workspace: Workspace, contact_fields: dict, verified: bool = True) -> dict:  # type: ignore[no-untyped-def]
    with app.state.db.session() as session:
        inbox = session.scalars(
            select(Inbox).where(Inbox.public_id == workspace.a.inbox_public_id)
        ).one()
        contact = do_create_contact(session, workspace.a.account_id, **contact_fields)
        # Replies use what the bank knows only for a customer who proved who they are.
        conversation = do_open_conversation(session, inbox, contact, identity_verified=verified)
        outcome = do_receive_customer_message(
            session, conversation, "my card still hasn't arrived", services, max_chars=5000
        )
        assert outcome.reply is not None
        return {"body": outcome.reply.body, "annotations": dict(outcome.reply.annotations)}


def test_reply_uses_the_profile_and_says_so(app, services, workspace: Workspace) -> None:
    with TestClient(app) as admin:
        login(admin, workspace.a.users["admin"][1])
        saved = admin.put(
            "/api/v1/knowledge/templates", json={"intent": "card_arrival", "body": TEMPLATE}
        )
        assert saved.status_code == 200, saved.text

    known = _ask(
        app,
        services,
        workspace,
        {"name": "Ada Lovelace", "attributes": {"card_last4": "4821", "plan": "premium"}},
    )
    assert "Hi Ada" in known["body"] and "ending in 4821" in known["body"]
    assert known["annotations"]["answer_mode"] == "template"
    assert known["annotations"]["profile_fields"] == ["contact.first_name", "contact.card_last4"]
    assert known["annotations"]["sources"][0]["slug"] == "card-delivery"
    assert "Source: When will my card arrive?" in known["body"]
    assert not ASKS_FOR_CARD.search(known["body"]), "the bot asked for what the profile holds"

    # A visitor the bank knows nothing about gets the article's answer, not a blank or a {{ }}.
    anonymous = _ask(app, services, workspace, {})
    assert anonymous["annotations"]["answer_mode"] == "extractive"
    assert anonymous["annotations"]["profile_fields"] == []
    assert "3-5 working days" in anonymous["body"] and "{{" not in anonymous["body"]

    # The same profile behind a conversation nobody signed for: the general answer.
    unverified = _ask(
        app,
        services,
        workspace,
        {"name": "Ada Byron", "attributes": {"card_last4": "1234"}},
        verified=False,
    )
    assert unverified["annotations"]["answer_mode"] == "extractive"
    assert "1234" not in unverified["body"] and "Ada" not in unverified["body"]


def test_templates_are_checked_and_rendered_with_defaults() -> None:
    rendered = render_template(
        "Hi {{contact.first_name|there}}, plan {{contact.plan}}.", {"contact": {"plan": "vip"}}
    )
    assert rendered is not None
    assert rendered.text == "Hi there, plan vip." and rendered.profile_fields == ["contact.plan"]
    assert render_template("Card {{contact.card_last4}}", {"contact": {}}) is None
    try:
        check_template("Hello {{customer.secret}}")
    except Exception as exc:  # noqa: BLE001 - the error's code is what matters
        assert getattr(exc, "code", "") == "invalid_template"
    else:
        raise AssertionError("an unknown variable must be refused")


def test_template_with_unknown_variable_is_refused_by_the_api(app, workspace: Workspace) -> None:
    with TestClient(app) as admin:
        login(admin, workspace.a.users["admin"][1])
        refused = admin.put(
            "/api/v1/knowledge/templates",
            json={"intent": "card_arrival", "body": "Hi {{user.password}}"},
        )
        assert refused.status_code == 422
        assert refused.json()["error"]["code"] == "invalid_template"
