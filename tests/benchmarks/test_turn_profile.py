"""`make bench-turn` in its smallest configuration: the embedded demo with the tiny model and
three chats. Each storage's figures come out, the samples taken inside requests are filed by
phase and add up to the whole, the phases a turn cannot skip (the encoder, the database) are
seen, and a run elsewhere leaves the published figures alone."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.training import train_tiny_classifier

ROOT = Path(__file__).parents[2]
DOC = ROOT / "docs" / "benchmarks.md"
SHIPPED_TEST_SAMPLE = ROOT / "src" / "batondesk" / "demo" / "data" / "banking77" / "test_sample.csv"

pytestmark = pytest.mark.slow


def test_the_smallest_run_files_the_turn_by_phase(tmp_path: Path) -> None:
    model = train_tiny_classifier().save(tmp_path / "model")
    doc_before = DOC.read_text(encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if not key.startswith("BATON_")}
    env["HF_HUB_OFFLINE"] = "1"
    results = tmp_path / "turn.json"

    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "turn_profile.py"),
            "--only",
            "sqlite",
            "--chats",
            "3",
            "--model",
            str(model),
            # The sample that ships with Baton: the test needs no public dataset on disk.
            "--messages",
            str(SHIPPED_TEST_SAMPLE),
            "--data-dir",
            str(tmp_path / "data"),
            "--out",
            str(results),
        ],  # fmt: skip
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )

    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    figures = json.loads(results.read_text(encoding="utf-8"))["storages"]["sqlite"]
    assert figures["messages"] == 6
    assert figures["cpu_ms_per_message"] > 0
    assert figures["wall_ms_per_message"] > 0
    assert figures["samples_in_requests"] > 0
    phases = figures["phases"]
    assert sum(phases.values()) == pytest.approx(1.0, abs=0.01)
    assert phases["intent model: MiniLM encoder (ONNX Runtime)"] > 0
    assert phases["database: writes (flush)"] + phases["database: commit"] > 0
    assert DOC.read_text(encoding="utf-8") == doc_before
