"""Files on messages through the HTTP API: what customers and agents send arrives cleaned and
inert, hostile files are refused with nothing stored, and no other account, conversation or
customer can read them."""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import func, select

from batondesk.store.models import Attachment, Message
from tests.support import files
from tests.support.workspace import Workspace, login, start_chat


def upload(
    client: TestClient,
    url: str,
    data: bytes,
    name: str = "photo.jpg",
    declared: str = "image/jpeg",
    headers: dict[str, str] | None = None,
    **form: str,
):  # type: ignore[no-untyped-def]
    return client.post(url, files={"file": (name, data, declared)}, data=form, headers=headers)


def customer_upload_url(conversation_id: int) -> str:
    return f"/api/v1/widget/conversations/{conversation_id}/attachments"


def count(app, model) -> int:  # type: ignore[no-untyped-def]
    with app.state.db.session() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_customer_photo_reaches_the_agent_without_its_location(
    client: TestClient, agent: TestClient, workspace: Workspace
) -> None:
    conversation_id, visitor = start_chat(client, workspace.a.inbox_public_id)
    original = files.photo_with_location()
    assert files.CAMERA.encode() in original and files.COMMENT in original

    sent = upload(client, customer_upload_url(conversation_id), original, headers=visitor)
    assert sent.status_code == 201, sent.text
    shown = sent.json()["message"]["attachments"][0]
    assert (shown["kind"], shown["content_type"], shown["filename"]) == (
        "image",
        "image/jpeg",
        "photo.jpg",
    )
    assert (shown["width"], shown["height"]) == (640, 480)

    messages = agent.get(f"/api/v1/conversations/{conversation_id}/messages").json()
    [attached] = [a for m in messages for a in m["attachments"]]
    full = agent.get(attached["url"])
    assert full.status_code == 200
    assert full.headers["content-type"] == "image/jpeg"
    assert full.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in full.headers["content-security-policy"]
    assert full.headers["content-disposition"].startswith("inline;")
    # The same picture, without what it said about the customer.
    image = Image.open(io.BytesIO(full.content))
    assert image.size == (640, 480)
    assert dict(image.getexif()) == {}
    assert files.CAMERA.encode() not in full.content and files.COMMENT not in full.content
    assert b"Exif" not in full.content

    thumbnail = agent.get(attached["thumbnail_url"])
    assert thumbnail.headers["content-type"] == "image/webp"
    assert max(Image.open(io.BytesIO(thumbnail.content)).size) <= 320

    # The customer sees their own file too, with their token.
    again = client.get(shown["url"], headers=visitor)
    assert again.status_code == 200 and again.content == full.content
    assert client.get(shown["url"]).status_code == 401


def test_an_agent_pdf_is_only_ever_a_download(
    client: TestClient, agent: TestClient, workspace: Workspace
) -> None:
    conversation_id, visitor = start_chat(client, workspace.a.inbox_public_id)
    document = files.pdf()
    sent = upload(
        agent,
        f"/api/v1/conversations/{conversation_id}/attachments",
        document,
        name="Statement March",
        declared="text/html",  # what the client claims is ignored
        body="Here is your statement.",
    )
    assert sent.status_code == 201, sent.text
    message = sent.json()
    assert message["body"] == "Here is your statement."
    [attached] = message["attachments"]
    assert (attached["content_type"], attached["filename"]) == (
        "application/pdf",
        "Statement March.pdf",
    )
    assert attached["thumbnail_url"] is None
    # Replying with a file takes the conversation over, as any reply does.
    assert agent.get(f"/api/v1/conversations/{conversation_id}").json()["status"] == "assigned"

    seen = client.get(f"/api/v1/widget/conversations/{conversation_id}", headers=visitor).json()
    [widget_file] = [a for m in seen["messages"] for a in m["attachments"]]
    download = client.get(widget_file["url"], headers=visitor)
    assert download.content == document
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"] == (
        "attachment; filename=\"Statement March.pdf\"; filename*=UTF-8''Statement%20March.pdf"
    )
    assert "sandbox" in download.headers["content-security-policy"]


