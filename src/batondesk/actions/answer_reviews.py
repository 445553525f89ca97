"""Agents judging the bot's answers right or wrong: what AI accuracy's answer precision and
the random review sample are computed from (docs/metrics.md, "AI accuracy")."""

from __future__ import annotations

from typing import Literal, get_args

from sqlalchemy.orm import Session

from batondesk.actions.events import record_event
from batondesk.errors import InvalidInput
from batondesk.store.base import utcnow
from batondesk.store.models import Conversation, Membership, Message, SenderType

Verdict = Literal["right", "wrong"]
# Why an answer was wrong: codes, never free text (a note could carry a customer's details).
WrongReason = Literal[
    "wrong_article",
    "misunderstood_question",
    "incomplete",
    "outdated",
    "should_have_handed_over",
    "other",
]
WRONG_REASONS: tuple[str, ...] = get_args(WrongReason)


def is_bot_answer(message: Message) -> bool:
    """A public bot message citing at least one article, as `bot.replied` records an answer
    (quick-reply offers, small talk and declines are not answers)."""
    annotations = message.annotations or {}
    return (
        message.sender_type == SenderType.bot
        and not message.private
        and bool(annotations.get("sources"))
        and annotations.get("decision", "answer") == "answer"
    )


def do_review_answer(
    session: Session,
    message: Message,
    agent: Membership,
    verdict: Verdict,
    reason: WrongReason | None = None,
) -> Message:
    """Record the agent's verdict on a bot answer; a later verdict replaces an earlier one.

    Precondition: `message` belongs to the agent's account (read through an accessor).
    """
    if not is_bot_answer(message):
        raise InvalidInput(
            "only an answer of the bot citing an article can be reviewed",
            code="not_a_bot_answer",
        )
    if verdict == "right" and reason is not None:
        raise InvalidInput(
            "reason: a reason says why an answer was wrong; a right answer has none",
            code="invalid_review",
        )
    conversation = session.get(Conversation, message.conversation_id)
    assert conversation is not None
    previous = (message.annotations.get("review") or {}).get("verdict")
    # Reassign the whole dict: in-place changes to a JSON column are not tracked.
    message.annotations = {
        **message.annotations,
        "review": {
            "verdict": verdict,
            "reason": reason,
            "by_user_id": agent.user_id,
            "at": utcnow().isoformat(timespec="seconds"),
        },
    }
    session.flush()
    record_event(
        session,
        conversation,
        "bot.answer_reviewed",
        actor_type="agent",
        actor_id=agent.user_id,
        payload={
            "message_id": message.id,
            "verdict": verdict,
            "reason": reason,
            "previous_verdict": previous,
        },
    )
    return message
