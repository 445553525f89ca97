"""The customer's language through the widget's API: where it comes from (the language menu,
the identity token, the browser, the customer's own messages), that one short ambiguous
message never flips it, and that bad language input is refused by name with nothing stored."""

from __future__ import annotations

import time
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from batondesk.api.identity import sign_identity
from batondesk.store.models import Contact, Conversation, Inbox
from tests.support.workspace import Workspace, say

WRITE = {"X-Requested-With": "baton"}


def _start(client: TestClient, inbox: str, **body: Any) -> tuple[int, dict[str, str], str]:
    response = client.post(f"/api/v1/widget/inboxes/{inbox}/conversations", json=body)
    assert response.status_code == 201, response.text
    data = response.json()
    return (
        data["conversation_id"],
        {"Authorization": f"Bearer {data['visitor_token']}"},
        data["language"],
    )


def _bot_said(turn: dict[str, Any]) -> str:
    assert turn["reply"] is not None, turn
    return str(turn["reply"]["body"])


def test_a_short_ambiguous_message_does_not_flip_the_conversations_language(
    client: TestClient, workspace: Workspace
) -> None:
    # An API client that says nothing about the language: the customer's messages decide.
    conversation_id, visitor, language = _start(client, workspace.a.inbox_public_id)
    assert language == "en"

    turn = say(client, conversation_id, visitor, "Muchas gracias por toda la ayuda de hoy")
    assert turn["language"] == "es"
    assert _bot_said(turn) == "¡De nada! ¿Puedo ayudarle con algo más?"

    # "ok thanks", "hello": too short to say which language; the bot stays in Spanish.
    replies = {
        "ok thanks": "¡De nada! ¿Puedo ayudarle con algo más?",
        "hello": "¡Hola! ¿En qué puedo ayudarle hoy?",
    }
    for short, reply in replies.items():
        turn = say(client, conversation_id, visitor, short)
        assert turn["language"] == "es", short
        assert _bot_said(turn) == reply

    # A whole sentence in another language does change it (nobody declared one).
    turn = say(client, conversation_id, visitor, "Thank you so much for all your help today")
    assert turn["language"] == "en"


def test_the_hand_over_notice_follows_the_settled_language_not_one_word(
    client: TestClient, workspace: Workspace
) -> None:
    conversation_id, visitor, _ = _start(client, workspace.a.inbox_public_id)
    say(client, conversation_id, visitor, "Muchas gracias por toda la ayuda de hoy")
    turn = say(client, conversation_id, visitor, "I want to talk to a person")
    assert turn["status"] == "queued"
    # Five English words settle English: the notice is in English.
    assert _bot_said(turn).startswith("I'm passing you to a member of our team")

    conversation_id, visitor, _ = _start(client, workspace.a.inbox_public_id)
    say(client, conversation_id, visitor, "Muchas gracias por toda la ayuda de hoy")
    turn = say(client, conversation_id, visitor, "human")
    assert turn["status"] == "queued" and turn["language"] == "es"
    assert _bot_said(turn).startswith("Le paso con una persona de nuestro equipo")


def test_the_browsers_language_is_kept_whatever_the_messages_look_like(
    client: TestClient, workspace: Workspace
) -> None:
    conversation_id, visitor, language = _start(client, workspace.a.inbox_public_id, locale="de-DE")
    assert language == "de"
    turn = say(client, conversation_id, visitor, "Muchas gracias por toda la ayuda de hoy")
    assert turn["language"] == "de"
    assert _bot_said(turn) == "Gern geschehen! Kann ich sonst noch helfen?"


def test_a_browser_language_without_catalogues_falls_through_to_the_messages(
    client: TestClient, workspace: Workspace
) -> None:
    conversation_id, visitor, language = _start(client, workspace.a.inbox_public_id, locale="ja-JP")
    assert language == "en"
    turn = say(client, conversation_id, visitor, "Merci beaucoup pour votre aide aujourd'hui")
    assert turn["language"] == "fr"


def test_the_language_menu_wins_and_is_remembered_for_the_contact(
    app: FastAPI, client: TestClient, workspace: Workspace
) -> None:
    conversation_id, visitor, _ = _start(client, workspace.a.inbox_public_id, locale="es-ES")
    chosen = client.put(
        f"/api/v1/widget/conversations/{conversation_id}/language",
        json={"language": "it"},
        headers=visitor,
    )
    assert chosen.status_code == 200, chosen.text
    assert chosen.json() == {"language": "it", "source": "choice"}

    turn = say(client, conversation_id, visitor, "Muchas gracias por toda la ayuda de hoy")
    assert turn["language"] == "it"
    assert _bot_said(turn) == "Prego! Posso aiutarla in qualcos'altro?"
    read = client.get(f"/api/v1/widget/conversations/{conversation_id}", headers=visitor)
    assert read.json()["language"] == "it"

    # "Talk to a person": the queue's notice in the chosen language.
    client.post(f"/api/v1/widget/conversations/{conversation_id}/handoff", headers=visitor)
    messages = client.get(f"/api/v1/widget/conversations/{conversation_id}", headers=visitor)
    notice = messages.json()["messages"][-1]["body"]
    assert notice.startswith("Ha chiesto di parlare con una persona.")

    with app.state.db.session() as session:
        conversation = session.get(Conversation, conversation_id)
        assert conversation is not None
        contact = session.get(Contact, conversation.contact_id)
        assert contact is not None and contact.preferred_language == "it"


