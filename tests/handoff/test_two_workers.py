"""Two real API worker processes sharing one database and Redis: a customer on worker A is
escalated, an agent connected to worker B sees it live, takes over, and the bot is silent."""

from __future__ import annotations

import json
import queue
import threading
import time
from pathlib import Path

import httpx
import pytest

from batondesk.config import Settings
from batondesk.store import Database
from tests.conftest import TEST_REDIS_URL
from tests.support.api_workers import two_api_workers
from tests.support.workspace import PASSWORD, build_workspace

pytestmark = pytest.mark.skipif(
    not TEST_REDIS_URL, reason="set BATON_TEST_REDIS_URL to test fan-out between workers"
)


def _listen(
    url: str, cookies: dict[str, str], received: queue.Queue, stop: threading.Event
) -> None:  # type: ignore[type-arg]
    try:
        with httpx.stream("GET", url, cookies=cookies, timeout=60) as response:
            event = None
            for line in response.iter_lines():
                if stop.is_set():
                    return
                if line.startswith("event:"):
                    event = line.split(":", 1)[1].strip()
                elif line.startswith("data:") and event:
                    received.put((event, json.loads(line.split(":", 1)[1])))
    except httpx.RemoteProtocolError:
        # The workers are stopped at the end of the test while the stream is still open.
        if not stop.is_set():
            raise


def _wait_for(received: queue.Queue, kind: str, conversation_id: int | None = None) -> dict:  # type: ignore[type-arg]
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        event, data = received.get(timeout=max(0.1, deadline - time.monotonic()))
        if event == kind and (
            conversation_id is None or data.get("conversation_id") == conversation_id
        ):
            return data  # type: ignore[no-any-return]
    raise AssertionError(f"no {kind} event")


def test_escalation_on_one_worker_is_live_on_the_other(
    settings: Settings, db: Database, tmp_path: Path
) -> None:
    workspace = build_workspace(db)
    with two_api_workers(settings, tmp_path) as (worker_a, worker_b):
        agent = httpx.Client(base_url=worker_b, timeout=30, headers={"X-Requested-With": "baton"})
        agent.post(
            "/api/v1/auth/login",
            json={"email": workspace.a.users["agent"][1], "password": PASSWORD},
        ).raise_for_status()
        received: queue.Queue = queue.Queue()  # type: ignore[type-arg]
        stop = threading.Event()
        listener = threading.Thread(
            target=_listen,
            args=(f"{worker_b}/api/v1/stream", dict(agent.cookies), received, stop),
            daemon=True,
        )
        listener.start()
        assert _wait_for(received, "ready")["channel"] == f"account:{workspace.a.account_id}"

        customer = httpx.Client(base_url=worker_a, timeout=30)
        started = customer.post(
            f"/api/v1/widget/inboxes/{workspace.a.inbox_public_id}/conversations", json={}
        ).json()
        conversation_id = started["conversation_id"]
        visitor = {"Authorization": f"Bearer {started['visitor_token']}"}
        url = f"/api/v1/widget/conversations/{conversation_id}/messages"
        turn = customer.post(url, json={"body": "I want to talk to a real person"}, headers=visitor)
        assert turn.status_code == 201, turn.text
        assert turn.json()["status"] == "queued"

        # Worker B never handled the customer, yet its agent hears about it at once.
        escalated = _wait_for(received, "conversation.escalated", conversation_id)
        assert escalated["status"] == "queued"
        queue_now = agent.get("/api/v1/queue").json()
        assert conversation_id in [c["id"] for c in queue_now["data"]]

        taken = agent.post(f"/api/v1/conversations/{conversation_id}/take-over")
        assert taken.status_code == 200, taken.text
        assert taken.json()["status"] == "assigned"

        turn = customer.post(url, json={"body": "hello? are you there?"}, headers=visitor)
        assert turn.json()["status"] == "assigned"
        assert turn.json()["reply"] is None  # the bot stays silent once a person owns it
        _wait_for(received, "message.received", conversation_id)
        senders = [
            m["sender_type"]
            for m in agent.get(f"/api/v1/conversations/{conversation_id}/messages").json()
        ]
        assert senders == ["customer", "bot", "customer"]
        stop.set()
        agent.close()
        customer.close()
