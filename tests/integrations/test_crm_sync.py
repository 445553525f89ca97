"""Customer data from a CRM, end to end: 1,000 contacts pulled incrementally from a CRM on
loopback through failures (HTTP 500, a dropped connection, a sync that gives up and resumes
from its cursor), then a change by signed webhook that the next bot reply to that verified
customer shows; anonymous visitors get the general answer; a bad signature changes nothing."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from batondesk.actions.inboxes import do_reveal_identity_secret
from batondesk.api.identity import sign_identity
from batondesk.config import Settings
from batondesk.integrations.signing import signature_header
from batondesk.store.models import Contact
from tests.support.loopback_http import LoopbackCrm, serving
from tests.support.workspace import Workspace, login

CONTACTS = 1000
TEMPLATE = (
    "Hi {{contact.first_name|there}}, your replacement for the card ending in "
    "{{contact.card_last4}} is on its way: cards arrive within 3-5 working days of ordering."
)
CARD_QUESTION = "my card still hasn't arrived"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"allow_private_destinations": True})


def crm_contact(number: int, last4: str | None = None) -> dict[str, Any]:
    return {
        "id": f"crm-{number:04d}",
        "full_name": f"Customer {number:04d} Example",
        "email": f"customer{number:04d}@example.com",
        "plan": "premium" if number % 3 == 0 else "basic",
        "cards": [{"last4": last4 or f"{number % 10000:04d}"}],
        "products": [{"name": "Everyday account"}, {"name": "Travel card", "status": "active"}],
        "orders": [{"id": f"ord-{number}", "date": "2025-05-01", "status": "shipped"}],
        "preferences": {"language": "en", "formality": "informal"},
    }


def connector_config(base: str) -> dict[str, Any]:
    return {
        "base_url": base,
        "path": "/contacts",
        "items_field": "data.contacts",
        "next_cursor_field": "paging.next",
        "page_size": 100,
        "auth": {
            "type": "oauth2_client_credentials",
            "token_url": base + "/oauth/token",
            "client_id": "baton",
        },
        "mapping": {
            "external_id": "id",
            "name": "full_name",
            "email": "email",
            "attributes.plan": "plan",
            "attributes.card_last4": "cards.0.last4",
            "products": "products",
            "orders": "orders",
            "preferences": "preferences",
        },
        "requests_per_second": 100,
        "max_retries": 2,
        "retry_base_seconds": 0.01,
    }


def _contacts(app, account_id: int) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """(contacts, distinct external ids) in the account."""
    with app.state.db.session() as session:
        return session.execute(
            select(func.count(), func.count(Contact.external_id_index.distinct())).where(
                Contact.account_id == account_id
            )
        ).one()


def _sync(admin: TestClient, connector_id: int) -> dict[str, Any]:
    url = f"/api/v1/admin/crm/connectors/{connector_id}"
    synced_before = admin.get(url).json()["last_sync_at"]
    started = admin.post(f"{url}/sync")
    assert started.status_code == 202, started.text
    # The sync runs as a job (in the app's own worker threads here): wait for its outcome.
    deadline = time.monotonic() + 60
    while True:
        connector: dict[str, Any] = admin.get(url).json()
        if connector["status"] != "running" and connector["last_sync_at"] != synced_before:
            return connector
        assert time.monotonic() < deadline, f"the sync is still {connector['status']}"
        time.sleep(0.1)


def _reply(client: TestClient, workspace: Workspace, identity_token: str | None) -> str:
    started = client.post(
        f"/api/v1/widget/inboxes/{workspace.a.inbox_public_id}/conversations",
        json={"identity_token": identity_token} if identity_token else {},
    )
    assert started.status_code == 201, started.text
    sent = client.post(
        f"/api/v1/widget/conversations/{started.json()['conversation_id']}/messages",
        headers={"authorization": f"Bearer {started.json()['visitor_token']}"},
        json={"body": CARD_QUESTION},
    )
    assert sent.status_code == 201, sent.text
    return str(sent.json()["reply"]["body"])


def test_contacts_sync_incrementally_through_failures_and_webhooks_reach_replies(
    app, workspace: Workspace
) -> None:
    crm = LoopbackCrm()
    for number in range(1, CONTACTS + 1):
        crm.upsert(crm_contact(number))
    # Page 4 answers 500 once and page 7 drops the connection once (retried within the
    # sync); page 9 fails more often than the sync retries, so the sync stops there.
    crm.failures = {"300": ["500"], "600": ["drop"], "800": ["500", "500", "500"]}

    with serving(crm) as base, TestClient(app) as client:
        admin = login(TestClient(app), workspace.a.users["admin"][1])
        for attribute in (
            {"key": "card_last4", "label": "Card (last 4)", "type": "string"},
            {"key": "plan", "type": "enum", "options": ["basic", "premium"]},
        ):
            assert (
                admin.post("/api/v1/admin/customer-attributes", json=attribute).status_code == 201
            )
        saved = admin.put(
            "/api/v1/knowledge/templates", json={"intent": "card_arrival", "body": TEMPLATE}
        )
        assert saved.status_code == 200, saved.text
        created = admin.post(
            "/api/v1/admin/crm/connectors",
            json={
                "name": "Loopback CRM",
                "config": connector_config(base),
                "credential": crm.client_secret,
            },
        )
        assert created.status_code == 201, created.text
        connector = created.json()

        first = _sync(admin, connector["id"])
        assert first["status"] == "failed" and "HTTP 500" in first["last_error"]
        assert first["cursor"] == "800"
        assert _contacts(app, workspace.a.account_id) == (800, 800)
        assert crm.asked.count("300") == 2 and crm.asked.count("600") == 2, "retried in place"

        asked_before = len(crm.asked)
        second = _sync(admin, connector["id"])
        assert second["status"] == "ok", second
        resumed = crm.asked[asked_before:]
        assert resumed[0] == "800", "the sync resumed from its cursor, not from the start"
        assert None not in resumed and "700" not in resumed
        assert _contacts(app, workspace.a.account_id) == (CONTACTS, CONTACTS), "no duplicates"
        assert second["last_sync_records"] == 200

        # Incremental: only what changed since is asked for and stored.
        for number in (5, 6, 7):
            crm.upsert(crm_contact(number, last4="5555"))
        asked_before = len(crm.asked)
        third = _sync(admin, connector["id"])
        assert third["status"] == "ok" and third["last_sync_records"] == 3
        assert crm.asked[asked_before] == "1000"
        assert _contacts(app, workspace.a.account_id) == (CONTACTS, CONTACTS)

        # The synced profile, as staff read it.
        with app.state.db.session() as session:
            contact = session.scalars(select(Contact).where(Contact.email == None)).first()  # noqa: E711
            assert contact is None, "every synced contact has its email"
        secret = _identity_secret(app, workspace)
        token_42 = sign_identity({"external_id": "crm-0042", "exp": int(time.time()) + 600}, secret)
        assert "ending in 0042" in _reply(client, workspace, token_42)

        # A change pushed by the CRM, signed with the connector's webhook secret.
        change = json.dumps(
            {"contacts": [{"external_id": "crm-0042", "attributes": {"card_last4": "9931"}}]}
        ).encode()
        hook = f"/api/v1/crm/{connector['webhook_url'].split('/')[-2]}/webhook"
        pushed = client.post(
            hook,
            content=change,
            headers={
                "content-type": "application/json",
                "Baton-Signature": signature_header(connector["webhook_secret"], change),
            },
        )
        assert pushed.status_code == 200, pushed.text
        assert pushed.json() == {"created": 0, "updated": 1}

        reply = _reply(client, workspace, token_42)
        assert "Hi Customer" in reply and "ending in 9931" in reply

        # An anonymous visitor asking the same gets the general answer: no one's card.
        anonymous = _reply(client, workspace, None)
        assert "3-5 working days" in anonymous
        assert "ending in" not in anonymous and "Customer" not in anonymous

        # Forged, tampered and replayed changes are refused and change nothing.
        forged = json.dumps(
            {"contacts": [{"external_id": "crm-0042", "attributes": {"card_last4": "6666"}}]}
        ).encode()
        for headers, code in [
            ({"Baton-Signature": signature_header("whsec_guessed", forged)}, "signature_invalid"),
            (
                {"Baton-Signature": signature_header(connector["webhook_secret"], change)},
                "signature_invalid",
            ),
            (
                {
                    "Baton-Signature": signature_header(
                        connector["webhook_secret"], forged, timestamp=int(time.time()) - 3600
                    )
                },
                "signature_expired",
            ),
            ({}, "signature_missing"),
        ]:
            refused = client.post(
                hook, content=forged, headers={"content-type": "application/json", **headers}
            )
            assert refused.status_code == 401, refused.text
            assert refused.json()["error"]["code"] == code
        assert "ending in 9931" in _reply(client, workspace, token_42)


def _identity_secret(app, workspace: Workspace) -> str:  # type: ignore[no-untyped-def]
    with app.state.db.session() as session:
        return do_reveal_identity_secret(session, workspace.a.inbox_public_id)
