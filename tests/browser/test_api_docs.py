"""The interactive API reference works on a host with no internet access, and looks like the
rest of Baton: the console's top bar, its colours and its light or dark scheme."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi import FastAPI

from batondesk.actions.accounts import do_create_api_key
from batondesk.store.models import Account, Role
from tests.support.colours import AA_TEXT, COLOURS, PALETTE, contrast
from tests.support.live_server import serve_in_thread
from tests.support.workspace import PASSWORD, Workspace

pytestmark = pytest.mark.slow

LAPTOP = {"width": 1024, "height": 768}
THEME = ["bg", "text", "panel", "primary", "on-primary", "topbar"]


def _drawn_in_the_consoles_colours(page: Any) -> None:
    """The page background, the header, the reference's text and its controls use the
    console's palette for the scheme now shown, and the text is readable on what it is drawn
    on. Needs an operation open with "Try it out" pressed."""
    from playwright.sync_api import expect

    palette = page.locator("body").evaluate(PALETTE, THEME)
    page_background = page.evaluate("getComputedStyle(document.documentElement).backgroundColor")
    assert page_background == palette["bg"]
    header = page.locator("header.topbar")
    assert header.evaluate("h => getComputedStyle(h).backgroundColor") == palette["topbar"]
    swagger = page.locator(".swagger-ui")
    for text in (
        swagger.locator(".info .title"),
        swagger.locator(".info .description p").first,
        swagger.locator(".opblock-tag").first,
        swagger.locator(".opblock-summary-description").first,
        swagger.locator(".opblock-section-header h4").first,
    ):
        # Swagger UI eases some colours in: after a scheme switch, wait for them to settle.
        expect(text).to_have_css("color", palette["text"])
        colour, background = text.evaluate(COLOURS)
        assert contrast(colour, background) >= AA_TEXT, f"{text}: {colour} on {background}"
    # The button's colours ease in too (a switch caught half-way read rgb(30, 79, 216)).
    execute = swagger.get_by_role("button", name="Execute")
    expect(execute).to_have_css("background-color", palette["primary"])
    expect(execute).to_have_css("color", palette["on-primary"])


def _api_key(app: FastAPI, workspace: Workspace) -> str:
    with app.state.db.session() as session:
        account = session.get(Account, workspace.a.account_id)
        _key, secret = do_create_api_key(
            session, account, "docs", Role.agent, ["conversations:read"]
        )
    return secret


def _authorize_with_an_api_key(page: Any, key: str) -> None:
    """Authorize lists the ways in the API accepts and takes an API key, which "Try it out"
    then sends (tests/api/test_openapi_security.py checks the server accepts it so)."""
    from playwright.sync_api import expect

    page.locator(".scheme-container").get_by_role("button", name="Authorize").click()
    dialog = page.locator(".modal-ux", has_text="Available authorizations")
    for scheme in ("apiKey", "agentSession", "visitorToken"):
        expect(dialog.get_by_role("heading", name=re.compile(rf"^{scheme}\b"))).to_be_visible()
    api_key = dialog.locator(
        ".auth-container", has=page.get_by_role("heading", name=re.compile(r"^apiKey\b"))
    )
    api_key.get_by_role("textbox").fill(key)
    api_key.get_by_role("button", name="Apply credentials").click()
    expect(api_key.get_by_role("button", name="Remove authorization")).to_be_visible()
    api_key.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()


def test_api_docs_work_offline_and_wear_the_consoles_theme(
    browser: Any, app: FastAPI, workspace: Workspace
) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=15_000)
    elsewhere: list[str] = []
    errors: list[str] = []
    with serve_in_thread(app) as base:
        context = browser.new_context(viewport=LAPTOP, color_scheme="dark")

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

            # A visitor: Baton's top bar with the page's name and the way into the console.
            header = page.get_by_role("banner")
            expect(header).to_contain_text("API reference")
            expect(header.get_by_role("link", name="Log in")).to_be_visible()

            # The reference still works: an operation opens and runs against this server.
            health = page.locator(".opblock", has=page.get_by_text("/health", exact=True))
            health.locator(".opblock-summary").click()
            health.get_by_role("button", name="Try it out").click()
            health.get_by_role("button", name="Execute").click()
            expect(health.locator(".live-responses-table tbody .response-col_status")).to_have_text(
                "200"
            )

            # The system asks for dark: the console's dark colours, readable.
            expect(page.locator("html")).to_have_attribute("data-theme", "dark")
            expect(page.locator("html")).to_have_class("dark-mode")
            _drawn_in_the_consoles_colours(page)
            dark = page.locator("body").evaluate(PALETTE, THEME)
            assert page.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"]

            # Light from the scheme menu, at once, as on every console page.
            page.get_by_label("Colour scheme").select_option("light")
            expect(page.locator("html")).to_have_attribute("data-theme", "light")
            expect(page.locator("html")).not_to_have_class("dark-mode")
            _drawn_in_the_consoles_colours(page)
            assert page.locator("body").evaluate(PALETTE, THEME) != dark

            # Authorize offers the API's ways in and takes an API key.
            _authorize_with_an_api_key(page, _api_key(app, workspace))

            # A member who logs in from here comes back to the reference, with the console's
            # menu in the top bar.
            header.get_by_role("link", name="Log in").click()
            page.get_by_label("Work email").fill(workspace.a.users["admin"][1])
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Log in").click()
            expect(page).to_have_url(f"{base}/docs")
            menu = page.get_by_role("navigation", name="Main")
            expect(menu.get_by_role("link", name="Conversations")).to_be_visible()
            expect(menu.get_by_role("link", name="Conversations")).not_to_have_attribute(
                "aria-current", "page"
            )
            expect(page.get_by_role("button", name="Log out")).to_be_visible()
            expect(page.locator(".swagger-ui .info .title")).to_contain_text("Baton")
            assert page.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"]

            # An admin finds the reference again from the Integrations section.
            menu.get_by_role("link", name="Admin").click()
            page.get_by_role("navigation", name="Admin sections").get_by_role(
                "link", name="Integrations"
            ).click()
            page.get_by_role("link", name="API reference").click()
            expect(page).to_have_url(f"{base}/docs")
        finally:
            context.close()
    assert elsewhere == []
    assert errors == []
