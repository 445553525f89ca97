"""NLU benchmarks: BANKING77 full and 10-shot, CLINC150 with out-of-scope. `make bench-nlu`.

Each row runs in its own process so its peak memory (ru_maxrss) and timings are its own.
Results go to benchmarks/results/nlu_<row>.json; `report` writes the bench-nlu section of
docs/benchmarks.md. Data are read from BATON_DATASETS_DIR (see benchmarks/public_datasets.py);
of them only BANKING77 train ships with Baton, for the demo. Thresholds are tuned on validation
data only, never on test.

    python benchmarks/nlu_bench.py all [--profile accurate|fast]
    python benchmarks/nlu_bench.py row banking77_full [--profile accurate]
    python benchmarks/nlu_bench.py latency banking77_full   # re-measure a kept model
    python benchmarks/nlu_bench.py report
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

# benchmarks/ is on sys.path when run as a script
from machine import describe_machine
from public_datasets import (
    BANKING77_TEST,
    BANKING77_TRAIN,
    CLINC150,
    dataset_file,
    read_banking77,
)

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
DOC = ROOT / "docs" / "benchmarks.md"
ROWS = ("banking77_full", "banking77_10shot", "clinc150_full")
FEW_SHOT_SEEDS = (0, 1, 2, 3, 4)
START, END = "<!-- bench-nlu:start -->", "<!-- bench-nlu:end -->"
# Trained benchmark models are kept here (git-ignored) so `latency` can re-measure them.
MODELS = ROOT / "var" / "bench-models"


def machine() -> dict[str, Any]:
    return describe_machine()


def peak_memory_mb() -> float:
    """Peak resident memory of this process or of any child it waited for (encoder
    fine-tuning runs in a child process), whichever is larger."""
    peaks = (
        resource.getrusage(who).ru_maxrss
        for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    return round(max(peaks) / 1024.0, 1)


def few_shot(
    texts: list[str], labels: list[str], per_class: int, seed: int
) -> tuple[list[str], list[str]]:
    by_label: dict[str, list[str]] = defaultdict(list)
    for text, label in zip(texts, labels, strict=True):
        by_label[label].append(text)
    rng = random.Random(seed)
    chosen = [
        (t, label) for label in sorted(by_label) for t in rng.sample(by_label[label], per_class)
    ]
    return [t for t, _ in chosen], [label for _, label in chosen]


class Timer:
    """Wall and CPU time of a block, child processes included (encoder fine-tuning runs in
    one): CPU well below wall x threads means a noisy machine."""

    def __enter__(self) -> Timer:
        self.wall, self.cpu = time.perf_counter(), _cpu_seconds()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = round(time.perf_counter() - self.wall, 2)
        self.cpu = round(_cpu_seconds() - self.cpu, 2)


def _cpu_seconds() -> float:
    """CPU time of this process and of the children it has waited for."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def speed(model_dir: Path, texts: list[str]) -> dict[str, Any]:
    """Latency of the saved artifact as served: loaded fresh, one ONNX Runtime thread."""
    from batondesk.nlu import IntentClassifier
    from batondesk.nlu.evaluation import latency_profile, throughput

    with Timer() as load:
        served = IntentClassifier.load(model_dir, threads=1)
    load_before = os.getloadavg()[0]
    latency = latency_profile(served, texts, calls=500, warmup=30)
    latency["load_average"] = [load_before, os.getloadavg()[0]]
    return {
        "load_seconds": load.wall,
        "latency": latency,
        "batch64_throughput_per_s": throughput(served, texts[:1024]),
    }


def run_banking77_full(profile: str) -> dict[str, Any]:
    from batondesk.nlu import IntentClassifier
    from batondesk.nlu.evaluation import evaluate, robustness

    train_texts, train_labels = read_banking77("train")
    test_texts, test_labels = read_banking77("test")
    with Timer() as training:
        model = IntentClassifier(profile=profile).fit(train_texts, train_labels)
    memory = peak_memory_mb()
    report = evaluate(model, test_texts, test_labels, latency_calls=0)
    model.save(MODELS / "banking77_full")
    served = speed(MODELS / "banking77_full", test_texts)
    return {
        "accuracy": report["accuracy"],
        "macro_f1": report["macro_f1"],
        "training_seconds": training.wall,
        "training_cpu_seconds": training.cpu,
        "peak_memory_mb": memory,
        **served,
        "encoder": model.encoder_status_,
        "finetuned": bool(getattr(model, "finetuned_", False)),
        "robustness": robustness(model, test_texts, test_labels),
        "most_confused": report["most_confused"][:5],
    }


