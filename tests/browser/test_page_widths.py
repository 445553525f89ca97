"""Every page an agent or admin can reach from the console's navigation fits a 1024x768 laptop
screen: no page scrolls sideways, in the light scheme or the dark one."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi import FastAPI

from batondesk.demo.seed import DemoSummary, seed_demo
from batondesk.web.navigation import ADMIN_SECTIONS, LEARNING_TABS, TOP_NAVIGATION
from tests.support.live_server import serve_in_thread

pytestmark = pytest.mark.slow

WAIT_MS = 15_000
LAPTOP = {"width": 1024, "height": 768}
NAVIGATION_LINKS = ".topnav a, .admin-nav a, .learning-tabs a"

# Counts the page's API calls still in flight, so a page is measured once its scripts have
# filled it (the live-update stream never ends, so "network idle" never comes).
COUNT_FETCHES = """
window.__pendingFetches = 0;
const originalFetch = window.fetch;
window.fetch = async (...args) => {
  window.__pendingFetches += 1;
  try { return await originalFetch(...args); } finally { window.__pendingFetches -= 1; }
};
"""
# The outermost elements that reach past the right edge of the window, as "tag#id.class".
OVERFLOWING = """
() => {
  const limit = window.innerWidth;
  const name = (e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
    + [...e.classList].map((c) => "." + c).join("");
  const found = [];
  for (const element of document.body.querySelectorAll("*")) {
    const box = element.getBoundingClientRect();
    if (box.width === 0 || box.right <= limit + 1) continue;
    if (found.some((outer) => outer.contains(element))) continue;
    found.push(element);
  }
  const edge = (e) => Math.round(e.getBoundingClientRect().right);
  return found.slice(0, 8).map((e) => `${name(e)} (right edge ${edge(e)})`);
}
"""


@pytest.fixture
def demo(app: FastAPI) -> DemoSummary:
    return seed_demo(app.state.db)


def _a_customer_waiting(base: str, inbox: str) -> str:
    """A handed-over conversation, so the console also shows an open thread with its packet."""
    with httpx.Client(base_url=base, timeout=30) as api:
        started = api.post(f"/api/v1/widget/inboxes/{inbox}/conversations", json={}).json()
        visitor = {"Authorization": f"Bearer {started['visitor_token']}"}
        path = f"/api/v1/widget/conversations/{started['conversation_id']}"
        sent = api.post(
            f"{path}/messages",
            json={"body": "My card was charged twice for the same order, please help."},
            headers=visitor,
        )
        assert sent.status_code == 201, sent.text
        assert api.post(f"{path}/handoff", headers=visitor).status_code == 200
    return f"/console/conversations/{started['conversation_id']}"


def _settled(page: Any) -> None:
    page.wait_for_load_state("load")
    page.wait_for_function("() => window.__pendingFetches === 0", timeout=WAIT_MS)
    page.wait_for_timeout(150)  # the scripts draw what the last answer brought


def _sideways_scroll(page: Any) -> str | None:
    """What sticks out when the page scrolls sideways (None when it fits)."""
    width = page.evaluate("document.documentElement.scrollWidth")
    if width <= page.evaluate("window.innerWidth"):
        return None
    return f"{width} px wide: " + ", ".join(page.evaluate(OVERFLOWING))


def test_no_page_scrolls_sideways_on_a_laptop(
    browser: Any, app: FastAPI, demo: DemoSummary
) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    errors: list[str] = []
    with serve_in_thread(app) as base:
        open_conversation = _a_customer_waiting(base, demo.inbox_public_id)
        context = browser.new_context(viewport=LAPTOP, color_scheme="light")
        try:
            page = context.new_page()
            page.add_init_script(COUNT_FETCHES)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(f"{base}/console/login")
            page.get_by_label("Work email").fill(demo.admin_email)
            page.get_by_label("Password").fill(demo.password)
            page.get_by_role("button", name="Log in").click()
            expect(page).to_have_url(f"{base}/console")

            # Every page the navigation links to, followed link by link from the console.
            to_visit, seen = ["/console", open_conversation], set()
            too_wide: dict[str, str] = {}
            while to_visit:
                path = to_visit.pop(0)
                if path in seen:
                    continue
                seen.add(path)
                page.goto(f"{base}{path}")
                _settled(page)
                path = urlsplit(page.url).path  # /console/admin opens its first section
                seen.add(path)
                for scheme in ("light", "dark"):
                    page.emulate_media(color_scheme=scheme)
                    expect(page.locator("html")).to_have_attribute("data-theme", scheme)
                    if problem := _sideways_scroll(page):
                        too_wide[f"{path} ({scheme})"] = problem
                links = page.locator(NAVIGATION_LINKS).evaluate_all(
                    "links => links.map(a => a.getAttribute('href'))"
                )
                to_visit += [link for link in links if link not in seen]
        finally:
            context.close()

    expected = {path for _, path, _ in TOP_NAVIGATION + LEARNING_TABS}
    expected |= {f"/console/admin/{key}" for key, _ in ADMIN_SECTIONS}
    assert expected <= seen, f"not reached from the navigation: {sorted(expected - seen)}"
    assert too_wide == {}, "\n".join(f"{page}: {why}" for page, why in too_wide.items())
    assert errors == []
