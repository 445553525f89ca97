"""The learning loop's console pages: the review queue, the content gaps and the candidate
models. Thin shells like the other pages: the scripts call the JSON API
(`/api/v1/review-queue`, `/api/v1/content-gaps`, `/api/v1/learning/models`), which enforces
permissions again and does the work."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from batondesk.api.deps import SessionDep
from batondesk.api.routing import UnitOfWorkRoute
from batondesk.web.pages import _signed_in, _to_login, render_page, staff_context

router = APIRouter(route_class=UnitOfWorkRoute, include_in_schema=False)


def _page(request: Request, session: SessionDep, template: str, tab: str) -> Response:
    principal = _signed_in(request, session)
    if principal is None:
        return _to_login(request)
    return render_page(
        request,
        template,
        {**staff_context(session, principal), "page": "learning", "tab": tab},
    )


@router.get("/console/review-queue", response_class=HTMLResponse)
def review_queue_page(request: Request, session: SessionDep) -> Response:
    """Label flagged customer messages, most useful first, with the keyboard or the mouse."""
    return _page(request, session, "review_queue.html", "queue")


@router.get("/console/content-gaps", response_class=HTMLResponse)
def content_gaps_page(request: Request, session: SessionDep) -> Response:
    """Unanswered questions grouped by meaning, with "draft an article" and "suggest as new
    intent"."""
    return _page(request, session, "content_gaps.html", "gaps")


@router.get("/console/learning/models", response_class=HTMLResponse)
def learning_models_page(request: Request, session: SessionDep) -> Response:
    """Candidate models: the regression gate's decision per slice, the shadow's agreement
    with the active model and its disagreements, promote and roll back (admins)."""
    return _page(request, session, "learning_models.html", "models")


@router.get("/console/learning", response_class=HTMLResponse)
def learning_home() -> Response:
    return RedirectResponse("/console/review-queue", status_code=303)
