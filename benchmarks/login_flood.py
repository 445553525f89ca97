"""Login flood: concurrent failed logins against a live server on 127.0.0.1, with production
password hashing, while a customer keeps writing in the chat and an agent keeps reading the
queue. Prints how long their requests took during the flood and how many passwords the server
checked, and writes benchmarks/results/login_flood.json.

    python benchmarks/login_flood.py [--logins 50] [--database-url postgresql+psycopg://...]

Bounded: at most 500 logins, the flood gives up after 120 s, and only 127.0.0.1 is contacted.
With --database-url the benchmark creates its tables in that (empty, throwaway) database.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import statistics
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from machine import describe_machine  # benchmarks/ is on sys.path when run as a script

from batondesk.actions.accounts import (
    do_add_member,
    do_create_account,
    do_create_inbox,
    do_create_user,
)
from batondesk.app import create_app
from batondesk.config import Settings
from batondesk.engine.services import TurnServices
from batondesk.store.models import Channel, Role

RESULTS = Path(__file__).resolve().parent / "results"
PASSWORD = "correct horse battery"
FLOOD_TIMEOUT_SECONDS = 120.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--logins", type=int, default=50, help="concurrent failed logins")
    parser.add_argument("--database-url", default="", help="default: SQLite in a temp dir")
    args = parser.parse_args()
    logins = max(1, min(args.logins, 500))
    with tempfile.TemporaryDirectory() as data_dir:
        settings = Settings(
            environment="test",
            data_dir=Path(data_dir),
            database_url=args.database_url,
            password_hashing="strong",
            widget_rate_limit_per_minute=0,
            retention_interval_hours=0,
        )
        app = create_app(settings, services=TurnServices.from_settings(settings))
        app.state.db.migrate()
        inbox, agent_email = _seed(app)
        port = _free_port()
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        try:
            figures = asyncio.run(_flood(f"http://127.0.0.1:{port}", inbox, agent_email, logins))
        finally:
            server.should_exit = True
            thread.join(timeout=10)
        figures["password_checks"] = app.state.login_workers.checks - 1  # the agent's own login
        figures["database"] = "postgresql" if args.database_url else "sqlite"
    result = {
        "figures": figures,
        "machine": describe_machine(),
        "at": datetime.now(UTC).isoformat(),
    }
    RESULTS.mkdir(exist_ok=True)
    name = f"login_flood_{figures['database']}.json"
    (RESULTS / name).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(figures, indent=2))


def _seed(app: Any) -> tuple[str, str]:
    with app.state.db.session() as session:
        account = do_create_account(session, "Flood Bank", "flood")
        inbox = do_create_inbox(session, account, "Web", Channel.web_widget)
        user = do_create_user(session, "agent@flood.example", "Agent", PASSWORD)
        do_add_member(session, account, user, Role.agent)
        return inbox.public_id, user.email


async def _flood(base: str, inbox: str, agent_email: str, logins: int) -> dict[str, Any]:
    attackers = httpx.AsyncClient(
        base_url=base,
        timeout=FLOOD_TIMEOUT_SECONDS,
        limits=httpx.Limits(max_connections=logins, max_keepalive_connections=0),
    )
    async with attackers, httpx.AsyncClient(base_url=base, timeout=60) as client:
        agent = await client.post(
            "/api/v1/auth/login", json={"email": agent_email, "password": PASSWORD}
        )
        agent.raise_for_status()
        started = await client.post(f"/api/v1/widget/inboxes/{inbox}/conversations", json={})
        conversation = started.json()
        visitor = {"Authorization": f"Bearer {conversation['visitor_token']}"}
        url = f"/api/v1/widget/conversations/{conversation['conversation_id']}/messages"
        (await client.post(url, json={"body": "hello"}, headers=visitor)).raise_for_status()

        async def bad_login(index: int) -> int:
            # Half guess the agent's password, half try emails nobody has.
            email = agent_email if index % 2 else f"nobody{index}@example.org"
            response = await attackers.post(
                "/api/v1/auth/login", json={"email": email, "password": "a-wrong-guess"}
            )
            return response.status_code

        began = time.perf_counter()
        flood = [asyncio.create_task(bad_login(i)) for i in range(logins)]
        turns: list[float] = []
        queue_reads: list[float] = []
        while not all(task.done() for task in flood):
            if time.perf_counter() - began > FLOOD_TIMEOUT_SECONDS:
                break
            start = time.perf_counter()
            turn = await client.post(
                url, json={"body": "when will my card arrive?"}, headers=visitor
            )
            turns.append(time.perf_counter() - start)
            turn.raise_for_status()
            start = time.perf_counter()
            (await client.get("/api/v1/queue")).raise_for_status()
            queue_reads.append(time.perf_counter() - start)
            await asyncio.sleep(0.1)
        statuses = await asyncio.gather(*flood)
        flood_seconds = time.perf_counter() - began
    return {
        "failed_logins": logins,
        "flood_seconds": round(flood_seconds, 2),
        "login_statuses": dict(Counter(statuses)),
        "customer_turns_during_flood": len(turns),
        "customer_turn_p50_ms": round(statistics.median(turns) * 1000, 1) if turns else None,
        "customer_turn_max_ms": round(max(turns) * 1000, 1) if turns else None,
        "queue_read_max_ms": round(max(queue_reads) * 1000, 1) if queue_reads else None,
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


if __name__ == "__main__":
    main()
