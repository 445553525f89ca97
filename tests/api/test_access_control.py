"""Every console endpoint, with another account's ids and with too weak a role."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from batondesk.config import Settings
from tests.support.files import png
from tests.support.workspace import Workspace, login, start_chat

# A time a snooze accepts (ahead, within a year).
SNOOZE_UNTIL = (datetime.now(UTC) + timedelta(days=1)).isoformat()

# method, path -> (permission, body). A new console route must be added here, or the
# completeness test below fails: access control is never left untested. A body value
# written "{name}" is filled with the same id as a path's {name}: another account's.
CONSOLE_ENDPOINTS: dict[tuple[str, str], tuple[str, dict | None]] = {
    ("GET", "/api/v1/me"): ("conversations:read", None),
    ("PUT", "/api/v1/me/availability"): ("conversations:write", {"availability": "available"}),
    ("GET", "/api/v1/conversations"): ("conversations:read", None),
    ("GET", "/api/v1/queue"): ("conversations:read", None),
    ("GET", "/api/v1/stream"): ("conversations:read", None),
    ("GET", "/api/v1/conversations/{conversation_id}"): ("conversations:read", None),
    ("GET", "/api/v1/conversations/{conversation_id}/messages"): ("conversations:read", None),
    ("GET", "/api/v1/conversations/{conversation_id}/events"): ("conversations:read", None),
    ("GET", "/api/v1/contacts/{contact_id}"): ("conversations:read", None),
    ("GET", "/api/v1/contacts/{contact_id}/conversations"): ("conversations:read", None),
    ("GET", "/api/v1/contacts/{contact_id}/recommendations"): ("conversations:read", None),
    ("GET", "/api/v1/attachments/{attachment_id}"): ("conversations:read", None),
    ("GET", "/api/v1/attachments/{attachment_id}/thumbnail"): ("conversations:read", None),
    # Multipart: the tests below send a file rather than this body.
    ("POST", "/api/v1/conversations/{conversation_id}/attachments"): ("conversations:write", None),
    ("POST", "/api/v1/conversations/{conversation_id}/messages"): (
        "conversations:write",
        {"body": "hello"},
    ),
    ("POST", "/api/v1/conversations/{conversation_id}/notes"): (
        "conversations:write",
        {"body": "note"},
    ),
    ("POST", "/api/v1/conversations/{conversation_id}/typing"): (
        "conversations:write",
        {"typing": True},
    ),
    ("POST", "/api/v1/conversations/{conversation_id}/assign"): (
        "conversations:write",
        {"user_id": "{user_id}"},
    ),
    ("POST", "/api/v1/conversations/{conversation_id}/take-over"): ("conversations:write", None),
    ("POST", "/api/v1/conversations/{conversation_id}/hand-back"): ("conversations:write", None),
    ("POST", "/api/v1/conversations/{conversation_id}/resolve"): ("conversations:write", None),
    ("POST", "/api/v1/conversations/{conversation_id}/reopen"): ("conversations:write", None),
    ("GET", "/api/v1/admin/api-keys"): ("admin", None),
    ("POST", "/api/v1/admin/api-keys"): (
        "admin",
        {"name": "k", "role": "agent", "scopes": ["conversations:read"]},
    ),
    ("POST", "/api/v1/admin/api-keys/{key_id}/revoke"): ("admin", None),
    ("GET", "/api/v1/admin/settings/answering"): ("admin", None),
    ("PUT", "/api/v1/admin/settings/answering"): ("admin", {"max_wrong_rate": 0.02}),
    ("GET", "/api/v1/admin/settings/recommendations"): ("admin", None),
    ("PUT", "/api/v1/admin/settings/recommendations"): ("admin", {"enabled": True}),
    ("GET", "/api/v1/conversations/{conversation_id}/packet"): ("conversations:read", None),
    ("GET", "/api/v1/agents"): ("conversations:read", None),
    ("GET", "/api/v1/admin/settings/escalation"): ("admin", None),
    ("PUT", "/api/v1/admin/settings/escalation"): ("admin", {"frustration_threshold": 0.5}),
    ("POST", "/api/v1/messages/{message_id}/intent"): (
        "conversations:write",
        {"intent": "card_arrival"},
    ),
    ("GET", "/api/v1/admin/models"): ("admin", None),
    ("POST", "/api/v1/admin/models/promote"): ("admin", {"version": "none-such"}),
    ("POST", "/api/v1/admin/models/rollback"): ("admin", None),
    ("POST", "/api/v1/admin/members"): (
        "admin",
        {"email": "new@a.example", "name": "New", "password": "long enough"},
    ),
    ("PATCH", "/api/v1/admin/members/{user_id}"): ("admin", {"role": "agent"}),
    ("GET", "/api/v1/admin/privacy/contacts/{contact_id}/export"): ("privacy", None),
    ("POST", "/api/v1/admin/privacy/contacts/{contact_id}/erase"): ("privacy", None),
    ("GET", "/api/v1/admin/privacy/contacts/{contact_id}/consents"): ("privacy", None),
    ("PUT", "/api/v1/admin/privacy/contacts/{contact_id}/consents"): (
        "privacy",
        {"purpose": "training", "granted": True},
    ),
    ("GET", "/api/v1/admin/privacy/retention"): ("privacy", None),
    ("PUT", "/api/v1/admin/privacy/retention"): ("privacy", {"conversation_days": 3650}),
    ("GET", "/api/v1/admin/privacy/retention/report"): ("privacy", None),
    ("POST", "/api/v1/admin/privacy/retention/apply"): ("privacy", None),
    ("GET", "/api/v1/admin/privacy/audit"): ("privacy", None),
    ("GET", "/api/v1/admin/privacy/audit/verify"): ("privacy", None),
    ("POST", "/api/v1/admin/privacy/keys/rotate"): ("privacy", None),
    ("GET", "/api/v1/knowledge/articles"): ("conversations:read", None),
    ("POST", "/api/v1/knowledge/articles"): (
        "admin",
        {"title": "Opening hours", "body": "We answer chats every day."},
    ),
    ("GET", "/api/v1/knowledge/articles/{article_id}"): ("conversations:read", None),
    ("PATCH", "/api/v1/knowledge/articles/{article_id}"): ("admin", {"title": "New title"}),
    ("DELETE", "/api/v1/knowledge/articles/{article_id}"): ("admin", None),
    ("GET", "/api/v1/knowledge/articles/{article_id}/versions"): ("conversations:read", None),
    ("POST", "/api/v1/knowledge/articles/{article_id}/restore"): ("admin", {"version": 1}),
    ("POST", "/api/v1/knowledge/import"): ("admin", None),
    ("GET", "/api/v1/knowledge/search"): ("conversations:read", None),
    ("GET", "/api/v1/knowledge/templates"): ("admin", None),
    ("PUT", "/api/v1/knowledge/templates"): (
        "admin",
        {"intent": "card_arrival", "body": "Your card is on its way."},
    ),
    ("GET", "/api/v1/conversations/{conversation_id}/suggestions"): ("conversations:read", None),
    ("GET", "/api/v1/admin/reports/kpis"): ("admin", None),
    ("PUT", "/api/v1/messages/{message_id}/review"): (
        "conversations:write",
        {"verdict": "right"},
    ),
    ("GET", "/api/v1/answer-reviews/sample"): ("conversations:read", None),
    ("GET", "/api/v1/review-queue"): ("conversations:read", None),
    ("POST", "/api/v1/review-queue/labels"): (
        "conversations:write",
        {"labels": [{"id": 1, "kind": "skip"}]},
    ),
    ("PUT", "/api/v1/review-queue/{item_id}/label"): ("conversations:write", {"kind": "skip"}),
    ("GET", "/api/v1/review-queue/examples.csv"): ("admin", None),
    ("GET", "/api/v1/content-gaps"): ("conversations:read", None),
    ("POST", "/api/v1/content-gaps/intent-suggestions"): (
        "conversations:write",
        {"name": "crypto", "message_ids": [1]},
    ),
    ("GET", "/api/v1/admin/settings/costs"): ("admin", None),
    ("PUT", "/api/v1/admin/settings/costs"): ("admin", {"agent_cost_per_hour": 30}),
    ("GET", "/api/v1/learning/models"): ("admin", None),
    ("GET", "/api/v1/learning/models/{candidate_id}/disagreements"): ("admin", None),
    ("POST", "/api/v1/learning/retrain"): ("admin", None),
    ("GET", "/api/v1/admin/settings/learning"): ("admin", None),
    ("PUT", "/api/v1/admin/settings/learning"): ("admin", {"gate_margin_points": 3}),
    ("GET", "/api/v1/admin/settings/answer-reviews"): ("admin", None),
    ("PUT", "/api/v1/admin/settings/answer-reviews"): ("admin", {"sample_share": 0.1}),
    ("GET", "/api/v1/admin/settings/widget"): ("admin", None),
    ("PUT", "/api/v1/admin/settings/widget"): ("admin", {"allowed_origins": []}),
    ("GET", "/api/v1/admin/settings/attachments"): ("admin", None),
    ("PUT", "/api/v1/admin/settings/attachments"): ("admin", {"max_bytes": 1_000_000}),
    ("GET", "/api/v1/admin/experiments"): ("admin", None),
    ("POST", "/api/v1/admin/experiments"): (
        "admin",
        {
            "key": "tone",
            "name": "Tone",
            "variants": [
                {"key": "a", "name": "A", "control": True, "weight": 1},
                {"key": "b", "name": "B", "weight": 1, "overrides": {"greeting": "Hi!"}},
            ],
        },
    ),
    ("GET", "/api/v1/admin/experiments/{key}"): ("admin", None),
    ("PATCH", "/api/v1/admin/experiments/{key}"): ("admin", {"name": "Renamed"}),
    ("POST", "/api/v1/admin/experiments/{key}/start"): ("admin", None),
    ("POST", "/api/v1/admin/experiments/{key}/stop"): ("admin", {"reason": "done"}),
    # The workflow on a conversation; the account's tags and teams.
    ("PUT", "/api/v1/conversations/{conversation_id}/assignee"): (
        "conversations:write",
        {"user_id": "{user_id}"},
    ),
    ("PUT", "/api/v1/conversations/{conversation_id}/team"): (
        "conversations:write",
        {"team_id": "{team_id}"},
    ),
    ("PUT", "/api/v1/conversations/{conversation_id}/priority"): (
        "conversations:write",
        {"priority": "high"},
    ),
    ("POST", "/api/v1/conversations/{conversation_id}/snooze"): (
        "conversations:write",
        {"until": SNOOZE_UNTIL},
    ),
    ("POST", "/api/v1/conversations/{conversation_id}/unsnooze"): ("conversations:write", None),
    ("POST", "/api/v1/conversations/{conversation_id}/tags"): (
        "conversations:write",
        {"tag_id": "{tag_id}"},
    ),
    ("DELETE", "/api/v1/conversations/{conversation_id}/tags/{tag_id}"): (
        "conversations:write",
        None,
    ),
    ("GET", "/api/v1/tags"): ("conversations:read", None),
    ("POST", "/api/v1/tags"): ("conversations:write", {"name": "billing"}),
    ("DELETE", "/api/v1/tags/{tag_id}"): ("admin", None),
    ("GET", "/api/v1/teams"): ("conversations:read", None),
    # Canned responses.
    ("GET", "/api/v1/canned-responses"): ("conversations:read", None),
    ("POST", "/api/v1/canned-responses"): (
        "admin",
        {"shortcut": "thanks", "title": "Thanks", "body": "Thank you, {{contact.first_name}}!"},
    ),
    ("PATCH", "/api/v1/canned-responses/{canned_response_id}"): ("admin", {"title": "New"}),
    ("DELETE", "/api/v1/canned-responses/{canned_response_id}"): ("admin", None),
    ("GET", "/api/v1/conversations/{conversation_id}/canned-responses/{canned_response_id}"): (
        "conversations:read",
        None,
    ),
    # Customer data.
    ("GET", "/api/v1/contacts/{contact_id}/profile"): ("conversations:read", None),
    ("GET", "/api/v1/admin/customer-attributes"): ("admin", None),
    ("POST", "/api/v1/admin/customer-attributes"): ("admin", {"key": "plan", "type": "string"}),
    ("DELETE", "/api/v1/admin/customer-attributes/{attribute_id}"): ("admin", None),
    ("POST", "/api/v1/customers/import"): ("admin", None),  # a multipart file upload
    ("POST", "/api/v1/customers/records"): (
        "admin",
        {"records": [{"external_id": "c-1", "name": "Ann Example"}]},
    ),
    # Outbound webhooks (the destination is never contacted: no delivery pass runs here).
    ("GET", "/api/v1/admin/webhooks"): ("admin", None),
    ("POST", "/api/v1/admin/webhooks"): (
        "admin",
        {"url": "http://127.0.0.1:9/hook", "event_types": ["*"]},
    ),
    ("GET", "/api/v1/admin/webhooks/event-types"): ("admin", None),
    ("GET", "/api/v1/admin/webhooks/{endpoint_id}"): ("admin", None),
    ("PATCH", "/api/v1/admin/webhooks/{endpoint_id}"): ("admin", {"enabled": False}),
    ("DELETE", "/api/v1/admin/webhooks/{endpoint_id}"): ("admin", None),
    ("POST", "/api/v1/admin/webhooks/{endpoint_id}/rotate-secret"): ("admin", None),
    ("GET", "/api/v1/admin/webhooks/{endpoint_id}/deliveries"): ("admin", None),
    ("POST", "/api/v1/admin/webhooks/{endpoint_id}/deliveries/{delivery_id}/retry"): (
        "admin",
        None,
    ),
    # CRM connectors (the CRM is never contacted: every sync here is refused).
    ("GET", "/api/v1/admin/crm/connectors"): ("admin", None),
    ("POST", "/api/v1/admin/crm/connectors"): (
        "admin",
        {
            "name": "CRM",
            "config": {"base_url": "http://127.0.0.1:9", "mapping": {"external_id": "id"}},
        },
    ),
    ("GET", "/api/v1/admin/crm/connectors/{connector_id}"): ("admin", None),
    ("PATCH", "/api/v1/admin/crm/connectors/{connector_id}"): ("admin", {"enabled": False}),
    ("POST", "/api/v1/admin/crm/connectors/{connector_id}/sync"): ("admin", None),
}
PUBLIC_PREFIXES = ("/api/v1/widget/", "/api/v1/auth/")
# Public routes outside those prefixes, each authenticated otherwise: the CRM's pushes carry
# an HMAC signature of the connector's secret (refusals: tests/integrations/test_crm_sync.py).
PUBLIC_ROUTES = {("POST", "/api/v1/crm/{public_id}/webhook")}
ROLE_PERMISSIONS = {
    "admin": {"conversations:read", "conversations:write", "admin", "privacy"},
    "agent": {"conversations:read", "conversations:write"},
    "analyst": {"conversations:read"},
}


def test_every_console_route_is_listed(app) -> None:
    routes = {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        if path.startswith("/api/v1/") and not path.startswith(PUBLIC_PREFIXES)
        for method in operations
    } - PUBLIC_ROUTES
    assert routes == set(CONSOLE_ENDPOINTS)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Webhook and CRM destinations on loopback are accepted, and no delivery pass runs: B's
    deliveries stay queued and nothing is ever sent."""
    return settings.model_copy(
        update={"allow_private_destinations": True, "webhook_delivery_interval_seconds": 0}
    )


