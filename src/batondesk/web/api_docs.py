"""The interactive API reference (`/docs`): Swagger UI served from Baton's own static files.

FastAPI's built-in page loads Swagger UI from a public CDN, which leaves a blank page on a host
without internet access and tells a third party who reads the docs. This page uses the copy
vendored in `static/vendor/swagger-ui/` and runs under the same strict Content-Security-Policy
as every other page (its start-up code is a static script, not inline).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from batondesk.web.pages import render_page

router = APIRouter(include_in_schema=False)


@router.get("/docs", response_class=HTMLResponse)
def api_reference(request: Request) -> HTMLResponse:
    return render_page(
        request, "api_docs.html", {"openapi_url": request.app.openapi_url or "/openapi.json"}
    )
