"""The regression gate and the slice report it shares with `baton nlu slices`: a candidate
worse for one group of customers is refused, naming that group and its figures; one that is
not worse passes; small slices are shown but not judged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from batondesk.nlu import Dataset, DatasetError, IntentClassifier, load_dataset
from batondesk.training.gate import GatePolicy, judge
from batondesk.training.slices import Outcome, model_outcomes, slice_report
from tests.support.slices import bilingual_training, english_training, evaluation_set


def _fit(data: Dataset) -> IntentClassifier:
    return IntentClassifier(use_encoder=False).fit(data.texts, data.labels)


@pytest.fixture(scope="module")
def active_outcomes() -> list[Outcome]:
    return model_outcomes(_fit(bilingual_training()), evaluation_set())


def test_a_candidate_trained_without_one_slice_is_refused_naming_it(
    active_outcomes: list[Outcome],
) -> None:
    candidate = model_outcomes(_fit(english_training()), evaluation_set())

    decision = judge(active_outcomes, candidate, GatePolicy(margin_points=2.0))

    assert not decision.passed
    assert "language=es" in [c.label for c in decision.dropped]
    assert "language=en" not in [c.label for c in decision.dropped]
    spanish = next(c for c in decision.comparisons if c.label == "language=es")
    assert spanish.change_points < -20
    assert spanish.examples == 22
    # The refusal says which slice fell and by how much, in words an admin reads.
    assert "language=es" in decision.summary()
    assert f"{spanish.change_points:+.1f} points" in decision.summary()
    assert decision.summary().startswith("refused")


def test_a_candidate_that_is_not_worse_passes(active_outcomes: list[Outcome]) -> None:
    more = bilingual_training()
    more = Dataset(
        [*more.texts, "still waiting on the card", "sigo sin tarjeta"],
        [*more.labels, "card_arrival", "card_arrival"],
    )
    candidate = model_outcomes(_fit(more), evaluation_set())

    decision = judge(active_outcomes, candidate, GatePolicy())

    assert decision.passed, decision.summary()
    assert decision.summary().startswith("passed")
    assert {c.label for c in decision.comparisons} == {"overall", "language=en", "language=es"}


def _outcomes(style: str, right: int, wrong: int) -> list[Outcome]:
    return [Outcome("a", "a", False, tags={"style": style}) for _ in range(right)] + [
        Outcome("a", "b", False, tags={"style": style}) for _ in range(wrong)
    ]


def test_one_slice_falling_refuses_even_when_overall_holds() -> None:
    active = _outcomes("plain", 1000, 0) + _outcomes("sms", 25, 0)
    candidate = _outcomes("plain", 1000, 0) + _outcomes("sms", 15, 10)

    decision = judge(active, candidate, GatePolicy(margin_points=2.0, min_examples=20))

    overall = decision.comparisons[0]
    assert overall.verdict == "ok" and -2 < overall.change_points < 0
    assert [c.label for c in decision.dropped] == ["style=sms"]
    assert not decision.passed


def test_a_small_slice_is_shown_but_not_judged() -> None:
    active = _outcomes("plain", 400, 0) + _outcomes("scots", 8, 0)
    candidate = _outcomes("plain", 400, 0) + _outcomes("scots", 2, 6)

    decision = judge(active, candidate, GatePolicy(min_examples=20))

    scots = next(c for c in decision.comparisons if c.label == "style=scots")
    assert scots.verdict == "too_few"
    assert decision.passed
    assert [c.label for c in decision.not_judged] == ["style=scots"]


def test_a_fall_within_chance_is_not_a_refusal() -> None:
    # 1 of 30 lost: 3.3 points, beyond a 2-point margin, but one message proves nothing.
    active = _outcomes("aave", 30, 0)
    candidate = _outcomes("aave", 29, 1)

    decision = judge(active, candidate, GatePolicy(margin_points=2.0, min_examples=20))

    assert decision.passed
    assert decision.comparisons[1].p_value == 0.5


def test_the_decision_survives_storage() -> None:
    decision = judge(_outcomes("sms", 25, 0), _outcomes("sms", 10, 15), GatePolicy())
    stored = json.loads(json.dumps(decision.to_dict()))

    again = type(decision).from_dict(stored)

    assert again.summary() == decision.summary()
    assert stored["rule"].startswith("refused when overall or any slice")


def test_slice_report_gives_accuracy_interval_and_out_of_scope_per_slice() -> None:
    outcomes = [
        *_outcomes("plain", 9, 1),
        Outcome("a", "a", True, tags={"style": "sms"}),
        Outcome("a", "b", True, tags={"style": "sms"}),
    ]

    report = slice_report(outcomes)

    assert report.accuracy_counts == "top-1 intent"
    assert report.overall.examples == 12
    sms = next(s for s in report.slices if s.value == "sms")
    assert (sms.accuracy, sms.out_of_scope_rate, sms.escalation_rate) == (0.5, 1.0, None)
    assert sms.accuracy_low < 0.5 < sms.accuracy_high
    plain = next(s for s in report.slices if s.value == "plain")
    assert plain.accuracy == 0.9


def test_slice_tags_are_read_from_json_lines_and_csv(tmp_path: Path) -> None:
    jsonl = tmp_path / "eval.jsonl"
    jsonl.write_text(
        json.dumps({"text": "wen is ma card cumin", "intent": "card_arrival", "style": "sms"})
        + "\n"
        + json.dumps(
            {"text": "lost my card", "intent": "lost_or_stolen_card", "slices": {"region": "n"}}
        )
        + "\n",
        encoding="utf-8",
    )
    csv_file = tmp_path / "eval.csv"
    csv_file.write_text(
        "text,intent,style,tier\nlost my card,lost_or_stolen_card,plain,vip\n", encoding="utf-8"
    )

    assert load_dataset(jsonl).tags == [{"style": "sms"}, {"region": "n"}]
    assert load_dataset(csv_file).tags == [{"style": "plain", "tier": "vip"}]
    assert load_dataset(jsonl).slice_fields == ["region", "style"]


def test_a_bad_slice_tag_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "eval.jsonl"
    path.write_text(
        json.dumps({"text": "hi", "intent": "card_arrival", "style": 3}) + "\n", encoding="utf-8"
    )

    with pytest.raises(DatasetError, match=r"line 1: slice tag 'style' must be a string"):
        load_dataset(path)
