"""Every KPI rule, in one place: conversations' histories in, the tally of one period out
(`tally.py` turns a tally into the reported figures, and adds tallies of days up).

docs/metrics.md states each rule in words, in the same order, using the words defined in
`definitions.py`; the golden test (tests/reports/test_golden_kpis.py) pins them. Pure: no
database, no clock (the moment the report is computed, `as_of`, is given). Where an outcome
counted at `as_of` would change later with no new event (a window closing, a target falling
due), the rule notes that moment in the tally (`KpiTally.changes`), so a stored tally knows
when it must be counted again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

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
    latest_feedback,
    latest_reviews,
    message_labels,
    message_sentiments,
    resolved_as_of,
    returned,
    review_sample_key,
)
from batondesk.reports.figures import (
    AiAccuracy,
    AutomatedResolution,
    Csat,
    FirstContactResolution,
    HandOver,
    Kpis,
    ReopenRate,
)
from batondesk.reports.history import ConversationHistory, LoggedEvent
from batondesk.reports.period import ReportPeriod
from batondesk.reports.settings import CostSettings
from batondesk.reports.tally import (
    AiAccuracyTally,
    AnswerReviewsTally,
    AutomatedTally,
    ClarificationTally,
    CostsTally,
    CsatTally,
    FirstContactTally,
    FirstResponseTally,
    HandOverTally,
    KpiTally,
    PrecisionTally,
    QueueWaitTally,
    ReopenTally,
    ResolutionTally,
    SentimentShareTally,
    SentimentTally,
    SlaTally,
)

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
) -> FirstResponseTally:
    tally = FirstResponseTally()
    for history in histories:
        for cycle in response_cycles(history):
            if not period.contains(cycle.start) or not cycle.handed_to_person:
                continue
            if cycle.first_reply_at is None:
                tally.unanswered += 1
            elif business_hours:
                tally.waits.append(open_seconds(hours, cycle.start, cycle.first_reply_at))
            else:
                tally.waits.append((cycle.first_reply_at - cycle.start).total_seconds())
    return tally


# --- resolution ------------------------------------------------------------------------------


def resolution_times(cohort: Sequence[ConversationHistory]) -> ResolutionTally:
    tally = ResolutionTally(conversations=len(cohort))
    for history in cohort:
        resolved = history.first("conversation.resolved")
        if resolved is not None:
            tally.first.append((resolved.at - history.opened_at).total_seconds())
        latest = resolved_as_of(history)
        if latest is not None:
            tally.full.append((latest.at - history.opened_at).total_seconds())
    return tally


def reopen_rate(cohort: Sequence[ConversationHistory]) -> ReopenRate:
    return _reopens(cohort).figure()


def _reopens(cohort: Sequence[ConversationHistory]) -> ReopenTally:
    resolved = [h for h in cohort if h.first("conversation.resolved") is not None]
    reopened = sum(1 for h in resolved if h.first("conversation.reopened") is not None)
    return ReopenTally(reopened=reopened, resolved=len(resolved))


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
    return _first_contacts(cohort, context, KpiTally()).figure()


def _first_contacts(
    cohort: Sequence[ConversationHistory], context: ReportContext, into: KpiTally
) -> FirstContactTally:
    tally = FirstContactTally()
    for history in cohort:
        outcome = first_contact_outcome(history, context)
        if outcome is None:
            continue
        setattr(tally, outcome, getattr(tally, outcome) + 1)
        if outcome == "pending":
            resolved = history.first("conversation.resolved")
            assert resolved is not None
            into.changes(resolved.at + context.windows.repeat_contact, context.as_of)
    return tally


@dataclass(frozen=True)
class AutomatedOutcome:
    assisted: bool
    outcome: str  # "confirmed", "assumed", "pending" or "removed"
    provisional: bool
    changes_at: datetime | None = None  # when the outcome would change with no new event


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
    helped = _said_an_answer_helped(history, since)
    windows = context.windows
    changes_at = None
    if returned(history, context, since, windows.durability) or (
        score is not None and score < SATISFIED_FROM
    ):
        outcome = "removed"
    elif score is not None or helped:  # rated 4-5, or an answer helped: a "No" changes nothing
        outcome = "confirmed"
    elif context.as_of >= since + windows.confirmation:
        outcome = "assumed"
    else:
        outcome = "pending"
        changes_at = since + windows.confirmation
    provisional = outcome in ("confirmed", "assumed") and context.as_of < since + windows.durability
    if provisional:
        changes_at = since + windows.durability
    return AutomatedOutcome(assisted, outcome, provisional, changes_at)


def automated_resolution(
    cohort: Sequence[ConversationHistory], context: ReportContext
) -> AutomatedResolution:
    return _automated(cohort, context, KpiTally()).figure()


def _automated(
    cohort: Sequence[ConversationHistory], context: ReportContext, into: KpiTally
) -> AutomatedTally:
    tally = AutomatedTally()
    for history in cohort:
        if not is_bot_conversation(history):
            continue
        tally.bot_conversations += 1
        outcome = automated_outcome(history, context)
        if outcome is None:
            continue
        setattr(tally, outcome.outcome, getattr(tally, outcome.outcome) + 1)
        if outcome.outcome in ("confirmed", "assumed"):
            if outcome.assisted:
                tally.assisted += 1
            else:
                tally.autonomous += 1
            tally.provisional += outcome.provisional
        if outcome.changes_at is not None:
            into.changes(outcome.changes_at, context.as_of)
    return tally


# --- the bot's share -------------------------------------------------------------------------


def hand_over(cohort: Sequence[ConversationHistory]) -> HandOver:
    return _hand_overs(cohort).figure()


def _hand_overs(cohort: Sequence[ConversationHistory]) -> HandOverTally:
    bot_conversations = [h for h in cohort if is_bot_conversation(h)]
    reasons = Counter(
        reason for h in bot_conversations if (reason := hand_over_reason(h)) is not None
    )
    return HandOverTally(bot_conversations=len(bot_conversations), reasons=dict(reasons))


def clarification(cohort: Sequence[ConversationHistory]) -> ClarificationTally:
    bot_conversations = [h for h in cohort if is_bot_conversation(h)]
    return ClarificationTally(
        questions=sum(h.count("bot.clarified") for h in bot_conversations),
        turns=sum(h.count("message.understood") for h in bot_conversations),
        asked=sum(1 for h in bot_conversations if h.first("bot.clarified") is not None),
        bot_conversations=len(bot_conversations),
    )


# --- the queue and its targets ---------------------------------------------------------------


def queue_wait(histories: Sequence[ConversationHistory], period: ReportPeriod) -> QueueWaitTally:
    """Escalation to the first assignment after it, for queue entries that start in `period`."""
    tally = QueueWaitTally()
    for history in histories:
        escalations = list(history.of_type("conversation.escalated"))
        for entry, following in _each_with_next(escalations):
            if not period.contains(entry.at):
                continue
            end = following.at if following else None
            assigned = history.first("conversation.assigned", at_or_after=entry.at, before=end)
            if assigned is not None:
                tally.waits.append((assigned.at - entry.at).total_seconds())
            elif history.first(
                "conversation.handed_back",
                "conversation.resolved",
                at_or_after=entry.at,
                before=end,
            ):
                tally.left_unassigned += 1
            else:
                tally.still_waiting += 1
    return tally


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


def sla(
    histories: Sequence[ConversationHistory],
    period: ReportPeriod,
    as_of: datetime,
    into: KpiTally,
) -> SlaTally:
    tally = SlaTally()
    for history in histories:
        start = history.escalated_at
        if start is None or not period.contains(start):
            continue
        if start > as_of:
            into.changes(start, as_of)
            continue
        targets = (
            (
                tally.first_response,
                history.first_response_due_at,
                history.first(HUMAN_REPLY, at_or_after=start),
                history.first(
                    "conversation.resolved", "conversation.handed_back", at_or_after=start
                ),
            ),
            (
                tally.resolution,
                history.resolution_due_at,
                history.first("conversation.resolved", at_or_after=start),
                history.first("conversation.handed_back", at_or_after=start),
            ),
        )
        for outcomes, due, done, left in targets:
            outcome = sla_target_outcome(due, done, left, as_of)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
            if outcome == "pending" and due is not None:
                into.changes(due + timedelta(microseconds=1), as_of)  # missed once past due
    return tally


# --- what customers and agents said ----------------------------------------------------------


def csat(cohort: Sequence[ConversationHistory]) -> Csat:
    return _ratings(cohort).figure()


def _ratings(cohort: Sequence[ConversationHistory]) -> CsatTally:
    tally = CsatTally()
    for history in cohort:
        part = tally.human if history.first(HUMAN_REPLY) is not None else tally.bot_only
        score = _score(history.first("csat.submitted"))
        resolved = history.first("conversation.resolved") is not None
        for share in (tally.everyone, part):
            share.resolved += resolved
            if score is not None:
                share.ratings += 1
                share.satisfied += score >= SATISFIED_FROM
    return tally


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
    gave it and their reason, whether an agent relabelled the question it answered, and
    whether the customer said it helped."""

    message_id: int
    question_id: int | None  # the customer message it answered
    sampled: bool
    review: str | None  # "right", "wrong" or None
    reason: str | None
    question_relabelled: bool
    helpful: bool | None = None  # the customer's latest "Yes" (True) or "No"; None: no feedback

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
    feedback = latest_feedback(history)
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
                feedback.get(message_id),
            )
        )
    return verdicts


