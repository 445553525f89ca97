"""Out-of-scope scoring and the choice of its threshold.

The in-scope score blends two signals: the calibrated probability of the best intent, and
the cosine similarity of the message's embedding to its nearest training example. The second
catches confident-but-wrong messages that land far from anything seen in training, which a
probability threshold alone misses.

Threshold choice: validation sets usually hold few out-of-scope examples (CLINC150: 3%), so
maximising plain accuracy over them would nearly ignore out-of-scope recall. We maximise the
mean of in-scope accuracy (correct AND accepted) and out-of-scope recall, each class weighted
equally, which transfers to test sets with a different out-of-scope share.
"""

from __future__ import annotations

import numpy as np


def in_scope_score(
    best_probability: np.ndarray, nearest_similarity: np.ndarray | None, probability_weight: float
) -> np.ndarray:
    """Higher = more clearly in scope. Both inputs are in [0, 1] (similarity clipped)."""
    if nearest_similarity is None:
        return best_probability
    similarity = np.clip(nearest_similarity, 0.0, 1.0)
    return probability_weight * best_probability + (1.0 - probability_weight) * similarity


def nearest_similarity(embeddings: np.ndarray, memory: np.ndarray, k: int = 1) -> np.ndarray:
    """Mean cosine similarity to the k nearest rows of `memory` (both L2-normalised)."""
    similarities = embeddings @ memory.T
    if k == 1:
        return similarities.max(axis=1)
    return np.sort(similarities, axis=1)[:, -k:].mean(axis=1)


def choose_threshold(scores: np.ndarray, correct: np.ndarray, is_oos: np.ndarray) -> float:
    """Threshold on `scores` (accept when score >= threshold) tuned on validation data.

    With out-of-scope examples: maximise (in-scope correct-and-accepted rate + OOS recall) / 2.
    Without: maximise the rate at which correct predictions are accepted and wrong ones
    rejected, so the threshold flags the messages the model is likely to get wrong.
    Returns 0.0 (accept everything) when there is nothing to learn from.
    """
    if len(scores) == 0:
        return 0.0
    candidates = np.unique(np.concatenate([[0.0], scores]))
    in_scope = ~is_oos
    best_value, best_threshold = -1.0, 0.0
    for threshold in candidates:
        accepted = scores >= threshold
        if is_oos.any() and in_scope.any():
            value = 0.5 * (correct & accepted)[in_scope].mean() + 0.5 * (~accepted)[is_oos].mean()
        elif in_scope.any():
            value = float((accepted == correct)[in_scope].mean())
        else:
            return 0.0
        if value > best_value + 1e-12:
            best_value, best_threshold = value, float(threshold)
    return best_threshold
