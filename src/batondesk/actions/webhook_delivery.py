"""Sending queued webhook deliveries, with retries and exponential backoff.

A pass claims due deliveries in a short unit of work (each claim is a lease: the attempt is
counted and the next try set to after the lease), sends them with no transaction open, then
records each outcome in its own unit of work. A worker that dies mid-attempt leaves its
deliveries to be retried when the lease ends; several workers never take the same delivery
(`FOR UPDATE SKIP LOCKED` on PostgreSQL, the single writer on SQLite). Delivery is at least
once: receivers drop repeats by the event `id` (or the `Baton-Delivery` header).
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from batondesk.config import Settings
from batondesk.integrations.destinations import pinned_client
from batondesk.integrations.webhook_events import request_parts
from batondesk.store.base import utcnow
from batondesk.store.database import Database
from batondesk.store.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint

log = logging.getLogger("batondesk.webhooks")

# The attempts a delivery keeps in its log (the newest), and how long a finished delivery
# stays in the log at all.
ATTEMPT_LOG_LENGTH = 20
FINISHED_KEPT_DAYS = 30
RETRY_CAP_SECONDS = 6 * 3600
SEND_THREADS = 4


@dataclass(frozen=True)
class DeliveryPolicy:
    max_attempts: int = 8
    retry_base_seconds: float = 30.0
    timeout_seconds: float = 10.0
    allow_private: bool = False

    @classmethod
    def from_settings(cls, settings: Settings) -> DeliveryPolicy:
        return cls(
            max_attempts=settings.webhook_max_attempts,
            retry_base_seconds=settings.webhook_retry_base_seconds,
            timeout_seconds=settings.webhook_timeout_seconds,
            allow_private=settings.allow_private_destinations,
        )

    @property
    def lease_seconds(self) -> float:
        return self.timeout_seconds + 30.0

    def retry_delay(self, attempts: int) -> float:
        """Seconds to wait after the `attempts`-th failure: base, 2 x base, 4 x base ...
        (30 s, 1 min, 2 min ... by default), at most 6 hours."""
        return float(min(RETRY_CAP_SECONDS, self.retry_base_seconds * 2 ** (attempts - 1)))


@dataclass(frozen=True)
class ClaimedDelivery:
    id: int
    url: str
    secret: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class AttemptOutcome:
    status_code: int | None
    error: str | None
    milliseconds: int

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


@dataclass(frozen=True)
class DeliveryPass:
    attempted: int
    delivered: int


def claim_due(
    session: Session, policy: DeliveryPolicy, *, now: datetime, limit: int = 50
) -> list[ClaimedDelivery]:
    """Lease up to `limit` due deliveries of enabled endpoints, oldest first."""
    rows = session.execute(
        select(WebhookDelivery, WebhookEndpoint)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .where(
            WebhookDelivery.status == DeliveryStatus.pending,
            WebhookDelivery.next_attempt_at <= now,
            WebhookEndpoint.enabled.is_(True),
        )
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=WebhookDelivery)
    ).all()
    claimed = []
    for delivery, endpoint in rows:
        delivery.attempts += 1
        delivery.last_attempt_at = now
        delivery.next_attempt_at = now + timedelta(seconds=policy.lease_seconds)
        claimed.append(
            ClaimedDelivery(delivery.id, endpoint.url, str(endpoint.secret), dict(delivery.payload))
        )
    return claimed


def send_delivery(delivery: ClaimedDelivery, policy: DeliveryPolicy) -> AttemptOutcome:
    """POST the signed JSON; any 2xx is success. The response body is never read."""
    raw, headers = request_parts(delivery.secret, delivery.id, delivery.payload)
    started = time.perf_counter()
    status_code = error = None
    try:
        with (
            pinned_client(
                allow_private=policy.allow_private, timeout=policy.timeout_seconds
            ) as client,
            client.stream("POST", delivery.url, content=raw, headers=headers) as response,
        ):
            status_code = response.status_code
            if not 200 <= status_code < 300:
                error = f"receiver answered HTTP {status_code}"
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"[:300]
    return AttemptOutcome(status_code, error, round((time.perf_counter() - started) * 1000))


def record_outcome(
    session: Session,
    delivery_id: int,
    outcome: AttemptOutcome,
    policy: DeliveryPolicy,
    *,
    now: datetime,
) -> None:
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None:  # its endpoint was deleted meanwhile
        return
    entry = {
        "at": now.isoformat(),
        "status": outcome.status_code,
        "error": outcome.error,
        "ms": outcome.milliseconds,
    }
    delivery.attempt_log = [*(delivery.attempt_log or []), entry][-ATTEMPT_LOG_LENGTH:]
    delivery.response_status = outcome.status_code
    delivery.last_error = outcome.error
    if outcome.succeeded:
        delivery.status = DeliveryStatus.delivered
        delivery.delivered_at = now
        delivery.next_attempt_at = None
    elif delivery.attempts >= policy.max_attempts:
        delivery.status = DeliveryStatus.failed
        delivery.next_attempt_at = None
    else:
        delivery.next_attempt_at = now + timedelta(seconds=policy.retry_delay(delivery.attempts))


def deliver_due_webhooks(db: Database, policy: DeliveryPolicy, *, limit: int = 50) -> DeliveryPass:
    """One pass: claim what is due, send it (a few at a time), record every outcome."""
    with db.session() as session:
        claimed = claim_due(session, policy, now=utcnow(), limit=limit)
        session.execute(
            delete(WebhookDelivery).where(
                WebhookDelivery.status.in_([DeliveryStatus.delivered, DeliveryStatus.failed]),
                WebhookDelivery.created_at < utcnow() - timedelta(days=FINISHED_KEPT_DAYS),
            )
        )
    if not claimed:
        return DeliveryPass(0, 0)
    with ThreadPoolExecutor(min(SEND_THREADS, len(claimed)), "baton-webhook") as pool:
        outcomes = list(pool.map(lambda d: send_delivery(d, policy), claimed))
    delivered = 0
    for delivery, outcome in zip(claimed, outcomes, strict=True):
        with db.session() as session:
            record_outcome(session, delivery.id, outcome, policy, now=utcnow())
        delivered += outcome.succeeded
        if not outcome.succeeded:
            # The delivery id and the status only: the URL's query may carry a receiver's token.
            log.info("webhook delivery %s failed: %s", delivery.id, outcome.status_code or "error")
    return DeliveryPass(len(claimed), delivered)
