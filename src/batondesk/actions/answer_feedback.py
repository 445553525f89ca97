"""The customer's "Did this answer your question? Yes / No" under a bot answer: what confirms
an automated resolution besides a good rating, and the customers' own view of the answers
(docs/metrics.md, "Automated resolution" and "AI accuracy")."""

from __future__ import annotations

from sqlalchemy.orm import Session

from batondesk.actions.answer_reviews import is_bot_answer
from batondesk.actions.events import record_event
from batondesk.errors import NotFound
from batondesk.store.models import Conversation, Message

# Where the customer's latest verdict is kept on the answer, as {"helpful": bool}.
FEEDBACK_ANNOTATION = "customer_feedback"


def customer_verdict(message: Message) -> bool | None:
    """Whether the customer said `message` helped ("Yes": True, "No": False), by their
    latest click; None when they gave no feedback on it."""
    helpful = ((message.annotations or {}).get(FEEDBACK_ANNOTATION) or {}).get("helpful")
    return helpful if isinstance(helpful, bool) else None


def do_record_answer_feedback(
    session: Session, conversation: Conversation, message_id: int, helpful: bool
) -> Message:
    """Record whether the bot answer `message_id` of `conversation` helped the customer. A
    later click replaces the verdict and is recorded as a new event; the same verdict again
    records nothing, so a double click or a retried request counts once.

    Precondition: `conversation` is the visitor's own (read through the widget's accessor).
    A message that is not an answer of the bot in this conversation is a 404 whatever it is,
    so the answer tells a visitor nothing about other conversations.
    """
    message = session.get(Message, message_id)
    if (
        message is None
        or message.account_id != conversation.account_id
        or message.conversation_id != conversation.id
        or not is_bot_answer(message)
    ):
        raise NotFound(
            f"message {message_id} is not an answer of the assistant in this conversation",
            code="answer_not_found",
        )
    if customer_verdict(message) is helpful:
        return message
    # Reassign the whole dict: in-place changes to a JSON column are not tracked.
    message.annotations = {**message.annotations, FEEDBACK_ANNOTATION: {"helpful": helpful}}
    session.flush()
    # Ids and the verdict only: the customer's words never reach the event log.
    record_event(
        session,
        conversation,
        "bot.answer_feedback",
        actor_type="customer",
        actor_id=conversation.contact_id,
        payload={"message_id": message.id, "helpful": helpful},
    )
    return message
