"""Recording events, the single source for analytics, audits and real-time notifications."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from batondesk.actions.webhooks import queue_deliveries
from batondesk.store.database import NOTIFICATIONS_KEY
from batondesk.store.models import EVENT_TYPES, Conversation, Event


def record_event(
    session: Session,
    conversation: Conversation,
    event_type: str,
    *,
    actor_type: str,
    actor_id: int | None = None,
    payload: dict[str, Any] | None = None,
) -> Event:
    """Append an event. The payload is a snapshot of fields that may change later; it must
    never hold message text or personal data."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {event_type!r}")
    event = Event(
        account_id=conversation.account_id,
        conversation_id=conversation.id,
        type=event_type,
        actor_type=actor_type,
        actor_id=actor_id,
        payload=payload or {},
    )
    session.add(event)
    queue_deliveries(session, event, conversation)
    notify(
        session,
        conversation,
        {
            "type": event_type,
            "conversation_id": conversation.id,
            "status": conversation.status,
            # Lets a console tell "a customer wrote to me" from traffic for others.
            "assignee_id": conversation.assignee_id,
        },
    )
    return event


def notify(session: Session, conversation: Conversation, notification: dict[str, Any]) -> None:
    """Queue a notification for the conversation's and the account's channels; sent on commit."""
    queued = session.info.setdefault(NOTIFICATIONS_KEY, [])
    queued.append((f"conversation:{conversation.id}", notification))
    queued.append((f"account:{conversation.account_id}", notification))


def notify_channel(session: Session, channel: str, notification: dict[str, Any]) -> None:
    """Queue a notification for one channel (`widget:{account id}`, a typing indicator);
    sent on commit, like those of events. Ids and flags only, never text."""
    session.info.setdefault(NOTIFICATIONS_KEY, []).append((channel, notification))


def record_account_event(
    session: Session,
    account_id: int,
    event_type: str,
    *,
    actor_type: str = "agent",
    actor_id: int | None = None,
    payload: dict[str, Any] | None = None,
) -> Event:
    """Append an event about the account rather than one conversation (an experiment's start
    or stop). Same rule: ids, codes and figures, never message text or personal data."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {event_type!r}")
    event = Event(
        account_id=account_id,
        conversation_id=None,
        type=event_type,
        actor_type=actor_type,
        actor_id=actor_id,
        payload=payload or {},
    )
    session.add(event)
    queue_deliveries(session, event, None)
    return event