def test_a_file_alone_is_a_message_the_bot_does_not_answer(
    client: TestClient, workspace: Workspace
) -> None:
    conversation_id, visitor = start_chat(client, workspace.a.inbox_public_id)
    sent = upload(
        client, customer_upload_url(conversation_id), files.png(), "x.png", headers=visitor
    )
    assert sent.status_code == 201, sent.text
    turn = sent.json()
    assert turn["message"]["body"] == "" and turn["reply"] is None
    with_text = upload(
        client,
        customer_upload_url(conversation_id),
        files.png(),
        "card.png",
        headers=visitor,
        body="my card still has not arrived",
    )
    assert with_text.json()["reply"] is not None  # the bot answers the words


HOSTILE = [
    # name, bytes, declared type, status, code
    ("invoice.png", files.html_posing_as_png(), "image/png", 422, "unsupported_file_type"),
    (
        "notes.txt",
        b"just some text, not a file we take",
        "text/plain",
        422,
        "unsupported_file_type",
    ),
    ("photo.png", files.png()[:60], "image/png", 422, "unreadable_image"),
    ("bomb.png", files.decompression_bomb(), "image/png", 422, "image_too_large"),
    ("../../etc/passwd.png", files.png(), "image/png", 422, "invalid_filename"),
    ("..\\..\\boot.ini.png", files.png(), "image/png", 422, "invalid_filename"),
    ("<img src=x onerror=alert(1)>.png", files.png(), "image/png", 422, "invalid_filename"),
    ("gnp\u202eexe.png", files.png(), "image/png", 422, "invalid_filename"),
    ("empty.png", b"", "image/png", 422, "empty_file"),
]


@pytest.mark.parametrize(("name", "data", "declared", "status", "code"), HOSTILE)
def test_hostile_files_are_refused_and_nothing_is_stored(
    app, client: TestClient, workspace: Workspace, name, data, declared, status, code
) -> None:  # type: ignore[no-untyped-def]
    conversation_id, visitor = start_chat(client, workspace.a.inbox_public_id)
    refused = upload(
        client, customer_upload_url(conversation_id), data, name, declared, headers=visitor
    )
    assert refused.status_code == status, refused.text
    assert refused.json()["error"]["code"] == code
    # The message names the problem, never the file's name.
    assert name not in refused.json()["error"]["message"]
    assert count(app, Attachment) == 0 and count(app, Message) == 0


def test_the_accounts_size_limit_applies_and_the_route_takes_more_than_a_message(
    app, client: TestClient, admin: TestClient, workspace: Workspace
) -> None:
    big = files.noisy_png()
    assert len(big) > 256 * 1024  # over the request limit of every other route
    conversation_id, visitor = start_chat(client, workspace.a.inbox_public_id)
    url = customer_upload_url(conversation_id)
    assert upload(client, url, big, "big.png", headers=visitor).status_code == 201

    limited = admin.put("/api/v1/admin/settings/attachments", json={"max_bytes": 100_000})
    assert limited.status_code == 200 and limited.json() == {"max_bytes": 100_000}
    refused = upload(client, url, big, "big.png", headers=visitor)
    assert refused.status_code == 413
    assert refused.json()["error"]["code"] == "attachment_too_large"
    assert "100,000" in refused.json()["error"]["message"]
    assert count(app, Attachment) == 1

    too_high = admin.put("/api/v1/admin/settings/attachments", json={"max_bytes": 10**9})
    assert too_high.status_code == 422 and too_high.json()["error"]["code"] == "invalid_setting"
    assert admin.get("/api/v1/admin/settings/attachments").json() == {"max_bytes": 100_000}