def run_banking77_10shot(profile: str) -> dict[str, Any]:
    import numpy as np

    from batondesk.nlu import IntentClassifier
    from batondesk.nlu.evaluation import evaluate

    train_texts, train_labels = read_banking77("train")
    test_texts, test_labels = read_banking77("test")
    accuracies, seconds = [], []
    for seed in FEW_SHOT_SEEDS:
        texts, labels = few_shot(train_texts, train_labels, 10, seed)
        with Timer() as training:
            model = IntentClassifier(profile=profile, random_state=seed).fit(texts, labels)
        seconds.append(training.wall)
        accuracies.append(evaluate(model, test_texts, test_labels, latency_calls=0)["accuracy"])
    return {
        "accuracy": round(float(np.mean(accuracies)), 6),
        "accuracy_std": round(float(np.std(accuracies)), 6),
        "per_seed": dict(zip([str(s) for s in FEW_SHOT_SEEDS], accuracies, strict=True)),
        "training_seconds_mean": round(float(np.mean(seconds)), 1),
        "peak_memory_mb": peak_memory_mb(),
    }


def run_clinc150_full(profile: str) -> dict[str, Any]:
    from batondesk.nlu import IntentClassifier
    from batondesk.nlu.evaluation import evaluate

    data = json.loads(dataset_file(CLINC150).read_text(encoding="utf-8"))
    train = data["train"]
    val = data["val"] + data["oos_val"]
    test = data["test"] + data["oos_test"]
    with Timer() as training:
        model = IntentClassifier(profile=profile).fit(
            [t for t, _ in train],
            [label for _, label in train],
            val=([t for t, _ in val], [label for _, label in val]),
            oos_texts=[t for t, _ in data["oos_train"]],
        )
    memory = peak_memory_mb()
    report = evaluate(model, [t for t, _ in test], [label for _, label in test], latency_calls=0)
    model.save(MODELS / "clinc150_full")
    served = speed(MODELS / "clinc150_full", [t for t, _ in data["test"]])
    return {
        "accuracy": report["accuracy"],
        "in_scope_accuracy": report["in_scope_accuracy"],
        "oos_recall": report["oos_recall"],
        "oos_precision": report["oos_precision"],
        "oos_auroc": report.get("oos_auroc"),
        "threshold": model.threshold_,
        "training_seconds": training.wall,
        "training_cpu_seconds": training.cpu,
        "peak_memory_mb": memory,
        **served,
    }


def run_row(row: str, profile: str) -> Path:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    runner = {
        "banking77_full": run_banking77_full,
        "banking77_10shot": run_banking77_10shot,
        "clinc150_full": run_clinc150_full,
    }[row]
    with Timer() as total:
        result = runner(profile)
    result.update(
        row=row,
        profile=profile,
        wall_seconds=total.wall,
        cpu_seconds=total.cpu,
        machine=machine(),
        finished_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"nlu_{row}.json"
    path.write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(f"{row}: accuracy {result['accuracy']:.4f} -> {path.relative_to(ROOT)}", flush=True)
    return path


def remeasure_latency(row: str) -> None:
    """Measure the kept model of `row` again (e.g. when the shared machine is quieter) and
    record the new figures with the load average they were taken under."""
    path = RESULTS / f"nlu_{row}.json"
    result = json.loads(path.read_text(encoding="utf-8"))
    if row == "banking77_full":
        texts = read_banking77("test")[0]
    else:
        data = json.loads(dataset_file(CLINC150).read_text(encoding="utf-8"))
        texts = [t for t, _ in data["test"]]
    served = speed(MODELS / row, texts)
    result.update(served)
    result["latency"]["measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    path.write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(f"{row}: p50 {result['latency']['p50_ms']} ms, p99 {result['latency']['p99_ms']} ms")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("command", choices=("all", "row", "latency", "report"))
    parser.add_argument("row", nargs="?", choices=ROWS)
    parser.add_argument("--profile", default="accurate")
    args = parser.parse_args()
    if args.command == "row":
        if not args.row:
            parser.error("row needs a row name")
        run_row(args.row, args.profile)
        return
    if args.command == "latency":
        if args.row not in ("banking77_full", "clinc150_full"):
            parser.error("latency needs banking77_full or clinc150_full")
        remeasure_latency(args.row)
        return
    if args.command == "all":
        # Every file first: a run takes ~20 minutes and should not stop at its last row.
        for name in (BANKING77_TRAIN, BANKING77_TEST, CLINC150):
            dataset_file(name)
        for row in ROWS:
            subprocess.run(
                [sys.executable, __file__, "row", row, "--profile", args.profile], check=True
            )
    from nlu_report import write_report  # type: ignore[import-not-found]

    write_report(RESULTS, DOC, START, END)


if __name__ == "__main__":
    main()
