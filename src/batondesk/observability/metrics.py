"""Operational metrics for Prometheus: every metric Baton exports is defined here.

They describe the service's health (how long turns take, what the bot decided, why it handed
over, how many conversations wait for a person, how the HTTP routes fare), never who: every
label holds a value the code defines (a turn's action, an escalation reason code, a route
template, a conversation status), never an account, a customer, an id or any text. That keeps
the number of series small and a scrape free of personal data.

The app owns one `OperationalMetrics` (`app.state.metrics`) with its own registry. With
several API workers, prometheus-client's multiprocess mode (PROMETHEUS_MULTIPROC_DIR) keeps
each worker's figures in files there, and a scrape of any worker adds up all of them.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from prometheus_client import (
    CollectorRegistry,
    Counter,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    values,
)
from prometheus_client.exposition import choose_encoder
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from batondesk.store.database import Database
from batondesk.store.models import Conversation, ConversationStatus

log = logging.getLogger("batondesk.observability")

# A turn is ~20 ms of inference when the bot answers from an article, and up to the LLM's
# timeout (20 s by default) when a language model phrases the answer.
TURN_SECONDS_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0)
INTENT_MODEL_SECONDS_BUCKETS = (
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
)
HTTP_SECONDS_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

# Conversations handed over to people and not yet resolved.
QUEUE_STATUSES = (ConversationStatus.queued, ConversationStatus.assigned)
# Any other method a client sends is counted as "other": a label value must never be
# something a caller can choose freely.
HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Requests answered before routing (rate limit, body limit) or matching no route.
UNROUTED = "unrouted"

# The files prometheus-client writes in multiprocess mode: "<type>_<pid>.db", gauges with
# their mode ("gauge_livesum_<pid>.db"). Nothing else in the directory is touched.
_MULTIPROCESS_FILE = re.compile(r"(?:counter|histogram|summary|gauge_[a-z]+)_\d+\.db")


class OperationalMetrics:
    """The process's Prometheus metrics, and the exposition a scrape returns.

    `multiprocess_dir`: PROMETHEUS_MULTIPROC_DIR when several workers serve the API, else
    None (the figures of this process only). `turn_outcomes`: every action a turn can end in,
    reported as 0 until the first such turn, so rates are right from the first one."""

    def __init__(
        self,
        db: Database,
        *,
        multiprocess_dir: Path | None = None,
        turn_outcomes: Sequence[str] = (),
    ) -> None:
        if multiprocess_dir is not None:
            _check_multiprocess_mode(multiprocess_dir)
        self.multiprocess_dir = multiprocess_dir
        self.registry = CollectorRegistry()
        self.queue = QueueDepthCollector(db)
        self.customer_turn_seconds = Histogram(
            "baton_customer_turn_seconds",
            "Time to handle a customer's message: store it and, while the bot owns the "
            "conversation, take the bot's turn and store its reply.",
            buckets=TURN_SECONDS_BUCKETS,
            registry=self.registry,
        )
        self.intent_model_seconds = Histogram(
            "baton_intent_model_seconds",
            "Time the intent model takes to read one customer message.",
            buckets=INTENT_MODEL_SECONDS_BUCKETS,
            registry=self.registry,
        )
        self.turns = Counter(
            "baton_turns",
            "Customer messages by what the bot did: answer, clarify, decline, smalltalk, "
            "escalate, or none (a person owns the conversation).",
            ["action"],
            registry=self.registry,
        )
        self.handovers = Counter(
            "baton_handovers",
            "Conversations handed over to people, by escalation reason.",
            ["reason"],
            registry=self.registry,
        )
        self.http_requests = Counter(
            "baton_http_requests",
            "HTTP requests by method, route template and status class.",
            ["method", "route", "status_class"],
            registry=self.registry,
        )
        self.http_request_seconds = Histogram(
            "baton_http_request_seconds",
            "Time to answer an HTTP request, by method and route template (a stream counts "
            "until it closes).",
            ["method", "route"],
            buckets=HTTP_SECONDS_BUCKETS,
            registry=self.registry,
        )
        for outcome in turn_outcomes:
            self.turns.labels(outcome)
        if multiprocess_dir is None:
            self.registry.register(self.queue)
            # The process's memory, CPU and garbage collection; in multiprocess mode they
            # would describe whichever worker answered the scrape, so they are left out.
            ProcessCollector(registry=self.registry)
            PlatformCollector(registry=self.registry)
            GCCollector(registry=self.registry)

    def observe_turn(self, action: str, seconds: float) -> None:
        """One customer message handled; `action` is what the bot did ("none" without a turn)."""
        self.turns.labels(action).inc()
        self.customer_turn_seconds.observe(seconds)

    def observe_handover(self, reason: str) -> None:
        """`reason`: the escalation's reason code (handoff/policy.py), never free text."""
        self.handovers.labels(reason).inc()

    def observe_request(self, method: str, route: str | None, status: int, seconds: float) -> None:
        """`route`: the matched route's template (`/api/v1/conversations/{conversation_id}`),
        never the requested path, which holds ids; None when no route answered."""
        method = method if method in HTTP_METHODS else "other"
        route = route or UNROUTED
        self.http_requests.labels(method, route, f"{status // 100}xx").inc()
        self.http_request_seconds.labels(method, route).observe(seconds)

    def exposition(self, accept: str = "") -> tuple[bytes, str]:
        """The current figures in the format the scraper accepts (its Accept header), and that
        format's content type."""
        encode, content_type = choose_encoder(accept)
        return encode(self._scrape_registry()), content_type

    def _scrape_registry(self) -> CollectorRegistry:
        if self.multiprocess_dir is None:
            return self.registry
        # Every worker's files, the live ones' and those of workers that have exited (their
        # counts still happened), plus the queue read from the database now.
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=str(self.multiprocess_dir))
        registry.register(self.queue)
        return registry


