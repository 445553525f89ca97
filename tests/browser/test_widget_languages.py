"""A customer whose browser speaks Spanish meets the whole chat in Spanish, in the real
Chromium: buttons, banners, the AI disclosure and privacy notice, the bot's clarifying
question and its quick replies, the answer's citation and feedback, the recommendation the
bot offers after the answer, the queue, and the rating at the end; the agent who takes over
sees that customer's earlier conversations and recommendation in the handoff packet. Another
customer switches the chat to French with its language menu, and it stays French after a
reload."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from batondesk.actions.recommendations import contact_recommendations
from batondesk.api.identity import sign_identity
from batondesk.customers.recommendations.wording import where_to_get
from batondesk.demo.seed import DemoSummary, seed_demo
from batondesk.i18n import wording
from batondesk.store.models import Contact, Conversation, Inbox
from tests.support.live_server import serve_in_thread

pytestmark = pytest.mark.slow

PHONE = {"width": 390, "height": 780}
LAPTOP = {"width": 1280, "height": 860}
WAIT_MS = 15_000


@pytest.fixture
def demo(app: FastAPI) -> DemoSummary:
    return seed_demo(app.state.db)


@pytest.fixture
def base(app: FastAPI) -> Iterator[str]:
    # A busy machine can take a while to load the language detector at start-up.
    with serve_in_thread(app, start_seconds=90) as url:
        yield url


def _chat(
    browser: Any,
    base: str,
    demo: DemoSummary,
    locale: str,
    errors: list[str],
    session: dict[str, Any] | None = None,
) -> Any:
    """The demo's chat on a phone whose browser speaks `locale`; with `session`, resuming
    that conversation (as the chat does after a reload)."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale=locale)
    if session is not None:
        key = json.dumps(f"baton.chat.{demo.inbox_public_id}")
        context.add_init_script(f"localStorage.setItem({key}, {json.dumps(json.dumps(session))})")
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{base}/chat/{demo.inbox_public_id}")
    return page


def _ask(page: Any, label: str, text: str) -> None:
    page.get_by_label(label).fill(text)
    page.get_by_label(label).press("Enter")


def _spanish_customer(app: FastAPI, demo: DemoSummary) -> tuple[str, dict[str, Any]]:
    """A Spanish-speaking demo customer who agreed to marketing, wrote to the bank before, and
    has a recommendation backed by their own figures: their external id and that offer."""
    with app.state.db.session() as session:
        contacts = session.scalars(
            select(Contact).where(Contact.account_id == demo.account_id).order_by(Contact.id)
        ).all()
        for contact in contacts:
            earlier = session.scalar(
                select(func.count()).where(Conversation.contact_id == contact.id)
            )
            if not contact.locale.startswith("es") or not earlier:
                continue
            found = contact_recommendations(
                session, demo.account_id, contact.id, app.state.services.recommenders
            )
            if found.status == "shown" and found.offers[0]["source"] == "rule":
                assert contact.external_id is not None
                return contact.external_id, found.offers[0]
    raise AssertionError("the demo has no Spanish customer with a recommendation")


def _identified(app: FastAPI, base: str, demo: DemoSummary, external_id: str) -> dict[str, Any]:
    """A conversation the bank's website opened for its signed-in customer (a signed identity
    token), as the chat keeps it: its visitor token and id."""
    with app.state.db.session() as session:
        inbox = session.scalars(select(Inbox).where(Inbox.public_id == demo.inbox_public_id)).one()
        token = sign_identity(
            {"external_id": external_id, "exp": int(time.time()) + 600}, inbox.identity_secret
        )
    with httpx.Client(base_url=base, timeout=30) as api:
        started = api.post(
            f"/api/v1/widget/inboxes/{demo.inbox_public_id}/conversations",
            json={"identity_token": token, "locale": "es-ES"},
        )
        assert started.status_code == 201, started.text
    return {
        "token": started.json()["visitor_token"],
        "conversationId": started.json()["conversation_id"],
    }


