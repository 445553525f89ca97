"""The chat widget as customers and agents meet it, in the real Chromium: the pre-chat form,
settings that reach an open chat, the AI disclosure with the privacy notice and consent,
typing seen on the other side, and the console's desktop notifications and unread count."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from batondesk.demo.seed import DemoSummary, seed_demo
from tests.support.live_server import serve_in_thread
from tests.support.website import website

pytestmark = pytest.mark.slow

WAIT_MS = 15_000
DESKTOP = {"width": 1440, "height": 900}
DEFAULT_BLUE = "rgb(29, 78, 216)"
TEAL = "rgb(15, 118, 110)"


@pytest.fixture
def demo(app: FastAPI) -> DemoSummary:
    return seed_demo(app.state.db)


@contextmanager
def staff_api(base: str, email: str, password: str) -> Iterator[httpx.Client]:
    """A member signed in to the API (what the console does, without the browser)."""
    with httpx.Client(base_url=base, headers={"X-Requested-With": "baton"}, timeout=30) as api:
        login = api.post("/api/v1/auth/login", json={"email": email, "password": password})
        assert login.status_code == 200, login.text
        yield api


def _widget_settings(base: str, demo: DemoSummary, **changes: Any) -> None:
    with staff_api(base, demo.admin_email, demo.password) as admin:
        saved = admin.put("/api/v1/admin/settings/widget", json=changes)
        assert saved.status_code == 200, saved.text


def _watch_errors(page: Any, errors: list[str]) -> None:
    page.on("pageerror", lambda exc: errors.append(f"{page.url}: {exc}"))


def _sign_in(context: Any, base: str, demo: DemoSummary) -> None:
    """Log the agent in within the browser context (the session cookie is the context's)."""
    response = context.request.post(
        f"{base}/api/v1/auth/login",
        data={"email": demo.agent_email, "password": demo.password},
    )
    assert response.ok, response.text()


def _latest_queued(base: str, demo: DemoSummary) -> int:
    with staff_api(base, demo.agent_email, demo.password) as agent:
        queued = agent.get("/api/v1/queue").json()["data"]
        return max(c["id"] for c in queued)  # type: ignore[no-any-return]


def test_the_prechat_form_asks_for_name_and_email_before_the_chat(
    browser: Any, app: FastAPI, demo: DemoSummary
) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    errors: list[str] = []
    with serve_in_thread(app) as base:
        _widget_settings(base, demo, prechat_form="required")
        context = browser.new_context(viewport={"width": 390, "height": 780})
        try:
            page = context.new_page()
            _watch_errors(page, errors)
            page.goto(f"{base}/chat/{demo.inbox_public_id}")
            form = page.get_by_role("form", name="Before we start")
            expect(form).to_be_visible()
            # No message box, and no way round the form, until it is filled in.
            expect(page.get_by_label("Your message")).to_be_hidden()
            expect(page.get_by_role("button", name="Talk to a person")).to_be_hidden()
            page.get_by_role("button", name="Start chat").click()
            expect(page.locator("#prechat-error")).to_have_text("Please enter your name.")
            expect(page.get_by_label("Your name")).to_be_focused()
            page.get_by_label("Your name").fill("Ada Lovelace")
            page.get_by_label("Your email").fill("ada@")
            page.get_by_role("button", name="Start chat").click()
            expect(page.locator("#prechat-error")).to_contain_text("email address like")
            page.get_by_label("Your email").fill("ada@example.com")
            page.get_by_role("button", name="Start chat").click()
            expect(form).to_be_hidden()
            expect(page.get_by_label("Your message")).to_be_focused()
            page.get_by_role("button", name="Talk to a person").click()
            expect(page.locator("#waiting")).to_contain_text("in the queue")
            conversation_id = _latest_queued(base, demo)
            with staff_api(base, demo.agent_email, demo.password) as agent:
                conversation = agent.get(f"/api/v1/conversations/{conversation_id}").json()
                contact = agent.get(f"/api/v1/contacts/{conversation['contact_id']}").json()
            assert (contact["name"], contact["email"]) == ("Ada Lovelace", "ada@example.com")
        finally:
            context.close()
    assert errors == []


def test_a_settings_change_reaches_the_widget_without_a_redeploy(
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
            context = browser.new_context(viewport=DESKTOP)
            try:
                page = context.new_page()
                _watch_errors(page, errors)
                page.goto(shop)
                launcher = page.locator("#baton-widget-button")
                launcher.click()
                chat = page.frame_locator("#baton-widget-frame")
                expect(chat.locator(".chat-head")).to_have_css("background-color", DEFAULT_BLUE)
                expect(launcher).to_have_css("background-color", DEFAULT_BLUE)
                expect(chat.locator("#greeting")).to_contain_text("AI assistant")

                # The admin changes colour, greeting and corner; the widget already on the
                # page shows them when it is next opened - no reload, no redeploy.
                _widget_settings(
                    base,
                    demo,
                    brand_color="#0F766E",
                    greeting="Welcome to the shop! <b>Ask away</b>",
                    position="left",
                    suggested_topics=["Where is my card?"],
                )
                page.keyboard.press("Escape")
                expect(page.locator("#baton-widget-frame")).to_be_hidden()
                launcher.click()
                expect(chat.locator(".chat-head")).to_have_css("background-color", TEAL)
                # User text is shown as text, never as HTML.
                expect(chat.locator("#greeting")).to_have_text(
                    "Welcome to the shop! <b>Ask away</b>"
                )
                expect(chat.locator("#greeting b")).to_have_count(0)
                expect(chat.get_by_role("button", name="Where is my card?")).to_be_visible()
                expect(launcher).to_have_css("background-color", TEAL)
                box = page.locator("#baton-widget-frame").bounding_box()
                assert box is not None and box["x"] < DESKTOP["width"] / 2  # bottom left

                # Once the conversation runs, a change arrives over its live stream at once.
                chat.get_by_role("button", name="Talk to a person").click()
                expect(chat.locator("#waiting")).to_contain_text("in the queue")
                _widget_settings(base, demo, brand_color="#7c2d12", greeting="Hello again")
                expect(chat.locator(".chat-head")).to_have_css(
                    "background-color", "rgb(124, 45, 18)"
                )
                expect(chat.locator("#greeting")).to_have_text("Hello again")
            finally:
                context.close()
    assert errors == []


def test_the_chat_says_it_is_an_ai_links_the_privacy_policy_and_asks_consent(
    browser: Any, app: FastAPI, demo: DemoSummary
) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    errors: list[str] = []
    with serve_in_thread(app) as base:
        _widget_settings(
            base,
            demo,
            consent_required=True,
            privacy_policy_url="https://bank.example/privacy",
        )
        context = browser.new_context(viewport={"width": 390, "height": 780})
        try:
            page = context.new_page()
            _watch_errors(page, errors)
            page.goto(f"{base}/chat/{demo.inbox_public_id}")
            expect(page.locator("#ai-disclosure")).to_have_text(
                re.compile(r"^You are talking to an AI assistant, not a person\.")
            )
            expect(page.locator("#chat-avatar")).to_have_text("AI")
            link = page.get_by_role("link", name="Privacy policy")
            expect(link).to_have_attribute("href", "https://bank.example/privacy")
            expect(page.locator("#privacy-notice")).to_contain_text("We store this conversation")

            consent = page.get_by_label(re.compile("I agree that this conversation is stored"))
            expect(consent).not_to_be_checked()
            expect(page.get_by_label("Your name")).to_be_hidden()  # no pre-chat form asked
            page.get_by_role("button", name="Start chat").click()
            expect(page.locator("#prechat-error")).to_have_text(
                "Please agree to the privacy notice to start the chat."
            )
            consent.check()
            page.get_by_role("button", name="Start chat").click()
            expect(page.get_by_label("Your message")).to_be_visible()
            page.get_by_role("button", name="Talk to a person").click()
            expect(page.locator("#waiting")).to_contain_text("in the queue")
            expect(page.locator("#ai-disclosure")).to_be_visible()  # no person yet

            conversation_id = _latest_queued(base, demo)
            with staff_api(base, demo.agent_email, demo.password) as agent:
                taken = agent.post(f"/api/v1/conversations/{conversation_id}/take-over")
                assert taken.status_code == 200
                contact_id = agent.get(f"/api/v1/conversations/{conversation_id}").json()[
                    "contact_id"
                ]
            # A person has joined: their name and initials, and no more AI notice.
            expect(page.locator("#chat-state")).to_have_text("You are chatting with Tom Whitaker")
            expect(page.locator("#chat-avatar")).to_have_text("TW")
            expect(page.locator("#ai-disclosure")).to_be_hidden()
            with staff_api(base, demo.admin_email, demo.password) as admin:
                consents = admin.get(f"/api/v1/admin/privacy/contacts/{contact_id}/consents")
                assert consents.json()["chat"] is True
        finally:
            context.close()
    assert errors == []


def test_each_side_sees_the_other_typing(browser: Any, app: FastAPI, demo: DemoSummary) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    errors: list[str] = []
    with serve_in_thread(app) as base:
        customer_context = browser.new_context(viewport={"width": 390, "height": 780})
        agent_context = browser.new_context(viewport=DESKTOP)
        try:
            customer = customer_context.new_page()
            _watch_errors(customer, errors)
            customer.goto(f"{base}/chat/{demo.inbox_public_id}")
            customer.get_by_role("button", name="Talk to a person").click()
            expect(customer.locator("#waiting")).to_contain_text("in the queue")
            conversation_id = _latest_queued(base, demo)

            _sign_in(agent_context, base, demo)
            agent = agent_context.new_page()
            _watch_errors(agent, errors)
            agent.goto(f"{base}/console/conversations/{conversation_id}")
            expect(agent.locator("#live-status")).to_have_text("Live")

            customer.get_by_label("Your message").press_sequentially("my card was", delay=20)
            typing = agent.locator("#customer-typing")
            expect(typing).to_have_text("The customer is typing…")
            expect(typing).to_be_visible()
            # The console shows that someone types, never what.
            expect(agent.locator("#messages")).not_to_contain_text("my card was")

            agent.get_by_label("Message", exact=True).press_sequentially("Let me check", delay=20)
            expect(customer.locator("#agent-typing")).to_have_text("Tom Whitaker is typing…")
            expect(customer.locator("#chat-log")).not_to_contain_text("Let me check")
            agent.get_by_role("button", name="Send reply").click()
            expect(customer.locator(".msg.from-agent .bubble")).to_have_text("Let me check")
            expect(customer.locator(".msg.from-agent .who")).to_have_text("Tom Whitaker")
            expect(customer.locator("#agent-typing")).to_be_hidden()
        finally:
            customer_context.close()
            agent_context.close()
    assert errors == []


NOTIFICATION_SPY = """
(() => {
  const Real = window.Notification;
  if (!Real) return;
  window.shownNotifications = [];
  class Recorded extends Real {
    constructor(title, options) {
      super(title, options);
      window.shownNotifications.push({ title, body: options && options.body });
    }
  }
  window.Notification = Recorded;
})();
"""


def test_desktop_notifications_are_asked_with_a_button_and_unread_counts_in_the_title(
    browser: Any, app: FastAPI, demo: DemoSummary
) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    errors: list[str] = []
    with serve_in_thread(app) as base:
        context = browser.new_context(viewport=DESKTOP)
        try:
            _sign_in(context, base, demo)
            # What the agent answers in the browser's permission prompt (granted through the
            # DevTools protocol: headless Chromium shows no prompt to click).
            context.grant_permissions(["notifications"], origin=base)
            context.add_init_script(NOTIFICATION_SPY)
            page = context.new_page()
            _watch_errors(page, errors)
            page.goto(f"{base}/console")
            expect(page.locator("#live-status")).to_have_text("Live")
            expect(page).to_have_title("Conversations · Baton")
            button = page.get_by_role("button", name="Turn on desktop notifications")
            button.click()
            expect(page.locator("#alert-desktop")).to_have_text("Desktop notifications on")
            assert page.evaluate("Notification.permission") == "granted"

            # A customer asks for a person, then writes again while waiting.
            with httpx.Client(base_url=base, timeout=30) as customer:
                started = customer.post(
                    f"/api/v1/widget/inboxes/{demo.inbox_public_id}/conversations", json={}
                ).json()
                visitor = {"Authorization": f"Bearer {started['visitor_token']}"}
                conversation = f"/api/v1/widget/conversations/{started['conversation_id']}"
                assert customer.post(f"{conversation}/handoff", headers=visitor).status_code == 200
                expect(page).to_have_title("(1) Conversations · Baton")
                sent = customer.post(
                    f"{conversation}/messages", json={"body": "are you there?"}, headers=visitor
                )
                assert sent.status_code == 201
            expect(page).to_have_title("(2) Conversations · Baton")
            shown = page.evaluate("window.shownNotifications")
            assert shown[0] == {
                "title": "A customer is waiting",
                "body": f"Conversation #{started['conversation_id']}",
            }
            assert len(shown) == 2 and "are you there" not in str(shown)

            # Opening the conversation reads it: the count leaves the title.
            page.goto(f"{base}/console/conversations/{started['conversation_id']}")
            page.bring_to_front()
            expect(page).to_have_title("Conversations · Baton")
        finally:
            context.close()
    assert errors == []
