"""Who may show the chat in a frame: one consistent answer per page, from the account's list of
allowed websites (any website while the list is empty)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.support.workspace import Workspace

WRITE = {"X-Requested-With": "baton"}


def _frame_ancestors(response) -> str:  # type: ignore[no-untyped-def]
    for directive in response.headers["content-security-policy"].split(";"):
        name, _, value = directive.strip().partition(" ")
        if name == "frame-ancestors":
            return value
    raise AssertionError("no frame-ancestors")


def test_chat_page_is_framed_by_the_accounts_allowed_websites_only(
    admin: TestClient, client: TestClient, workspace: Workspace
) -> None:
    chat_url = f"/chat/{workspace.a.inbox_public_id}?embed=1"
    anyone = client.get(chat_url)
    assert _frame_ancestors(anyone) == "*"
    assert "x-frame-options" not in anyone.headers

    allowed = ["https://Shop.example.com/", "https://*.example.org", "http://localhost:8080"]
    saved = admin.put(
        "/api/v1/admin/settings/widget", json={"allowed_origins": allowed}, headers=WRITE
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["allowed_origins"] == [
        "https://shop.example.com",
        "https://*.example.org",
        "http://localhost:8080",
    ]
    assert admin.get("/api/v1/admin/settings/widget").json() == saved.json()
    listed = client.get(chat_url)
    assert _frame_ancestors(listed) == (
        "'self' https://shop.example.com https://*.example.org http://localhost:8080"
    )
    # X-Frame-Options cannot name websites: sending DENY beside the list would contradict it.
    assert "x-frame-options" not in listed.headers
    # The other account's chat is not affected.
    assert _frame_ancestors(client.get(f"/chat/{workspace.b.inbox_public_id}?embed=1")) == "*"
    # Console pages are never framed, and say so both ways.
    console = client.get("/console/login")
    assert _frame_ancestors(console) == "'none'" and console.headers["x-frame-options"] == "DENY"


def test_allowed_websites_must_be_origins(admin: TestClient) -> None:
    for bad in (
        "shop.example.com",
        "https://shop.example.com/chat",
        "javascript:alert(1)",
        "https://user@shop.example.com",
        "https://shop example.com",
        "*",
    ):
        refused = admin.put(
            "/api/v1/admin/settings/widget", json={"allowed_origins": [bad]}, headers=WRITE
        )
        assert refused.status_code == 422, bad
        assert refused.json()["error"]["code"] == "invalid_setting"
    assert admin.get("/api/v1/admin/settings/widget").json()["allowed_origins"] == []


def test_a_wrong_inbox_shows_a_message_in_the_frame(client: TestClient) -> None:
    page = client.get("/chat/no-such-inbox?embed=1")
    assert page.status_code == 404
    assert "This chat is not available" in page.text
    # Framable, so the widget shows the message instead of a blank frame; consistent headers.
    assert _frame_ancestors(page) == "*" and "x-frame-options" not in page.headers
