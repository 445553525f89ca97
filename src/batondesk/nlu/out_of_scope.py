"""Out-of-scope scoring and the choice of its threshold.

The in-scope score blends two signals: the calibrated probability of the best intent, and
the cosine similarity of the message's embedding to its nearest training example. The second
catches confident-but-wrong messages that land far from anything seen in training, which a
probability threshold alone misses.

Threshold choice: validation sets usually hold few out-of-scope examples (CLINC150: 3%), so
maximising plain accuracy over them would nearly ignore out-of-scope recall, while weighting
both classes equally over-rejects answerable messages. See `choose_threshold`.
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


def choose_threshold(
    scores: np.ndarray,
    correct: np.ndarray,
    is_oos: np.ndarray,
    max_false_rejection: float = 0.02,
) -> float:
    """Threshold on `scores` (accept when score >= threshold) tuned on validation data.

    With out-of-scope examples: maximise (in-scope correct-and-accepted rate + OOS recall) / 2
    among thresholds that reject at most `max_false_rejection` of the in-scope messages the
    model answers correctly. The budget is a product decision (how many answerable customers
    may be sent to clarification or a human); it is set on the in-scope part of validation,
    which is large, so the 100-odd out-of-scope validation examples cannot overfit it.
    Without out-of-scope examples: maximise the rate at which correct predictions are
    accepted and wrong ones rejected, under the same budget.
    Returns 0.0 (accept everything) when there is nothing to learn from.
    """
    in_scope = ~is_oos
    if len(scores) == 0 or not in_scope.any():
        return 0.0
    candidates = np.unique(np.concatenate([[0.0], scores]))
    answerable = correct & in_scope
    best_value, best_threshold = -1.0, 0.0
    for threshold in candidates:
        accepted = scores >= threshold
        if answerable.any() and (~accepted)[answerable].mean() > max_false_rejection:
            break  # candidates ascend: every higher threshold rejects even more
        if is_oos.any():
            value = 0.5 * (correct & accepted)[in_scope].mean() + 0.5 * (~accepted)[is_oos].mean()
        else:
            value = float((accepted == correct)[in_scope].mean())
        if value > best_value + 1e-12:
            best_value, best_threshold = value, float(threshold)
    return best_threshold
