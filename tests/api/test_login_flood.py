"""Done-when 2: a flood of concurrent failed logins, against a live server with production
password hashing, leaves customers and agents served in under a second, and checks exactly
as many passwords as the throttle allows: 5 per email at one address, 30 per address."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from sqlalchemy import select

from batondesk.actions.accounts import login_subject
from batondesk.app import create_app
from batondesk.store.models import AuditEntry
from tests.support.live_server import serve_in_thread
from tests.support.workspace import PASSWORD, build_workspace

KNOWN_EMAIL_ATTEMPTS = 25
UNKNOWN_EMAILS = 25


@pytest.mark.slow
def test_failed_login_flood_leaves_the_server_responsive(settings, db, services) -> None:  # type: ignore[no-untyped-def]
    strong = settings.model_copy(update={"password_hashing": "strong"})
    app = create_app(strong, services=services)
    workspace = build_workspace(app.state.db)
    staff_email = workspace.a.users["agent2"][1]
    with serve_in_thread(app) as base:
        outcome = asyncio.run(_flood(base, workspace.a.inbox_public_id, workspace.a.users))
    statuses = outcome["statuses"]

    # Customers and agents were served during the flood, each within a second.
    assert outcome["flood_running_after_turn"], "the measurements must fall inside the flood"
    assert outcome["turn_seconds"] < 1.0, outcome
    assert outcome["queue_seconds"] < 1.0, outcome
    # Exactly 5 password checks for the known email; one for each unknown one, which brings
    # the address to its 30; every other attempt was refused before any hashing.
    assert statuses.count(401) == 5 + UNKNOWN_EMAILS, statuses
    assert statuses.count(429) == KNOWN_EMAIL_ATTEMPTS - 5, statuses
    assert app.state.login_workers.checks == 5 + UNKNOWN_EMAILS + 1  # + the agent's login
    with app.state.db.session() as session:
        failures = session.scalars(
            select(AuditEntry.subject).where(AuditEntry.action == "auth.login_failed")
        ).all()
    assert failures.count(login_subject(session, staff_email)) == 5
    assert len(failures) == 5 + UNKNOWN_EMAILS  # every failure audited, though answered 401


async def _flood(base: str, inbox: str, users: dict[str, tuple[int, str]]) -> dict:  # type: ignore[type-arg]
    # Every attacker on a connection of its own, all at once.
    attackers = httpx.AsyncClient(
        base_url=base, timeout=60, limits=httpx.Limits(max_connections=100)
    )
    async with attackers, httpx.AsyncClient(base_url=base, timeout=60) as client:
        agent = await client.post(
            "/api/v1/auth/login", json={"email": users["agent"][1], "password": PASSWORD}
        )
        assert agent.status_code == 200
        started = await client.post(f"/api/v1/widget/inboxes/{inbox}/conversations", json={})
        conversation_id = started.json()["conversation_id"]
        visitor = {"Authorization": f"Bearer {started.json()['visitor_token']}"}
        message_url = f"/api/v1/widget/conversations/{conversation_id}/messages"
        # A first turn loads the knowledge index (a one-off cost, measured elsewhere).
        first = await client.post(message_url, json={"body": "hello"}, headers=visitor)
        assert first.status_code == 201, first.text

        async def bad_login(email: str) -> int:
            response = await attackers.post(
                "/api/v1/auth/login", json={"email": email, "password": "wrong-guess-1"}
            )
            return response.status_code

        emails = [users["agent2"][1]] * KNOWN_EMAIL_ATTEMPTS + [
            f"nobody{i}@example.org" for i in range(UNKNOWN_EMAILS)
        ]
        flood = [asyncio.create_task(bad_login(email)) for email in emails]
        await asyncio.sleep(0.3)  # the flood is under way: hashes queue on the server

        began = time.perf_counter()
        turn = await client.post(
            message_url, json={"body": "when will my card arrive?"}, headers=visitor
        )
        turn_seconds = time.perf_counter() - began
        assert turn.status_code == 201, turn.text
        began = time.perf_counter()
        queue = await client.get("/api/v1/queue")
        queue_seconds = time.perf_counter() - began
        assert queue.status_code == 200, queue.text
        flood_running = not all(task.done() for task in flood)
        statuses = await asyncio.gather(*flood)
    return {
        "statuses": list(statuses),
        "turn_seconds": turn_seconds,
        "queue_seconds": queue_seconds,
        "flood_running_after_turn": flood_running,
    }
