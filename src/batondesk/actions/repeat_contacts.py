"""Repeat contacts: a customer writing again about the same intent within the account's
window (`repeat_contact_days`, handoff/settings.py) was not helped the first time. The
conversation names the earlier one, its priority rises one step (at least to high), and the
console and the handoff packet flag it; the reports count the earlier conversation as not
resolved at first contact (reports/kpis.py `first_contact_outcome`, same window)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from batondesk.actions.events import record_event
from batondesk.handoff.settings import EscalationSettings
from batondesk.store.customer_history import earlier_on_intent
from batondesk.store.models import Conversation, Priority


def do_flag_repeat_contact(
    session: Session, conversation: Conversation, settings: EscalationSettings
) -> Conversation | None:
    """Mark `conversation` a repeat contact if its customer wrote about its intent in another
    conversation opened within the window before it; returns that earlier conversation.
    Precondition: `conversation.intent` is what this conversation is about (or None)."""
    if conversation.repeat_of_id is not None or conversation.intent is None:
        return None
    window = timedelta(days=settings.repeat_contact_days)
    earlier = earlier_on_intent(session, conversation, conversation.intent, window)
    if earlier is None:
        return None
    conversation.repeat_of_id = earlier.id
    raised = min(int(Priority.urgent), max(int(Priority.high), conversation.priority + 1))
    record_event(
        session,
        conversation,
        "conversation.prioritised",
        actor_type="system",
        payload={
            "from": conversation.priority,
            "to": raised,
            "cause": "repeat_contact",
            "repeat_of": earlier.id,
        },
    )
    conversation.priority = raised
    session.flush()
    return earlier
