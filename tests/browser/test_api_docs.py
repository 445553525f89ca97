"""The interactive API reference works on a host with no internet access."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI

from tests.support.live_server import serve_in_thread

pytestmark = pytest.mark.slow


def test_api_docs_work_with_no_network_beyond_baton(browser: Any, app: FastAPI) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=15_000)
    elsewhere: list[str] = []
    errors: list[str] = []
    with serve_in_thread(app) as base:
        context = browser.new_context(viewport={"width": 1280, "height": 900})

        def offline(route: Any) -> None:
            # Anything not served by Baton fails, as it would on a host without internet.
            if route.request.url.startswith(base):
                route.continue_()
            else:
                elsewhere.append(route.request.url)
                route.abort()

        context.route("**/*", offline)
        try:
            page = context.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(f"{base}/docs")
            expect(page.locator(".swagger-ui .info .title")).to_contain_text("Baton")
            expect(
                page.get_by_text("/api/v1/widget/inboxes/{inbox_public_id}/conversations").first
            ).to_be_visible()
        finally:
            context.close()
    assert elsewhere == []
    assert errors == []
