"""Publish/subscribe of small JSON notifications on named channels.

Channels: ``account:{id}`` (console: queue and conversation changes, customers typing),
``conversation:{id}`` (widget and console: new messages, status, agents typing) and
``widget:{account id}`` (every chat of the account: its widget settings changed), and
``invalidations`` (workers among themselves: caches to drop, realtime/invalidation.py).
Notifications carry ids and types only; subscribers fetch message bodies through the
authenticated API.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from contextlib import suppress
from typing import Any, Protocol

import redis
import redis.asyncio as aioredis

Notification = dict[str, Any]
log = logging.getLogger("batondesk.realtime")

# A Redis that stops answering must not hold up a customer's turn: publishing (after the data
# is committed, best effort) gives up after this long instead of waiting for the operating
# system's TCP timeout.
REDIS_TIMEOUT_SECONDS = 1.0


class Broker(Protocol):
    def publish(self, channel: str, notification: Notification) -> None:
        """Thread-safe; called after the database transaction commits."""

    def subscribe(self, *channels: str) -> AsyncIterator[Notification]:
        """Every notification published on any of `channels`, in one stream."""

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

    async def subscribe(self, *channels: str) -> AsyncIterator[Notification]:
        queue: asyncio.Queue[Notification] = asyncio.Queue()
        entry = (asyncio.get_running_loop(), queue)
        with self._lock:
            for channel in channels:
                self._subscribers[channel].append(entry)
        try:
            while True:
                yield await queue.get()
        finally:
            with self._lock:
                for channel in channels:
                    if entry in self._subscribers.get(channel, ()):  # close() may have cleared it
                        self._subscribers[channel].remove(entry)

    def close(self) -> None:
        with self._lock:
            self._subscribers.clear()


class RedisBroker:
    """Fan-out across API worker processes (and hosts) through Redis pub/sub. Channel names
    are prefixed with `namespace` (settings.redis_namespace)."""

    def __init__(self, url: str, namespace: str = "baton") -> None:
        self.url = url
        self.namespace = namespace
        self._client = redis.Redis.from_url(
            url, socket_connect_timeout=REDIS_TIMEOUT_SECONDS, socket_timeout=REDIS_TIMEOUT_SECONDS
        )

    def publish(self, channel: str, notification: Notification) -> None:
        self._client.publish(f"{self.namespace}:{channel}", json.dumps(notification))

    async def subscribe(self, *channels: str) -> AsyncIterator[Notification]:
        # No read timeout: a subscription waits for messages as long as they take.
        client = aioredis.Redis.from_url(self.url, socket_connect_timeout=REDIS_TIMEOUT_SECONDS)
        pubsub = client.pubsub()
        try:
            # One connection for all of them: a chat's stream also hears its account's widget.
            await pubsub.subscribe(*(f"{self.namespace}:{channel}" for channel in channels))
            while True:
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=30)
                if message is not None:
                    yield json.loads(message["data"])
        finally:
            await pubsub.aclose()
            await client.aclose()

    def close(self) -> None:
        self._client.close()


def make_broker(redis_url: str, namespace: str = "baton") -> Broker:
    return RedisBroker(redis_url, namespace) if redis_url else InProcessBroker()


def publish_after_commit(broker: Broker) -> Callable[[list[tuple[str, Notification]]], None]:
    """The `Database.publisher` that sends what a unit of work queued once it has committed.
    Best effort: a notification that cannot be sent is logged, never raised, because the data
    is already committed and the customer's turn must not fail over it."""

    def publish(notifications: list[tuple[str, Notification]]) -> None:
        for channel, notification in notifications:
            try:
                broker.publish(channel, notification)
            except Exception:  # Redis unreachable: see docs/architecture.md
                log.warning("could not publish a notification on %s", channel.split(":")[0])

    return publish
