"""Evaluation of an intent classifier: accuracy, macro-F1, out-of-scope recall and precision,
per-intent report, most-confused pairs, latency and throughput, robustness gaps.

Accuracy conventions: on data with `oos` labels, a prediction is correct when the decision
is right (the intent, or "out of scope" for an `oos` message). On data without `oos` labels
(closed-set benchmarks such as BANKING77) accuracy is top-1 over intents, as published
results report it, and the share the threshold would have rejected is reported beside it.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.metrics import f1_score, precision_recall_fscore_support, roc_auc_score

from batondesk.nlu.classifier import IntentClassifier
from batondesk.nlu.dataset import OUT_OF_SCOPE_LABEL
from batondesk.nlu.perturbation import PERTURBATIONS, perturb


def latency_profile(
    model: IntentClassifier, texts: Sequence[str], calls: int = 300, warmup: int = 20
) -> dict[str, float]:
    """Single-message latency in milliseconds (batch size 1, after warm-up), p50 / p99 / mean."""
    sample = [texts[i % len(texts)] for i in range(calls + warmup)]
    for text in sample[:warmup]:
        model.predict(text)
    timings, cpu = [], []
    for text in sample[warmup:]:
        start, start_cpu = time.perf_counter(), time.process_time()
        model.predict(text)
        timings.append((time.perf_counter() - start) * 1000.0)
        cpu.append((time.process_time() - start_cpu) * 1000.0)
    # CPU time per call beside wall time: on a shared machine wall time also counts the
    # time the process waited for a core; CPU time shows what the model itself costs.
    return {
        "p50_ms": round(float(np.percentile(timings, 50)), 3),
        "p99_ms": round(float(np.percentile(timings, 99)), 3),
        "mean_ms": round(float(np.mean(timings)), 3),
        "cpu_p50_ms": round(float(np.percentile(cpu, 50)), 3),
        "cpu_p99_ms": round(float(np.percentile(cpu, 99)), 3),
        "calls": calls,
    }


def throughput(model: IntentClassifier, texts: Sequence[str], batch_size: int = 64) -> float:
    """Messages per second through predict_batch in batches of `batch_size`."""
    start = time.perf_counter()
    for offset in range(0, len(texts), batch_size):
        model.predict_batch(texts[offset : offset + batch_size])
    return round(len(texts) / (time.perf_counter() - start), 1)


def confused_pairs(
    truth: Sequence[str], predicted: Sequence[str], top: int = 10
) -> list[dict[str, Any]]:
    pairs = Counter((t, p) for t, p in zip(truth, predicted, strict=True) if t != p)
    return [{"true": t, "predicted": p, "count": n} for (t, p), n in pairs.most_common(top)]


def evaluate(
    model: IntentClassifier, texts: Sequence[str], labels: Sequence[str], latency_calls: int = 300
) -> dict[str, Any]:
    """Metrics of `model` on labelled data; `latency_calls=0` skips latency measurement."""
    texts, truth = list(texts), [str(x) for x in labels]
    start = time.perf_counter()
    predictions = model.predict_batch(texts)
    elapsed = time.perf_counter() - start
    best = [p.best_intent or OUT_OF_SCOPE_LABEL for p in predictions]
    decided = [OUT_OF_SCOPE_LABEL if p.out_of_scope else (p.intent or "") for p in predictions]
    has_oos = OUT_OF_SCOPE_LABEL in truth
    scored = decided if has_oos else best
    truth_array, scored_array = np.array(truth), np.array(scored)
    intents = sorted(set(truth) - {OUT_OF_SCOPE_LABEL})
    report: dict[str, Any] = {
        "examples": len(texts),
        "accuracy": round(float((truth_array == scored_array).mean()), 6),
        "macro_f1": round(
            float(f1_score(truth, scored, labels=intents, average="macro", zero_division=0)), 6
        ),
        "rejected_share": round(float(np.mean([p.out_of_scope for p in predictions])), 6),
        "batch_throughput_per_s": round(len(texts) / elapsed, 1) if elapsed > 0 else None,
    }
    if has_oos:
        is_oos = truth_array == OUT_OF_SCOPE_LABEL
        flagged = scored_array == OUT_OF_SCOPE_LABEL
        report["in_scope_accuracy"] = round(float((scored_array == truth_array)[~is_oos].mean()), 6)
        report["oos_recall"] = round(float(flagged[is_oos].mean()), 6)
        report["oos_precision"] = round(float(is_oos[flagged].mean()) if flagged.any() else 0.0, 6)
        scores = np.array([p.oos_score for p in predictions])
        if is_oos.any() and (~is_oos).any():
            report["oos_auroc"] = round(float(roc_auc_score(is_oos, -scores)), 6)
    precision, recall, f1, support = precision_recall_fscore_support(
        truth, scored, labels=intents, zero_division=0
    )
    report["per_intent"] = {
        name: {
            "precision": round(float(p), 4),
            "recall": round(float(r), 4),
            "f1": round(float(f), 4),
            "support": int(s),
        }
        for name, p, r, f, s in zip(intents, precision, recall, f1, support, strict=True)
    }
    report["most_confused"] = confused_pairs(truth, scored)
    if latency_calls:
        report["latency"] = latency_profile(model, texts, calls=latency_calls)
    return report


def robustness(
    model: IntentClassifier, texts: Sequence[str], labels: Sequence[str], seed: int = 0
) -> dict[str, Any]:
    """Top-1 accuracy on clean text and on each perturbation, with the gap in points.

    Only in-scope examples are used: the question is whether a known intent is still
    recognised when written differently.
    """
    pairs = [
        (t, label) for t, label in zip(texts, labels, strict=True) if label != OUT_OF_SCOPE_LABEL
    ]
    clean_texts = [t for t, _ in pairs]
    truth = np.array([label for _, label in pairs])

    def accuracy(variant: list[str]) -> float:
        best = [p.best_intent for p in model.predict_batch(variant)]
        return float((np.array(best) == truth).mean())

    clean = accuracy(clean_texts)
    result: dict[str, Any] = {
        "examples": len(pairs),
        "clean_accuracy": round(clean, 6),
        "variants": {},
    }
    for kind in PERTURBATIONS:
        value = accuracy(perturb(clean_texts, kind, seed))
        result["variants"][kind] = {
            "accuracy": round(value, 6),
            "gap_points": round(100 * (clean - value), 2),
        }
    result["worst_gap_points"] = max(v["gap_points"] for v in result["variants"].values())
    return result
