"""A customer whose browser speaks Spanish meets the whole chat in Spanish, in the real
Chromium: buttons, banners, the AI disclosure and privacy notice, the bot's clarifying
question and its quick replies, the answer's citation and feedback, the queue, and the rating
at the end. Another customer switches the chat to French with its language menu, and it stays
French after a reload."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from batondesk.demo.seed import DemoSummary, seed_demo
from tests.support.live_server import serve_in_thread

pytestmark = pytest.mark.slow

PHONE = {"width": 390, "height": 780}
WAIT_MS = 15_000


@pytest.fixture
def demo(app: FastAPI) -> DemoSummary:
    return seed_demo(app.state.db)


@pytest.fixture
def base(app: FastAPI) -> Iterator[str]:
    # A busy machine can take a while to load the language detector at start-up.
    with serve_in_thread(app, start_seconds=90) as url:
        yield url


def _chat(browser: Any, base: str, demo: DemoSummary, locale: str, errors: list[str]) -> Any:
    """The demo's chat on a phone whose browser speaks `locale`."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale=locale)
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{base}/chat/{demo.inbox_public_id}")
    return page


def _ask(page: Any, label: str, text: str) -> None:
    page.get_by_label(label).fill(text)
    page.get_by_label(label).press("Enter")


def _resolve_latest(base: str, demo: DemoSummary) -> None:
    with httpx.Client(base_url=base, headers={"X-Requested-With": "baton"}, timeout=30) as api:
        login = {"email": demo.agent_email, "password": demo.password}
        assert api.post("/api/v1/auth/login", json=login).status_code == 200
        queued = api.get("/api/v1/queue").json()["data"]
        latest = max(c["id"] for c in queued)
        resolved = api.post(f"/api/v1/conversations/{latest}/resolve")
        assert resolved.status_code == 200, resolved.text


def test_a_spanish_speaking_customer_gets_the_whole_chat_in_spanish(
    browser: Any, base: str, demo: DemoSummary, screenshot_dir: Path
) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    errors: list[str] = []
    page = _chat(browser, base, demo, "es-ES", errors)
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

        # A person: the queue's notice and banner in Spanish.
        page.get_by_role("button", name="Hablar con una persona").click()
        expect(page.locator("#waiting")).to_contain_text("Esperando a una persona")
        expect(page.locator(".msg.from-system").last).to_contain_text(
            "Ha pedido hablar con una persona."
        )
        expect(page.locator("#chat-state")).to_have_text(
            "Asistente de IA · una persona se unirá pronto"
        )

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
        for english in ("Talk to a person", "AI assistant", "Send", "How did we do?", "Source"):
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