def _created(response) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


@pytest.fixture
def foreign_ids(app, client: TestClient, workspace: Workspace) -> dict[str, Any]:
    """Real ids that belong to account B."""
    with TestClient(app) as admin_b:
        login(admin_b, workspace.b.users["admin"][1])

        def create(path: str, **changes: Any) -> dict[str, Any]:
            body = {**CONSOLE_ENDPOINTS[("POST", path)][1], **changes}  # type: ignore[dict-item]
            return _created(admin_b.post(path, json=body))

        # Registered first, so B's conversation below queues deliveries for it.
        endpoint = create("/api/v1/admin/webhooks")
        tag = create("/api/v1/tags")
        canned = create("/api/v1/canned-responses")
        connector = create("/api/v1/admin/crm/connectors")
        attribute = create("/api/v1/admin/customer-attributes")
        team_id = admin_b.get("/api/v1/teams").json()[0]["id"]

        conversation_id, visitor = start_chat(client, workspace.b.inbox_public_id)
        sent = client.post(
            f"/api/v1/widget/conversations/{conversation_id}/messages",
            json={"body": "my card still hasn't arrived"},
            headers=visitor,
        )
        tagged = admin_b.post(
            f"/api/v1/conversations/{conversation_id}/tags", json={"tag_id": tag["id"]}
        )
        assert tagged.status_code == 200, tagged.text
        deliveries = admin_b.get(f"/api/v1/admin/webhooks/{endpoint['id']}/deliveries").json()
        contact_id = admin_b.get(f"/api/v1/conversations/{conversation_id}").json()["contact_id"]
        key = admin_b.post(
            "/api/v1/admin/api-keys",
            json={"name": "b", "role": "agent", "scopes": ["conversations:read"]},
        ).json()
        # Under a key account A never uses, so A's requests can only find B's.
        experiment = {
            **CONSOLE_ENDPOINTS[("POST", "/api/v1/admin/experiments")][1],
            "key": "b-only",
        }
        assert admin_b.post("/api/v1/admin/experiments", json=experiment).status_code == 201
        assert admin_b.post("/api/v1/admin/experiments/b-only/start").status_code == 200
        # A question the bot cannot place puts a message of B in B's review queue.
        unclear, unclear_visitor = start_chat(client, workspace.b.inbox_public_id)
        client.post(
            f"/api/v1/widget/conversations/{unclear}/messages",
            json={"body": "who won the football game yesterday"},
            headers=unclear_visitor,
        )
        item_id = admin_b.get("/api/v1/review-queue").json()["data"][0]["id"]
    photo = client.post(
        f"/api/v1/widget/conversations/{conversation_id}/attachments",
        files={"file": ("photo.png", png(), "image/png")},
        headers=visitor,
    )
    return {
        "key": "b-only",
        "public_id": connector["webhook_url"].split("/")[-2],
        "conversation_id": conversation_id,
        "contact_id": contact_id,
        "key_id": key["id"],
        "message_id": sent.json()["message"]["id"],
        "user_id": workspace.b.users["agent"][0],
        "article_id": workspace_article_id(app, workspace.b.account_id),
        "item_id": item_id,
        "tag_id": tag["id"],
        "team_id": team_id,
        "canned_response_id": canned["id"],
        "endpoint_id": endpoint["id"],
        "delivery_id": deliveries[0]["id"],
        "connector_id": connector["id"],
        "attribute_id": attribute["id"],
        "attachment_id": photo.json()["message"]["attachments"][0]["id"],
        "candidate_id": _candidate_of(app, workspace.b.account_id),
    }


