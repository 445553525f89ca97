"""Done-when 4: the audit log records what it must, and `baton audit verify` reports any
edited or deleted entry (first, middle or newest)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from batondesk.privacy.audit_verify import verify_audit_log
from batondesk.store.privacy import AuditEntry
from tests.privacy.conftest import identified_chat, say
from tests.support.workspace import PASSWORD, Workspace, login


def _entries(app, account_id: int | None = None) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    with app.state.db.session() as session:
        query = select(AuditEntry).order_by(AuditEntry.chain, AuditEntry.seq)
        if account_id is not None:
            query = query.where(AuditEntry.chain == account_id)
        return list(session.scalars(query))


def _busy_account(app, client, workspace: Workspace, admin_a: TestClient) -> int:  # type: ignore[no-untyped-def]
    conversation_id, visitor, contact_id = identified_chat(
        app,
        client,
        workspace.a,
        external_id="aud-1",
        name="Audrey Kowalczyk",
        email="audrey@example.com",
    )
    say(client, conversation_id, visitor, "my card has not arrived")
    assert admin_a.get(f"/api/v1/contacts/{contact_id}").status_code == 200
    assert admin_a.get(f"/api/v1/conversations/{conversation_id}/messages").status_code == 200
    assert (
        admin_a.put("/api/v1/admin/settings/answering", json={"max_wrong_rate": 0.02}).status_code
        == 200
    )
    key = admin_a.post(
        "/api/v1/admin/api-keys",
        json={"name": "r", "role": "analyst", "scopes": ["conversations:read"]},
    )
    assert admin_a.post(f"/api/v1/admin/api-keys/{key.json()['id']}/revoke").status_code == 200
    assert admin_a.get(f"/api/v1/admin/privacy/contacts/{contact_id}/export").status_code == 200
    assert admin_a.post("/api/v1/admin/privacy/keys/rotate").status_code == 200
    assert admin_a.post(f"/api/v1/admin/privacy/contacts/{contact_id}/erase").status_code == 200
    return contact_id


def test_audit_records_logins_reads_changes_exports_erasures_and_keys(
    app, client, workspace, admin_a
) -> None:
    contact_id = _busy_account(app, client, workspace, admin_a)
    admin_id = workspace.a.users["admin"][0]
    actions = [(e.action, e.actor_id, e.target_id) for e in _entries(app, workspace.a.account_id)]
    names = [a for a, _, _ in actions]
    for expected in (
        "settings.changed",
        "api_key.created",
        "api_key.revoked",
        "contact.exported",
        "keys.rotated",
        "contact.erased",
    ):
        assert expected in names, expected
    reads = [e for e in _entries(app, workspace.a.account_id) if e.action == "contact.read"]
    assert {r.target_id for r in reads} == {contact_id} and all(
        r.actor_id == admin_id for r in reads
    )
    fields = set().union(*(set(r.details["fields"]) for r in reads))
    assert {"contacts.name", "contacts.email", "messages.body"} <= fields
    assert any(r.details["route"] == "GET /api/v1/contacts/{contact_id}" for r in reads)
    logins = [e for e in _entries(app, None) if e.chain == 0]
    assert [e.action for e in logins] == ["auth.login"] and logins[0].target_id == admin_id
    # No personal data in the log itself.
    blob = " ".join(str(e.details) + str(e.subject) for e in _entries(app))
    assert "audrey" not in blob.lower() and "admin@north.example" not in blob
    # A widget visitor reading their own conversation is not a staff read.
    assert all(r.actor_type == "user" for r in reads)
    assert "member.added" in [e.action for e in _entries(app, workspace.a.account_id)]


def test_failed_logins_are_audited_and_throttled(
    app, client: TestClient, workspace: Workspace
) -> None:
    email = workspace.a.users["agent"][1]
    for _ in range(5):
        wrong = client.post(
            "/api/v1/auth/login", json={"email": email, "password": "not-the-password"}
        )
        assert wrong.status_code == 401
    blocked = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert blocked.status_code == 429 and blocked.json()["error"]["code"] == "login_throttled"
    failures = [e for e in _entries(app) if e.action == "auth.login_failed"]
    assert len(failures) == 5 and email not in str([f.subject for f in failures])
    # Another user is not affected.
    assert (
        client.post(
            "/api/v1/auth/login",
            json={"email": workspace.a.users["agent2"][1], "password": PASSWORD},
        ).status_code
        == 200
    )


def _tamper(app, statement: str) -> None:  # type: ignore[no-untyped-def]
    # Straight SQL, as an intruder with database access would: the ORM refuses to rewrite.
    with app.state.db.engine.begin() as connection:
        connection.execute(text(statement))


@pytest.mark.parametrize(
    "tampering",
    ["edit_details", "edit_actor", "delete_first", "delete_middle", "delete_newest", "delete_all"],
)
def test_verify_reports_edited_or_deleted_entries(
    app, client, workspace, admin_a, tampering: str
) -> None:
    _busy_account(app, client, workspace, admin_a)
    with app.state.db.session() as session:
        assert verify_audit_log(session).ok
    chain = workspace.a.account_id
    entries = _entries(app, chain)
    assert len(entries) >= 6
    first, middle, newest = entries[0], entries[len(entries) // 2], entries[-1]
    statements = {
        "edit_details": f"UPDATE audit_entries SET details = '{{}}' WHERE id = {middle.id}",
        "edit_actor": f"UPDATE audit_entries SET actor_id = 999 WHERE id = {first.id}",
        "delete_first": f"DELETE FROM audit_entries WHERE id = {first.id}",
        "delete_middle": f"DELETE FROM audit_entries WHERE id = {middle.id}",
        "delete_newest": f"DELETE FROM audit_entries WHERE id = {newest.id}",
        "delete_all": f"DELETE FROM audit_entries WHERE chain = {chain}",
    }
    _tamper(app, statements[tampering])
    with app.state.db.session() as session:
        report = verify_audit_log(session)
    assert not report.ok and all(p.startswith(f"chain {chain}:") for p in report.problems), report


def test_baton_audit_verify_command(app, client, workspace, admin_a, settings) -> None:
    _busy_account(app, client, workspace, admin_a)
    env = {
        **os.environ,
        "BATON_ENVIRONMENT": "test",
        "BATON_DATA_DIR": str(settings.data_dir),
        "BATON_DATABASE_URL": app.state.db.url,
    }
    command = [sys.executable, "-c", "from batondesk.cli import main; main()", "audit", "verify"]
    clean = subprocess.run(command, env=env, capture_output=True, text=True)
    assert clean.returncode == 0 and "audit log intact" in clean.stdout, clean.stdout + clean.stderr
    middle = _entries(app, workspace.a.account_id)[3]
    _tamper(app, f"UPDATE audit_entries SET action = 'nothing' WHERE id = {middle.id}")
    tampered = subprocess.run(command, env=env, capture_output=True, text=True)
    assert tampered.returncode == 1
    assert f"entry {middle.seq} was edited" in tampered.stdout


def test_the_orm_refuses_to_rewrite_the_audit_log(app, client, workspace, admin_a) -> None:
    _busy_account(app, client, workspace, admin_a)
    with pytest.raises(RuntimeError, match="append-only"), app.state.db.session() as session:
        entry = session.scalars(select(AuditEntry)).first()
        entry.details = {"forged": True}


def test_concurrent_audited_reads_keep_one_unbroken_chain(app, client, workspace) -> None:  # type: ignore[no-untyped-def]
    from concurrent.futures import ThreadPoolExecutor

    _conversation, _visitor, contact_id = identified_chat(
        app, client, workspace.a, external_id="cc", name="Con Current", email="cc@example.com"
    )

    def read_many(role: str) -> list[int]:
        with TestClient(app) as member:
            login(member, workspace.a.users[role][1])
            return [member.get(f"/api/v1/contacts/{contact_id}").status_code for _ in range(8)]

    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = [
            s
            for result in pool.map(read_many, ["admin", "agent", "agent2", "analyst"])
            for s in result
        ]
    assert statuses == [200] * 32
    reads = [e for e in _entries(app, workspace.a.account_id) if e.action == "contact.read"]
    assert len(reads) == 32
    with app.state.db.session() as session:
        assert verify_audit_log(session).ok


def _rewrite_chain_with_plain_hashes(app, chain: int, drop_action: str) -> None:  # type: ignore[no-untyped-def]
    """What someone able to write both databases does: remove an entry, renumber and re-chain
    the rest consistently with plain SHA-256, and move the key store's anchor to match."""
    from batondesk.privacy.audit import GENESIS_HASH, legacy_entry_hash
    from batondesk.store.privacy import AuditAnchor

    entries = [e for e in _entries(app, chain) if e.action != drop_action]
    table = AuditEntry.__table__
    previous = GENESIS_HASH
    with app.state.db.engine.begin() as connection:
        connection.execute(table.delete().where(table.c.chain == chain))
        for seq, entry in enumerate(entries, start=1):
            entry.seq, entry.prev_hash = seq, previous
            entry.hash = legacy_entry_hash(entry)
            previous = entry.hash
            values = {c.key: getattr(entry, c.key) for c in table.columns}
            connection.execute(table.insert(), values)
    keystore = app.state.db.keys.keystore
    with keystore.sessions() as keys, keys.begin():
        anchor = keys.get(AuditAnchor, chain)
        anchor.seq, anchor.hash = len(entries), previous


