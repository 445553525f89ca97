"""The faces of Baton: the agent console, its admin pages and the customer chat widget.

Server-rendered Jinja2 pages with small vanilla scripts (fetch + EventSource) that talk to the
JSON API. Every asset is served by Baton itself; there is no build step.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from batondesk.web import (
    api_docs,
    canned_responses_page,
    console_api,
    experiments_pages,
    integrations_pages,
    learning_pages,
    pages,
    reports_pages,
)
from batondesk.web.pages import STATIC_DIR


def install_web(app: FastAPI, *, api_docs_enabled: bool) -> None:
    """Add the console's JSON routes, the HTML pages, the API reference (when enabled) and
    `/static` to the app."""
    app.include_router(console_api.router)
    app.include_router(pages.router)
    app.include_router(reports_pages.router)
    app.include_router(experiments_pages.router)
    app.include_router(canned_responses_page.router)
    app.include_router(integrations_pages.router)
    app.include_router(learning_pages.router)
    if api_docs_enabled:
        app.include_router(api_docs.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