def _candidate_of(app, account_id: int) -> int:  # type: ignore[no-untyped-def]
    """A candidate model row of the account (its training is the learning loop's tests')."""
    from batondesk.store.models import CandidateStatus, ModelCandidate

    with app.state.db.session() as session:
        candidate = ModelCandidate(
            account_id=account_id,
            version="c1",
            status=CandidateStatus.refused,
            trigger="cli",
            gate={},
            shadow_last_event_id=0,
            shadow_sample_share=1.0,
        )
        session.add(candidate)
        session.flush()
        return candidate.id


def workspace_article_id(app, account_id: int) -> int:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from batondesk.store.models import Article

    with app.state.db.session() as session:
        return int(
            session.scalars(
                select(Article.id).where(Article.account_id == account_id).order_by(Article.id)
            ).first()
        )


def _fill(path: str, ids: dict[str, Any]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: str(ids[m.group(1)]), path)


def _fill_body(body: dict[str, Any] | None, ids: dict[str, Any]) -> dict[str, Any] | None:
    """The body with each "{name}" value replaced by that id."""
    if body is None:
        return None
    filled = dict(body)
    for key, value in body.items():
        named = re.fullmatch(r"\{(\w+)\}", value) if isinstance(value, str) else None
        if named:
            filled[key] = ids[named.group(1)]
    return filled


