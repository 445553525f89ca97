"""Outbound webhooks (admins): register endpoints, read each one's delivery log, send a
delivery again. A job sends what is due (jobs/definitions.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select

from batondesk.actions.webhooks import (
    do_create_endpoint,
    do_delete_endpoint,
    do_redeliver,
    do_rotate_endpoint_secret,
    do_update_endpoint,
)
from batondesk.api.deps import Principal, SessionDep, SettingsDep, require
from batondesk.api.errors import error_responses
from batondesk.api.routing import UnitOfWorkRoute
from batondesk.api.schemas import RowId
from batondesk.store.access import get_owned
from batondesk.store.models import EVENT_TYPES, DeliveryStatus, WebhookDelivery, WebhookEndpoint

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/api/v1/admin/webhooks", tags=["webhooks"])

Admin = Annotated[Principal, Depends(require("admin"))]
ERRORS = error_responses(401, 403, 404, 422)

EventTypes = Annotated[
    list[Annotated[str, Field(max_length=60)]],
    Field(
        min_length=1,
        max_length=len(EVENT_TYPES),
        description='Event types to send (GET /api/v1/admin/webhooks/event-types), or ["*"]',
    ),
]


class WebhookEndpointCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(max_length=2000, description="http(s) URL that receives the events")
    event_types: EventTypes
    description: str = Field(default="", max_length=200)
    enabled: bool = True


class WebhookEndpointUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str | None = Field(default=None, max_length=2000)
    event_types: EventTypes | None = None
    description: str | None = Field(default=None, max_length=200)
    enabled: bool | None = None


class WebhookEndpointPublic(BaseModel):
    id: int
    url: str
    description: str
    event_types: list[str]
    enabled: bool
    created_at: datetime
    pending: int = Field(description="Deliveries waiting for their (next) attempt")
    failed: int = Field(description="Deliveries that failed every attempt")


class WebhookEndpointCreated(WebhookEndpointPublic):
    secret: str = Field(description="The signing secret, shown only now; Baton keeps it sealed")


class WebhookSecret(BaseModel):
    secret: str


class WebhookDeliveryPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    event_id: int
    event_type: str
    status: DeliveryStatus
    attempts: int
    created_at: datetime
    last_attempt_at: datetime | None
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    response_status: int | None
    last_error: str | None
    attempt_log: list[dict[str, Any]]
    payload: dict[str, Any]


def _public(session: SessionDep, endpoint: WebhookEndpoint) -> WebhookEndpointPublic:
    counts = dict(
        session.execute(
            select(WebhookDelivery.status, func.count())
            .where(
                WebhookDelivery.account_id == endpoint.account_id,
                WebhookDelivery.endpoint_id == endpoint.id,
                WebhookDelivery.status.in_([DeliveryStatus.pending, DeliveryStatus.failed]),
            )
            .group_by(WebhookDelivery.status)
        ).all()
    )
    return WebhookEndpointPublic(
        id=endpoint.id,
        url=endpoint.url,
        description=endpoint.description,
        event_types=list(endpoint.event_types),
        enabled=endpoint.enabled,
        created_at=endpoint.created_at,
        pending=counts.get(DeliveryStatus.pending, 0),
        failed=counts.get(DeliveryStatus.failed, 0),
    )


@router.get("/event-types", response_model=list[str], responses=ERRORS)
def list_event_types(principal: Admin) -> list[str]:
    """Every event type an endpoint can subscribe to (docs/architecture.md#events)."""
    return sorted(EVENT_TYPES)


@router.get("", response_model=list[WebhookEndpointPublic], responses=ERRORS)
def list_endpoints(principal: Admin, session: SessionDep) -> list[WebhookEndpointPublic]:
    rows = session.scalars(
        select(WebhookEndpoint)
        .where(WebhookEndpoint.account_id == principal.account_id)
        .order_by(WebhookEndpoint.id)
    )
    return [_public(session, row) for row in rows]


@router.post(
    "",
    response_model=WebhookEndpointCreated,
    status_code=201,
    responses=error_responses(401, 403, 422),
)
def create_endpoint(
    body: WebhookEndpointCreate, principal: Admin, session: SessionDep, settings: SettingsDep
) -> WebhookEndpointCreated:
    """Register an endpoint. Only http(s) URLs; private, loopback and link-local addresses are
    refused unless the server allows them (`BATON_ALLOW_PRIVATE_DESTINATIONS`). The response
    holds the signing secret, once (docs/integrations.md: verifying a delivery)."""
    endpoint = do_create_endpoint(
        session,
        principal.account_id,
        url=body.url,
        event_types=body.event_types,
        description=body.description,
        enabled=body.enabled,
        allow_private=settings.allow_private_destinations,
    )
    return WebhookEndpointCreated(
        **_public(session, endpoint).model_dump(), secret=str(endpoint.secret)
    )


@router.get("/{endpoint_id}", response_model=WebhookEndpointPublic, responses=ERRORS)
def read_endpoint(
    endpoint_id: RowId, principal: Admin, session: SessionDep
) -> WebhookEndpointPublic:
    return _public(session, get_owned(session, WebhookEndpoint, principal.account_id, endpoint_id))


@router.patch("/{endpoint_id}", response_model=WebhookEndpointPublic, responses=ERRORS)
def update_endpoint(
    endpoint_id: RowId,
    body: WebhookEndpointUpdate,
    principal: Admin,
    session: SessionDep,
    settings: SettingsDep,
) -> WebhookEndpointPublic:
    """Change the URL, event types, description or `enabled` (fields left out stay). While
    disabled, nothing is queued for the endpoint, and what was queued waits."""
    endpoint = do_update_endpoint(
        session,
        principal.account_id,
        endpoint_id,
        body.model_dump(exclude_unset=True, exclude_none=True),
        allow_private=settings.allow_private_destinations,
    )
    return _public(session, endpoint)


@router.delete("/{endpoint_id}", status_code=204, responses=ERRORS)
def delete_endpoint(endpoint_id: RowId, principal: Admin, session: SessionDep) -> Response:
    do_delete_endpoint(session, principal.account_id, endpoint_id)
    return Response(status_code=204)


@router.post("/{endpoint_id}/rotate-secret", response_model=WebhookSecret, responses=ERRORS)
def rotate_secret(endpoint_id: RowId, principal: Admin, session: SessionDep) -> WebhookSecret:
    """A new signing secret, shown once; later deliveries are signed with it."""
    return WebhookSecret(
        secret=do_rotate_endpoint_secret(session, principal.account_id, endpoint_id)
    )


@router.get(
    "/{endpoint_id}/deliveries", response_model=list[WebhookDeliveryPublic], responses=ERRORS
)
def list_deliveries(
    endpoint_id: RowId,
    principal: Admin,
    session: SessionDep,
    status: Annotated[
        Literal["pending", "delivered", "failed"] | None, Query(description="Only this status")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[WebhookDeliveryPublic]:
    """The delivery log, newest first: each delivery's attempts with the receiver's HTTP
    status or the connection error (never the response body)."""
    endpoint = get_owned(session, WebhookEndpoint, principal.account_id, endpoint_id)
    query = select(WebhookDelivery).where(
        WebhookDelivery.account_id == principal.account_id,
        WebhookDelivery.endpoint_id == endpoint.id,
    )
    if status is not None:
        query = query.where(WebhookDelivery.status == DeliveryStatus(status))
    rows = session.scalars(query.order_by(WebhookDelivery.id.desc()).limit(limit))
    return [WebhookDeliveryPublic.model_validate(row) for row in rows]


@router.post(
    "/{endpoint_id}/deliveries/{delivery_id}/retry",
    response_model=WebhookDeliveryPublic,
    responses=ERRORS,
)
def retry_delivery(
    endpoint_id: RowId, delivery_id: RowId, principal: Admin, session: SessionDep
) -> WebhookDeliveryPublic:
    """Queue a delivery again now, with a fresh count of attempts."""
    delivery = do_redeliver(session, principal.account_id, endpoint_id, delivery_id)
    return WebhookDeliveryPublic.model_validate(delivery)
