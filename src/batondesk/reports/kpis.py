"""Every KPI rule, in one place: conversations' histories in, the figures of one period out.

docs/metrics.md states each rule in words, in the same order, using the words defined in
`definitions.py`; the golden test
(tests/reports/test_golden_kpis.py) pins them. Pure: no database, no clock (the moment the
report is computed, `as_of`, is given).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from statsmodels.stats.proportion import proportion_confint

from batondesk.handoff.office_hours import open_seconds
from batondesk.handoff.settings import OfficeHours
from batondesk.reports.definitions import (
    BOT_MESSAGES,
    HANDLING_ACTIONS,
    HUMAN_REPLY,
    MAX_ACTION,
    MAX_WRITING,
    NEGATIVE_UP_TO,
    NOT_IN_THE_CONVERSATION,
    SATISFIED_FROM,
    WRITING,
    ReportContext,
    conversation_intent,
    hand_over_reason,
    in_review_sample,
    is_bot_answer,
    is_bot_conversation,
    latest_reviews,
    message_labels,
    message_sentiments,
    resolved_as_of,
    returned,
    review_sample_key,
)
from batondesk.reports.figures import (
    AiAccuracy,
    AnswerPrecision,
    AnswerReviews,
    AutomatedResolution,
    Clarification,
    Costs,
    Csat,
    CsatShare,
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
from batondesk.reports.history import ConversationHistory, LoggedEvent
from batondesk.reports.period import ReportPeriod
from batondesk.reports.settings import CostSettings

T = TypeVar("T")

# A person acting in a conversation without replying (resolving it is not counted).
PERSON_ACTED = (
    "conversation.escalated",
    "conversation.assigned",
    "agent.noted",
    "conversation.handed_back",
    "message.intent_corrected",
)

# --- first response time ---------------------------------------------------------------------


@dataclass(frozen=True)
class ResponseCycle:
    start: datetime
    first_reply_at: datetime | None
    handed_to_person: bool


def response_cycles(history: ConversationHistory) -> list[ResponseCycle]:
    """One cycle from the opening and one from each reopen, each until the next begins."""
    starts = [history.opened_at] + [e.at for e in history.of_type("conversation.reopened")]
    cycles = []
    for start, end in _each_with_next(starts):
        reply = history.first(HUMAN_REPLY, at_or_after=start, before=end)
        handed = history.first(
            "conversation.escalated", "conversation.assigned", at_or_after=start, before=end
        )
        cycles.append(
            ResponseCycle(start, reply.at if reply else None, reply is not None or bool(handed))
        )
    return cycles


def first_response(
    histories: Sequence[ConversationHistory],
    period: ReportPeriod,
    hours: OfficeHours | None,
    *,
    business_hours: bool,
) -> FirstResponse:
    waits: list[float] = []
    unanswered = 0
    for history in histories:
        for cycle in response_cycles(history):
            if not period.contains(cycle.start) or not cycle.handed_to_person:
                continue
            if cycle.first_reply_at is None:
                unanswered += 1
            elif business_hours:
                waits.append(open_seconds(hours, cycle.start, cycle.first_reply_at))
            else:
                waits.append((cycle.first_reply_at - cycle.start).total_seconds())
    return FirstResponse(**summarise(waits).model_dump(), unanswered=unanswered)


# --- resolution ------------------------------------------------------------------------------


def resolution_times(cohort: Sequence[ConversationHistory]) -> ResolutionTimes:
    first, full = [], []
    for history in cohort:
        resolved = history.first("conversation.resolved")
        if resolved is not None:
            first.append((resolved.at - history.opened_at).total_seconds())
        latest = resolved_as_of(history)
        if latest is not None:
            full.append((latest.at - history.opened_at).total_seconds())
    return ResolutionTimes(
        first=summarise(first), full=summarise(full), unresolved=len(cohort) - len(full)
    )


def reopen_rate(cohort: Sequence[ConversationHistory]) -> ReopenRate:
    resolved = [h for h in cohort if h.first("conversation.resolved") is not None]
    reopened = sum(1 for h in resolved if h.first("conversation.reopened") is not None)
    return ReopenRate(rate=rate(reopened, len(resolved)), reopened=reopened, resolved=len(resolved))


def first_contact_outcome(history: ConversationHistory, context: ReportContext) -> str | None:
    """Resolved at first contact: "yes", "no", or "pending" while the window is open; None
    when the conversation was never resolved."""
    resolved = history.first("conversation.resolved")
    if resolved is None:
        return None
    since, window = resolved.at, context.windows.repeat_contact
    if history.count(HUMAN_REPLY, before=since) > 1:
        return "no"
    if any(since < e.at <= since + window for e in history.of_type("conversation.reopened")):
        return "no"
    intent = conversation_intent(history)
    for visit in context.visits.get(history.contact_id, []):
        if (
            visit.conversation_id != history.id
            and since < visit.opened_at <= since + window
            and _same_topic(intent, visit.intent)
        ):
            return "no"
    return "yes" if context.as_of >= since + window else "pending"


def first_contact_resolution(
    cohort: Sequence[ConversationHistory], context: ReportContext
) -> FirstContactResolution:
    outcomes = Counter(first_contact_outcome(h, context) for h in cohort)
    return FirstContactResolution(
        rate=rate(outcomes["yes"], outcomes["yes"] + outcomes["no"]),
        yes=outcomes["yes"],
        no=outcomes["no"],
        pending=outcomes["pending"],
    )


@dataclass(frozen=True)
class AutomatedOutcome:
    assisted: bool
    outcome: str  # "confirmed", "assumed", "pending" or "removed"
    provisional: bool


def automated_outcome(
    history: ConversationHistory, context: ReportContext
) -> AutomatedOutcome | None:
    """None unless the first resolution came while the bot held the conversation, with no
    human reply before it and at least one answer of the bot citing an article."""
    resolved = history.first("conversation.resolved")
    if resolved is None or resolved.payload.get("from_status") != "bot":
        return None
    since = resolved.at
    if history.count(HUMAN_REPLY, before=since):
        return None
    if not any(
        e.payload.get("article_ids") and e.at < since for e in history.of_type("bot.replied")
    ):
        return None
    assisted = any(e.at < since for e in history.of_type(*PERSON_ACTED))
    score = _rating_of_resolution(history, since)
    windows = context.windows
    if returned(history, context, since, windows.durability) or (
        score is not None and score < SATISFIED_FROM
    ):
        outcome = "removed"
    elif score is not None:
        outcome = "confirmed"
    elif context.as_of >= since + windows.confirmation:
        outcome = "assumed"
    else:
        outcome = "pending"
    provisional = outcome in ("confirmed", "assumed") and context.as_of < since + windows.durability
    return AutomatedOutcome(assisted, outcome, provisional)


def automated_resolution(
    cohort: Sequence[ConversationHistory], context: ReportContext
) -> AutomatedResolution:
    bot_conversations = [h for h in cohort if is_bot_conversation(h)]
    outcomes = [o for h in bot_conversations if (o := automated_outcome(h, context)) is not None]
    counted = [o for o in outcomes if o.outcome in ("confirmed", "assumed")]
    kinds = Counter(o.outcome for o in outcomes)
    return AutomatedResolution(
        rate=rate(len(counted), len(bot_conversations)),
        resolutions=len(counted),
        autonomous=sum(1 for o in counted if not o.assisted),
        assisted=sum(1 for o in counted if o.assisted),
        confirmed=kinds["confirmed"],
        assumed=kinds["assumed"],
        pending=kinds["pending"],
        removed=kinds["removed"],
        provisional=sum(1 for o in counted if o.provisional),
        bot_conversations=len(bot_conversations),
    )


# --- the bot's share -------------------------------------------------------------------------


def hand_over(cohort: Sequence[ConversationHistory]) -> HandOver:
    bot_conversations = [h for h in cohort if is_bot_conversation(h)]
    reasons = Counter(
        reason for h in bot_conversations if (reason := hand_over_reason(h)) is not None
    )
    handed_over = sum(reasons.values())
    total = len(bot_conversations)
    return HandOver(
        bot_conversations=total,
        contained=total - handed_over,
        containment_rate=rate(total - handed_over, total),
        handed_over=handed_over,
        hand_over_rate=rate(handed_over, total),
        by_reason={
            reason: ReasonShare(count=count, rate=rate(count, total))
            for reason, count in sorted(reasons.items())
        },
    )


def clarification(cohort: Sequence[ConversationHistory]) -> Clarification:
    bot_conversations = [h for h in cohort if is_bot_conversation(h)]
    turns = sum(h.count("message.understood") for h in bot_conversations)
    questions = sum(h.count("bot.clarified") for h in bot_conversations)
    asked = sum(1 for h in bot_conversations if h.first("bot.clarified") is not None)
    return Clarification(
        rate=rate(questions, turns),
        clarifications=questions,
        bot_turns=turns,
        conversation_rate=rate(asked, len(bot_conversations)),
        conversations_with_clarification=asked,
        bot_conversations=len(bot_conversations),
    )


# --- the queue and its targets ---------------------------------------------------------------


def queue_wait(histories: Sequence[ConversationHistory], period: ReportPeriod) -> QueueWait:
    """Escalation to the first assignment after it, for queue entries that start in `period`."""
    waits: list[float] = []
    still_waiting = left_unassigned = 0
    for history in histories:
        escalations = list(history.of_type("conversation.escalated"))
        for entry, following in _each_with_next(escalations):
            if not period.contains(entry.at):
                continue
            end = following.at if following else None
            assigned = history.first("conversation.assigned", at_or_after=entry.at, before=end)
            if assigned is not None:
                waits.append((assigned.at - entry.at).total_seconds())
            elif history.first(
                "conversation.handed_back",
                "conversation.resolved",
                at_or_after=entry.at,
                before=end,
            ):
                left_unassigned += 1
            else:
                still_waiting += 1
    return QueueWait(
        **summarise(waits).model_dump(),
        still_waiting=still_waiting,
        left_unassigned=left_unassigned,
    )


def sla_target_outcome(
    due: datetime | None, done: LoggedEvent | None, left: LoggedEvent | None, as_of: datetime
) -> str:
    """One target of one queue entry: "met", "missed", "pending" or "not_applicable". `done`
    is the first event that meets the target, `left` the first that took the conversation
    out of people's hands."""
    if due is None:
        return "not_applicable"
    if done is not None and (left is None or done.at <= left.at):
        return "met" if done.at <= due else "missed"
    if left is not None:
        return "not_applicable" if left.at <= due else "missed"
    return "missed" if as_of > due else "pending"


