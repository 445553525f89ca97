"""An experiment's results, computed from the event log with the KPI rules of reports/kpis.py.

Two steps, so that each can be used alone: `exposures` reads every exposed conversation's
outcome on each metric by applying the KPI rule to that one conversation; `summarise` turns
the exposures into per-arm rates with Wilson intervals, the comparison of each variant with
control (difference with Newcombe's interval, the two-proportion test, the always-valid
sequential p-value), the guardrails, the sample-ratio check and the sample size needed.

The unit of analysis is the conversation (every KPI is a share of conversations); the unit of
assignment is the customer, so the sample-ratio check counts customers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from pydantic import BaseModel, Field

from batondesk.experiments.definition import ExperimentDefinition
from batondesk.experiments.statistics import (
    ALPHA,
    SRM_ALPHA,
    always_valid_p_value,
    difference_interval,
    required_sample_size,
    sample_ratio_check,
    two_proportion_p_value,
    wilson_interval,
)
from batondesk.reports.definitions import ReportContext
from batondesk.reports.history import ConversationHistory
from batondesk.reports.kpis import (
    ai_accuracy,
    answer_reviews,
    answer_verdicts,
    automated_resolution,
    csat,
    first_contact_resolution,
    hand_over,
    reopen_rate,
)

Counts = tuple[int, int]  # (successes, trials)


@dataclass(frozen=True)
class MetricRule:
    """How one experiment metric reads a conversation: (successes, trials) by the KPI rule."""

    label: str
    higher_is_better: bool
    counts: Callable[[ConversationHistory, ReportContext], Counts]


def _automated(h: ConversationHistory, c: ReportContext) -> Counts:
    figure = automated_resolution([h], c)
    return figure.resolutions, figure.bot_conversations


def _containment(h: ConversationHistory, _c: ReportContext) -> Counts:
    figure = hand_over([h])
    return figure.contained, figure.bot_conversations


def _hand_over(h: ConversationHistory, _c: ReportContext) -> Counts:
    figure = hand_over([h])
    return figure.handed_over, figure.bot_conversations


def _first_contact(h: ConversationHistory, c: ReportContext) -> Counts:
    figure = first_contact_resolution([h], c)
    return figure.yes, figure.yes + figure.no


def _csat(h: ConversationHistory, _c: ReportContext) -> Counts:
    figure = csat([h])
    return figure.satisfied, figure.ratings


def _reopen(h: ConversationHistory, _c: ReportContext) -> Counts:
    figure = reopen_rate([h])
    return figure.reopened, figure.resolved


def _ai_precision(h: ConversationHistory, c: ReportContext) -> Counts:
    figure = ai_accuracy([h], c)
    return figure.correct, figure.reviewed


def _wrong_answers(h: ConversationHistory, c: ReportContext) -> Counts:
    """Bot answers an agent marked wrong (or whose question an agent relabelled), over the bot
    answers: every answer counts, reviewed or not, so flags are a floor on wrong answers."""
    verdicts = answer_verdicts(h, c)
    return sum(v.verdict == "wrong" for v in verdicts), len(verdicts)


def _helpful_answers(h: ConversationHistory, c: ReportContext) -> Counts:
    """Bot answers the customer said helped over the answers they said anything about, each
    by their latest click: the Reports' "Answers customers said helped"."""
    figure = answer_reviews([h], c).figure().customer_feedback
    return figure.helpful, figure.answers


METRICS: dict[str, MetricRule] = {
    "automated_resolution": MetricRule("Automated resolution", True, _automated),
    "containment": MetricRule("Containment", True, _containment),
    "first_contact_resolution": MetricRule("First-contact resolution", True, _first_contact),
    "csat": MetricRule("CSAT", True, _csat),
    "hand_over_rate": MetricRule("Hand-over rate", False, _hand_over),
    "reopen_rate": MetricRule("Reopen rate", False, _reopen),
    "ai_precision": MetricRule("AI accuracy (intent precision)", True, _ai_precision),
    "wrong_answer_rate": MetricRule("Answers flagged wrong", False, _wrong_answers),
    "helpful_answer_rate": MetricRule("Answers customers said helped", True, _helpful_answers),
}


@dataclass(frozen=True)
class Exposure:
    """One exposed conversation: who, which arm, when, and its (successes, trials) per metric
    as the KPI rule reads the conversation now (0 or 1 each, or its answers' counts for the
    answer metrics)."""

    conversation_id: int
    contact_id: int
    arm: str
    at: datetime
    outcomes: dict[str, Counts]


def exposures(
    histories: Sequence[ConversationHistory],
    experiment_id: int,
    metrics: Sequence[str],
    context: ReportContext,
) -> list[Exposure]:
    """The conversations exposed to the experiment, in the order they were exposed."""
    found = []
    for history in histories:
        exposed = next(
            (
                e
                for e in history.of_type("experiment.exposed")
                if e.payload.get("experiment_id") == experiment_id
            ),
            None,
        )
        if exposed is None:
            continue
        outcomes = {m: METRICS[m].counts(history, context) for m in metrics}
        arm = str(exposed.payload["arm"])
        found.append(Exposure(history.id, history.contact_id, arm, exposed.at, outcomes))
    return sorted(found, key=lambda e: e.at)


