"""Simulated customers and agents driving a live server over HTTP, for the load benchmark.

Each of N chats is one customer after another on the chat widget, sending as soon as the
previous turn is answered (no think time: the figures are the server's capacity): a new
conversation, one to three BANKING77 test messages, and in some conversations a request for
a person. Whenever a turn leaves the conversation with the team (the customer asked, or the
bot handed over by itself), the customer waits, polling as the widget does, until an agent
writes; the demo's agents take handed-over conversations from a shared queue (what the
console's live queue tells them), take each over and reply. The customer then thanks the
agent and leaves, and the chat starts a new conversation.

Knows nothing about how the server runs; every request goes to one loopback base URL.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import random
import time
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx

ASK_FOR_A_PERSON = (
    "I want to talk to a real person please",
    "Can I speak to a human?",
    "please put me through to an agent",
)
AGENT_REPLY = "Hello, I'm looking into this for you now."
THANKS = "Thank you!"
WITH_THE_TEAM = frozenset({"queued", "assigned"})
POLL_SECONDS = 0.5
RETRY_PAUSE_SECONDS = 1.0
# A customer gives up waiting for an agent after this long (counted, not an error).
AGENT_WAIT_SECONDS = 60.0
# After the phase's time is up, turns already sent get this long to be answered.
DRAIN_SECONDS = 30.0
REQUEST_TIMEOUT = httpx.Timeout(60.0, connect=10.0)


def percentile(values: Sequence[float], share: float) -> float | None:
    """Nearest-rank percentile (share in 0..1) of `values`; None when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(share * len(ordered) + 0.5)))
    return ordered[rank - 1]


def latency_ms(seconds: Sequence[float]) -> dict[str, float | None]:
    def ms(share: float) -> float | None:
        value = percentile(seconds, share)
        return None if value is None else round(value * 1000, 1)

    return {"p50_ms": ms(0.50), "p90_ms": ms(0.90), "p99_ms": ms(0.99), "max_ms": ms(1.0)}


@dataclass
class Tally:
    """What one phase did, as the clients saw it. Durations in seconds."""

    deadline: float
    max_messages: int | None = None
    elapsed: float = 0.0  # from the start to the deadline, or to the last chat's end if sooner
    sent: int = 0  # customer messages sent (the bound `max_messages` counts these)
    acknowledged: int = 0  # customer messages answered 201 by the deadline
    turns: list[float] = field(default_factory=list)  # every acknowledged customer message
    conversations: int = 0
    handovers: int = 0
    agent_replies: int = 0
    agent_seconds: list[float] = field(default_factory=list)  # take-over + reply
    waits: list[float] = field(default_factory=list)  # handover -> the customer sees the agent
    unanswered_waits: int = 0
    requests: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    # (conversation id, visitor headers, ids of the customer messages acknowledged in it)
    acknowledged_ids: list[tuple[int, dict[str, str], list[int]]] = field(default_factory=list)

    def open(self) -> bool:
        if time.monotonic() >= self.deadline:
            return False
        return self.max_messages is None or self.sent < self.max_messages


class Failed(Exception):
    """A request that failed; its kind is already counted."""


async def call(
    tally: Tally,
    client: httpx.AsyncClient,
    method: str,
    url: str,
    expected: int,
    **kwargs: Any,
) -> tuple[httpx.Response, float]:
    """One request; counts it, and counts and raises `Failed` on a transport error or any
    status but `expected`. Returns the response and its wall time."""
    tally.requests += 1
    started = time.perf_counter()
    try:
        response = await client.request(method, url, **kwargs)
    except httpx.TimeoutException:
        tally.errors["timeout"] += 1
        raise Failed from None
    except httpx.TransportError as error:
        tally.errors[type(error).__name__] += 1
        raise Failed from None
    seconds = time.perf_counter() - started
    if response.status_code != expected:
        tally.errors[f"HTTP {response.status_code}"] += 1
        raise Failed
    return response, seconds


