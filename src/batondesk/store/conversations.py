"""Conversations and their messages."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from batondesk.privacy.sealing import PERSONAL_DATA, SealedBytes, sealed_field
from batondesk.store.base import Base, TenantMixin, utcnow


class ConversationStatus(enum.StrEnum):
    bot = "bot"  # the AI is answering
    queued = "queued"  # escalated, waiting for a person
    assigned = "assigned"  # a person owns it; the bot stays silent
    resolved = "resolved"


class Priority(enum.IntEnum):
    low = 0
    normal = 1
    high = 2
    urgent = 3


class SenderType(enum.StrEnum):
    customer = "customer"
    bot = "bot"
    agent = "agent"
    system = "system"


class Conversation(Base, TenantMixin):
    __tablename__ = "conversations"
    # The customer's history: a contact's conversations, newest first.
    __table_args__ = (
        Index("ix_conversations_contact_history", "account_id", "contact_id", "created_at"),
    )

    inbox_id: Mapped[int] = mapped_column(ForeignKey("inboxes.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[ConversationStatus] = mapped_column(
        Enum(ConversationStatus, native_enum=False, length=20),
        default=ConversationStatus.bot,
        index=True,
    )
    priority: Mapped[int] = mapped_column(Integer, default=Priority.normal)
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None, index=True
    )
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL"), default=None
    )
    escalation_reason: Mapped[str | None] = mapped_column(String(40), default=None)
    # Opened with an identity token the embedding site signed (api/identity.py): only then
    # may replies use what the CRM says about the contact (customers/profile_values.py).
    identity_verified: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    last_message_at: Mapped[datetime | None] = mapped_column(default=None)
    escalated_at: Mapped[datetime | None] = mapped_column(default=None)
    first_human_response_at: Mapped[datetime | None] = mapped_column(default=None)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)
    # Service-level targets set when the conversation enters the queue (handoff/sla.py), and
    # the kinds already reported as breached ("first_response", "resolution").
    sla_first_response_due_at: Mapped[datetime | None] = mapped_column(default=None)
    sla_resolution_due_at: Mapped[datetime | None] = mapped_column(default=None)
    sla_breaches: Mapped[list[Any] | None] = mapped_column(JSON, default=list)
    # Steps of priority already added for waiting in the queue (handoff/queue.py aging).
    priority_aging_steps: Mapped[int] = mapped_column(Integer, default=0)
    # Hidden from the working lists until then; cleared when it passes (the queue check) or
    # when the customer writes (actions/workflow.py).
    snoozed_until: Mapped[datetime | None] = mapped_column(default=None, index=True)
    # The last intent the AI understood with confidence in this conversation (what it is
    # about), kept for filtering; None until one is understood.
    intent: Mapped[str | None] = mapped_column(String(120), default=None, index=True)
    csat_score: Mapped[int | None] = mapped_column(Integer, default=None)
    # The customer's earlier conversation on the same intent, within the account's
    # repeat-contact window, when this one is a repeat contact (actions/repeat_contacts.py).
    repeat_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="SET NULL"), default=None
    )
    # The language the widget and the bot's fixed texts speak here, and where it came from
    # (batondesk.i18n.languages: choice, identity, browser, detected); None before either is
    # known (conversations older than this column, or opened with no hint yet).
    language: Mapped[str | None] = mapped_column(String(8), default=None)
    language_source: Mapped[str | None] = mapped_column(String(16), default=None)
    # The newest message the customer's chat has shown them (the widget reports it; null:
    # the client never does, as with most API integrations), and the newest agent reply
    # already emailed to a customer who had left (actions/follow_ups.py).
    customer_seen_message_id: Mapped[int | None] = mapped_column(Integer, default=None)
    follow_up_message_id: Mapped[int | None] = mapped_column(Integer, default=None)
    csat_comment_sealed: Mapped[bytes | None] = mapped_column(
        "csat_comment", SealedBytes("conversations.csat_comment"), default=None, info=PERSONAL_DATA
    )
    csat_comment = sealed_field("csat_comment_sealed", "conversations.csat_comment")


class Message(Base, TenantMixin):
    __tablename__ = "messages"

    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    sender_type: Mapped[SenderType] = mapped_column(Enum(SenderType, native_enum=False, length=20))
    sender_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    # Denormalised from the conversation: the contact whose data key seals the body, and
    # whose erasure deletes the message.
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True, nullable=True
    )
    body_sealed: Mapped[bytes] = mapped_column(
        "body", SealedBytes("messages.body"), info=PERSONAL_DATA
    )
    body = sealed_field("body_sealed", "messages.body")
    # Private notes are visible to staff only, never to the customer.
    private: Mapped[bool] = mapped_column(default=False)
    # What the AI understood or used (intent, confidence, sources); never message text.
    annotations: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
