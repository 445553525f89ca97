"""Message bodies and contact personal data never reach the database in plaintext."""

from __future__ import annotations

import time

from batondesk.actions.contacts import do_create_contact, find_contact_by_email
from batondesk.api.identity import sign_identity
from batondesk.store.models import Inbox
from tests.support.storage import raw_rows, sqlite_file_bytes
from tests.support.workspace import Workspace

SECRET_BODY = "my card ending 4242 never arrived, this is Zebulon Quartermaine"
SECRET_EMAIL = "zebulon.quartermaine@example.org"


def _raw_database_bytes(db) -> bytes:  # type: ignore[no-untyped-def]
    """Everything stored: the SQLite file(s) byte for byte, or every PostgreSQL row as text."""
    if db.url.startswith("sqlite"):
        db.engine.dispose()  # flush the WAL into the main file
        return sqlite_file_bytes(db.url.removeprefix("sqlite:///"))
    return raw_rows(db.engine)


def test_bodies_and_emails_are_unreadable_in_storage(app, client, workspace: Workspace) -> None:
    db = app.state.db
    with db.session() as session:
        inbox = session.query(Inbox).filter_by(public_id=workspace.a.inbox_public_id).one()
        token = sign_identity(
            {
                "external_id": "cust-77",
                "name": "Zebulon Quartermaine",
                "email": SECRET_EMAIL,
                "exp": int(time.time()) + 600,
            },
            inbox.identity_secret,
        )
    started = client.post(
        f"/api/v1/widget/inboxes/{workspace.a.inbox_public_id}/conversations",
        json={"identity_token": token},
    ).json()
    headers = {"Authorization": f"Bearer {started['visitor_token']}"}
    url = f"/api/v1/widget/conversations/{started['conversation_id']}/messages"
    assert client.post(url, json={"body": SECRET_BODY}, headers=headers).status_code == 201

    # Readable through the application...
    seen = client.get(f"/api/v1/widget/conversations/{started['conversation_id']}", headers=headers)
    assert seen.json()["messages"][0]["body"] == SECRET_BODY

    # ...but not in the stored bytes.
    raw = _raw_database_bytes(db)
    for secret in (SECRET_BODY, "Zebulon", "Quartermaine", SECRET_EMAIL, "4242 never"):
        assert secret.encode() not in raw, secret
    assert b"conversation.opened" in raw  # sanity: the dump does contain the stored rows


def test_contacts_are_found_by_email_through_the_blind_index(app, workspace: Workspace) -> None:
    with app.state.db.session() as session:
        do_create_contact(session, workspace.a.account_id, name="Ana", email="Ana@Example.com")
    with app.state.db.session() as session:
        found = find_contact_by_email(session, workspace.a.account_id, " ana@example.COM ")
        assert found is not None and found.name == "Ana"
        assert find_contact_by_email(session, workspace.b.account_id, "ana@example.com") is None


def test_ciphertext_moved_to_another_column_does_not_decrypt(app, workspace: Workspace) -> None:
    import pytest

    from batondesk.privacy.keyring import DecryptionError

    keyring = app.state.db.keys.keyring
    sealed = keyring.encrypt(b"secret", b"messages.body")
    assert keyring.decrypt(sealed, b"messages.body") == b"secret"
    with pytest.raises(DecryptionError):
        keyring.decrypt(sealed, b"contacts.name")
    tampered = sealed[:-1] + bytes([sealed[-1] ^ 1])
    with pytest.raises(DecryptionError):
        keyring.decrypt(tampered, b"messages.body")
