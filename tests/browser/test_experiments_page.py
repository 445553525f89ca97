"""An admin reads the Experiments page in a real browser: a running experiment with each
arm's rate and interval, the conversations each arm still needs, the sample-ratio check and
the verdict so far; a draft beside it; and, once stopped, the reason."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.experiments.test_experiments_api import greeting_experiment
from tests.support.live_server import serve_in_thread
from tests.support.workspace import PASSWORD, Workspace, login, say, start_chat

pytestmark = pytest.mark.slow

URL = "/api/v1/admin/experiments"


def test_admin_reads_an_experiments_results(
    browser: Any, app: FastAPI, workspace: Workspace, screenshot_dir: Path
) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=15_000)
    with TestClient(app) as admin, TestClient(app) as customers:
        login(admin, workspace.a.users["admin"][1])
        assert admin.post(URL, json=greeting_experiment()).status_code == 201
        assert admin.post(f"{URL}/warm-greeting/start").status_code == 200
        draft = greeting_experiment(key="risk-level", name="Answer with more risk")
        assert admin.post(URL, json=draft).status_code == 201
        for _ in range(10):
            conversation_id, visitor = start_chat(customers, workspace.a.inbox_public_id)
            say(customers, conversation_id, visitor, "hello")
        arms = admin.get(f"{URL}/warm-greeting").json()["results"]["arms"]
        conversations = {arm["key"]: arm["conversations"] for arm in arms}
    assert sum(conversations.values()) == 10

    errors: list[str] = []
    with serve_in_thread(app) as base:
        context = browser.new_context(viewport={"width": 1280, "height": 1000})
        try:
            page = context.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("console", lambda m: m.type == "error" and errors.append(m.text))
            page.goto(f"{base}/console/admin")
            page.get_by_label("Work email").fill(workspace.a.users["admin"][1])
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Log in").click()
            page.get_by_role("link", name="Experiments").click()
            expect(page.get_by_role("heading", name="Experiments", exact=True)).to_be_visible()

            running = page.locator("#experiment-warm-greeting")
            expect(running.locator('[data-role="status"]')).to_have_text("running")
            for arm, count in conversations.items():
                row = running.locator(f'[data-arm="{arm}"]')
                # Each arm's conversations against what it needs for 80% power.
                expect(row.locator('[data-role="needed"]')).to_contain_text(f"{count} of ")
                expect(row.locator('[data-role="interval"]')).to_contain_text("% – ")
            expect(running.locator('[data-arm="warm"]')).to_contain_text("greeting = Hi there")
            expect(running.locator('[data-role="verdict"]')).to_have_text(
                "Not yet conclusive: keep running"
            )
            expect(running.locator('[data-role="srm"]')).to_contain_text(
                "Sample ratio: as expected"
            )
            expect(running.locator('[data-role="guardrails"]')).to_contain_text("holding")
            expect(page.locator("#experiment-risk-level")).to_contain_text("Draft: 2 variants")
            page.screenshot(path=str(screenshot_dir / "experiments.png"), full_page=True)

            with TestClient(app) as admin:
                login(admin, workspace.a.users["admin"][1])
                stop = admin.post(f"{URL}/warm-greeting/stop", json={"reason": "seen enough"})
                assert stop.status_code == 200
            page.reload()
            expect(running.locator('[data-role="status"]')).to_have_text("stopped")
            expect(running.locator('[data-role="stop-reason"]')).to_have_text("seen enough")
        finally:
            context.close()
    assert errors == []
