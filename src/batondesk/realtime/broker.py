"""Publish/subscribe of small JSON notifications on named channels.

Channels: ``account:{id}`` (console: queue and conversation changes, customers typing),
``conversation:{id}`` (widget and console: new messages, status, agents typing) and
``widget:{account id}`` (every chat of the account: its widget settings changed).
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

    async def subscribe(self, *channels: str) -> AsyncIterator[Notification]:
        client = aioredis.Redis.from_url(self.url)
        pubsub = client.pubsub()
        # One connection for all of them: a chat's stream also hears its account's widget.
        await pubsub.subscribe(*(f"baton:{channel}" for channel in channels))
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


def publisher_for(broker: Broker) -> Callable[[list[tuple[str, Notification]]], None]:
    """What a database's publisher runs once a unit of work commits: every notification it
    queued, on `broker`; best effort, since the data is already committed."""

    def publish(notifications: list[tuple[str, Notification]]) -> None:
        for channel, notification in notifications:
            try:
                broker.publish(channel, notification)
            except Exception:  # real-time is best effort; the data is already committed
                log.warning("could not publish a notification on %s", channel.split(":")[0])

    return publish
