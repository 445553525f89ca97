"""The production process model on loopback: two API workers (`baton serve`) behind a
round-robin proxy, a job worker (`baton worker`), PostgreSQL and Redis. A customer is answered
through either API worker, the periodic jobs run in the job worker and only there, a job
worker killed with kill -9 halfway through a job loses no job, an API worker killed with kill
-9 while customers write loses no message it acknowledged, and a stopped API worker ends its
event streams instead of hanging on them."""

from __future__ import annotations

import signal
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from batondesk.config import Settings
from batondesk.store import Database
from batondesk.store.base import utcnow
from batondesk.store.models import Contact, Conversation
from tests.conftest import TEST_DATABASE_URL, TEST_REDIS_URL
from tests.support.loopback_http import LoopbackCrm, serving
from tests.support.processes import (
    RoundRobinProxy,
    environment,
    start,
    start_api,
    start_apis,
    stopping,
    wait_until,
)
from tests.support.workspace import Workspace, build_workspace, login, say, start_chat

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (TEST_DATABASE_URL and TEST_REDIS_URL),
        reason="the process model needs PostgreSQL and Redis: set BATON_TEST_DATABASE_URL "
        "and BATON_TEST_REDIS_URL",
    ),
]

HEARTBEAT_TIMEOUT_SECONDS = 3


@pytest.fixture
def workspace(db: Database) -> Workspace:
    return build_workspace(db)


@pytest.fixture
def env(settings: Settings, tmp_path: Path) -> dict[str, str]:
    """What every process of the deployment reads: the same database, keys, Redis, and a
    queue of this test's own."""
    return environment(
        BATON_ENVIRONMENT="test",
        BATON_DATA_DIR=str(tmp_path),  # the same dev keys as the test's own writes
        BATON_DATABASE_URL=settings.sqlalchemy_url,
        BATON_REDIS_URL=TEST_REDIS_URL,
        BATON_JOB_QUEUE_URL=TEST_REDIS_URL,
        BATON_JOB_QUEUE_NAME=f"baton-test-{uuid.uuid4().hex[:12]}",
        BATON_JOB_WORKER_HEARTBEAT_TIMEOUT_SECONDS=str(HEARTBEAT_TIMEOUT_SECONDS),
        BATON_QUEUE_CHECK_INTERVAL_SECONDS="0.5",
        BATON_PASSWORD_HASHING="fast",
        BATON_NLU_MODEL_DIR=str(tmp_path / "no-model"),
        BATON_WIDGET_RATE_LIMIT_PER_MINUTE="0",
        BATON_ALLOW_PRIVATE_DESTINATIONS="true",
        BATON_SHUTDOWN_TIMEOUT_SECONDS="10",
    )


def _fresh_connections(base_url: str) -> httpx.Client:
    """A client that opens a new connection per request, so the proxy alternates workers."""
    return httpx.Client(
        base_url=base_url, limits=httpx.Limits(max_keepalive_connections=0), timeout=30
    )


def test_either_api_worker_answers_and_periodic_jobs_run_in_the_job_worker(
    env: dict[str, str], tmp_path: Path, db: Database, workspace: Workspace
) -> None:
    api_a, api_b = start_apis(["api-a", "api-b"], env, tmp_path)
    with stopping(api_a, api_b):
        proxy = RoundRobinProxy([api.base_url.removeprefix("http://") for api in (api_a, api_b)])
        with proxy.running() as base, _fresh_connections(base) as client:
            conversation_ids = []
            for _ in range(3):
                conversation_id, visitor = start_chat(client, workspace.a.inbox_public_id)  # type: ignore[arg-type]
                turn = say(client, conversation_id, visitor, "hello")  # type: ignore[arg-type]
                assert turn["reply"]["body"], turn
                conversation_ids.append(conversation_id)
        assert proxy.connections[api_a.base_url.removeprefix("http://")] >= 3
        assert proxy.connections[api_b.base_url.removeprefix("http://")] >= 3

        # A snooze that is over: the queue check (a periodic job) wakes the conversation.
        snoozed = conversation_ids[0]
        with db.session() as session:
            conversation = session.get(Conversation, snoozed)
            assert conversation is not None
            conversation.snoozed_until = utcnow() - timedelta(seconds=1)
        time.sleep(3)  # six queue-check intervals: the API workers run no periodic job
        assert _snoozed_until(db, snoozed) is not None

        job_worker = start("worker", ["worker", "--threads", "2"], env, tmp_path)
        with stopping(job_worker):
            wait_until(lambda: _snoozed_until(db, snoozed) is None, 60, "the queue check")
            assert job_worker.stop() == 0, job_worker.output()[-3000:]


