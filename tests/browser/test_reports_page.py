"""An admin reads the Reports page in a real browser: judges bot answers in a conversation and
on the Answer reviews page, sees the answer precision, cost and sentiment they give, changes
the period and the breakdown, drills into a number to the conversations behind it, and
downloads the CSV."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.support.live_server import serve_in_thread
from tests.support.workspace import PASSWORD, Workspace, login, say, start_chat

pytestmark = pytest.mark.slow


def _conversations(app: FastAPI, workspace: Workspace) -> dict[str, list[int]]:
    """Customers write through the widget; an agent answers and resolves in the console."""
    inbox = workspace.a.inbox_public_id
    contained, handed = [], []
    with TestClient(app) as customers, TestClient(app) as agent:
        login(agent, workspace.a.users["agent"][1])
        for question in ("my card still hasn't arrived", "I lost my card"):
            conversation_id, visitor = start_chat(customers, inbox)
            say(customers, conversation_id, visitor, question)
            contained.append(conversation_id)
        conversation_id, visitor = start_chat(customers, inbox)
        say(customers, conversation_id, visitor, "my card still hasn't arrived")
        say(customers, conversation_id, visitor, "I want to talk to a real person please")
        handed.append(conversation_id)
        reply = agent.post(
            f"/api/v1/conversations/{conversation_id}/messages", json={"body": "Checking."}
        )
        assert reply.status_code == 201
        for resolved in (contained[0], conversation_id):
            assert agent.post(f"/api/v1/conversations/{resolved}/resolve").status_code == 200
        rated = customers.post(
            f"/api/v1/widget/conversations/{conversation_id}/csat",
            json={"score": 5},
            headers=visitor,
        )
        assert rated.status_code == 200
    with TestClient(app) as admin:
        # Every answer is drawn into the review sample, so the test knows what it lists.
        login(admin, workspace.a.users["admin"][1])
        shared = admin.put("/api/v1/admin/settings/answer-reviews", json={"sample_share": 1})
        assert shared.status_code == 200
    return {"contained": contained, "handed": handed}


def test_admin_reads_filters_drills_into_and_downloads_a_report(
    browser: Any, app: FastAPI, workspace: Workspace, screenshot_dir: Path
) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=15_000)
    made = _conversations(app, workspace)
    today = date.today()
    errors: list[str] = []
    with serve_in_thread(app) as base:
        context = browser.new_context(viewport={"width": 1280, "height": 1000})
        try:
            page = context.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("console", lambda m: m.type == "error" and errors.append(m.text))
            page.goto(f"{base}/console/admin/reports")
            page.get_by_label("Work email").fill(workspace.a.users["admin"][1])
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Log in").click()
            expect(page.get_by_role("heading", name="Reports", exact=True)).to_be_visible()

            # In the conversation, the admin marks the bot's answer wrong: it is outdated.
            page.goto(f"{base}/console/conversations/{made['contained'][0]}")
            answer = page.locator("#messages li.message.bot").first
            answer.get_by_label("Why the answer was wrong").select_option("outdated")
            answer.get_by_role("button", name="Mark this answer wrong").click()
            expect(answer.locator(".review-wrong")).to_have_text("✗ answer wrong · outdated")
            # On Answer reviews, the sample lists the answers nobody has judged; one is right.
            page.get_by_role("link", name="Answer reviews").click()
            progress = page.locator("#review-progress")
            expect(progress).to_contain_text("1 judged")
            items = page.locator("#review-list .review-item")
            expect(items.first).to_contain_text("Customer:")
            before = items.count()
            items.first.get_by_role("button", name="Right").click()
            expect(progress).to_contain_text("2 judged")
            expect(items).to_have_count(before - 1)
            page.goto(f"{base}/console/admin/reports")
            expect(page.locator('[data-kpi="answer_precision_sample"] .kpi-value')).to_have_text(
                "50.0%"
            )
            expect(page.locator('[data-kpi="wrong_answer_flags"] .kpi-value')).to_have_text("1")
            expect(page.locator("#answer-reviews")).to_contain_text("outdated 1")
            # The cost split in the default model's currency, the sentiment chart per day.
            expect(page.get_by_role("heading", name="Cost (USD)")).to_be_visible()
            expect(page.locator('#costs [data-figure="baseline"]')).to_contain_text("savings")
            expect(page.get_by_role("img", name="Customer sentiment per day")).to_be_visible()
            page.get_by_text("Cost model").click()
            expect(page.get_by_label("An agent's cost per hour")).to_have_value("25")
            # The last 30 days by default, today's conversations among them.
            expect(page.get_by_label("From", exact=True)).to_have_value(
                str(today - timedelta(days=29))
            )
            conversations = page.locator('[data-kpi="conversations"] .kpi-value')
            expect(conversations).to_have_text("3")
            expect(page.get_by_role("img", name="Hand-overs by reason")).to_be_visible()

            # A period before any conversation: nothing, and the previous period beside it.
            page.get_by_label("From", exact=True).fill("2025-01-01")
            page.get_by_label("To", exact=True).fill("2025-01-31")
            page.get_by_role("button", name="Show").click()
            expect(page.locator("#report-period")).to_contain_text("1 Jan 2025 – 31 Jan 2025")
            expect(page.locator("#report-period")).to_contain_text("1 Dec 2024 – 31 Dec 2024")
            expect(conversations).to_have_text("0")

            # Back to this week, broken down by intent.
            page.get_by_label("From", exact=True).fill(str(today - timedelta(days=6)))
            page.get_by_label("To", exact=True).fill(str(today))
            page.get_by_label("Break down by").select_option("intent")
            page.get_by_role("button", name="Show").click()
            expect(page.locator("#groups")).to_contain_text("card_arrival")
            expect(page.get_by_role("img", name="Containment by intent")).to_be_visible()
            expect(conversations).to_have_text("3")
            page.screenshot(path=str(screenshot_dir / "reports.png"), full_page=True)

            # Drill into the hand-over rate: the one conversation a person took.
            page.locator('[data-kpi="hand_over_rate"] .kpi-value a').click()
            expect(
                page.get_by_role("heading", name="1 conversation: handed to a person")
            ).to_be_visible()
            rows = page.locator("#drill-conversations tbody tr")
            expect(rows).to_have_count(1)
            expect(rows.first).to_contain_text(f"#{made['handed'][0]}")
            expect(rows.first).to_contain_text("explicit_request")

            # The CSV behind the list, as the link downloads it.
            href = page.get_by_role("link", name="Download as CSV").get_attribute("href")
            assert href is not None
            download = page.evaluate(
                """async (href) => {
                    const response = await fetch(href);
                    return {type: response.headers.get("content-type"),
                            disposition: response.headers.get("content-disposition"),
                            text: await response.text()};
                }""",
                href,
            )
            assert download["type"] == "text/csv; charset=utf-8"
            assert download["disposition"].startswith('attachment; filename="baton-conversations-')
            lines = download["text"].splitlines()
            assert lines[0].startswith("conversation_id,status,inbox_id,inbox,channel,team_id,")
            assert [line.split(",")[0] for line in lines[1:]] == [str(made["handed"][0])]

            # The conversation itself opens in the console.
            page.get_by_role("link", name=f"#{made['handed'][0]}").click()
            expect(page).to_have_url(f"{base}/console/conversations/{made['handed'][0]}")
        finally:
            context.close()
    assert errors == []
