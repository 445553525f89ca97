"""Filing the review queue from the event log.

The queue reads the event log as a change feed (like the reports' tallies): each refresh reads
the events appended since the last one and files the customer messages they point at, with
their reasons (training/review_ranking.py REASONS). Nothing in the customer's turn has to
know the queue exists, and a message flagged twice (unclear, then handed over) is one item
with two reasons.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from batondesk.store.base import utcnow
from batondesk.store.models import (
    Event,
    Message,
    ReviewFeedState,
    ReviewItem,
    ReviewStatus,
    SenderType,
)
from batondesk.training.review_ranking import LOW_CONFIDENCE, margin_of

# Event ids are taken before a transaction commits, so a smaller id than one already read may
# still appear: the feed only moves past events this old and reads younger ones again
# (filing a message again is harmless: its reasons are a set).
SETTLING = timedelta(seconds=30)
FEED_EVENTS = (
    "bot.replied",
    "bot.clarified",
    "bot.declined",
    "conversation.escalated",
    "csat.submitted",
    "message.intent_corrected",
    "bot.answer_feedback",
    "bot.answer_reviewed",
)
# Hand-over reasons that say the bot could not help (not "the customer asked for a person").
HANDOVER_REASONS = {
    "low_confidence": "handed_over",
    "repeated_failure": "handed_over",
    "no_answer": "no_answer",
}
NEGATIVE_CSAT = 2  # a score of 1 or 2 out of 5
_CHUNK = 500


@dataclass
class _Flag:
    """A message to file: found directly, or as the customer's question before a bot message."""

    conversation_id: int
    reason: str
    message_id: int | None = None
    before_bot_message: int | None = None  # the question this bot message answered
    clarified_before: int | None = None  # the question the previous clarification asked about
    first_question: bool = False  # the conversation's first customer message
    answer_message_id: int | None = None
    suggested_intent: str | None = None


@dataclass
class _Conversation:
    messages: list[Any] = field(default_factory=list)  # rows, oldest first

    def question_before(self, message_id: int) -> Any | None:
        earlier = [m for m in self.messages if m.id < message_id]
        return next((m for m in reversed(earlier) if m.sender_type == SenderType.customer), None)

    def bot_before(self, message_id: int) -> Any | None:
        earlier = [m for m in self.messages if m.id < message_id]
        return next((m for m in reversed(earlier) if m.sender_type == SenderType.bot), None)

    def first_question(self) -> Any | None:
        return next((m for m in self.messages if m.sender_type == SenderType.customer), None)

    def get(self, message_id: int) -> Any | None:
        return next((m for m in self.messages if m.id == message_id), None)


def do_refresh_review_queue(session: Session, account_id: int, now: datetime | None = None) -> int:
    """File the messages that events appended since the last refresh flag; returns how many
    items were added or given a new reason."""
    now = now or utcnow()
    state = session.get(ReviewFeedState, account_id)
    if state is None:
        state = ReviewFeedState(account_id=account_id, last_event_id=0, refreshed_at=now)
        session.add(state)
    rows = session.execute(
        select(Event.id, Event.type, Event.conversation_id, Event.payload, Event.created_at)
        .where(
            Event.account_id == account_id,
            Event.id > state.last_event_id,
            Event.type.in_(FEED_EVENTS),
        )
        .order_by(Event.id)
    ).all()
    flags = [flag for row in rows for flag in _flags(row.type, row.conversation_id, row.payload)]
    changed = _file(session, account_id, flags)
    settled = [row.id for row in rows if row.created_at <= now - SETTLING]
    if settled:
        state.last_event_id = max(settled)
    state.refreshed_at = now
    session.flush()
    return changed


def _flags(kind: str, conversation_id: int | None, payload: dict[str, Any]) -> list[_Flag]:
    if conversation_id is None:  # the conversation was erased
        return []
    bot_message = payload.get("message_id")
    reason = payload.get("reason")
    if kind == "bot.declined" and reason == "out_of_scope":
        return [_Flag(conversation_id, "out_of_scope", before_bot_message=bot_message)]
    if kind == "bot.clarified":
        if reason == "none_of_these":
            return [_Flag(conversation_id, "clarification_missed", clarified_before=bot_message)]
        return [_Flag(conversation_id, "unclear", before_bot_message=bot_message)]
    if (
        kind == "bot.replied"
        and reason not in ("chosen",)
        and payload.get("answer_mode")
        not in (
            "smalltalk",
            None,
        )
    ):
        # Filed only if the model was unsure (checked against the message's annotations).
        return [
            _Flag(
                conversation_id,
                "low_confidence",
                before_bot_message=bot_message,
                answer_message_id=bot_message,
            )
        ]
    if kind == "conversation.escalated" and reason in HANDOVER_REASONS:
        evidence = payload.get("evidence") or {}
        return [
            _Flag(conversation_id, HANDOVER_REASONS[reason], message_id=evidence.get("message_id"))
        ]
    if kind == "csat.submitted" and int(payload.get("score") or 5) <= NEGATIVE_CSAT:
        return [_Flag(conversation_id, "negative_rating", first_question=True)]
    if kind == "message.intent_corrected":
        return [
            _Flag(
                conversation_id,
                "agent_corrected",
                message_id=payload.get("message_id"),
                suggested_intent=payload.get("corrected_intent"),
            )
        ]
    if kind == "bot.answer_feedback" and payload.get("helpful") is False:
        return [
            _Flag(
                conversation_id,
                "answer_flagged",
                before_bot_message=bot_message,
                answer_message_id=bot_message,
            )
        ]
    if kind == "bot.answer_reviewed" and payload.get("verdict") == "wrong":
        return [
            _Flag(
                conversation_id,
                "answer_wrong",
                before_bot_message=bot_message,
                answer_message_id=bot_message,
            )
        ]
    return []


