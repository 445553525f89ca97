"""The regression gate: may a candidate model replace the active one? Both are scored on the
same frozen evaluation set, overall and per slice (training/slices.py), and the candidate is
refused when the overall accuracy, or any slice's, falls by more than the account's margin.

Small slices are handled with two rules, both stated in every decision:

- a slice with fewer than `min_examples` examples is shown but not judged (with 12 examples
  one message is 8 points);
- a judged slice is refused only when its fall is larger than the margin *and* unlikely to
  be chance: an exact one-sided sign test (McNemar's test) on the examples where exactly one
  of the two models is right gives p < `significance`. Both models answer the same
  messages, so this paired test is far more sensitive than comparing two intervals.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

from scipy.stats import binomtest

from batondesk.training.slices import (
    OVERALL,
    Outcome,
    SliceReport,
    decision_accuracy,
    is_correct,
    slice_members,
    slice_report,
)

Verdict = Literal["ok", "dropped", "too_few"]


@dataclass(frozen=True)
class GatePolicy:
    margin_points: float = 2.0
    min_examples: int = 20
    significance: float = 0.05

    def describe(self) -> str:
        return (
            f"refused when overall or any slice of at least {self.min_examples} examples "
            f"loses more than {self.margin_points:g} points of accuracy (p < "
            f"{self.significance:g}, sign test on the examples the two models disagree on)"
        )


@dataclass(frozen=True)
class SliceComparison:
    name: str
    value: str
    examples: int
    active_accuracy: float
    candidate_accuracy: float
    change_points: float  # candidate minus active, in percentage points
    lost: int  # right before, wrong now
    gained: int  # wrong before, right now
    p_value: float  # that a fall this large is chance
    verdict: Verdict

    @property
    def label(self) -> str:
        return "overall" if (self.name, self.value) == OVERALL else f"{self.name}={self.value}"

    def describe(self) -> str:
        return (
            f"{self.label}: {self.active_accuracy:.1%} -> {self.candidate_accuracy:.1%} "
            f"({self.change_points:+.1f} points, {self.examples} examples, {self.lost} lost "
            f"and {self.gained} gained, p = {self.p_value:.3g})"
        )


@dataclass(frozen=True)
class GateDecision:
    passed: bool
    policy: GatePolicy
    comparisons: list[SliceComparison]  # overall first
    active: SliceReport
    candidate: SliceReport

    @property
    def dropped(self) -> list[SliceComparison]:
        return [c for c in self.comparisons if c.verdict == "dropped"]

    @property
    def not_judged(self) -> list[SliceComparison]:
        return [c for c in self.comparisons if c.verdict == "too_few"]

    def summary(self) -> str:
        """One line: passed, or refused naming every slice that fell, with its figures."""
        overall = self.comparisons[0]
        if self.passed:
            return (
                f"passed: overall {overall.active_accuracy:.1%} -> "
                f"{overall.candidate_accuracy:.1%} ({overall.change_points:+.1f} points); no "
                f"slice lost more than {self.policy.margin_points:g} points"
            )
        return "refused: " + "; ".join(c.describe() for c in self.dropped)

    def to_dict(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "summary": self.summary(),
            "policy": asdict(self.policy),
            "rule": self.policy.describe(),
            "comparisons": [asdict(c) for c in self.comparisons],
            "active": self.active.to_dict(),
            "candidate": self.candidate.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> GateDecision:
        return cls(
            passed=bool(data["passed"]),
            policy=GatePolicy(**data["policy"]),
            comparisons=[SliceComparison(**c) for c in data["comparisons"]],
            active=SliceReport.from_dict(data["active"]),
            candidate=SliceReport.from_dict(data["candidate"]),
        )


def judge(
    active: Sequence[Outcome], candidate: Sequence[Outcome], policy: GatePolicy
) -> GateDecision:
    """Compare the two models' outcomes on the same examples, in the same order."""
    if len(active) != len(candidate):
        raise ValueError("the two models were not scored on the same examples")
    if not active:
        raise ValueError("the evaluation set is empty")
    decision = decision_accuracy(active)
    right_before = [is_correct(o, decision) for o in active]
    right_now = [is_correct(o, decision) for o in candidate]
    comparisons = []
    for (name, value), positions in slice_members(active).items():
        lost = sum(right_before[i] and not right_now[i] for i in positions)
        gained = sum(right_now[i] and not right_before[i] for i in positions)
        examples = len(positions)
        before = sum(right_before[i] for i in positions) / examples
        after = sum(right_now[i] for i in positions) / examples
        change = (after - before) * 100
        p_value = binomtest(lost, lost + gained, 0.5, alternative="greater").pvalue if lost else 1.0
        verdict: Verdict = "ok"
        if examples < policy.min_examples:
            verdict = "too_few"
        elif change < -policy.margin_points and p_value < policy.significance:
            verdict = "dropped"
        comparisons.append(
            SliceComparison(
                name=name,
                value=value,
                examples=examples,
                active_accuracy=round(before, 4),
                candidate_accuracy=round(after, 4),
                change_points=round(change, 2),
                lost=lost,
                gained=gained,
                p_value=round(float(p_value), 4),
                verdict=verdict,
            )
        )
    return GateDecision(
        passed=not any(c.verdict == "dropped" for c in comparisons),
        policy=policy,
        comparisons=comparisons,
        active=slice_report(active),
        candidate=slice_report(candidate),
    )
