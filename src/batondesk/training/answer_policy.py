"""Fitting the answer policy (`engine.answer_policy`) from evidence the bot would have seen.

Training examples are (message, candidate article) pairs labelled by whether the article
answers the message, with the features `engine.candidates.weigh_evidence` computes in the
live turn. Two sources:
- a labelled intent dataset (BANKING77 train for the demo), predicted OUT OF FOLD: each
  message is predicted by a model that never saw it, as a customer's message would be;
- written question sets (JSON Lines with "question", "article" or null, optional "also"),
  predicted by the deployed model, which never saw them either.
Messages are split (stratified by source) into a fitting part and a calibration part; the
calibration part's best-candidate scores and outcomes are stored with the policy, for risk
control to certify an operating point for any wrong-answer limit. Nothing from a test split
is ever used.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, train_test_split

from batondesk.engine.answer_policy import (
    LANGUAGE_GROUPS,
    AnswerPolicy,
    Coefficients,
    PolicyModel,
    language_group,
)
from batondesk.engine.candidates import (
    INTENT_FEATURES,
    RETRIEVAL_FEATURES,
    IntentEvidence,
    retrieve,
    weigh_evidence,
)
from batondesk.engine.turn import NOT_OFFERED_TAG
from batondesk.knowledge.retrieval import HybridIndex, IndexedArticle
from batondesk.nlu.dataset import Dataset
from batondesk.nlu.language import detect_language

Progress = Callable[[str, float], None]
# The policy has 15 coefficients, which a third of the messages fit well; the rest certify the
# operating point, and the more they are, the closer the certified limit is to the true one.
CALIBRATION_SHARE = 0.7
# Written questions are fewer but more varied than the dataset's (typos, other languages,
# unanswerable ones): each counts this many times in the fit.
QUESTION_WEIGHT = 4.0
# A language group gets coefficients of its own when its fitting part has at least this many
# right and this many wrong candidates (15 coefficients want some hundreds of each); otherwise
# its messages are scored by the pooled ones.
MIN_GROUP_OUTCOMES = 200


@dataclass(frozen=True)
class Prediction:
    """What the intent model said about one message (None of it without a model)."""

    top: list[tuple[str, float]]
    in_scope_margin: float


@dataclass(frozen=True)
class Message:
    text: str
    accepted: frozenset[str]  # slugs of the articles that answer it (empty: none does)
    source: str
    prediction: Prediction | None


@dataclass(frozen=True)
class Evidence:
    message: int  # index into the messages
    source: str
    with_intents: dict[str, float]
    # None when only the intent model named the candidate: an account without one never sees it.
    retrieval_only: dict[str, float] | None
    correct: bool
    group: str  # the message's language group, which certifies its threshold


def out_of_fold_predictions(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    folds: int = 5,
    profile: str = "fast",
    seed: int = 0,
    progress: Progress | None = None,
) -> list[Prediction]:
    """Each message predicted by a model trained on the other folds."""
    from batondesk.nlu import IntentClassifier

    predictions: list[Prediction | None] = [None] * len(texts)
    splitter = StratifiedKFold(folds, shuffle=True, random_state=seed)
    label_array = np.asarray(labels)
    encoding_memory: dict[str, np.ndarray] = {}  # every fold encodes the same texts
    for fold, (fit, held) in enumerate(splitter.split(np.zeros(len(texts)), label_array)):
        if progress is not None:
            progress(f"fold {fold + 1} of {folds}", fold / folds)
        model = IntentClassifier(profile=profile, random_state=seed).fit(
            [texts[i] for i in fit], label_array[fit].tolist(), encoding_memory=encoding_memory
        )
        for row, prediction in zip(
            held, model.predict_batch([texts[i] for i in held]), strict=True
        ):
            predictions[row] = Prediction(
                [(str(a), float(p)) for a, p in prediction.top], float(prediction.in_scope_margin)
            )
    return [p for p in predictions if p is not None]


def cached_out_of_fold_predictions(
    cache_dir: Path,
    dataset: Dataset,
    *,
    folds: int = 5,
    profile: str = "fast",
    progress: Progress | None = None,
) -> list[Prediction]:
    """`out_of_fold_predictions` of `dataset`, kept in `cache_dir` under its fingerprint: a
    refit with other question sets or settings reuses them (they take minutes)."""
    key = hashlib.sha256(f"{dataset.fingerprint()}|{folds}|{profile}".encode()).hexdigest()[:16]
    cache = cache_dir / f"out-of-fold-{key}.json"
    if cache.is_file():
        rows = json.loads(cache.read_text(encoding="utf-8"))
        return [Prediction([(a, p) for a, p in r["top"]], r["margin"]) for r in rows]
    predictions = out_of_fold_predictions(
        dataset.texts, dataset.labels, folds=folds, profile=profile, progress=progress
    )
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(
        json.dumps([{"top": p.top, "margin": p.in_scope_margin} for p in predictions]),
        encoding="utf-8",
    )
    return predictions


def dataset_messages(
    texts: Sequence[str],
    labels: Sequence[str],
    predictions: Sequence[Prediction],
    articles: Sequence[IndexedArticle],
    source: str,
) -> list[Message]:
    """Dataset messages; an article answers a message when it serves the message's intent."""
    by_intent: dict[str, set[str]] = {}
    for article in articles:
        for intent in article.intents:
            by_intent.setdefault(intent, set()).add(article.slug)
    return [
        Message(text, frozenset(by_intent.get(label, set())), source, prediction)
        for text, label, prediction in zip(texts, labels, predictions, strict=True)
    ]


