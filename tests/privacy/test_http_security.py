"""Session security: CSRF protection of the console, secure cookies, security headers, rate
limits on the public widget endpoints."""

from __future__ import annotations

from fastapi.testclient import TestClient

from batondesk.app import create_app
from tests.support.workspace import PASSWORD, Workspace, start_chat


def test_cookie_requests_that_change_state_need_the_console_header(
    app, client: TestClient, workspace: Workspace
) -> None:
    conversation_id, _ = start_chat(client, workspace.a.inbox_public_id)
    with TestClient(app) as browser:
        assert (
            browser.post(
                "/api/v1/auth/login",
                json={"email": workspace.a.users["agent"][1], "password": PASSWORD},
            ).status_code
            == 200
        )
        # A forged cross-site form post carries the cookie but cannot add a custom header.
        forged = browser.post(f"/api/v1/conversations/{conversation_id}/take-over")
        assert forged.status_code == 403 and forged.json()["error"]["code"] == "csrf_check_failed"
        assert browser.get("/api/v1/queue").status_code == 200  # reads are not affected
        console = browser.post(
            f"/api/v1/conversations/{conversation_id}/take-over",
            headers={"X-Requested-With": "baton"},
        )
        assert console.status_code == 200


def test_api_keys_and_visitors_need_no_csrf_header(
    app, client: TestClient, workspace: Workspace
) -> None:
    with TestClient(app) as admin:
        admin.post(
            "/api/v1/auth/login",
            json={"email": workspace.a.users["admin"][1], "password": PASSWORD},
        )
        key = admin.post(
            "/api/v1/admin/api-keys",
            headers={"X-Requested-With": "baton"},
            json={"name": "bot", "role": "agent", "scopes": ["conversations:write"]},
        ).json()["key"]
    conversation_id, visitor = start_chat(client, workspace.a.inbox_public_id)
    sent = client.post(
        f"/api/v1/widget/conversations/{conversation_id}/messages",
        json={"body": "hello"},
        headers=visitor,
    )
    assert sent.status_code == 201
    resolved = client.post(
        f"/api/v1/conversations/{conversation_id}/resolve",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert resolved.status_code == 200


def test_session_cookie_flags(settings, db, services, workspace: Workspace) -> None:  # type: ignore[no-untyped-def]
    production_like = settings.model_copy(update={"environment": "production"})
    with TestClient(create_app(production_like, services=services)) as browser:
        response = browser.post(
            "/api/v1/auth/login",
            json={"email": workspace.a.users["agent"][1], "password": PASSWORD},
        )
        cookie = response.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie and "secure" in cookie
        assert "max-age=31536000" in response.headers["strict-transport-security"]


def test_security_headers(client: TestClient) -> None:
    response = client.get("/health")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy and "unsafe-inline" not in policy
    assert "strict-transport-security" not in response.headers  # only in production (HTTPS)
    assert client.get("/docs").status_code == 200  # the API docs page still works
    assert client.get("/api/v1/me").headers["cache-control"] == "no-store"


def test_widget_endpoints_are_rate_limited_per_address(
    settings, db, services, workspace: Workspace
) -> None:  # type: ignore[no-untyped-def]
    limited = settings.model_copy(update={"widget_rate_limit_per_minute": 3})
    with TestClient(create_app(limited, services=services)) as visitor:
        url = f"/api/v1/widget/inboxes/{workspace.a.inbox_public_id}/conversations"
        statuses = [visitor.post(url, json={}).status_code for _ in range(4)]
        assert statuses == [201, 201, 201, 429]
        refused = visitor.post(url, json={})
        assert refused.json()["error"]["code"] == "rate_limited"
        assert int(refused.headers["retry-after"]) >= 1
        assert visitor.get("/health").status_code == 200  # only public widget endpoints
