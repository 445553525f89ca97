"""An admin runs the account from the browser: people, escalation settings, knowledge base."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI

from batondesk.demo.seed import DemoSummary, seed_demo
from tests.support.live_server import serve_in_thread

pytestmark = pytest.mark.slow


@pytest.fixture
def demo(app: FastAPI) -> DemoSummary:
    return seed_demo(app.state.db)


def test_admin_adds_a_person_tunes_escalation_and_writes_an_article(
    browser: Any, app: FastAPI, demo: DemoSummary
) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=15_000)
    errors: list[str] = []
    with serve_in_thread(app) as base:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        try:
            page = context.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(f"{base}/console/admin")
            page.get_by_label("Work email").fill(demo.admin_email)
            page.get_by_label("Password").fill(demo.password)
            page.get_by_role("button", name="Log in").click()
            expect(page.get_by_role("heading", name="Agents & teams")).to_be_visible()

            page.get_by_text("Add a person").click()
            page.get_by_label("Name", exact=True).fill("Nina Novak")
            page.locator("#member-email").fill("nina.novak@batonbank.example")
            page.get_by_label("First password").fill("first-day-password")
            page.get_by_role("button", name="Add person").click()
            expect(page.locator("#members")).to_contain_text("nina.novak@batonbank.example")

            page.get_by_role("link", name="Escalation").click()
            threshold = page.locator("#escalation-form").get_by_label(
                "frustration threshold", exact=True
            )
            expect(threshold).to_have_value("0.45")
            threshold.fill("0.6")
            page.locator("#escalation-form").get_by_role("button", name="Save").click()
            expect(page.locator("#escalation-status")).to_have_text("Saved.")
            page.reload()
            expect(
                page.locator("#escalation-form").get_by_label("frustration threshold", exact=True)
            ).to_have_value("0.6")

            page.get_by_role("link", name="Knowledge base").click()
            page.get_by_text("New article").click()
            page.get_by_label("Title").fill("Opening hours of our branches")
            page.get_by_label("Slug").fill("branch-opening-hours")
            page.get_by_label("Body (Markdown)").fill("Branches open 9:00-17:00 on weekdays.")
            page.get_by_role("button", name="Save article").click()
            expect(page.locator("#kb-table")).to_contain_text("Opening hours of our branches")

            page.get_by_role("link", name="Inboxes & widget").click()
            # One snippet per inbox (the demo has a website and an app inbox).
            expect(page.locator(".snippet").first).to_be_visible()
            snippets = page.locator(".snippet").evaluate_all("boxes => boxes.map(b => b.value)")
            assert (
                f'<script src="{base}/widget.js" data-inbox="{demo.inbox_public_id}" async>'
                "</script>"
            ) in snippets
        finally:
            context.close()
    assert errors == []


def _log_in_as_admin(page: Any, base: str, demo: DemoSummary) -> None:
    from playwright.sync_api import expect

    page.goto(f"{base}/console/admin")
    page.get_by_label("Work email").fill(demo.admin_email)
    page.get_by_label("Password").fill(demo.password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Agents & teams")).to_be_visible()


def test_the_browser_checks_an_article_slug_before_sending_it(
    browser: Any, app: FastAPI, demo: DemoSummary
) -> None:
    """Chromium compiles `pattern` with the regex `v` flag, where a bare `-` in a class is a
    syntax error: the browser then ignores the pattern and says so on the console."""
    from playwright.sync_api import expect

    expect.set_options(timeout=15_000)
    console_messages: list[str] = []
    with serve_in_thread(app) as base:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        try:
            page = context.new_page()
            page.on("console", lambda msg: console_messages.append(msg.text))
            _log_in_as_admin(page, base, demo)
            page.get_by_role("link", name="Knowledge base").click()
            page.get_by_text("New article").click()
            slug = page.get_by_label("Slug")
            slug.fill("Opening Hours!")
            assert slug.evaluate("field => field.validity.patternMismatch") is True
            page.get_by_label("Title").fill("Opening hours")
            page.get_by_label("Body (Markdown)").fill("Branches open at nine.")
            page.get_by_role("button", name="Save article").click()
            expect(page.locator("#kb-table")).not_to_contain_text("Opening hours")
            slug.fill("opening-hours-2")
            assert slug.evaluate("field => field.validity.valid") is True
            page.get_by_role("button", name="Save article").click()
            expect(page.locator("#kb-table")).to_contain_text("Opening hours")
        finally:
            context.close()
    assert not [m for m in console_messages if "pattern" in m.lower()], console_messages
