"""Per-slice figures of a model on a labelled set whose examples carry slice tags (style,
language, channel, tier, ...): accuracy, out-of-scope rate and escalation rate, overall and
for every tag value. The one home of slicing: `baton nlu slices`, the console and the
regression gate (training/gate.py) all group and score examples here.

Accuracy follows nlu/evaluation.py: on a set without `oos` labels (BANKING77-style) it is
the top-1 intent, whatever the out-of-scope threshold said, and the share the threshold
turned away is the out-of-scope rate beside it; on a set with `oos` labels it is the
decision (the intent, or "out of scope" for an `oos` example). Each accuracy carries a 95%
Wilson interval, so a reader sees how little 12 examples say.

Outcomes come from the model alone (`model_outcomes`: fast, batched, no escalation) or from
the customer's real turn (`turn_outcomes`: each example as a new customer's first message
through `engine.turn.take_turn`, so the escalation rate is the one customers would meet).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from scipy.stats import binomtest

from batondesk.engine.turn import ConversationState, CustomerContext, TurnSetup, take_turn
from batondesk.engine.understanding import IntentPredictor
from batondesk.nlu.dataset import OUT_OF_SCOPE_LABEL, Dataset

OVERALL = ("overall", "all")
Progress = Callable[[int], None]


@dataclass(frozen=True)
class Outcome:
    """What a model (or the turn) made of one labelled example."""

    truth: str
    best_intent: str | None  # the top in-scope intent, even when judged out of scope
    out_of_scope: bool
    escalated: bool | None = None  # None: not measured (the model alone)
    tags: Mapping[str, str] = field(default_factory=dict)


def decision_accuracy(outcomes: Sequence[Outcome]) -> bool:
    """Whether accuracy counts the decision (the set has `oos` labels) or the top-1 intent."""
    return any(o.truth == OUT_OF_SCOPE_LABEL for o in outcomes)


def is_correct(outcome: Outcome, decision: bool) -> bool:
    if decision:
        said = OUT_OF_SCOPE_LABEL if outcome.out_of_scope else outcome.best_intent
        return said == outcome.truth
    return outcome.best_intent == outcome.truth


def slice_members(outcomes: Sequence[Outcome]) -> dict[tuple[str, str], list[int]]:
    """(tag name, value) -> positions of the examples in that slice; `OVERALL` holds all.
    Slices come sorted by name then value, after the overall one."""
    members: dict[tuple[str, str], list[int]] = defaultdict(list)
    for position, outcome in enumerate(outcomes):
        for name, value in outcome.tags.items():
            members[(name, value)].append(position)
    return {OVERALL: list(range(len(outcomes))), **dict(sorted(members.items()))}


@dataclass(frozen=True)
class SliceFigures:
    name: str  # the tag ("style"), or "overall"
    value: str  # the tag's value ("sms"), or "all"
    examples: int
    correct: int
    accuracy: float
    accuracy_low: float  # 95% Wilson interval
    accuracy_high: float
    out_of_scope_rate: float
    escalation_rate: float | None  # None when escalation was not measured

    @property
    def label(self) -> str:
        return "overall" if (self.name, self.value) == OVERALL else f"{self.name}={self.value}"


@dataclass(frozen=True)
class SliceReport:
    overall: SliceFigures
    slices: list[SliceFigures]
    accuracy_counts: str  # "top-1 intent" or "decision"

    def to_dict(self) -> dict[str, Any]:
        return {
            "accuracy_counts": self.accuracy_counts,
            "overall": asdict(self.overall),
            "slices": [asdict(s) for s in self.slices],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SliceReport:
        return cls(
            overall=SliceFigures(**data["overall"]),
            slices=[SliceFigures(**s) for s in data["slices"]],
            accuracy_counts=str(data["accuracy_counts"]),
        )


def figures(name: str, value: str, outcomes: Sequence[Outcome], decision: bool) -> SliceFigures:
    """The figures of one group of outcomes (non-empty)."""
    examples = len(outcomes)
    correct = sum(is_correct(o, decision) for o in outcomes)
    interval = binomtest(correct, examples).proportion_ci(method="wilson")
    escalations = [o.escalated for o in outcomes if o.escalated is not None]
    return SliceFigures(
        name=name,
        value=value,
        examples=examples,
        correct=correct,
        accuracy=round(correct / examples, 4),
        accuracy_low=round(float(interval.low), 4),
        accuracy_high=round(float(interval.high), 4),
        out_of_scope_rate=round(sum(o.out_of_scope for o in outcomes) / examples, 4),
        escalation_rate=(
            round(sum(escalations) / len(escalations), 4) if len(escalations) == examples else None
        ),
    )


def slice_report(outcomes: Sequence[Outcome]) -> SliceReport:
    """Figures overall and for every slice tag value the outcomes carry."""
    if not outcomes:
        raise ValueError("no examples to report on")
    decision = decision_accuracy(outcomes)
    groups = [
        figures(name, value, [outcomes[i] for i in positions], decision)
        for (name, value), positions in slice_members(outcomes).items()
    ]
    return SliceReport(groups[0], groups[1:], "decision" if decision else "top-1 intent")


def model_outcomes(classifier: Any, dataset: Dataset) -> list[Outcome]:
    """Each example through the model alone, in batches (escalation not measured)."""
    predictions = classifier.predict_batch(dataset.texts)
    return [
        Outcome(label, p.best_intent, bool(p.out_of_scope), None, dataset.tags_of(i))
        for i, (label, p) in enumerate(zip(dataset.labels, predictions, strict=True))
    ]


def turn_outcomes(
    setup: TurnSetup,
    dataset: Dataset,
    classifier: IntentPredictor | None = None,
    progress: Progress | None = None,
) -> list[Outcome]:
    """Each example as a new customer's first message through the account's turn, with
    `classifier` in place of the setup's (None: the setup's own). A `tier` tag is the
    customer's tier, which the escalation policy reads."""
    if classifier is not None:
        setup = replace(setup, classifier=classifier)
    outcomes = []
    for i, (text, label) in enumerate(zip(dataset.texts, dataset.labels, strict=True)):
        tags = dataset.tags_of(i)
        customer = CustomerContext(tier=tags.get("tier", "standard"))
        result = take_turn(text, ConversationState(), customer, setup)
        understanding = result.understanding
        best = understanding.top[0][0] if understanding.top else None
        outcomes.append(
            Outcome(label, best, understanding.out_of_scope, result.action == "escalate", tags)
        )
        if progress is not None:
            progress(i + 1)
    return outcomes
