"""Escalation benchmark: replay a labelled conversation set through the customer's turn.

Same replay as `baton escalation eval` (the Baton Bank knowledge base, the active intent model,
default settings), with the rules alone and with the rules and the learned model, by reason
and by language, plus the speed of the detectors alone. Writes
benchmarks/results/escalation_<set>.json; `--held-out` leaves the failures out.

    python benchmarks/escalation.py [FILE.jsonl] [--held-out]
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from dataclasses import asdict, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from machine import describe_machine  # benchmarks/ is on sys.path when run as a script

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SET = ROOT / "benchmarks" / "data" / "escalation_dev.jsonl"
RESULTS = ROOT / "benchmarks" / "results"


def machine() -> dict[str, Any]:
    return describe_machine()


def detector_latency_ms(conversations: list[Any]) -> dict[str, dict[str, float]]:
    """Per customer message: all handoff detectors over the conversation so far, without and
    with the learned model."""
    from batondesk.handoff.detection import detect_cues
    from batondesk.handoff.learned import EscalationModel
    from batondesk.knowledge.embedding import default_embedder

    # The model embeds the current message itself here; in the turn the intent model has
    # usually embedded it already, so these times are an upper bound.
    model = EscalationModel.load(embedder=default_embedder())
    figures = {}
    for name, reader in (("rules", None), ("rules_and_model", model)):
        timings = []
        for conversation in conversations:
            for end in range(1, len(conversation.messages) + 1):
                started = time.perf_counter()
                detect_cues(conversation.messages[:end], reader)
                timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
        figures[name] = {
            "messages": len(timings),
            "p50_ms": round(statistics.median(timings), 3),
            "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 3),
        }
    return figures


def by_language(path: Path, results: list[Any]) -> dict[str, dict[str, Any]]:
    """Per language of the set (its rows' `language`, when given): conversations, correct
    decisions and recall of explicit requests."""
    languages = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            languages[str(row.get("id"))] = row.get("language", "unknown")
    table: dict[str, dict[str, Any]] = {}
    for r in results:
        row = table.setdefault(
            languages.get(r.id, "unknown"),
            {"conversations": 0, "correct": 0, "explicit_requests": 0, "explicit_caught": 0},
        )
        row["conversations"] += 1
        row["correct"] += r.correct
        if r.expect_reason == "explicit_request":
            row["explicit_requests"] += 1
            row["explicit_caught"] += r.escalated
    return dict(sorted(table.items()))


def main() -> None:
    from batondesk.config import get_settings
    from batondesk.evaluation.conversations import read_conversations, replay, score
    from batondesk.evaluation.workspace import evaluation_setup
    from batondesk.nlu import ModelRegistry

    args = sys.argv[1:]
    held_out = "--held-out" in args
    files = [a for a in args if not a.startswith("--")]
    path = Path(files[0]) if files else DEFAULT_SET
    conversations = read_conversations(path)
    settings = get_settings()
    active = ModelRegistry(settings.models_dir).active()
    if active is None:
        sys.exit("no active intent model: run `baton demo --no-serve` first")
    variants: dict[str, Any] = {}
    with evaluation_setup(settings) as setup:
        for name, variant in (
            ("rules", replace(setup, escalation_model=None)),
            ("rules_and_model", setup),
        ):
            started = time.perf_counter()
            results = [replay(variant, c) for c in conversations]
            elapsed = time.perf_counter() - started
            variants[name] = {
                "scores": asdict(score(results)),
                "by_language": by_language(path, results),
                "replay_seconds": round(elapsed, 1),
                # A held-out set's failures are not written out: reading them would make it
                # a development set.
                "wrong": []
                if held_out
                else [
                    {"id": r.id, "expected": r.expect_reason, "got": r.reason, "turn": r.turn}
                    for r in results
                    if not r.correct
                ],
            }
    report = {
        "benchmark": "escalation",
        "dataset": str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path),
        "held_out": held_out,
        "intent_model": active.version if active else None,
        "learned_threshold": setup.escalation.learned_threshold,
        "ran_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        **variants,
        "detectors": detector_latency_ms(conversations),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"escalation_{path.stem.removeprefix('escalation_')}.json"
    out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    summary = {name: variants[name]["scores"] for name in variants}
    print(json.dumps({**summary, "detectors": report["detectors"]}, indent=2))
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
