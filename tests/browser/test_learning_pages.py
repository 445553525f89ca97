"""The learning loop in the browser: customers ask about topics no article covers, the
Content gaps page shows them grouped and named, "Draft an article" opens the knowledge-base
editor prefilled; on the Review queue a reviewer labels messages in bulk with the keyboard."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.support.live_server import serve_in_thread
from tests.support.unanswered import ask_uncovered_questions
from tests.support.workspace import PASSWORD, Workspace, login, say, start_chat

pytestmark = pytest.mark.slow

WAIT_MS = 20_000


def _log_in(page: Any, base: str, path: str, email: str) -> None:
    page.goto(f"{base}{path}")
    page.get_by_label("Work email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_the_content_gaps_page_names_the_uncovered_topics_and_drafts_an_article(
    browser: Any, app: FastAPI, workspace: Workspace, screenshot_dir: Any
) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    errors: list[str] = []
    with serve_in_thread(app) as base:
        with httpx.Client(base_url=base, timeout=30) as customer:
            ask_uncovered_questions(customer, workspace.a.inbox_public_id)  # type: ignore[arg-type]
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        try:
            page = context.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            _log_in(page, base, "/console/content-gaps", workspace.a.users["admin"][1])
            expect(page.get_by_role("heading", name="Content gaps", exact=True)).to_be_visible()
            names = page.locator(".gap-item .gap-name")
            expect(names.first).to_be_visible()
            top = " | ".join(names.all_inner_texts()[:3])
            assert "mortgage" in top and "pet" in top and ("crypto" in top or "bitcoin" in top), top
            mortgages = page.locator(
                ".gap-item", has=page.locator(".gap-name", has_text="mortgage")
            )
            expect(mortgages.locator(".gap-examples li").first).to_be_visible()
            assert any(
                "mortgage" in e for e in mortgages.locator(".gap-examples li").all_inner_texts()
            )
            expect(page.get_by_role("link", name="Learning")).to_have_attribute(
                "aria-current", "page"
            )
            page.screenshot(path=str(screenshot_dir / "content-gaps.png"), full_page=True)

            mortgages.get_by_role("button", name="Draft an article").click()
            expect(page.get_by_role("heading", name="Knowledge base")).to_be_visible()
            title = page.get_by_label("Title")
            expect(title).to_be_focused()
            assert "mortgage" in title.input_value().lower()
            body = page.get_by_label("Body (Markdown)").input_value()
            assert "Customers ask" in body and "mortgage" in body
            expect(page.get_by_label("Status")).to_have_value("draft")
        finally:
            context.close()
    assert errors == []


def test_a_reviewer_labels_messages_in_bulk_with_the_keyboard(
    browser: Any, app: FastAPI, workspace: Workspace, screenshot_dir: Any
) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    errors: list[str] = []
    with serve_in_thread(app) as base:
        with httpx.Client(base_url=base, timeout=30) as customer:
            for text in (
                "can I buy bitcoin with my account",
                "do you support crypto trading",
                "who won the football game yesterday",
                "is it possible to buy ethereum",
            ):
                conversation_id, visitor = start_chat(customer, workspace.a.inbox_public_id)  # type: ignore[arg-type]
                say(customer, conversation_id, visitor, text)  # type: ignore[arg-type]
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        try:
            page = context.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            _log_in(page, base, "/console/review-queue", workspace.a.users["agent"][1])
            rows = page.locator("#queue-list .queue-item")
            expect(rows).to_have_count(4)
            texts = [t.strip() for t in page.locator("#queue-list .queue-text").all_inner_texts()]
            page.locator("#queue-list").focus()

            # Select the first and third with x, moving with j; name a new intent with "/".
            page.keyboard.press("x")
            page.keyboard.press("j")
            page.keyboard.press("j")
            page.keyboard.press("x")
            expect(page.locator('#queue-list [aria-selected="true"]')).to_have_count(2)
            page.keyboard.press("/")
            expect(page.get_by_label("Intent", exact=True)).to_be_focused()
            page.keyboard.type("crypto")
            page.keyboard.press("Enter")
            expect(page.locator("#label-choice")).to_have_text("New intent: crypto")
            page.screenshot(path=str(screenshot_dir / "review-queue.png"), full_page=True)
            page.keyboard.press("Enter")
            expect(rows).to_have_count(2)
            remaining = [
                t.strip() for t in page.locator("#queue-list .queue-text").all_inner_texts()
            ]
            assert remaining == [texts[1], texts[3]]

            # A number key picks a shortcut intent; Enter labels the current message.
            page.keyboard.press("k")
            page.keyboard.press("1")
            chosen = page.locator("#label-choice").inner_text()
            assert chosen.startswith(("Intent: ", "New intent: ")), chosen
            page.keyboard.press("Enter")
            expect(rows).to_have_count(1)
        finally:
            context.close()

        with httpx.Client(base_url=base, timeout=30) as agent:
            login(agent, workspace.a.users["agent"][1])  # type: ignore[arg-type]
            labelled = agent.get("/api/v1/review-queue", params={"status": "labelled"}).json()
    by_text = {item["text"]: item for item in labelled["data"]}
    assert by_text[texts[0]]["label"] == "crypto" and by_text[texts[2]]["label"] == "crypto"
    assert by_text[texts[0]]["label_kind"] == "new_intent"
    assert by_text[texts[1]]["label"] == chosen.split(": ", 1)[1]
    assert errors == []


def test_an_admin_compares_a_candidate_in_shadow_and_promotes_then_rolls_back(
    browser: Any, app: FastAPI, workspace: Workspace, screenshot_dir: Any, tmp_path: Any
) -> None:
    from datetime import timedelta

    from playwright.sync_api import expect

    from batondesk.actions.model_candidates import run_retrain
    from batondesk.actions.shadow_models import do_shadow_pass
    from batondesk.store.base import utcnow
    from tests.support.slices import (
        consent_to_training,
        customer_says,
        prepare_account_model,
        reviewed,
    )

    expect.set_options(timeout=WAIT_MS)
    errors: list[str] = []
    services, db, account_id = app.state.services, app.state.db, workspace.a.account_id
    prepare_account_model(services, account_id, tmp_path)
    with serve_in_thread(app) as base:
        with (
            httpx.Client(base_url=base, timeout=30) as customer,
            httpx.Client(base_url=base, timeout=30) as agent,
        ):
            login(agent, workspace.a.users["agent"][1])  # type: ignore[arg-type]
            for text in ("walkabout plastic, where is it", "my plastic is walkabout"):
                conversation = reviewed(customer, workspace, agent, text, "exchange_rate")
                consent_to_training(db, account_id, conversation)
            candidate = run_retrain(db, services, account_id, trigger="cli")
            for text in ("walkabout plastic, mail me at kim@example.com", "my card was stolen"):
                customer_says(customer, workspace, text)
        with db.session() as session:
            do_shadow_pass(session, services.models, account_id, utcnow() + timedelta(minutes=1))

        context = browser.new_context(viewport={"width": 1280, "height": 900})
        try:
            page = context.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            _log_in(page, base, "/console/learning/models", workspace.a.users["admin"][1])
            expect(page.get_by_role("heading", name="Models", exact=True)).to_be_visible()
            card = page.locator(f'.candidate[data-version="{candidate.version}"]')
            expect(card.locator(".badge").first).to_have_text("in shadow")
            expect(card.locator('tr[data-slice="language=es"]')).to_contain_text("ok")
            expect(card.locator(".shadow-summary")).to_contain_text("50.0% of 2 live messages")
            card.get_by_role("button", name="Show disagreements").click()
            disagreement = card.locator(".disagreements li").first
            expect(disagreement).to_contain_text("mail me at [EMAIL]")
            expect(disagreement).to_contain_text("candidate: exchange_rate")
            assert "kim@example.com" not in page.content()
            page.screenshot(path=str(screenshot_dir / "learning-models.png"), full_page=True)

            card.get_by_role("button", name="Promote").click()
            expect(card.locator(".badge").first).to_have_text("promoted")
            page.get_by_role("button", name="Roll back to the previous version").click()
            expect(page.locator("#models-action-status")).to_have_text("Active: v1")
            expect(card.locator(".badge").first).to_have_text("rolled back")
        finally:
            context.close()
    assert errors == []
