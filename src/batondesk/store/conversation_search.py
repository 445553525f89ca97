"""Finding conversations: filters (status, assignee, team, tag, intent, inbox, dates), the
keyed search over messages and customers, and keyset pagination ("load more" never skips or
repeats a conversation the way an offset does while new ones arrive).

Reads only, always within one account. The search never sees plaintext in the database: a
term is hashed with the account's search key and looked up among the tokens
(store/search_index.py); an email address is also looked up through the contacts' blind
email index.
"""

from __future__ import annotations

import base64
import binascii
import enum
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, Select, and_, or_, select
from sqlalchemy.orm import Session

from batondesk.errors import InvalidInput
from batondesk.privacy.keys import keys_of
from batondesk.privacy.search_tokens import (
    MAX_QUERY_WORDS,
    SearchHasher,
    is_email,
    query_terms,
)
from batondesk.store.base import utcnow
from batondesk.store.contacts import EMAIL_INDEX_PURPOSE, Contact
from batondesk.store.conversation_tags import ConversationTag
from batondesk.store.conversations import Conversation, ConversationStatus
from batondesk.store.search_index import CONTACT_NAME_FIELD, MESSAGE_FIELD, SearchToken


class StatusFilter(enum.StrEnum):
    """The stored statuses, and the views a support team works in."""

    open = "open"  # with people (queued or assigned) and not snoozed
    pending = "pending"  # with the AI
    snoozed = "snoozed"  # snoozed until a time still to come
    resolved = "resolved"
    bot = "bot"
    queued = "queued"
    assigned = "assigned"


@dataclass(frozen=True)
class ConversationFilter:
    statuses: tuple[StatusFilter, ...] = ()
    assignee_id: int | None = None
    unassigned: bool = False
    team_id: int | None = None
    tag_ids: tuple[int, ...] = ()
    intent: str | None = None
    inbox_id: int | None = None
    created_from: date | None = None  # inclusive, UTC days
    created_to: date | None = None  # inclusive
    text: str | None = None  # words of messages, the customer's name or email
    customer: str | None = None  # the customer's name words or email only
    now: datetime = field(default_factory=utcnow)


@dataclass(frozen=True)
class Page:
    rows: list[Conversation]
    next_cursor: str | None


def _status_condition(status: StatusFilter, now: datetime) -> ColumnElement[bool]:
    awake = or_(Conversation.snoozed_until.is_(None), Conversation.snoozed_until <= now)
    with_people = Conversation.status.in_([ConversationStatus.queued, ConversationStatus.assigned])
    if status == StatusFilter.open:
        return and_(with_people, awake)
    if status == StatusFilter.pending:
        return Conversation.status == ConversationStatus.bot
    if status == StatusFilter.snoozed:
        return and_(Conversation.snoozed_until.is_not(None), Conversation.snoozed_until > now)
    return Conversation.status == ConversationStatus(status.value)


def _terms(text: str, what: str) -> list[str]:
    terms = query_terms(text)
    if not terms:
        raise InvalidInput(f"{what} has no word to search for", code="empty_search")
    if len(terms) > MAX_QUERY_WORDS:
        raise InvalidInput(
            f"{what} has {len(terms)} words; search for at most {MAX_QUERY_WORDS}",
            code="search_too_long",
        )
    return terms


def _customer_match(
    session: Session, account_id: int, term: str, hasher: SearchHasher
) -> ColumnElement[bool]:
    """Conversations whose customer's name has the word `term`, or whose email it is."""
    if is_email(term):
        email_index = keys_of(session).keyring.blind_index(term, EMAIL_INDEX_PURPOSE)
        return Conversation.contact_id.in_(
            select(Contact.id).where(
                Contact.account_id == account_id, Contact.email_index == email_index
            )
        )
    return Conversation.contact_id.in_(
        select(SearchToken.contact_id).where(
            SearchToken.account_id == account_id,
            SearchToken.token == hasher.token(term),
            SearchToken.field == CONTACT_NAME_FIELD,
        )
    )


def _message_match(account_id: int, term: str, hasher: SearchHasher) -> ColumnElement[bool]:
    return Conversation.id.in_(
        select(SearchToken.conversation_id).where(
            SearchToken.account_id == account_id,
            SearchToken.token == hasher.token(term),
            SearchToken.field == MESSAGE_FIELD,
        )
    )


def filtered_query(
    session: Session, account_id: int, wanted: ConversationFilter
) -> Select[tuple[Conversation]]:
    query = select(Conversation).where(Conversation.account_id == account_id)
    if wanted.statuses:
        query = query.where(or_(*(_status_condition(s, wanted.now) for s in wanted.statuses)))
    if wanted.unassigned:
        query = query.where(Conversation.assignee_id.is_(None))
    elif wanted.assignee_id is not None:
        query = query.where(Conversation.assignee_id == wanted.assignee_id)
    if wanted.team_id is not None:
        query = query.where(Conversation.team_id == wanted.team_id)
    if wanted.inbox_id is not None:
        query = query.where(Conversation.inbox_id == wanted.inbox_id)
    if wanted.intent is not None:
        query = query.where(Conversation.intent == wanted.intent)
    for tag_id in wanted.tag_ids:
        query = query.where(
            Conversation.id.in_(
                select(ConversationTag.conversation_id).where(
                    ConversationTag.account_id == account_id, ConversationTag.tag_id == tag_id
                )
            )
        )
    if wanted.created_from is not None:
        query = query.where(Conversation.created_at >= _day_start(wanted.created_from))
    if wanted.created_to is not None:
        query = query.where(
            Conversation.created_at < _day_start(wanted.created_to) + timedelta(days=1)
        )
    if wanted.text or wanted.customer:
        hasher = SearchHasher.for_account(session, account_id)
        # Every term must be found, each in a message or in the customer's name or email.
        for term in _terms(wanted.text, "q") if wanted.text else []:
            query = query.where(
                or_(
                    _message_match(account_id, term, hasher),
                    _customer_match(session, account_id, term, hasher),
                )
            )
        for term in _terms(wanted.customer, "customer") if wanted.customer else []:
            query = query.where(_customer_match(session, account_id, term, hasher))
    return query


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def find_conversations(
    session: Session,
    account_id: int,
    wanted: ConversationFilter,
    *,
    limit: int,
    cursor: str | None = None,
    offset: int = 0,
) -> Page:
    """Most recently changed first; `cursor` is a page's `next_cursor` (`offset` skips rows
    instead, for older clients)."""
    query = filtered_query(session, account_id, wanted)
    if cursor:
        updated_at, last_id = decode_cursor(cursor)
        query = query.where(
            or_(
                Conversation.updated_at < updated_at,
                and_(Conversation.updated_at == updated_at, Conversation.id < last_id),
            )
        )
    rows = list(
        session.scalars(
            query.order_by(Conversation.updated_at.desc(), Conversation.id.desc())
            .limit(limit + 1)
            .offset(offset)
        )
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, encode_cursor(rows[-1]) if more and rows else None)


def encode_cursor(last: Conversation) -> str:
    raw = json.dumps([last.updated_at.isoformat(), last.id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        stamp, last_id = json.loads(raw)
        updated_at = datetime.fromisoformat(stamp)
        if updated_at.tzinfo is None or not isinstance(last_id, int):
            raise ValueError("incomplete cursor")
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise InvalidInput(
            "cursor is not one this API returned; start again without it", code="invalid_cursor"
        ) from None
    return updated_at, last_id
