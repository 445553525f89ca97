"""Export everything Baton holds about a contact as one JSON bundle (right of access)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from batondesk.privacy.audit import record_audit
from batondesk.store.access import get_contact
from batondesk.store.base import utcnow
from batondesk.store.models import (
    Attachment,
    Consent,
    Conversation,
    CustomerProfile,
    Event,
    Message,
)

EXPORT_FORMAT = "baton.contact-export/1"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def do_export_contact(session: Session, account_id: int, contact_id: int) -> dict[str, Any]:
    """The bundle: profile, conversations with their messages and events, events the contact
    caused outside them, and consents. The export itself is audited."""
    contact = get_contact(session, account_id, contact_id)
    conversations = list(
        session.scalars(
            select(Conversation)
            .where(Conversation.account_id == account_id, Conversation.contact_id == contact.id)
            .order_by(Conversation.id)
        )
    )
    conversation_ids = [c.id for c in conversations]
    messages = list(
        session.scalars(
            select(Message)
            .where(Message.account_id == account_id, Message.contact_id == contact.id)
            .order_by(Message.id)
        )
    )
    events = list(
        session.scalars(
            select(Event)
            .where(
                Event.account_id == account_id,
                or_(
                    Event.conversation_id.in_(conversation_ids or [-1]),
                    (Event.actor_type == "customer") & (Event.actor_id == contact.id),
                ),
            )
            .order_by(Event.id)
        )
    )
    consents = list(session.scalars(select(Consent).where(Consent.contact_id == contact.id)))
    files = _attachments(session, account_id, contact.id)
    by_conversation: dict[int | None, list[dict[str, Any]]] = {}
    for event in events:
        by_conversation.setdefault(event.conversation_id, []).append(
            {
                "id": event.id,
                "type": event.type,
                "actor_type": event.actor_type,
                "created_at": _iso(event.created_at),
                "payload": event.payload,
            }
        )
    bundle = {
        "format": EXPORT_FORMAT,
        "exported_at": utcnow().isoformat(),
        "contact": {
            "id": contact.id,
            "external_id": contact.external_id,
            "name": contact.name,
            "email": contact.email,
            "phone": contact.phone,
            "locale": contact.locale,
            "tier": contact.tier,
            "attributes": contact.attributes,
            "created_at": _iso(contact.created_at),
        },
        # What the account's systems sent about them (imports, CRM syncs and webhooks).
        "profile": _profile(session, contact.id),
        "conversations": [
            {
                "id": c.id,
                "status": str(c.status),
                "created_at": _iso(c.created_at),
                "resolved_at": _iso(c.resolved_at),
                "csat_score": c.csat_score,
                "csat_comment": c.csat_comment,
                "messages": [
                    {
                        "id": m.id,
                        "sender_type": str(m.sender_type),
                        "private": m.private,
                        "created_at": _iso(m.created_at),
                        "body": m.body,
                        "attachments": files.get(m.id, []),
                    }
                    for m in messages
                    if m.conversation_id == c.id
                ],
                "events": by_conversation.get(c.id, []),
            }
            for c in conversations
        ],
        "other_events": [
            e for cid, es in by_conversation.items() if cid not in conversation_ids for e in es
        ],
        "consents": [
            {
                "purpose": c.purpose,
                "granted": c.granted,
                "source": c.source,
                "updated_at": _iso(c.updated_at),
            }
            for c in consents
        ],
    }
    record_audit(
        session,
        "contact.exported",
        account_id=account_id,
        target_type="contact",
        target_id=contact.id,
        details={"conversations": len(conversations), "messages": len(messages)},
    )
    return bundle


def _attachments(
    session: Session, account_id: int, contact_id: int
) -> dict[int, list[dict[str, Any]]]:
    """The files on each message, listed (name, type, size) rather than embedded: the bundle
    stays a readable JSON document, and each file is fetched by its id through
    `GET /api/v1/attachments/{id}`."""
    listed: dict[int, list[dict[str, Any]]] = {}
    rows = session.scalars(
        select(Attachment)
        .where(Attachment.account_id == account_id, Attachment.contact_id == contact_id)
        .order_by(Attachment.id)
    )
    for a in rows:
        listed.setdefault(a.message_id, []).append(
            {
                "id": a.id,
                "filename": a.filename,
                "content_type": a.content_type,
                "size_bytes": a.size_bytes,
                "created_at": _iso(a.created_at),
                "download": f"/api/v1/attachments/{a.id}",
            }
        )
    return listed


def _profile(session: Session, contact_id: int) -> dict[str, Any] | None:
    profile = session.scalars(
        select(CustomerProfile).where(CustomerProfile.contact_id == contact_id)
    ).first()
    if profile is None:
        return None
    return {
        "products": profile.products or [],
        "orders": profile.orders or [],
        "preferences": profile.preferences or {},
        "source": profile.source,
        "updated_at": _iso(profile.updated_at),
    }
