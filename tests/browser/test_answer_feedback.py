"""A customer tells the chat whether the bot's answers helped ("Did this answer your
question? Yes / No", with the mouse and with the keyboard), is thanked instead of asked again,
also after a reload, and the admin's Reports page counts what they said."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI

from tests.support.live_server import serve_in_thread
from tests.support.workspace import PASSWORD, Workspace

pytestmark = pytest.mark.slow

WAIT_MS = 15_000
PHONE = {"width": 390, "height": 780}


def test_the_customer_says_an_answer_helped_and_the_report_counts_it(
    browser: Any, app: FastAPI, workspace: Workspace
) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    errors: list[str] = []
    with serve_in_thread(app) as base:
        context = browser.new_context(viewport=PHONE)
        try:
            page = context.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(f"{base}/chat/{workspace.a.inbox_public_id}")
            message = page.get_by_label("Your message")
            answers = page.locator(".msg.from-bot:not(.intro)")

            message.fill("my card still hasn't arrived")
            message.press("Enter")
            first = answers.nth(0)
            expect(first.locator(".sources")).to_be_visible()
            asked = first.get_by_role("group", name="Did this answer your question?")
            expect(asked).to_be_visible()
            asked.get_by_role("button", name="Yes").click()
            expect(first.locator(".answer-thanks")).to_have_text("Thanks for letting us know.")
            expect(first.get_by_role("button", name="Yes")).to_have_count(0)

            # The next answer, from the keyboard: "No" is a real button.
            message.fill("I lost my card")
            message.press("Enter")
            second = answers.nth(1)
            no = second.get_by_role("group", name="Did this answer your question?").get_by_role(
                "button", name="No"
            )
            no.focus()
            page.keyboard.press("Enter")
            expect(second.locator(".answer-thanks")).to_contain_text("talk to a person")
            expect(message).to_be_focused()

            # Asked once per answer: a reload thanks instead of asking again.
            page.reload()
            expect(answers).to_have_count(2)
            expect(page.locator(".answer-thanks")).to_have_count(2)
            expect(page.locator(".answer-feedback")).to_have_count(0)

            admin = context.new_page()
            admin.on("pageerror", lambda exc: errors.append(str(exc)))
            admin.goto(f"{base}/console/admin/reports")
            admin.get_by_label("Work email").fill(workspace.a.users["admin"][1])
            admin.get_by_label("Password").fill(PASSWORD)
            admin.get_by_role("button", name="Log in").click()
            expect(admin.get_by_role("heading", name="Reports", exact=True)).to_be_visible()
            helped = admin.locator('[data-kpi="answers_helpful_share"]')
            expect(helped.locator(".kpi-name")).to_have_text("Answers customers said helped")
            expect(helped.locator(".kpi-value")).to_have_text("50.0%")
            expect(
                admin.locator('#answer-reviews [data-figure="customer-feedback"]')
            ).to_contain_text("1 yes, 1 no, of 2 answers with feedback")
        finally:
            context.close()
    assert errors == []
