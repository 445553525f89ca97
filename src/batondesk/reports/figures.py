"""The shapes of reported figures (also the JSON API's schema) and how they are summarised:
durations as mean, median and p90; rates beside the counts they come from."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from pydantic import BaseModel, Field


class DurationSummary(BaseModel):
    """Seconds, rounded to 0.1 s; null when nothing was measured."""

    count: int
    mean: float | None
    median: float | None
    p90: float | None = Field(description="90th percentile, linear between the closest ranks")


def summarise(seconds: Sequence[float]) -> DurationSummary:
    if not seconds:
        return DurationSummary(count=0, mean=None, median=None, p90=None)
    values = np.asarray(seconds, dtype=float)
    median, p90 = np.percentile(values, [50, 90])  # one sort for both
    return DurationSummary(
        count=len(values),
        mean=round(float(np.mean(values)), 1),
        median=round(float(median), 1),
        p90=round(float(p90), 1),
    )


def rate(numerator: int, denominator: int) -> float | None:
    """A share from 0 to 1, rounded to 4 decimals; null when there is nothing to share."""
    return round(numerator / denominator, 4) if denominator else None


class FirstResponse(DurationSummary):
    unanswered: int = Field(description="cycles handed to a person with no human reply")


class ResolutionTimes(BaseModel):
    first: DurationSummary
    full: DurationSummary
    unresolved: int


class ReopenRate(BaseModel):
    rate: float | None
    reopened: int
    resolved: int


class FirstContactResolution(BaseModel):
    rate: float | None
    yes: int
    no: int
    pending: int


class AutomatedResolution(BaseModel):
    rate: float | None = Field(description="automated resolutions / bot conversations")
    resolutions: int = Field(description="confirmed + assumed")
    autonomous: int
    assisted: int
    confirmed: int
    assumed: int
    pending: int
    removed: int = Field(description="returned within the durability window, or rated 1-3")
    provisional: int = Field(description="resolutions still within the durability window")
    bot_conversations: int


class ReasonShare(BaseModel):
    count: int
    rate: float | None


class HandOver(BaseModel):
    bot_conversations: int
    contained: int
    containment_rate: float | None
    handed_over: int
    hand_over_rate: float | None
    by_reason: dict[str, ReasonShare]


class Clarification(BaseModel):
    rate: float | None = Field(description="clarifying questions / bot turns")
    clarifications: int
    bot_turns: int
    conversation_rate: float | None
    conversations_with_clarification: int
    bot_conversations: int


class QueueWait(DurationSummary):
    still_waiting: int
    left_unassigned: int


class SlaShare(BaseModel):
    rate: float | None = Field(description="met / (met + missed)")
    met: int
    missed: int
    pending: int
    not_applicable: int


class Sla(BaseModel):
    first_response: SlaShare
    resolution: SlaShare


class CsatShare(BaseModel):
    rate: float | None = Field(description="ratings of 4 or 5 / ratings")
    ratings: int
    satisfied: int
    response_rate: float | None = Field(description="rated / resolved conversations")
    resolved: int


class Csat(CsatShare):
    bot_only: CsatShare
    human: CsatShare


class IntentPrecision(BaseModel):
    precision: float | None
    reviewed: int
    correct: int


class AnswerPrecision(BaseModel):
    precision: float | None = Field(description="right / reviewed")
    reviewed: int
    right: int
    wrong: int


class SampledPrecision(AnswerPrecision):
    sampled: int = Field(description="answers drawn into the random review sample")
    low: float | None = Field(description="95% Wilson interval, lower bound")
    high: float | None = Field(description="95% Wilson interval, upper bound")


class AnswerFeedback(BaseModel):
    """The customers' own "Did this answer your question? Yes / No" (the latest per answer)."""

    answers: int = Field(description="bot answers with feedback")
    helpful: int
    not_helpful: int
    helpful_share: float | None = Field(description="helpful / answers with feedback")


class AnswerReviews(BaseModel):
    """Agents' verdicts on the bot's answers (docs/metrics.md, "AI accuracy")."""

    answers: int = Field(description="bot answers citing an article")
    sample: SampledPrecision = Field(description="the random sample: an unbiased estimate")
    all_reviews: AnswerPrecision = Field(
        description="every review, and answers to questions an agent relabelled (biased "
        "towards answers someone noticed)"
    )
    wrong_flags: int = Field(description="answers whose latest verdict is wrong")
    wrong_by_reason: dict[str, int]
    customer_feedback: AnswerFeedback = Field(
        description='customers\' "Did this answer your question?": biased towards answers '
        "customers cared to judge, and not an agent's verdict"
    )


class AiAccuracy(IntentPrecision):
    by_intent: dict[str, IntentPrecision]
    answers: AnswerReviews


class Costs(BaseModel):
    """Amounts in `currency`, rounded to 4 decimals (docs/metrics.md, "Cost")."""

    currency: str
    conversations: int
    resolved: int = Field(description="conversations resolved at least once")
    total: float
    human: float = Field(description="agents' handling time x cost per hour")
    ai: float = Field(description="bot messages and LLM tokens")
    fixed: float
    human_share: float | None
    ai_share: float | None
    per_conversation: float | None
    per_resolution: float | None
    bot_messages: int
    llm_tokens: int
    handling: DurationSummary = Field(
        description="agents' handling time per conversation with a human reply"
    )
    baseline: float | None = Field(
        description="the same conversations, each handled by a person for the mean handling time"
    )
    savings: float | None = Field(description="baseline - total")
    savings_rate: float | None = Field(description="savings / baseline")


class SentimentShare(BaseModel):
    messages: int = Field(description="customer messages with a sentiment score")
    mean: float | None = Field(description="mean polarity, -1 (negative) to 1 (positive)")
    negative: int
    negative_share: float | None


class Sentiment(SentimentShare):
    by_day: dict[str, SentimentShare] = Field(
        description="every day of the period, by the local day the conversation was opened"
    )
    by_intent: dict[str, SentimentShare] = Field(description="by the conversation's intent")


class Kpis(BaseModel):
    """Every KPI of one period (docs/metrics.md)."""

    conversations: int = Field(description="conversations opened in the period")
    first_response: FirstResponse
    first_response_business_hours: FirstResponse
    resolution: ResolutionTimes
    reopen: ReopenRate
    first_contact_resolution: FirstContactResolution
    automated_resolution: AutomatedResolution
    hand_over: HandOver
    clarification: Clarification
    queue_wait: QueueWait
    sla: Sla
    csat: Csat
    ai_accuracy: AiAccuracy
    sentiment: Sentiment
    costs: Costs
