"""The review queue of the learning loop: customer messages production flagged as worth a
person's label (low confidence, out of scope, unanswered, handed over, rated badly, corrected,
answers flagged wrong), and the label a reviewer gave each.

Rows hold ids, reason codes, the model's prediction and the label, never text: the text is
the message's own sealed body, read and redacted when shown or exported. A row goes with its
message and its contact (ON DELETE CASCADE), so erasing a contact removes its items.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from batondesk.store.base import Base, TenantMixin


class ReviewStatus(enum.StrEnum):
    pending = "pending"
    labelled = "labelled"
    skipped = "skipped"


class LabelKind(enum.StrEnum):
    intent = "intent"  # one of the account's intents
    new_intent = "new_intent"  # an intent the model does not know yet, named by the reviewer
    answer_right = "answer_right"  # the bot's answer to it was right
    answer_wrong = "answer_wrong"  # the bot's answer to it was wrong
    skip = "skip"  # not worth a label (noise, gibberish, several questions at once)


class ReviewItem(Base, TenantMixin):
    __tablename__ = "review_items"
    __table_args__ = (
        UniqueConstraint("account_id", "message_id"),
        Index("ix_review_items_queue", "account_id", "status", "asked_at"),
    )

    # The customer message to label, and its contact (whose consent and erasure decide).
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    # The bot's answer the customer or an agent judged, for the answer right/wrong labels.
    answer_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("messages.id", ondelete="SET NULL"), default=None
    )
    asked_at: Mapped[datetime] = mapped_column()
    # Why it is in the queue: codes of training/review_ranking.py REASONS, oldest first.
    reasons: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # What the model predicted when the message arrived, or, since, the model in use.
    predicted_intent: Mapped[str | None] = mapped_column(String(80), default=None)
    confidence: Mapped[float | None] = mapped_column(Float, default=None)
    # The top intent's probability minus the second's: small means the model hesitated.
    margin: Mapped[float | None] = mapped_column(Float, default=None)
    out_of_scope: Mapped[bool] = mapped_column(default=False)
    # The model version whose reading the prediction, confidence and margin are, when a
    # later model read the message again (actions/review_rescoring.py); None: the model that
    # answered when it arrived.
    scored_by: Mapped[str | None] = mapped_column(String(80), default=None)
    # A label someone already proposed: an agent's intent correction, or a content gap's
    # "suggest as new intent"; the reviewer confirms or changes it.
    suggested_intent: Mapped[str | None] = mapped_column(String(80), default=None)
    suggested_new: Mapped[bool] = mapped_column(default=False)
    status: Mapped[ReviewStatus] = mapped_column(
        Enum(ReviewStatus, native_enum=False, length=20), default=ReviewStatus.pending
    )
    label_kind: Mapped[LabelKind | None] = mapped_column(
        Enum(LabelKind, native_enum=False, length=20), default=None
    )
    label: Mapped[str | None] = mapped_column(String(80), default=None)
    labelled_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    labelled_at: Mapped[datetime | None] = mapped_column(default=None)


class ReviewFeedState(Base):
    """Per account: how far the event log has been read into the review queue."""

    __tablename__ = "review_feed_states"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    last_event_id: Mapped[int] = mapped_column(Integer, default=0)
    refreshed_at: Mapped[datetime] = mapped_column()