def sla(histories: Sequence[ConversationHistory], period: ReportPeriod, as_of: datetime) -> Sla:
    first_response_outcomes: Counter[str] = Counter()
    resolution_outcomes: Counter[str] = Counter()
    for history in histories:
        start = history.escalated_at
        if start is None or start > as_of or not period.contains(start):
            continue
        first_response_outcomes[
            sla_target_outcome(
                history.first_response_due_at,
                history.first(HUMAN_REPLY, at_or_after=start),
                history.first(
                    "conversation.resolved", "conversation.handed_back", at_or_after=start
                ),
                as_of,
            )
        ] += 1
        resolution_outcomes[
            sla_target_outcome(
                history.resolution_due_at,
                history.first("conversation.resolved", at_or_after=start),
                history.first("conversation.handed_back", at_or_after=start),
                as_of,
            )
        ] += 1
    return Sla(
        first_response=_sla_share(first_response_outcomes),
        resolution=_sla_share(resolution_outcomes),
    )


# --- what customers and agents said ----------------------------------------------------------


def csat(cohort: Sequence[ConversationHistory]) -> Csat:
    human = [h for h in cohort if h.first(HUMAN_REPLY) is not None]
    bot_only = [h for h in cohort if h.first(HUMAN_REPLY) is None]
    return Csat(
        **_csat_share(cohort).model_dump(),
        bot_only=_csat_share(bot_only),
        human=_csat_share(human),
    )


