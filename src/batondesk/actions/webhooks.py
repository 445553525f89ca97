"""Outbound webhooks: registering endpoints, and queueing a delivery for each event an
endpoint subscribes to, in the same unit of work as the event (a transactional outbox: an
event that is committed has its deliveries committed, and a rolled-back one has none).
Sending is in actions/webhook_delivery.py."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from batondesk.errors import InvalidInput, NotFound
from batondesk.integrations.destinations import DestinationError, check_destination
from batondesk.integrations.signing import new_signing_secret
from batondesk.integrations.webhook_events import check_event_types, event_body, subscribes_to
from batondesk.privacy.audit import record_audit
from batondesk.store.access import get_owned
from batondesk.store.base import utcnow
from batondesk.store.models import (
    Conversation,
    DeliveryStatus,
    Event,
    WebhookDelivery,
    WebhookEndpoint,
)

MAX_ENDPOINTS_PER_ACCOUNT = 20
# session.info: each account's enabled endpoints, read once per unit of work.
_ENDPOINTS_KEY = "baton_webhook_endpoints"


def _checked_url(url: str, allow_private: bool) -> str:
    try:
        return check_destination(url, allow_private=allow_private)
    except DestinationError as exc:
        raise InvalidInput(f"url: {exc}", code=exc.code) from None


def _checked_types(event_types: list[Any]) -> list[str]:
    try:
        return check_event_types(event_types)
    except ValueError as exc:
        raise InvalidInput(f"event_types: {exc}", code="invalid_event_types") from None


def do_create_endpoint(
    session: Session,
    account_id: int,
    *,
    url: str,
    event_types: list[Any],
    description: str = "",
    enabled: bool = True,
    allow_private: bool,
) -> WebhookEndpoint:
    """Register an endpoint with a fresh signing secret (read it from `endpoint.secret`)."""
    count = len(
        session.scalars(
            select(WebhookEndpoint.id).where(WebhookEndpoint.account_id == account_id)
        ).all()
    )
    if count >= MAX_ENDPOINTS_PER_ACCOUNT:
        raise InvalidInput(
            f"an account has at most {MAX_ENDPOINTS_PER_ACCOUNT} webhook endpoints",
            code="too_many_endpoints",
        )
    endpoint = WebhookEndpoint(
        account_id=account_id,
        url=_checked_url(url, allow_private),
        event_types=_checked_types(event_types),
        description=description.strip(),
        enabled=enabled,
        secret=new_signing_secret(),
    )
    session.add(endpoint)
    session.flush()
    session.info.pop(_ENDPOINTS_KEY, None)
    record_audit(
        session,
        "webhook.created",
        account_id=account_id,
        target_type="webhook_endpoint",
        target_id=endpoint.id,
    )
    return endpoint


def do_update_endpoint(
    session: Session,
    account_id: int,
    endpoint_id: int,
    changes: dict[str, Any],
    *,
    allow_private: bool,
) -> WebhookEndpoint:
    """Change `url`, `event_types`, `description` or `enabled` (fields left out stay)."""
    endpoint = get_owned(session, WebhookEndpoint, account_id, endpoint_id)
    if "url" in changes:
        endpoint.url = _checked_url(changes["url"], allow_private)
    if "event_types" in changes:
        endpoint.event_types = _checked_types(changes["event_types"])
    if "description" in changes:
        endpoint.description = str(changes["description"]).strip()
    if "enabled" in changes:
        endpoint.enabled = bool(changes["enabled"])
    session.flush()
    session.info.pop(_ENDPOINTS_KEY, None)
    record_audit(
        session,
        "webhook.changed",
        account_id=account_id,
        target_type="webhook_endpoint",
        target_id=endpoint.id,
        details={"fields": sorted(changes)},
    )
    return endpoint


def do_rotate_endpoint_secret(session: Session, account_id: int, endpoint_id: int) -> str:
    """A new signing secret; deliveries sent from now on are signed with it."""
    endpoint = get_owned(session, WebhookEndpoint, account_id, endpoint_id)
    endpoint.secret = new_signing_secret()
    session.flush()
    record_audit(
        session,
        "webhook.secret_rotated",
        account_id=account_id,
        target_type="webhook_endpoint",
        target_id=endpoint.id,
    )
    return str(endpoint.secret)


def do_delete_endpoint(session: Session, account_id: int, endpoint_id: int) -> None:
    """Remove the endpoint and its delivery log; nothing more is sent to it."""
    endpoint = get_owned(session, WebhookEndpoint, account_id, endpoint_id)
    session.delete(endpoint)
    session.flush()
    session.info.pop(_ENDPOINTS_KEY, None)
    record_audit(
        session,
        "webhook.deleted",
        account_id=account_id,
        target_type="webhook_endpoint",
        target_id=endpoint_id,
    )


def do_redeliver(
    session: Session, account_id: int, endpoint_id: int, delivery_id: int
) -> WebhookDelivery:
    """Send a delivery again (one that failed, or to test the receiver): it is queued as new."""
    delivery = get_owned(session, WebhookDelivery, account_id, delivery_id)
    if delivery.endpoint_id != endpoint_id:
        raise NotFound(f"webhookdelivery {delivery_id} not found")
    delivery.status = DeliveryStatus.pending
    delivery.attempts = 0
    delivery.next_attempt_at = utcnow()
    delivery.delivered_at = None
    session.flush()
    return delivery


def note_no_endpoints(session: Session, account_id: int) -> None:
    """The caller knows the account has no enabled endpoint (a turn knows it from its
    account's switches, store/config_version.py): its events in this unit of work queue no
    delivery, and nothing is read to find that out."""
    session.info.setdefault(_ENDPOINTS_KEY, {})[account_id] = []


def queue_deliveries(session: Session, event: Event, conversation: Conversation | None) -> None:
    """Queue the event for every enabled endpoint of its account that subscribes to it.
    Called by `record_event` for every event; costs one query per unit of work and account."""
    cache: dict[int, list[tuple[int, list[Any]]]] = session.info.setdefault(_ENDPOINTS_KEY, {})
    endpoints = cache.get(event.account_id)
    if endpoints is None:
        # Not flushing here: with no endpoint, recording an event writes nothing earlier than
        # it did before webhooks existed.
        with session.no_autoflush:
            rows = session.execute(
                select(WebhookEndpoint.id, WebhookEndpoint.event_types).where(
                    WebhookEndpoint.account_id == event.account_id,
                    WebhookEndpoint.enabled.is_(True),
                )
            )
            endpoints = [(row.id, list(row.event_types or [])) for row in rows]
        cache[event.account_id] = endpoints
    wanted = [endpoint_id for endpoint_id, types in endpoints if subscribes_to(types, event.type)]
    if not wanted:
        return
    session.flush()  # the event's id and time go into the body
    body = event_body(event, conversation)
    for endpoint_id in wanted:
        session.add(
            WebhookDelivery(
                account_id=event.account_id,
                endpoint_id=endpoint_id,
                event_id=event.id,
                event_type=event.type,
                payload=body,
                status=DeliveryStatus.pending,
                next_attempt_at=utcnow(),
            )
        )
