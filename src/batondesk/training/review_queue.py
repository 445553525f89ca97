"""Reading the review queue: its items with their redacted text, most useful first, and the
reviewed examples that may enter a training set.

Texts are the messages' sealed bodies, decrypted here and redacted (privacy/redaction.py)
before they leave: the queue, the export and the content gaps never show a customer's email,
card or phone number. Only contacts who consented to training (privacy/consent.py) ever give
an example to a training set; an erased contact's items are gone with its messages.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from batondesk.knowledge.embedding import TextEmbedder
from batondesk.privacy.consent import consenting_contacts
from batondesk.privacy.redaction import redact_text
from batondesk.store.models import (
    Article,
    LabelKind,
    Message,
    ReviewItem,
    ReviewStatus,
    Team,
)
from batondesk.training.review_ranking import (
    Usefulness,
    rank_key,
    similar_counts,
    usefulness,
    why,
)

# Pending items ranked per request: the most recent this many (each is decrypted, redacted
# and embedded; embeddings are cached per text by the embedder).
MAX_RANKED = 2_000
_CHUNK = 500


@dataclass(frozen=True)
class QueueEntry:
    item: ReviewItem
    text: str  # redacted
    why: str
    usefulness: Usefulness


@dataclass(frozen=True)
class QueuePage:
    total: int
    entries: list[QueueEntry]


def account_intents(session: Session, account_id: int, classifier: Any) -> list[str]:
    """The intents a reviewer can pick: the account's model's classes, the intents its
    articles and teams name, and the new intents reviewers have already labelled."""
    labels: set[str] = set()
    classes = getattr(classifier, "classes_", None)
    if classes is not None:
        labels.update(str(label) for label in classes)
    for intents in session.scalars(select(Article.intents).where(Article.account_id == account_id)):
        labels.update(str(i) for i in intents or [])
    for intents in session.scalars(select(Team.intents).where(Team.account_id == account_id)):
        labels.update(str(i) for i in intents or [])
    labels.update(
        str(label)
        for label in session.scalars(
            select(ReviewItem.label)
            .where(
                ReviewItem.account_id == account_id,
                ReviewItem.label_kind == LabelKind.new_intent,
            )
            .distinct()
        )
        if label
    )
    return sorted(labels)


def message_bodies(session: Session, account_id: int, message_ids: Sequence[int]) -> dict[int, str]:
    """Message id -> body as the customer wrote it, for messages of the account that still
    exist. Never shown as it is: `redacted_texts` is what people and training files see."""
    bodies: dict[int, str] = {}
    ids = sorted(set(message_ids))
    for start in range(0, len(ids), _CHUNK):
        for message in session.scalars(
            select(Message).where(
                Message.account_id == account_id, Message.id.in_(ids[start : start + _CHUNK])
            )
        ):
            bodies[message.id] = message.body or ""
    return bodies


def redacted_texts(session: Session, account_id: int, message_ids: Sequence[int]) -> dict[int, str]:
    """Message id -> redacted body, for messages of the account that still exist."""
    return {
        message_id: redact_text(body)
        for message_id, body in message_bodies(session, account_id, message_ids).items()
    }


def _filtered(
    account_id: int, status: ReviewStatus | None, reason: str | None, intent: str | None
) -> Select[tuple[ReviewItem]]:
    query = select(ReviewItem).where(ReviewItem.account_id == account_id)
    if status is not None:
        query = query.where(ReviewItem.status == status)
    if intent is not None:
        query = query.where(ReviewItem.predicted_intent == intent)
    return query


def list_queue(
    session: Session,
    account_id: int,
    embedder: TextEmbedder | None,
    *,
    status: ReviewStatus | None = ReviewStatus.pending,
    reason: str | None = None,
    intent: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> QueuePage:
    """Pending items most useful first (training/review_ranking.py); labelled and skipped
    ones most recently labelled first. `reason` keeps items with that reason code."""
    query = _filtered(account_id, status, reason, intent)
    if status == ReviewStatus.pending:
        query = query.order_by(ReviewItem.asked_at.desc(), ReviewItem.id.desc()).limit(MAX_RANKED)
    else:
        query = query.order_by(
            func.coalesce(ReviewItem.labelled_at, ReviewItem.asked_at).desc(), ReviewItem.id.desc()
        )
    items = [
        item for item in session.scalars(query) if reason is None or reason in (item.reasons or [])
    ]
    ranked = status == ReviewStatus.pending
    total = len(items)
    if not ranked:
        items = items[offset : offset + limit]
    texts = redacted_texts(session, account_id, [i.message_id for i in items])
    items = [i for i in items if i.message_id in texts]
    vectors = None
    if ranked and embedder is not None and items:
        vectors = embedder.embed([texts[i.message_id] for i in items])
    similar = similar_counts(vectors, len(items)) if ranked else [0] * len(items)
    entries = [
        QueueEntry(
            item,
            texts[item.message_id],
            why(item.reasons or [], item.predicted_intent, item.confidence),
            usefulness(item.reasons or [], item.margin, count),
        )
        for item, count in zip(items, similar, strict=True)
    ]
    if not ranked:
        return QueuePage(total, entries)
    entries.sort(key=lambda e: rank_key(e.usefulness, e.item.id))
    return QueuePage(len(entries), entries[offset : offset + limit])


def reviewed_examples(session: Session, account_id: int) -> Iterator[tuple[str, str]]:
    """(redacted text, intent) of every item labelled with an intent or a new intent whose
    contact consents to training now, oldest label first: the intent training format
    (`baton nlu train` reads it as text,category). Revoking consent or erasing a contact
    takes its examples out of every later export."""
    allowed = consenting_contacts(session, account_id, "training")
    if not allowed:
        return
    items = list(
        session.scalars(
            select(ReviewItem)
            .where(
                ReviewItem.account_id == account_id,
                ReviewItem.status == ReviewStatus.labelled,
                ReviewItem.label_kind.in_([LabelKind.intent, LabelKind.new_intent]),
                ReviewItem.contact_id.in_(allowed),
            )
            .order_by(ReviewItem.labelled_at, ReviewItem.id)
        )
    )
    texts = redacted_texts(session, account_id, [i.message_id for i in items])
    for item in items:
        text = texts.get(item.message_id, "").strip()
        if text and item.label:
            yield text, item.label


def examples_csv(session: Session, account_id: int) -> str:
    """`reviewed_examples` as CSV with the header text,category (what `baton nlu train` and
    `baton data audit` read)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["text", "category"])
    writer.writerows(reviewed_examples(session, account_id))
    return out.getvalue()
