"""Fitting the answer policy: each language group with enough messages weighs the evidence
with coefficients of its own, and is certified on its own calibration messages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from batondesk.engine.answer_policy import ENGLISH, OTHER_LANGUAGES
from batondesk.engine.candidates import INTENT_FEATURES, RETRIEVAL_FEATURES
from batondesk.engine.turn import NOT_OFFERED_TAG
from batondesk.knowledge.retrieval import IndexedArticle
from batondesk.nlu import Dataset
from batondesk.training import answer_policy
from batondesk.training.answer_policy import (
    Evidence,
    Message,
    Prediction,
    cached_out_of_fold_predictions,
    fit_policy,
    written_messages,
)


def _evidence(count: int, seed: int = 0) -> tuple[list[Message], list[Evidence]]:
    """One candidate per message. In English the intent witness tells right from wrong; in
    the other group it is blind (noise) and the lexical witness tells instead."""
    draw = np.random.default_rng(seed)
    messages, evidence = [], []
    for number in range(count):
        group = ENGLISH if number % 2 else OTHER_LANGUAGES
        correct = bool(draw.uniform() < 0.5)
        signal = (1.0 if correct else -1.0) + draw.normal(0, 0.5)
        row = dict.fromkeys(INTENT_FEATURES + RETRIEVAL_FEATURES, 0.0)
        row["english"] = float(group == ENGLISH)
        if group == ENGLISH:
            row["intent_logit"], row["lexical_share"] = signal, draw.normal()
        else:
            row["intent_logit"], row["lexical_share"] = draw.normal(), signal
        messages.append(Message(f"message {number}", frozenset(), "dataset", None))
        evidence.append(Evidence(number, "dataset", row, dict(row), correct, group))
    return messages, evidence


def test_each_group_with_enough_messages_gets_its_own_coefficients() -> None:
    messages, evidence = _evidence(4_000)
    policy = fit_policy(messages, evidence).with_intents
    assert set(policy.by_group) == {ENGLISH, OTHER_LANGUAGES}
    features = list(policy.features)
    other = policy.by_group[OTHER_LANGUAGES].coef
    english = policy.by_group[ENGLISH].coef
    assert other[features.index("lexical_share")] > 5 * abs(other[features.index("intent_logit")])
    assert english[features.index("intent_logit")] > 5 * abs(
        english[features.index("lexical_share")]
    )
    # Scored by its own weights, each group's calibration messages separate right from wrong
    # well enough to answer most of them within 5% wrong.
    for group in (ENGLISH, OTHER_LANGUAGES):
        assert policy.operating_point(0.05, group).coverage > 0.5, group


def test_a_group_with_few_messages_is_scored_by_the_pooled_coefficients() -> None:
    messages, evidence = _evidence(800)
    policy = fit_policy(messages, evidence).with_intents
    # 800 messages, 30% of them fitting: too few right and wrong ones in each group.
    assert policy.by_group == {}


def test_declining_is_right_for_every_written_question_no_article_answers() -> None:
    articles = [
        IndexedArticle(1, "card-delivery", "When will my card arrive?", "3-5 working days."),
        IndexedArticle(2, "products", "What we offer", "No loans.", tags=(NOT_OFFERED_TAG,)),
    ]
    rows = [
        {"question": "where is my card", "article": "card-delivery", "kind": "answerable"},
        {"question": "can I get a mortgage", "article": None, "kind": "not_offered"},
        {"question": "is my money protected if you go bust", "article": None, "kind": "no_article"},
        {"question": "tell me a joke", "article": None, "kind": "chitchat"},
    ]
    accepted = [m.accepted for m in written_messages(rows, None, "questions", articles)]
    # Declining with the not-offered article answers none of the answerable ones.
    assert accepted == [frozenset({"card-delivery"})] + [frozenset({"products"})] * 3


def test_out_of_fold_predictions_are_kept_for_the_same_data_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A refit with other question sets reuses the dataset's predictions (minutes of
    training); other data, or another number of folds, is predicted afresh."""
    runs: list[int] = []

    def predict(texts: list[str], labels: list[str], **options: Any) -> list[Prediction]:
        runs.append(options["folds"])
        return [Prediction([(label, 0.75), ("other", 0.25)], 0.5) for label in labels]

    monkeypatch.setattr(answer_policy, "out_of_fold_predictions", predict)
    data_a = Dataset(["lost my card", "where is my refund"], ["lost_card", "refund"])
    first = cached_out_of_fold_predictions(tmp_path, data_a, folds=5)
    again = cached_out_of_fold_predictions(tmp_path, data_a, folds=5)
    assert runs == [5]
    assert again == first
    assert again[1].top == [("refund", 0.75), ("other", 0.25)]
    data_b = Dataset(["lost my card", "where is my refund"], ["lost_card", "card_refund"])
    cached_out_of_fold_predictions(tmp_path, data_b, folds=5)
    cached_out_of_fold_predictions(tmp_path, data_a, folds=3)
    assert runs == [5, 5, 3]