class QueueDepthCollector:
    """`baton_queue_depth`, read from the database at each scrape: conversations handed over
    to people and not yet resolved, by status, over every account."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def describe(self) -> Iterable[Metric]:
        # Naming the metric here keeps registration from querying the database.
        return [self._family()]

    def collect(self) -> Iterable[Metric]:
        try:
            counts = self._counts()
        except SQLAlchemyError:
            # The other metrics are most useful exactly when the database is in trouble.
            log.warning("queue depth not reported: the database could not be read")
            return []
        family = self._family()
        for status in QUEUE_STATUSES:
            family.add_metric([status.value], counts.get(status, 0))
        return [family]

    def _counts(self) -> dict[ConversationStatus, int]:
        query = (
            select(Conversation.status, func.count())
            .where(Conversation.status.in_(QUEUE_STATUSES))
            .group_by(Conversation.status)
        )
        # A plain connection: counting statuses reads no personal data, so it needs neither
        # the session's keys nor an audit entry.
        with self.db.engine.connect() as connection:
            return {
                ConversationStatus(status): int(count)
                for status, count in connection.execute(query)
            }

    @staticmethod
    def _family() -> GaugeMetricFamily:
        return GaugeMetricFamily(
            "baton_queue_depth",
            "Conversations handed over to people and not yet resolved: queued (waiting for "
            "an agent) and assigned (an agent has it).",
            labels=["status"],
        )


def clear_multiprocess_dir(path: Path) -> None:
    """Create PROMETHEUS_MULTIPROC_DIR (owner-only), or empty it of an earlier run's metric
    files. Call once before starting the workers, never from a worker: the others' files
    would go with it."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    for file in path.iterdir():
        if file.is_file() and _MULTIPROCESS_FILE.fullmatch(file.name):
            file.unlink()


def _check_multiprocess_mode(path: Path) -> None:
    # prometheus-client picks its storage when it is first imported, from the process
    # environment; a directory named only in .env would leave every worker counting alone.
    if not getattr(values.ValueClass, "_multiprocess", False):
        raise RuntimeError(
            "PROMETHEUS_MULTIPROC_DIR must be set in the environment of the server process "
            "(not only in .env): prometheus-client reads it when it is imported"
        )
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