def question_messages(
    path: Path, classifier: Any | None, source: str, articles: Sequence[IndexedArticle] = ()
) -> list[Message]:
    """A written question set, predicted by `classifier` (None: retrieval only)."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return written_messages(rows, classifier, source, articles)


def written_messages(
    rows: Sequence[dict[str, Any]],
    classifier: Any | None,
    source: str,
    articles: Sequence[IndexedArticle] = (),
) -> list[Message]:
    """Written questions ("question", "article" or null, optional "also" and "kind"). A
    question no article answers (a product the account does not offer, a support question the
    knowledge base does not cover, small talk) is handled rightly by declining with an article
    tagged not-offered: the reply says what the account does not do and offers a person, an
    abstention as the benchmarks count it, not an answer."""
    texts = [str(row["question"]) for row in rows]
    predictions: list[Prediction | None] = [None] * len(texts)
    if classifier is not None:
        predictions = [
            Prediction([(str(a), float(p)) for a, p in pr.top], float(pr.in_scope_margin))
            for pr in classifier.predict_batch(texts)
        ]
    declines = frozenset(a.slug for a in articles if NOT_OFFERED_TAG in a.tags)
    return [
        Message(
            text,
            frozenset([row["article"], *row.get("also", [])]) if row.get("article") else declines,
            source,
            prediction,
        )
        for text, row, prediction in zip(texts, rows, predictions, strict=True)
    ]


def gather_evidence(
    messages: Sequence[Message], index: HybridIndex, progress: Progress | None = None
) -> list[Evidence]:
    """Every candidate of every message, with both variants' features and its label."""
    evidence: list[Evidence] = []
    for number, message in enumerate(messages):
        language = detect_language(message.text).language
        hits = retrieve(index, message.text, language)
        intents = (
            IntentEvidence(message.prediction.top, message.prediction.in_scope_margin)
            if message.prediction is not None
            else None
        )
        candidates, with_intents = weigh_evidence(
            message.text, language, intents, hits, index.articles
        )
        _plain, retrieval_only = weigh_evidence(message.text, language, None, hits, index.articles)
        plain_rows = {c.article.id: row for c, row in zip(_plain, retrieval_only, strict=True)}
        for candidate, row in zip(candidates, with_intents, strict=True):
            # Citing a not-offered article (the turn then declines with it) is right only for
            # a message no article answers.
            correct = candidate.slug in message.accepted
            evidence.append(
                Evidence(
                    number,
                    message.source,
                    row,
                    plain_rows.get(candidate.article.id),
                    correct,
                    language_group(language),
                )
            )
        if progress is not None and number % 200 == 0:
            progress("gathering evidence", number / max(1, len(messages)))
    return evidence


