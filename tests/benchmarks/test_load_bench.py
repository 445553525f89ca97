"""`make bench-load` in its smallest configurations: the embedded demo with the tiny model,
two chats and a handful of messages, every customer asking for a person. The results file
holds the figures of each part (the chats, the echo app, the NLU engine), nothing failed
or went missing, and a quick run leaves the published figures alone. On PostgreSQL and Redis,
the production deployment's kill -9 phase kills an API process and the job worker while
customers write, and counts every acknowledged message and every job."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from sqlalchemy import make_url

from tests.conftest import TEST_DATABASE_URL, TEST_REDIS_URL
from tests.support.training import train_tiny_classifier

ROOT = Path(__file__).parents[2]
SCRIPT = ROOT / "benchmarks" / "load_bench.py"
SHIPPED_TEST_SAMPLE = ROOT / "src" / "batondesk" / "demo" / "data" / "banking77" / "test_sample.csv"
DOC = ROOT / "docs" / "benchmarks.md"

pytestmark = pytest.mark.slow


def _run_smallest(tmp_path: Path, *options: str, **environment: str) -> dict:
    """The benchmark with the tiny model and the shipped test sample; returns its results."""
    model = train_tiny_classifier().save(tmp_path / "model")
    results = tmp_path / "load.json"
    env = {key: value for key, value in os.environ.items() if not key.startswith("BATON_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    env["HF_HUB_OFFLINE"] = "1"
    env.update(environment)
    command = [
        sys.executable, str(SCRIPT), *options,
        "--echo-seconds", "2",
        "--nlu-messages", "64",
        "--model", str(model),
        "--no-history",
        "--messages", str(SHIPPED_TEST_SAMPLE),
        "--data-dir", str(tmp_path / "data"),
        "--out", str(results),
    ]  # fmt: skip
    done = subprocess.run(
        command,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return json.loads(results.read_text(encoding="utf-8"))


def test_the_smallest_run_reports_every_figure_without_errors(tmp_path: Path) -> None:
    doc_before = DOC.read_text(encoding="utf-8")
    result = _run_smallest(
        tmp_path,
        "--only", "embedded",
        "--chats", "2",
        "--seconds", "60",
        "--max-messages", "6",
        "--person-share", "1",
        "--soak-seconds", "0",
    )  # fmt: skip

    assert result["quick_run"] is True
    assert result["machine"]["cores"] >= 1 and "load_average_at_start" in result["machine"]
    assert isinstance(result["load_average_at_end"], float)

    (phase,) = result["deployments"]["embedded"]["phases"]
    assert phase["chats"] == 2
    assert phase["messages"] >= 6 and phase["messages_per_s"] > 0
    assert 0 < phase["turn_latency"]["p50_ms"] <= phase["turn_latency"]["p99_ms"]
    assert (phase["errors"], phase["acknowledged_messages_lost"]) == (0, 0), phase
    assert phase["conversations_not_read_back"] == 0
    # Every customer asked for a person: an agent took each over and replied, and the
    # customer saw the reply.
    assert phase["handovers"] >= 1
    assert phase["agent_replies"] == phase["handovers"]
    assert phase["customers_gave_up_waiting"] == 0
    assert result["deployments"]["embedded"]["soak"] is None
    assert "kill" not in result["deployments"]["embedded"], "nothing to kill in one process"
    # Where the CPU went: the server answered every turn, the clients sent them, and the
    # processes seen account for CPU the machine itself counted.
    cpu = phase["cpu"]
    assert cpu["ms_per_message"]["API servers"] > 0, cpu
    assert cpu["ms_per_message"]["benchmark clients"] > 0, cpu
    assert cpu["ms_per_message"]["job worker"] == 0, "the embedded server runs its own jobs"
    assert 0 < cpu["seen_ms"] <= 1.1 * cpu["machine_busy_ms"] + 100, cpu

    (echo,) = result["ceilings"]["echo"]["one_process"]
    assert echo["requests_per_s"] > 0 and echo["errors"] == 0
    nlu = result["ceilings"]["nlu"]
    assert nlu["batch64_messages_per_s"] > 0 and nlu["messages"] == 64
    assert nlu["single_message_latency"]["p50_ms"] > 0

    assert DOC.read_text(encoding="utf-8") == doc_before


@pytest.mark.storage
@pytest.mark.skipif(
    not (TEST_DATABASE_URL and TEST_REDIS_URL),
    reason="the production deployment needs PostgreSQL and Redis: set BATON_TEST_DATABASE_URL "
    "and BATON_TEST_REDIS_URL",
)
def test_the_kill_phase_loses_no_acknowledged_message_and_no_job(tmp_path: Path) -> None:
    database = make_url(TEST_DATABASE_URL).set(database=f"baton_test_load_{uuid.uuid4().hex[:8]}")
    result = _run_smallest(
        tmp_path,
        "--only", "production",
        "--chats", "2",
        "--seconds", "5",
        "--soak-seconds", "0",
        "--kill-chats", "4",
        "--kill-seconds", "15",
        "--database-url", database.render_as_string(hide_password=False),
        "--redis-url", TEST_REDIS_URL,
        # The killed worker's jobs come back after 3 s instead of the default minute.
        BATON_JOB_WORKER_HEARTBEAT_TIMEOUT_SECONDS="3",
    )  # fmt: skip

    kill = result["deployments"]["production"]["kill"]
    jobs = kill["kills"]
    assert jobs["notes"] == []
    assert jobs["api_process_killed"] and jobs["api_process_replaced_after_s"] is not None
    assert jobs["job_worker_killed"]
    # The worker was killed holding jobs; the new one finished every job, none dead-lettered.
    assert jobs["jobs_held_by_the_killed_worker"] >= 1, jobs
    assert jobs["jobs_finished"] == jobs["jobs_enqueued_before_the_kill"] > 0, jobs
    assert (jobs["jobs_lost"], jobs["jobs_dead_lettered"]) == (0, 0)
    # Customers went on writing across the kill, and every message answered 201 is stored.
    assert kill["messages"] > 0
    assert (kill["acknowledged_messages_lost"], kill["conversations_not_read_back"]) == (0, 0)


@pytest.fixture(scope="module")
def report() -> Iterator[ModuleType]:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import load_report  # type: ignore[import-not-found]

        yield load_report
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))


def test_targets_are_judged_only_on_a_full_run(report: ModuleType) -> None:
    quick = json.loads((ROOT / "benchmarks" / "results" / "load_quick.json").read_text())
    quick_rows = report.targets(quick)
    assert len(quick_rows) == 5
    assert all(row[3].startswith("not yet measured on a quiet machine") for row in quick_rows)

    full = copy.deepcopy({**quick, "quick_run": False})
    production = next(p for p in full["deployments"]["production"]["phases"] if p["chats"] == 50)
    production["messages_per_s"] = 180.0
    production["turn_latency"]["p99_ms"] = 450.0
    rate, p99, *_ = report.targets(full)
    assert rate[3] == "180.0 (met)"
    assert p99[3] == "450 ms (over by 150.0 ms)"
