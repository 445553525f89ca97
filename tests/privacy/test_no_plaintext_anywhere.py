"""Done-when 2: after a conversation holding an email, a phone and a card number, none of them
is in the stored bytes (SQLite file or PostgreSQL rows), the log output (with SQL logging on),
the event payloads or the real-time notifications."""

from __future__ import annotations

import io
import json
import logging

from sqlalchemy import select

from batondesk.store.models import Event
from tests.privacy.conftest import identified_chat, say
from tests.support.storage import raw_rows, sqlite_file_bytes

EMAIL = "ingrid.vasquez-holm@example.com"
PHONE = "+44 7700 900461"
CARD = "4539 1488 0343 6467"
MESSAGE = f"Hi, it's Ingrid. Card {CARD} was declined; call me on {PHONE} or mail {EMAIL}"
FORBIDDEN = [EMAIL, PHONE, CARD, CARD.replace(" ", ""), "7700 900461", "77009004", "vasquez-holm"]


def _leaks(blob: str | bytes) -> list[str]:
    data = blob.encode() if isinstance(blob, str) else blob
    return [secret for secret in FORBIDDEN if secret.encode() in data]


def test_personal_data_never_stored_logged_or_published_in_plaintext(
    app, client, workspace, admin_a
) -> None:
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    watched = {
        name: logging.getLogger(name).level for name in ("", "sqlalchemy.engine", "batondesk")
    }
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)  # statements and parameters
    published: list[dict] = []
    db = app.state.db
    original_publisher = db.publisher

    def recording_publisher(notifications):  # type: ignore[no-untyped-def]
        published.extend(n for _channel, n in notifications)
        original_publisher(notifications)

    db.publisher = recording_publisher
    try:
        conversation_id, visitor, contact_id = identified_chat(
            app,
            client,
            workspace.a,
            external_id="c-ingrid",
            name="Ingrid Vasquez-Holm",
            email=EMAIL,
        )
        say(client, conversation_id, visitor, MESSAGE)
        say(client, conversation_id, visitor, "I want to talk to a person please")
        assert (
            admin_a.post(
                f"/api/v1/conversations/{conversation_id}/messages",
                json={"body": f"Thanks Ingrid, I will call {PHONE} about card {CARD}"},
            ).status_code
            == 201
        )
        assert admin_a.post(f"/api/v1/conversations/{conversation_id}/resolve").status_code == 200
        rated = client.post(
            f"/api/v1/widget/conversations/{conversation_id}/csat",
            json={"score": 4, "comment": f"quick, but do not call {PHONE} again"},
            headers=visitor,
        )
        assert rated.status_code == 200
        # The staff reads everything back: the application shows plaintext to those allowed...
        messages = admin_a.get(f"/api/v1/conversations/{conversation_id}/messages").json()
        assert MESSAGE in [m["body"] for m in messages]
        assert admin_a.get(f"/api/v1/contacts/{contact_id}").json()["email"] == EMAIL
        # ...and a careless log line or an exception quoting the text is redacted on the way out.
        logging.getLogger("batondesk.engine").warning("could not understand %r", MESSAGE)
        try:
            raise ValueError(f"bad input: {MESSAGE}")
        except ValueError:
            logging.getLogger("batondesk.api").exception("unexpected error")
    finally:
        db.publisher = original_publisher
        root.removeHandler(handler)
        for name, level in watched.items():
            logging.getLogger(name).setLevel(level)

    logs = buffer.getvalue()
    assert "INSERT INTO messages" in logs and "[CARD]" in logs  # SQL logging was on; redaction ran
    assert not _leaks(logs), _leaks(logs)

    if db.url.startswith("sqlite"):
        with db.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        stored = sqlite_file_bytes(db.url.removeprefix("sqlite:///"))
    else:
        stored = raw_rows(db.engine)
    assert b"conversation.escalated" in stored  # the dump does hold the rows
    assert not _leaks(stored), _leaks(stored)

    with db.session() as session:
        payloads = [e.payload for e in session.scalars(select(Event))]
    assert not _leaks(json.dumps(payloads))
    assert published and not _leaks(json.dumps(published))
