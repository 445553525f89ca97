"""The words the KPI rules are written in (docs/metrics.md, "Words used below"): what a
human reply, a hand-over, a resolution, a return, a conversation's intent and language are,
read from a conversation's events; and the context every rule sees. Pure: no database, no
clock."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from batondesk.handoff.settings import EscalationSettings, OfficeHours
from batondesk.reports.history import ConversationHistory, LoggedEvent
from batondesk.reports.settings import CostSettings, ReviewSettings

HUMAN_REPLY = "agent.replied"
# The first of these hands a conversation to a person.
HAND_OVER = ("conversation.escalated", "conversation.assigned", HUMAN_REPLY)
TAKEN_OVER = "taken_over"
SATISFIED_FROM = 4  # CSAT ratings of 4 and 5 are satisfied

# A bot answer is a `bot.replied` citing at least one article; an agent's verdict on one is a
# `bot.answer_reviewed` ("right" or "wrong"), the latest of which counts.
BOT_ANSWER = "bot.replied"
ANSWER_REVIEWED = "bot.answer_reviewed"
VERDICTS = ("right", "wrong")
# The customer's "Did this answer your question? Yes / No" under a bot answer: `helpful` true
# or false, the latest per answer counts. A "Yes" confirms an automated resolution.
ANSWER_FEEDBACK = "bot.answer_feedback"
# Everything the bot says to a customer: what the AI cost per bot message is paid for.
BOT_MESSAGES = ("bot.replied", "bot.clarified", "bot.declined")

# A person handling a conversation: each of these events by an agent (actor "agent") counts
# the time since the conversation's previous event, capped, as the agent's handling time.
# Writing a reply or a note takes longer than pressing a button; a longer gap means the agent
# was busy elsewhere, not with this conversation.
WRITING = (HUMAN_REPLY, "agent.noted")
HANDLING_ACTIONS = (
    *WRITING,
    "conversation.assigned",
    "conversation.handed_back",
    "conversation.resolved",
    "conversation.reopened",
    "message.intent_corrected",
)
MAX_WRITING = timedelta(minutes=10)
MAX_ACTION = timedelta(minutes=1)
# Bookkeeping that happens beside the conversation, not in it: never "the previous event"
# handling time is measured from (a review, in particular, is quality work done later).
NOT_IN_THE_CONVERSATION = (
    "conversation.routed",
    "conversation.prioritised",
    "conversation.sla_breached",
    ANSWER_REVIEWED,
)

# A customer message is negative when its polarity (-1..1) is at most this: VADER's
# convention for its compound score, which `nlu.analyze_sentiment` squashes the same way.
NEGATIVE_UP_TO = -0.05


@dataclass(frozen=True)
class Windows:
    """How long after a resolution the rules look for a return."""

    repeat_contact: timedelta = timedelta(days=7)  # first-contact resolution
    confirmation: timedelta = timedelta(hours=24)  # automated resolution: assumed
    durability: timedelta = timedelta(days=7)  # automated resolution: a return removes it

    @classmethod
    def for_account(cls, account_settings: dict[str, Any]) -> Windows:
        """The account's windows: its repeat-contact days (the same setting that flags a
        repeat contact in the console, handoff/settings.py), the rest fixed."""
        days = EscalationSettings.for_account(account_settings).repeat_contact_days
        return cls(repeat_contact=timedelta(days=days))


@dataclass(frozen=True)
class Visit:
    """A conversation a customer opened: what repeat contacts and returns are looked for in."""

    conversation_id: int
    opened_at: datetime
    intent: str | None


@dataclass(frozen=True)
class ReportContext:
    as_of: datetime
    office_hours: OfficeHours | None = None
    windows: Windows = Windows()
    # Every loaded conversation, whatever its period or group, by customer.
    visits: dict[int, list[Visit]] = field(default_factory=dict)
    costs: CostSettings = CostSettings()
    reviews: ReviewSettings = ReviewSettings()

    @classmethod
    def of(
        cls,
        histories: Iterable[ConversationHistory],
        as_of: datetime,
        office_hours: OfficeHours | None = None,
        windows: Windows | None = None,
        *,
        costs: CostSettings | None = None,
        reviews: ReviewSettings | None = None,
    ) -> ReportContext:
        visits: dict[int, list[Visit]] = defaultdict(list)
        for history in histories:
            visit = Visit(history.id, history.opened_at, conversation_intent(history))
            visits[history.contact_id].append(visit)
        return cls(
            as_of,
            office_hours,
            windows or Windows(),
            dict(visits),
            costs or CostSettings(),
            reviews or ReviewSettings(),
        )


# --- what a conversation is ------------------------------------------------------------------


def conversation_intent(history: ConversationHistory) -> str | None:
    """The first customer message's label, in message order: an agent's correction (the
    latest), else the bot's intent unless it judged the message out of scope."""
    predicted, corrected = message_labels(history)
    first = min(predicted.keys() | corrected.keys(), default=None)  # ids grow with time
    return None if first is None else corrected.get(first, predicted.get(first))


def conversation_language(history: ConversationHistory) -> str | None:
    for event in history.of_type("message.understood"):
        if event.payload.get("language"):
            return str(event.payload["language"])
    return None


