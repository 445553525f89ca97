"""The OpenAPI document says how to authenticate, so the reference (/docs) offers Authorize
and "Try it out" sends what was entered there: an API key or the console's session for the
staff API, a visitor token for the widget's chat, nothing for the public routes. What the
document declares is what the server accepts."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.support.workspace import Workspace, start_chat

STAFF = {"apiKey", "agentSession"}
# Public, or authenticated otherwise: a password, a signed CRM webhook, the cookie it ends.
PUBLIC = {
    ("get", "/health"),
    ("get", "/ready"),
    ("post", "/api/v1/widget/inboxes/{inbox_public_id}/conversations"),
    ("get", "/api/v1/widget/inboxes/{inbox_public_id}/settings"),
    ("get", "/api/v1/widget/texts/{language}"),
    ("post", "/api/v1/auth/login"),
    ("post", "/api/v1/auth/logout"),
    ("post", "/api/v1/crm/{public_id}/webhook"),
}


def _schemes(operation: dict[str, Any]) -> set[str]:
    """The schemes an operation accepts; each requirement is one alternative."""
    return {name for requirement in operation.get("security", []) for name in requirement}


def test_the_document_declares_how_each_operation_authenticates(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    schemes = document["components"]["securitySchemes"]
    assert schemes["apiKey"]["type"] == "http" and schemes["apiKey"]["scheme"] == "bearer"
    assert schemes["visitorToken"]["type"] == "http"
    assert schemes["visitorToken"]["scheme"] == "bearer"
    assert schemes["agentSession"] == {**schemes["agentSession"], "type": "apiKey", "in": "cookie"}

    operations = [
        (method, path, operation)
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    ]
    assert {(m, p) for m, p, _ in operations} >= PUBLIC
    for method, path, operation in operations:
        where = f"{method.upper()} {path}"
        if (method, path) in PUBLIC:
            assert _schemes(operation) == set(), where
        elif path.startswith("/api/v1/widget/"):
            assert _schemes(operation) == {"visitorToken"}, where
        else:
            # Either one will do: one requirement each, not both in one.
            assert _schemes(operation) == STAFF, where
            assert all(len(requirement) == 1 for requirement in operation["security"]), where
            assert "401" in operation["responses"], where


def _authorized(client: TestClient, scheme: dict[str, Any], value: str) -> TestClient:
    """A fresh client that sends `value` as Swagger UI does once it is entered under
    `scheme` in the Authorize dialog."""
    caller = TestClient(client.app)
    if scheme["type"] == "http":
        caller.headers["Authorization"] = f"{scheme['scheme'].title()} {value}"
    else:
        assert scheme["in"] == "cookie"
        caller.cookies.set(scheme["name"], value)
    return caller


def test_the_declared_schemes_are_the_ones_the_server_accepts(
    client: TestClient, admin: TestClient, workspace: Workspace
) -> None:
    schemes = client.get("/openapi.json").json()["components"]["securitySchemes"]
    assert client.get("/api/v1/conversations").status_code == 401

    created = admin.post(
        "/api/v1/admin/api-keys",
        json={"name": "docs", "role": "agent", "scopes": ["conversations:read"]},
    )
    assert created.status_code == 201, created.text
    with _authorized(client, schemes["apiKey"], created.json()["key"]) as caller:
        listed = caller.get("/api/v1/conversations")
        assert listed.status_code == 200, listed.text

    session_cookie = admin.cookies[schemes["agentSession"]["name"]]
    with _authorized(client, schemes["agentSession"], session_cookie) as caller:
        signed_in = caller.get("/api/v1/conversations")
        assert signed_in.status_code == 200, signed_in.text

    conversation_id, visitor = start_chat(client, workspace.a.inbox_public_id)
    url = f"/api/v1/widget/conversations/{conversation_id}"
    assert client.get(url).status_code == 401
    token = visitor["Authorization"].removeprefix("Bearer ")
    with _authorized(client, schemes["visitorToken"], token) as caller:
        chat = caller.get(url)
        assert chat.status_code == 200, chat.text