@pytest.mark.parametrize("role", ["admin", "agent", "analyst"])
def test_roles_and_tenancy_on_every_console_endpoint(
    app, workspace: Workspace, foreign_ids: dict[str, Any], role: str
) -> None:
    with TestClient(app) as member_a:
        login(member_a, workspace.a.users[role][1])
        for (method, path), (permission, body) in CONSOLE_ENDPOINTS.items():
            url = _fill(path, foreign_ids)
            if path == "/api/v1/stream" and permission in ROLE_PERMISSIONS[role]:
                continue  # an allowed stream never ends; covered by the real-time tests
            if path.endswith("/attachments") and method == "POST":
                response = member_a.post(url, files={"file": ("a.png", png(), "image/png")})
            else:
                response = member_a.request(method, url, json=_fill_body(body, foreign_ids))
            if permission not in ROLE_PERMISSIONS[role]:
                expected = 403
            elif "{" in path:
                expected = 404  # another account's id looks exactly like a missing one
            else:
                continue  # account-wide lists: checked below to hold only own rows
            assert response.status_code == expected, (role, method, path, response.text)
            assert response.json()["error"]["code"] in ("permission_denied", "not_found")


def test_lists_never_show_another_account(app, workspace: Workspace, foreign_ids) -> None:
    with TestClient(app) as agent_a:
        login(agent_a, workspace.a.users["agent"][1])
        listed = agent_a.get("/api/v1/conversations").json()["data"]
        assert foreign_ids["conversation_id"] not in [c["id"] for c in listed]
        assert agent_a.get("/api/v1/queue").json()["count"] == 0


