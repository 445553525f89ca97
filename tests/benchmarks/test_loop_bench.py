"""The learning-loop benchmark's split and its headline figure: 30% of each intent as the base
data, the rest as traffic, the same way every time; the share of the gap closed."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

BENCHMARKS = Path(__file__).parents[2] / "benchmarks"


@pytest.fixture(scope="module")
def bench() -> Iterator[ModuleType]:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import loop_bench  # type: ignore[import-not-found]

        yield loop_bench
    finally:
        sys.path.remove(str(BENCHMARKS))


def test_the_base_data_is_30_percent_of_each_intent_and_the_rest_is_traffic(
    bench: ModuleType,
) -> None:
    texts = [f"message {i}" for i in range(1000)]
    labels = [f"intent_{i % 4}" for i in range(1000)]

    base, traffic = bench.split_train(texts, labels, 0.3, seed=0)

    assert Counter(base.labels) == {f"intent_{i}": 75 for i in range(4)}
    assert len(traffic) == 700
    assert set(base.texts).isdisjoint(text for text, _ in traffic)
    assert sorted([*base.texts, *(t for t, _ in traffic)]) == sorted(texts)
    again, again_traffic = bench.split_train(texts, labels, 0.3, seed=0)
    assert again.texts == base.texts and again_traffic == traffic


def test_the_gap_closed_is_the_share_of_the_way_to_the_full_train_model(
    bench: ModuleType,
) -> None:
    assert bench.gap_closed(0.80, 0.87, 0.90) == 0.7
    assert bench.gap_closed(0.80, 0.79, 0.90) == -0.1
    assert bench.gap_closed(0.90, 0.91, 0.90) is None  # no gap to close


def _split(seed: int, queue: float | None, chance: float | None) -> dict[str, object]:
    return {
        "seed": seed,
        "base_examples": 3001,
        "traffic_replayed": 7002,
        "review": {"labelled": 1000, "reasons": {"unclear": 1000}, "model_was_wrong": 400},
        "candidate": {"gate": "passed", "promoted": True},
        "test_accuracy": dict.fromkeys(
            ("base", "after_review_queue", "after_random_choice", "full_train"), 0.9
        ),
        "gap_closed": {"review_queue": queue, "random_choice": chance},
        "seconds": {"replay": 300.0},
    }


def test_the_verdict_is_the_mean_over_the_splits_not_the_luckiest_one(
    bench: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    splits = [_split(0, 0.78, 0.3), _split(1, 0.52, 0.25), _split(2, None, None)]
    assert bench.mean_gap_closed(splits, "review_queue") == 0.65  # a split with no gap is left out
    monkeypatch.setattr(bench, "DOC", tmp_path / "benchmarks.md")
    monkeypatch.setattr(bench, "NOTES", tmp_path / "no-notes.md")
    result = {
        "quick_run": False,
        "date": "2026-12-02T08:00:00+00:00",
        "machine": {"cpu_model": "test", "cores": 2, "load_average_at_start": 0.5},
        "settings": {
            "profile": "fast",
            "seeds": [0, 1, 2],
            "review_budget": 1000,
            "test_examples": 3080,
            "gate_evaluation_set": "dialect_eval.jsonl",
        },
        "splits": splits,
        "mean_gap_closed": {"review_queue": 0.65, "random_choice": 0.275},
        "mean_gap_closed_95_interval": {"review_queue": [0.55, 0.76], "random_choice": None},
        "seconds": 2000.0,
    }
    bench.write_doc(result, "loop_banking77.json")
    page = (tmp_path / "benchmarks.md").read_text(encoding="utf-8")
    assert "| **mean** | | | | | **65.0%** (55% to 76%) | **27.5%** |" in page
    assert (
        "short by 5.00 points (95% interval of the mean, resampling the test messages: 55%" in page
    )


def test_the_interval_of_the_gap_closed_comes_from_the_test_messages(bench: ModuleType) -> None:
    """Base right on 50 of 100 messages, full train on 90, the candidate on 78: 70% of the
    gap, with an interval around it that shrinks when the test set is four times larger."""

    def split(size: int) -> dict[str, object]:
        def right(count: int) -> str:
            return ("1" * count + "0" * (100 - count)) * (size // 100)

        return {
            "correct": {"base": right(50), "after_review_queue": right(78), "full_train": right(90)}
        }

    low, high = bench.gap_interval([split(100)], "after_review_queue", resamples=500)
    assert low < 0.7 < high
    wide_low, wide_high = low, high
    low, high = bench.gap_interval([split(400)], "after_review_queue", resamples=500)
    assert low < 0.7 < high
    assert high - low < (wide_high - wide_low) * 0.75
