"""A customer and an agent, each in their own browser, handle one conversation end to end:
what the customer says about the bot's answer reaches the agent live."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from batondesk.demo.seed import DemoSummary, seed_demo
from tests.support.live_server import serve_in_thread
from tests.support.website import website

pytestmark = pytest.mark.slow

PHONE = {"width": 390, "height": 780}
DESKTOP = {"width": 1440, "height": 900}
WAIT_MS = 15_000


@pytest.fixture
def demo(app: FastAPI) -> DemoSummary:
    return seed_demo(app.state.db)


def _watch_errors(page: Any, errors: list[str]) -> None:
    page.on("pageerror", lambda exc: errors.append(f"{page.url}: {exc}"))
    page.on(
        "console",
        lambda msg: errors.append(f"{page.url}: {msg.text}") if msg.type == "error" else None,
    )


def test_customer_asks_for_a_person_and_an_agent_resolves_it_live(
    browser: Any, app: FastAPI, demo: DemoSummary, screenshot_dir: Path
) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    errors: list[str] = []
    with serve_in_thread(app) as base:
        customer_context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
        agent_context = browser.new_context(viewport=DESKTOP)
        try:
            customer = customer_context.new_page()
            agent = agent_context.new_page()
            _watch_errors(customer, errors)
            _watch_errors(agent, errors)

            # The customer asks the bot; the answer cites its source.
            customer.goto(f"{base}/chat/{demo.inbox_public_id}")
            customer.get_by_label("Your message").fill("my card still hasn't arrived")
            customer.get_by_label("Your message").press("Enter")
            answer = customer.locator(".msg.from-bot").last
            # The first answer builds the knowledge index: allow a cold start on a busy machine.
            expect(answer.locator(".sources")).to_contain_text("card", timeout=90_000)
            expect(customer.locator("#typing")).to_be_hidden()

            # The agent logs in and watches the live queue.
            agent.goto(f"{base}/console")
            expect(agent).to_have_url(re.compile(r"/console/login\?next="))
            agent.get_by_label("Work email").fill(demo.agent_email)
            agent.get_by_label("Password").fill(demo.password)
            agent.get_by_role("button", name="Log in").click()
            expect(agent).to_have_url(f"{base}/console")
            expect(agent.locator("#live-status")).to_have_text("Live")
            expect(agent.locator("#list")).to_contain_text("Nobody is waiting")

            # "Talk to a person": the customer waits, the agent sees it arrive without reloading.
            customer.get_by_role("button", name="Talk to a person").click()
            expect(customer.locator("#waiting")).to_contain_text("number 1 in the queue")
            queued = agent.locator("#list a").first
            expect(queued).to_contain_text("explicit request")
            expect(queued).to_contain_text("SLA")
            expect(agent.locator("#count-queue")).to_have_text("1")

            # The conversation opens on the handoff packet.
            queued.click()
            packet = agent.locator("#packet")
            expect(packet).to_contain_text("Why a person is needed")
            expect(packet).to_contain_text("explicit request")
            expect(packet).to_contain_text("card arrival")
            expect(packet).to_contain_text("When will my new card arrive?")

            # The customer says the bot's answer helped; the agent sees it beside that answer
            # without reloading.
            customer.get_by_role("group", name="Did this answer your question?").get_by_role(
                "button", name="Yes"
            ).click()
            expect(customer.locator(".answer-thanks")).to_have_text("Thanks for letting us know.")
            verdict = agent.locator("#messages .message.bot .customer-feedback")
            expect(verdict).to_have_text("Customer: helpful")

            # The agent corrects the AI's intent label, then replies.
            agent.get_by_role("button", name="Correct the intent of this message").click()
            agent.get_by_label("Correct intent").fill("card_delivery_estimate")
            agent.get_by_role("button", name="Save").click()
            expect(agent.locator(".intent .corrected")).to_have_text("✓ card delivery estimate")
            reply = "Hi, Tom here. Your card was posted yesterday; it should arrive by Friday."
            agent.get_by_label("Message", exact=True).fill(reply)
            agent.get_by_role("button", name="Send reply").click()
            expect(agent.locator(".message.agent .body")).to_have_text(reply)
            expect(agent.locator("#thread-meta")).to_contain_text("assigned to you")
            note = "Dispatch log checked: posted on time."
            agent.get_by_label("Private note").check()
            agent.get_by_label("Message", exact=True).fill(note)
            agent.get_by_role("button", name="Add note").click()
            expect(agent.locator(".message.note .body")).to_have_text(note)
            agent.get_by_label("Reply to customer").check()
            availability = agent.locator("#availability")
            availability.click()
            expect(availability).to_have_attribute("aria-pressed", "true")
            expect(availability).to_have_text("Available")
            expect(agent.locator("#count-mine")).to_have_text("1")
            expect(agent.locator("#count-queue")).to_have_text("0")
            expect(agent.locator("#toast")).not_to_have_class(re.compile("show"))
            agent.screenshot(path=str(screenshot_dir / "console.png"))

            # The customer sees the reply live, and a reload resumes the same conversation.
            expect(customer.locator(".msg.from-agent .bubble")).to_have_text(reply)
            customer.screenshot(path=str(screenshot_dir / "widget.png"))
            expect(customer.locator("#chat-state")).to_have_text(
                "You are chatting with Tom Whitaker"
            )
            customer.reload()
            expect(customer.locator(".msg.from-agent .bubble")).to_have_text(reply)
            expect(customer.locator(".msg.from-customer")).to_have_count(1)
            expect(customer.locator("#chat-log")).not_to_contain_text(note)  # staff only

            # The agent resolves; the customer is asked to rate, and rates.
            agent.get_by_role("button", name="Resolve").click()
            expect(agent.locator("#thread-meta")).to_contain_text("Status: resolved")
            expect(customer.get_by_role("heading", name="How did we do?")).to_be_visible()
            customer.get_by_role("button", name="5 of 5: Very happy").click()
            customer.get_by_label("Comment (optional)").fill("Quick and clear, thanks!")
            customer.screenshot(path=str(screenshot_dir / "widget-rating.png"))
            customer.get_by_role("button", name="Send rating").click()
            expect(customer.locator("#rated")).to_have_text("Thank you for your feedback!")

            # What the agent saw and did is what the API recorded.
            expect(agent.locator("#thread-meta")).to_contain_text("CSAT 5/5")
            conversation_id = int(agent.url.rsplit("/", 1)[1])
            cookies = {c["name"]: c["value"] for c in agent_context.cookies()}
            with httpx.Client(base_url=base, cookies=cookies) as api:
                stored = api.get(f"/api/v1/conversations/{conversation_id}").json()
                messages = api.get(f"/api/v1/conversations/{conversation_id}/messages").json()
            assert stored["status"] == "resolved" and stored["csat_score"] == 5
            first = next(m for m in messages if m["sender_type"] == "customer")
            assert first["annotations"]["corrected_intent"]["intent"] == "card_delivery_estimate"
            assert first["annotations"]["intent"] == "card_arrival"  # the prediction is kept
            answered = [m for m in messages if m["customer_feedback"] is not None]
            assert [(m["sender_type"], m["customer_feedback"]) for m in answered] == [
                ("bot", {"helpful": True})
            ]
        finally:
            customer_context.close()
            agent_context.close()
    assert errors == []


def test_one_script_tag_embeds_the_widget(
    browser: Any, app: FastAPI, demo: DemoSummary, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    with serve_in_thread(app) as base:
        snippet = (
            f'<script src="{base}/widget.js" data-inbox="{demo.inbox_public_id}" async></script>'
        )
        page_html = f"<!doctype html><title>Shop</title><h1>A shop</h1>{snippet}"
        context = browser.new_context(viewport=PHONE)
        try:
            with website(tmp_path, page_html) as shop:
                page = context.new_page()
                page.goto(shop)
                launcher = page.get_by_role("button", name="Chat with us")
                launcher.click()
                chat = page.frame_locator("#baton-widget-frame")
                chat.get_by_label("Your message").fill("what exchange rate do you use")
                chat.get_by_label("Your message").press("Enter")
                expect(chat.locator(".msg.from-bot").last).to_contain_text("rate", timeout=90_000)
                frame_box = page.locator("#baton-widget-frame").bounding_box()
                assert frame_box is not None and frame_box["width"] == PHONE["width"]
                chat.get_by_role("button", name="Close chat").click()
                expect(page.locator("#baton-widget-frame")).to_be_hidden()
                expect(launcher).to_be_focused()
        finally:
            context.close()