def test_without_login_console_is_closed(client: TestClient) -> None:
    ids: dict[str, Any] = {
        "conversation_id": 1,
        "contact_id": 1,
        "key_id": 1,
        "message_id": 1,
        "user_id": 1,
        "article_id": 1,
        "item_id": 1,
        "candidate_id": 1,
        "key": "tone",
        "tag_id": 1,
        "team_id": 1,
        "canned_response_id": 1,
        "endpoint_id": 1,
        "delivery_id": 1,
        "connector_id": 1,
        "attribute_id": 1,
        "attachment_id": 1,
    }
    for (method, path), (_permission, body) in CONSOLE_ENDPOINTS.items():
        response = client.request(method, _fill(path, ids), json=_fill_body(body, ids))
        assert response.status_code == 401, (method, path)


def test_ids_of_another_account_in_a_body_are_not_found(
    app, client: TestClient, workspace: Workspace, foreign_ids: dict[str, Any]
) -> None:
    """On account A's own conversation, B's member, team or tag is as unknown as none."""
    own, _ = start_chat(client, workspace.a.inbox_public_id)
    with TestClient(app) as agent_a:
        login(agent_a, workspace.a.users["agent"][1])
        for method, path in [
            ("POST", "/api/v1/conversations/{conversation_id}/assign"),
            ("PUT", "/api/v1/conversations/{conversation_id}/assignee"),
            ("PUT", "/api/v1/conversations/{conversation_id}/team"),
            ("POST", "/api/v1/conversations/{conversation_id}/tags"),
            ("DELETE", "/api/v1/conversations/{conversation_id}/tags/{tag_id}"),
        ]:
            body = _fill_body(CONSOLE_ENDPOINTS[(method, path)][1], foreign_ids)
            url = _fill(path, {**foreign_ids, "conversation_id": own})
            response = agent_a.request(method, url, json=body)
            assert response.status_code == 404, (method, path, response.text)
        assert agent_a.get(f"/api/v1/conversations/{own}").json()["tags"] == []


