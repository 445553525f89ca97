"""Several API workers sharing the test's database and Redis, as behind a load balancer:
real `baton serve` processes, or apps in this process (each with its own connections and key
store). Either way they get a Redis namespace of their own, and are handed over only once each
hears the others' announcements."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import redis
from fastapi import FastAPI
from fastapi.testclient import TestClient

from batondesk.app import create_app
from batondesk.config import Settings
from batondesk.engine.services import TurnServices
from batondesk.nlu import IntentClassifier
from batondesk.store.database import INVALIDATIONS_CHANNEL
from tests.conftest import TEST_REDIS_URL
from tests.support.processes import environment, serving_apis


def private_namespace() -> str:
    """A Redis namespace of one test alone, so parallel runs never share counters or channels."""
    return f"baton-test-{uuid.uuid4().hex[:12]}"


def wait_until_listening(namespace: str, workers: int, seconds: float = 20) -> None:
    """Until `workers` subscribers hear announcements in `namespace` (each worker subscribes
    once started; an announcement made before that would reach nobody)."""
    client = redis.Redis.from_url(TEST_REDIS_URL)
    channel = f"{namespace}:{INVALIDATIONS_CHANNEL}"
    deadline = time.monotonic() + seconds
    try:
        while dict(client.pubsub_numsub(channel)).get(channel.encode(), 0) < workers:
            assert time.monotonic() < deadline, "the workers never subscribed to announcements"
            time.sleep(0.05)
    finally:
        client.close()


@contextmanager
def two_api_workers(settings: Settings, tmp_path: Path, **env: str) -> Iterator[tuple[str, str]]:
    """Workers "a" and "b" as `baton serve` processes; yields their base URLs. `env` adds or
    overrides settings (e.g. BATON_NLU_MODEL_DIR, BATON_REDIS_NAMESPACE); each one's output
    goes to `<tmp_path>/<name>.log`."""
    defaults = {
        "BATON_ENVIRONMENT": "test",
        "BATON_DATA_DIR": str(tmp_path),  # the same dev keys as the test's own writes
        "BATON_DATABASE_URL": settings.sqlalchemy_url,
        "BATON_REDIS_URL": TEST_REDIS_URL,
        "BATON_REDIS_NAMESPACE": private_namespace(),
        "BATON_PASSWORD_HASHING": "fast",
        "BATON_NLU_MODEL_DIR": str(tmp_path / "no-model"),
    }
    process_env = environment(**{**defaults, **env})
    with serving_apis(["a", "b"], process_env, tmp_path) as (worker_a, worker_b):
        wait_until_listening(process_env["BATON_REDIS_NAMESPACE"], 2)
        yield worker_a, worker_b


@dataclass
class InProcessWorker:
    app: FastAPI
    client: TestClient


@contextmanager
def two_in_process_workers(
    settings: Settings, fallback_model: IntentClassifier
) -> Iterator[tuple[InProcessWorker, InProcessWorker]]:
    """Two apps in this process on the test's database, in a namespace of their own, with
    their lifespans running (so both listen for announcements)."""
    shared = settings.model_copy(update={"redis_namespace": private_namespace()})
    with ExitStack() as stack:
        workers = []
        for _ in range(2):
            app = create_app(
                shared, services=TurnServices.from_settings(shared, fallback_model=fallback_model)
            )
            stack.callback(app.state.db.dispose)
            workers.append(InProcessWorker(app, stack.enter_context(TestClient(app))))
        wait_until_listening(shared.redis_namespace, 2)
        yield workers[0], workers[1]
