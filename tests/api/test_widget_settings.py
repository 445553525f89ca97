"""The chat widget's settings: refused by name when wrong (and nothing changes), resolved for
the chat, announced to open chats, and the consent and pre-chat details they ask for."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from batondesk.store.models import Contact, Conversation
from tests.support.workspace import Workspace

WRITE = {"X-Requested-With": "baton"}
SETTINGS = "/api/v1/admin/settings/widget"


def _config(client: TestClient, inbox: str) -> dict[str, Any]:
    response = client.get(f"/api/v1/widget/inboxes/{inbox}/settings")
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def _start(client: TestClient, inbox: str, **body: Any) -> Any:
    return client.post(f"/api/v1/widget/inboxes/{inbox}/conversations", json=body)


def _count(app: FastAPI, model: Any) -> int:
    with app.state.db.session() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_bad_settings_are_refused_by_name_and_nothing_changes(admin: TestClient) -> None:
    saved = admin.put(
        SETTINGS, json={"brand_color": "#0F766E", "greeting": "Hello there"}, headers=WRITE
    )
    assert saved.status_code == 200, saved.text
    before = admin.get(SETTINGS).json()
    assert before["brand_color"] == "#0f766e"
    cases = [
        ({"brand_color": "blue"}, "brand_color"),
        ({"brand_color": "#12345g"}, "brand_color"),
        ({"brand_color": "#fff; background: url(https://evil.example)"}, "brand_color"),
        ({"greeting": "x" * 501}, "greeting"),
        ({"privacy_policy_url": "javascript:alert(document.cookie)"}, "privacy_policy_url"),
        ({"privacy_policy_url": " JavaScript:alert(1)"}, "privacy_policy_url"),
        ({"privacy_policy_url": "data:text/html,<script>alert(1)</script>"}, "privacy_policy_url"),
        ({"privacy_policy_url": "/privacy"}, "privacy_policy_url"),
        ({"position": "top"}, "position"),
        ({"prechat_form": "sometimes"}, "prechat_form"),
        ({"suggested_topics": ["a"] * 7}, "suggested_topics"),
        ({"suggested_topics": ["   "]}, "suggested_topics"),
        ({"consent_required": "yes please"}, "consent_required"),
        ({"follow_up_after_minutes": 0}, "follow_up_after_minutes"),
        ({"no_such_setting": 1}, "no_such_setting"),
    ]
    for change, field in cases:
        refused = admin.put(SETTINGS, json=change, headers=WRITE)
        assert refused.status_code == 422, change
        error = refused.json()["error"]
        assert error["code"] == "invalid_setting"
        assert field in error["message"], (change, error["message"])
    message = admin.put(
        SETTINGS, json={"privacy_policy_url": "javascript:alert(1)"}, headers=WRITE
    ).json()["error"]["message"]
    assert "only http(s) addresses are allowed" in message
    assert admin.get(SETTINGS).json() == before


def test_the_chat_reads_the_settings_of_its_own_account(
    admin: TestClient, client: TestClient, workspace: Workspace
) -> None:
    inbox = workspace.a.inbox_public_id
    default = _config(client, inbox)
    assert default["brand"] == "North Bank"
    assert "AI assistant" in default["greeting"]
    assert default["position"] == "right" and default["prechat_form"] == "off"
    change = {
        "brand_color": "#abc",
        "greeting": "  Welcome to North Bank!  ",
        "position": "left",
        "suggested_topics": ["Where is my card?", "Exchange rates", "Where is my card?"],
        "privacy_policy_url": "https://north.example/privacy",
        "consent_required": True,
        "prechat_form": "optional",
    }
    assert admin.put(SETTINGS, json=change, headers=WRITE).status_code == 200
    config = _config(client, inbox)
    assert config["brand_color"] == "#aabbcc"
    assert config["greeting"] == "Welcome to North Bank!"
    assert config["position"] == "left"
    assert config["suggested_topics"] == ["Where is my card?", "Exchange rates"]
    assert config["privacy_policy_url"] == "https://north.example/privacy"
    assert config["consent_required"] is True and config["prechat_form"] == "optional"
    # The other account's chat is untouched, and an unknown inbox is a 404.
    assert _config(client, workspace.b.inbox_public_id) == {**default, "brand": "South Bank"} | {
        "greeting": default["greeting"].replace("North", "South")
    }
    assert client.get("/api/v1/widget/inboxes/nope/settings").status_code == 404


def test_outside_office_hours_the_chat_says_when_people_are_back(
    admin: TestClient, client: TestClient, workspace: Workspace
) -> None:
    # Open one minute a day, on a day that is never today: always closed.
    closed = {"timezone": "UTC", "days": [1], "opens": "03:00", "closes": "03:01"}
    response = admin.put(
        "/api/v1/admin/settings/escalation", json={"office_hours": closed}, headers=WRITE
    )
    assert response.status_code == 200, response.text
    config = _config(client, workspace.a.inbox_public_id)
    assert config["office_open"] is False
    assert "Mon 03:00–03:01 (UTC)" in config["closed_message"]
    admin.put(SETTINGS, json={"closed_message": "Back on Monday!"}, headers=WRITE)
    assert _config(client, workspace.a.inbox_public_id)["closed_message"] == "Back on Monday!"


def test_a_settings_change_is_announced_to_the_accounts_open_chats(
    admin: TestClient, app: FastAPI, workspace: Workspace
) -> None:
    sent: list[tuple[str, dict[str, Any]]] = []
    app.state.db.publisher = sent.extend
    assert admin.put(SETTINGS, json={"greeting": "Hi"}, headers=WRITE).status_code == 200
    assert (f"widget:{workspace.a.account_id}", {"type": "widget.settings_changed"}) in sent
    sent.clear()
    admin.put(SETTINGS, json={"brand_color": "nope"}, headers=WRITE)
    assert sent == []  # a refused change announces nothing


def test_consent_is_asked_before_the_chat_starts_when_the_account_requires_it(
    admin: TestClient, client: TestClient, app: FastAPI, workspace: Workspace
) -> None:
    inbox = workspace.a.inbox_public_id
    admin.put(SETTINGS, json={"consent_required": True}, headers=WRITE)
    contacts = _count(app, Contact)
    refused = _start(client, inbox)
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "consent_required"
    assert _start(client, inbox, consent="yes").status_code == 422  # a boolean, not a word
    assert _count(app, Contact) == contacts  # nothing stored
    started = _start(client, inbox, consent=True)
    assert started.status_code == 201, started.text
    with app.state.db.session() as session:
        conversation = session.get(Conversation, started.json()["conversation_id"])
        assert conversation is not None
        contact_id = conversation.contact_id
    consents = admin.get(f"/api/v1/admin/privacy/contacts/{contact_id}/consents")
    assert consents.status_code == 200, consents.text
    assert consents.json()["chat"] is True
    audit = admin.get("/api/v1/admin/privacy/audit").json()
    entries = audit["data"] if isinstance(audit, dict) else audit
    assert any(
        e["action"] == "consent.changed" and e["details"].get("source") == "widget" for e in entries
    )


def test_the_prechat_form_is_checked_and_stored_sealed(
    admin: TestClient, agent: TestClient, client: TestClient, app: FastAPI, workspace: Workspace
) -> None:
    inbox = workspace.a.inbox_public_id
    admin.put(SETTINGS, json={"prechat_form": "required"}, headers=WRITE)
    contacts = _count(app, Contact)
    missing = _start(client, inbox, name="Ada Lovelace")
    assert missing.status_code == 422
    assert missing.json()["error"]["code"] == "prechat_required"
    assert "email" in missing.json()["error"]["message"]
    for bad in ("ada", "ada@", "ada @example.com", "<script>@x.example"):
        refused = _start(client, inbox, name="Ada", email=bad)
        assert refused.status_code == 422, bad
        assert refused.json()["error"]["code"] == "invalid_email"
    too_long = _start(client, inbox, name="A" * 201, email="ada@example.com")
    assert too_long.status_code == 422
    assert _count(app, Contact) == contacts

    started = _start(client, inbox, name=" Ada Lovelace ", email="Ada@Example.COM")
    assert started.status_code == 201, started.text
    conversation_id = started.json()["conversation_id"]
    with app.state.db.session() as session:
        conversation = session.get(Conversation, conversation_id)
        assert conversation is not None
        contact_id = conversation.contact_id
        raw = session.execute(
            text("SELECT name, email FROM contacts WHERE id = :id"), {"id": contact_id}
        ).one()
    # Sealed at rest: the columns hold ciphertext, not what the customer typed.
    for column in raw:
        assert b"Ada" not in bytes(column) and b"example" not in bytes(column).lower()
    contact = agent.get(f"/api/v1/contacts/{contact_id}").json()
    assert contact["name"] == "Ada Lovelace"
    assert contact["email"] == "Ada@example.com"

    # The same address typed by someone else never joins them to Ada's contact.
    again = _start(client, inbox, name="Mallory", email="ada@example.com")
    assert again.status_code == 201
    with app.state.db.session() as session:
        other = session.get(Conversation, again.json()["conversation_id"])
        assert other is not None and other.contact_id != contact_id

    # Optional: the form may be left empty.
    admin.put(SETTINGS, json={"prechat_form": "optional"}, headers=WRITE)
    assert _start(client, inbox).status_code == 201
