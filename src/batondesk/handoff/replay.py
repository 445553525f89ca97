"""A throwaway workspace to replay conversations through the real actions and pipeline."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from batondesk.actions.accounts import do_create_account, do_create_inbox, do_create_team
from batondesk.actions.contacts import do_create_contact
from batondesk.actions.conversations import do_open_conversation
from batondesk.actions.customer_turn import do_receive_customer_message
from batondesk.config import Settings
from batondesk.engine import Pipeline
from batondesk.handoff.evaluation import ConversationResult, LabelledConversation
from batondesk.store import Database, init_store
from batondesk.store.models import Article, Channel, ConversationStatus, Inbox


class ReplayWorkspace:
    """One account with the demo knowledge base and teams; each replay gets a new contact and
    conversation. Nobody is available, so escalations stay queued (as in an empty desk)."""

    def __init__(self, db: Database, pipeline: Pipeline, inbox_id: int, max_chars: int) -> None:
        self.db = db
        self.pipeline = pipeline
        self.inbox_id = inbox_id
        self.max_chars = max_chars

    def replay(self, conversation: LabelledConversation) -> ConversationResult:
        actions: list[str] = []
        with self.db.session() as session:
            inbox = session.get(Inbox, self.inbox_id)
            assert inbox is not None
            contact = do_create_contact(session, inbox.account_id, name="Evaluation customer")
            stored = do_open_conversation(session, inbox, contact)
            for turn, text in enumerate(conversation.messages, 1):
                outcome = do_receive_customer_message(
                    session, stored, text, self.pipeline, max_chars=self.max_chars
                )
                decision = outcome.decision
                actions.append(decision.action if decision else "silent")
                if stored.status != ConversationStatus.bot:
                    reason = stored.escalation_reason or "unknown"
                    session.rollback()  # nothing of the replay is kept
                    return _result(conversation, True, reason, turn, actions)
            session.rollback()
        return _result(conversation, False, "none", None, actions)


def _result(
    conversation: LabelledConversation,
    escalated: bool,
    reason: str,
    turn: int | None,
    actions: list[str],
) -> ConversationResult:
    return ConversationResult(
        id=conversation.id,
        expect_escalate=conversation.expect_escalate,
        expect_reason=conversation.expect_reason,
        escalated=escalated,
        reason=reason,
        turn=turn,
        bot_actions=actions,
    )


@contextmanager
def replay_workspace(pipeline: Pipeline, base: Settings) -> Iterator[ReplayWorkspace]:
    """A fresh SQLite database in a temporary directory, removed afterwards."""
    from batondesk.demo import content

    with tempfile.TemporaryDirectory(prefix="baton-eval-") as scratch:
        settings = base.model_copy(
            update={"data_dir": Path(scratch), "database_url": "", "redis_url": ""}
        )
        db = init_store(settings)
        db.migrate()
        try:
            with db.session() as session:
                account = do_create_account(session, "Evaluation Bank", "evaluation")
                for team in content.TEAMS:
                    do_create_team(session, account, team.name, list(team.intents))
                inbox = do_create_inbox(session, account, "Web", Channel.web_widget)
                for seed in content.load_articles():
                    session.add(
                        Article(
                            account_id=account.id,
                            slug=seed.slug,
                            title=seed.title,
                            body=seed.body,
                            tags=list(seed.tags),
                            intents=list(seed.intents),
                            locale=seed.locale,
                            status="published",
                        )
                    )
                session.flush()
                inbox_id = inbox.id
            yield ReplayWorkspace(db, pipeline, inbox_id, settings.max_message_chars)
        finally:
            db.dispose()