def reviewed_predictions(history: ConversationHistory) -> list[tuple[str, bool]]:
    """(the bot's intent, whether it was right) for each message an agent looked at: every
    message in a conversation a person replied in, and every corrected one."""
    predicted, corrected = message_labels(history)
    looked_at = predicted.keys() if history.first(HUMAN_REPLY) else corrected.keys()
    return [
        (predicted[m], corrected.get(m, predicted[m]) == predicted[m])
        for m in sorted(looked_at & predicted.keys())
    ]


@dataclass(frozen=True)
class AnswerVerdict:
    """One bot answer: whether it is in the random review sample, the latest verdict an agent
    gave it and their reason, and whether an agent relabelled the question it answered."""

    message_id: int
    question_id: int | None  # the customer message it answered
    sampled: bool
    review: str | None  # "right", "wrong" or None
    reason: str | None
    question_relabelled: bool

    @property
    def verdict(self) -> str | None:
        """What the answer counts as among all reviews: the agent's verdict, else wrong when
        the question was relabelled (the bot answered a question it misunderstood)."""
        if self.review is not None:
            return self.review
        return "wrong" if self.question_relabelled else None


def answer_verdicts(history: ConversationHistory, context: ReportContext) -> list[AnswerVerdict]:
    """Each bot answer of the conversation, oldest first. The question an answer answers is
    the last customer message the bot read before it."""
    predicted, corrected = message_labels(history)
    reviews = latest_reviews(history)
    share = context.reviews.sample_share
    question: object = None
    verdicts = []
    for event in history.of_type("message.understood", "bot.replied"):
        if event.type == "message.understood":
            question = event.payload.get("message_id")
            continue
        if not is_bot_answer(event):
            continue
        message_id = int(event.payload["message_id"])
        review = reviews.get(message_id)
        relabelled = (
            isinstance(question, int)
            and question in predicted
            and corrected.get(question, predicted[question]) != predicted[question]
        )
        verdicts.append(
            AnswerVerdict(
                message_id,
                question if isinstance(question, int) else None,
                in_review_sample(message_id, share),
                str(review.payload["verdict"]) if review else None,
                str(review.payload["reason"]) if review and review.payload.get("reason") else None,
                relabelled,
            )
        )
    return verdicts


