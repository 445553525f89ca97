"""Request rate limits per client address, counted in this process or shared through Redis.

A limit of `per_minute` lets an address spend that many requests at once and then one every
60 / `per_minute` seconds (pyrate-limiter's GCRA: one timestamp per address, whatever the
traffic). Without Redis each API worker counts on its own, so N workers allow up to N times
the limit. With Redis every worker on every host spends from the same count.

Redis is a help, never a dependency: while it does not answer, the workers count locally
(each still slows a flood) and try Redis again after `RETRY_REDIS_SECONDS`, so no widget
request, and no customer asking for a person, fails because the limiter's store did.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import weakref
from typing import Protocol

import redis.asyncio as aioredis
from pyrate_limiter import Duration, Rate
from pyrate_limiter.abstracts.algorithm import GCRA, Decision
from pyrate_limiter.buckets.redis_state import RedisStateStore
from pyrate_limiter.buckets.state_bucket import InMemoryStateStore
from pyrate_limiter.clocks import MonotonicClock, WallClock
from redis.exceptions import RedisError

from batondesk.privacy.keyring import Keyring
from batondesk.realtime.broker import REDIS_TIMEOUT_SECONDS

log = logging.getLogger("batondesk.api")

# After Redis failed, count locally for this long before asking it again, so an outage costs
# one timeout now and then rather than one per request.
RETRY_REDIS_SECONDS = 5.0


class RateLimiter(Protocol):
    async def retry_after(self, key: str) -> float:
        """0 if a request under `key` may proceed (and counts it), else seconds until one
        may."""

    async def close(self) -> None:
        """Release connections (the app's shutdown)."""


def _seconds(decision: Decision) -> float:
    if decision.allowed:
        return 0.0
    # No wait given: the request can never fit (a limit below one), so ask for a minute.
    return 60.0 if decision.retry_after_ms is None else decision.retry_after_ms / 1000


class LocalRateLimiter:
    """Counted in this process; thread-safe. At most `max_keys` addresses are remembered: past
    that (an address-spraying flood) every count starts again, so memory stays bounded."""

    def __init__(self, per_minute: int, *, max_keys: int = 100_000) -> None:
        self.rates = [Rate(per_minute, Duration.MINUTE)]
        self.max_keys = max_keys
        self._algorithm = GCRA()
        self._clock = MonotonicClock()
        self._stores: dict[str, InMemoryStateStore] = {}
        self._lock = threading.Lock()

    def check(self, key: str) -> float:
        with self._lock:
            store = self._stores.get(key)
            if store is None:
                if len(self._stores) >= self.max_keys:
                    self._stores.clear()
                store = self._stores[key] = InMemoryStateStore()
        return _seconds(store.check(self._algorithm, self.rates, self._clock.now(), 1))

    async def retry_after(self, key: str) -> float:
        return self.check(key)

    async def close(self) -> None:
        return None


class SharedRateLimiter:
    """Counted in Redis for every worker, under `<namespace>:rate:<name>:<keyed hash>` (a key
    that expires once its count has drained). Keys are keyed hashes, never addresses, which
    are personal data. Falls back to a `LocalRateLimiter` while Redis is unreachable."""

    def __init__(
        self, per_minute: int, redis_url: str, *, namespace: str, name: str, keyring: Keyring
    ) -> None:
        self.rates = [Rate(per_minute, Duration.MINUTE)]
        self.redis_url = redis_url
        self.prefix = f"{namespace}:rate:{name}"
        self.local = LocalRateLimiter(per_minute)
        self._keyring = keyring
        self._algorithm = GCRA()
        # The wall clock: the count is shared by hosts, whose monotonic clocks differ.
        self._clock = WallClock()
        self._local_until = 0.0
        # An asyncio Redis connection belongs to the event loop that opened it: one client
        # per loop (one per worker under uvicorn; tests may run several).
        self._clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, aioredis.Redis]
        self._clients = weakref.WeakKeyDictionary()

    async def retry_after(self, key: str) -> float:
        if time.monotonic() < self._local_until:
            return self.local.check(key)
        hashed = self._keyring.blind_index(key, "rate_limit.key", case_sensitive=True)
        store = RedisStateStore(self._client(), f"{self.prefix}:{hashed}")
        try:
            decision = await store.check(self._algorithm, self.rates, self._clock.now(), 1)
        except (RedisError, OSError) as error:  # OSError: timeouts and refused connections
            if not self._local_until:
                log.warning("rate limits counted per worker: Redis unreachable (%s)", error)
            self._local_until = time.monotonic() + RETRY_REDIS_SECONDS
            return self.local.check(key)
        if self._local_until:
            log.warning("rate limits shared through Redis again")
            self._local_until = 0.0
        return _seconds(decision)

    def _client(self) -> aioredis.Redis:
        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            client = aioredis.Redis.from_url(
                self.redis_url,
                socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
                socket_timeout=REDIS_TIMEOUT_SECONDS,
            )
            self._clients[loop] = client
        return client

    async def close(self) -> None:
        """Close this event loop's connection."""
        client = self._clients.pop(asyncio.get_running_loop(), None)
        if client is not None:
            await client.aclose()


def make_rate_limiter(
    per_minute: int, redis_url: str, *, namespace: str, name: str, keyring: Keyring
) -> RateLimiter:
    if not redis_url:
        return LocalRateLimiter(per_minute)
    return SharedRateLimiter(per_minute, redis_url, namespace=namespace, name=name, keyring=keyring)
