"""A worker keeps what a turn reads of its account besides the account row (the article index,
the per-intent responses) in memory. A change an admin saves through any other worker reaches
this worker's very next message: the change moves the account's configuration version, which
every turn reads with the account row (store/config_version.py)."""

from __future__ import annotations

from sqlalchemy import select

from batondesk.actions.contacts import do_create_contact
from batondesk.actions.conversations import do_open_conversation
from batondesk.actions.customer_turn import do_receive_customer_message
from batondesk.config import Settings
from batondesk.knowledge.articles import do_update_article
from batondesk.knowledge.intent_responses import do_save_template
from batondesk.store import init_store
from batondesk.store.models import Account, Article, Inbox
from tests.support.workspace import Workspace

QUESTION = "my card still hasn't arrived"


def _ask(app, services, workspace: Workspace) -> dict:  # type: ignore[no-untyped-def]
    """A new customer's first message, served by the app's worker."""
    with app.state.db.session() as session:
        inbox = session.scalars(
            select(Inbox).where(Inbox.public_id == workspace.a.inbox_public_id)
        ).one()
        contact = do_create_contact(session, workspace.a.account_id)
        conversation = do_open_conversation(session, inbox, contact)
        outcome = do_receive_customer_message(
            session, conversation, QUESTION, services, max_chars=5000
        )
        assert outcome.reply is not None
        return {"body": outcome.reply.body, "annotations": dict(outcome.reply.annotations)}


def test_responses_and_articles_saved_on_another_worker_are_used_at_the_next_message(  # type: ignore[no-untyped-def]
    app, services, workspace: Workspace, settings: Settings
) -> None:
    account_id = workspace.a.account_id
    before = _ask(app, services, workspace)
    assert before["annotations"]["answer_mode"] == "extractive"
    assert before["annotations"]["sources"][0]["slug"] == "card-delivery"
    with app.state.db.session() as session:
        version = session.get(Account, account_id).config_version

    other_worker = init_store(settings)
    try:
        with other_worker.session() as session:
            do_save_template(
                session, account_id, "card_arrival", "Your new card is on its way to you."
            )
        with other_worker.session() as session:
            assert session.get(Account, account_id).config_version > version
    finally:
        other_worker.dispose()
    with_template = _ask(app, services, workspace)
    assert with_template["annotations"]["answer_mode"] == "template"
    assert "Your new card is on its way to you." in with_template["body"]

    other_worker = init_store(settings)
    try:
        with other_worker.session() as session:
            article = session.scalars(
                select(Article).where(
                    Article.account_id == account_id, Article.slug == "card-delivery"
                )
            ).one()
            do_update_article(session, article, {"title": "Where is my new card?"}, author_id=None)
    finally:
        other_worker.dispose()
    renamed = _ask(app, services, workspace)
    assert renamed["annotations"]["sources"][0]["title"] == "Where is my new card?"
