"""An admin connects a webhook receiver from Admin > Integrations and watches the deliveries
arrive in the log; text from the endpoint stays text."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from batondesk.config import Settings
from tests.support.live_server import serve_in_thread
from tests.support.loopback_http import WebhookReceiver, serving
from tests.support.workspace import PASSWORD, Workspace

pytestmark = pytest.mark.slow


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "allow_private_destinations": True,
            "webhook_delivery_interval_seconds": 0.1,
            "webhook_retry_base_seconds": 0.1,
        }
    )


def test_admin_adds_a_webhook_and_reads_its_delivery_log(
    browser: Any, app: FastAPI, workspace: Workspace
) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=15_000)
    errors: list[str] = []
    receiver = WebhookReceiver(statuses=[500])
    with serving(receiver) as hooks, serve_in_thread(app) as base:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        try:
            page = context.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(f"{base}/console/admin/integrations")
            page.get_by_label("Work email").fill(workspace.a.users["admin"][1])
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Log in").click()
            expect(page.get_by_role("heading", name="Integrations", exact=True)).to_be_visible()
            expect(page.locator("#webhook-table")).to_contain_text("No endpoints yet.")

            page.get_by_label("URL").fill(hooks + "/events")
            page.get_by_label("Events").select_option(["conversation.opened"])
            page.get_by_label("Description").fill('<img src=x onerror="window.hacked=1">')
            page.get_by_role("button", name="Add endpoint").click()
            secret = page.locator("#webhook-secret code")
            expect(secret).to_be_visible()
            expect(page.locator("#webhook-status")).to_contain_text("not shown again")
            assert secret.inner_text().startswith("whsec_")

            # A customer starts a chat: the receiver fails once, then takes it.
            started = httpx.post(
                f"{base}/api/v1/widget/inboxes/{workspace.a.inbox_public_id}/conversations",
                json={},
            )
            assert started.status_code == 201
            deadline = time.monotonic() + 20
            while len(receiver.received) < 2:
                assert time.monotonic() < deadline, "the retry never came"
                time.sleep(0.1)
            event = json.loads(receiver.received[-1].body)
            assert event["type"] == "conversation.opened"

            page.reload()
            row = page.locator("#delivery-table tbody tr").first
            expect(row).to_contain_text("conversation.opened")
            expect(row).to_contain_text("delivered")
            expect(row).to_contain_text("HTTP 200")
            expect(page.locator("#webhook-table")).to_contain_text(
                '<img src=x onerror="window.hacked=1">'
            )
            assert page.evaluate("window.hacked") is None

            page.get_by_role("button", name="Pause").click()
            expect(page.get_by_role("button", name="Resume")).to_be_visible()
            expect(page.locator("#webhook-table")).to_contain_text("paused")
        finally:
            context.close()
    assert errors == []
