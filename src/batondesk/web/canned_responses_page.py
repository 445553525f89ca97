"""The admin page of canned responses: the account's saved replies, added, edited and deleted
through the API by its script (static/js/canned-responses.js)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from batondesk.api.deps import SessionDep
from batondesk.api.routing import UnitOfWorkRoute
from batondesk.store.models import CannedResponse
from batondesk.web.pages import admin_or_refusal, render_page, staff_context

router = APIRouter(route_class=UnitOfWorkRoute, include_in_schema=False)


@router.get("/console/admin/canned-responses", response_class=HTMLResponse)
def canned_responses_page(request: Request, session: SessionDep) -> Response:
    checked = admin_or_refusal(request, session)
    if isinstance(checked, Response):
        return checked
    rows = session.scalars(
        select(CannedResponse)
        .where(CannedResponse.account_id == checked.account_id)
        .order_by(CannedResponse.shortcut)
    ).all()
    return render_page(
        request,
        "admin/canned_responses.html",
        {**staff_context(session, checked), "section": "canned-responses", "responses": rows},
    )