# --- the published shape ---------------------------------------------------------------------


class RateEstimate(BaseModel):
    successes: int
    trials: int
    rate: float | None
    ci_low: float = Field(description="Wilson 95% interval")
    ci_high: float


class ArmResult(BaseModel):
    key: str
    name: str
    control: bool
    expected_share: float
    customers: int
    conversations: int
    metrics: dict[str, RateEstimate]


class Comparison(BaseModel):
    """A variant against control on one metric."""

    metric: str
    arm: str
    difference: float | None = Field(description="variant's rate minus control's")
    ci_low: float | None = Field(description="Newcombe 95% interval of the difference")
    ci_high: float | None
    p_value: float | None = Field(
        description="two-proportion z-test; valid when read once, at the planned sample size"
    )
    always_valid_p_value: float = Field(
        description="mSPRT; valid whenever it is read, however often"
    )
    planned_size_reached: bool
    significant: bool = Field(
        description="at the planned size: p_value < 0.05; before it: always_valid_p_value < 0.05"
    )
    better: bool | None = Field(description="the variant is better, when significant")


class GuardrailCheck(BaseModel):
    metric: str
    arm: str
    max_worsening: float
    worsening: float | None = Field(description="how much worse than control (positive: worse)")
    always_valid_p_value: float = Field(
        description="one-sided: worse than control by more than max_worsening"
    )
    breached: bool


class SampleRatio(BaseModel):
    p_value: float | None = Field(description="chi-square of customers per arm vs the weights")
    mismatch: bool = Field(description=f"p < {SRM_ALPHA}: the figures are not to be trusted")
    expected_shares: dict[str, float]
    customers: dict[str, int]


class SampleSize(BaseModel):
    baseline_rate: float
    baseline_from: str = Field(description="definition, control (observed) or default")
    minimum_detectable_effect: float
    power: float = 0.8
    alpha: float = ALPHA
    per_arm: dict[str, int] = Field(description="conversations needed in each arm")
    reached: bool


class ExperimentResults(BaseModel):
    as_of: datetime
    primary_metric: str
    arms: list[ArmResult]
    primary: list[Comparison]
    guardrails: list[GuardrailCheck]
    sample_ratio: SampleRatio
    sample_size: SampleSize


# --- from exposures to results ---------------------------------------------------------------


def summarise(
    definition: ExperimentDefinition, found: Sequence[Exposure], as_of: datetime
) -> ExperimentResults:
    """Precondition: `found` are in exposure order and carry every metric the definition
    names (its primary metric and guardrails)."""
    metrics = metric_names(definition)
    shares = definition.shares()
    control = definition.control.key
    totals = {v.key: {m: [0, 0] for m in metrics} for v in definition.variants}
    customers: dict[str, set[int]] = {v.key: set() for v in definition.variants}
    conversations = dict.fromkeys(shares, 0)
    for exposure in found:
        if exposure.arm not in totals:
            continue  # an arm removed while a draft; not counted
        conversations[exposure.arm] += 1
        customers[exposure.arm].add(exposure.contact_id)
        for metric in metrics:
            successes, trials = exposure.outcomes[metric]
            totals[exposure.arm][metric][0] += successes
            totals[exposure.arm][metric][1] += trials

    sample_size = _sample_size(definition, totals[control][definition.primary_metric], totals)
    arms = [
        ArmResult(
            key=v.key,
            name=v.name,
            control=v.control,
            expected_share=round(shares[v.key], 4),
            customers=len(customers[v.key]),
            conversations=conversations[v.key],
            metrics={m: _estimate(*totals[v.key][m]) for m in metrics},
        )
        for v in definition.variants
    ]
    primary, guardrails = [], []
    for variant in definition.variants:
        if variant.control:
            continue
        primary.append(
            _compare(definition, found, variant.key, control, totals, sample_size.reached)
        )
        for guardrail in definition.guardrails:
            guardrails.append(
                _guard(
                    found,
                    guardrail.metric,
                    guardrail.max_worsening,
                    variant.key,
                    control,
                    totals,
                    definition.minimum_detectable_effect,
                )
            )
    srm = sample_ratio_check({k: len(v) for k, v in customers.items()}, shares)
    return ExperimentResults(
        as_of=as_of,
        primary_metric=definition.primary_metric,
        arms=arms,
        primary=primary,
        guardrails=guardrails,
        sample_ratio=SampleRatio(
            p_value=None if srm.p_value is None else round(srm.p_value, 6),
            mismatch=srm.mismatch,
            expected_shares={k: round(s, 4) for k, s in shares.items()},
            customers=srm.observed,
        ),
        sample_size=sample_size,
    )


