"""Fitting the learned escalation model (`handoff.learned`) on labelled conversations.

Each labelled conversation (the customer's messages, the reason a person was needed or
"none") is one example: the model reads the conversation as it stands at its last message.
Earlier prefixes are not examples, since the label does not say at which message the need
became clear.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Sequence

import numpy as np
from sklearn.linear_model import LogisticRegression

from batondesk.handoff.learned import (
    REASONS,
    EscalationModel,
    SentenceEmbedder,
    conversation_features,
    sentence_vectors,
)
from batondesk.nlu.text_features import TextFeatures

# Regularisation of the logistic regression. Chosen by 5-fold cross-validation on the training
# sets and checked on the spent test sets (docs/benchmarks.md): with escalation_train_3 added,
# C 100 beat 30 and 10 on both (cross-validated F1 0.862 / 0.843 / 0.811 at threshold 0.9).
DEFAULT_C = 100.0
# Everyday questions from the intent model's training data, taught as "none": without them the
# model, having seen mostly hard cases, took one routine banking question in 27 for a hand-over
# (BANKING77 test, threshold 0.85); with 1,000 of them one in 600 (docs/benchmarks.md).
ROUTINE_MESSAGES = 1000


def routine_examples(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    exclude: Collection[str],
    count: int = ROUTINE_MESSAGES,
    seed: int = 0,
) -> list[str]:
    """`count` messages of a labelled intent dataset, none of an intent in `exclude` (those a
    person must handle, such as a card used by someone else)."""
    pool = [text for text, label in zip(texts, labels, strict=True) if label not in exclude]
    random.Random(seed).shuffle(pool)  # nosec B311: a repeatable sample, not a secret
    return pool[:count]


def fit_escalation_model(
    conversations: Sequence[Sequence[str]],
    reasons: Sequence[str],
    *,
    c: float = DEFAULT_C,
    threshold: float = 0.5,
    embedder: SentenceEmbedder | None = None,
) -> EscalationModel:
    """`embedder`: the sentence encoder the model will read with (the shared MiniLM); None
    fits the n-grams alone, with the meaning part's weights at zero."""
    unknown = sorted(set(reasons) - set(REASONS))
    if unknown:
        raise ValueError(f"unknown reasons: {', '.join(unknown)}")
    missing = [r for r in REASONS if r not in reasons]
    if missing:
        raise ValueError(f"no example of: {', '.join(missing)}")
    features = TextFeatures().fit([m for conversation in conversations for m in conversation])
    x = conversation_features(
        features, conversations, sentence_vectors(embedder, [c[-1] for c in conversations])
    )
    y = np.asarray([REASONS.index(r) for r in reasons])
    regression = LogisticRegression(C=c, max_iter=5000, class_weight="balanced").fit(x, y)
    # sklearn orders classes by label: 0..4 is REASONS' order.
    return EscalationModel(features, regression.coef_.T, regression.intercept_, threshold, embedder)
