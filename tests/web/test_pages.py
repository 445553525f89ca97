"""The console, admin and chat pages: who may open them, and what they serve."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.support.workspace import Workspace, login, start_chat

# What the console's scripts send with every request (the CSRF check requires it).
CONSOLE_HEADERS = {"X-Requested-With": "baton"}
CONSOLE_PAGES = ["/console", "/console/conversations/1"]
ADMIN_PAGES = [
    f"/console/admin/{name}"
    for name in ("team", "inboxes", "escalation", "knowledge", "models", "reports", "experiments")
]


@pytest.mark.parametrize("path", [*CONSOLE_PAGES, "/console/admin", *ADMIN_PAGES])
def test_pages_send_visitors_without_a_session_to_login(client: TestClient, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/console/login?next=%2Fconsole")


def test_login_page_renders_and_only_returns_to_local_pages(client: TestClient) -> None:
    page = client.get("/console/login?next=//evil.example/x")
    assert page.status_code == 200
    assert 'data-next="/console"' in page.text and "Work email" in page.text
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    sneaky = client.get("/console/login", params={"next": "/\\evil.example"})
    assert 'data-next="/console"' in sneaky.text


@pytest.mark.parametrize("role", ["agent", "analyst"])
def test_admin_pages_refuse_a_weaker_role(app, workspace: Workspace, role: str) -> None:
    with TestClient(app, headers=CONSOLE_HEADERS) as member:
        login(member, workspace.a.users[role][1])
        assert member.get("/console").status_code == 200
        for path in ADMIN_PAGES:
            response = member.get(path)
            assert response.status_code == 403, path
            assert "Admins only" in response.text


def test_admin_pages_show_the_account(app, workspace: Workspace) -> None:
    with TestClient(app, headers=CONSOLE_HEADERS) as admin:
        login(admin, workspace.a.users["admin"][1])
        pages = {path: admin.get(path) for path in ADMIN_PAGES}
    assert all(r.status_code == 200 for r in pages.values())
    # (an address may break after its "@" on a narrow screen: <wbr> there)
    assert workspace.a.users["agent2"][1] in pages["/console/admin/team"].text.replace("<wbr>", "")
    snippet = f'/widget.js" data-inbox="{workspace.a.inbox_public_id}" async&gt;'
    assert snippet in pages["/console/admin/inboxes"].text
    # How to pass a signed-in customer's identity token, and how to sign one.
    inboxes = pages["/console/admin/inboxes"].text
    assert f'data-inbox="{workspace.a.inbox_public_id}"\n  data-identity-token=' in inboxes
    assert "Baton.identify(token)" in inboxes and "Baton.logout()" in inboxes
    assert "hmac.new(secret.encode(), body.encode(), hashlib.sha256)" in inboxes
    assert workspace.b.inbox_public_id not in pages["/console/admin/inboxes"].text
    assert "When will my card arrive?" in pages["/console/admin/knowledge"].text
    models_page = pages["/console/admin/models"].text
    assert "No versions of this account's own yet" in models_page
    assert "the built-in model" in models_page


def test_console_opens_own_conversations_only(app, client, workspace: Workspace) -> None:
    own, _ = start_chat(client, workspace.a.inbox_public_id)
    foreign, _ = start_chat(client, workspace.b.inbox_public_id)
    with TestClient(app, headers=CONSOLE_HEADERS) as agent:
        login(agent, workspace.a.users["agent"][1])
        page = agent.get(f"/console/conversations/{own}")
        assert page.status_code == 200 and f'data-conversation="{own}"' in page.text
        assert "card_arrival" in page.text  # the intent picker offers the model's labels
        assert agent.get(f"/console/conversations/{foreign}").status_code == 404


def test_chat_page_and_widget_script(client: TestClient, workspace: Workspace) -> None:
    chat = client.get(f"/chat/{workspace.a.inbox_public_id}?embed=1")
    assert chat.status_code == 200 and "Talk to a person" in chat.text
    assert "North Bank" in chat.text
    # The chat runs inside the widget's frame on any website.
    assert "frame-ancestors *" in chat.headers["content-security-policy"]
    assert client.get("/chat/no-such-inbox").status_code == 404
    script = client.get("/widget.js")
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    assert "data-inbox" in script.text
    for asset in (
        "/static/css/console.css",
        "/static/css/chat.css",
        "/static/widget/chat.js",
        "/static/js/console.js",
        "/static/img/baton.svg",
    ):
        assert client.get(asset).status_code == 200, asset


def _customer_message(client: TestClient, workspace: Workspace) -> tuple[int, int]:
    conversation_id, visitor = start_chat(client, workspace.a.inbox_public_id)
    turn = client.post(
        f"/api/v1/widget/conversations/{conversation_id}/messages",
        json={"body": "my card still hasn't arrived"},
        headers=visitor,
    ).json()
    return conversation_id, turn["message"]["id"]


def test_agent_corrects_the_ai_intent_label(app, client, workspace: Workspace) -> None:
    conversation_id, message_id = _customer_message(client, workspace)
    with TestClient(app, headers=CONSOLE_HEADERS) as agent:
        login(agent, workspace.a.users["agent"][1])
        corrected = agent.post(
            f"/api/v1/messages/{message_id}/intent", json={"intent": "Card Delivery Estimate"}
        )
        assert corrected.status_code == 200, corrected.text
        annotations = corrected.json()["annotations"]
        assert annotations["intent"] == "card_arrival"  # the prediction is kept beside it
        assert annotations["corrected_intent"]["intent"] == "card_delivery_estimate"
        assert annotations["corrected_intent"]["by_user_id"] == workspace.a.users["agent"][0]
        events = agent.get(f"/api/v1/conversations/{conversation_id}/events").json()["data"]
        event = [e for e in events if e["type"] == "message.intent_corrected"][-1]
        assert event["payload"] == {
            "message_id": message_id,
            "predicted_intent": "card_arrival",
            "predicted_confidence": annotations["confidence"],
            "corrected_intent": "card_delivery_estimate",
        }
        messages = agent.get(f"/api/v1/conversations/{conversation_id}/messages").json()
        bot_reply = next(m for m in messages if m["sender_type"] == "bot")
        refused = agent.post(
            f"/api/v1/messages/{bot_reply['id']}/intent", json={"intent": "card_arrival"}
        )
        assert refused.status_code == 422
        assert refused.json()["error"]["code"] == "not_a_customer_message"
        bad = agent.post(f"/api/v1/messages/{message_id}/intent", json={"intent": "9 lives!"})
        assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_intent"


def test_models_admin_api_without_versions(app, workspace: Workspace) -> None:
    with TestClient(app, headers=CONSOLE_HEADERS) as admin:
        login(admin, workspace.a.users["admin"][1])
        assert admin.get("/api/v1/admin/models").json() == {
            "data": [],
            "active": None,
            "source": "built-in",
            "default_active": None,
        }
        rollback = admin.post("/api/v1/admin/models/rollback")
        assert rollback.status_code == 409
        assert rollback.json()["error"]["code"] == "nothing_to_roll_back"
        missing = admin.post("/api/v1/admin/models/promote", json={"version": "v-none"})
        assert missing.status_code == 404
        sneaky = admin.post("/api/v1/admin/models/promote", json={"version": "../keys"})
        assert sneaky.status_code == 422


def test_an_account_admin_promotes_and_rolls_back_its_own_model_only(
    app, client, tiny_classifier, workspace: Workspace, tmp_path
) -> None:
    """An admin changes the model of their own account; the other account, and the server
    default, keep theirs. Every worker picks the change up (the registry is read per turn)."""
    services = app.state.services
    own = services.models.registry(workspace.a.account_id)
    for version in ("v1", "v2"):
        own.register(tiny_classifier.save(tmp_path / version), version)
    with TestClient(app, headers=CONSOLE_HEADERS) as admin:
        login(admin, workspace.a.users["admin"][1])
        promoted = admin.post("/api/v1/admin/models/promote", json={"version": "v1"}).json()
        assert promoted["active"] == "v1" and promoted["source"] == "account"
        admin.post("/api/v1/admin/models/promote", json={"version": "v2"})
        page = admin.get("/console/admin/models").text
        assert 'data-promote="v1"' in page and 'data-promote="v2"' not in page
        rolled_back = admin.post("/api/v1/admin/models/rollback").json()
    assert rolled_back["active"] == "v1"
    assert [v["version"] for v in rolled_back["data"] if v["active"]] == ["v1"]
    assert services.models.source(workspace.a.account_id) == "account"
    assert services.models.source(workspace.b.account_id) == "built-in"
    assert services.models.registry(None).active() is None, "the server default is untouched"

    with TestClient(app, headers=CONSOLE_HEADERS) as other_admin:
        login(other_admin, workspace.b.users["admin"][1])
        theirs = other_admin.get("/api/v1/admin/models").json()
        assert theirs["data"] == [] and theirs["active"] is None
        refused = other_admin.post("/api/v1/admin/models/promote", json={"version": "v1"})
        assert refused.status_code == 404, "another account's version is not visible"


def test_the_answer_reviews_page_is_for_signed_in_staff(app, workspace: Workspace) -> None:  # type: ignore[no-untyped-def]
    with TestClient(app) as anonymous:
        away = anonymous.get("/console/reviews", follow_redirects=False)
        assert away.status_code == 303 and away.headers["location"].startswith("/console/login")
    with TestClient(app) as analyst:
        login(analyst, workspace.a.users["analyst"][1])
        page = analyst.get("/console/reviews")
        assert page.status_code == 200
        # Analysts read the sample; only those who may write get the verdict buttons.
        assert 'data-can-write="false"' in page.text and "/static/js/reviews.js" in page.text
