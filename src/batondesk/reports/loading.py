"""Reading what reports need from the store: events (types, times, actors, payload ids and
labels) and a few current values of conversations. Never a message body or a customer's
personal data: only the tier of the customer is read, column by column."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session

from batondesk.reports.definitions import Visit, conversation_intent
from batondesk.reports.history import ConversationHistory, LoggedEvent
from batondesk.store.models import Contact, Conversation, Event, Inbox, Membership, Team, User

# Events that start a response cycle or a queue entry: a conversation opened before the
# period still counts in it through these.
_WAIT_STARTS = ("conversation.reopened", "conversation.escalated")


def load_histories(
    session: Session, account_id: int, since: datetime, until: datetime, as_of: datetime
) -> list[ConversationHistory]:
    """The account's conversations opened from `since` up to `as_of` (later ones are where
    repeat contacts and returns are found), or reopened or escalated in [since, until); each
    with its events up to `as_of`, oldest first."""
    in_scope = select(Event.conversation_id).where(
        Event.account_id == account_id,
        Event.conversation_id.is_not(None),
        or_(
            and_(
                Event.type == "conversation.opened",
                Event.created_at >= since,
                Event.created_at <= as_of,
            ),
            and_(
                Event.type.in_(_WAIT_STARTS),
                Event.created_at >= since,
                Event.created_at < until,
            ),
        ),
    )
    return load_histories_in(session, account_id, in_scope, as_of)


def load_day_histories(
    session: Session, account_id: int, start: datetime, end: datetime, as_of: datetime
) -> list[ConversationHistory]:
    """The account's conversations that count in the day [start, end): opened in it, or
    reopened or escalated in it; each with its events up to `as_of`."""
    in_scope = select(Event.conversation_id).where(
        Event.account_id == account_id,
        Event.conversation_id.is_not(None),
        Event.type.in_(("conversation.opened", *_WAIT_STARTS)),
        Event.created_at >= start,
        Event.created_at < end,
        Event.created_at <= as_of,
    )
    return load_histories_in(session, account_id, in_scope, as_of)


# Ids per query when rows of many conversations or contacts are read (SQLite takes at most
# 32,766 parameters in one statement).
IDS_PER_QUERY = 5_000


def in_chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    """`ids` sorted, in lists of at most IDS_PER_QUERY."""
    ordered = sorted(ids)
    return (ordered[i : i + IDS_PER_QUERY] for i in range(0, len(ordered), IDS_PER_QUERY))


_VISIT_EVENTS = ("conversation.opened", "message.understood", "message.intent_corrected")


def load_visits(
    session: Session, account_id: int, contact_ids: set[int], since: datetime, as_of: datetime
) -> dict[int, list[Visit]]:
    """By customer: the conversations they opened from `since` up to `as_of`, with the
    intent each was about (where repeat contacts and returns are looked for)."""
    events: dict[int, list[LoggedEvent]] = defaultdict(list)
    owners: dict[int, tuple[int, datetime]] = {}
    for chunk in in_chunks(contact_ids):
        opened = (
            select(Conversation.id)
            .where(
                Conversation.account_id == account_id,
                Conversation.contact_id.in_(chunk),
                Conversation.created_at >= since,
                Conversation.created_at <= as_of,
            )
            .scalar_subquery()
        )
        for row in session.execute(
            select(
                Event.conversation_id,
                Conversation.contact_id,
                Conversation.created_at.label("conversation_created_at"),
                Event.created_at,
                Event.type,
                Event.actor_type,
                Event.payload,
            )
            .join(Conversation, Conversation.id == Event.conversation_id)
            .where(
                Event.account_id == account_id,
                Event.conversation_id.in_(opened),
                Event.type.in_(_VISIT_EVENTS),
                Event.created_at <= as_of,
            )
            .order_by(Event.conversation_id, Event.created_at, Event.id)
        ):
            owners[row.conversation_id] = (row.contact_id, row.conversation_created_at)
            events[row.conversation_id].append(
                LoggedEvent(row.created_at, row.type, row.actor_type, None, row.payload or {})
            )
    visits: dict[int, list[Visit]] = defaultdict(list)
    for conversation_id, logged in events.items():
        contact_id, created_at = owners[conversation_id]
        opened = next((e.at for e in logged if e.type == "conversation.opened"), created_at)
        history = ConversationHistory(conversation_id, contact_id, opened, tuple(logged))
        visits[contact_id].append(Visit(conversation_id, opened, conversation_intent(history)))
    return dict(visits)


def load_histories_in(
    session: Session, account_id: int, in_scope: Select[Any], as_of: datetime
) -> list[ConversationHistory]:
    """The account's conversations whose ids `in_scope` selects, each with its events up to
    `as_of`, oldest first (an experiment's cohort is selected by its exposures)."""
    events: dict[int, list[LoggedEvent]] = defaultdict(list)
    for row in session.execute(
        select(
            Event.conversation_id,
            Event.created_at,
            Event.type,
            Event.actor_type,
            Event.actor_id,
            Event.payload,
        )
        .where(
            Event.account_id == account_id,
            Event.conversation_id.in_(in_scope),
            Event.created_at <= as_of,
        )
        .order_by(Event.conversation_id, Event.created_at, Event.id)
    ):
        events[row.conversation_id].append(
            LoggedEvent(row.created_at, row.type, row.actor_type, row.actor_id, row.payload or {})
        )
    histories = []
    for row in session.execute(
        select(
            Conversation.id,
            Conversation.contact_id,
            Conversation.inbox_id,
            Conversation.team_id,
            Conversation.assignee_id,
            Conversation.status,
            Conversation.created_at,
            Conversation.escalated_at,
            Conversation.sla_first_response_due_at,
            Conversation.sla_resolution_due_at,
            Contact.tier,
            Inbox.channel,
        )
        .join(Contact, Contact.id == Conversation.contact_id)
        .join(Inbox, Inbox.id == Conversation.inbox_id)
        .where(Conversation.account_id == account_id, Conversation.id.in_(in_scope))
        .order_by(Conversation.id)
    ):
        logged = events.get(row.id, [])
        opened = next((e for e in logged if e.type == "conversation.opened"), None)
        histories.append(
            ConversationHistory(
                id=row.id,
                contact_id=row.contact_id,
                opened_at=opened.at if opened else row.created_at,
                events=tuple(logged),
                inbox_id=row.inbox_id,
                channel=str(opened.payload.get("channel") or row.channel)
                if opened
                else str(row.channel),
                team_id=row.team_id,
                assignee_id=row.assignee_id,
                tier=row.tier,
                status=str(row.status),
                escalated_at=row.escalated_at,
                first_response_due_at=row.sla_first_response_due_at,
                resolution_due_at=row.sla_resolution_due_at,
            )
        )
    return histories


def load_labels(session: Session, account_id: int, dimension: str) -> dict[str, str]:
    """Names for the ids a breakdown is keyed by: inboxes, teams, and staff members (work
    identities, not customers)."""
    if dimension == "inbox":
        query = select(Inbox.id, Inbox.name).where(Inbox.account_id == account_id)
    elif dimension == "team":
        query = select(Team.id, Team.name).where(Team.account_id == account_id)
    elif dimension == "agent":
        query = (
            select(User.id, User.name)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.account_id == account_id)
        )
    else:
        return {}
    return {str(row_id): name for row_id, name in session.execute(query)}
