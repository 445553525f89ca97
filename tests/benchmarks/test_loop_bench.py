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
