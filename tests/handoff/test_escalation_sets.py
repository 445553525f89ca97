"""The labelled escalation sets in benchmarks/data: each is readable by the evaluator, no
conversation appears in two sets (a test set must not leak into training), and the counts in
benchmarks/data/README.md are the files' own."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from batondesk.evaluation.conversations import read_conversations

DATA = Path(__file__).resolve().parents[2] / "benchmarks" / "data"
SETS = sorted(DATA.glob("escalation_*.jsonl"))
REASONS = ("none", "explicit_request", "sensitive", "repeated_failure", "frustration")


def test_the_sets_are_there() -> None:
    names = {path.stem for path in SETS}
    expected = {"escalation_dev", "escalation_train", "escalation_validation", "escalation_test"}
    assert expected <= names


@pytest.mark.parametrize("path", SETS, ids=lambda p: p.name)
def test_every_set_reads_and_its_readme_counts_match(path: Path) -> None:
    conversations = read_conversations(path)
    counts = Counter(c.expect_reason for c in conversations)
    languages = {
        json.loads(line).get("language", "")
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    }
    row = f"| `{path.name}` | {len(conversations)} | " + " | ".join(
        str(counts[reason]) for reason in REASONS
    )
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    assert row in readme, f"README counts are stale; expected a row starting {row}"
    if languages != {""}:
        assert f"{row} | {len(languages)} |" in readme


def test_no_conversation_is_in_two_sets() -> None:
    seen: dict[tuple[str, ...], str] = {}
    for path in SETS:
        for conversation in read_conversations(path):
            key = tuple(" ".join(m.lower().split()) for m in conversation.messages)
            assert key not in seen, f"{conversation.id} in {path.name} repeats one in {seen[key]}"
            seen[key] = path.name
