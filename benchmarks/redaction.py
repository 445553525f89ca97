"""Precision and recall of the redaction function per entity type, on the labelled set
`benchmarks/data/redaction_set.jsonl` (customer-support snippets with email addresses, phone
numbers, card numbers, IBANs and national ids from many countries, plus look-alikes that must
not be redacted: order numbers, amounts, dates, tracking codes, invalid card numbers).

A labelled entity counts as found when a detected span of the same type covers all of it (a
partial redaction still leaks). A detected span counts as correct when it overlaps a labelled
entity of its type. "redacted" also counts entities covered by a span of another type: the
datum did not leak, even if named wrongly.

    .venv/bin/python benchmarks/redaction.py [--json benchmarks/results/redaction.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from batondesk.privacy.redaction import find_sensitive_spans

DATA = Path(__file__).parent / "data" / "redaction_set.jsonl"
TYPES = ("email", "phone", "card", "iban", "national_id")


def evaluate(rows: list[dict[str, Any]]) -> dict[str, Any]:
    gold_count: dict[str, int] = defaultdict(int)
    found: dict[str, int] = defaultdict(int)
    redacted: dict[str, int] = defaultdict(int)
    predicted: dict[str, int] = defaultdict(int)
    correct: dict[str, int] = defaultdict(int)
    misses: list[dict[str, Any]] = []
    false_alarms: list[dict[str, Any]] = []
    started = time.perf_counter()
    detections = [find_sensitive_spans(row["text"]) for row in rows]
    elapsed = time.perf_counter() - started
    for row, spans in zip(rows, detections, strict=True):
        for gold in row["entities"]:
            kind = gold["type"]
            gold_count[kind] += 1
            covering = [s for s in spans if s.start <= gold["start"] and s.end >= gold["end"]]
            if any(s.type == kind for s in covering):
                found[kind] += 1
            else:
                misses.append(
                    {
                        "id": row["id"],
                        "type": kind,
                        "value": row["text"][gold["start"] : gold["end"]],
                    }
                )
            if covering:
                redacted[kind] += 1
        for span in spans:
            predicted[span.type] += 1
            if any(
                g["type"] == span.type and span.start < g["end"] and g["start"] < span.end
                for g in row["entities"]
            ):
                correct[span.type] += 1
            else:
                false_alarms.append(
                    {
                        "id": row["id"],
                        "type": span.type,
                        "value": row["text"][span.start : span.end],
                    }
                )
    per_type = {}
    for kind in TYPES:
        precision = correct[kind] / predicted[kind] if predicted[kind] else 1.0
        recall = found[kind] / gold_count[kind] if gold_count[kind] else 1.0
        per_type[kind] = {
            "entities": gold_count[kind],
            "detected": predicted[kind],
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(2 * precision * recall / (precision + recall), 4)
            if precision + recall
            else 0.0,
            "redacted_any_type": round(redacted[kind] / gold_count[kind], 4)
            if gold_count[kind]
            else 1.0,
        }
    return {
        "snippets": len(rows),
        "snippets_without_personal_data": sum(1 for r in rows if not r["entities"]),
        "per_type": per_type,
        "ms_per_snippet": round(elapsed * 1000 / max(1, len(rows)), 4),
        "misses": misses,
        "false_alarms": false_alarms,
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}",
    }


def markdown(result: dict[str, Any]) -> str:
    lines = [
        "| entity | labelled | precision | recall | F1 | redacted (any type) |",
        "|---|---|---|---|---|---|",
    ]
    for kind, r in result["per_type"].items():
        lines.append(
            f"| {kind} | {r['entities']} | {r['precision']:.3f} | {r['recall']:.3f} | "
            f"{r['f1']:.3f} | {r['redacted_any_type']:.3f} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--json", type=Path, help="write the full result here")
    args = parser.parse_args()
    rows = [json.loads(line) for line in args.data.read_text().splitlines() if line.strip()]
    result = evaluate(rows)
    print(
        f"{result['snippets']} snippets ({result['snippets_without_personal_data']} without "
        f"personal data), {result['ms_per_snippet']} ms per snippet"
    )
    print(markdown(result))
    for miss in result["misses"]:
        print(f"missed {miss['type']}: {miss['value']!r} (#{miss['id']})")
    for alarm in result["false_alarms"]:
        print(f"false alarm {alarm['type']}: {alarm['value']!r} (#{alarm['id']})")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