def answer_reviews(
    cohort: Sequence[ConversationHistory], context: ReportContext
) -> AnswerReviewsTally:
    tally = AnswerReviewsTally()
    for history in cohort:
        for v in answer_verdicts(history, context):
            tally.answers += 1
            if v.sampled:
                tally.sampled += 1
                tally.sample_right += v.review == "right"
                tally.sample_wrong += v.review == "wrong"
            tally.all_right += v.verdict == "right"
            tally.all_wrong += v.verdict == "wrong"
            if v.review == "wrong":
                reason = v.reason or "unspecified"
                tally.wrong_reasons[reason] = tally.wrong_reasons.get(reason, 0) + 1
            tally.feedback_helpful += v.helpful is True
            tally.feedback_not_helpful += v.helpful is False
    return tally


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
    return _ai_accuracy(cohort, context).figure()


def _ai_accuracy(cohort: Sequence[ConversationHistory], context: ReportContext) -> AiAccuracyTally:
    tally = AiAccuracyTally(answers=answer_reviews(cohort, context))
    for history in cohort:
        for intent, correct in reviewed_predictions(history):
            precision = tally.by_intent.setdefault(intent, PrecisionTally())
            precision.reviewed += 1
            precision.correct += correct
    return tally


def sentiment(cohort: Sequence[ConversationHistory], period: ReportPeriod) -> SentimentTally:
    """Customer messages' polarity, overall, by the local day each conversation was opened
    and by the conversation's intent."""
    zone = ZoneInfo(period.timezone)
    tally = SentimentTally()
    for history in cohort:
        scores = message_sentiments(history)
        if not scores:
            continue
        day = history.opened_at.astimezone(zone).date().isoformat()
        shares = [tally.everything, tally.by_day.setdefault(day, SentimentShareTally())]
        intent = conversation_intent(history)
        if intent is not None:
            shares.append(tally.by_intent.setdefault(intent, SentimentShareTally()))
        for share in shares:
            share.messages += len(scores)
            share.total_millionths += sum(round(score * 1_000_000) for score in scores)
            share.negative += sum(1 for s in scores if s <= NEGATIVE_UP_TO)
    return tally


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


