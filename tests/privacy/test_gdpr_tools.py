"""Export, retention (dry run and apply), consents that the training data obeys; API and CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta

from sqlalchemy import func, select, update

from batondesk.privacy.consent import training_texts
from batondesk.privacy.retention import do_apply_retention
from batondesk.store.base import utcnow
from batondesk.store.models import Contact, Conversation, Event, Message
from tests.privacy.conftest import identified_chat, say


def test_export_bundle_holds_everything_about_the_contact(app, client, workspace, admin_a) -> None:
    conversation_id, visitor, contact_id = identified_chat(
        app, client, workspace.a, external_id="ex-1", name="Amara Nwosu", email="amara@example.com"
    )
    say(client, conversation_id, visitor, "my card has not arrived, call +234 803 123 4567")
    admin_a.put(
        f"/api/v1/admin/privacy/contacts/{contact_id}/consents",
        json={"purpose": "training", "granted": True},
    )
    bundle = admin_a.get(f"/api/v1/admin/privacy/contacts/{contact_id}/export").json()
    assert bundle["format"] == "baton.contact-export/1"
    assert (
        bundle["contact"]["name"] == "Amara Nwosu"
        and bundle["contact"]["email"] == "amara@example.com"
    )
    (conversation,) = bundle["conversations"]
    assert conversation["messages"][0]["body"].endswith("+234 803 123 4567")
    assert {"conversation.opened", "message.received"} <= {
        e["type"] for e in conversation["events"]
    }
    assert [(c["purpose"], c["granted"]) for c in bundle["consents"]] == [("training", True)]
    other = workspace.b
    assert other  # another account's admin cannot export it: covered by the access matrix


def test_retention_dry_run_then_apply(app, client, workspace, admin_a) -> None:
    db = app.state.db
    old_id, old_visitor, old_contact = identified_chat(
        app, client, workspace.a, external_id="old", name="Old Timer", email="old@example.com"
    )
    say(client, old_id, old_visitor, "my card has not arrived")
    new_id, new_visitor, _new_contact = identified_chat(
        app, client, workspace.a, external_id="new", name="New Comer", email="new@example.com"
    )
    say(client, new_id, new_visitor, "my card has not arrived")
    long_ago = utcnow() - timedelta(days=400)
    with db.session() as session:
        session.execute(
            update(Conversation)
            .where(Conversation.id == old_id)
            .values(last_message_at=long_ago, created_at=long_ago)
        )
        session.execute(
            update(Contact).where(Contact.id == old_contact).values(created_at=long_ago)
        )
        events_before = session.scalar(select(func.count()).select_from(Event))
    assert (
        admin_a.put(
            "/api/v1/admin/privacy/retention", json={"conversation_days": 365, "contact_days": 365}
        ).status_code
        == 200
    )
    dry = admin_a.get("/api/v1/admin/privacy/retention/report").json()
    assert (dry["applied"], dry["conversations"], dry["messages"], dry["contacts"]) == (
        False,
        1,
        2,
        1,
    )
    with db.session() as session:
        assert session.get(Conversation, old_id) is not None  # a dry run deletes nothing
    applied = admin_a.post("/api/v1/admin/privacy/retention/apply").json()
    assert applied["applied"] and applied["conversations"] == 1
    with db.session() as session:
        assert session.get(Conversation, old_id) is None
        assert session.get(Contact, old_contact) is None  # idle contact erased (key destroyed)
        assert session.get(Conversation, new_id) is not None
        assert session.scalar(select(func.count()).select_from(Event)) == events_before
        assert do_apply_retention(session, workspace.a.account_id).conversations == 0  # idempotent


def test_training_data_only_from_consenting_contacts_and_redacted(
    app, client, workspace, admin_a
) -> None:
    yes_id, yes_visitor, yes_contact = identified_chat(
        app, client, workspace.a, external_id="y", name="Yes Person", email="yes@example.com"
    )
    no_id, no_visitor, _no_contact = identified_chat(
        app, client, workspace.a, external_id="n", name="No Person", email="no@example.com"
    )
    say(client, yes_id, yes_visitor, "my card has not arrived, email me at yes@example.com")
    say(client, no_id, no_visitor, "my card never came")
    assert (
        admin_a.put(
            f"/api/v1/admin/privacy/contacts/{yes_contact}/consents",
            json={"purpose": "training", "granted": True},
        ).json()["training"]
        is True
    )
    bad = admin_a.put(
        f"/api/v1/admin/privacy/contacts/{yes_contact}/consents",
        json={"purpose": "profiling", "granted": True},
    )
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "unknown_purpose"
    with app.state.db.session() as session:
        texts = [t for _id, t in training_texts(session, workspace.a.account_id)]
        assert texts == ["my card has not arrived, email me at [EMAIL]"]
        customer_messages = session.scalar(
            select(func.count())
            .select_from(Message)
            .where(Message.account_id == workspace.a.account_id, Message.sender_type == "customer")
        )
        assert customer_messages == 2


def test_privacy_cli(app, client, workspace, settings, tmp_path) -> None:
    conversation_id, visitor, contact_id = identified_chat(
        app, client, workspace.a, external_id="cli", name="Cli Customer", email="cli@example.com"
    )
    say(client, conversation_id, visitor, "my card has not arrived")
    env = {
        **os.environ,
        "BATON_ENVIRONMENT": "test",
        "BATON_DATA_DIR": str(settings.data_dir),
        "BATON_DATABASE_URL": app.state.db.url,
    }
    account = str(workspace.a.account_id)

    def baton(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", "from batondesk.cli import main; main()", *args],
            env=env,
            capture_output=True,
            text=True,
        )

    out = tmp_path / "export.json"
    exported = baton("privacy", "export", str(contact_id), "--account", account, "--out", str(out))
    assert exported.returncode == 0, exported.stderr
    assert json.loads(out.read_text())["contact"]["email"] == "cli@example.com"
    consent = baton(
        "privacy",
        "consent",
        str(contact_id),
        "--account",
        account,
        "--purpose",
        "training",
        "--grant",
    )
    assert json.loads(consent.stdout)["training"] is True
    rotated = baton("keys", "rotate")
    assert json.loads(rotated.stdout)["accounts_rotated"] >= 1, rotated.stderr
    erased = baton("privacy", "erase", str(contact_id), "--account", account, "--yes")
    assert json.loads(erased.stdout)["key_destroyed"] is True, erased.stderr
    foreign = baton(
        "privacy", "erase", str(contact_id), "--account", str(workspace.b.account_id), "--yes"
    )
    assert foreign.returncode == 2 and "not found" in foreign.stderr
    verify = baton("audit", "verify")
    assert verify.returncode == 0, verify.stdout


def test_retention_runs_on_its_own_in_each_worker(settings, db, services, workspace) -> None:  # type: ignore[no-untyped-def]
    import time

    from fastapi.testclient import TestClient

    from batondesk.app import create_app
    from batondesk.privacy.retention import do_set_retention_policy

    frequent = settings.model_copy(update={"retention_interval_hours": 0.5 / 3600})
    app = create_app(frequent, services=services)
    with TestClient(app) as client:
        conversation_id, visitor, _contact = identified_chat(
            app, client, workspace.a, external_id="r", name="Ret Ention", email="r@example.com"
        )
        with app.state.db.session() as session:
            session.execute(
                update(Conversation)
                .where(Conversation.id == conversation_id)
                .values(last_message_at=utcnow() - timedelta(days=40))
            )
            do_set_retention_policy(session, workspace.a.account_id, {"conversation_days": 30})
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            with app.state.db.session() as session:
                if session.get(Conversation, conversation_id) is None:
                    break
            time.sleep(0.2)
        with app.state.db.session() as session:
            assert session.get(Conversation, conversation_id) is None
