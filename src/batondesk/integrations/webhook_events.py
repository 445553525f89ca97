"""What a webhook sends for an event: the JSON body (ids, codes and figures, the event's own
payload, never message text or a customer's personal data) and the headers of a request."""

from __future__ import annotations

import json
from typing import Any

from batondesk.integrations.signing import SIGNATURE_HEADER, signature_header
from batondesk.store.models import EVENT_TYPES, Conversation, Event

ALL_EVENTS = "*"
USER_AGENT = "Baton-Webhooks/1"


def check_event_types(event_types: list[Any]) -> list[str]:
    """The list if every entry is a known event type (or "*" alone); ValueError otherwise."""
    if not event_types:
        raise ValueError('event_types must name at least one event type, or "*" for all')
    if event_types == [ALL_EVENTS]:
        return [ALL_EVENTS]
    unknown = [t for t in event_types if t not in EVENT_TYPES]
    if unknown:
        raise ValueError(
            f"unknown event type {str(unknown[0])[:60]!r}; known: " + ", ".join(sorted(EVENT_TYPES))
        )
    return sorted(set(event_types))


def subscribes_to(event_types: list[Any], event_type: str) -> bool:
    return ALL_EVENTS in event_types or event_type in event_types


def event_body(event: Event, conversation: Conversation | None) -> dict[str, Any]:
    """The delivery's JSON. The conversation part is a snapshot taken when the event happened;
    a receiver that needs message text fetches it with an API key
    (`GET /api/v1/conversations/{id}/messages`)."""
    body: dict[str, Any] = {
        "id": f"evt_{event.id}",
        "type": event.type,
        "created_at": event.created_at.isoformat(),
        "account_id": event.account_id,
        "data": dict(event.payload or {}),
    }
    if conversation is not None:
        body["conversation"] = {
            "id": conversation.id,
            "status": str(conversation.status),
            "inbox_id": conversation.inbox_id,
            "contact_id": conversation.contact_id,
            "assignee_id": conversation.assignee_id,
            "priority": int(conversation.priority),
        }
    return body


def request_parts(
    secret: str, delivery_id: int, body: dict[str, Any]
) -> tuple[bytes, dict[str, str]]:
    """The exact bytes to send and the headers, signed now."""
    raw = json.dumps(body, separators=(",", ":"), sort_keys=True).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Baton-Event": str(body.get("type", "")),
        "Baton-Delivery": str(delivery_id),
        SIGNATURE_HEADER: signature_header(secret, raw),
    }
    return raw, headers
