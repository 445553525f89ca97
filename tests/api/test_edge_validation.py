"""Hostile input at the HTTP edge gets a clear 4xx naming the problem, never a 500: ids out of
the database's range, control characters in any text, undecodable bodies; and the protocol
details a client relies on (Allow, WWW-Authenticate) are there."""

from __future__ import annotations

import json
import time

import pytest
from fastapi.testclient import TestClient

from batondesk.api.identity import sign_identity
from batondesk.store.models import Inbox
from tests.support.workspace import PASSWORD, Workspace, login, start_chat

BEYOND_64_BITS = 2**64 + 1  # SQLite cannot bind it
BEYOND_32_BITS = 2**31  # PostgreSQL INTEGER cannot hold it


@pytest.mark.parametrize("huge", [BEYOND_32_BITS, BEYOND_64_BITS])
def test_ids_beyond_the_database_range_are_422_naming_the_parameter(
    app, client: TestClient, workspace: Workspace, huge: int
) -> None:
    conversation_id, visitor = start_chat(client, workspace.a.inbox_public_id)
    widget = client.get(f"/api/v1/widget/conversations/{huge}", headers=visitor)
    assert widget.status_code == 422, widget.text
    assert "conversation_id" in widget.json()["error"]["message"]
    cursor = client.get(
        f"/api/v1/widget/conversations/{conversation_id}", params={"after": huge}, headers=visitor
    )
    assert cursor.status_code == 422 and "after" in cursor.json()["error"]["message"]
    with TestClient(app) as agent:
        login(agent, workspace.a.users["agent"][1])
        for url in (
            f"/api/v1/conversations/{huge}",
            f"/api/v1/contacts/{huge}",
            f"/api/v1/conversations?assignee_id={huge}",
            f"/api/v1/conversations?offset={huge}",
        ):
            response = agent.get(url)
            assert response.status_code == 422, (url, response.text)
        assign = agent.post(
            f"/api/v1/conversations/{conversation_id}/assign", json={"user_id": huge}
        )
        assert assign.status_code == 422 and "user_id" in assign.json()["error"]["message"]


def test_control_characters_are_refused_naming_the_field(
    client: TestClient, workspace: Workspace
) -> None:
    inbox = workspace.a.inbox_public_id
    cases = [
        ("post", "/api/v1/auth/login", {"email": "a\u0000@b.example", "password": "x"}, "email"),
        ("post", f"/api/v1/widget/inboxes/{inbox}/conversations", {"locale": "en\u0000"}, "locale"),
        ("post", "/api/v1/widget/inboxes/in_%00x/conversations", {}, "inbox_public_id"),
    ]
    for method, url, body, field in cases:
        response = getattr(client, method)(url, json=body)
        assert response.status_code == 422, (url, response.text)
        error = response.json()["error"]
        assert error["code"] == "control_character" and field in error["message"], error
        assert "U+0000" in error["message"]
    conversation_id, visitor = start_chat(client, inbox)
    url = f"/api/v1/widget/conversations/{conversation_id}/messages"
    bell = client.post(url, json={"body": "hello\u0007"}, headers=visitor)
    assert bell.status_code == 422 and "body.body" in bell.json()["error"]["message"]
    # Tabs and line breaks are text.
    multiline = client.post(url, json={"body": "line one\r\nline\ttwo"}, headers=visitor)
    assert multiline.status_code == 201, multiline.text


def test_invisible_only_messages_are_empty(client: TestClient, workspace: Workspace) -> None:
    conversation_id, visitor = start_chat(client, workspace.a.inbox_public_id)
    response = client.post(
        f"/api/v1/widget/conversations/{conversation_id}/messages",
        json={"body": "\u200b\u200c\u200d\u2060\ufeff \u200b"},
        headers=visitor,
    )
    assert response.status_code == 422 and response.json()["error"]["code"] == "empty_message"


def test_protocol_details(client: TestClient, workspace: Workspace) -> None:
    not_allowed = client.delete("/api/v1/queue")
    assert not_allowed.status_code == 405 and not_allowed.headers["allow"] == "GET"
    assert not_allowed.json()["error"]["code"] == "method_not_allowed"
    anonymous = client.get("/api/v1/me")
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"].startswith("Bearer")
    undecodable = client.post(
        "/api/v1/auth/login",
        content=b'{"email": "\xff\xfe", "password": "x"}',
        headers={"Content-Type": "application/json"},
    )
    assert undecodable.status_code == 400, undecodable.text
    assert undecodable.json()["error"]["code"] == "malformed_json"


def test_knowledge_requests_refuse_unknown_fields(app, workspace: Workspace) -> None:
    with TestClient(app) as admin:
        login(admin, workspace.a.users["admin"][1])
        response = admin.post(
            "/api/v1/knowledge/articles",
            json={"title": "Fees", "body": "No fees.", "colour": "red"},
        )
        assert response.status_code == 422 and "colour" in response.json()["error"]["message"]


