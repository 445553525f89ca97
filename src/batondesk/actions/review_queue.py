"""The review queue's labels: a reviewer labels one or many items, or a content gap's
questions get a suggested new intent. Filing the queue is `actions/review_feed.py`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from batondesk.actions.answer_reviews import do_review_answer, is_bot_answer
from batondesk.actions.corrections import check_intent_label
from batondesk.actions.events import record_event
from batondesk.errors import InvalidInput, NotFound
from batondesk.store.base import utcnow
from batondesk.store.models import (
    Conversation,
    LabelKind,
    Membership,
    Message,
    ReviewItem,
    ReviewStatus,
)

MAX_BATCH = 200  # items labelled in one request


@dataclass(frozen=True)
class LabelRequest:
    item_id: int
    kind: LabelKind
    intent: str | None = None


def get_review_items(session: Session, account_id: int, ids: Sequence[int]) -> list[ReviewItem]:
    """The items with these ids, in that order; any id missing or of another account is a 404
    naming it."""
    found = {
        item.id: item
        for item in session.scalars(
            select(ReviewItem).where(ReviewItem.account_id == account_id, ReviewItem.id.in_(ids))
        )
    }
    missing = [i for i in ids if i not in found]
    if missing:
        shown = ", ".join(str(i) for i in missing[:10])
        raise NotFound(f"review item(s) not found: {shown}")
    return [found[i] for i in ids]


def check_labels(
    session: Session,
    account_id: int,
    requests: Sequence[LabelRequest],
    known_intents: set[str],
) -> list[tuple[ReviewItem, LabelRequest, str | None]]:
    """Validate a batch before anything changes: every label valid or none is stored."""
    if not requests:
        raise InvalidInput("labels: give at least one label", code="empty_batch")
    if len(requests) > MAX_BATCH:
        raise InvalidInput(
            f"labels: at most {MAX_BATCH} labels per request, got {len(requests)}",
            code="batch_too_large",
        )
    ids = [r.item_id for r in requests]
    if len(set(ids)) != len(ids):
        raise InvalidInput("labels: each item may appear once per request", code="duplicate_item")
    items = get_review_items(session, account_id, ids)
    # A new intent named in the batch can label other items of the same batch, either way.
    introduced = {
        check_intent_label(r.intent)
        for r in requests
        if r.kind == LabelKind.new_intent and r.intent
    } - known_intents
    checked = []
    for item, request in zip(items, requests, strict=True):
        checked.append(
            (item, request, _check_one(session, item, request, known_intents, introduced))
        )
    return checked


def _check_one(
    session: Session,
    item: ReviewItem,
    request: LabelRequest,
    known_intents: set[str],
    introduced: set[str],
) -> str | None:
    kind = request.kind
    if kind in (LabelKind.intent, LabelKind.new_intent):
        if not request.intent:
            raise InvalidInput(
                f"item {item.id}: a {kind} label needs an intent name", code="intent_required"
            )
        intent = check_intent_label(request.intent, known_intents)
        if kind == LabelKind.intent and intent not in known_intents | introduced:
            raise InvalidInput(
                f"item {item.id}: unknown intent {intent!r}; pick one of the account's intents "
                "or label it as a new intent",
                code="unknown_intent",
            )
        if kind == LabelKind.new_intent and intent in known_intents:
            raise InvalidInput(
                f"item {item.id}: intent {intent!r} already exists; label it as that intent",
                code="intent_exists",
            )
        return intent
    if request.intent is not None:
        raise InvalidInput(
            f"item {item.id}: only intent and new_intent labels take an intent",
            code="invalid_label",
        )
    if kind in (LabelKind.answer_right, LabelKind.answer_wrong):
        answer = session.get(Message, item.answer_message_id) if item.answer_message_id else None
        if answer is None or not is_bot_answer(answer):
            raise InvalidInput(
                f"item {item.id}: the bot gave no answer to this message to judge",
                code="no_answer_to_judge",
            )
    return None


def do_label_review_items(
    session: Session,
    account_id: int,
    requests: Sequence[LabelRequest],
    known_intents: set[str],
    member: Membership | None,
) -> list[ReviewItem]:
    """Label one or many items (all or none). A later label replaces an earlier one. An
    answer verdict given by a signed-in member is also the member's review of that answer
    (actions/answer_reviews.py), so AI accuracy counts it."""
    checked = check_labels(session, account_id, requests, known_intents)
    now = utcnow()
    for item, request, intent in checked:
        previous = item.label_kind
        item.label_kind = request.kind
        item.label = intent
        item.status = (
            ReviewStatus.skipped if request.kind == LabelKind.skip else ReviewStatus.labelled
        )
        item.labelled_by_user_id = member.user_id if member is not None else None
        item.labelled_at = now
        if member is not None and request.kind in (LabelKind.answer_right, LabelKind.answer_wrong):
            answer = session.get(Message, item.answer_message_id)
            assert answer is not None  # checked above
            verdict = "right" if request.kind == LabelKind.answer_right else "wrong"
            do_review_answer(session, answer, member, verdict)
        conversation = session.get(Conversation, item.conversation_id)
        assert conversation is not None  # the item goes with its conversation
        record_event(
            session,
            conversation,
            "review.labelled",
            actor_type="agent" if member is not None else "api_key",
            actor_id=member.user_id if member is not None else None,
            payload={
                "item_id": item.id,
                "message_id": item.message_id,
                "kind": str(request.kind),
                "intent": intent,
                "predicted_intent": item.predicted_intent,
                "previous_kind": None if previous is None else str(previous),
                "reasons": list(item.reasons or []),
            },
        )
    session.flush()
    return [item for item, _request, _intent in checked]


def do_suggest_intent(
    session: Session, account_id: int, message_ids: Sequence[int], name: str
) -> list[ReviewItem]:
    """Propose `name` as a new intent for these customer messages (a content gap's
    "suggest as new intent"): their queue items carry it as the suggested label, for a
    reviewer to confirm. Every message must be a customer message of the account (404)."""
    intent = check_intent_label(name)
    if not message_ids:
        raise InvalidInput("message_ids: give at least one message", code="empty_batch")
    if len(message_ids) > MAX_BATCH:
        raise InvalidInput(
            f"message_ids: at most {MAX_BATCH} per request, got {len(message_ids)}",
            code="batch_too_large",
        )
    items = {
        item.message_id: item
        for item in session.scalars(
            select(ReviewItem).where(
                ReviewItem.account_id == account_id, ReviewItem.message_id.in_(message_ids)
            )
        )
    }
    missing = [m for m in message_ids if m not in items]
    if missing:
        raise NotFound(f"no queued message(s) with id {', '.join(map(str, missing[:10]))}")
    for item in items.values():
        item.suggested_intent = intent
        item.suggested_new = True
    session.flush()
    return list(items.values())
