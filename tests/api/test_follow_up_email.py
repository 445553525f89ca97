"""An agent's reply the customer left too early to see is emailed through the configured SMTP
server - a real one on the loopback interface - once, and only then; never logged."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fastapi import FastAPI
from fastapi.testclient import TestClient

from batondesk.config import Settings
from batondesk.jobs.definitions import send_follow_ups
from batondesk.mail import SmtpMailer
from batondesk.store.base import utcnow
from tests.support.workspace import Workspace

WRITE = {"X-Requested-With": "baton"}
REPLY = "Your card was posted yesterday and should arrive by Friday."


class Inbox:
    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], Message]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.received.append(
            (envelope.mail_from, list(envelope.rcpt_tos), message_from_bytes(envelope.content))
        )
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def _mailer(settings: Settings, port: int) -> SmtpMailer:
    return SmtpMailer(
        settings.model_copy(
            update={
                "smtp_host": "127.0.0.1",
                "smtp_port": port,
                "smtp_security": "none",
                "smtp_from": "support@north.example",
            }
        )
    )


def _customer_leaves_before_the_reply(
    client: TestClient, agent: TestClient, inbox_id: str, *, email: str | None
) -> int:
    body: dict[str, Any] = {"name": "Ada Lovelace"}
    if email:
        body["email"] = email
    started = client.post(f"/api/v1/widget/inboxes/{inbox_id}/conversations", json=body)
    assert started.status_code == 201, started.text
    conversation_id = started.json()["conversation_id"]
    visitor = {"Authorization": f"Bearer {started.json()['visitor_token']}"}
    turn = client.post(
        f"/api/v1/widget/conversations/{conversation_id}/messages",
        json={"body": "can I talk to a person about my card?"},
        headers=visitor,
    ).json()
    shown = (turn["reply"] or turn["message"])["id"]
    # The chat showed the customer everything so far; then they closed the page.
    seen = client.post(
        f"/api/v1/widget/conversations/{conversation_id}/seen",
        json={"message_id": shown},
        headers=visitor,
    )
    assert seen.status_code == 200
    reply = agent.post(f"/api/v1/conversations/{conversation_id}/messages", json={"body": REPLY})
    assert reply.status_code == 201, reply.text
    note = agent.post(
        f"/api/v1/conversations/{conversation_id}/notes", json={"body": "staff only: checked"}
    )
    assert note.status_code == 201
    return conversation_id  # type: ignore[no-any-return]


def test_an_unseen_reply_is_emailed_once_and_never_logged(
    client: TestClient,
    agent: TestClient,
    app: FastAPI,
    settings: Settings,
    workspace: Workspace,
    smtp_server: tuple[Inbox, int],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    inbox, port = smtp_server
    mailer = _mailer(settings, port)
    conversation_id = _customer_leaves_before_the_reply(
        client, agent, workspace.a.inbox_public_id, email="ada@example.com"
    )
    db = app.state.db
    # Not before the account's delay (5 minutes by default): the customer may come back.
    assert send_follow_ups(db, mailer).sent == []
    later = utcnow() + timedelta(minutes=6)
    assert send_follow_ups(db, mailer, now=later).sent == [conversation_id]
    assert len(inbox.received) == 1
    sender, recipients, message = inbox.received[0]
    assert sender == "support@north.example" and recipients == ["ada@example.com"]
    assert message["Subject"] == "North Bank: a reply to your message"
    text = message.get_payload(decode=True).decode()
    assert "Hello Ada Lovelace," in text and REPLY in text
    assert "staff only" not in text  # private notes stay inside
    # Once only; the console's event log says an email went out, without the address.
    assert send_follow_ups(db, mailer, now=later).sent == []
    assert len(inbox.received) == 1
    events = agent.get(f"/api/v1/conversations/{conversation_id}/events").json()["data"]
    emailed = [e for e in events if e["type"] == "conversation.follow_up_emailed"]
    assert len(emailed) == 1 and "ada@" not in str(emailed[0]["payload"])
    # What Baton logged (the test's own SMTP server logs whatever it receives).
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("batondesk"))
    assert f"conversation {conversation_id}" in logged
    assert "ada@example.com" not in logged and REPLY not in logged and "Ada" not in logged


def test_no_email_without_a_server_an_address_or_an_unseen_reply(
    client: TestClient,
    agent: TestClient,
    admin: TestClient,
    app: FastAPI,
    settings: Settings,
    workspace: Workspace,
    smtp_server: tuple[Inbox, int],
) -> None:
    inbox, port = smtp_server
    later = utcnow() + timedelta(minutes=6)
    db = app.state.db
    with_email = _customer_leaves_before_the_reply(
        client, agent, workspace.a.inbox_public_id, email="ada@example.com"
    )
    # No SMTP server configured: nothing is sent, nothing is marked as sent.
    assert not SmtpMailer(settings).configured
    assert send_follow_ups(db, SmtpMailer(settings), now=later).sent == []
    # The account turned the follow-up off.
    admin.put("/api/v1/admin/settings/widget", json={"email_follow_up": False}, headers=WRITE)
    assert send_follow_ups(db, _mailer(settings, port), now=later).sent == []
    admin.put("/api/v1/admin/settings/widget", json={"email_follow_up": True}, headers=WRITE)
    # No address given: nobody to write to.
    _customer_leaves_before_the_reply(client, agent, workspace.a.inbox_public_id, email=None)
    assert send_follow_ups(db, _mailer(settings, port), now=later).sent == [with_email]
    assert len(inbox.received) == 1
