"""/metrics as a Prometheus scraper and an operator see it: real turns through the widget API
move the counters, the queue depth follows hand-overs, and nobody without the token reads it."""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient
from prometheus_client import values
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine

from batondesk.app import create_app
from batondesk.config import Settings
from batondesk.engine.services import TurnServices
from batondesk.observability.metrics import (
    OperationalMetrics,
    QueueDepthCollector,
    clear_multiprocess_dir,
)
from batondesk.store import Database
from tests.support.workspace import Workspace, login, say, start_chat

TOKEN = "metrics-token-for-tests"
SCRAPER = {"Authorization": f"Bearer {TOKEN}"}
MESSAGES_ROUTE = "/api/v1/widget/conversations/{conversation_id}/messages"
DASHBOARD = Path(__file__).resolve().parents[2] / "docs" / "grafana" / "baton-dashboard.json"

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"metrics_token": TOKEN})


def scrape(client: TestClient) -> Samples:
    """Every sample /metrics returns, parsed as Prometheus parses it."""
    response = client.get("/metrics", headers=SCRAPER)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def changes(before: Samples, after: Samples, prefix: str) -> dict[tuple[str, str], float]:
    """The samples named `prefix`... that moved, with their labels spelled out."""
    moved = {}
    for key in set(before) | set(after):
        name, labels = key
        if name.startswith(prefix) and after.get(key, 0.0) != before.get(key, 0.0):
            spelled = ",".join(f"{k}={v}" for k, v in sorted(labels))
            moved[(name, spelled)] = after.get(key, 0.0) - before.get(key, 0.0)
    return moved


def test_a_customer_turn_moves_the_turn_counter_and_latency_histograms(
    client: TestClient, workspace: Workspace
) -> None:
    conversation_id, visitor = start_chat(client, workspace.a.inbox_public_id)
    before = scrape(client)

    text = "my card still hasn't arrived"
    turn = say(client, conversation_id, visitor, text)
    assert turn["reply"]["sources"][0]["slug"] == "card-delivery"  # the bot answered

    after = scrape(client)
    assert changes(before, after, "baton_turns_total") == {
        ("baton_turns_total", "action=answer"): 1
    }
    assert value(after, "baton_customer_turn_seconds_count") == (
        value(before, "baton_customer_turn_seconds_count") + 1
    )
    assert value(after, "baton_customer_turn_seconds_sum") > value(
        before, "baton_customer_turn_seconds_sum"
    )
    # The bucket past the turn's time counts it; +Inf always does.
    assert value(after, "baton_customer_turn_seconds_bucket", le="+Inf") == (
        value(before, "baton_customer_turn_seconds_bucket", le="+Inf") + 1
    )
    assert value(after, "baton_intent_model_seconds_count") == (
        value(before, "baton_intent_model_seconds_count") + 1
    )
    labels = {"method": "POST", "route": MESSAGES_ROUTE, "status_class": "2xx"}
    assert value(after, "baton_http_requests_total", **labels) == 1

    # Route templates only: neither ids in paths nor anything the customer wrote.
    exposition = client.get("/metrics", headers=SCRAPER).text
    assert f"/conversations/{conversation_id}/" not in exposition
    assert text not in exposition and "arrived" not in exposition


def test_turns_that_hand_over_count_by_reason_and_fill_the_queue(
    app, client: TestClient, workspace: Workspace
) -> None:
    conversation_id, visitor = start_chat(client, workspace.a.inbox_public_id)
    before = scrape(client)
    assert value(before, "baton_queue_depth", status="queued") == 0
    assert value(before, "baton_queue_depth", status="assigned") == 0

    turn = say(client, conversation_id, visitor, "I want to talk to a real person please")
    assert turn["status"] == "queued"
    queued = scrape(client)
    assert changes(before, queued, "baton_turns_total") == {
        ("baton_turns_total", "action=escalate"): 1
    }
    assert changes(before, queued, "baton_handovers_total") == {
        ("baton_handovers_total", "reason=explicit_request"): 1
    }
    assert value(queued, "baton_queue_depth", status="queued") == 1

    # An agent takes it: no longer waiting, still with a person.
    with TestClient(app) as agent:
        login(agent, workspace.a.users["agent"][1])
        taken = agent.post(f"/api/v1/conversations/{conversation_id}/take-over")
        assert taken.json()["status"] == "assigned"
    assigned = scrape(client)
    assert value(assigned, "baton_queue_depth", status="queued") == 0
    assert value(assigned, "baton_queue_depth", status="assigned") == 1

    # While a person owns it the bot takes no turn, and the message counts as such.
    assert say(client, conversation_id, visitor, "thanks, waiting")["reply"] is None
    after = scrape(client)
    assert changes(assigned, after, "baton_turns_total") == {
        ("baton_turns_total", "action=none"): 1
    }
    assert value(after, "baton_customer_turn_seconds_count") == (
        value(before, "baton_customer_turn_seconds_count") + 2
    )


def test_the_talk_to_a_person_button_counts_a_hand_over_but_no_turn(
    client: TestClient, workspace: Workspace
) -> None:
    conversation_id, visitor = start_chat(client, workspace.b.inbox_public_id)
    before = scrape(client)
    pressed = client.post(
        f"/api/v1/widget/conversations/{conversation_id}/handoff", headers=visitor
    )
    assert pressed.json()["status"] == "queued"
    after = scrape(client)
    assert changes(before, after, "baton_handovers_total") == {
        ("baton_handovers_total", "reason=explicit_request"): 1
    }
    assert changes(before, after, "baton_turns_total") == {}
    assert value(after, "baton_queue_depth", status="queued") == 1


