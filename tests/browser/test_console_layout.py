"""The console at the sizes agents use it: a 1024x768 laptop and a 390 px phone; what the
queue shows right after login; what the login form says."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from batondesk.demo.seed import DemoSummary, seed_demo
from tests.support.live_server import serve_in_thread

pytestmark = pytest.mark.slow

WAIT_MS = 15_000
LAPTOP = {"width": 1024, "height": 768}
PHONE = {"width": 390, "height": 780}
LONG_REFERENCE = "REF-" + "7F3A9C" * 30  # a pasted token with no break opportunity

# Records every moment the queue's badge and its list disagree (a count above zero beside
# "Nobody is waiting"), however briefly.
WATCH_QUEUE = """
window.__queueMismatches = [];
new MutationObserver(() => {
  const count = document.getElementById("count-queue");
  const list = document.getElementById("list");
  if (!count || !list) return;
  if (Number(count.textContent) > 0 && list.textContent.includes("Nobody is waiting")) {
    window.__queueMismatches.push(count.textContent);
  }
}).observe(document, { subtree: true, childList: true, characterData: true });
"""

# Words of table cells that the browser split across two lines (a break after a hyphen is
# ordinary typography, so each hyphenated part counts as a word).
BROKEN_WORDS = """
() => {
  const broken = [];
  for (const cell of document.querySelectorAll("table td, table th")) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const re = /[^\\s-]+-?/g;
      let match;
      while ((match = re.exec(node.data))) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
        if (lines.size > 1) broken.push(match[0]);
      }
    }
  }
  return broken;
}
"""


@pytest.fixture
def demo(app: FastAPI) -> DemoSummary:
    return seed_demo(app.state.db)


def _customers_waiting(base: str, inbox: str, count: int) -> int:
    """`count` customers ask for a person; the last also pastes a long reference. Returns the
    last conversation's id."""
    conversation_id = 0
    with httpx.Client(base_url=base, timeout=30) as api:
        for _ in range(count):
            started = api.post(f"/api/v1/widget/inboxes/{inbox}/conversations", json={}).json()
            conversation_id = started["conversation_id"]
            visitor = {"Authorization": f"Bearer {started['visitor_token']}"}
            path = f"/api/v1/widget/conversations/{conversation_id}"
            assert api.post(f"{path}/handoff", headers=visitor).status_code == 200
        sent = api.post(
            f"{path}/messages", json={"body": f"My reference is {LONG_REFERENCE}"}, headers=visitor
        )
        assert sent.status_code == 201, sent.text
    return conversation_id


def _log_in(page: Any, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/console")
    page.get_by_label("Work email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_console_at_1024x768_after_login(browser: Any, app: FastAPI, demo: DemoSummary) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    with serve_in_thread(app) as base:
        last = _customers_waiting(base, demo.inbox_public_id, 3)
        context = browser.new_context(viewport=LAPTOP)
        try:
            page = context.new_page()
            page.add_init_script(WATCH_QUEUE)
            _log_in(page, base, demo.agent_email, demo.password)
            expect(page.locator("#count-queue")).to_have_text("3")
            expect(page.locator("#list a")).to_have_count(3)
            assert page.evaluate("window.__queueMismatches") == []

            page.goto(f"{base}/console/conversations/{last}")
            summary = page.locator("#packet section").first
            expect(summary).to_contain_text(LONG_REFERENCE[:40])
            fits = summary.evaluate("s => s.scrollWidth <= s.clientWidth")
            assert fits, "the summary's text runs out of its card"
            pane = page.locator("#packet").bounding_box()
            card = summary.bounding_box()
            assert pane and card and card["x"] + card["width"] <= pane["x"] + pane["width"] + 1

            # The reply box is on screen without scrolling the page.
            box = page.get_by_label("Message", exact=True).bounding_box()
            assert box is not None
            assert box["y"] >= 0 and box["y"] + box["height"] <= LAPTOP["height"], box
            assert page.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"]

            # A 10,000-character paste is kept whole and refused with the limit named, not cut
            # to 5,000 without a word.
            composer = page.get_by_label("Message", exact=True)
            composer.focus()
            page.keyboard.insert_text("b" * 10_000)
            expect(composer).to_have_js_property("value", "b" * 10_000)
            page.get_by_role("button", name="Send reply").click()
            expect(page.locator("#toast")).to_contain_text("the limit is 5000")
            expect(composer).to_have_js_property("value", "b" * 10_000)
        finally:
            context.close()


def test_console_on_a_phone(browser: Any, app: FastAPI, demo: DemoSummary) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    with serve_in_thread(app) as base:
        context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
        try:
            page = context.new_page()
            _log_in(page, base, demo.admin_email, demo.password)
            expect(page.locator("#live-status")).to_have_text("Live")
            for path in ("/console", "/console/admin/team", "/console/admin/knowledge"):
                page.goto(f"{base}{path}")
                log_out = page.get_by_role("button", name="Log out")
                expect(log_out).to_be_visible()
                box = log_out.bounding_box()
                assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], path
                assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
                assert page.evaluate(BROKEN_WORDS) == [], path
        finally:
            context.close()


def test_login_explains_what_is_wrong(browser: Any, app: FastAPI, demo: DemoSummary) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    with serve_in_thread(app) as base:
        context = browser.new_context(viewport=LAPTOP)
        try:
            page = context.new_page()
            page.goto(f"{base}/console/login")
            page.get_by_role("button", name="Log in").click()
            error = page.locator("#login-error")
            expect(error).to_have_text("Enter your work email.")
            expect(page.get_by_label("Work email")).to_be_focused()
            page.get_by_label("Work email").fill(demo.agent_email)
            page.get_by_role("button", name="Log in").click()
            expect(error).to_have_text("Enter your password.")

            context.set_offline(True)
            page.get_by_label("Password").fill(demo.password)
            page.get_by_role("button", name="Log in").click()
            expect(error).to_contain_text("Could not reach the server")
            expect(error).not_to_contain_text("Failed to fetch")
            context.set_offline(False)
            page.get_by_role("button", name="Log in").click()
            expect(page).to_have_url(f"{base}/console")
        finally:
            context.close()
