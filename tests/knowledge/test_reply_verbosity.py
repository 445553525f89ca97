"""A customer who prefers brief (or detailed) replies gets them, when they proved who they
are: the preference is part of what the account knows about them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from batondesk.actions.contacts import do_create_contact
from batondesk.actions.conversations import do_open_conversation
from batondesk.actions.customer_turn import do_receive_customer_message
from batondesk.store.models import Article, CustomerProfile, Inbox
from tests.support.workspace import Workspace

# The card article, long enough that its usual answer is a part of it.
LONG_CARD_ARTICLE = "\n\n".join(
    [
        "Cards arrive within 3-5 working days of ordering. If yours has not arrived after "
        "7 working days, order a replacement in the app under Cards > Replace card.",
        "We post every card by first-class mail in a plain envelope, so it does not look like "
        "a bank card from the outside. " * 2,
        "## Delivery abroad",
        "Cards sent to an address in the EEA take 5-8 working days. We cannot send cards "
        "outside the UK and the EEA. " * 3,
        "## Express delivery",
        "Express delivery takes 1-2 working days and costs £5 on Standard. " * 4,
        "## Still waiting?",
        "Check the delivery address in the app, then order a replacement: the first one is "
        "free. " * 3,
    ]
)


def _lengthen_card_article(app, workspace: Workspace) -> None:  # type: ignore[no-untyped-def]
    with app.state.db.session() as session:
        article = session.scalars(
            select(Article).where(
                Article.account_id == workspace.a.account_id, Article.slug == "card-delivery"
            )
        ).one()
        article.body = LONG_CARD_ARTICLE
        article.version += 1  # the article index rebuilds on a new version


def _answer(app, services, workspace: Workspace, verbosity: str | None, verified: bool) -> Any:  # type: ignore[no-untyped-def]
    with app.state.db.session() as session:
        inbox = session.scalars(
            select(Inbox).where(Inbox.public_id == workspace.a.inbox_public_id)
        ).one()
        contact = do_create_contact(session, workspace.a.account_id, name="Rosa Díaz")
        if verbosity is not None:
            session.add(
                CustomerProfile(
                    account_id=workspace.a.account_id,
                    contact_id=contact.id,
                    preferences={"verbosity": verbosity},
                )
            )
            session.flush()
        conversation = do_open_conversation(session, inbox, contact, identity_verified=verified)
        outcome = do_receive_customer_message(
            session, conversation, "my card still hasn't arrived", services, max_chars=5000
        )
        assert outcome.reply is not None
        return outcome.reply.body, dict(outcome.reply.annotations)


def test_brief_and_detailed_preferences_change_the_length_of_the_answer(
    app, services, workspace: Workspace
) -> None:  # type: ignore[no-untyped-def]
    _lengthen_card_article(app, workspace)
    usual, plain = _answer(app, services, workspace, None, verified=True)
    assert plain["answer_mode"] == "extractive"
    brief, annotations = _answer(app, services, workspace, "brief", verified=True)
    assert annotations["answer_details"]["verbosity"] == "brief"
    detailed, more = _answer(app, services, workspace, "detailed", verified=True)
    assert more["answer_details"]["verbosity"] == "detailed"
    assert len(brief) < len(usual) < len(detailed)
    assert "plain envelope" in usual and "plain envelope" not in brief
    assert "Express delivery takes 1-2 working days" in detailed
    # Same article, same decision: only the length differs.
    assert annotations["sources"] == plain["sources"] == more["sources"]

    # Nobody signed for this customer: the account's records (and their preference) stay out.
    anonymous, unverified = _answer(app, services, workspace, "brief", verified=False)
    assert "verbosity" not in unverified.get("answer_details", {})
    assert anonymous == usual