def _snoozed_until(db: Database, conversation_id: int) -> object:
    with db.session() as session:
        return session.scalar(
            select(Conversation.snoozed_until).where(Conversation.id == conversation_id)
        )


def test_a_job_worker_killed_mid_job_loses_no_job(
    env: dict[str, str], tmp_path: Path, db: Database, workspace: Workspace
) -> None:
    crm = LoopbackCrm(page_delay_seconds=0.5)
    for number in range(1, 601):
        crm.upsert({"id": f"crm-{number:04d}", "full_name": f"Customer {number:04d}"})
    with serving(crm) as crm_url:
        api = start_api("api", env, tmp_path)
        first_worker = start("worker-1", ["worker", "--threads", "2"], env, tmp_path)
        with stopping(api, first_worker), _fresh_connections(api.base_url) as admin:
            login(admin, workspace.a.users["admin"][1])  # type: ignore[arg-type]
            created = admin.post(
                "/api/v1/admin/crm/connectors",
                json={
                    "name": "Slow CRM",
                    "config": {
                        "base_url": crm_url,
                        "path": "/contacts",
                        "items_field": "data.contacts",
                        "next_cursor_field": "paging.next",
                        "page_size": 100,
                        "auth": {
                            "type": "oauth2_client_credentials",
                            "token_url": crm_url + "/oauth/token",
                            "client_id": "baton",
                        },
                        "mapping": {"external_id": "id", "name": "full_name"},
                    },
                    "credential": crm.client_secret,
                },
            )
            assert created.status_code == 201, created.text
            connector = f"/api/v1/admin/crm/connectors/{created.json()['id']}"
            assert admin.post(f"{connector}/sync").status_code == 202

            wait_until(lambda: len(crm.asked) >= 3, 60, "the sync to be halfway")
            first_worker.kill_hard()
            asked_before_kill = len(crm.asked)
            stored_before_kill = _contacts(db, workspace.a.account_id)
            assert admin.get(connector).json()["status"] == "running"
            assert stored_before_kill[0] < 600

            second_worker = start("worker-2", ["worker", "--threads", "2"], env, tmp_path)
            with stopping(second_worker):
                wait_until(
                    lambda: admin.get(connector).json()["status"] != "running", 120, "the sync"
                )
                done = admin.get(connector).json()
                assert done["status"] == "ok", done
                assert second_worker.stop() == 0
        # Every contact once; the second worker resumed from the stored cursor.
        assert _contacts(db, workspace.a.account_id) == (600, 600)
        assert crm.asked[asked_before_kill] is not None, "started again from the beginning"


CUSTOMERS_WRITING = 4


