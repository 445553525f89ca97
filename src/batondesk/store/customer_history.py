"""A customer's conversations, newest first, a page at a time (the console's history of the
customer and `GET /api/v1/contacts/{id}/conversations`). Reads only, within one account."""

from __future__ import annotations

import base64
import enum
import json
from datetime import timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from batondesk.store.access import get_contact
from batondesk.store.conversation_search import Page, decode_cursor
from batondesk.store.conversations import Conversation, ConversationStatus, Message, SenderType


class Outcome(enum.StrEnum):
    """How a conversation ended, or where it stands."""

    resolved_by_ai = "resolved_by_ai"  # resolved and never handed to a person
    resolved_by_agent = "resolved_by_agent"  # resolved after a person took it
    with_agent = "with_agent"
    waiting_for_agent = "waiting_for_agent"
    with_ai = "with_ai"


def outcome_of(c: Conversation) -> Outcome:
    if c.status == ConversationStatus.resolved:
        # A person took part when it was ever handed over or someone replied.
        human = c.escalated_at is not None or c.first_human_response_at is not None
        return Outcome.resolved_by_agent if human else Outcome.resolved_by_ai
    return {
        ConversationStatus.assigned: Outcome.with_agent,
        ConversationStatus.queued: Outcome.waiting_for_agent,
    }.get(c.status, Outcome.with_ai)


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


def earlier_on_intent(
    session: Session, conversation: Conversation, intent: str, window: timedelta
) -> Conversation | None:
    """The customer's latest other conversation about `intent` opened within `window` before
    `conversation` was, if any. Nothing pending in the session is flushed for it: the other
    conversations are read as stored, and a turn's own rows are written together, later."""
    with session.no_autoflush:
        return session.scalars(
            select(Conversation)
            .where(
                Conversation.account_id == conversation.account_id,
                Conversation.contact_id == conversation.contact_id,
                Conversation.id != conversation.id,
                Conversation.intent == intent,
                Conversation.created_at <= conversation.created_at,
                Conversation.created_at >= conversation.created_at - window,
            )
            .order_by(Conversation.created_at.desc(), Conversation.id.desc())
            .limit(1)
        ).first()


# A summary quotes this much of the customer's first message.
SUMMARY_QUOTE_CHARS = 120


def summaries(session: Session, conversations: list[Conversation]) -> dict[int, str]:
    """A line per conversation for whoever reads the customer's history (an agent, or the
    bot's context): the customer's first words and the articles the bot answered from."""
    if not conversations:
        return {}
    first_words: dict[int, str] = {}
    titles: dict[int, list[str]] = {}
    for message in session.scalars(
        select(Message)
        .where(
            Message.account_id == conversations[0].account_id,
            Message.conversation_id.in_([c.id for c in conversations]),
            Message.private.is_(False),
        )
        .order_by(Message.id)
    ):
        if message.sender_type == SenderType.customer and message.body:
            first_words.setdefault(message.conversation_id, message.body)
        for source in (message.annotations or {}).get("sources", []):
            cited = titles.setdefault(message.conversation_id, [])
            if source.get("title") and source["title"] not in cited:
                cited.append(str(source["title"]))
    lines: dict[int, str] = {}
    for c in conversations:
        parts = []
        if c.id in first_words:
            parts.append(f"“{_quote(first_words[c.id])}”")
        if titles.get(c.id):
            parts.append("answered from " + ", ".join(titles[c.id]))
        lines[c.id] = "; ".join(parts)
    return lines


def _quote(text: str) -> str:
    flat = " ".join(text.split())
    if len(flat) <= SUMMARY_QUOTE_CHARS:
        return flat
    return flat[: SUMMARY_QUOTE_CHARS - 1].rstrip() + "…"
