"""Escalation benchmark: replay the labelled development set through the customer's turn.

Same replay as `baton escalation eval` (the Baton Bank knowledge base, the active intent model,
default settings), plus the speed of the detectors alone. Writes
benchmarks/results/escalation_dev.json.

    python benchmarks/escalation.py [FILE.jsonl]
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from machine import describe_machine  # benchmarks/ is on sys.path when run as a script

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SET = ROOT / "benchmarks" / "data" / "escalation_dev.jsonl"
RESULTS = ROOT / "benchmarks" / "results"


def machine() -> dict[str, Any]:
    return describe_machine()


def detector_latency_ms(conversations: list[Any]) -> dict[str, float]:
    """Per customer message: all handoff detectors over the conversation so far."""
    from batondesk.handoff.detection import detect_cues

    timings = []
    for conversation in conversations:
        for end in range(1, len(conversation.messages) + 1):
            started = time.perf_counter()
            detect_cues(conversation.messages[:end])
            timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return {
        "messages": len(timings),
        "p50_ms": round(statistics.median(timings), 3),
        "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 3),
    }


def main() -> None:
    from batondesk.config import get_settings
    from batondesk.evaluation.conversations import read_conversations, replay, score
    from batondesk.evaluation.workspace import evaluation_setup
    from batondesk.nlu import ModelRegistry

    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SET
    conversations = read_conversations(path)
    settings = get_settings()
    active = ModelRegistry(settings.models_dir).active()
    if active is None:
        sys.exit("no active intent model: run `baton demo --no-serve` first")
    started = time.perf_counter()
    with evaluation_setup(settings) as setup:
        results = [replay(setup, c) for c in conversations]
    elapsed = time.perf_counter() - started
    scores = score(results)
    wrong = [
        {"id": r.id, "expected": r.expect_reason, "got": r.reason, "turn": r.turn}
        for r in results
        if not r.correct
    ]
    report = {
        "benchmark": "escalation",
        "dataset": str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path),
        "intent_model": active.version if active else None,
        "ran_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "scores": asdict(scores),
        "replay_seconds": round(elapsed, 1),
        "detectors": detector_latency_ms(conversations),
        "wrong": wrong,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"escalation_{path.stem.removeprefix('escalation_')}.json"
    out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: report[k] for k in ("scores", "replay_seconds", "detectors")}, indent=2))
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
