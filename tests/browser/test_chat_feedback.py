"""What the customer is told in the chat: when the network is down, when a pasted message is
too long, when a person hands back to the AI, and the rating that must not get lost."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI

from batondesk.demo.seed import DemoSummary, seed_demo
from tests.support.live_server import agent_api, serve_in_thread

pytestmark = pytest.mark.slow

WAIT_MS = 15_000
PHONE = {"width": 390, "height": 780}


@pytest.fixture
def demo(app: FastAPI) -> DemoSummary:
    return seed_demo(app.state.db)


def test_network_errors_and_long_messages_are_explained(
    browser: Any, app: FastAPI, demo: DemoSummary
) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    with serve_in_thread(app) as base:
        context = browser.new_context(viewport=PHONE)
        try:
            page = context.new_page()
            page.goto(f"{base}/chat/{demo.inbox_public_id}")
            message = page.get_by_label("Your message")

            context.set_offline(True)
            message.fill("is anyone there?")
            message.press("Enter")
            error = page.locator("#chat-error")
            expect(error).to_contain_text("could not reach")
            expect(error).not_to_contain_text("Failed to fetch")
            expect(message).to_have_value("is anyone there?")  # kept to send again
            context.set_offline(False)

            # A paste of 10,000 characters is kept whole, with the limit explained; nothing
            # is sent and nothing is silently cut.
            message.fill("")
            message.focus()
            page.keyboard.insert_text("a" * 10_000)
            expect(message).to_have_js_property("value", "a" * 10_000)
            notice = page.locator("#chat-length")
            expect(notice).to_contain_text("10,000 characters; the limit is 5,000")
            message.press("Enter")
            expect(page.locator(".msg.from-customer")).to_have_count(0)
            expect(message).to_have_js_property("value", "a" * 10_000)
            message.fill("a" * 4_000)
            expect(notice).to_be_hidden()
        finally:
            context.close()


def test_hand_back_is_announced_and_the_rating_survives_writing_again(
    browser: Any, app: FastAPI, demo: DemoSummary
) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    with serve_in_thread(app) as base:
        context = browser.new_context(viewport=PHONE)
        try:
            page = context.new_page()
            page.goto(f"{base}/chat/{demo.inbox_public_id}")
            page.get_by_role("button", name="Talk to a person").click()
            expect(page.locator("#waiting")).to_contain_text("in the queue")
            with agent_api(base, demo) as agent:
                queued = agent.get("/api/v1/queue").json()["data"]
                conversation_id = max(c["id"] for c in queued)
                path = f"/api/v1/conversations/{conversation_id}"
                assert agent.post(f"{path}/take-over").status_code == 200
                expect(page.locator("#chat-state")).to_have_text(
                    "You are chatting with Tom Whitaker"
                )
                assert agent.post(f"{path}/hand-back").status_code == 200
                expect(page.locator(".msg.from-system").last).to_contain_text(
                    "handed this conversation back to the assistant"
                )
                expect(page.get_by_role("button", name="Talk to a person")).to_be_visible()

                page.get_by_role("button", name="Talk to a person").click()
                expect(page.locator("#waiting")).to_contain_text("in the queue")
                assert agent.post(f"{path}/resolve").status_code == 200
                expect(page.get_by_role("heading", name="How did we do?")).to_be_visible()

                # The customer writes once more instead of rating: the rating stays on offer.
                page.get_by_label("Your message").fill("thanks")
                page.get_by_label("Your message").press("Enter")
                expect(page.locator(".msg.from-customer").last).to_contain_text("thanks")
                expect(page.get_by_role("heading", name="How did we do?")).to_be_visible()
                page.get_by_role("button", name="4 of 5: Happy").click()
                page.get_by_role("button", name="Send rating").click()
                expect(page.locator("#chat-error")).to_be_hidden()
                expect(page.locator("#rated")).to_be_visible()
                expect(page.locator("#rated")).to_have_text("Thank you for your feedback!")
                assert agent.get(path).json()["csat_score"] == 4
        finally:
            context.close()
