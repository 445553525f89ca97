"""Two real API worker processes sharing PostgreSQL and Redis, as behind a load balancer: what
one worker changes or counts, the other sees (docs/architecture.md, "State across workers")."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from batondesk.actions.accounts import LOGIN_MAX_FAILURES
from batondesk.config import Settings
from batondesk.engine.intent_models import IntentModels
from batondesk.nlu import IntentClassifier
from batondesk.store import Database
from tests.conftest import TEST_DATABASE_URL, TEST_REDIS_URL
from tests.support.api_workers import two_api_workers
from tests.support.training import EXAMPLES
from tests.support.workspace import PASSWORD, build_workspace

pytestmark = pytest.mark.skipif(
    not (TEST_REDIS_URL and TEST_DATABASE_URL),
    reason="set BATON_TEST_REDIS_URL and BATON_TEST_DATABASE_URL: workers share state through "
    "PostgreSQL and Redis, as in production",
)
CONSOLE = {"X-Requested-With": "baton"}


def _first_intent(admin: httpx.Client, worker: str, inbox: str, text: str) -> str:
    """The intent the AI read in a new chat's first message, sent to `worker`."""
    with httpx.Client(base_url=worker, timeout=30) as customer:
        started = customer.post(f"/api/v1/widget/inboxes/{inbox}/conversations", json={})
        started.raise_for_status()
        conversation_id = started.json()["conversation_id"]
        turn = customer.post(
            f"/api/v1/widget/conversations/{conversation_id}/messages",
            json={"body": text},
            headers={"Authorization": f"Bearer {started.json()['visitor_token']}"},
        )
        assert turn.status_code == 201, turn.text
    messages = admin.get(f"/api/v1/conversations/{conversation_id}/messages").json()
    return str(messages[0]["annotations"]["intent"])


def _renamed_model() -> IntentClassifier:
    """The tiny model with one intent under another name, so its answers can be told apart."""
    renamed = {("card_lost" if k == "lost_or_stolen_card" else k): v for k, v in EXAMPLES.items()}
    texts = [text for examples in renamed.values() for text in examples]
    labels = [label for label, examples in renamed.items() for _ in examples]
    return IntentClassifier(profile="fast").fit(texts, labels)


def test_a_model_promoted_through_one_worker_answers_on_the_other(
    settings: Settings, db: Database, tmp_path: Path, tiny_classifier: IntentClassifier
) -> None:
    workspace = build_workspace(db)
    inbox = workspace.a.inbox_public_id
    models_dir = tmp_path / "models"
    registry = IntentModels(models_dir).registry(workspace.a.account_id)
    registry.register(tiny_classifier.save(tmp_path / "v1"), "v1")
    registry.register(_renamed_model().save(tmp_path / "v2"), "v2")
    registry.promote("v1")
    with (
        two_api_workers(settings, tmp_path, BATON_NLU_MODEL_DIR=str(models_dir)) as workers,
        httpx.Client(base_url=workers[0], timeout=30, headers=CONSOLE) as admin,
    ):
        worker_b = workers[1]
        admin.post(
            "/api/v1/auth/login",
            json={"email": workspace.a.users["admin"][1], "password": PASSWORD},
        ).raise_for_status()
        assert _first_intent(admin, worker_b, inbox, "I lost my card") == "lost_or_stolen_card"

        promoted = admin.post("/api/v1/admin/models/promote", json={"version": "v2"})
        assert promoted.status_code == 200, promoted.text
        assert promoted.json()["active"] == "v2"

        # Worker B served nothing since, yet it loads v2 on hearing the announcement, so the
        # account's next customer does not wait for the load.
        log_b = tmp_path / "b.log"
        deadline = time.monotonic() + 20
        while "intent model v2 loaded" not in log_b.read_text():
            assert time.monotonic() < deadline, "worker B never loaded the promoted model"
            time.sleep(0.1)
        assert _first_intent(admin, worker_b, inbox, "I lost my card") == "card_lost"

        rolled_back = admin.post("/api/v1/admin/models/rollback")
        assert rolled_back.status_code == 200 and rolled_back.json()["active"] == "v1"
        assert _first_intent(admin, worker_b, inbox, "I lost my card") == "lost_or_stolen_card"


def test_the_widget_rate_limit_counts_requests_to_every_worker(
    settings: Settings, db: Database, tmp_path: Path
) -> None:
    workspace = build_workspace(db)
    url = f"/api/v1/widget/inboxes/{workspace.a.inbox_public_id}/conversations"
    # Two at once, then one every 30 s: the slow refill keeps the test's reading from
    # depending on how fast a loaded machine sends the requests.
    limited = {"BATON_WIDGET_RATE_LIMIT_PER_MINUTE": "2"}
    with two_api_workers(settings, tmp_path, **limited) as (worker_a, worker_b):
        # One request to each worker: each alone is under its limit of two.
        statuses = [
            httpx.post(w + url, json={}, timeout=30).status_code for w in (worker_a, worker_b)
        ]
        assert statuses == [201, 201]
        # Together they spent the address's allowance, so each worker now refuses.
        for worker in (worker_a, worker_b):
            refused = httpx.post(worker + url, json={}, timeout=30)
            assert refused.status_code == 429, refused.text
            assert refused.json()["error"]["code"] == "rate_limited"
            assert int(refused.headers["retry-after"]) >= 1


def test_a_login_throttle_reached_through_one_worker_holds_on_the_other(
    settings: Settings, db: Database, tmp_path: Path
) -> None:
    workspace = build_workspace(db)
    with two_api_workers(settings, tmp_path) as (worker_a, worker_b):
        # A console session opened through one worker is good on any, and so is its end.
        with httpx.Client(base_url=worker_a, timeout=30, headers=CONSOLE) as agent:
            agent.post(
                "/api/v1/auth/login",
                json={"email": workspace.a.users["agent"][1], "password": PASSWORD},
            ).raise_for_status()
            cookies = dict(agent.cookies)
        me = httpx.get(f"{worker_b}/api/v1/me", cookies=cookies, timeout=30)
        assert me.status_code == 200, me.text
        logout = httpx.post(
            f"{worker_b}/api/v1/auth/logout", cookies=cookies, headers=CONSOLE, timeout=30
        )
        assert logout.status_code == 200, logout.text
        assert httpx.get(f"{worker_a}/api/v1/me", cookies=cookies, timeout=30).status_code == 401

        email = workspace.a.users["admin"][1]
        for attempt in range(LOGIN_MAX_FAILURES):
            worker = worker_a if attempt % 2 else worker_b
            wrong = httpx.post(
                f"{worker}/api/v1/auth/login",
                json={"email": email, "password": "not the password"},
                timeout=30,
            )
            assert wrong.status_code == 401, wrong.text
        for worker in (worker_a, worker_b):
            # Even the right password: the guesses made through both workers add up.
            blocked = httpx.post(
                f"{worker}/api/v1/auth/login",
                json={"email": email, "password": PASSWORD},
                timeout=30,
            )
            assert blocked.status_code == 429, blocked.text
            assert blocked.json()["error"]["code"] == "login_throttled"