class Traffic:
    """Customers and agents against `base`. The agents log in once (`signed_in`), then each
    `run` is one phase."""

    def __init__(
        self,
        base: str,
        inbox: str,
        texts: Sequence[str],
        agents: Sequence[tuple[str, str]],
        *,
        person_share: float,
        seed: int,
    ) -> None:
        self.base, self.inbox, self.agents = base, inbox, agents
        self.person_share = person_share
        self.rng = random.Random(seed)
        self.texts = itertools.cycle(self.rng.sample(list(texts), len(texts)))
        self.handed_over: asyncio.Queue[int] = asyncio.Queue()
        self.staff: list[httpx.AsyncClient] = []

    @asynccontextmanager
    async def signed_in(self) -> AsyncIterator[Traffic]:
        login = Tally(deadline=float("inf"))
        try:
            for email, password in self.agents:
                self.staff.append(await self._agent_client(login, email, password))
            yield self
        finally:
            for client in self.staff:
                await client.aclose()
            self.staff.clear()

    async def run(self, chats: int, seconds: float, max_messages: int | None) -> Tally:
        """`chats` customers at once for `seconds` (or until `max_messages` are sent)."""
        tally = Tally(deadline=time.monotonic() + seconds, max_messages=max_messages)
        limits = httpx.Limits(max_connections=chats + 8, max_keepalive_connections=chats + 8)
        async with httpx.AsyncClient(
            base_url=self.base, limits=limits, timeout=REQUEST_TIMEOUT
        ) as client:
            agents = [asyncio.create_task(self._agent(tally, staff)) for staff in self.staff]
            customers = [asyncio.create_task(self._chat(tally, client)) for _ in range(chats)]
            started = time.monotonic()
            try:
                await _settle(customers, seconds + DRAIN_SECONDS)
            finally:
                tally.elapsed = min(time.monotonic(), tally.deadline) - started
                for task in agents:
                    task.cancel()
                await asyncio.gather(*agents, return_exceptions=True)
                while not self.handed_over.empty():  # left by customers cut off at the end
                    self.handed_over.get_nowait()
        return tally

    async def _agent_client(self, tally: Tally, email: str, password: str) -> httpx.AsyncClient:
        client = httpx.AsyncClient(base_url=self.base, timeout=REQUEST_TIMEOUT)
        # What the console sends with every request (CSRF protection, see api/deps.py).
        client.headers["X-Requested-With"] = "baton"
        login = {"email": email, "password": password}
        try:
            await call(tally, client, "POST", "/api/v1/auth/login", 200, json=login)
        except Failed:
            await client.aclose()
            raise SystemExit(f"agent {email} could not log in: {dict(tally.errors)}") from None
        return client

    async def _agent(self, tally: Tally, client: httpx.AsyncClient) -> None:
        while True:
            conversation_id = await self.handed_over.get()
            path = f"/api/v1/conversations/{conversation_id}"
            try:
                _, took = await call(tally, client, "POST", f"{path}/take-over", 200)
                _, wrote = await call(
                    tally, client, "POST", f"{path}/messages", 201, json={"body": AGENT_REPLY}
                )
            except Failed:
                continue
            tally.agent_replies += 1
            tally.agent_seconds.append(took + wrote)

    async def _chat(self, tally: Tally, client: httpx.AsyncClient) -> None:
        """One customer after another until the phase is over."""
        while tally.open():
            try:
                await self._conversation(tally, client)
            except Failed:
                await asyncio.sleep(RETRY_PAUSE_SECONDS)  # as a person would, before trying again

    async def _conversation(self, tally: Tally, client: httpx.AsyncClient) -> None:
        response, _ = await call(
            tally,
            client,
            "POST",
            f"/api/v1/widget/inboxes/{self.inbox}/conversations",
            201,
            json={},
        )
        started = response.json()
        conversation_id = int(started["conversation_id"])
        visitor = {"Authorization": f"Bearer {started['visitor_token']}"}
        acknowledged: list[int] = []
        tally.acknowledged_ids.append((conversation_id, visitor, acknowledged))
        tally.conversations += 1
        planned = [next(self.texts) for _ in range(self.rng.randint(1, 3))]
        if self.rng.random() < self.person_share:
            planned.insert(self.rng.randint(1, len(planned)), self.rng.choice(ASK_FOR_A_PERSON))

        async def say(text: str) -> dict[str, Any]:
            tally.sent += 1
            response, seconds = await call(
                tally,
                client,
                "POST",
                f"/api/v1/widget/conversations/{conversation_id}/messages",
                201,
                json={"body": text},
                headers=visitor,
            )
            turn: dict[str, Any] = response.json()
            acknowledged.append(int(turn["message"]["id"]))
            tally.turns.append(seconds)
            if time.monotonic() <= tally.deadline:
                tally.acknowledged += 1
            return turn

        for text in planned:
            if not tally.open():
                return
            turn = await say(text)
            if turn["status"] in WITH_THE_TEAM:
                tally.handovers += 1
                if await self._wait_for_agent(tally, client, conversation_id, visitor, turn):
                    await say(THANKS)
                return

    async def _wait_for_agent(
        self,
        tally: Tally,
        client: httpx.AsyncClient,
        conversation_id: int,
        visitor: dict[str, str],
        turn: dict[str, Any],
    ) -> bool:
        """Poll the conversation as the widget does until an agent has written; False when
        the customer gave up."""
        await self.handed_over.put(conversation_id)
        after = int((turn.get("reply") or turn["message"])["id"])
        began = time.monotonic()
        while time.monotonic() - began < AGENT_WAIT_SECONDS:
            await asyncio.sleep(POLL_SECONDS)
            response, _ = await call(
                tally,
                client,
                "GET",
                f"/api/v1/widget/conversations/{conversation_id}",
                200,
                params={"after": after},
                headers=visitor,
            )
            if any(m["sender_type"] == "agent" for m in response.json()["messages"]):
                tally.waits.append(time.monotonic() - began)
                return True
        tally.unanswered_waits += 1
        return False


