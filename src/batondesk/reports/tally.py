"""What the KPIs of a period are computed from, in a form that adds up: counts, sums and the
measured durations of each KPI, with how they turn into the reported figures.

The rules that fill a tally are in `kpis.py`. A tally of a period is the sum of the tallies of
its days (every rule counts a conversation, a response cycle or a queue entry in the one day
it starts in), which is what lets the reports keep one tally per day and dimension value
(`rollups.py`) and add them up instead of reading every event again. Durations are kept as
values, not as a sketch, so medians and p90s stay exact.
"""

from __future__ import annotations

import dataclasses
import functools
import struct
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
from statsmodels.stats.proportion import proportion_confint

from batondesk.reports.figures import (
    AiAccuracy,
    AnswerFeedback,
    AnswerPrecision,
    AnswerReviews,
    AutomatedResolution,
    Clarification,
    Costs,
    Csat,
    CsatShare,
    DurationSummary,
    FirstContactResolution,
    FirstResponse,
    HandOver,
    IntentPrecision,
    Kpis,
    QueueWait,
    ReasonShare,
    ReopenRate,
    ResolutionTimes,
    SampledPrecision,
    Sentiment,
    SentimentShare,
    Sla,
    SlaShare,
    rate,
    summarise,
)
from batondesk.reports.settings import CostSettings

# A stored tally's counts by their short codes (`KpiTally.to_record`); a sum kept in order
# holds a list of values to add one by one (`TallySum`).
Counts = dict[str, float | list[float]]

# Seconds measured for one duration KPI: every value (exact), or, when a report adds up more
# than its rows can carry cheaply, their log-spaced histogram (see `SecondsHistogram`).
Seconds = list[float]


# Histogram buckets: bucket i holds (GROWTH**(i-1), GROWTH**i] seconds, so a value read back
# as its bucket's midpoint is off by at most RELATIVE_ERROR (the scheme of DDSketch); values
# under a millisecond are counted as zero.
RELATIVE_ERROR = 0.005
GROWTH = (1 + RELATIVE_ERROR) / (1 - RELATIVE_ERROR)
_LOG_GROWTH = float(np.log(GROWTH))
_SMALLEST = 0.001
ZERO_BUCKET = np.iinfo(np.int16).min  # stands for values under _SMALLEST
_INT32 = struct.Struct("<i")  # a histogram's number of buckets


