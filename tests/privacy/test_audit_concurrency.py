"""Audited writes racing each other on PostgreSQL: none fails, none is lost, and every chain
stays one unbroken line that `baton audit verify` accepts.

SQLite lets one writer at a time in, so only PostgreSQL interleaves the transactions. There the
audit chain's lock was once taken mid-transaction and rows were locked after it (the API key's
`last_used_at`, an erasure's deletes): PostgreSQL aborted one side of the cycle with a deadlock,
a 500. Two rotations of one account, or a rotation and a new data key, also collided in the key
store."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from batondesk.actions.accounts import do_create_api_key
from batondesk.actions.contacts import do_create_contact
from batondesk.privacy import audit_anchors
from batondesk.privacy.audit import Actor, set_actor
from batondesk.privacy.audit_verify import checkpoint_now, verify_audit_log
from batondesk.privacy.retention import (
    accounts_with_policy,
    do_apply_retention,
    do_set_retention_policy,
)
from batondesk.privacy.rotation import do_rotate_keys
from batondesk.store.models import Account, Role
from batondesk.store.privacy import AuditEntry
from tests.support.workspace import Workspace, login

# Rounds of each racing operation: enough that, with the chain lock taken mid-transaction,
# every run met several deadlocks.
ROUNDS = 10
ADMIN_SCOPES = ["conversations:read", "conversations:write", "admin", "privacy"]
Outcome = list[tuple[str, int]]  # (operation, HTTP status) per request made


def retention_everywhere(session: Session) -> None:
    """What the retention loop of every API worker does: every account in one transaction."""
    for account_id in accounts_with_policy(session):
        do_apply_retention(session, account_id)


def test_concurrent_audited_writes_neither_deadlock_nor_fork_the_chain(  # type: ignore[no-untyped-def]
    app, workspace: Workspace, settings, monkeypatch
) -> None:
    db = app.state.db
    if not db.url.startswith("postgresql"):
        pytest.skip("SQLite serialises writers: the race needs PostgreSQL")
    # Checkpoint the heads into the key store all through the race, not once an hour.
    monkeypatch.setattr(audit_anchors, "CHECKPOINT_EVERY_ENTRIES", 2)
    a, b = workspace.a.account_id, workspace.b.account_id
    with db.session() as session:
        account = session.get(Account, a)
        _key, secret = do_create_api_key(session, account, "racer", Role.admin, ADMIN_SCOPES)
        contacts = [
            do_create_contact(session, a, name=f"Racer {i}", email=f"racer{i}@example.com").id
            for i in range(ROUNDS + 1)
        ]
        for tenant in workspace.tenants:
            do_set_retention_policy(session, tenant.account_id, {"conversation_days": 365})
    read_contact, doomed = contacts[0], contacts[1:]
    # Every request with the API key writes its `last_used_at`: a row lock in each unit of work.
    by_key = {"Authorization": f"Bearer {secret}"}
    admin_email = workspace.a.users["admin"][1]
    # Not the admin's, who signs in below: a wrong password racing that person's own sign-in
    # is not what this test is about.
    wrong_logins = [
        email
        for tenant in workspace.tenants
        for _id, email in tenant.users.values()
        if email != admin_email
    ]

    def client() -> TestClient:
        # Not entered: the app's lifespan is entered once, around the whole race (a client's
        # lifespan ending would shut the app's login threads down under the others).
        return TestClient(app, raise_server_exceptions=False)

    def rotate(client: TestClient, _round: int) -> Outcome:
        response = client.post("/api/v1/admin/privacy/keys/rotate", headers=by_key)
        return [("rotate", response.status_code)]

    def read(client: TestClient, _round: int) -> Outcome:
        response = client.get(f"/api/v1/contacts/{read_contact}", headers=by_key)
        return [("read contact", response.status_code)]

    def change_settings(client: TestClient, round_: int) -> Outcome:
        response = client.put(
            "/api/v1/admin/settings/answering",
            json={"max_wrong_rate": 0.011 + round_ / 1000},
            headers=by_key,
        )
        return [("settings", response.status_code)]

    def erase(client: TestClient, round_: int) -> Outcome:
        response = client.post(f"/api/v1/admin/privacy/contacts/{doomed[round_]}/erase")
        return [("erase", response.status_code)]

    def create_and_revoke_key(client: TestClient, round_: int) -> Outcome:
        created = client.post(
            "/api/v1/admin/api-keys",
            json={"name": f"short-lived {round_}", "scopes": ["conversations:read"]},
        )
        revoked = client.post(f"/api/v1/admin/api-keys/{created.json().get('id')}/revoke")
        return [("create api key", created.status_code), ("revoke api key", revoked.status_code)]

    def fail_login(client: TestClient, round_: int) -> Outcome:
        email = wrong_logins[round_ % len(wrong_logins)]
        response = client.post("/api/v1/auth/login", json={"email": email, "password": "wrong"})
        return [("failed login", response.status_code)]

    answers: Counter[tuple[str, int]] = Counter()
    tally = threading.Lock()

    def over_http(
        caller: TestClient, operation: Callable[[TestClient, int], Outcome]
    ) -> Callable[[], None]:
        def race() -> None:
            for round_ in range(ROUNDS):
                outcome = operation(caller, round_)
                with tally:
                    answers.update(outcome)

        return race

    def server_side(name: str, action: Callable[[Session], object]) -> Callable[[], None]:
        """`baton privacy keys rotate`, the retention loop, `baton audit checkpoint`."""

        def race() -> None:
            for _round in range(ROUNDS):
                try:
                    with db.session() as session:
                        set_actor(session, Actor(None, "cli", None, "test"))
                        action(session)
                    outcome = (name, 200)
                except Exception as exc:  # counted, so that the assertion below names it
                    outcome = (f"{name}: {type(exc).__name__}", 500)
                with tally:
                    answers[outcome] += 1

        return race

    racers = [
        over_http(client(), rotate),
        over_http(client(), read),
        over_http(client(), change_settings),
        over_http(login(client(), admin_email), erase),
        over_http(login(client(), admin_email), create_and_revoke_key),
        over_http(client(), fail_login),
        server_side("rotate all", lambda session: do_rotate_keys(session, None)),
        server_side("retention everywhere", retention_everywhere),
        server_side("checkpoint", checkpoint_now),
    ]
    with TestClient(app), ThreadPoolExecutor(max_workers=len(racers)) as pool:
        for racing in [pool.submit(racer) for racer in racers]:
            racing.result()

    expected = {
        "rotate": 200,
        "read contact": 200,
        "settings": 200,
        "erase": 200,
        "create api key": 201,
        "revoke api key": 200,
        "failed login": 401,
        "rotate all": 200,
        "retention everywhere": 200,
        "checkpoint": 200,
    }
    assert answers == Counter({(name, status): ROUNDS for name, status in expected.items()})

    # Nothing lost: one entry per audited success, in the chain it belongs to.
    with db.session() as session:
        entries = list(session.scalars(select(AuditEntry)))
    recorded = Counter((e.chain, e.action, e.actor_type) for e in entries)
    assert recorded[(a, "keys.rotated", "api_key")] == ROUNDS
    assert recorded[(a, "settings.changed", "api_key")] == ROUNDS
    assert recorded[(a, "contact.erased", "user")] == ROUNDS
    assert recorded[(a, "api_key.created", "user")] == ROUNDS
    assert recorded[(a, "api_key.revoked", "user")] == ROUNDS
    assert recorded[(0, "auth.login_failed", "anonymous")] == ROUNDS
    assert recorded[(0, "keys.rotated", "cli")] == ROUNDS
    assert recorded[(a, "retention.applied", "cli")] == ROUNDS
    assert recorded[(b, "retention.applied", "cli")] == ROUNDS
    reads = [e for e in entries if e.action == "contact.read" and e.target_id == read_contact]
    assert len(reads) == ROUNDS

    # One unbroken chain each, as the database and the key store's anchors and checkpoints see it.
    with db.session() as session:
        report = verify_audit_log(session)
    assert report.ok, report.problems
    env = {
        **os.environ,
        "BATON_ENVIRONMENT": "test",
        "BATON_DATA_DIR": str(settings.data_dir),
        "BATON_DATABASE_URL": db.url,
    }
    command = [sys.executable, "-c", "from batondesk.cli import main; main()", "audit", "verify"]
    verified = subprocess.run(command, env=env, capture_output=True, text=True)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert f"audit log intact: {len(entries)} entries in 3 chain(s)" in verified.stdout