async def _settle(tasks: list[asyncio.Task[None]], seconds: float) -> None:
    """Wait for `tasks` up to `seconds`, then cancel what is left (a turn still unanswered
    then is cut off, not counted as acknowledged)."""
    _, pending = await asyncio.wait(tasks, timeout=seconds)
    for task in pending:
        task.cancel()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    for result in results:
        if isinstance(result, Exception) and not isinstance(result, asyncio.CancelledError):
            raise result


async def lost_messages(base: str, tally: Tally, concurrency: int = 20) -> tuple[int, int]:
    """(customer messages the server acknowledged that the conversation does not show,
    conversations that could not be read back): read through the widget, as the customer
    would see them."""
    gate = asyncio.Semaphore(concurrency)
    check = Tally(deadline=float("inf"))

    async def missing(
        client: httpx.AsyncClient, conversation_id: int, visitor: dict[str, str], ids: list[int]
    ) -> int | None:
        try:
            async with gate:
                response, _ = await call(
                    check, client, "GET", f"/api/v1/widget/conversations/{conversation_id}", 200,
                    headers=visitor,
                )  # fmt: skip
        except Failed:
            return None
        stored = {int(m["id"]) for m in response.json()["messages"]}
        return len(set(ids) - stored)

    async with httpx.AsyncClient(base_url=base, timeout=REQUEST_TIMEOUT) as client:
        counts = await asyncio.gather(
            *(missing(client, *row) for row in tally.acknowledged_ids if row[2])
        )
    return sum(n for n in counts if n is not None), sum(n is None for n in counts)


def figures(tally: Tally, chats: int, lost: tuple[int, int]) -> dict[str, Any]:
    """The phase's figures for the results file (never a message text)."""
    seconds = tally.elapsed
    return {
        "chats": chats,
        "seconds": round(seconds, 1),
        "messages": tally.acknowledged,
        "messages_per_s": round(tally.acknowledged / seconds, 1) if seconds else 0.0,
        "turn_latency": latency_ms(tally.turns),
        "conversations": tally.conversations,
        "handovers": tally.handovers,
        "agent_replies": tally.agent_replies,
        "agent_latency": latency_ms(tally.agent_seconds),
        "handover_wait": latency_ms(tally.waits),
        "customers_gave_up_waiting": tally.unanswered_waits,
        "requests": tally.requests,
        "errors": sum(tally.errors.values()),
        "errors_by_kind": dict(tally.errors),
        "acknowledged_messages_lost": lost[0],
        "conversations_not_read_back": lost[1],
        "load_average": os.getloadavg()[0],
    }


async def echo(
    base: str, texts: Sequence[str], chats: int, seconds: float, max_messages: int | None
) -> dict[str, Any]:
    """The same closed loop of POSTs against the echo app: `chats` clients, each sending its
    next body as soon as the previous one is answered."""
    tally = Tally(deadline=time.monotonic() + seconds, max_messages=max_messages)
    bodies = itertools.cycle(texts)
    limits = httpx.Limits(max_connections=chats + 8, max_keepalive_connections=chats + 8)

    async def client_loop(client: httpx.AsyncClient) -> None:
        while tally.open():
            tally.sent += 1
            try:
                _, took = await call(
                    tally, client, "POST", "/echo", 201, json={"body": next(bodies)}
                )
            except Failed:
                continue
            tally.turns.append(took)
            if time.monotonic() <= tally.deadline:
                tally.acknowledged += 1

    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=REQUEST_TIMEOUT) as client:
        started = time.monotonic()
        loops = [asyncio.create_task(client_loop(client)) for _ in range(chats)]
        await _settle(loops, seconds + DRAIN_SECONDS)
        elapsed = min(time.monotonic(), tally.deadline) - started
    return {
        "chats": chats,
        "seconds": round(elapsed, 1),
        "requests_per_s": round(tally.acknowledged / elapsed, 1) if elapsed else 0.0,
        "latency": latency_ms(tally.turns),
        "requests": tally.requests,
        "errors": sum(tally.errors.values()),
        "errors_by_kind": dict(tally.errors),
    }
