"""The wrong-answer limit holds for each language group, not only on average: each group's
threshold is certified on its own calibration messages, and a group may weigh the evidence
with coefficients of its own."""

from __future__ import annotations

import json

import numpy as np
import pytest

from batondesk.demo.seed import seed_demo
from batondesk.engine.answer_policy import (
    ENGLISH,
    OTHER_LANGUAGES,
    AnswerPolicy,
    Coefficients,
    PolicyFileError,
    PolicyModel,
    language_group,
)
from batondesk.engine.turn import ConversationState, CustomerContext, take_turn
from batondesk.evaluation.workspace import account_setup


def _policy(groups: bool) -> PolicyModel:
    """Many English messages, right whatever their score; a few in other languages, wrong one
    time in ten, also among the highest scores."""
    draw = np.random.default_rng(0)
    scores = draw.uniform(0, 1, 10_500)
    correct = np.concatenate([np.ones(10_000, bool), draw.uniform(0, 1, 500) > 0.1])
    labels = [ENGLISH] * 10_000 + [OTHER_LANGUAGES] * 500
    return PolicyModel(["x"], [0.0], [1.0], [1.0], 0.0, scores, correct, labels if groups else ())


def test_each_group_gets_the_threshold_its_own_messages_certify() -> None:
    policy = _policy(groups=True)
    english = policy.operating_point(0.01, ENGLISH)
    other = policy.operating_point(0.01, OTHER_LANGUAGES)
    assert english.coverage > 0.9 and english.wrong_rate == 0.0
    # One wrong answer in ten cannot be certified below 1%: that group gets no answers.
    assert other.coverage == 0.0 and other.threshold > 1.0
    # Pooled, the English answers would hide the other group's wrong ones.
    pooled = _policy(groups=False).operating_point(0.01, OTHER_LANGUAGES)
    assert pooled.coverage > 0.0 and pooled.threshold < 1.0
    assert policy.groups() == [ENGLISH, OTHER_LANGUAGES]


def test_groups_survive_the_policy_file_and_older_files_certify_pooled(tmp_path) -> None:  # type: ignore[no-untyped-def]
    grouped, pooled = _policy(groups=True), _policy(groups=False)
    AnswerPolicy(grouped, pooled).save(tmp_path / "policy.json")
    loaded = AnswerPolicy.load(tmp_path / "policy.json")
    assert loaded.with_intents.groups() == [ENGLISH, OTHER_LANGUAGES]
    assert loaded.with_intents.operating_point(0.01, OTHER_LANGUAGES).coverage == 0.0
    assert loaded.retrieval_only.groups() == []
    # Scores are stored rounded to six places.
    older = loaded.retrieval_only.operating_point(0.01, OTHER_LANGUAGES)
    assert older.coverage == pooled.operating_point(0.01).coverage > 0.9


def test_the_turn_certifies_a_message_against_its_language_group(app, settings) -> None:  # type: ignore[no-untyped-def]
    seed_demo(app.state.db)
    assert language_group("en") == ENGLISH and language_group("es") == OTHER_LANGUAGES
    with account_setup(settings, app.state.services, "baton-bank") as setup:
        for text, group in (
            ("my new card still hasn't arrived", ENGLISH),
            ("mi tarjeta nueva todavía no ha llegado, ¿cuándo llega?", OTHER_LANGUAGES),
        ):
            result = take_turn(text, ConversationState(), CustomerContext(), setup)
            point = setup.policy.operating_point(setup.answering.max_wrong_rate, group)
            assert result.evidence["answer_group"] == group, text
            assert result.evidence["answer_threshold"] == round(point.threshold, 4), text


def test_a_group_with_its_own_coefficients_is_scored_by_them(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # The pooled weights trust feature "x"; in the other group "x" is blind and "y" decides.
    other = Coefficients.of([0.0, 0.0], [1.0, 1.0], [0.0, 4.0], 0.0)
    policy = PolicyModel(
        ["x", "y"],
        [0.0, 0.0],
        [1.0, 1.0],
        [4.0, 0.0],
        0.0,
        [0.5],
        [True],
        [ENGLISH],
        {OTHER_LANGUAGES: other},
    )
    row = {"x": 1.0, "y": -1.0}
    assert policy.score([row], ENGLISH)[0] > 0.95
    assert policy.score([row], OTHER_LANGUAGES)[0] < 0.05
    # No group, or one without its own weights: the pooled ones.
    assert policy.score([row])[0] == policy.score([row], ENGLISH)[0]
    AnswerPolicy(policy, policy).save(tmp_path / "policy.json")
    loaded = AnswerPolicy.load(tmp_path / "policy.json").with_intents
    assert loaded.score([row], OTHER_LANGUAGES)[0] == policy.score([row], OTHER_LANGUAGES)[0]


def test_a_policy_file_with_broken_group_coefficients_is_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "policy.json"
    AnswerPolicy(_policy(groups=True), _policy(groups=False)).save(path)
    data = json.loads(path.read_text())
    data["with_intents"]["by_group"] = {OTHER_LANGUAGES: {"mean": [0.0], "scale": [1.0]}}
    path.write_text(json.dumps(data))
    with pytest.raises(PolicyFileError, match="lacks"):
        AnswerPolicy.load(path)
    data["with_intents"]["by_group"] = {
        OTHER_LANGUAGES: {"mean": [0.0, 1.0], "scale": [1.0], "coef": [1.0], "intercept": 0.0}
    }
    path.write_text(json.dumps(data))
    with pytest.raises(PolicyFileError, match="differ in length"):
        AnswerPolicy.load(path)
