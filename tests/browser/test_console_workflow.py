"""The agents' day-one workflow in the real browser: finding a conversation by a word the
customer wrote and by their email, inserting a canned response by its shortcut with the
keyboard, assigning a conversation to a teammate who then finds it under "Mine"; the new
controls fit a 1024x768 laptop and a 390 px phone."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from batondesk.api.identity import sign_identity
from batondesk.demo.seed import DemoSummary, seed_demo
from batondesk.store.models import Inbox
from tests.support.live_server import serve_in_thread

pytestmark = pytest.mark.slow

WAIT_MS = 15_000
LAPTOP = {"width": 1024, "height": 768}
PHONE = {"width": 390, "height": 780}
EMAIL = "priya.raman@example.org"
TEAMMATE = ("Lucía Romero", "lucia.romero@batonbank.example")


@pytest.fixture
def demo(app: FastAPI) -> DemoSummary:
    return seed_demo(app.state.db)


def _customer(app: FastAPI, base: str, inbox: str, text: str, identity: dict | None = None) -> int:  # type: ignore[type-arg]
    """A customer (identified by the website when `identity` is given) asks for a person and
    writes `text`; returns the conversation id."""
    body = {}
    if identity is not None:
        with app.state.db.session() as session:
            secret = session.scalars(select(Inbox).where(Inbox.public_id == inbox)).one()
            token = sign_identity(
                {**identity, "exp": int(time.time()) + 600}, secret.identity_secret
            )
        body = {"identity_token": token}
    with httpx.Client(base_url=base, timeout=30) as api:
        started = api.post(f"/api/v1/widget/inboxes/{inbox}/conversations", json=body).json()
        conversation_id = started["conversation_id"]
        visitor = {"Authorization": f"Bearer {started['visitor_token']}"}
        path = f"/api/v1/widget/conversations/{conversation_id}"
        assert api.post(f"{path}/handoff", headers=visitor).status_code == 200
        sent = api.post(f"{path}/messages", json={"body": text}, headers=visitor)
        assert sent.status_code == 201, sent.text
    return int(conversation_id)


def _log_in(page: Any, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/console")
    page.get_by_label("Work email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/console")


def _no_sideways_scroll(page: Any, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_search_finds_a_message_word_and_a_customer_email(
    browser: Any, app: FastAPI, demo: DemoSummary
) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    with serve_in_thread(app) as base:
        priya = _customer(
            app,
            base,
            demo.inbox_public_id,
            "The parcel with the flamingo stamp never came",
            {"external_id": "c-priya", "name": "Priya Raman", "email": EMAIL},
        )
        _customer(app, base, demo.inbox_public_id, "hello, is anyone there?")
        context = browser.new_context(viewport=LAPTOP)
        try:
            page = context.new_page()
            _log_in(page, base, demo.agent_email, demo.password)
            expect(page.locator("#count-queue")).to_have_text("2")

            # "/" jumps to the search box; a word of the customer's message finds it.
            page.locator("body").press("/")
            search = page.get_by_role("searchbox", name="Search conversations")
            expect(search).to_be_focused()
            search.fill("Flamingo")
            search.press("Enter")
            results = page.locator("#list a")
            expect(results).to_have_count(1)
            expect(results.first).to_have_attribute("href", f"/console/conversations/{priya}")
            expect(results.first).to_contain_text("Priya Raman")
            expect(page.locator("#search-summary")).to_contain_text("1 conversation")

            # So does the customer's email, though it is sealed in the database.
            search.fill(EMAIL)
            search.press("Enter")
            expect(results).to_have_count(1)
            expect(results.first).to_have_attribute("href", f"/console/conversations/{priya}")

            # A word nobody wrote finds nothing; clearing brings the queue back.
            search.fill("walrus")
            search.press("Enter")
            expect(page.locator("#list")).to_contain_text("No conversation matches")
            page.get_by_role("button", name="Clear search").click()
            expect(results).to_have_count(2)

            # The filters fit the laptop and the phone without sideways scrolling.
            page.get_by_text("Filters").click()
            expect(page.locator("select[name=assignee_id] option")).not_to_have_count(1)
            _no_sideways_scroll(page, LAPTOP["width"])
            page.set_viewport_size(PHONE)
            _no_sideways_scroll(page, PHONE["width"])
        finally:
            context.close()


def test_canned_response_inserted_by_its_shortcut_with_the_keyboard(
    browser: Any, app: FastAPI, demo: DemoSummary
) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    with serve_in_thread(app) as base:
        priya = _customer(
            app,
            base,
            demo.inbox_public_id,
            "I was charged twice for my groceries",
            {"external_id": "c-priya", "name": "Priya Raman", "email": EMAIL},
        )
        context = browser.new_context(viewport=LAPTOP)
        try:
            page = context.new_page()
            _log_in(page, base, demo.agent_email, demo.password)
            page.goto(f"{base}/console/conversations/{priya}")
            expect(page.locator("#workflow")).to_be_visible()
            composer = page.get_by_label("Message", exact=True)
            composer.click()
            page.keyboard.type("/ref")
            offers = page.get_by_role("listbox", name="Canned responses")
            expect(offers).to_be_visible()
            expect(offers.get_by_role("option")).to_have_count(1)
            expect(offers.get_by_role("option").first).to_contain_text("/refund")
            page.keyboard.press("Enter")
            # Filled from the customer's profile: her first name, not a placeholder.
            expect(composer).to_have_value(
                "Hi Priya, I've started the refund: you'll see it on your account within 5 "
                "working days. Is there anything else I can help with?"
            )
            expect(offers).to_be_hidden()

            # Choosing among several with the arrow keys; typed text around it is kept.
            composer.fill("")
            page.keyboard.type("Thanks! /")
            expect(offers.get_by_role("option")).to_have_count(3)
            page.keyboard.press("ArrowDown")
            page.keyboard.press("ArrowDown")
            expect(offers.get_by_role("option", selected=True)).to_contain_text("/thanks")
            page.keyboard.press("Tab")
            expect(composer).to_have_value(
                "Thanks! Thanks for getting in touch, Priya. Have a good day!"
            )
            # Escape closes an offer without inserting anything.
            page.keyboard.type(" /card")
            expect(offers).to_be_visible()
            page.keyboard.press("Escape")
            expect(offers).to_be_hidden()
            expect(composer).to_have_value(
                "Thanks! Thanks for getting in touch, Priya. Have a good day! /card"
            )

            # Shortcuts never fire while typing: "?" and "e" are text in the reply box.
            page.keyboard.type(" e?")
            expect(page.locator("#shortcuts")).not_to_be_visible()
            expect(page.locator("[data-action=resolve]")).to_be_visible()
            # Outside a field, "?" lists them and "r" goes back to the reply box.
            page.locator("#thread-title").click()
            page.keyboard.press("?")
            expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
            page.keyboard.press("Escape")
            page.keyboard.press("r")
            expect(composer).to_be_focused()
        finally:
            context.close()


def test_assign_to_a_teammate_who_sees_it_under_mine(
    browser: Any, app: FastAPI, demo: DemoSummary, screenshot_dir: Path
) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    with serve_in_thread(app) as base:
        conversation_id = _customer(
            app, base, demo.inbox_public_id, "My card was swallowed by an ATM in Leeds"
        )
        tom = browser.new_context(viewport=LAPTOP)
        lucia = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
        try:
            page = tom.new_page()
            _log_in(page, base, demo.agent_email, demo.password)
            page.goto(f"{base}/console/conversations/{conversation_id}")
            assignee = page.get_by_label("Assignee", exact=True)
            expect(assignee.locator("option", has_text=TEAMMATE[0])).to_have_count(1)
            assignee.select_option(label=TEAMMATE[0])
            expect(page.locator("#toast")).to_contain_text(f"Assigned to {TEAMMATE[0]}")
            # The thread records the change as an activity line.
            expect(page.locator(".message.activity")).to_contain_text(
                f"You assigned it to {TEAMMATE[0]}"
            )
            expect(page.locator("#thread-meta")).to_contain_text("assigned to another agent")

            # Tags and priority sit beside it; still no sideways scroll, reply box on screen.
            page.get_by_label("Add a tag").fill("card")
            page.get_by_role("button", name="Add", exact=True).click()
            expect(page.locator("#wf-tags")).to_contain_text("card")
            page.get_by_label("Priority", exact=True).select_option("high")
            expect(page.locator(".message.activity")).to_contain_text(["priority to high"])
            _no_sideways_scroll(page, LAPTOP["width"])
            box = page.get_by_label("Message", exact=True).bounding_box()
            assert box is not None and box["y"] + box["height"] <= LAPTOP["height"], box
            page.screenshot(path=str(screenshot_dir / "console-workflow.png"))

            # The teammate, on her phone, finds it under "Mine".
            phone = lucia.new_page()
            _log_in(phone, base, TEAMMATE[1], demo.password)
            phone.get_by_role("tab", name="Mine").click()
            mine = phone.locator("#list a")
            expect(mine).to_have_count(1)
            expect(mine.first).to_have_attribute(
                "href", f"/console/conversations/{conversation_id}"
            )
            expect(phone.locator("#count-mine")).to_have_text("1")
            expect(mine.first).to_contain_text("card")
            _no_sideways_scroll(phone, PHONE["width"])
            mine.first.click()
            expect(phone.locator("#workflow")).to_be_visible()
            _no_sideways_scroll(phone, PHONE["width"])
            phone.screenshot(
                path=str(screenshot_dir / "console-workflow-phone.png"), full_page=True
            )
        finally:
            tom.close()
            lucia.close()
