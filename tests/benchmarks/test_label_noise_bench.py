"""The label-noise benchmark's flipping: a fixed share, always to another intent, reproducible."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

BENCHMARKS = Path(__file__).parents[2] / "benchmarks"


@pytest.fixture(scope="module")
def bench() -> Iterator[ModuleType]:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import label_noise_bench  # type: ignore[import-not-found]

        yield label_noise_bench
    finally:
        sys.path.remove(str(BENCHMARKS))


def test_flips_five_percent_to_other_intents_the_same_way_every_time(bench: ModuleType) -> None:
    labels = [f"intent_{i % 7}" for i in range(1000)]
    noisy, flipped = bench.flip_labels(labels, 0.05, seed=0)
    assert len(flipped) == 50 and flipped == sorted(set(flipped))
    assert [i for i in range(1000) if noisy[i] != labels[i]] == flipped
    assert set(noisy) == set(labels)
    assert bench.flip_labels(labels, 0.05, seed=0) == (noisy, flipped)
    assert bench.flip_labels(labels, 0.05, seed=1)[1] != flipped


def test_suggestion_quality_counts_flipped_rows_found(bench: ModuleType) -> None:
    quality = bench.suggestion_quality([1, 2, 3, 4], {2, 3, 9, 10, 11})
    assert quality == {"suggestions": 4, "flipped_found": 2, "recall": 0.4, "precision": 0.5}