def test_an_api_worker_killed_under_load_loses_no_acknowledged_message(
    env: dict[str, str], tmp_path: Path, workspace: Workspace
) -> None:
    """Customers keep writing through the proxy while one API worker is killed with kill -9:
    requests it had not answered fail (a customer whose message failed writes again, as the
    widget lets them), every message answered with 201 is stored, and the other worker serves
    on."""
    api_a, api_b = start_apis(["api-a", "api-b"], env, tmp_path)
    acknowledged: list[tuple[int, dict[str, str], int]] = []
    failures: Counter[str] = Counter()
    stop = threading.Event()

    def customer(base: str) -> None:
        with _fresh_connections(base) as client:
            while not stop.is_set():
                try:
                    conversation_id, visitor = start_chat(client, workspace.a.inbox_public_id)  # type: ignore[arg-type]
                    for text in ("my card has not arrived", "and how long does it take?"):
                        sent = client.post(
                            f"/api/v1/widget/conversations/{conversation_id}/messages",
                            json={"body": text},
                            headers=visitor,
                        )
                        if sent.status_code != 201:
                            failures[f"HTTP {sent.status_code}"] += 1
                            break
                        acknowledged.append(
                            (conversation_id, visitor, sent.json()["message"]["id"])
                        )
                except (httpx.HTTPError, AssertionError) as error:  # the killed worker's requests
                    failures[type(error).__name__] += 1

    with stopping(api_a, api_b):
        proxy = RoundRobinProxy([api.base_url.removeprefix("http://") for api in (api_a, api_b)])
        with proxy.running() as base, ThreadPoolExecutor(CUSTOMERS_WRITING) as pool:
            customers = [pool.submit(customer, base) for _ in range(CUSTOMERS_WRITING)]
            try:
                wait_until(lambda: len(acknowledged) >= 20, 120, "customers writing")
                api_a.kill_hard()
                at_kill = len(acknowledged)
                wait_until(lambda: len(acknowledged) >= at_kill + 20, 120, "writing after the kill")
            finally:
                stop.set()
            for running in customers:
                running.result()
        with _fresh_connections(api_b.base_url) as reader:
            for conversation_id, visitor, message_id in acknowledged:
                shown = reader.get(
                    f"/api/v1/widget/conversations/{conversation_id}", headers=visitor
                )
                assert shown.status_code == 200, shown.text
                assert message_id in {m["id"] for m in shown.json()["messages"]}
    assert len(acknowledged) >= at_kill + 20
    assert sum(failures.values()) > 0, "the kill should have cut some requests short"


def _contacts(db: Database, account_id: int) -> tuple[int, int]:
    with db.session() as session:
        total, distinct = session.execute(
            select(func.count(), func.count(Contact.external_id_index.distinct())).where(
                Contact.account_id == account_id
            )
        ).one()
    return int(total), int(distinct)


def test_a_stopped_api_worker_ends_its_event_streams_and_exits(
    env: dict[str, str], tmp_path: Path, db: Database, workspace: Workspace
) -> None:
    api = start_api("api", env, tmp_path)
    with stopping(api), _fresh_connections(api.base_url) as client:
        conversation_id, visitor = start_chat(client, workspace.a.inbox_public_id)  # type: ignore[arg-type]
        ended = threading.Event()
        opened = threading.Event()
        farewell: list[str] = []

        def listen() -> None:
            url = f"/api/v1/widget/conversations/{conversation_id}/stream"
            try:
                with client.stream("GET", url, headers=visitor, timeout=60) as stream:
                    for line in stream.iter_lines():
                        opened.set()
                        if line.startswith(("event: reconnect", "retry:")):
                            farewell.append(line)
            except httpx.HTTPError as error:  # e.g. the response was cut off
                farewell.append(repr(error))
            ended.set()

        listener = threading.Thread(target=listen, daemon=True)
        listener.start()
        assert opened.wait(30), "the stream did not open"
        started = time.monotonic()
        # uvicorn ends by re-raising the SIGTERM it handled: a clean stop reads as -SIGTERM.
        assert api.stop(timeout=20) in (0, -signal.SIGTERM), api.output()[-3000:]
        assert ended.wait(5), "the stream stayed open after the worker stopped"
        # Ended at once, not after the 10 s shutdown timeout cut it off, and properly: the
        # browser is told to reconnect (to another worker) in a second.
        assert time.monotonic() - started < 8
        # (sse-starlette may cut the connection just after that last event; a browser
        # reconnects either way.)
        assert farewell[:2] == ["event: reconnect", "retry: 1000"], farewell
