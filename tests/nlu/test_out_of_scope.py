from __future__ import annotations

import numpy as np

from batondesk.nlu.out_of_scope import choose_threshold, in_scope_score


def test_threshold_separates_oos_within_the_false_rejection_budget() -> None:
    rng = np.random.default_rng(0)
    in_scope = rng.uniform(0.5, 1.0, 200)
    oos = rng.uniform(0.0, 0.6, 20)
    scores = np.concatenate([in_scope, oos])
    is_oos = np.array([False] * 200 + [True] * 20)
    correct = ~is_oos
    threshold = choose_threshold(scores, correct, is_oos, max_false_rejection=0.02)
    assert (in_scope < threshold).mean() <= 0.02
    assert (oos < threshold).mean() > 0.7
    strict = choose_threshold(scores, correct, is_oos, max_false_rejection=0.0)
    assert strict <= in_scope.min()


def test_without_oos_examples_the_threshold_flags_likely_mistakes() -> None:
    scores = np.array([0.9, 0.95, 0.85, 0.2, 0.3])
    correct = np.array([True, True, True, False, False])
    threshold = choose_threshold(scores, correct, np.zeros(5, bool), max_false_rejection=0.0)
    assert 0.3 < threshold <= 0.85


def test_nothing_to_learn_from_accepts_everything() -> None:
    assert choose_threshold(np.array([]), np.array([], bool), np.array([], bool)) == 0.0


def test_in_scope_score_blends_probability_and_similarity() -> None:
    blended = in_scope_score(np.array([0.8]), np.array([0.4]), probability_weight=0.5)
    assert np.allclose(blended, [0.6])
    assert np.allclose(in_scope_score(np.array([0.8]), None, 0.5), [0.8])
