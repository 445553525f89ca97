"""A customer answers the bot's clarifying question in the chat widget: by clicking a quick
reply, or by typing "the second one"; a question about something the bank does not offer gets
an honest "we don't"."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI

from batondesk.demo.seed import seed_demo
from tests.support.live_server import serve_in_thread

pytestmark = pytest.mark.slow

PHONE = {"width": 390, "height": 780}
WAIT_MS = 15_000


@pytest.fixture
def chat(browser: Any, app: FastAPI) -> Iterator[Any]:
    """The demo's chat page on a phone; the test fails on any script error in the page."""
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    demo = seed_demo(app.state.db)
    errors: list[str] = []
    with serve_in_thread(app) as base:
        context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{base}/chat/{demo.inbox_public_id}")
        yield page
        context.close()
    assert not errors, errors


def _ask(page: Any, text: str) -> None:
    page.get_by_label("Your message").fill(text)
    page.get_by_label("Your message").press("Enter")


def test_customer_picks_a_choice_by_clicking_a_quick_reply(chat: Any) -> None:
    from playwright.sync_api import expect

    _ask(chat, "card")
    choices = chat.get_by_role("group", name="Choose one")
    expect(choices).to_be_visible()
    pick = choices.get_by_role("button", name="When will my new card arrive?")
    expect(pick).to_be_visible()
    expect(choices.get_by_role("button", name="Something else")).to_be_visible()
    pick.click()

    answer = chat.locator(".msg.from-bot").last
    expect(answer.locator(".sources")).to_contain_text("When will my new card arrive?")
    expect(answer).to_contain_text("working day")
    # The quick replies belonged to the question: they are gone once it is answered.
    expect(chat.get_by_role("group", name="Choose one")).to_have_count(0)


def test_customer_picks_a_choice_by_typing_the_second_one(chat: Any) -> None:
    from playwright.sync_api import expect

    _ask(chat, "card")
    choices = chat.get_by_role("group", name="Choose one").get_by_role("button")
    expect(choices.first).to_be_visible()
    second = choices.nth(1).inner_text()
    _ask(chat, "the second one")

    answer = chat.locator(".msg.from-bot").last
    expect(answer.locator(".sources")).to_contain_text(second)


def test_a_question_about_something_not_offered_gets_an_honest_reply(chat: Any) -> None:
    from playwright.sync_api import expect

    _ask(chat, "Can I get a mortgage?")
    reply = chat.locator(".msg.from-bot").last
    expect(reply).to_contain_text("We don't offer mortgages")
    expect(reply).not_to_contain_text("not sure I understood")
    # A person is still one click away.
    expect(chat.get_by_role("button", name="Talk to a person")).to_be_visible()