def test_the_crm_webhook_takes_a_signature_not_a_session(
    app, workspace: Workspace, foreign_ids: dict[str, Any]
) -> None:
    """The CRM's public route: even an admin's session is no substitute for the signature."""
    with TestClient(app) as admin_a:
        login(admin_a, workspace.a.users["admin"][1])
        for public_id, status in ((foreign_ids["public_id"], 401), ("none-such", 404)):
            response = admin_a.post(
                f"/api/v1/crm/{public_id}/webhook",
                json={"contacts": [{"external_id": "c-1", "name": "Mallory"}]},
            )
            assert response.status_code == status, response.text


def test_api_key_scopes_limit_what_a_key_can_do(
    app, client: TestClient, workspace: Workspace
) -> None:
    with TestClient(app) as admin_a:
        login(admin_a, workspace.a.users["admin"][1])
        created = admin_a.post(
            "/api/v1/admin/api-keys",
            json={"name": "reporting", "role": "agent", "scopes": ["conversations:read"]},
        ).json()
        listed = admin_a.get("/api/v1/admin/api-keys").json()
    # The key is shown once; listings carry only its prefix.
    assert created["key"].startswith("bk_") and "key" not in listed[0]
    headers = {"Authorization": f"Bearer {created['key']}"}
    conversation_id, _ = start_chat(client, workspace.a.inbox_public_id)
    assert client.get("/api/v1/conversations", headers=headers).status_code == 200
    resolve = client.post(f"/api/v1/conversations/{conversation_id}/resolve", headers=headers)
    assert resolve.status_code == 403
    bad = client.get("/api/v1/conversations", headers={"Authorization": "Bearer bk_nope"})
    assert bad.status_code == 401 and bad.json()["error"]["code"] == "invalid_api_key"
