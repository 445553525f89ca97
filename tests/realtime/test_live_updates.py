"""Agents and customers hear about changes as they happen (Server-Sent Events)."""

from __future__ import annotations

import asyncio
import json
import queue
import threading
import uuid

import httpx
import pytest

from batondesk.realtime import InProcessBroker, RedisBroker
from tests.conftest import TEST_REDIS_URL
from tests.support.live_server import serve_in_thread
from tests.support.workspace import PASSWORD, Workspace


def _read_events(url: str, received: queue.Queue, **kwargs) -> None:  # type: ignore[no-untyped-def]
    with httpx.stream("GET", url, timeout=15, **kwargs) as response:
        received.put(("status", response.status_code))
        event = None
        for line in response.iter_lines():
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and event:
                received.put((event, json.loads(line.split(":", 1)[1])))
                if event == "message.received":
                    return


def _next_event(received: queue.Queue, wanted: str) -> dict:  # type: ignore[type-arg]
    while True:
        kind, data = received.get(timeout=15)
        if kind == wanted:
            return data  # type: ignore[no-any-return]


def test_agent_console_and_widget_stream_new_messages(app, workspace: Workspace) -> None:
    with serve_in_thread(app) as base:
        agent = httpx.Client(base_url=base)
        agent.post(
            "/api/v1/auth/login",
            json={"email": workspace.a.users["agent"][1], "password": PASSWORD},
        ).raise_for_status()
        started = httpx.post(
            f"{base}/api/v1/widget/inboxes/{workspace.a.inbox_public_id}/conversations", json={}
        ).json()
        token = started["visitor_token"]
        conversation_id = started["conversation_id"]

        console_events: queue.Queue = queue.Queue()
        widget_events: queue.Queue = queue.Queue()
        threads = [
            threading.Thread(
                target=_read_events,
                args=(f"{base}/api/v1/stream", console_events),
                kwargs={"cookies": dict(agent.cookies)},
                daemon=True,
            ),
            threading.Thread(
                target=_read_events,
                args=(
                    f"{base}/api/v1/widget/conversations/{conversation_id}/stream",
                    widget_events,
                ),
                kwargs={"headers": {"Authorization": f"Bearer {token}"}},
                daemon=True,
            ),
        ]
        for thread in threads:
            thread.start()
        assert _next_event(console_events, "ready")["channel"].startswith("account:")
        assert _next_event(widget_events, "ready")["channel"] == f"conversation:{conversation_id}"

        httpx.post(
            f"{base}/api/v1/widget/conversations/{conversation_id}/messages",
            json={"body": "I lost my card"},
            headers={"Authorization": f"Bearer {token}"},
        ).raise_for_status()
        for received in (console_events, widget_events):
            notification = _next_event(received, "message.received")
            assert notification["conversation_id"] == conversation_id
            assert "body" not in notification  # notifications carry ids, never text
        agent.close()


def test_stream_refuses_strangers(app, workspace: Workspace) -> None:
    with serve_in_thread(app) as base:
        assert httpx.get(f"{base}/api/v1/stream").status_code == 401
        forged = {"Authorization": "Bearer forged"}
        stream = httpx.get(f"{base}/api/v1/widget/conversations/1/stream", headers=forged)
        assert stream.status_code == 401


def test_widget_stream_takes_the_visitor_token_only_from_the_header(
    app, client, workspace: Workspace
) -> None:
    """A token in a URL is kept by access logs, proxies and browser history."""
    inbox = workspace.a.inbox_public_id
    started = client.post(f"/api/v1/widget/inboxes/{inbox}/conversations", json={}).json()
    token, conversation_id = started["visitor_token"], started["conversation_id"]
    with serve_in_thread(app) as base:
        url = f"{base}/api/v1/widget/conversations/{conversation_id}/stream"
        assert httpx.get(url, params={"token": token}).status_code == 401
        with httpx.stream("GET", url, headers={"Authorization": f"Bearer {token}"}) as stream:
            assert stream.status_code == 200


@pytest.mark.storage  # the Redis case runs on CI's PostgreSQL + Redis pass
@pytest.mark.parametrize("kind", ["in-process", "redis"])
def test_broker_fans_out_between_publishers_and_subscribers(kind: str) -> None:
    if kind == "redis":
        if not TEST_REDIS_URL:
            pytest.skip("set BATON_TEST_REDIS_URL to test Redis fan-out")
        # Two brokers stand for two API worker processes sharing one Redis.
        publisher, subscriber = RedisBroker(TEST_REDIS_URL), RedisBroker(TEST_REDIS_URL)
    else:
        publisher = subscriber = InProcessBroker()
    channel = f"conversation:{uuid.uuid4().hex}"

    async def scenario() -> dict:  # type: ignore[type-arg]
        stream = subscriber.subscribe(channel)
        first = asyncio.ensure_future(stream.__anext__())
        await asyncio.sleep(0.3)  # let the subscription reach the broker
        publisher.publish(channel, {"type": "bot.replied", "conversation_id": 7})
        try:
            return await asyncio.wait_for(first, timeout=10)
        finally:
            await stream.aclose()

    # A thread of its own: other suites' browser drivers may leave an event loop on this one.
    results: list[dict] = []  # type: ignore[type-arg]
    runner = threading.Thread(target=lambda: results.append(asyncio.run(scenario())))
    runner.start()
    runner.join(timeout=20)
    assert results == [{"type": "bot.replied", "conversation_id": 7}]