def _load_conversations(
    session: Session, account_id: int, ids: Iterable[int]
) -> dict[int, _Conversation]:
    """The public messages of these conversations, without their bodies (nothing decrypted)."""
    found: dict[int, _Conversation] = defaultdict(_Conversation)
    wanted = sorted(set(ids))
    for start in range(0, len(wanted), _CHUNK):
        for row in session.execute(
            select(
                Message.id,
                Message.conversation_id,
                Message.contact_id,
                Message.sender_type,
                Message.annotations,
                Message.created_at,
            )
            .where(
                Message.account_id == account_id,
                Message.conversation_id.in_(wanted[start : start + _CHUNK]),
                Message.private.is_(False),
            )
            .order_by(Message.id)
        ):
            found[row.conversation_id].messages.append(row)
    return found


def _resolve(flag: _Flag, conversation: _Conversation) -> Any | None:
    if flag.message_id is not None:
        return conversation.get(int(flag.message_id))
    if flag.before_bot_message is not None:
        return conversation.question_before(int(flag.before_bot_message))
    if flag.clarified_before is not None:
        # "None of these": the question the previous clarification was about.
        answer_to_none = conversation.question_before(int(flag.clarified_before))
        clarification = answer_to_none and conversation.bot_before(answer_to_none.id)
        return clarification and conversation.question_before(clarification.id)
    if flag.first_question:
        return conversation.first_question()
    return None


def _file(session: Session, account_id: int, flags: Sequence[_Flag]) -> int:
    conversations = _load_conversations(session, account_id, (f.conversation_id for f in flags))
    wanted: dict[int, tuple[Any, list[_Flag]]] = {}
    for flag in flags:
        message = _resolve(flag, conversations[flag.conversation_id])
        if message is None or message.sender_type != SenderType.customer:
            continue
        if message.contact_id is None:
            continue
        if flag.reason == "low_confidence":
            confidence = (message.annotations or {}).get("confidence")
            if confidence is None or float(confidence) >= LOW_CONFIDENCE:
                continue
        wanted.setdefault(message.id, (message, []))[1].append(flag)
    existing: dict[int, ReviewItem] = {}
    ids = sorted(wanted)
    for start in range(0, len(ids), _CHUNK):
        for item in session.scalars(
            select(ReviewItem).where(
                ReviewItem.account_id == account_id,
                ReviewItem.message_id.in_(ids[start : start + _CHUNK]),
            )
        ):
            existing[item.message_id] = item
    changed = 0
    for message_id, (message, found) in wanted.items():
        item = existing.get(message_id)
        if item is None:
            item = _new_item(account_id, message)
            session.add(item)
        before = (list(item.reasons or []), item.suggested_intent, item.answer_message_id)
        reasons = list(item.reasons or [])
        for flag in found:
            if flag.reason not in reasons:
                reasons.append(flag.reason)
            if flag.suggested_intent:
                item.suggested_intent = flag.suggested_intent
                item.suggested_new = False
            if flag.answer_message_id and item.answer_message_id is None:
                item.answer_message_id = int(flag.answer_message_id)
        item.reasons = reasons  # a new list: in-place changes to JSON are not tracked
        if item.id is None or before != (reasons, item.suggested_intent, item.answer_message_id):
            changed += 1
    session.flush()
    return changed


def _new_item(account_id: int, message: Any) -> ReviewItem:
    annotations = message.annotations or {}
    confidence = annotations.get("confidence")
    return ReviewItem(
        account_id=account_id,
        message_id=message.id,
        contact_id=message.contact_id,
        conversation_id=message.conversation_id,
        asked_at=message.created_at,
        reasons=[],
        predicted_intent=annotations.get("intent"),
        confidence=None if confidence is None else float(confidence),
        margin=margin_of(annotations.get("top")),
        out_of_scope=bool(annotations.get("out_of_scope", False)),
        status=ReviewStatus.pending,
        suggested_new=False,
    )
