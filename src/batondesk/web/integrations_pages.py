"""The admin console's Integrations section: webhook endpoints with their delivery log, and
CRM connectors with their last sync. Rendered on the server (autoescaped); the page's script
calls the same JSON API as any integrator (/api/v1/admin/webhooks, /api/v1/admin/crm)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import func, select

from batondesk.api.deps import SessionDep
from batondesk.api.routing import UnitOfWorkRoute
from batondesk.api.schemas import RowId
from batondesk.store.models import EVENT_TYPES, CrmConnector, WebhookDelivery, WebhookEndpoint
from batondesk.web.pages import admin_or_refusal, render_page, staff_context

router = APIRouter(route_class=UnitOfWorkRoute, include_in_schema=False)

DELIVERIES_SHOWN = 20


@router.get("/console/admin/integrations", response_class=HTMLResponse)
def integrations_page(
    request: Request, session: SessionDep, endpoint: RowId | None = None
) -> Response:
    checked = admin_or_refusal(request, session)
    if isinstance(checked, Response):
        return checked
    endpoints = session.scalars(
        select(WebhookEndpoint)
        .where(WebhookEndpoint.account_id == checked.account_id)
        .order_by(WebhookEndpoint.id)
    ).all()
    selected = next((e for e in endpoints if e.id == endpoint), endpoints[0] if endpoints else None)
    deliveries = (
        session.scalars(
            select(WebhookDelivery)
            .where(
                WebhookDelivery.account_id == checked.account_id,
                WebhookDelivery.endpoint_id == selected.id,
            )
            .order_by(WebhookDelivery.id.desc())
            .limit(DELIVERIES_SHOWN)
        ).all()
        if selected is not None
        else []
    )
    counts = {
        (endpoint_id, str(status)): count
        for endpoint_id, status, count in session.execute(
            select(WebhookDelivery.endpoint_id, WebhookDelivery.status, func.count())
            .where(WebhookDelivery.account_id == checked.account_id)
            .group_by(WebhookDelivery.endpoint_id, WebhookDelivery.status)
        )
    }
    connectors = session.scalars(
        select(CrmConnector)
        .where(CrmConnector.account_id == checked.account_id)
        .order_by(CrmConnector.id)
    ).all()
    return render_page(
        request,
        "admin/integrations.html",
        {
            **staff_context(session, checked),
            "section": "integrations",
            "endpoints": endpoints,
            "selected": selected,
            "deliveries": deliveries,
            "counts": counts,
            "connectors": connectors,
            "api_docs": request.app.state.settings.api_docs_enabled,
            "event_types": sorted(EVENT_TYPES),
        },
    )
