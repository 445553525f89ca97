"""A stolen copy of the main database (the SQLite file's bytes, or every PostgreSQL row) does not
let anyone act as a customer: it holds neither the inbox's identity secret nor the customers'
external ids, and an identity token signed with anything found in it is refused. Nor does it
hold staff password hashes to guess passwords against."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import time

from sqlalchemy import select, text

from batondesk.api.identity import sign_identity
from batondesk.store.models import AuditEntry, Base, Inbox
from tests.privacy.conftest import identified_chat, say
from tests.support.storage import raw_rows, sqlite_file_bytes

EXTERNAL_ID = "CRM-100234-Halvorsen"


def _copy_of_main_database(db) -> bytes:  # type: ignore[no-untyped-def]
    if db.url.startswith("sqlite"):
        with db.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        return sqlite_file_bytes(db.url.removeprefix("sqlite:///"))
    return raw_rows(db.engine)


def _values_in_copy(db) -> set[str]:  # type: ignore[no-untyped-def]
    """Every stored value, as an attacker would try it as a signing key: text as is, binary
    values as bytes, hex and base64."""
    found: set[str] = set()
    with db.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            for row in connection.execute(text(f'SELECT * FROM "{table.name}"')):
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        raw = bytes(value)
                        found |= {
                            raw.decode("latin-1"),
                            raw.hex(),
                            base64.b64encode(raw).decode(),
                            base64.urlsafe_b64encode(raw).decode().rstrip("="),
                        }
                    elif value is not None:
                        found.add(str(value))
    return found


def _start(client, inbox_public_id: str, secret: str):  # type: ignore[no-untyped-def]
    token = sign_identity({"external_id": EXTERNAL_ID, "exp": int(time.time()) + 600}, secret)
    return client.post(
        f"/api/v1/widget/inboxes/{inbox_public_id}/conversations",
        json={"identity_token": token},
    )


def test_a_copy_of_the_main_database_cannot_sign_identity_tokens(app, client, workspace) -> None:
    db = app.state.db
    conversation_id, visitor, _contact_id = identified_chat(
        app,
        client,
        workspace.a,
        external_id=EXTERNAL_ID,
        name="Sigrid Halvorsen",
        email="sigrid@example.no",
    )
    say(client, conversation_id, visitor, "my card has not arrived")
    with db.session() as session:
        inbox = session.scalars(
            select(Inbox).where(Inbox.public_id == workspace.a.inbox_public_id)
        ).one()
        real_secret = inbox.identity_secret

    stored = _copy_of_main_database(db)
    assert b"conversation.opened" in stored  # the copy does hold the rows
    assert real_secret.encode() not in stored
    assert EXTERNAL_ID.encode() not in stored
    assert b"$argon2" not in stored  # staff password hashes are sealed too

    candidates = _values_in_copy(db)
    assert real_secret not in candidates
    # Every value of the inbox and contact rows, tried as the key through the live API.
    tried = 0
    with db.engine.connect() as connection:
        for table in ("inboxes", "contacts"):
            for row in connection.execute(text(f"SELECT * FROM {table}")):
                for value in row:
                    if value is None:
                        continue
                    raw = bytes(value) if isinstance(value, bytes | memoryview) else None
                    keys = (
                        [raw.decode("latin-1"), raw.hex(), base64.b64encode(raw).decode()]
                        if raw is not None
                        else [str(value)]
                    )
                    for key in keys:
                        refused = _start(client, workspace.a.inbox_public_id, key)
                        assert refused.status_code == 401, (table, key)
                        assert refused.json()["error"]["code"] == "invalid_identity"
                        tried += 1
    assert tried >= 20
    # The same request signed with the real secret (held by the website and the key store)
    # is accepted: the refusals above are about the key, nothing else.
    assert _start(client, workspace.a.inbox_public_id, real_secret).status_code == 201


def test_the_operator_reads_or_replaces_the_secret_with_an_audited_command(
    app, client, workspace, settings
) -> None:
    env = {
        **os.environ,
        "BATON_ENVIRONMENT": "test",
        "BATON_DATA_DIR": str(settings.data_dir),
        "BATON_DATABASE_URL": app.state.db.url,
    }
    command = [sys.executable, "-c", "from batondesk.cli import main; main()", "keys"]
    inbox_id = workspace.a.inbox_public_id
    shown = subprocess.run(
        [*command, "identity-secret", inbox_id], env=env, capture_output=True, text=True
    )
    assert shown.returncode == 0, shown.stderr
    old_secret = shown.stdout.strip()
    assert _start(client, inbox_id, old_secret).status_code == 201

    rotated = subprocess.run(
        [*command, "identity-secret", inbox_id, "--rotate"], env=env, capture_output=True, text=True
    )
    assert rotated.returncode == 0, rotated.stderr
    new_secret = rotated.stdout.strip()
    assert new_secret != old_secret
    assert _start(client, inbox_id, old_secret).status_code == 401
    assert _start(client, inbox_id, new_secret).status_code == 201

    unknown = subprocess.run(
        [*command, "identity-secret", "in_nope"], env=env, capture_output=True, text=True
    )
    assert unknown.returncode == 2 and "inbox in_nope not found" in unknown.stderr
    with app.state.db.session() as session:
        actions = list(
            session.scalars(
                select(AuditEntry.action).where(AuditEntry.chain == workspace.a.account_id)
            )
        )
    assert "inbox.identity_secret_shown" in actions and "inbox.identity_secret_rotated" in actions
