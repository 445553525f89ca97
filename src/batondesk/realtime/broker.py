"""Publish/subscribe of small JSON notifications on named channels.

Channels: ``account:{id}`` (console: queue and conversation changes) and
``conversation:{id}`` (widget and console: new messages, status). Notifications carry ids and
types only; subscribers fetch message bodies through the authenticated API.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import suppress
from typing import Any, Protocol

import redis
import redis.asyncio as aioredis

Notification = dict[str, Any]


class Broker(Protocol):
    def publish(self, channel: str, notification: Notification) -> None:
        """Thread-safe; called after the database transaction commits."""

    def subscribe(self, channel: str) -> AsyncIterator[Notification]: ...

    def close(self) -> None: ...


class InProcessBroker:
    """Fan-out inside one process: enough for the embedded single-worker default."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: dict[str, list[tuple[asyncio.AbstractEventLoop, asyncio.Queue[Any]]]]
        self._subscribers = defaultdict(list)

    def publish(self, channel: str, notification: Notification) -> None:
        with self._lock:
            targets = list(self._subscribers.get(channel, ()))
        for loop, queue in targets:
            with suppress(RuntimeError):  # the subscriber's loop has closed
                loop.call_soon_threadsafe(queue.put_nowait, notification)

    async def subscribe(self, channel: str) -> AsyncIterator[Notification]:
        queue: asyncio.Queue[Notification] = asyncio.Queue()
        entry = (asyncio.get_running_loop(), queue)
        with self._lock:
            self._subscribers[channel].append(entry)
        try:
            while True:
                yield await queue.get()
        finally:
            with self._lock:
                self._subscribers[channel].remove(entry)

    def close(self) -> None:
        with self._lock:
            self._subscribers.clear()


class RedisBroker:
    """Fan-out across API worker processes through Redis pub/sub."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._client = redis.Redis.from_url(url)

    def publish(self, channel: str, notification: Notification) -> None:
        self._client.publish(f"baton:{channel}", json.dumps(notification))

    async def subscribe(self, channel: str) -> AsyncIterator[Notification]:
        client = aioredis.Redis.from_url(self.url)
        pubsub = client.pubsub()
        await pubsub.subscribe(f"baton:{channel}")
        try:
            while True:
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=30)
                if message is not None:
                    yield json.loads(message["data"])
        finally:
            await pubsub.aclose()
            await client.aclose()

    def close(self) -> None:
        self._client.close()


def make_broker(redis_url: str) -> Broker:
    return RedisBroker(redis_url) if redis_url else InProcessBroker()
