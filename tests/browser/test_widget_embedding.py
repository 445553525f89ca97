"""The chat widget on a customer's own website: another site than Baton's, in a browser that
blocks third-party storage, driven with the keyboard, and with a wrong snippet."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi import FastAPI

from batondesk.demo.seed import DemoSummary, seed_demo
from tests.support.live_server import agent_api, serve_in_thread
from tests.support.website import website

pytestmark = pytest.mark.slow

WAIT_MS = 15_000


@pytest.fixture
def demo(app: FastAPI) -> DemoSummary:
    return seed_demo(app.state.db)


def _shop_page(base: str, inbox: str) -> str:
    snippet = f'<script src="{base}/widget.js" data-inbox="{inbox}" async></script>'
    return f"<!doctype html><title>Shop</title><h1>A shop</h1><a href='#'>Offers</a>{snippet}"


def test_widget_on_another_site_keeps_the_conversation_across_a_reload(
    strict_privacy_context: Any, app: FastAPI, demo: DemoSummary, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    requested: list[str] = []
    errors: list[str] = []
    with (
        serve_in_thread(app) as base,
        website(tmp_path, _shop_page(base, demo.inbox_public_id), host="localhost") as shop,
    ):
        page = strict_privacy_context.new_page()
        page.on("request", lambda request: requested.append(request.url))
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(shop)
        launcher = page.get_by_role("button", name="Chat with us")
        launcher.click()
        chat = page.frame_locator("#baton-widget-frame")
        expect(chat.get_by_role("button", name="Talk to a person")).to_be_visible()
        frame = page.frame(url=re.compile(r"/chat/"))
        assert frame is not None
        # The browser really gives the widget's frame no storage of its own.
        blocked = "() => { try { return localStorage.length >= 0; } catch (e) { return e.name; } }"
        assert frame.evaluate(blocked) == "SecurityError"

        chat.get_by_role("button", name="Talk to a person").click()
        expect(chat.locator("#waiting")).to_contain_text("in the queue")
        # The button that had focus is gone: focus moves on to the message box, not the page.
        expect(chat.get_by_label("Your message")).to_be_focused()
        page.keyboard.press("Escape")
        expect(page.locator("#baton-widget-frame")).to_be_hidden()
        expect(launcher).to_be_focused()

        page.reload()
        page.get_by_role("button", name="Chat with us").click()
        chat = page.frame_locator("#baton-widget-frame")
        expect(chat.locator("#waiting")).to_contain_text("in the queue")
        expect(chat.locator(".msg.from-system")).to_contain_text("You asked for a person")

        # The agent answers the same conversation, and the customer sees it live.
        with agent_api(base, demo) as agent:
            queued = agent.get("/api/v1/queue").json()["data"]
            conversation_id = max(c["id"] for c in queued)
            reply = agent.post(
                f"/api/v1/conversations/{conversation_id}/messages",
                json={"body": "Hello, this is Tom from the card team."},
            )
            assert reply.status_code == 201, reply.text
        expect(chat.locator(".msg.from-agent .bubble")).to_have_text(
            "Hello, this is Tom from the card team."
        )
    # The visitor token never travels in a URL (logs, proxies and history keep URLs).
    assert [u for u in requested if "token" in urlsplit(u).query] == []
    assert errors == []


def test_a_wrong_inbox_in_the_snippet_says_so(
    browser: Any, app: FastAPI, demo: DemoSummary, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    warnings: list[str] = []
    with (
        serve_in_thread(app) as base,
        website(tmp_path, _shop_page(base, "no-such-inbox"), host="localhost") as shop,
    ):
        context = browser.new_context(viewport={"width": 1280, "height": 860})
        try:
            page = context.new_page()
            page.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)
            page.goto(shop)
            page.get_by_role("button", name="Chat with us").click()
            chat = page.frame_locator("#baton-widget-frame")
            expect(chat.get_by_role("heading", name="This chat is not available")).to_be_visible()
            expect(chat.locator("body")).to_contain_text("no-such-inbox")
            chat.get_by_role("button", name="Close chat").click()
            expect(page.locator("#baton-widget-frame")).to_be_hidden()
        finally:
            context.close()
    assert any("no-such-inbox" in w and "data-inbox" in w for w in warnings), warnings