def _packet_in_console(
    browser: Any,
    base: str,
    demo: DemoSummary,
    conversation_id: int,
    offer: dict[str, Any],
    screenshot_dir: Path,
) -> None:
    """The agent opens the conversation: the customer's earlier conversations and the
    recommendation, with its reason, are in the handoff packet."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    try:
        page.goto(f"{base}/console")
        page.get_by_label("Work email").fill(demo.agent_email)
        page.get_by_label("Password").fill(demo.password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{base}/console")
        page.goto(f"{base}/console/conversations/{conversation_id}")
        history = page.locator("#customer-history-list li")
        expect(history.first).to_be_visible()
        expect(history.first.locator(".history-outcome")).not_to_be_empty()
        recommended = page.locator("#recommendations-list li").first
        expect(recommended).to_contain_text(offer["name"])
        expect(recommended).to_contain_text("from their own figures")
        expect(recommended.locator(".recommendation-reason")).to_have_text(offer["reason"])
        page.locator("#recommendations").scroll_into_view_if_needed()
        page.screenshot(path=str(screenshot_dir / "console-recommendation.png"))
    finally:
        context.close()


def _resolve_latest(base: str, demo: DemoSummary) -> None:
    with httpx.Client(base_url=base, headers={"X-Requested-With": "baton"}, timeout=30) as api:
        login = {"email": demo.agent_email, "password": demo.password}
        assert api.post("/api/v1/auth/login", json=login).status_code == 200
        queued = api.get("/api/v1/queue").json()["data"]
        latest = max(c["id"] for c in queued)
        resolved = api.post(f"/api/v1/conversations/{latest}/resolve")
        assert resolved.status_code == 200, resolved.text


def test_a_spanish_speaking_customer_gets_the_whole_chat_in_spanish(
    browser: Any, app: FastAPI, base: str, demo: DemoSummary, screenshot_dir: Path
) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    errors: list[str] = []
    # A customer of the bank, signed in on its website, who agreed to hear about products.
    external_id, offer = _spanish_customer(app, demo)
    session = _identified(app, base, demo, external_id)
    page = _chat(browser, base, demo, "es-ES", errors, session)
    try:
        # Before a word is typed: the chat's own texts are Spanish.
        expect(page.locator("html")).to_have_attribute("lang", "es")
        expect(page.get_by_label("Idioma")).to_have_value("es")
        expect(page.locator("#chat-state")).to_have_text("Asistente de IA · responde al instante")
        expect(page.locator("#ai-disclosure")).to_have_text(
            "Está hablando con un asistente de IA, no con una persona. Una persona de nuestro "
            "equipo puede unirse en cualquier momento: solo tiene que pedirlo."
        )
        expect(page.locator("#greeting")).to_contain_text("¡Hola! Soy el asistente de IA")
        expect(page.locator("#privacy-notice")).to_contain_text("Guardamos esta conversación")
        expect(page.get_by_role("button", name="Hablar con una persona")).to_be_visible()
        expect(page.get_by_role("button", name="Enviar", exact=True)).to_be_visible()
        expect(page.get_by_label("Su mensaje")).to_have_attribute(
            "placeholder", "Escriba su mensaje…"
        )

        # A vague message: the bot asks which topic, in Spanish, with Spanish quick replies.
        _ask(page, "Su mensaje", "card")
        question = page.locator(".msg.from-bot").last
        expect(question).to_contain_text("Quiero asegurarme de ayudarle con lo que necesita")
        expect(question.locator(".who")).to_have_text("Asistente de IA")
        choices = page.get_by_role("group", name="Elija una opción")
        expect(choices.get_by_role("button", name="Otra cosa")).to_be_visible()
        choices.get_by_role("button").first.click()

        # The answer: its citation and "did this answer your question?" in Spanish.
        answer = page.locator(".msg.from-bot").last
        expect(answer.locator(".sources")).to_contain_text("Fuente:")
        # The reply's own "Fuente: ..." line gives way to the citation, not shown twice.
        expect(answer.locator(".bubble")).not_to_contain_text("Fuente:")
        expect(answer.locator(".answer-question")).to_have_text(
            "¿Ha respondido esto a su pregunta?"
        )
        expect(answer.get_by_role("button", name="Sí")).to_be_visible()
        page.screenshot(path=str(screenshot_dir / "widget-spanish.png"))

        # Thanks for the answer: the bot offers, once, what the customer's own figures point
        # at, in Spanish.
        _ask(page, "Su mensaje", "¡gracias!")
        offered = page.locator(".msg.from-bot").last.locator(".bubble")
        expect(offered).to_contain_text("¡De nada!")
        expect(offered).to_contain_text("Por cierto: En los últimos tres meses")
        expect(offered).to_contain_text(where_to_get(offer["offer"], wording("es")))

        # A person: the queue's notice and banner in Spanish.
        page.get_by_role("button", name="Hablar con una persona").click()
        expect(page.locator("#waiting")).to_contain_text("Esperando a una persona")
        expect(page.locator(".msg.from-system").last).to_contain_text(
            "Ha pedido hablar con una persona."
        )
        expect(page.locator("#chat-state")).to_have_text(
            "Asistente de IA · una persona se unirá pronto"
        )
        _packet_in_console(browser, base, demo, session["conversationId"], offer, screenshot_dir)

        # Resolved: the rating prompt in Spanish.
        _resolve_latest(base, demo)
        expect(page.locator("#rating-title")).to_have_text("¿Qué tal lo hemos hecho?")
        page.get_by_role("button", name="5 de 5: Muy satisfecho").click()
        expect(page.get_by_label("Comentario (opcional)")).to_have_attribute(
            "placeholder", "¿Algo que añadir? (opcional)"
        )
        page.get_by_role("button", name="Enviar valoración").click()
        expect(page.locator("#rated")).to_have_text("¡Gracias por su opinión!")
        expect(page.locator("#chat-state")).to_have_text("Esta conversación está cerrada")
        # No English text of the chat's own is left on the page.
        visible = page.locator("#chat").inner_text()
        for english in (
            "Talk to a person",
            "AI assistant",
            "Send",
            "How did we do?",
            "Source",
            "By the way",
        ):
            assert english not in visible, english
    finally:
        page.context.close()
    assert not errors, errors


def test_the_language_menu_switches_the_chat_and_the_bot_and_is_remembered(
    browser: Any, base: str, demo: DemoSummary
) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    errors: list[str] = []
    page = _chat(browser, base, demo, "en-GB", errors)
    try:
        expect(page.get_by_role("button", name="Talk to a person")).to_be_visible()
        page.get_by_label("Language").select_option("fr")
        # At once, without a reload: the chat's texts and its greeting are French.
        expect(page.get_by_role("button", name="Parler à une personne")).to_be_visible()
        expect(page.locator("#ai-disclosure")).to_contain_text("Vous échangez avec un assistant IA")
        expect(page.locator("#greeting")).to_contain_text("Bonjour ! Je suis l'assistant IA")
        expect(page.locator("html")).to_have_attribute("lang", "fr")

        # The bot speaks the picked language too, although the browser says English.
        _ask(page, "Votre message", "hello")
        reply = page.locator(".msg.from-bot").last
        expect(reply.locator(".bubble")).to_have_text(
            "Bonjour ! Comment puis-je vous aider aujourd'hui ?"
        )
        expect(reply.locator(".who")).to_have_text("Assistant IA")

        # A reload keeps the customer's pick.
        page.reload()
        expect(page.get_by_role("button", name="Parler à une personne")).to_be_visible()
        expect(page.get_by_label("Langue")).to_have_value("fr")
    finally:
        page.context.close()
    assert not errors, errors
