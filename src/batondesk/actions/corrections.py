"""Agents correcting what the AI understood: the labelled examples the learning loop trains on."""

from __future__ import annotations

import re
from collections.abc import Collection

from sqlalchemy.orm import Session

from batondesk.actions.events import record_event
from batondesk.errors import InvalidInput
from batondesk.store.base import utcnow
from batondesk.store.models import Conversation, Membership, Message, SenderType

# New intent labels look like BANKING77's: lower-case words joined by underscores.
INTENT_LABEL = re.compile(r"^[a-z][a-z0-9_]{0,79}$")


def check_intent_label(label: object, existing: Collection[str] = ()) -> str:
    """A valid intent label: one of the `existing` intents exactly as it is spelled (a model
    trained on a public dataset may carry other spellings, such as BANKING77's
    "Refund_not_showing_up" and "reverted_card_payment?"), or a new name normalised to
    lower-case words joined by underscores."""
    if not isinstance(label, str):
        raise InvalidInput("intent must be a string", code="invalid_intent")
    if label.strip() in existing:
        return label.strip()
    cleaned = label.strip().lower().replace(" ", "_").replace("-", "_")
    if not INTENT_LABEL.match(cleaned):
        raise InvalidInput(
            "intent must be 1-80 characters: lower-case letters, digits and underscores, "
            "starting with a letter",
            code="invalid_intent",
        )
    return cleaned


def do_correct_intent(
    session: Session,
    message: Message,
    agent: Membership,
    label: str,
    existing: Collection[str] = (),
) -> Message:
    """Store the agent's intent label on a customer message, beside what the AI predicted.
    `existing`: the account's intents, taken as they are spelled.

    Precondition: `message` belongs to the agent's account (read through an accessor). The
    prediction itself is kept, so accuracy can be measured from the corrections later.
    """
    if message.sender_type != SenderType.customer or message.private:
        raise InvalidInput(
            "only a customer's message has an intent to correct", code="not_a_customer_message"
        )
    intent = check_intent_label(label, existing)
    conversation = session.get(Conversation, message.conversation_id)
    assert conversation is not None
    predicted = message.annotations.get("intent")
    # Reassign the whole dict: in-place changes to a JSON column are not tracked.
    message.annotations = {
        **message.annotations,
        "corrected_intent": {
            "intent": intent,
            "by_user_id": agent.user_id,
            "at": utcnow().isoformat(timespec="seconds"),
        },
    }
    session.flush()
    record_event(
        session,
        conversation,
        "message.intent_corrected",
        actor_type="agent",
        actor_id=agent.user_id,
        payload={
            "message_id": message.id,
            "predicted_intent": predicted,
            "predicted_confidence": message.annotations.get("confidence"),
            "corrected_intent": intent,
        },
    )
    return message
