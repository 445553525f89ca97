"""Dark mode in the real Chromium: the console follows the system's colour scheme until the
agent picks light or dark (kept in the browser, applied without a reload); the widget follows
the visitor's system and keeps the account's colour readable. Every main text colour meets
WCAG AA (4.5:1) on the backgrounds it is used on, in both schemes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from batondesk.demo.seed import DemoSummary, seed_demo
from tests.support.colours import AA_TEXT, COLOURS, PALETTE, contrast, low_contrast, luminance
from tests.support.live_server import serve_in_thread
from tests.support.website import website

pytestmark = pytest.mark.slow

WAIT_MS = 15_000
DESKTOP = {"width": 1440, "height": 900}

# (text, background) custom properties of console.css that are drawn together.
CONSOLE_PAIRS = [
    ("text", "bg"),
    ("text", "panel"),
    ("text", "chip"),
    ("text", "bot-bubble"),
    ("text", "primary-soft"),
    ("muted", "bg"),
    ("muted", "panel"),
    ("muted", "panel-alt"),
    ("primary", "bg"),
    ("primary", "panel"),
    ("on-primary", "primary"),
    ("on-primary", "primary-dark"),
    ("primary-dark", "primary-soft"),
    ("ok", "panel"),
    ("ok", "ok-soft"),
    ("warn", "panel"),
    ("warn", "warn-soft"),
    ("warn-text", "warn-soft"),
    ("bad", "panel"),
    ("bad", "bad-soft"),
    ("on-bad", "bad"),
    ("note-text", "note"),
    ("badge-text", "badge"),
    ("tag-text", "tag"),
    ("reason-text", "reason"),
    ("snoozed-text", "snoozed"),
    ("topbar-text", "topbar"),
    ("topbar-text", "topbar-raised"),
    ("on-toast", "toast"),
]
# The same for chat.css.
WIDGET_PAIRS = [
    ("text", "bg"),
    ("text", "surface"),
    ("text", "agent-bubble"),
    ("strong-text", "bg"),
    ("muted", "bg"),
    ("muted", "surface"),
    ("primary-text", "surface"),
    ("on-primary", "primary"),
    ("link", "surface"),
    ("disclosure-text", "disclosure"),
    ("warn-text", "warn-soft"),
    ("ok-text", "ok-soft"),
    ("bad-text", "bad-soft"),
]


def _names(pairs: list[tuple[str, str]]) -> list[str]:
    return sorted({name for pair in pairs for name in pair})


def _is_dark(page_or_element: Any) -> None:
    text, background = page_or_element.evaluate(COLOURS)
    assert luminance(background) < 0.05, f"background {background} is not dark"
    assert luminance(text) > 0.6, f"text {text} is not light"


def _is_light(page_or_element: Any) -> None:
    text, background = page_or_element.evaluate(COLOURS)
    assert luminance(background) > 0.8, f"background {background} is not light"
    assert luminance(text) < 0.05, f"text {text} is not dark"


@pytest.fixture
def demo(app: FastAPI) -> DemoSummary:
    return seed_demo(app.state.db)


def _customer_waiting(base: str, inbox: str) -> int:
    with httpx.Client(base_url=base, timeout=30) as api:
        started = api.post(f"/api/v1/widget/inboxes/{inbox}/conversations", json={}).json()
        visitor = {"Authorization": f"Bearer {started['visitor_token']}"}
        path = f"/api/v1/widget/conversations/{started['conversation_id']}"
        sent = api.post(
            f"{path}/messages",
            json={"body": "My card payment was declined twice at the supermarket today."},
            headers=visitor,
        )
        assert sent.status_code == 201, sent.text
        assert api.post(f"{path}/handoff", headers=visitor).status_code == 200
        return int(started["conversation_id"])


def _widget_settings(base: str, demo: DemoSummary, **changes: Any) -> None:
    with httpx.Client(base_url=base, headers={"X-Requested-With": "baton"}, timeout=30) as api:
        login = api.post(
            "/api/v1/auth/login", json={"email": demo.admin_email, "password": demo.password}
        )
        assert login.status_code == 200, login.text
        saved = api.put("/api/v1/admin/settings/widget", json=changes)
        assert saved.status_code == 200, saved.text


def test_console_follows_the_system_scheme_until_the_agent_picks_one(
    browser: Any, app: FastAPI, demo: DemoSummary, screenshot_dir: Path
) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    errors: list[str] = []
    with serve_in_thread(app) as base:
        conversation = _customer_waiting(base, demo.inbox_public_id)
        context = browser.new_context(viewport=DESKTOP, color_scheme="dark")
        try:
            page = context.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(f"{base}/console/login")
            _is_dark(page.locator(".login-card"))  # before anyone has chosen anything
            page.get_by_label("Work email").fill(demo.admin_email)
            page.get_by_label("Password").fill(demo.password)
            page.get_by_role("button", name="Log in").click()
            expect(page).to_have_url(f"{base}/console")
            page.goto(f"{base}/console/conversations/{conversation}")
            expect(page.locator("#packet")).to_contain_text("Why a person is needed")

            # The system asks for dark: the console is dark, its text light.
            theme = page.get_by_label("Colour scheme")
            expect(theme).to_have_value("system")
            root = page.locator("html")
            expect(root).to_have_attribute("data-theme", "dark")
            _is_dark(page.locator("#messages .message.customer .body"))
            _is_dark(page.locator(".queue-pane"))
            _is_dark(page.locator("#packet section").first)
            palette = _names(CONSOLE_PAIRS)
            dark = page.locator("body").evaluate(PALETTE, palette)
            assert low_contrast(dark, CONSOLE_PAIRS) == []

            # The agent picks light: it applies at once, in the same document.
            page.evaluate("window.__sameDocument = true")
            theme.select_option("light")
            expect(root).to_have_attribute("data-theme", "light")
            _is_light(page.locator("#messages .message.customer .body"))
            _is_light(page.locator(".queue-pane"))
            assert page.evaluate("window.__sameDocument") is True
            light = page.locator("body").evaluate(PALETTE, palette)
            assert low_contrast(light, CONSOLE_PAIRS) == []
            assert light != dark

            # The choice survives a reload, and other console pages, though the system
            # still asks for dark.
            page.reload()
            expect(root).to_have_attribute("data-theme", "light")
            expect(page.get_by_label("Colour scheme")).to_have_value("light")
            _is_light(page.locator(".queue-pane"))
            page.goto(f"{base}/console/admin/team")
            _is_light(page.locator("#members"))

            # Back to "System": dark again, and a change of the system's scheme is followed
            # live.
            page.get_by_label("Colour scheme").select_option("system")
            expect(root).to_have_attribute("data-theme", "dark")
            _is_dark(page.locator("#members"))
            page.emulate_media(color_scheme="light")
            expect(root).to_have_attribute("data-theme", "light")
            page.emulate_media(color_scheme="dark")
            expect(root).to_have_attribute("data-theme", "dark")

            page.goto(f"{base}/console/conversations/{conversation}")
            expect(page.locator("#packet")).to_contain_text("Why a person is needed")
            expect(page.locator("#live-status")).to_have_text("Live")
            expect(page.locator("#packet")).to_contain_text("First conversation with this customer")
            page.screenshot(path=str(screenshot_dir / "console-dark.png"))
        finally:
            context.close()
    assert errors == []


def test_widget_follows_the_visitors_scheme_and_keeps_the_accounts_colour_readable(
    browser: Any, app: FastAPI, demo: DemoSummary, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    errors: list[str] = []
    with serve_in_thread(app) as base:
        snippet = (
            f'<script src="{base}/widget.js" data-inbox="{demo.inbox_public_id}" async></script>'
        )
        with website(
            tmp_path, f"<!doctype html><title>Shop</title><h1>A shop</h1>{snippet}"
        ) as shop:
            context = browser.new_context(viewport=DESKTOP, color_scheme="dark")
            try:
                page = context.new_page()
                page.on("pageerror", lambda exc: errors.append(str(exc)))
                page.goto(shop)
                launcher = page.locator("#baton-widget-button")
                launcher.click()
                chat = page.frame_locator("#baton-widget-frame")
                greeting = chat.locator("#greeting")
                expect(greeting).to_be_visible()
                _is_dark(greeting)
                _is_dark(chat.locator(".chat-form"))
                palette = _names(WIDGET_PAIRS)
                colours = chat.locator("body").evaluate(PALETTE, palette)
                assert low_contrast(colours, WIDGET_PAIRS) == []

                # The account's colour still fills the header; a very dark and a very light
                # one both stay readable, on the colour and as text on the dark chat.
                for brand, header in (
                    ("#1e1b4b", "rgb(30, 27, 75)"),
                    ("#facc15", "rgb(250, 204, 21)"),
                ):
                    _widget_settings(base, demo, brand_color=brand)
                    page.keyboard.press("Escape")
                    launcher.click()
                    head = chat.locator(".chat-head")
                    expect(head).to_have_css("background-color", header)
                    for element in (head.locator("h1"), chat.locator("#handoff")):
                        text, background = element.evaluate(COLOURS)
                        ratio = contrast(text, background)
                        assert ratio >= AA_TEXT, f"{brand}: {text} on {background}: {ratio:.2f}"
                    _is_dark(greeting)
            finally:
                context.close()

        # A visitor whose system is light gets the light chat, also readable.
        context = browser.new_context(viewport=DESKTOP, color_scheme="light")
        try:
            page = context.new_page()
            page.goto(f"{base}/chat/{demo.inbox_public_id}")
            greeting = page.locator("#greeting")
            expect(greeting).to_be_visible()
            _is_light(greeting)
            colours = page.locator("body").evaluate(PALETTE, _names(WIDGET_PAIRS))
            assert low_contrast(colours, WIDGET_PAIRS) == []
            text, background = page.locator("#handoff").evaluate(COLOURS)
            assert contrast(text, background) >= AA_TEXT, f"{text} on {background}"
        finally:
            context.close()
    assert errors == []
