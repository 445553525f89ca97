"""Assignment and variants, without a database: a customer's arm is stable across processes
and follows the weights; eligibility admits whom it says; a variant changes only what it
names in the turn's setup."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter

import pytest
from pydantic import ValidationError

from batondesk.engine.settings import AnsweringSettings
from batondesk.engine.turn import TurnSetup
from batondesk.experiments.assignment import BUCKETS, assign, bucket_of
from batondesk.experiments.definition import Eligibility, ExperimentDefinition, VariantOverrides
from batondesk.handoff.settings import EscalationSettings

DEFINITION = ExperimentDefinition.model_validate(
    {
        "variants": [
            {"key": "control", "name": "Control", "control": True, "weight": 1},
            {"key": "treatment", "name": "Treatment", "weight": 3},
        ]
    }
)


def test_a_customers_arm_is_sticky_and_the_same_in_another_process() -> None:
    here = [assign(contact, "greeting", DEFINITION.variants) for contact in range(1, 200)]
    assert here == [assign(contact, "greeting", DEFINITION.variants) for contact in range(1, 200)]
    # A fresh interpreter (another worker) with another hash seed agrees.
    script = (
        "from batondesk.experiments.assignment import bucket_of;"
        "print([bucket_of(c, 'greeting') for c in range(1, 200)])"
    )
    other = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONHASHSEED": "12345", "PYTHONPATH": ":".join(sys.path)},
    )
    assert other.stdout.strip() == str([bucket_of(c, "greeting") for c in range(1, 200)])


def test_arms_follow_the_weights_and_experiments_are_independent() -> None:
    arms = Counter(assign(contact, "greeting", DEFINITION.variants) for contact in range(20_000))
    assert arms["treatment"] / 20_000 == pytest.approx(0.75, abs=0.015)
    # The same customers in another experiment are shuffled afresh: being in treatment here
    # says nothing about the arm there.
    both = Counter(
        (
            assign(contact, "greeting", DEFINITION.variants),
            assign(contact, "risk-level", DEFINITION.variants),
        )
        for contact in range(20_000)
    )
    assert both[("treatment", "treatment")] / 20_000 == pytest.approx(0.75 * 0.75, abs=0.015)
    assert all(0 <= bucket_of(c, "x") < BUCKETS for c in range(1000))


def test_eligibility_admits_whom_it_says() -> None:
    everyone = Eligibility()
    assert everyone.admits(inbox_id=3, locale=None, tier=None)
    narrow = Eligibility(inbox_ids=[3], languages=["es"], tiers=["gold"])
    assert narrow.admits(inbox_id=3, locale="es-MX", tier="gold")
    assert not narrow.admits(inbox_id=4, locale="es-MX", tier="gold")
    assert not narrow.admits(inbox_id=3, locale="en", tier="gold")
    assert not narrow.admits(inbox_id=3, locale="es", tier="standard")
    # A customer without a tier is "standard", as everywhere else.
    assert Eligibility(tiers=["standard"]).admits(inbox_id=1, locale="en", tier=None)


class _Writer:
    def answer(self, question: str, passages: list[str]) -> object:  # pragma: no cover
        raise AssertionError("not called")


def test_a_variant_changes_only_what_it_names() -> None:
    setup = TurnSetup(
        index=None,  # type: ignore[arg-type]
        policy=None,  # type: ignore[arg-type]
        escalation=EscalationSettings(max_unclear_turns=4),
        answering=AnsweringSettings(max_choices=2),
        templates={("card_arrival", "en"): "Your card is on its way."},
        writer=_Writer(),  # type: ignore[arg-type]
    )
    assert VariantOverrides().apply(setup) is setup
    changed = VariantOverrides(
        max_wrong_rate=0.05,
        reply_style="article_words",
        llm_phrasing=False,
        escalation={"learned_threshold": 0.95},
        greeting="Welcome!",
    ).apply(setup)
    assert changed.answering.max_wrong_rate == 0.05
    assert changed.answering.max_choices == 2  # the account's own, kept
    assert changed.escalation.learned_threshold == 0.95
    assert changed.escalation.max_unclear_turns == 4
    assert changed.templates == {} and changed.writer is None
    assert changed.greeting == "Welcome!"
    assert VariantOverrides(llm_phrasing=True).apply(setup).writer is setup.writer


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"escalation": {"learned_threshold": 0.2}}, "learned_threshold"),
        ({"escalation": {"max_unclear_turns": 2.5}}, "max_unclear_turns"),
        ({"escalation": {"auto_assign": 0}}, "cannot override auto_assign"),
        ({"greeting": "   "}, "greeting"),
        ({"reply_style": "shouty"}, "reply_style"),
        ({"temperature": 2}, "temperature"),
    ],
)
def test_invalid_overrides_are_refused_naming_them(overrides: dict, named: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(ValidationError) as error:
        VariantOverrides.model_validate(overrides)
    assert named in str(error.value)
