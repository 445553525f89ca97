"""Outbound webhooks: the endpoints an account sends its events to, and each delivery of one
event to one endpoint (a persisted outbox: a restart loses nothing still to be sent)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from batondesk.privacy.sealing import SealedBytes, sealed_field
from batondesk.store.base import Base, TenantMixin, utcnow


class WebhookEndpoint(Base, TenantMixin):
    __tablename__ = "webhook_endpoints"

    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str] = mapped_column(String(200), default="")
    # Event types sent here (store/events.py EVENT_TYPES), or ["*"] for all of them.
    event_types: Mapped[list[Any]] = mapped_column(JSON, default=list)
    enabled: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # The signing secret lets anyone forge Baton's events to the receiver, so it is sealed
    # with the endpoint's own data key (key store), like an inbox's identity secret.
    key_ref: Mapped[str | None] = mapped_column(String(32), default=None, unique=True)
    secret_sealed: Mapped[bytes] = mapped_column("secret", SealedBytes("webhook_endpoints.secret"))
    secret = sealed_field("secret_sealed", "webhook_endpoints.secret")


class DeliveryStatus(enum.StrEnum):
    pending = "pending"  # waiting for its (next) attempt
    delivered = "delivered"  # the receiver answered 2xx
    failed = "failed"  # every attempt failed; an admin may send it again


class WebhookDelivery(Base, TenantMixin):
    """One event for one endpoint. The body is built when the event is recorded (ids, codes
    and figures, never message text), so every attempt sends the same JSON."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),)

    endpoint_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[int] = mapped_column(Integer)
    event_type: Mapped[str] = mapped_column(String(60))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[DeliveryStatus] = mapped_column(
        Enum(DeliveryStatus, native_enum=False, length=20), default=DeliveryStatus.pending
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # When a worker may (re)try it. While an attempt is in flight this is the end of the
    # worker's lease: a worker that died mid-attempt leaves the delivery to be retried then.
    next_attempt_at: Mapped[datetime | None] = mapped_column(default=utcnow)
    last_attempt_at: Mapped[datetime | None] = mapped_column(default=None)
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)
    response_status: Mapped[int | None] = mapped_column(Integer, default=None)
    last_error: Mapped[str | None] = mapped_column(String(300), default=None)
    # Every attempt: {"at", "status", "error", "ms"}; the receiver's response body is not kept.
    attempt_log: Mapped[list[Any]] = mapped_column(JSON, default=list)