def costs(cohort: Sequence[ConversationHistory]) -> CostsTally:
    tally = CostsTally(conversations=len(cohort))
    for history in cohort:
        used = conversation_cost(history)
        tally.resolved += history.first("conversation.resolved") is not None
        tally.handling_seconds += used.handling_seconds
        tally.bot_messages += used.bot_messages
        tally.llm_tokens += used.llm_tokens
        if used.human:
            tally.human_handling.append(used.handling_seconds)
    return tally


# --- one period ------------------------------------------------------------------------------


def tally_kpis(
    histories: Sequence[ConversationHistory], period: ReportPeriod, context: ReportContext
) -> KpiTally:
    """What every KPI of `period` is computed from: outcome KPIs over the conversations opened
    in it, waits over the response cycles and queue entries that start in it."""
    cohort = [h for h in histories if period.contains(h.opened_at)]
    hours = context.office_hours
    tally = KpiTally(conversations=len(cohort))
    tally.first_response = first_response(histories, period, hours, business_hours=False)
    tally.first_response_business_hours = first_response(
        histories, period, hours, business_hours=True
    )
    tally.resolution = resolution_times(cohort)
    tally.reopen = _reopens(cohort)
    tally.first_contact_resolution = _first_contacts(cohort, context, tally)
    tally.automated_resolution = _automated(cohort, context, tally)
    tally.hand_over = _hand_overs(cohort)
    tally.clarification = clarification(cohort)
    tally.queue_wait = queue_wait(histories, period)
    tally.sla = sla(histories, period, context.as_of, tally)
    tally.csat = _ratings(cohort)
    tally.ai_accuracy = _ai_accuracy(cohort, context)
    tally.sentiment = sentiment(cohort, period)
    tally.costs = costs(cohort)
    return tally


def compute_kpis(
    histories: Sequence[ConversationHistory], period: ReportPeriod, context: ReportContext
) -> Kpis:
    """Every KPI of `period` (see `tally_kpis`)."""
    return tally_kpis(histories, period, context).figures(
        period.first_day, period.days, context.costs
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


def _said_an_answer_helped(history: ConversationHistory, since: datetime) -> bool:
    """Whether the customer's latest feedback on some bot answer, given before the resolution
    at `since` or after it and before any reopen, says the answer helped."""
    reopen = history.first("conversation.reopened", at_or_after=since)
    return any(latest_feedback(history, before=reopen.at if reopen else None).values())


def _score(rating: LoggedEvent | None) -> int | None:
    if rating is None or not isinstance(rating.payload.get("score"), int):
        return None
    return int(rating.payload["score"])