def answer_reviews(cohort: Sequence[ConversationHistory], context: ReportContext) -> AnswerReviews:
    verdicts = [v for history in cohort for v in answer_verdicts(history, context)]
    sample = [v for v in verdicts if v.sampled]
    sampled_right = [v.review == "right" for v in sample if v.review is not None]
    right = sum(sampled_right)
    low = high = None
    if sampled_right:
        bounds = proportion_confint(right, len(sampled_right), alpha=0.05, method="wilson")
        low, high = (round(float(b), 4) for b in bounds)
    wrong_reasons = Counter(v.reason or "unspecified" for v in verdicts if v.review == "wrong")
    return AnswerReviews(
        answers=len(verdicts),
        sample=SampledPrecision(
            **_answer_precision(sampled_right).model_dump(),
            sampled=len(sample),
            low=low,
            high=high,
        ),
        all_reviews=_answer_precision([v.verdict == "right" for v in verdicts if v.verdict]),
        wrong_flags=sum(wrong_reasons.values()),
        wrong_by_reason=dict(sorted(wrong_reasons.items())),
    )


def unreviewed_sample(
    cohort: Sequence[ConversationHistory], context: ReportContext
) -> list[AnswerVerdict]:
    """The random sample's answers no agent has judged yet, in the order of their sample key
    (itself random), so reviewing from the top keeps the reviewed part a random sample."""
    waiting = [
        v
        for history in cohort
        for v in answer_verdicts(history, context)
        if v.sampled and v.review is None
    ]
    return sorted(waiting, key=lambda v: review_sample_key(v.message_id))


def ai_accuracy(cohort: Sequence[ConversationHistory], context: ReportContext) -> AiAccuracy:
    by_intent: dict[str, list[bool]] = defaultdict(list)
    for history in cohort:
        for intent, correct in reviewed_predictions(history):
            by_intent[intent].append(correct)
    verdicts = [v for values in by_intent.values() for v in values]
    return AiAccuracy(
        **_precision(verdicts).model_dump(),
        by_intent={intent: _precision(by_intent[intent]) for intent in sorted(by_intent)},
        answers=answer_reviews(cohort, context),
    )


