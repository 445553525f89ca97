"""Signed-in customers in the widget on a customer's own website: the website's server signs an
identity token with the inbox's identity secret and the page hands it to the widget; agents see
the conversation's contact as verified, with the website's customer id and email. When the
customer signs out or another signs in on the same browser, the previous customer's
conversation is not shown; a token the API refuses says so in the chat."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from batondesk.api.identity import sign_identity
from batondesk.demo.seed import DemoSummary, seed_demo
from batondesk.store.models import Conversation, Inbox
from tests.support.live_server import agent_api, serve_in_thread
from tests.support.website import website

pytestmark = pytest.mark.slow

WAIT_MS = 15_000
ANA = {"external_id": "shop-7001", "name": "Ana Identity", "email": "ana.identity@shop.example"}
BEN = {"external_id": "shop-7002", "name": "Ben Identity", "email": "ben.identity@shop.example"}


@pytest.fixture
def demo(app: FastAPI) -> DemoSummary:
    return seed_demo(app.state.db)


def _secret(app: FastAPI, demo: DemoSummary) -> str:
    with app.state.db.session() as session:
        inbox = session.scalars(select(Inbox).where(Inbox.public_id == demo.inbox_public_id)).one()
        return str(inbox.identity_secret)


def _token(secret: str, customer: dict[str, str], *, lifetime: int = 600) -> str:
    """What the website's server does for its signed-in customer on each page view."""
    return sign_identity({**customer, "exp": int(time.time()) + lifetime}, secret)


def _shop_page(base: str, inbox: str, token: str | None, other_token: str = "") -> str:
    """A shop's page: the widget snippet, with the signed-in customer's token when there is
    one, and the shop's own sign-in and sign-out buttons calling the widget's API."""
    identity = f' data-identity-token="{token}"' if token else ""
    snippet = f'<script src="{base}/widget.js" data-inbox="{inbox}"{identity} async></script>'
    controls = (
        f"<button id='sign-in-ben' onclick=\"Baton.identify('{other_token}')\">Sign in as Ben"
        "</button><button id='sign-out' onclick='Baton.logout()'>Sign out</button>"
    )
    return f"<!doctype html><title>Shop</title><h1>A shop</h1>{controls}{snippet}"


def _stored_session(page: Any, inbox: str) -> dict[str, Any] | None:
    """The chat's session as the shop's page keeps it (its own localStorage)."""
    raw = page.evaluate(f"localStorage.getItem('baton.chat.{inbox}')")
    return json.loads(raw) if raw else None


def _write(page: Any, text: str) -> None:
    from playwright.sync_api import expect

    chat = page.frame_locator("#baton-widget-frame")
    chat.get_by_label("Your message").fill(text)
    chat.get_by_label("Your message").press("Enter")
    expect(chat.locator(".msg.from-customer:not(.pending) .bubble").last).to_have_text(text)


def _open_chat(page: Any) -> Any:
    from playwright.sync_api import expect

    launcher = page.locator("#baton-widget-button")
    expect(launcher).to_be_attached()
    # The widget reopens by itself after a reload when it was open (sessionStorage).
    if launcher.get_attribute("aria-expanded") != "true":
        launcher.click()
    chat = page.frame_locator("#baton-widget-frame")
    expect(chat.get_by_label("Your message")).to_be_visible()
    return chat