def test_a_language_picked_before_the_chat_starts_is_used_from_the_first_reply(
    client: TestClient, workspace: Workspace
) -> None:
    conversation_id, visitor, language = _start(
        client, workspace.a.inbox_public_id, locale="en-GB", language="pt"
    )
    assert language == "pt"
    assert _bot_said(say(client, conversation_id, visitor, "hello")) == (
        "Olá! Como posso ajudar você hoje?"
    )


def test_the_identity_tokens_locale_beats_the_browser(
    app: FastAPI, client: TestClient, workspace: Workspace
) -> None:
    with app.state.db.session() as session:
        inbox = session.query(Inbox).filter_by(public_id=workspace.a.inbox_public_id).one()
        token = sign_identity(
            {"external_id": "cust-77", "locale": "fr-CA", "exp": int(time.time()) + 600},
            inbox.identity_secret,
        )
    conversation_id, visitor, language = _start(
        client, workspace.a.inbox_public_id, identity_token=token, locale="de-DE"
    )
    assert language == "fr"
    assert _bot_said(say(client, conversation_id, visitor, "thanks")).startswith("Avec plaisir")


def test_the_chats_texts_and_settings_come_in_the_asked_language(
    admin: TestClient, client: TestClient, workspace: Workspace
) -> None:
    inbox = workspace.a.inbox_public_id
    spanish = client.get("/api/v1/widget/texts/es").json()
    assert spanish["language"] == "es"
    assert spanish["texts"]["Talk to a person"] == "Hablar con una persona"
    assert client.get("/api/v1/widget/texts/en").json()["texts"] == {}

    settings = client.get(f"/api/v1/widget/inboxes/{inbox}/settings?language=fr").json()
    assert settings["language"] == "fr"
    assert settings["greeting"].startswith("Bonjour ! Je suis l'assistant IA de North Bank")
    assert {"code": "es", "name": "Español"} in settings["languages"]
    # Without `language`, the browser's preference among the chat's languages.
    header = {"Accept-Language": "ja-JP, de;q=0.8, en;q=0.5"}
    german = client.get(f"/api/v1/widget/inboxes/{inbox}/settings", headers=header).json()
    assert german["language"] == "de" and german["greeting"].startswith("Hallo!")
    # What an admin wrote is shown as written, in every language.
    saved = admin.put("/api/v1/admin/settings/widget", json={"greeting": "Hey!"}, headers=WRITE)
    assert saved.status_code == 200, saved.text
    again = client.get(f"/api/v1/widget/inboxes/{inbox}/settings?language=fr").json()
    assert again["greeting"] == "Hey!"


def test_bad_language_input_is_refused_by_name_and_nothing_is_stored(
    app: FastAPI, client: TestClient, workspace: Workspace
) -> None:
    inbox = workspace.a.inbox_public_id

    def contacts() -> int:
        with app.state.db.session() as session:
            return int(session.scalar(select(func.count()).select_from(Contact)) or 0)

    before = contacts()
    for body in (
        {"locale": "<script>alert(1)</script>"},
        {"locale": "x" * 36},
        {"language": "xx"},
        {"language": 7},
    ):
        refused = client.post(f"/api/v1/widget/inboxes/{inbox}/conversations", json=body)
        assert refused.status_code == 422, (body, refused.text)
        field = next(iter(body))
        assert field in refused.text
    assert contacts() == before

    conversation_id, visitor, _ = _start(client, inbox, locale="es")
    refused = client.put(
        f"/api/v1/widget/conversations/{conversation_id}/language",
        json={"language": "klingon"},
        headers=visitor,
    )
    assert refused.status_code == 422 and "language" in refused.text
    read = client.get(f"/api/v1/widget/conversations/{conversation_id}", headers=visitor)
    assert read.json()["language"] == "es"
    assert client.get("/api/v1/widget/texts/zz").status_code == 422
    # Another visitor cannot change this conversation's language.
    _, other, _ = _start(client, inbox)
    foreign = client.put(
        f"/api/v1/widget/conversations/{conversation_id}/language",
        json={"language": "de"},
        headers=other,
    )
    assert foreign.status_code == 404