def metric_names(definition: ExperimentDefinition) -> list[str]:
    names = [definition.primary_metric]
    names += [g.metric for g in definition.guardrails if g.metric not in names]
    return names


def _estimate(successes: int, trials: int) -> RateEstimate:
    low, high = wilson_interval(successes, trials)
    return RateEstimate(
        successes=successes,
        trials=trials,
        rate=round(successes / trials, 4) if trials else None,
        ci_low=round(low, 4),
        ci_high=round(high, 4),
    )


def _sample_size(
    definition: ExperimentDefinition, control: list[int], totals: dict[str, dict[str, list[int]]]
) -> SampleSize:
    if definition.baseline_rate is not None:
        baseline, source = definition.baseline_rate, "definition"
    elif control[1] and 0 < control[0] < control[1]:
        baseline, source = control[0] / control[1], "control"
    else:
        baseline, source = 0.5, "default"
    shares = definition.shares()
    control_key = definition.control.key
    needed_in_control = max(
        required_sample_size(
            baseline,
            definition.minimum_detectable_effect,
            ratio=shares[v.key] / shares[control_key],
        )
        for v in definition.variants
        if not v.control
    )
    per_arm = {
        v.key: int(np.ceil(needed_in_control * shares[v.key] / shares[control_key]))
        for v in definition.variants
    }
    metric = definition.primary_metric
    reached = all(totals[key][metric][1] >= n for key, n in per_arm.items())
    return SampleSize(
        baseline_rate=round(baseline, 4),
        baseline_from=source,
        minimum_detectable_effect=definition.minimum_detectable_effect,
        per_arm=per_arm,
        reached=reached,
    )


def _cumulative(found: Sequence[Exposure], metric: str, arm: str) -> tuple[np.ndarray, np.ndarray]:
    """The arm's cumulative (successes, trials) on `metric` after each exposure, all arms'
    exposures counted as looks."""
    successes = np.array([e.outcomes[metric][0] if e.arm == arm else 0 for e in found])
    trials = np.array([e.outcomes[metric][1] if e.arm == arm else 0 for e in found])
    return np.cumsum(successes), np.cumsum(trials)


def _compare(
    definition: ExperimentDefinition,
    found: Sequence[Exposure],
    arm: str,
    control: str,
    totals: dict[str, dict[str, list[int]]],
    reached: bool,
) -> Comparison:
    metric = definition.primary_metric
    c, t = tuple(totals[control][metric]), tuple(totals[arm][metric])
    difference = t[0] / t[1] - c[0] / c[1] if c[1] and t[1] else None
    interval = difference_interval(c, t)  # type: ignore[arg-type]
    p_value = two_proportion_p_value(c, t)  # type: ignore[arg-type]
    cs, cn = _cumulative(found, metric, control)
    ts, tn = _cumulative(found, metric, arm)
    sequential = always_valid_p_value(cs, cn, ts, tn, tau=definition.minimum_detectable_effect)
    # Read once at the planned size, the fixed test is the more powerful; before it, only
    # the always-valid test may stop the experiment early.
    fixed_horizon = p_value is not None and p_value < ALPHA
    significant = fixed_horizon if reached else sequential < ALPHA
    better = None
    if significant and difference is not None:
        better = (difference > 0) == METRICS[metric].higher_is_better
    return Comparison(
        metric=metric,
        arm=arm,
        difference=None if difference is None else round(difference, 4),
        ci_low=None if interval is None else round(interval[0], 4),
        ci_high=None if interval is None else round(interval[1], 4),
        p_value=None if p_value is None else round(p_value, 6),
        always_valid_p_value=round(sequential, 6),
        planned_size_reached=reached,
        significant=significant,
        better=better,
    )


def _guard(
    found: Sequence[Exposure],
    metric: str,
    max_worsening: float,
    arm: str,
    control: str,
    totals: dict[str, dict[str, list[int]]],
    tau: float,
) -> GuardrailCheck:
    """Worse than control by more than `max_worsening`, by the one-sided always-valid test."""
    # "Worse" is up for a rate that should fall (hand-overs) and down for one that should rise.
    worse = -1.0 if METRICS[metric].higher_is_better else 1.0
    c, t = totals[control][metric], totals[arm][metric]
    worsening = worse * (t[0] / t[1] - c[0] / c[1]) if c[1] and t[1] else None
    cs, cn = _cumulative(found, metric, control)
    ts, tn = _cumulative(found, metric, arm)
    p_value = always_valid_p_value(
        cs, cn, ts, tn, tau=tau, null=worse * max_worsening, worse_if=worse
    )
    return GuardrailCheck(
        metric=metric,
        arm=arm,
        max_worsening=max_worsening,
        worsening=None if worsening is None else round(worsening, 4),
        always_valid_p_value=round(p_value, 6),
        breached=p_value < ALPHA,
    )
