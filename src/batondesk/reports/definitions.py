"""The words the KPI rules are written in (docs/metrics.md, "Words used below"): what a
human reply, a hand-over, a resolution, a return, a conversation's intent and language are,
read from a conversation's events; and the context every rule sees. Pure: no database, no
clock."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from batondesk.handoff.settings import OfficeHours
from batondesk.reports.history import ConversationHistory, LoggedEvent

HUMAN_REPLY = "agent.replied"
# The first of these hands a conversation to a person.
HAND_OVER = ("conversation.escalated", "conversation.assigned", HUMAN_REPLY)
TAKEN_OVER = "taken_over"
SATISFIED_FROM = 4  # CSAT ratings of 4 and 5 are satisfied


@dataclass(frozen=True)
class Windows:
    """How long after a resolution the rules look for a return."""

    repeat_contact: timedelta = timedelta(days=7)  # first-contact resolution
    confirmation: timedelta = timedelta(hours=24)  # automated resolution: assumed
    durability: timedelta = timedelta(days=7)  # automated resolution: a return removes it


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

    @classmethod
    def of(
        cls,
        histories: Iterable[ConversationHistory],
        as_of: datetime,
        office_hours: OfficeHours | None = None,
        windows: Windows | None = None,
    ) -> ReportContext:
        visits: dict[int, list[Visit]] = defaultdict(list)
        for history in histories:
            visit = Visit(history.id, history.opened_at, conversation_intent(history))
            visits[history.contact_id].append(visit)
        return cls(as_of, office_hours, windows or Windows(), dict(visits))


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
