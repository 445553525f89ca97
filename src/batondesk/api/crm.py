"""CRM connectors (admins): configure a REST pull, start a sync, read its status; and the
public, signed endpoint a CRM pushes changes to."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from batondesk.actions.crm_sync import (
    do_create_connector,
    do_receive_crm_webhook,
    do_update_connector,
)
from batondesk.api.deps import JobsDep, Principal, SessionDep, SettingsDep, require
from batondesk.api.errors import error_responses
from batondesk.api.routing import UnitOfWorkRoute
from batondesk.api.schemas import RowId
from batondesk.errors import Conflict
from batondesk.integrations.signing import SIGNATURE_HEADER
from batondesk.store.access import get_owned
from batondesk.store.base import utcnow
from batondesk.store.models import CrmConnector

log = logging.getLogger("batondesk.crm")

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/api/v1", tags=["crm"])

Admin = Annotated[Principal, Depends(require("admin"))]
ERRORS = error_responses(401, 403, 404, 422)
_CONFIG_DOC = "Pull settings: docs/integrations.md#the-rest-pull-connector"


class ConnectorCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(max_length=120)
    config: dict[str, Any] = Field(description=_CONFIG_DOC)
    credential: str | None = Field(
        default=None,
        max_length=4000,
        description="Bearer token, or the OAuth2 client secret; stored sealed, never shown",
    )


class ConnectorUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    config: dict[str, Any] | None = Field(default=None, description=_CONFIG_DOC)
    credential: str | None = Field(default=None, max_length=4000)
    enabled: bool | None = None
    reset_cursor: bool | None = Field(default=None, description="true: read everything again")


class ConnectorPublic(BaseModel):
    id: int
    name: str
    config: dict[str, Any]
    enabled: bool
    has_credential: bool
    cursor: str | None
    status: str
    last_sync_at: datetime | None
    last_error: str | None
    last_sync_records: int
    webhook_url: str = Field(description="Where the CRM sends signed changes")


class ConnectorCreated(ConnectorPublic):
    webhook_secret: str = Field(description="The CRM signs its webhooks with this; shown once")


class WebhookAccepted(BaseModel):
    created: int
    updated: int


def _public(connector: CrmConnector) -> ConnectorPublic:
    return ConnectorPublic(
        id=connector.id,
        name=connector.name,
        config=connector.config,
        enabled=connector.enabled,
        has_credential=connector.credential_sealed is not None,
        cursor=connector.cursor,
        status=connector.status,
        last_sync_at=connector.last_sync_at,
        last_error=connector.last_error,
        last_sync_records=connector.last_sync_records,
        webhook_url=f"/api/v1/crm/{connector.public_id}/webhook",
    )


@router.get("/admin/crm/connectors", response_model=list[ConnectorPublic], responses=ERRORS)
def list_connectors(principal: Admin, session: SessionDep) -> list[ConnectorPublic]:
    rows = session.scalars(
        select(CrmConnector)
        .where(CrmConnector.account_id == principal.account_id)
        .order_by(CrmConnector.id)
    )
    return [_public(row) for row in rows]


@router.post(
    "/admin/crm/connectors",
    response_model=ConnectorCreated,
    status_code=201,
    responses=error_responses(401, 403, 409, 422),
)
def create_connector(
    body: ConnectorCreate, principal: Admin, session: SessionDep, settings: SettingsDep
) -> ConnectorCreated:
    """Configure a CRM. The response holds the webhook signing secret, once."""
    connector = do_create_connector(
        session,
        principal.account_id,
        name=body.name,
        config=body.config,
        credential=body.credential,
        allow_private=settings.allow_private_destinations,
    )
    return ConnectorCreated(
        **_public(connector).model_dump(), webhook_secret=str(connector.webhook_secret)
    )


@router.get(
    "/admin/crm/connectors/{connector_id}", response_model=ConnectorPublic, responses=ERRORS
)
def read_connector(connector_id: RowId, principal: Admin, session: SessionDep) -> ConnectorPublic:
    return _public(get_owned(session, CrmConnector, principal.account_id, connector_id))


@router.patch(
    "/admin/crm/connectors/{connector_id}", response_model=ConnectorPublic, responses=ERRORS
)
def update_connector(
    connector_id: RowId,
    body: ConnectorUpdate,
    principal: Admin,
    session: SessionDep,
    settings: SettingsDep,
) -> ConnectorPublic:
    connector = do_update_connector(
        session,
        principal.account_id,
        connector_id,
        body.model_dump(exclude_unset=True),
        allow_private=settings.allow_private_destinations,
    )
    return _public(connector)


@router.post(
    "/admin/crm/connectors/{connector_id}/sync",
    response_model=ConnectorPublic,
    status_code=202,
    responses=error_responses(401, 403, 404, 409, 422),
)
def start_sync(
    connector_id: RowId, principal: Admin, session: SessionDep, jobs: JobsDep
) -> ConnectorPublic:
    """Pull what changed since the last sync, as a job; read the connector for its `status`
    (running, ok, failed), `last_error` and `last_sync_records`. A failed sync resumes from
    its cursor next time."""
    connector = get_owned(session, CrmConnector, principal.account_id, connector_id)
    if not connector.enabled:
        raise Conflict("the connector is disabled", code="connector_disabled")
    if connector.status == "running":
        raise Conflict("a sync of this connector is running", code="sync_running")
    jobs.enqueue("sync_crm", account_id=principal.account_id, connector_id=connector_id)
    return _public(connector).model_copy(update={"status": "running", "last_sync_at": utcnow()})


async def _raw_body(request: Request) -> bytes:
    """The exact bytes the signature covers (read here, so the route itself runs in a
    worker thread like the others)."""
    return await request.body()


@router.post(
    "/crm/{public_id}/webhook",
    response_model=WebhookAccepted,
    responses=error_responses(400, 401, 404, 409, 422),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["contacts"],
                        "properties": {"contacts": {"type": "array", "items": {"type": "object"}}},
                    }
                }
            },
        },
        "parameters": [
            {
                "name": SIGNATURE_HEADER,
                "in": "header",
                "required": True,
                "schema": {"type": "string"},
                "description": "t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + '.' + body)>",
            }
        ],
    },
)
def receive_crm_webhook(
    public_id: Annotated[str, Path(max_length=40)],
    body: Annotated[bytes, Depends(_raw_body)],
    request: Request,
    session: SessionDep,
) -> WebhookAccepted:
    """Changed customer records pushed by the CRM, signed with the connector's webhook
    secret (docs/integrations.md#signed-crm-webhooks). A missing, wrong or stale signature is
    a 401 and changes nothing; so does any invalid record (422)."""
    _connector, created, updated = do_receive_crm_webhook(
        session, public_id, request.headers.get(SIGNATURE_HEADER), body
    )
    return WebhookAccepted(created=created, updated=updated)
