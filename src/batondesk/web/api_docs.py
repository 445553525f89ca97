"""The interactive API reference (`/docs`): Swagger UI served from Baton's own static files.

FastAPI's built-in page loads Swagger UI from a public CDN, which leaves a blank page on a host
without internet access and tells a third party who reads the docs. This page uses the copy
vendored in `static/vendor/swagger-ui/` and runs under the same strict Content-Security-Policy
as every other page (its start-up code is a static script, not inline). It wears the console's
top bar and colours, light or dark (`static/css/api-docs.css`); anyone may read it, and a
signed-in member also gets the console's menu.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from batondesk.api.deps import SessionDep
from batondesk.api.routing import UnitOfWorkRoute
from batondesk.web.pages import _signed_in, render_page, staff_context

router = APIRouter(route_class=UnitOfWorkRoute, include_in_schema=False)


@router.get("/docs", response_class=HTMLResponse)
def api_reference(request: Request, session: SessionDep) -> HTMLResponse:
    principal = _signed_in(request, session)
    staff = staff_context(session, principal) if principal is not None else {}
    return render_page(
        request,
        "api_docs.html",
        {**staff, "page": "api-docs", "openapi_url": request.app.openapi_url or "/openapi.json"},
    )
