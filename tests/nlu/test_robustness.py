from __future__ import annotations

from batondesk.nlu import IntentClassifier
from batondesk.nlu.evaluation import evaluate, robustness
from batondesk.nlu.perturbation import PERTURBATIONS, perturb

TEXTS = [
    "Why haven't I received my card yet? I want to know please.",
    "Can you help me change my password?",
]


def test_perturbations_change_text_deterministically() -> None:
    for kind in PERTURBATIONS:
        once, again = perturb(TEXTS, kind, seed=3), perturb(TEXTS, kind, seed=3)
        assert once == again
        assert once != TEXTS, kind
    variants = perturb(["can you help"] * 5, "texting")
    assert any("u" in variant.split() for variant in variants)


def test_evaluate_reports_oos_metrics_and_confusions(tfidf_model: IntentClassifier) -> None:
    texts = [
        "my card did not come",
        "refund me",
        "new password please",
        "dollar rate",
        "tell me a joke",
        "what's the weather tomorrow",
    ]
    labels = ["card_arrival", "refund", "password", "exchange_rate", "oos", "oos"]
    report = evaluate(tfidf_model, texts, labels, latency_calls=5)
    assert 0.0 <= report["accuracy"] <= 1.0
    assert {"oos_recall", "oos_precision", "in_scope_accuracy", "macro_f1"} <= set(report)
    assert report["latency"]["p50_ms"] > 0
    assert set(report["per_intent"]) == {"card_arrival", "refund", "password", "exchange_rate"}


def test_robustness_report(tfidf_model: IntentClassifier) -> None:
    texts = [
        "where is my card",
        "i want a refund",
        "reset my password",
        "what is the exchange rate",
    ]
    labels = ["card_arrival", "refund", "password", "exchange_rate"]
    report = robustness(tfidf_model, texts, labels)
    assert report["clean_accuracy"] == 1.0
    assert set(report["variants"]) == set(PERTURBATIONS)
    assert report["worst_gap_points"] >= 0.0
