"""The NLU benchmarks name BATON_DATASETS_DIR and its layout when a dataset is missing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.mark.parametrize(
    ("arguments", "missing"),
    [
        (["all"], "banking77/train.csv"),
        (["row", "banking77_full"], "banking77/train.csv"),
        (["row", "clinc150_full"], "clinc150/data_full.json"),
    ],
)
def test_missing_dataset_names_the_variable_and_the_layout(
    tmp_path: Path, arguments: list[str], missing: str
) -> None:
    nowhere = tmp_path / "no-datasets-here"
    environment = {
        **os.environ,
        "BATON_DATASETS_DIR": str(nowhere),
        "BATON_DATA_DIR": str(tmp_path / "var"),
    }
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / "nlu_bench.py"), *arguments],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    message = result.stderr.strip().splitlines()[-1]
    assert message.startswith(f"{nowhere / missing} not found.")
    assert f"BATON_DATASETS_DIR (now {nowhere})" in message
    assert "<dir>/banking77/{train,test}.csv and <dir>/clinc150/data_full.json" in message
