"""Many customers starting chats at once: every one is answered, none waits out a lock.

On SQLite one request at a time holds the write lock, from its first write to its commit. When
the commit ran after the endpoint had given its thread back, a request that had written had to
wait for a free request thread to commit on, while every thread waited for its lock: 50 chats
started at once got 4 answers and HTTP 500s after SQLite's 30 s busy timeout."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.support.live_server import serve_in_thread
from tests.support.workspace import Workspace

CUSTOMERS = 50  # more than the server's 40 request threads


def test_fifty_customers_starting_chats_at_once_all_get_one(app, workspace: Workspace) -> None:  # type: ignore[no-untyped-def]
    with serve_in_thread(app) as base, httpx.Client(base_url=base, timeout=60) as client:
        url = f"/api/v1/widget/inboxes/{workspace.a.inbox_public_id}/conversations"
        assert client.post(url, json={}).status_code == 201  # start-up work done

        def start(_: int) -> int:
            return httpx.post(base + url, json={}, timeout=60).status_code

        with ThreadPoolExecutor(CUSTOMERS) as customers:
            statuses = list(customers.map(start, range(CUSTOMERS)))
    assert statuses == [201] * CUSTOMERS