def sentiment(cohort: Sequence[ConversationHistory], period: ReportPeriod) -> Sentiment:
    """Customer messages' polarity, overall, by the local day each conversation was opened
    (every day of the period, empty ones too) and by the conversation's intent."""
    zone = ZoneInfo(period.timezone)
    by_day: dict[str, list[float]] = {
        (period.first_day + timedelta(days=d)).isoformat(): [] for d in range(period.days)
    }
    by_intent: dict[str, list[float]] = defaultdict(list)
    everything: list[float] = []
    for history in cohort:
        scores = message_sentiments(history)
        everything += scores
        by_day[history.opened_at.astimezone(zone).date().isoformat()] += scores
        intent = conversation_intent(history)
        if intent is not None and scores:
            by_intent[intent] += scores
    return Sentiment(
        **_sentiment_share(everything).model_dump(),
        by_day={day: _sentiment_share(scores) for day, scores in by_day.items()},
        by_intent={intent: _sentiment_share(by_intent[intent]) for intent in sorted(by_intent)},
    )


# --- what conversations cost -----------------------------------------------------------------


@dataclass(frozen=True)
class ConversationCost:
    """What one conversation used: agents' handling time, the bot's messages, LLM tokens."""

    handling_seconds: float
    bot_messages: int
    llm_tokens: int
    human: bool  # a person replied in it

    def priced(self, model: CostSettings) -> tuple[float, float, float]:
        """(people, AI, fixed) in the model's currency, unrounded."""
        people = self.handling_seconds / 3600 * model.agent_cost_per_hour
        ai = (
            self.bot_messages * model.ai_cost_per_bot_message
            + self.llm_tokens / 1000 * model.ai_cost_per_1k_tokens
        )
        return people, ai, model.fixed_cost_per_conversation


def handling_seconds(history: ConversationHistory) -> float:
    """Agents' handling time: for each action of an agent, the time since the conversation's
    previous event (bookkeeping aside), at most 10 minutes for a reply or a note and 1 minute
    for any other action."""
    total = 0.0
    previous: datetime | None = None
    for event in history.events:
        if event.type in NOT_IN_THE_CONVERSATION:
            continue
        if previous is not None and event.actor_type == "agent" and event.type in HANDLING_ACTIONS:
            cap = MAX_WRITING if event.type in WRITING else MAX_ACTION
            total += min(event.at - previous, cap).total_seconds()
        previous = event.at
    return total


def conversation_cost(history: ConversationHistory) -> ConversationCost:
    bot_messages = list(history.of_type(*BOT_MESSAGES))
    tokens = sum(
        int(e.payload["llm_tokens"])
        for e in bot_messages
        if isinstance(e.payload.get("llm_tokens"), int)
    )
    return ConversationCost(
        handling_seconds(history),
        len(bot_messages),
        tokens,
        history.first(HUMAN_REPLY) is not None,
    )


def costs(cohort: Sequence[ConversationHistory], context: ReportContext) -> Costs:
    model = context.costs
    used = [conversation_cost(h) for h in cohort]
    prices = [c.priced(model) for c in used]
    human, ai, fixed = (sum(parts) for parts in zip(*prices, strict=True)) if prices else (0, 0, 0)
    total = human + ai + fixed
    resolved = sum(1 for h in cohort if h.first("conversation.resolved") is not None)
    handling = summarise([c.handling_seconds for c in used if c.human])
    baseline = savings = None
    if handling.count:
        # Unrounded: the summary's mean is rounded to 0.1 s for display.
        mean_hours = sum(c.handling_seconds for c in used if c.human) / handling.count / 3600
        all_human = len(cohort) * mean_hours * model.agent_cost_per_hour
        baseline = all_human + fixed
        savings = baseline - total
    return Costs(
        currency=model.currency,
        conversations=len(cohort),
        resolved=resolved,
        total=_money(total),
        human=_money(human),
        ai=_money(ai),
        fixed=_money(fixed),
        human_share=_share(human, total),
        ai_share=_share(ai, total),
        per_conversation=_money(total / len(cohort)) if cohort else None,
        per_resolution=_money(total / resolved) if resolved else None,
        bot_messages=sum(c.bot_messages for c in used),
        llm_tokens=sum(c.llm_tokens for c in used),
        handling=handling,
        baseline=None if baseline is None else _money(baseline),
        savings=None if savings is None else _money(savings),
        savings_rate=None if savings is None or baseline is None else _share(savings, baseline),
    )