def hand_over_reason(history: ConversationHistory) -> str | None:
    """Why the conversation first went to a person; None when it never did."""
    first = history.first(*HAND_OVER)
    if first is None:
        return None
    if first.type == "conversation.escalated":
        return str(first.payload.get("reason") or "unknown")
    return TAKEN_OVER


def is_bot_conversation(history: ConversationHistory) -> bool:
    return history.first("message.understood") is not None


def resolved_as_of(history: ConversationHistory) -> LoggedEvent | None:
    """The latest resolution, if no reopen came after it."""
    last = None
    for event in history.of_type("conversation.resolved", "conversation.reopened"):
        last = event
    return last if last is not None and last.type == "conversation.resolved" else None


def returned(
    history: ConversationHistory, context: ReportContext, since: datetime, window: timedelta
) -> bool:
    """Whether, at most `window` after `since`, the conversation was reopened or the same
    customer opened another conversation."""
    until = since + window
    if any(since < e.at <= until for e in history.of_type("conversation.reopened")):
        return True
    return any(
        since < visit.opened_at <= until and visit.conversation_id != history.id
        for visit in context.visits.get(history.contact_id, [])
    )


def experiment_arm(history: ConversationHistory) -> str | None:
    """ "<experiment key>/<arm key>" of the experiment the conversation was exposed to (a
    conversation joins at most one); None when it was in none."""
    exposed = history.first("experiment.exposed")
    if exposed is None:
        return None
    return f"{exposed.payload.get('experiment_key')}/{exposed.payload.get('arm')}"


# What each breakdown groups a conversation by (`group_by`). Inbox, team, assignee and tier are
# the row's current values: the event log does not snapshot them all.
DIMENSIONS: dict[str, Callable[[ConversationHistory], object]] = {
    "inbox": lambda h: h.inbox_id,
    "channel": lambda h: h.channel,
    "team": lambda h: h.team_id,
    "agent": lambda h: h.assignee_id,
    "intent": conversation_intent,
    "language": conversation_language,
    "reason": hand_over_reason,
    "tier": lambda h: h.tier,
    "arm": experiment_arm,
}


def message_labels(history: ConversationHistory) -> tuple[dict[int, str], dict[int, str]]:
    """By customer message id: the intent the bot understood (not when it judged the message
    out of scope), and the latest intent an agent corrected it to."""
    predicted: dict[int, str] = {}
    corrected: dict[int, str] = {}
    for event in history.of_type("message.understood", "message.intent_corrected"):
        message_id = event.payload.get("message_id")
        if not isinstance(message_id, int):
            continue
        if event.type == "message.understood":
            intent = event.payload.get("intent")
            if intent and not event.payload.get("out_of_scope"):
                predicted.setdefault(message_id, str(intent))
        elif event.payload.get("corrected_intent"):
            corrected[message_id] = str(event.payload["corrected_intent"])
    return predicted, corrected


# --- the bot's answers and what agents said of them ------------------------------------------


def is_bot_answer(event: LoggedEvent) -> bool:
    return (
        event.type == BOT_ANSWER
        and bool(event.payload.get("article_ids"))
        and isinstance(event.payload.get("message_id"), int)
    )


def review_sample_key(message_id: int) -> float:
    """A number in [0, 1) that looks random but is fixed for the answer (its message id): the
    first 8 bytes of BLAKE2b("answer-review:<id>"). An answer is in the random review sample
    when its key is below the account's sample share, so whether it is drawn depends on
    nothing an agent did, and every period and report draws it the same way."""
    digest = hashlib.blake2b(f"answer-review:{message_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def in_review_sample(message_id: int, share: float) -> bool:
    return review_sample_key(message_id) < share


def latest_reviews(history: ConversationHistory) -> dict[int, LoggedEvent]:
    """By bot message id: the latest review with a known verdict."""
    reviews: dict[int, LoggedEvent] = {}
    for event in history.of_type(ANSWER_REVIEWED):
        message_id = event.payload.get("message_id")
        if isinstance(message_id, int) and event.payload.get("verdict") in VERDICTS:
            reviews[message_id] = event
    return reviews


def latest_feedback(
    history: ConversationHistory, before: datetime | None = None
) -> dict[int, bool]:
    """By bot message id: whether the customer's latest "Did this answer your question?"
    (given before `before`, when set) said the answer helped. Only feedback on the
    conversation's bot answers counts."""
    answers = {
        int(e.payload["message_id"]) for e in history.of_type(BOT_ANSWER) if is_bot_answer(e)
    }
    feedback: dict[int, bool] = {}
    for event in history.of_type(ANSWER_FEEDBACK):
        if before is not None and event.at >= before:
            break
        message_id, helpful = event.payload.get("message_id"), event.payload.get("helpful")
        if message_id in answers and isinstance(helpful, bool):
            feedback[int(message_id)] = helpful
    return feedback


def message_sentiments(history: ConversationHistory) -> list[float]:
    """The polarity (-1..1) of each customer message the bot read and scored, in order."""
    return [
        float(e.payload["sentiment"])
        for e in history.of_type("message.understood")
        if isinstance(e.payload.get("sentiment"), int | float)
    ]