def test_the_request_limit_of_uploads_is_theirs_alone(app) -> None:  # type: ignore[no-untyped-def]
    from batondesk.api.http_security import BodyLimitMiddleware

    limits = next(m for m in app.user_middleware if m.cls is BodyLimitMiddleware).kwargs
    middleware = BodyLimitMiddleware(app, **limits)
    upload_limit = middleware.limit_for("/api/v1/conversations/12/attachments")
    assert upload_limit > 25 * 1024 * 1024
    assert middleware.limit_for("/api/v1/widget/conversations/7/attachments") == upload_limit
    assert middleware.limit_for("/api/v1/conversations/12/messages") == 256 * 1024
    assert middleware.limit_for("/api/v1/conversations/12/attachments/x") == 256 * 1024


def test_files_stay_within_their_account_conversation_and_audience(
    app, client: TestClient, agent: TestClient, workspace: Workspace
) -> None:
    # Account B's customer sends a file.
    b_conversation, b_visitor = start_chat(client, workspace.b.inbox_public_id)
    b_file = upload(
        client, customer_upload_url(b_conversation), files.png(), "b.png", headers=b_visitor
    )
    b_id = b_file.json()["message"]["attachments"][0]["id"]
    # Account A's agent cannot read it, upload into its conversation, or tell it exists.
    for url in (f"/api/v1/attachments/{b_id}", f"/api/v1/attachments/{b_id}/thumbnail"):
        response = agent.get(url)
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    into_b = upload(
        agent, f"/api/v1/conversations/{b_conversation}/attachments", files.png(), "a.png"
    )
    assert into_b.status_code == 404

    # In account A: another visitor, or the same one through another conversation, gets 404.
    a_conversation, a_visitor = start_chat(client, workspace.a.inbox_public_id)
    other_conversation, other_visitor = start_chat(client, workspace.a.inbox_public_id)
    note = upload(
        agent,
        f"/api/v1/conversations/{a_conversation}/attachments",
        files.png(),
        "internal.png",
        private="true",
    )
    assert note.status_code == 201 and note.json()["private"] is True
    note_id = note.json()["attachments"][0]["id"]
    shown = upload(
        client, customer_upload_url(a_conversation), files.png(), "mine.png", headers=a_visitor
    )
    shown_id = shown.json()["message"]["attachments"][0]["id"]
    base = f"/api/v1/widget/conversations/{a_conversation}/attachments"
    assert client.get(f"{base}/{shown_id}", headers=a_visitor).status_code == 200
    # A private note's file is for staff only.
    assert client.get(f"{base}/{note_id}", headers=a_visitor).status_code == 404
    listed = client.get(f"/api/v1/widget/conversations/{a_conversation}", headers=a_visitor).json()
    assert note_id not in [a["id"] for m in listed["messages"] for a in m["attachments"]]
    assert client.get(f"{base}/{shown_id}", headers=other_visitor).status_code == 404
    other_base = f"/api/v1/widget/conversations/{other_conversation}/attachments"
    assert client.get(f"{other_base}/{shown_id}", headers=other_visitor).status_code == 404
    assert client.get(f"{other_base}/{b_id}", headers=other_visitor).status_code == 404
    assert (
        upload(
            client, customer_upload_url(b_conversation), files.png(), "x.png", headers=a_visitor
        ).status_code
        == 404
    )


def test_an_analyst_reads_files_but_cannot_send_them(
    app, client: TestClient, workspace: Workspace
) -> None:
    conversation_id, visitor = start_chat(client, workspace.a.inbox_public_id)
    sent = upload(
        client, customer_upload_url(conversation_id), files.png(), "p.png", headers=visitor
    )
    attachment_id = sent.json()["message"]["attachments"][0]["id"]
    with TestClient(app) as analyst:
        login(analyst, workspace.a.users["analyst"][1])
        assert analyst.get(f"/api/v1/attachments/{attachment_id}").status_code == 200
        refused = upload(
            analyst, f"/api/v1/conversations/{conversation_id}/attachments", files.png(), "a.png"
        )
        assert refused.status_code == 403