# --- one period ------------------------------------------------------------------------------


def compute_kpis(
    histories: Sequence[ConversationHistory], period: ReportPeriod, context: ReportContext
) -> Kpis:
    """Every KPI of `period`: outcome KPIs over the conversations opened in it, waits over the
    response cycles and queue entries that start in it."""
    cohort = [h for h in histories if period.contains(h.opened_at)]
    hours = context.office_hours
    return Kpis(
        conversations=len(cohort),
        first_response=first_response(histories, period, hours, business_hours=False),
        first_response_business_hours=first_response(histories, period, hours, business_hours=True),
        resolution=resolution_times(cohort),
        reopen=reopen_rate(cohort),
        first_contact_resolution=first_contact_resolution(cohort, context),
        automated_resolution=automated_resolution(cohort, context),
        hand_over=hand_over(cohort),
        clarification=clarification(cohort),
        queue_wait=queue_wait(histories, period),
        sla=sla(histories, period, context.as_of),
        csat=csat(cohort),
        ai_accuracy=ai_accuracy(cohort, context),
        sentiment=sentiment(cohort, period),
        costs=costs(cohort, context),
    )


# --- helpers ---------------------------------------------------------------------------------


def _each_with_next(items: Sequence[T]) -> Iterator[tuple[T, T | None]]:
    """Each item with the one after it (None after the last)."""
    return zip(items, [*items[1:], None], strict=False)


def _same_topic(intent: str | None, other: str | None) -> bool:
    """Intents count as the same unless both are known and differ: a return whose topic
    cannot be told apart is not given the benefit of the doubt."""
    return not (intent and other and intent != other)


def _rating_of_resolution(history: ConversationHistory, since: datetime) -> int | None:
    """The rating given after the resolution at `since` and before any reopen."""
    reopen = history.first("conversation.reopened", at_or_after=since)
    rating = history.first(
        "csat.submitted", at_or_after=since, before=reopen.at if reopen else None
    )
    return _score(rating)


def _score(rating: LoggedEvent | None) -> int | None:
    if rating is None or not isinstance(rating.payload.get("score"), int):
        return None
    return int(rating.payload["score"])


def _csat_share(conversations: Sequence[ConversationHistory]) -> CsatShare:
    scores = [s for h in conversations if (s := _score(h.first("csat.submitted"))) is not None]
    satisfied = sum(1 for s in scores if s >= SATISFIED_FROM)
    resolved = sum(1 for h in conversations if h.first("conversation.resolved") is not None)
    return CsatShare(
        rate=rate(satisfied, len(scores)),
        ratings=len(scores),
        satisfied=satisfied,
        response_rate=rate(len(scores), resolved),
        resolved=resolved,
    )


def _sla_share(outcomes: Counter[str]) -> SlaShare:
    return SlaShare(
        rate=rate(outcomes["met"], outcomes["met"] + outcomes["missed"]),
        met=outcomes["met"],
        missed=outcomes["missed"],
        pending=outcomes["pending"],
        not_applicable=outcomes["not_applicable"],
    )


def _answer_precision(verdicts: Sequence[bool]) -> AnswerPrecision:
    right = sum(verdicts)
    return AnswerPrecision(
        precision=rate(right, len(verdicts)),
        reviewed=len(verdicts),
        right=right,
        wrong=len(verdicts) - right,
    )


def _sentiment_share(scores: Sequence[float]) -> SentimentShare:
    negative = sum(1 for s in scores if s <= NEGATIVE_UP_TO)
    return SentimentShare(
        messages=len(scores),
        mean=round(sum(scores) / len(scores), 4) if scores else None,
        negative=negative,
        negative_share=rate(negative, len(scores)),
    )


def _money(amount: float) -> float:
    return round(amount, 4)


def _share(part: float, whole: float) -> float | None:
    """A share of an amount, rounded like rates; null when the whole is nothing."""
    return round(part / whole, 4) if whole else None


def _precision(verdicts: Sequence[bool]) -> IntentPrecision:
    correct = sum(verdicts)
    return IntentPrecision(
        precision=rate(correct, len(verdicts)), reviewed=len(verdicts), correct=correct
    )
