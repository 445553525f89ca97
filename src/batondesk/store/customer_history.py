"""A customer's conversations, newest first, a page at a time (the console's history of the
customer and `GET /api/v1/contacts/{id}/conversations`). Reads only, within one account."""

from __future__ import annotations

import base64
import json

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from batondesk.store.access import get_contact
from batondesk.store.conversation_search import Page, decode_cursor
from batondesk.store.conversations import Conversation


def contact_conversations(
    session: Session,
    account_id: int,
    contact_id: int,
    *,
    limit: int,
    cursor: str | None = None,
    exclude_id: int | None = None,
) -> Page:
    """The contact's conversations by when they were opened, newest first; a contact of
    another account is a 404. `cursor` is a page's `next_cursor`; `exclude_id` leaves one
    conversation out (the one on screen)."""
    contact = get_contact(session, account_id, contact_id)
    query = select(Conversation).where(
        Conversation.account_id == account_id, Conversation.contact_id == contact.id
    )
    if exclude_id is not None:
        query = query.where(Conversation.id != exclude_id)
    if cursor:
        created_at, last_id = decode_cursor(cursor)
        query = query.where(
            or_(
                Conversation.created_at < created_at,
                and_(Conversation.created_at == created_at, Conversation.id < last_id),
            )
        )
    rows = list(
        session.scalars(
            query.order_by(Conversation.created_at.desc(), Conversation.id.desc()).limit(limit + 1)
        )
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, _cursor(rows[-1]) if more and rows else None)


def _cursor(last: Conversation) -> str:
    raw = json.dumps([last.created_at.isoformat(), last.id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")
