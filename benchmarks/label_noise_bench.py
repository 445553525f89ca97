"""Label-noise benchmark: does `baton data audit` find wrong labels, and does `baton data clean`
win back the accuracy they cost? `make bench-label-noise`.

1. Flip 5% of BANKING77 train labels (a fixed seed; each flipped row gets another intent,
   uniformly at random).
2. Run `baton data audit` on the noisy file: recall of the flipped rows among its likely
   mislabels and the precision of those suggestions (also at the top N, N = rows flipped).
3. Run `baton data clean` with that audit, once per `--mislabels` policy (drop, relabel), then
   train the same model on clean, noisy and each cleaned train and measure top-1 accuracy on
   BANKING77 test: the share of the accuracy lost to the noise that cleaning recovers.

Writes benchmarks/results/label_noise_banking77.json and the bench-label-noise section of
docs/benchmarks.md. Working files go to var/bench-label-noise/.

    python benchmarks/label_noise_bench.py [--audit-model tfidf|fast] [--train-model tfidf|fast]
    python benchmarks/label_noise_bench.py report
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

# benchmarks/ is on sys.path when run as a script
from doc_section import pct, read_notes, status, write_section
from machine import describe_machine
from public_datasets import read_banking77

from batondesk.nlu import IntentClassifier
from batondesk.nlu.dataset import Dataset, load_dataset, save_dataset
from batondesk.training.dataset_cleaning import DEFAULT_MISLABEL_ACTION

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
RESULT = RESULTS / "label_noise_banking77.json"
DOC = ROOT / "docs" / "benchmarks.md"
WORK = ROOT / "var" / "bench-label-noise"
START, END = "<!-- bench-label-noise:start -->", "<!-- bench-label-noise:end -->"
NOTES = Path(__file__).with_name("label_noise_notes.md")
NOISE_RATE = 0.05
NOISE_SEED = 0
TARGET_RECALL = 0.80
TARGET_PRECISION = 0.80
TARGET_RECOVERY = 0.90
CLEANING_POLICIES = ("drop", "relabel")


def flip_labels(labels: list[str], rate: float, seed: int) -> tuple[list[str], list[int]]:
    """`labels` with round(rate x n) of them, chosen at random, changed to another intent
    (uniformly among the others); and the flipped positions, sorted."""
    rng = random.Random(seed)
    intents = sorted(set(labels))
    flipped = sorted(rng.sample(range(len(labels)), round(rate * len(labels))))
    noisy = list(labels)
    for row in flipped:
        noisy[row] = rng.choice([intent for intent in intents if intent != labels[row]])
    return noisy, flipped


def baton(*args: str) -> float:
    """Run `baton ARGS` in a child process, as a user would; returns wall seconds."""
    command = [sys.executable, "-c", "from batondesk.cli import main; main()", *args]
    started = time.perf_counter()
    subprocess.run(command, check=True, env={**os.environ, "HF_HUB_OFFLINE": "1"})  # noqa: S603
    return round(time.perf_counter() - started, 1)


def accuracy(
    model_name: str, train: Dataset, test_texts: list[str], test_labels: list[str]
) -> dict[str, Any]:
    started = time.perf_counter()
    model = IntentClassifier(
        profile="fast", use_encoder="auto" if model_name == "fast" else False
    ).fit(train.texts, train.labels)
    seconds = time.perf_counter() - started
    proba = model.predict_proba(test_texts)
    predicted = model.classes_[proba.argmax(axis=1)]
    correct = sum(p == t for p, t in zip(predicted, test_labels, strict=True))
    return {
        "accuracy": round(correct / len(test_labels), 4),
        "train_examples": len(train),
        "train_seconds": round(seconds, 1),
    }


def suggestion_quality(flagged_rows: list[int], flipped: set[int]) -> dict[str, Any]:
    found = sum(row in flipped for row in flagged_rows)
    return {
        "suggestions": len(flagged_rows),
        "flipped_found": found,
        "recall": round(found / len(flipped), 4),
        "precision": round(found / len(flagged_rows), 4) if flagged_rows else 0.0,
    }


def clean_and_retrain(
    policy: str,
    noisy_file: Path,
    audit_file: Path,
    train_model: str,
    test: tuple[list[str], list[str]],
    flipped: set[int],
) -> dict[str, Any]:
    """`baton data clean --mislabels POLICY` with the audit, and the model retrained on it."""
    cleaned_file = WORK / f"train_cleaned_{policy}.csv"
    seconds = baton(
        "data", "clean", str(noisy_file), "--out", str(cleaned_file), "--audit", str(audit_file),
        "--mislabels", policy,
    )  # fmt: skip
    with cleaned_file.with_name(f"{cleaned_file.stem}.changes.csv").open(encoding="utf-8") as log:
        changes = list(csv.DictReader(log))
    actions = [change["action"] for change in changes]
    touched_flipped = sum(int(change["row"]) - 1 in flipped for change in changes)
    print(f"training {train_model} on the output of clean --mislabels {policy}")
    return {
        "mislabels": policy,
        "seconds": seconds,
        "changes": len(changes),
        "relabelled": actions.count("relabelled"),
        "dropped": actions.count("dropped"),
        "flipped_rows_changed": touched_flipped,
        "test": accuracy(train_model, load_dataset(cleaned_file), *test),
    }


def run(audit_model: str, train_model: str, folds: int) -> dict[str, Any]:
    WORK.mkdir(parents=True, exist_ok=True)
    machine = describe_machine()
    texts, labels = read_banking77("train")
    test = read_banking77("test")
    noisy_labels, flipped_rows = flip_labels(labels, NOISE_RATE, NOISE_SEED)
    noisy_file = save_dataset(Dataset(texts, noisy_labels), WORK / "train_noisy.csv")
    flipped = set(flipped_rows)
    print(f"flipped {len(flipped)} of {len(labels)} labels (seed {NOISE_SEED})")

    cpu_before = os.times()
    audit_seconds = baton(
        "data", "audit", str(noisy_file), "--out", str(WORK), "--model", audit_model,
        "--folds", str(folds),
    )  # fmt: skip
    cpu_after = os.times()
    audit_cpu = round(
        (cpu_after.children_user + cpu_after.children_system)
        - (cpu_before.children_user + cpu_before.children_system),
        1,
    )
    audit_file = WORK / "train_noisy-audit.json"
    report = json.loads(audit_file.read_text(encoding="utf-8"))
    flagged = [issue["row"] - 1 for issue in report["likely_mislabels"]]

    print(f"training {train_model} on clean and on noisy train")
    clean_result = accuracy(train_model, Dataset(texts, labels), *test)
    noisy_result = accuracy(train_model, Dataset(texts, noisy_labels), *test)
    lost = clean_result["accuracy"] - noisy_result["accuracy"]
    cleaned = []
    for policy in CLEANING_POLICIES:
        outcome = clean_and_retrain(policy, noisy_file, audit_file, train_model, test, flipped)
        recovered = outcome["test"]["accuracy"] - noisy_result["accuracy"]
        outcome["recovered_share"] = round(recovered / lost, 4) if lost > 0 else None
        cleaned.append(outcome)
    return {
        "benchmark": "label_noise_banking77",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine,
        "noise": {"rate": NOISE_RATE, "seed": NOISE_SEED, "flipped": len(flipped)},
        "audit": {
            "model": audit_model,
            "folds": folds,
            "seconds": audit_seconds,
            "cpu_seconds": audit_cpu,
            "held_out_accuracy": report["summary"]["held_out_accuracy"],
            "mislabel_method": report["settings"]["mislabel_method"],
            "all_suggestions": suggestion_quality(flagged, flipped),
            "top_n_suggestions": suggestion_quality(flagged[: len(flipped)], flipped),
            "summary": report["summary"],
        },
        "test_accuracy": {
            "model": train_model,
            "test_examples": len(test[1]),
            "clean_train": clean_result,
            "noisy_train": noisy_result,
            "accuracy_lost_to_noise": round(lost, 4),
        },
        "cleaned": cleaned,
        "targets": {
            "recall": TARGET_RECALL,
            "precision": TARGET_PRECISION,
            "recovered_share": TARGET_RECOVERY,
        },
    }


def report_lines(result: dict[str, Any]) -> list[str]:
    audit, accuracy_ = result["audit"], result["test_accuracy"]
    every, top = audit["all_suggestions"], audit["top_n_suggestions"]
    machine = result["machine"]
    lines = [
        "## bench-label-noise: finding wrong labels and winning back their cost",
        "",
        f"`make bench-label-noise` flips {pct(result['noise']['rate'])} of BANKING77 train "
        f"labels ({result['noise']['flipped']} rows, seed {result['noise']['seed']}, each to "
        "another intent at random) and runs `baton data audit` on the noisy file: "
        f"{audit['folds']}-fold out-of-fold predictions of the `{audit['model']}` model, then "
        f"{audit['mislabel_method']}. It then runs `baton data clean` with that audit under "
        "each `--mislabels` policy and trains the "
        f"`{accuracy_['model']}` model on clean, noisy and cleaned train "
        f"(top-1 accuracy on the {accuracy_['test_examples']} BANKING77 test messages).",
        "",
        "| figure | measured | target | status |",
        "|---|---|---|---|",
        f"| recall: flipped rows among the audit's {every['suggestions']} likely mislabels "
        f"| {pct(every['recall'])} | {pct(TARGET_RECALL)} "
        f"| {status(every['recall'], TARGET_RECALL)} |",
        f"| precision of those suggestions | {pct(every['precision'])} "
        f"| {pct(TARGET_PRECISION)} | {status(every['precision'], TARGET_PRECISION)} |",
        f"| recall / precision among the top {top['suggestions']} (as many as flipped) "
        f"| {pct(top['recall'])} / {pct(top['precision'])} | | |",
        f"| test accuracy, clean train | {pct(accuracy_['clean_train']['accuracy'])} | | |",
        f"| test accuracy, noisy train | {pct(accuracy_['noisy_train']['accuracy'])} | | |",
    ]
    for outcome in sorted(
        result["cleaned"], key=lambda o: o["mislabels"] != DEFAULT_MISLABEL_ACTION
    ):
        share = outcome["recovered_share"]
        policy = outcome["mislabels"]
        default = "the default; " if policy == DEFAULT_MISLABEL_ACTION else ""
        lines += [
            f"| test accuracy, cleaned with `--mislabels {policy}` "
            f"({default}{outcome['test']['train_examples']} examples: "
            f"{outcome['relabelled']} relabelled, {outcome['dropped']} dropped) "
            f"| {pct(outcome['test']['accuracy'])} | | |",
            f"| share of the accuracy lost to noise recovered by `{policy}` "
            f"| {'n/a' if share is None else pct(share)} | {pct(TARGET_RECOVERY)} "
            f"| {'n/a' if share is None else status(share, TARGET_RECOVERY)} |",
        ]
    lines += [
        "",
        f"The audit took {audit['seconds']:.0f} s ({audit['cpu_seconds']:.0f} s CPU; held-out "
        f"accuracy of its model on the noisy labels {pct(audit['held_out_accuracy'])}). "
        f"Measured {result['date'][:10]} on {machine['cpu_model']}, {machine['cores']} cores "
        f"(load {machine['load_average_at_start']:.1f} at start, shared); "
        "figures: `benchmarks/results/label_noise_banking77.json`.",
    ]
    notes = read_notes(NOTES)
    if notes:
        lines += ["", "Notes:", "", *[f"- {note}" for note in notes]]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", nargs="?", default="run", choices=("run", "report"))
    parser.add_argument("--audit-model", default="tfidf", choices=("tfidf", "fast"))
    parser.add_argument("--train-model", default="tfidf", choices=("tfidf", "fast"))
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    if args.command == "run":
        result = run(args.audit_model, args.train_model, args.folds)
        RESULTS.mkdir(parents=True, exist_ok=True)
        RESULT.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {RESULT}")
    result = json.loads(RESULT.read_text(encoding="utf-8"))
    print("\n".join(report_lines(result)))
    write_section(DOC, START, END, report_lines(result))


if __name__ == "__main__":
    main()
