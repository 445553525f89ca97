"""Files in the real Chromium: a customer attaches a photo with the chat's paperclip and sees
its preview; the agent sees the thumbnail in the console, opens the full image, and sends a
PDF back, which the customer gets as a download link; the sidebar lists the customer's
earlier conversations."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from batondesk.demo.seed import DemoSummary, seed_demo
from tests.support import files
from tests.support.live_server import serve_in_thread

pytestmark = pytest.mark.slow

WAIT_MS = 15_000
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 780}


@pytest.fixture
def demo(app: FastAPI) -> DemoSummary:
    return seed_demo(app.state.db)


def _loaded(image: Any) -> bool:
    return bool(image.evaluate("img => img.complete && img.naturalWidth > 0"))


def test_a_photo_from_the_customer_is_shown_to_the_agent(
    browser: Any, app: FastAPI, demo: DemoSummary, tmp_path: Path, screenshot_dir: Path
) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    errors: list[str] = []
    photo = tmp_path / "broken card.jpg"
    photo.write_bytes(files.photo_with_location((800, 600)))
    statement = tmp_path / "statement.pdf"
    statement.write_bytes(files.pdf())
    # Starting loads the language models: slow on a busy machine.
    with serve_in_thread(app, start_seconds=90) as base:
        customer_context = browser.new_context(viewport=PHONE)
        agent_context = browser.new_context(viewport=DESKTOP)
        try:
            customer = customer_context.new_page()
            customer.on("pageerror", lambda exc: errors.append(str(exc)))
            customer.goto(f"{base}/chat/{demo.inbox_public_id}")
            customer.get_by_role("button", name="Talk to a person").click()
            expect(customer.locator("#waiting")).to_contain_text("in the queue")

            # The paperclip opens the file chooser; the photo is sent at once.
            with customer.expect_file_chooser() as chooser:
                customer.get_by_role("button", name="Attach an image or PDF").click()
            chooser.value.set_files(str(photo))
            preview = customer.locator(".msg.from-customer .attachment-image img")
            expect(preview).to_have_attribute("alt", "Image: broken card.jpg")
            expect(preview).to_have_attribute("src", re.compile(r"^blob:"))
            customer.wait_for_function(
                "() => { const i = document.querySelector('.attachment-image img');"
                " return i && i.complete && i.naturalWidth > 0; }"
            )

            # A file the chat does not take is refused with the reason, and nothing is shown.
            fake = tmp_path / "invoice.png"
            fake.write_bytes(files.html_posing_as_png())
            with customer.expect_file_chooser() as chooser:
                customer.get_by_role("button", name="Attach an image or PDF").click()
            chooser.value.set_files(str(fake))
            expect(customer.locator("#chat-error")).to_contain_text("not one of the accepted types")
            expect(customer.locator(".attachment-image")).to_have_count(1)

            # The agent sees the thumbnail and opens the full image.
            response = agent_context.request.post(
                f"{base}/api/v1/auth/login",
                data={"email": demo.agent_email, "password": demo.password},
            )
            assert response.ok, response.text()
            agent = agent_context.new_page()
            agent.on("pageerror", lambda exc: errors.append(str(exc)))
            conversation_id = int(
                customer.evaluate(
                    "() => JSON.parse(localStorage.getItem("
                    f"'baton.chat.{demo.inbox_public_id}')).conversationId"
                )
            )
            agent.goto(f"{base}/console/conversations/{conversation_id}")
            thumbnail = agent.locator(".message.customer .attachment-image img")
            expect(thumbnail).to_have_attribute("alt", "Image sent: broken card.jpg")
            agent.wait_for_function(
                "() => { const i = document.querySelector("
                "'.message.customer .attachment-image img');"
                " return i && i.complete && i.naturalWidth > 0; }"
            )
            assert _loaded(thumbnail)
            assert thumbnail.evaluate("img => img.naturalWidth") <= 320
            with agent_context.expect_page() as opened:
                thumbnail.click()
            full = opened.value
            full.wait_for_load_state()
            assert re.search(r"/api/v1/attachments/\d+$", full.url), full.url
            assert full.evaluate("() => document.images[0].naturalWidth") == 800
            full.close()
            agent.screenshot(path=str(screenshot_dir / "console-attachment.png"))

            # The customer's history: this is their first conversation.
            expect(agent.locator("#customer-history")).to_contain_text(
                "First conversation with this customer."
            )

            # The agent replies with a PDF; the customer gets a download link, never a page.
            agent.get_by_label("Message", exact=True).fill("Here is your statement.")
            with agent.expect_file_chooser() as chooser:
                agent.get_by_role("button", name="Attach file").click()
            chooser.value.set_files(str(statement))
            expect(agent.locator(".message.agent .attachment-file")).to_contain_text(
                "statement.pdf"
            )
            link = customer.locator(".msg.from-agent .attachment-file")
            expect(link).to_contain_text("statement.pdf")
            expect(customer.locator(".msg.from-agent .bubble")).to_have_text(
                "Here is your statement."
            )
            with customer.expect_download() as download:
                link.click()
            assert download.value.suggested_filename == "statement.pdf"
            assert Path(download.value.path()).read_bytes() == statement.read_bytes()
            customer.screenshot(path=str(screenshot_dir / "widget-attachment.png"))
        finally:
            customer_context.close()
            agent_context.close()
    assert errors == []