def histogram_of(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(bucket indices as int16, counts as int32) of `values` (seconds), sorted by bucket."""
    small = values < _SMALLEST
    indices = np.empty(len(values), dtype=np.int16)
    indices[small] = ZERO_BUCKET
    indices[~small] = np.ceil(np.log(values[~small]) / _LOG_GROWTH)
    buckets, counts = np.unique(indices, return_counts=True)
    return buckets.astype("<i2"), counts.astype("<i4")


@dataclass
class SecondsHistogram:
    """Many measured durations as counts per bucket, with their exact count and sum: the mean
    stays exact, the median and p90 are within RELATIVE_ERROR."""

    buckets: np.ndarray  # int16, ascending
    counts: np.ndarray  # int32
    total: float

    def __len__(self) -> int:
        return int(self.counts.sum())

    def percentile(self, q: float) -> float:
        """Like numpy's linear percentile, each value read as its bucket's midpoint."""
        return self.percentiles(q)[0]

    def percentiles(self, *qs: float) -> list[float]:
        """`percentile` of each of `qs`, from one cumulative count."""
        ranks = np.cumsum(self.counts)
        return [self._percentile(ranks, q) for q in qs]

    def _percentile(self, ranks: np.ndarray, q: float) -> float:
        position = (ranks[-1] - 1) * q / 100
        below = int(np.floor(position))

        def value(rank: int) -> float:
            bucket = int(self.buckets[np.searchsorted(ranks, rank, side="right")])
            return 0.0 if bucket == ZERO_BUCKET else 2 * GROWTH**bucket / (GROWTH + 1)

        low = value(below)
        return low + (position - below) * (value(min(below + 1, int(ranks[-1]) - 1)) - low)


def summarise_seconds(values: Seconds | SecondsHistogram) -> DurationSummary:
    if isinstance(values, list):
        return summarise(values)
    count = len(values)
    if not count:
        return DurationSummary(count=0, mean=None, median=None, p90=None)
    median, p90 = values.percentiles(50, 90)
    return DurationSummary(
        count=count, mean=round(values.total / count, 1), median=round(median, 1), p90=round(p90, 1)
    )


def _total(values: Seconds | SecondsHistogram) -> float:
    return sum(values) if isinstance(values, list) else values.total


@dataclass
class FirstResponseTally:
    waits: Seconds = field(default_factory=list)
    unanswered: int = 0

    def figure(self) -> FirstResponse:
        return FirstResponse(
            **summarise_seconds(self.waits).model_dump(), unanswered=self.unanswered
        )


@dataclass
class ResolutionTally:
    first: Seconds = field(default_factory=list)
    full: Seconds = field(default_factory=list)
    conversations: int = 0

    def figure(self) -> ResolutionTimes:
        return ResolutionTimes(
            first=summarise_seconds(self.first),
            full=summarise_seconds(self.full),
            unresolved=self.conversations - len(self.full),
        )


@dataclass
class ReopenTally:
    reopened: int = 0
    resolved: int = 0

    def figure(self) -> ReopenRate:
        return ReopenRate(
            rate=rate(self.reopened, self.resolved), reopened=self.reopened, resolved=self.resolved
        )


@dataclass
class FirstContactTally:
    yes: int = 0
    no: int = 0
    pending: int = 0

    def figure(self) -> FirstContactResolution:
        return FirstContactResolution(
            rate=rate(self.yes, self.yes + self.no), yes=self.yes, no=self.no, pending=self.pending
        )


@dataclass
class AutomatedTally:
    bot_conversations: int = 0
    autonomous: int = 0
    assisted: int = 0
    confirmed: int = 0
    assumed: int = 0
    pending: int = 0
    removed: int = 0
    provisional: int = 0

    def figure(self) -> AutomatedResolution:
        resolutions = self.confirmed + self.assumed
        return AutomatedResolution(
            rate=rate(resolutions, self.bot_conversations),
            resolutions=resolutions,
            autonomous=self.autonomous,
            assisted=self.assisted,
            confirmed=self.confirmed,
            assumed=self.assumed,
            pending=self.pending,
            removed=self.removed,
            provisional=self.provisional,
            bot_conversations=self.bot_conversations,
        )


@dataclass
class HandOverTally:
    bot_conversations: int = 0
    reasons: dict[str, int] = field(default_factory=dict)

    def figure(self) -> HandOver:
        handed_over = sum(self.reasons.values())
        total = self.bot_conversations
        return HandOver(
            bot_conversations=total,
            contained=total - handed_over,
            containment_rate=rate(total - handed_over, total),
            handed_over=handed_over,
            hand_over_rate=rate(handed_over, total),
            by_reason={
                reason: ReasonShare(count=count, rate=rate(count, total))
                for reason, count in sorted(self.reasons.items())
            },
        )


@dataclass
class ClarificationTally:
    questions: int = 0
    turns: int = 0
    asked: int = 0
    bot_conversations: int = 0

    def figure(self) -> Clarification:
        return Clarification(
            rate=rate(self.questions, self.turns),
            clarifications=self.questions,
            bot_turns=self.turns,
            conversation_rate=rate(self.asked, self.bot_conversations),
            conversations_with_clarification=self.asked,
            bot_conversations=self.bot_conversations,
        )


@dataclass
class QueueWaitTally:
    waits: Seconds = field(default_factory=list)
    still_waiting: int = 0
    left_unassigned: int = 0

    def figure(self) -> QueueWait:
        return QueueWait(
            **summarise_seconds(self.waits).model_dump(),
            still_waiting=self.still_waiting,
            left_unassigned=self.left_unassigned,
        )


@dataclass
class SlaTally:
    """Outcomes ("met", "missed", "pending", "not_applicable") of each target."""

    first_response: dict[str, int] = field(default_factory=dict)
    resolution: dict[str, int] = field(default_factory=dict)

    def figure(self) -> Sla:
        return Sla(
            first_response=_sla_share(self.first_response),
            resolution=_sla_share(self.resolution),
        )


@dataclass
class CsatShareTally:
    ratings: int = 0
    satisfied: int = 0
    resolved: int = 0

    def figure(self) -> CsatShare:
        return CsatShare(
            rate=rate(self.satisfied, self.ratings),
            ratings=self.ratings,
            satisfied=self.satisfied,
            response_rate=rate(self.ratings, self.resolved),
            resolved=self.resolved,
        )


@dataclass
class CsatTally:
    everyone: CsatShareTally = field(default_factory=CsatShareTally)
    bot_only: CsatShareTally = field(default_factory=CsatShareTally)
    human: CsatShareTally = field(default_factory=CsatShareTally)

    def figure(self) -> Csat:
        return Csat(
            **self.everyone.figure().model_dump(),
            bot_only=self.bot_only.figure(),
            human=self.human.figure(),
        )


@dataclass
class PrecisionTally:
    reviewed: int = 0
    correct: int = 0

    def figure(self) -> IntentPrecision:
        return IntentPrecision(
            precision=rate(self.correct, self.reviewed),
            reviewed=self.reviewed,
            correct=self.correct,
        )


@dataclass
class AnswerReviewsTally:
    answers: int = 0
    sampled: int = 0
    sample_right: int = 0
    sample_wrong: int = 0
    all_right: int = 0
    all_wrong: int = 0
    wrong_reasons: dict[str, int] = field(default_factory=dict)
    # The customers' latest "Did this answer your question?" per answer.
    feedback_helpful: int = 0
    feedback_not_helpful: int = 0

    def figure(self) -> AnswerReviews:
        reviewed = self.sample_right + self.sample_wrong
        low = high = None
        if reviewed:
            low, high = _wilson_interval(self.sample_right, reviewed)
        return AnswerReviews(
            answers=self.answers,
            sample=SampledPrecision(
                **_answer_precision(self.sample_right, self.sample_wrong).model_dump(),
                sampled=self.sampled,
                low=low,
                high=high,
            ),
            all_reviews=_answer_precision(self.all_right, self.all_wrong),
            wrong_flags=sum(self.wrong_reasons.values()),
            wrong_by_reason=dict(sorted(self.wrong_reasons.items())),
            customer_feedback=AnswerFeedback(
                answers=self.feedback_helpful + self.feedback_not_helpful,
                helpful=self.feedback_helpful,
                not_helpful=self.feedback_not_helpful,
                helpful_share=rate(
                    self.feedback_helpful, self.feedback_helpful + self.feedback_not_helpful
                ),
            ),
        )


@functools.lru_cache(maxsize=4096)
def _wilson_interval(right: int, reviewed: int) -> tuple[float, float]:
    """The 95% Wilson interval of `right` of `reviewed`, rounded like rates. Cached: the groups
    of a breakdown ask for the same few small counts again and again."""
    bounds = proportion_confint(right, reviewed, alpha=0.05, method="wilson")
    low, high = (round(float(b), 4) for b in bounds)
    return low, high


@dataclass
class AiAccuracyTally:
    by_intent: dict[str, PrecisionTally] = field(default_factory=dict)
    answers: AnswerReviewsTally = field(default_factory=AnswerReviewsTally)

    def figure(self) -> AiAccuracy:
        overall = PrecisionTally(
            sum(t.reviewed for t in self.by_intent.values()),
            sum(t.correct for t in self.by_intent.values()),
        )
        return AiAccuracy(
            **overall.figure().model_dump(),
            by_intent={i: self.by_intent[i].figure() for i in sorted(self.by_intent)},
            answers=self.answers.figure(),
        )


@dataclass
class SentimentShareTally:
    messages: int = 0
    # The messages' polarities added up in millionths: an integer, so that days' tallies added
    # in any order give exactly the sum of their messages (float sums depend on the order, and
    # the rounded mean then differed in its last digit between a report and its recount).
    total_millionths: int = 0
    negative: int = 0

    def figure(self) -> SentimentShare:
        return SentimentShare(**self.fields())

    def fields(self) -> dict[str, Any]:
        return {
            "messages": self.messages,
            "mean": round(self.total_millionths / self.messages / 1e6, 4)
            if self.messages
            else None,
            "negative": self.negative,
            "negative_share": rate(self.negative, self.messages),
        }


_NO_SENTIMENT = SentimentShareTally().fields()  # a day with no message (read only)


@functools.lru_cache(maxsize=256)
def _iso_days(first_day: date, days: int) -> tuple[str, ...]:
    """The ISO dates of `days` days from `first_day` (the same for every group of a report)."""
    return tuple((first_day + timedelta(days=d)).isoformat() for d in range(days))


@dataclass
class SentimentTally:
    everything: SentimentShareTally = field(default_factory=SentimentShareTally)
    by_day: dict[str, SentimentShareTally] = field(default_factory=dict)
    by_intent: dict[str, SentimentShareTally] = field(default_factory=dict)

    def figure(self, days: Sequence[str]) -> Sentiment:
        """`days`: every day of the period (ISO dates), in order (a day with no message is
        shown empty)."""
        by_day = self.by_day
        # Validated in one pass from plain values: a breakdown over 90 days holds thousands.
        return Sentiment.model_validate(
            {
                **self.everything.fields(),
                "by_day": {
                    day: tally.fields() if (tally := by_day.get(day)) else _NO_SENTIMENT
                    for day in days
                },
                "by_intent": {i: self.by_intent[i].fields() for i in sorted(self.by_intent)},
            }
        )


@dataclass
class CostsTally:
    """What the conversations used; priced by the account's cost model when read, so that a
    change of prices needs no recount."""

    conversations: int = 0
    resolved: int = 0
    handling_seconds: float = 0.0  # every conversation's
    human_handling: Seconds = field(default_factory=list)  # those a person replied in
    bot_messages: int = 0
    llm_tokens: int = 0

    def figure(self, model: CostSettings) -> Costs:
        human = self.handling_seconds / 3600 * model.agent_cost_per_hour
        ai = (
            self.bot_messages * model.ai_cost_per_bot_message
            + self.llm_tokens / 1000 * model.ai_cost_per_1k_tokens
        )
        fixed = self.conversations * model.fixed_cost_per_conversation
        total = human + ai + fixed
        handling = summarise_seconds(self.human_handling)
        baseline = savings = None
        if handling.count:
            # Unrounded: the summary's mean is rounded to 0.1 s for display.
            mean_hours = _total(self.human_handling) / handling.count / 3600
            baseline = self.conversations * mean_hours * model.agent_cost_per_hour + fixed
            savings = baseline - total
        return Costs(
            currency=model.currency,
            conversations=self.conversations,
            resolved=self.resolved,
            total=_money(total),
            human=_money(human),
            ai=_money(ai),
            fixed=_money(fixed),
            human_share=_share(human, total),
            ai_share=_share(ai, total),
            per_conversation=_money(total / self.conversations) if self.conversations else None,
            per_resolution=_money(total / self.resolved) if self.resolved else None,
            bot_messages=self.bot_messages,
            llm_tokens=self.llm_tokens,
            handling=handling,
            baseline=None if baseline is None else _money(baseline),
            savings=None if savings is None else _money(savings),
            savings_rate=None if savings is None or baseline is None else _share(savings, baseline),
        )


@dataclass
class KpiTally:
    """Every KPI of one period (or day), before it is summarised. `changes_at` is the first
    moment after the tally's `as_of` at which one of its outcomes would change with no new
    event (a pending first-contact resolution settling, a service-level target falling due);
    None when none would."""

    conversations: int = 0
    first_response: FirstResponseTally = field(default_factory=FirstResponseTally)
    first_response_business_hours: FirstResponseTally = field(default_factory=FirstResponseTally)
    resolution: ResolutionTally = field(default_factory=ResolutionTally)
    reopen: ReopenTally = field(default_factory=ReopenTally)
    first_contact_resolution: FirstContactTally = field(default_factory=FirstContactTally)
    automated_resolution: AutomatedTally = field(default_factory=AutomatedTally)
    hand_over: HandOverTally = field(default_factory=HandOverTally)
    clarification: ClarificationTally = field(default_factory=ClarificationTally)
    queue_wait: QueueWaitTally = field(default_factory=QueueWaitTally)
    sla: SlaTally = field(default_factory=SlaTally)
    csat: CsatTally = field(default_factory=CsatTally)
    ai_accuracy: AiAccuracyTally = field(default_factory=AiAccuracyTally)
    sentiment: SentimentTally = field(default_factory=SentimentTally)
    costs: CostsTally = field(default_factory=CostsTally)
    changes_at: datetime | None = None

    def changes(self, moment: datetime, as_of: datetime) -> None:
        """Note that an outcome counted now changes at `moment` (if after `as_of`)."""
        if moment > as_of and (self.changes_at is None or moment < self.changes_at):
            self.changes_at = moment

    def figures(self, first_day: date, days: int, costs: CostSettings) -> Kpis:
        """The reported figures of the period of `days` days from `first_day`."""
        return Kpis(
            conversations=self.conversations,
            first_response=self.first_response.figure(),
            first_response_business_hours=self.first_response_business_hours.figure(),
            resolution=self.resolution.figure(),
            reopen=self.reopen.figure(),
            first_contact_resolution=self.first_contact_resolution.figure(),
            automated_resolution=self.automated_resolution.figure(),
            hand_over=self.hand_over.figure(),
            clarification=self.clarification.figure(),
            queue_wait=self.queue_wait.figure(),
            sla=self.sla.figure(),
            csat=self.csat.figure(),
            ai_accuracy=self.ai_accuracy.figure(),
            sentiment=self.sentiment.figure(_iso_days(first_day, days)),
            costs=self.costs.figure(costs),
        )

    # --- storage: counts as JSON, durations as one array of float64 -------------------------

    def to_record(self) -> tuple[dict[str, float], bytes]:
        """(counts, durations): every count that is not zero, keyed by a short code (see
        `_leaves`: a code per number field, per dict entry and field, and per list of seconds
        for its length and its sum), and those lists' values one after another, in the order
        of LIST_PATHS, as little-endian float64. `changes_at` is stored apart."""
        # Written out field by field rather than by walking the dataclasses: a day's tallies
        # are built from one record per conversation.
        counts: dict[str, float] = {}
        for path, code in _SCALARS:
            value: Any = self
            for name in path:
                value = getattr(value, name)
            if value:
                counts[code] = value
        for path, code, item_fields in _DICTS:
            for name, value in _get(self, path).items():
                if not item_fields:
                    if value:
                        counts[f"{code}:{name}"] = value
                    continue
                for index, field_name in enumerate(item_fields):
                    if number := getattr(value, field_name):
                        counts[f"{code}:{name}:{index}"] = number
        blobs = []
        for path, (length_code, sum_code) in zip(LIST_PATHS, _LIST_CODES, strict=True):
            seconds = _get(self, path)
            if seconds:
                counts[length_code] = len(seconds)
                counts[sum_code] = float(sum(seconds))
                blobs.append(np.asarray(seconds, dtype="<f8").tobytes())
        return counts, b"".join(blobs)

    @classmethod
    def from_record(
        cls, counts: Counts, durations: bytes, changes_at: datetime | None = None
    ) -> KpiTally:
        summed = TallySum()
        summed.add_record(counts, durations, changes_at)
        return summed.tally()


class TallySum:
    """Adds tallies up from their records, without building each one: counts are added key by
    key, and durations kept as arrays until the end (a 90-day breakdown adds thousands of
    rows). Durations come either as values (`add_record`) or as histograms
    (`add_histogram_record`), not both.

    Counts that are not whole numbers (sums of seconds, of polarities) are added one by one in
    the order the records come, and floating-point addition is not associative: the same
    records added in other groups could differ in the last bit, and a figure rounded at a tie
    (the mean of a few 4-decimal polarities) with it. With `in_order`, the sum's `record()`
    keeps such a count as the list of the values added, in order, and adding that record adds
    them one by one: exactly what adding each of the records would have done (a week's sums
    standing for its seven days)."""

    def __init__(self, *, in_order: bool = False) -> None:
        self.counts: dict[str, float] = {}
        self.values: list[list[np.ndarray]] = [[] for _ in LIST_PATHS]
        self.histograms: list[list[tuple[np.ndarray, np.ndarray]]] = [[] for _ in LIST_PATHS]
        self.changes_at: datetime | None = None
        self.added: dict[str, list[float]] | None = defaultdict(list) if in_order else None

    def _add_counts(self, counts: Counts, changes_at: datetime | None) -> None:
        mine = self.counts
        get = mine.get
        for key, value in counts.items():
            if value.__class__ is list:  # values to add one by one (see the class)
                total = get(key, 0)
                for part in value:
                    total += part
                mine[key] = total
            else:
                mine[key] = get(key, 0) + value
        if self.added is not None:
            for key, value in counts.items():
                self.added[key] += value if value.__class__ is list else [value]
        if changes_at is not None and (self.changes_at is None or changes_at < self.changes_at):
            self.changes_at = changes_at

    def add_record(
        self, counts: Counts, durations: bytes, changes_at: datetime | None = None
    ) -> None:
        self._add_counts(counts, changes_at)
        values = np.frombuffer(durations, dtype="<f8")
        offset = 0
        for part, (length_code, _) in zip(self.values, _LIST_CODES, strict=True):
            length = int(counts.get(length_code, 0))
            if length:
                part.append(values[offset : offset + length])
                offset += length

    def add_histogram_record(
        self, counts: Counts, histogram: bytes, changes_at: datetime | None = None
    ) -> None:
        self._add_counts(counts, changes_at)
        offset = 0
        for part in self.histograms:
            (size,) = _INT32.unpack_from(histogram, offset)
            offset += 4
            if size:
                buckets = np.frombuffer(histogram, dtype="<i2", count=size, offset=offset)
                counts_of = np.frombuffer(
                    histogram, dtype="<i4", count=size, offset=offset + 2 * size
                )
                part.append((buckets, counts_of))
            offset += 6 * size

    def add(self, tally: KpiTally) -> None:
        counts, durations = tally.to_record()
        self.add_record(counts, durations, tally.changes_at)

    def record(self) -> tuple[Counts, bytes, bytes]:
        """(counts, durations, histogram) of the sum of values added: see
        `KpiTally.to_record` (with `in_order`, a count that is not a whole number and was
        added more than once is the list of its values); the histogram holds, per list of
        LIST_PATHS, its number of buckets (int32), their indices (int16) and their counts
        (int32)."""
        counts: Counts = dict(self.counts)
        for key, values in (self.added or {}).items():
            if len(values) > 1 and any(value.__class__ is not int for value in values):
                counts[key] = values
        merged = [np.concatenate(part) if part else np.empty(0) for part in self.values]
        durations = np.concatenate(merged).astype("<f8").tobytes() if merged else b""
        histogram = bytearray()
        for values in merged:
            buckets, counts_of = histogram_of(values)
            histogram += np.int32(len(buckets)).astype("<i4").tobytes()
            histogram += buckets.tobytes() + counts_of.tobytes()
        return counts, durations, bytes(histogram)

    @property
    def measured(self) -> int:
        """How many durations were added."""
        return int(sum(self.counts.get(length_code, 0) for length_code, _ in _LIST_CODES))

    def tally(self) -> KpiTally:
        tally = _from_flat_counts(self.counts)
        for (_, sum_code), path, values, histograms in zip(
            _LIST_CODES, LIST_PATHS, self.values, self.histograms, strict=True
        ):
            if histograms:
                total = self.counts.get(sum_code, 0)
                _set(tally, path, _merged_histogram(histograms, total))
            else:
                _set(tally, path, np.concatenate(values).tolist() if values else [])
        tally.changes_at = self.changes_at
        return tally


def _merged_histogram(parts: list[tuple[np.ndarray, np.ndarray]], total: float) -> SecondsHistogram:
    # Counted over the range of the buckets present (a few thousand at most: log-spaced from a
    # millisecond to years), with values under a millisecond apart: their bucket lies far below
    # the others. Linear in the number of buckets, where sorting them was not.
    buckets = np.concatenate([b for b, _ in parts]).astype(np.int32)
    weights = np.concatenate([c for _, c in parts]).astype(np.int64)
    zero = buckets == ZERO_BUCKET
    zeros = int(weights[zero].sum())
    if zeros:
        buckets, weights = buckets[~zero], weights[~zero]
    present = np.empty(0, dtype=np.int32)
    summed = np.empty(0, dtype=np.int64)
    if len(buckets):
        low = int(buckets.min())
        by_bucket = np.bincount(buckets - low, weights=weights)
        offsets = np.flatnonzero(by_bucket)  # every bucket present holds at least one value
        present, summed = offsets + low, by_bucket[offsets].astype(np.int64)
    if zeros:
        present = np.concatenate([[ZERO_BUCKET], present])
        summed = np.concatenate([[zeros], summed])
    return SecondsHistogram(present.astype(np.int16), summed.astype(np.int64), total)


def _is_tally(value: object) -> bool:
    return hasattr(type(value), "__dataclass_fields__")


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    """The fields of a tally class that are counted (`changes_at` is stored apart)."""
    return tuple(f.name for f in dataclasses.fields(cls) if f.name != "changes_at")


def _list_paths(tally: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = []
    for spec in dataclasses.fields(tally):
        value = getattr(tally, spec.name)
        if isinstance(value, list):
            paths.append((*prefix, spec.name))
        elif _is_tally(value):
            paths += _list_paths(value, (*prefix, spec.name))
    return paths


def _get(tally: Any, path: tuple[str, ...]) -> Any:
    for name in path:
        tally = getattr(tally, name)
    return tally


def _set(tally: Any, path: tuple[str, ...], value: Any) -> None:
    setattr(_get(tally, path[:-1]), path[-1], value)


# Which tally a dict field holds (JSON does not say).
_DICT_ITEMS: dict[tuple[str, str], type] = {
    ("AiAccuracyTally", "by_intent"): PrecisionTally,
    ("SentimentTally", "by_day"): SentimentShareTally,
    ("SentimentTally", "by_intent"): SentimentShareTally,
}


def _sla_share(outcomes: dict[str, int]) -> SlaShare:
    met, missed = outcomes.get("met", 0), outcomes.get("missed", 0)
    return SlaShare(
        rate=rate(met, met + missed),
        met=met,
        missed=missed,
        pending=outcomes.get("pending", 0),
        not_applicable=outcomes.get("not_applicable", 0),
    )


def _answer_precision(right: int, wrong: int) -> AnswerPrecision:
    return AnswerPrecision(
        precision=rate(right, right + wrong), reviewed=right + wrong, right=right, wrong=wrong
    )


def _money(amount: float) -> float:
    return round(amount, 4)


def _share(part: float, whole: float) -> float | None:
    """A share of an amount, rounded like rates; null when the whole is nothing."""
    return round(part / whole, 4) if whole else None


# Where a tally keeps lists of seconds (never inside a dict), in the order records store them.
LIST_PATHS: list[tuple[str, ...]] = _list_paths(KpiTally())
# Stored counts are keyed by short codes rather than their paths: a 90-day breakdown by intent
# decodes some 14,000 rows, and the paths were most of their bytes. Codes follow the order of
# the fields, so adding or moving a field needs rollups.RULES_VERSION bumped (a recount).
_LIST_CODES = [(f"l{i}", f"s{i}") for i in range(len(LIST_PATHS))]


def _leaves(
    tally: Any,
    prefix: tuple[str, ...] = (),
    numbers: list[tuple[tuple[str, ...], str]] | None = None,
    dicts: list[tuple[tuple[str, ...], str, tuple[str, ...]]] | None = None,
) -> tuple[list[tuple[tuple[str, ...], str]], list[tuple[tuple[str, ...], str, tuple[str, ...]]]]:
    """(number fields with their codes, dict fields with their codes and the counted fields
    of the tallies they hold, none when they hold plain numbers), in field order."""
    numbers = [] if numbers is None else numbers
    dicts = [] if dicts is None else dicts
    for name in _field_names(type(tally)):
        path = (*prefix, name)
        value = getattr(tally, name)
        if isinstance(value, list):
            continue
        if isinstance(value, dict):
            item = _DICT_ITEMS.get((type(tally).__name__, name))
            dicts.append((path, f"d{len(dicts)}", _field_names(item) if item else ()))
        elif _is_tally(value):
            _leaves(value, path, numbers, dicts)
        else:
            numbers.append((path, f"n{len(numbers)}"))
    return numbers, dicts


_SCALARS, _DICTS = _leaves(KpiTally())
_DICT_BY_CODE = {code: (path, item_fields) for path, code, item_fields in _DICTS}


def _by_holder(
    numbers: list[tuple[tuple[str, ...], str]],
) -> dict[tuple[str, ...], list[tuple[str, str]]]:
    """The number fields by the path of the tally holding them: (field name, code) each."""
    holders: dict[tuple[str, ...], list[tuple[str, str]]] = defaultdict(list)
    for path, code in numbers:
        holders[path[:-1]].append((path[-1], code))
    return dict(holders)


# So that each tally holding numbers is found once per tally read back, not once per number.
_SCALARS_BY_HOLDER = _by_holder(_SCALARS)


def _from_flat_counts(counts: dict[str, float]) -> KpiTally:
    """The tally whose counts `to_record` wrote into `counts` (lists of seconds left
    empty)."""
    tally = KpiTally()
    for holder_path, fields in _SCALARS_BY_HOLDER.items():
        holder = _get(tally, holder_path)
        for name, code in fields:
            if value := counts.get(code):
                setattr(holder, name, value)
    held_by_path: dict[tuple[str, ...], dict[str, Any]] = {}
    for key, value in counts.items():
        place = _dict_place(key)
        if place is None:
            continue
        path, name, field_name, item_class = place
        held = held_by_path.get(path)
        if held is None:
            held = held_by_path[path] = _get(tally, path)
        if item_class is None:
            held[name] = value
        else:
            item = held.get(name)
            if item is None:
                item = held[name] = item_class()
            setattr(item, field_name, value)
    return tally


@functools.lru_cache(maxsize=65_536)
def _dict_place(key: str) -> tuple[tuple[str, ...], str, str, type | None] | None:
    """Where a count belongs when it is a dict entry ("<code>:<name>", or
    "<code>:<name>:<field index>" for a dict of tallies): (the dict's path, the entry's
    name, the field of the entry's tally or "", that tally's class or None); None for any
    other count. Keys repeat from group to group and day to day, hence the cache. Names may
    hold ":" themselves: the code comes first and the field index last."""
    code, _, rest = key.partition(":")
    found = _DICT_BY_CODE.get(code) if rest else None
    if found is None:
        return None
    path, item_fields = found
    if not item_fields:
        return path, rest, "", None
    name, _, index = rest.rpartition(":")
    return path, name, item_fields[int(index)], _DICT_ITEMS_BY_FIELDS[item_fields]


_DICT_ITEMS_BY_FIELDS = {_field_names(item): item for item in _DICT_ITEMS.values()}