def test_a_signed_in_customer_is_verified_for_the_agent(
    browser: Any, app: FastAPI, demo: DemoSummary, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    inbox = demo.inbox_public_id
    token = _token(_secret(app, demo), ANA)
    errors: list[str] = []
    with (
        serve_in_thread(app) as base,
        website(tmp_path, _shop_page(base, inbox, token), host="localhost") as shop,
    ):
        context = browser.new_context(viewport={"width": 1280, "height": 860})
        try:
            page = context.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(shop)
            _open_chat(page)
            _write(page, "Hello, I am signed in on the shop.")
            stored = _stored_session(page, inbox)
            assert stored is not None and stored["identity"] == ANA["external_id"]
            conversation_id = stored["conversationId"]

            with agent_api(base, demo) as agent:
                conversation = agent.get(f"/api/v1/conversations/{conversation_id}").json()
                assert conversation["identity_verified"] is True
                contact = agent.get(f"/api/v1/contacts/{conversation['contact_id']}").json()
            assert contact["external_id"] == ANA["external_id"]
            assert contact["email"] == ANA["email"]
            assert contact["name"] == ANA["name"]

            # The agent's console says the website vouched for this customer.
            console = context.new_page()
            console.goto(f"{base}/console")
            console.get_by_label("Work email").fill(demo.agent_email)
            console.get_by_label("Password").fill(demo.password)
            console.get_by_role("button", name="Log in").click()
            console.wait_for_url(f"{base}/console")
            console.goto(f"{base}/console/conversations/{conversation_id}")
            identity = console.locator("#customer-identity")
            expect(identity).to_contain_text("Verified")
            expect(identity).to_contain_text(f"as customer {ANA['external_id']}")
            expect(console.locator("#packet")).to_contain_text(ANA["email"])
        finally:
            context.close()
    assert errors == []


def test_signing_out_or_in_as_another_customer_hides_the_previous_conversation(
    strict_privacy_context: Any, app: FastAPI, demo: DemoSummary, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    inbox = demo.inbox_public_id
    secret = _secret(app, demo)
    ana, ben = _token(secret, ANA), _token(secret, BEN)
    errors: list[str] = []
    with serve_in_thread(app) as base:
        # Ana's pages, and the same shop with no one signed in (another file of the same site).
        (tmp_path / "signed-out.html").write_text(
            _shop_page(base, inbox, None, ben), encoding="utf-8"
        )
        with website(tmp_path, _shop_page(base, inbox, ana, ben), host="localhost") as shop:
            page = strict_privacy_context.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(shop)
            chat = _open_chat(page)
            _write(page, "Ana asking about her card.")
            first = _stored_session(page, inbox)
            assert first is not None and first["identity"] == ANA["external_id"]
            ana_conversation = first["conversationId"]
            ana_message = chat.locator(".msg.from-customer", has_text="Ana asking")

            # A reload while Ana is still signed in resumes her conversation.
            page.reload()
            chat = _open_chat(page)
            expect(ana_message).to_be_visible()

            # The shop's page with no one signed in does not show it...
            page.goto(shop.replace("index.html", "signed-out.html"))
            chat = _open_chat(page)
            expect(chat.locator("#greeting")).to_be_visible()
            expect(chat.locator(".msg.from-customer")).to_have_count(0)
            # ...and when the page names Ana late, her conversation comes back.
            page.evaluate(f"Baton.identify('{ana}')")
            expect(ana_message).to_be_visible()

            # Ben signs in on the same browser: Ana's conversation goes, Ben starts his own.
            page.get_by_role("button", name="Sign in as Ben").click()
            expect(chat.locator(".msg.from-customer")).to_have_count(0)
            _write(page, "Ben here, a different question.")
            expect(chat.locator(".msg.from-customer")).to_have_count(1)
            second = _stored_session(page, inbox)
            assert second is not None and second["identity"] == BEN["external_id"]
            assert second["conversationId"] != ana_conversation

            # Ben signs out: his conversation is gone from the chat and from the browser.
            page.get_by_role("button", name="Sign out").click()
            expect(chat.locator(".msg.from-customer")).to_have_count(0)
            assert _stored_session(page, inbox) is None
            page.goto(shop)  # Ana's page again: Ben's replaced hers on this browser
            chat = _open_chat(page)
            expect(chat.locator("#greeting")).to_be_visible()
            expect(chat.locator(".msg.from-customer")).to_have_count(0)

            # Each conversation is its own customer's, with only what they wrote.
            owners: dict[int, tuple[str, list[str]]] = {}
            with agent_api(base, demo) as agent:
                for conversation_id in (ana_conversation, second["conversationId"]):
                    conversation = agent.get(f"/api/v1/conversations/{conversation_id}").json()
                    assert conversation["identity_verified"] is True
                    contact = agent.get(f"/api/v1/contacts/{conversation['contact_id']}").json()
                    texts = [
                        m["body"]
                        for m in agent.get(
                            f"/api/v1/conversations/{conversation_id}/messages"
                        ).json()
                        if m["sender_type"] == "customer"
                    ]
                    owners[conversation_id] = (contact["external_id"], texts)
            assert owners[ana_conversation] == (ANA["external_id"], ["Ana asking about her card."])
            assert owners[second["conversationId"]] == (
                BEN["external_id"],
                ["Ben here, a different question."],
            )
    assert errors == []


def test_a_token_the_api_refuses_says_so_in_the_chat(
    browser: Any, app: FastAPI, demo: DemoSummary, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    inbox = demo.inbox_public_id
    forged = _token("not-the-inbox-secret", ANA)
    expired = sign_identity({**ANA, "exp": int(time.time()) - 60}, _secret(app, demo))
    with app.state.db.session() as session:
        before = session.scalar(select(func.count()).select_from(Conversation))
    warnings: list[str] = []
    with (
        serve_in_thread(app) as base,
        website(tmp_path, _shop_page(base, inbox, forged), host="localhost") as shop,
    ):
        context = browser.new_context(viewport={"width": 1280, "height": 860})
        try:
            page = context.new_page()
            page.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)
            page.goto(shop)
            chat = _open_chat(page)
            box = chat.get_by_label("Your message")
            box.fill("Where is my card?")
            box.press("Enter")
            error = chat.locator("#chat-error")
            expect(error).to_contain_text("We could not confirm that you are signed in")
            # Nothing the customer wrote is lost, and nothing was started for anyone.
            expect(box).to_have_value("Where is my card?")
            expect(chat.locator(".msg.from-customer")).to_have_count(0)

            page.evaluate(f"Baton.identify('{expired}')")
            box.press("Enter")
            expect(error).to_contain_text("Your sign-in has expired")
            expect(box).to_have_value("Where is my card?")
        finally:
            context.close()
    with app.state.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Conversation)) == before
    # The website's developer is told why, in the page's console.
    assert any("invalid_identity" in w for w in warnings), warnings
    assert any("token_expired" in w for w in warnings), warnings