def fit_policy(
    messages: Sequence[Message],
    evidence: Sequence[Evidence],
    *,
    calibration_share: float = CALIBRATION_SHARE,
    seed: int = 0,
    metadata: dict[str, Any] | None = None,
) -> AnswerPolicy:
    """Both variants, fitted on one part of the messages and calibrated on the other."""
    sources = [m.source for m in messages]
    fit_messages, calibration_messages = train_test_split(
        np.arange(len(messages)), test_size=calibration_share, stratify=sources, random_state=seed
    )
    fit_set = set(fit_messages.tolist())
    variants = {}
    for name, features in (
        ("with_intents", INTENT_FEATURES + RETRIEVAL_FEATURES),
        ("retrieval_only", RETRIEVAL_FEATURES),
    ):
        variants[name] = _fit_variant(evidence, fit_set, features, name)
    summary = {
        "fitting_messages": len(fit_set),
        "calibration_messages": len(messages) - len(fit_set),
        "sources": {s: sources.count(s) for s in sorted(set(sources))},
        **(metadata or {}),
    }
    return AnswerPolicy(variants["with_intents"], variants["retrieval_only"], summary)


def _fit_variant(
    evidence: Sequence[Evidence], fit_set: set[int], features: Sequence[str], variant: str
) -> PolicyModel:
    def matrix(rows: Sequence[Evidence]) -> np.ndarray:
        return np.asarray(
            [[getattr(e, variant)[name] for name in features] for e in rows], dtype=np.float64
        )

    evidence = [e for e in evidence if getattr(e, variant) is not None]
    fitting = [e for e in evidence if e.message in fit_set]
    pooled = _fit_logistic(matrix(fitting), fitting)
    by_group = {}
    for group in LANGUAGE_GROUPS:
        members = [e for e in fitting if e.group == group]
        right = sum(e.correct for e in members)
        if min(right, len(members) - right) >= MIN_GROUP_OUTCOMES:
            by_group[group] = _fit_logistic(matrix(members), members)
    policy = PolicyModel(
        features, pooled.mean, pooled.scale, pooled.coef, pooled.intercept, [], [], (), by_group
    )
    # Calibration: per held-out message, the best-scored candidate and whether it was right.
    held = [e for e in evidence if e.message not in fit_set]
    scores = best_candidates(
        held, [float(policy.score([getattr(e, variant)], e.group)[0]) for e in held]
    )
    ordered = sorted(scores)
    return PolicyModel(
        features,
        pooled.mean,
        pooled.scale,
        pooled.coef,
        pooled.intercept,
        [scores[m][0] for m in ordered],
        [scores[m][1] for m in ordered],
        [scores[m][2] for m in ordered],
        by_group,
    )


def best_candidates(
    evidence: Sequence[Evidence], scores: Sequence[float]
) -> dict[int, tuple[float, bool, str]]:
    """Per message, its best-scored candidate: (score, right, language group). The turn
    answers with that one or not at all, so it alone decides the message's outcome."""
    best: dict[int, tuple[float, bool, str]] = {}
    for row, score in zip(evidence, scores, strict=True):
        if row.message not in best or score > best[row.message][0]:
            best[row.message] = (float(score), row.correct, row.group)
    return best


def _fit_logistic(x: np.ndarray, rows: Sequence[Evidence]) -> Coefficients:
    y = np.asarray([e.correct for e in rows])
    weights = np.asarray([QUESTION_WEIGHT if e.source != "dataset" else 1.0 for e in rows])
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    model = LogisticRegression(C=1.0, max_iter=2000).fit(
        (x - mean) / scale, y, sample_weight=weights
    )
    return Coefficients.of(mean, scale, model.coef_[0], float(model.intercept_[0]))


def coverage_table(
    policy: PolicyModel, limits: Sequence[float], group: str | None = None
) -> list[dict[str, float]]:
    """The coverage/risk curve on the calibration split (of language group `group`, or all of
    it): for each wrong-answer limit, the certified threshold, the share of messages answered
    and the wrong share of those."""
    return [
        {
            "max_wrong_rate": point.max_wrong_rate,
            "threshold": round(point.threshold, 4),
            "answered": round(point.coverage, 4),
            "wrong": point.wrong_rate,
        }
        for point in policy.curve(limits, group)
    ]


def expected_calibration_error(policy: PolicyModel, bins: int = 10) -> float:
    """How far the scores are from the observed accuracy, on the calibration split."""
    scores, correct = policy.calibration_scores, policy.calibration_correct
    if not len(scores):
        return math.nan
    edges = np.linspace(0, 1, bins + 1)
    error = 0.0
    for low, high in zip(edges[:-1], edges[1:], strict=True):
        inside = (scores >= low) & (scores < high if high < 1 else scores <= high)
        if inside.any():
            error += inside.mean() * abs(scores[inside].mean() - correct[inside].mean())
    return round(float(error), 4)