def test_a_history_rewritten_consistently_without_the_key_is_detected(
    app, client, workspace, admin_a
) -> None:
    _busy_account(app, client, workspace, admin_a)
    chain = workspace.a.account_id
    _rewrite_chain_with_plain_hashes(app, chain, drop_action="contact.erased")
    assert "contact.erased" not in [e.action for e in _entries(app, chain)]
    with app.state.db.session() as session:
        report = verify_audit_log(session)
    assert not report.ok
    assert f"chain {chain}: entry 1 was edited" in report.problems


def test_checkpoints_pin_the_history_and_cannot_be_forged(
    app, client, workspace, admin_a, monkeypatch
) -> None:
    from batondesk.privacy import audit_anchors
    from batondesk.store.privacy import AuditAnchor, AuditCheckpoint

    monkeypatch.setattr(audit_anchors, "CHECKPOINT_EVERY_ENTRIES", 3)
    _busy_account(app, client, workspace, admin_a)
    chain = workspace.a.account_id
    keystore = app.state.db.keys.keystore
    checkpoints = [c for c in keystore.audit.checkpoints()[chain] if c.kind == "periodic"]
    assert len(checkpoints) >= 2 and all(c.authentic for c in checkpoints)
    with app.state.db.session() as session:
        assert verify_audit_log(session).ok

    # Cutting the newest entries and rolling the anchor back is still caught by a checkpoint.
    cut_from = checkpoints[-1].seq
    _tamper(app, f"DELETE FROM audit_entries WHERE chain = {chain} AND seq >= {cut_from}")
    with keystore.sessions() as keys, keys.begin():
        anchor = keys.get(AuditAnchor, chain)
        anchor.seq = cut_from - 1
        anchor.hash = next(e.hash for e in _entries(app, chain) if e.seq == cut_from - 1)
    with app.state.db.session() as session:
        report = verify_audit_log(session)
    assert any(f"entry {cut_from} and later" in p and "checkpoint" in p for p in report.problems)

    # A checkpoint moved to match is no longer authentic.
    with keystore.sessions() as keys, keys.begin():
        row = keys.scalars(
            select(AuditCheckpoint).where(
                AuditCheckpoint.chain == chain, AuditCheckpoint.seq == cut_from
            )
        ).one()
        row.seq = cut_from - 1
    with app.state.db.session() as session:
        report = verify_audit_log(session)
    assert any("is not authentic" in p for p in report.problems), report.problems


def test_baton_audit_checkpoint_command(app, client, workspace, admin_a, settings) -> None:
    _busy_account(app, client, workspace, admin_a)
    env = {
        **os.environ,
        "BATON_ENVIRONMENT": "test",
        "BATON_DATA_DIR": str(settings.data_dir),
        "BATON_DATABASE_URL": app.state.db.url,
    }
    command = [sys.executable, "-c", "from batondesk.cli import main; main()", "audit"]
    done = subprocess.run([*command, "checkpoint"], env=env, capture_output=True, text=True)
    assert done.returncode == 0 and "checkpointed 3 chain(s)" in done.stdout, done.stderr
    newest = _entries(app, workspace.a.account_id)[-1]
    periodic = [
        c
        for c in app.state.db.keys.keystore.audit.checkpoints()[workspace.a.account_id]
        if c.kind == "periodic"
    ]
    assert (periodic[-1].seq, periodic[-1].hash) == (newest.seq, newest.hash)
