"""Attached files as personal data: never stored in plaintext, listed in the customer's
export, gone with the customer's erasure, never in the logs."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from batondesk.store.models import Attachment
from tests.support import files
from tests.support.storage import raw_rows, sqlite_file_bytes
from tests.support.workspace import Workspace, start_chat

SECRET_NAME = "zanzibar-quillfeather-passport.png"


def _stored_bytes(db) -> bytes:  # type: ignore[no-untyped-def]
    """Everything the database holds: the SQLite file(s) byte for byte, or every PostgreSQL
    row (bytea values as their raw bytes)."""
    if db.url.startswith("sqlite"):
        db.engine.dispose()  # flush the WAL into the main file
        return sqlite_file_bytes(db.url.removeprefix("sqlite:///"))
    return raw_rows(db.engine)


def _send(client: TestClient, workspace: Workspace, data: bytes, name: str):  # type: ignore[no-untyped-def]
    conversation_id, visitor = start_chat(client, workspace.a.inbox_public_id)
    sent = client.post(
        f"/api/v1/widget/conversations/{conversation_id}/attachments",
        files={"file": (name, data, "image/png")},
        headers=visitor,
    )
    assert sent.status_code == 201, sent.text
    return conversation_id, visitor, sent.json()["message"]["attachments"][0]


def test_neither_the_image_nor_its_name_is_stored_in_plaintext(
    app, client: TestClient, agent: TestClient, workspace: Workspace
) -> None:
    # Random pixels: any 64 bytes of the file are unique to it.
    original = files.noisy_png(120)
    _conversation, _visitor, attached = _send(client, workspace, original, SECRET_NAME)
    staff_url = f"/api/v1/attachments/{attached['id']}"
    stored = agent.get(staff_url).content  # the re-encoded file, as served
    thumbnail = agent.get(f"{staff_url}/thumbnail").content
    assert stored.startswith(b"\x89PNG") and thumbnail.startswith(b"RIFF")
    assert attached["filename"] == SECRET_NAME

    raw = _stored_bytes(app.state.db)
    assert b"message.attachment_added" in raw  # sanity: the dump holds the stored rows
    assert SECRET_NAME.encode() not in raw and b"quillfeather" not in raw
    for content in (original, stored, thumbnail):
        middle = len(content) // 2
        for chunk in (content[100:164], content[middle : middle + 64], content[-80:-16]):
            assert chunk not in raw


def test_the_export_lists_the_customers_files(
    client: TestClient, admin: TestClient, workspace: Workspace
) -> None:
    conversation_id, _visitor, attached = _send(client, workspace, files.png(), "receipt.png")
    contact_id = admin.get(f"/api/v1/conversations/{conversation_id}").json()["contact_id"]
    bundle = admin.get(f"/api/v1/admin/privacy/contacts/{contact_id}/export").json()
    [listed] = [a for c in bundle["conversations"] for m in c["messages"] for a in m["attachments"]]
    assert listed["id"] == attached["id"]
    assert (listed["filename"], listed["content_type"]) == ("receipt.png", "image/png")
    assert admin.get(listed["download"]).status_code == 200


def test_erasing_the_customer_removes_their_files(
    app, client: TestClient, admin: TestClient, workspace: Workspace
) -> None:
    conversation_id, visitor, attached = _send(client, workspace, files.noisy_png(64), SECRET_NAME)
    # Another customer's file stays.
    _other, _other_visitor, kept = _send(client, workspace, files.png(), "other.png")
    contact_id = admin.get(f"/api/v1/conversations/{conversation_id}").json()["contact_id"]

    erased = admin.post(f"/api/v1/admin/privacy/contacts/{contact_id}/erase")
    assert erased.status_code == 200, erased.text

    with app.state.db.session() as session:
        remaining = list(session.scalars(select(Attachment.id)))
        assert remaining == [kept["id"]]
        assert session.scalar(select(func.count()).select_from(Attachment)) == 1
    assert admin.get(f"/api/v1/attachments/{attached['id']}").status_code == 404
    assert admin.get(f"/api/v1/attachments/{kept['id']}").status_code == 200
    assert client.get(attached["url"], headers=visitor).status_code in (401, 404)


@pytest.mark.parametrize("hostile", [False, True])
def test_file_names_and_contents_are_never_logged(
    client: TestClient, workspace: Workspace, caplog: pytest.LogCaptureFixture, hostile: bool
) -> None:
    caplog.set_level(logging.DEBUG)
    name = "<b>" + SECRET_NAME if hostile else SECRET_NAME
    conversation_id, visitor = start_chat(client, workspace.a.inbox_public_id)
    client.post(
        f"/api/v1/widget/conversations/{conversation_id}/attachments",
        files={"file": (name, files.png(), "image/png")},
        headers=visitor,
    )
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "quillfeather" not in logged


def test_retention_deletes_files_with_their_conversation(
    app, client: TestClient, admin: TestClient, workspace: Workspace
) -> None:
    from datetime import timedelta

    from sqlalchemy import update

    from batondesk.store.base import utcnow
    from batondesk.store.models import Conversation

    old_id, _visitor, old_file = _send(client, workspace, files.png(), "old.png")
    _new_id, _new_visitor, new_file = _send(client, workspace, files.png(), "new.png")
    long_ago = utcnow() - timedelta(days=400)
    with app.state.db.session() as session:
        session.execute(
            update(Conversation)
            .where(Conversation.id == old_id)
            .values(last_message_at=long_ago, created_at=long_ago)
        )
    policy = admin.put("/api/v1/admin/privacy/retention", json={"conversation_days": 365})
    assert policy.status_code == 200, policy.text
    applied = admin.post("/api/v1/admin/privacy/retention/apply").json()
    assert applied["conversations"] == 1
    with app.state.db.session() as session:
        assert list(session.scalars(select(Attachment.id))) == [new_file["id"]]
    assert admin.get(f"/api/v1/attachments/{old_file['id']}").status_code == 404