def test_labels_are_few_and_never_name_an_account_or_a_customer(
    client: TestClient, workspace: Workspace
) -> None:
    for tenant in (workspace.a, workspace.b):
        conversation_id, visitor = start_chat(client, tenant.inbox_public_id)
        say(client, conversation_id, visitor, "I want to talk to a real person please")
    client.request("BREW", "/api/v1/queue")  # a method nobody serves
    response = client.get("/metrics", headers=SCRAPER)
    allowed = {"action", "reason", "method", "route", "status_class", "status", "le"}
    for family in text_string_to_metric_families(response.text):
        if not family.name.startswith("baton_"):
            continue
        for sample in family.samples:
            assert set(sample.labels) <= allowed, sample
            assert sample.labels.get("method", "GET") != "BREW", sample
    # One queue figure per status, over both accounts.
    samples = scrape(client)
    assert value(samples, "baton_queue_depth", status="queued") == 2


def test_a_refused_message_is_counted_as_a_request_not_a_turn(
    client: TestClient, workspace: Workspace
) -> None:
    conversation_id, visitor = start_chat(client, workspace.a.inbox_public_id)
    before = scrape(client)
    refused = client.post(
        f"/api/v1/widget/conversations/{conversation_id}/messages",
        json={"body": "x" * 6000},
        headers=visitor,
    )
    assert refused.status_code in (413, 422), refused.text
    after = scrape(client)
    assert changes(before, after, "baton_turns_total") == {}
    assert changes(before, after, "baton_customer_turn_seconds") == {}
    labels = {"method": "POST", "route": MESSAGES_ROUTE, "status_class": "4xx"}
    assert value(after, "baton_http_requests_total", **labels) == 1


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer wrong-token", f"Basic {TOKEN}", f"Bearer {TOKEN}x", "Bearer "],
    ids=["none", "wrong", "other scheme", "longer", "empty"],
)
def test_metrics_refuse_a_caller_without_the_token(
    client: TestClient, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_metrics_token"
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert "baton_turns_total" not in response.text


def test_metrics_are_not_served_without_a_token_configured(
    settings: Settings, db: Database, services: TurnServices
) -> None:
    unconfigured = create_app(settings.model_copy(update={"metrics_token": ""}), services=services)
    with TestClient(unconfigured) as client:
        for headers in ({}, SCRAPER, {"Authorization": "Bearer "}):
            response = client.get("/metrics", headers=headers)
            assert response.status_code == 404
            assert "baton_" not in response.text
    unconfigured.state.db.dispose()


def test_metrics_stay_out_of_the_openapi_document(client: TestClient) -> None:
    assert "/metrics" not in client.get("/openapi.json").json()["paths"]


def test_openmetrics_is_served_to_a_scraper_that_asks_for_it(client: TestClient) -> None:
    response = client.get(
        "/metrics", headers={**SCRAPER, "Accept": "application/openmetrics-text; version=1.0.0"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/openmetrics-text")
    assert response.text.rstrip().endswith("# EOF")


def test_queue_depth_is_left_out_while_the_database_cannot_be_read(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    unreachable = create_engine(f"sqlite:///{tmp_path / 'missing' / 'baton.db'}")
    collector = QueueDepthCollector(SimpleNamespace(engine=unreachable))  # type: ignore[arg-type]
    assert list(collector.collect()) == []
    assert "queue depth not reported" in caplog.text


def test_a_multiprocess_directory_named_only_in_dotenv_is_refused(
    tmp_path: Path, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What prometheus-client chose on import in a server whose .env names the directory but
    # whose environment does not: one process's values in memory.
    monkeypatch.setattr(values, "ValueClass", values.MutexValue)
    with pytest.raises(RuntimeError, match="PROMETHEUS_MULTIPROC_DIR must be set"):
        OperationalMetrics(db, multiprocess_dir=tmp_path / "metrics")


def test_starting_the_server_clears_only_an_earlier_runs_metric_files(tmp_path: Path) -> None:
    directory = tmp_path / "prometheus"
    directory.mkdir()
    stale = ["counter_41.db", "histogram_41.db", "gauge_livesum_41.db", "summary_7.db"]
    kept = ["baton.db", "counter_notes.db", "README"]
    for name in stale + kept:
        (directory / name).write_text("x")
    clear_multiprocess_dir(directory)
    assert sorted(p.name for p in directory.iterdir()) == sorted(kept)
    fresh = tmp_path / "new" / "prometheus"
    clear_multiprocess_dir(fresh)
    assert fresh.is_dir() and oct(fresh.stat().st_mode & 0o777) == oct(0o700)


def test_every_metric_the_dashboard_queries_is_exported(
    client: TestClient, workspace: Workspace
) -> None:
    conversation_id, visitor = start_chat(client, workspace.a.inbox_public_id)
    say(client, conversation_id, visitor, "I want to talk to a real person please")
    exported = {sample_name for sample_name, _labels in scrape(client)}
    dashboard = json.loads(DASHBOARD.read_text())
    queries = [t["expr"] for panel in dashboard["panels"] for t in panel["targets"]]
    queried = {name for query in queries for name in re.findall(r"\bbaton_[a-z_]+", query)}
    assert queried, "the dashboard queries no Baton metric"
    assert queried <= exported, sorted(queried - exported)
    titles = {panel["title"] for panel in dashboard["panels"]}
    assert {"Customer turn latency", "Turns by outcome", "Hand-overs by reason"} <= titles