def _identity(app, workspace: Workspace, exp: object) -> str:  # type: ignore[no-untyped-def]
    with app.state.db.session() as session:
        inbox = session.query(Inbox).filter_by(public_id=workspace.a.inbox_public_id).one()
        return sign_identity({"external_id": "c-42", "exp": exp}, inbox.identity_secret)


def test_identity_tokens_must_expire_within_a_day(
    app, client: TestClient, workspace: Workspace
) -> None:
    url = f"/api/v1/widget/inboxes/{workspace.a.inbox_public_id}/conversations"
    now = int(time.time())
    for exp in (float("inf"), 1e308, 10**20, now + 2 * 24 * 3600, now + 600.5, "soon", True):
        response = client.post(url, json={"identity_token": _identity(app, workspace, exp)})
        assert response.status_code == 401, (exp, response.text)
        assert response.json()["error"]["code"] == "invalid_identity", exp
        assert "exp" in response.json()["error"]["message"]
    expired = client.post(url, json={"identity_token": _identity(app, workspace, now - 5)})
    assert expired.json()["error"]["code"] == "token_expired"
    fine = client.post(url, json={"identity_token": _identity(app, workspace, now + 600)})
    assert fine.status_code == 201, fine.text
    assert json.dumps(float("inf")) == "Infinity"  # what a careless signer would send


def _add_member(admin: TestClient, email: str, name: str = "Sam Doe", password: str = "p" * 12):  # type: ignore[no-untyped-def]
    return admin.post(
        "/api/v1/admin/members",
        json={"email": email, "name": name, "role": "agent", "password": password},
    )


@pytest.mark.parametrize(
    "name",
    [
        "\u0410dmin North",  # Cyrillic A, then Latin letters
        "P\u0430ypal Support",  # Cyrillic a inside a Latin word
        "Bob\u202egnp.exe",  # right-to-left override
        "Ann\u200bLee",  # zero-width space
    ],
)
def test_look_alike_staff_names_are_refused(app, workspace: Workspace, name: str) -> None:
    with TestClient(app) as admin:
        login(admin, workspace.a.users["admin"][1])
        response = _add_member(admin, "new.person@north.example", name=name)
        assert response.status_code == 422, response.text
        assert response.json()["error"]["code"] == "invalid_name"


def test_real_names_in_any_script_are_accepted(app, workspace: Workspace) -> None:
    with TestClient(app) as admin:
        login(admin, workspace.a.users["admin"][1])
        for index, name in enumerate(
            ["Zoë Ñúñez-O'Brien", "Дмитрий Петров", "田中まり子", "김민준"]
        ):
            response = _add_member(admin, f"person{index}@north.example", name=name)
            assert response.status_code == 201, (name, response.text)


def test_adding_a_member_does_not_reveal_emails_of_other_accounts(
    app, client: TestClient, workspace: Workspace
) -> None:
    elsewhere = workspace.b.users["agent"][1]
    with TestClient(app) as admin:
        login(admin, workspace.a.users["admin"][1])
        new = _add_member(admin, "brand.new@north.example")
        known = _add_member(admin, elsewhere)
        assert new.status_code == known.status_code == 201, known.text
        assert set(new.json()) == set(known.json())
        assert known.json()["email"] == elsewhere and known.json()["name"] == "Sam Doe"
        again = _add_member(admin, elsewhere)
        assert again.status_code == 409 and again.json()["error"]["code"] == "already_member"
        assert elsewhere not in again.text
    # The other account's person keeps their own password: the one given here does not work.
    assert (
        client.post(
            "/api/v1/auth/login", json={"email": elsewhere, "password": "p" * 12}
        ).status_code
        == 401
    )
    assert (
        client.post(
            "/api/v1/auth/login", json={"email": elsewhere, "password": PASSWORD}
        ).status_code
        == 200
    )


def test_chat_page_may_be_framed_and_other_pages_may_not(
    client: TestClient, workspace: Workspace
) -> None:
    chat = client.get(f"/chat/{workspace.a.inbox_public_id}?embed=1")
    assert chat.status_code == 200
    assert "x-frame-options" not in chat.headers
    assert "frame-ancestors *" in chat.headers["content-security-policy"]
    console = client.get("/console/login")
    assert console.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in console.headers["content-security-policy"]


def test_api_docs_are_off_in_production_unless_switched_on(settings, db, services) -> None:  # type: ignore[no-untyped-def]
    from batondesk.app import create_app

    production = settings.model_copy(update={"environment": "production"})
    with TestClient(create_app(production, services=services)) as public:
        for path in ("/docs", "/redoc", "/openapi.json"):
            assert public.get(path).status_code == 404, path
    switched_on = production.model_copy(update={"api_docs": True})
    with TestClient(create_app(switched_on, services=services)) as public:
        assert public.get("/openapi.json").status_code == 200
    with TestClient(create_app(settings, services=services)) as dev:
        assert dev.get("/docs").status_code == 200
