"""The dataset audit behind `baton data audit`: every check on one labelled intent dataset,
gathered into one JSON-ready report that `baton data clean` can also apply.

Texts in the report are always redacted (`privacy.redaction.redact_text`): a training file
can hold customers' emails or card numbers, and the report is meant to be passed around.
Examples are referred to by `row` (1-based position among the file's examples, the order
`load_dataset` reads them) and `line` (where the example starts in the file, when known).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from batondesk.nlu.dataset import Dataset
from batondesk.privacy.redaction import redact_text
from batondesk.training import dataset_checks as checks
from batondesk.training.label_noise import (
    DEFAULT_FOLDS,
    MISLABEL_FILTER,
    confusable_intents,
    find_likely_mislabels,
    out_of_fold_probabilities,
)

REPORT_FORMAT = "baton-dataset-audit/1"
# Lists longer than this are cut in the report (the counts stay exact); the cleaning plan
# (duplicates, conflicts, mislabels) is never cut.
MAX_LISTED = 500

Progress = Callable[[str, float], None]


def audit_dataset(
    dataset: Dataset,
    *,
    folds: int = DEFAULT_FOLDS,
    model: str = "tfidf",
    seed: int = 0,
    near_duplicate_similarity: float = checks.NEAR_DUPLICATE_SIMILARITY,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Audit `dataset` (at least two intents). `folds`, `model` and `seed` choose the
    out-of-fold predictions; `progress` is called with a step and the fraction done."""
    report = progress or (lambda step, fraction: None)
    started = time.perf_counter()
    texts, labels = dataset.texts, dataset.labels

    def ref(index: int) -> dict[str, Any]:
        return {
            "row": index + 1,
            "line": dataset.line_of(index),
            "intent": labels[index],
            "text": redact_text(texts[index]),
        }

    report("duplicates", 0.0)
    groups = checks.duplicate_groups(texts, labels)
    exact = [g for g in groups if not g.conflicting]
    conflicts = [g for g in groups if g.conflicting]
    near = checks.near_duplicates(texts, near_duplicate_similarity)
    near_across = [pair for pair in near if labels[pair.a] != labels[pair.b]]
    # Across intents first: those are the ones that teach the model two answers.
    near_listed = sorted(near, key=lambda pair: labels[pair.a] == labels[pair.b])[:MAX_LISTED]

    report("counts, lengths, personal data, languages", 0.05)
    balance = checks.intent_balance(labels)
    lengths = checks.length_outliers(texts)
    personal = checks.personal_data(texts)
    languages = checks.language_mix(texts)

    def model_progress(step: str, fraction: float) -> None:
        report(f"out-of-fold predictions: {step}", 0.1 + 0.85 * fraction)

    predictions = out_of_fold_probabilities(
        texts, labels, folds=folds, model=model, seed=seed, progress=model_progress
    )
    issues = find_likely_mislabels(labels, predictions)
    pairs = confusable_intents(labels, predictions)
    held_out_accuracy = sum(
        p == label for p, label in zip(predictions.predicted(), labels, strict=True)
    ) / len(labels)
    report("done", 1.0)

    personal_types: dict[str, int] = {}
    for hit in personal:
        for kind in hit.types:
            personal_types[kind] = personal_types.get(kind, 0) + 1
    return {
        "format": REPORT_FORMAT,
        "file": dataset.source,
        "fingerprint": dataset.fingerprint(),
        "settings": {
            "folds": predictions.folds,
            "model": model,
            "seed": seed,
            "near_duplicate_similarity": near_duplicate_similarity,
            "mislabel_method": "cleanlab.filter.find_label_issues "
            f"(filter_by={MISLABEL_FILTER}, ranked by self_confidence)",
        },
        "summary": {
            "examples": len(texts),
            "intents": len(balance.counts),
            "exact_duplicate_rows": sum(len(g.indices) - 1 for g in exact),
            "conflicting_texts": len(conflicts),
            "conflicting_rows": sum(len(g.indices) for g in conflicts),
            "near_duplicate_pairs": len(near),
            "near_duplicate_pairs_across_intents": len(near_across),
            "likely_mislabels": len(issues),
            "under_represented_intents": len(balance.under_represented),
            "length_outliers": len(lengths.outliers),
            "rows_with_personal_data": len(personal),
            "other_language_rows": len(languages.other_language_rows),
            "confusable_intent_pairs": len(pairs),
            "held_out_accuracy": round(held_out_accuracy, 4),
            "seconds": round(time.perf_counter() - started, 1),
        },
        "exact_duplicates": [
            {"intent": g.labels[0], "rows": [ref(i) for i in g.indices]} for g in exact
        ],
        "conflicting_labels": [{"rows": [ref(i) for i in g.indices]} for g in conflicts],
        "near_duplicates": [
            {"similarity": pair.similarity, "a": ref(pair.a), "b": ref(pair.b)}
            for pair in near_listed
        ],
        "likely_mislabels": [
            {
                **ref(issue.index),
                "suggested_intent": issue.suggested,
                "suggested_probability": issue.suggested_probability,
                "label_quality": issue.quality,
            }
            for issue in issues
        ],
        "intents": {
            "counts": balance.counts,
            "median": balance.median,
            "imbalance_ratio": balance.imbalance_ratio,
            "under_represented": balance.under_represented,
        },
        "lengths": {
            "median_characters": lengths.median_characters,
            "short_below_characters": lengths.short_below,
            "long_above_characters": lengths.long_above,
            "outliers": [
                {**ref(o.index), "characters": o.characters, "kind": o.kind}
                for o in lengths.outliers[:MAX_LISTED]
            ],
        },
        "personal_data": {
            "rows": len(personal),
            "by_type": personal_types,
            "examples": [{**ref(hit.index), "types": hit.types} for hit in personal[:MAX_LISTED]],
        },
        "languages": {
            "counts": languages.counts,
            "main": languages.main_language,
            "other_language_rows": [
                {**ref(index), "language": language}
                for index, language in languages.other_language_rows[:MAX_LISTED]
            ],
        },
        "confusable_intents": [
            {
                "a": pair.a,
                "b": pair.b,
                "a_predicted_as_b": pair.a_as_b,
                "b_predicted_as_a": pair.b_as_a,
                "confusion_rate": pair.confusion_rate,
            }
            for pair in pairs
        ],
    }
