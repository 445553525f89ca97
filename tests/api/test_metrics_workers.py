"""Several API workers (`baton serve --workers N`): with PROMETHEUS_MULTIPROC_DIR, a scrape of
any worker reports the turns every worker took, including a worker that has since exited."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from batondesk.config import Settings
from batondesk.observability.metrics import clear_multiprocess_dir
from batondesk.store import Database
from tests.support.workspace import build_workspace

TOKEN = "metrics-token-for-tests"
REPOSITORY = Path(__file__).resolve().parents[2]


def _run_worker(env: dict[str, str], inbox_public_id: str, *flags: str) -> str:
    """A worker process of its own, as uvicorn starts one: a fresh interpreter that imports
    prometheus-client with PROMETHEUS_MULTIPROC_DIR already set."""
    result = subprocess.run(
        [sys.executable, "-m", "tests.support.metrics_worker", inbox_public_id, *flags],
        env=env,
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


@pytest.mark.slow
def test_a_scrape_adds_up_the_turns_of_every_worker(
    settings: Settings, db: Database, tmp_path: Path
) -> None:
    workspace = build_workspace(db)
    directory = tmp_path / "prometheus"
    clear_multiprocess_dir(directory)  # what `baton serve` does before starting workers
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [os.environ.get("PYTHONPATH"), "."])),
        "HF_HUB_OFFLINE": "1",
        "BATON_ENVIRONMENT": "test",
        "BATON_DATA_DIR": str(tmp_path),  # the same dev keys as the test's own writes
        "BATON_DATABASE_URL": settings.sqlalchemy_url,
        "BATON_PASSWORD_HASHING": "fast",
        "BATON_NLU_MODEL_DIR": str(tmp_path / "no-model"),
        "BATON_WIDGET_RATE_LIMIT_PER_MINUTE": "0",
        "BATON_METRICS_TOKEN": TOKEN,
        "PROMETHEUS_MULTIPROC_DIR": str(directory),
    }
    env.pop("BATON_REDIS_URL", None)

    _run_worker(env, workspace.a.inbox_public_id)  # takes a turn, then exits
    exposition = _run_worker(env, workspace.b.inbox_public_id, "--scrape")

    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
    }
    assert samples[("baton_turns_total", (("action", "smalltalk"),))] == 2
    assert samples[("baton_customer_turn_seconds_count", ())] == 2
    assert samples[("baton_queue_depth", (("status", "queued"),))] == 0
    # Each worker kept its own files; the scrape read both.
    assert len(list(directory.glob("counter_*.db"))) == 2
