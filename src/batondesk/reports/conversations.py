"""The conversations behind a report's numbers: one row per conversation of a period's cohort,
with the outcome flags the KPI rules give it, and the facets the Reports page drills into.

Every flag comes from the same rule functions as the KPIs (`kpis.py`, `definitions.py`), so
the conversations listed behind a number are exactly the ones it counts. Pure: no database,
no clock. Ids, labels and times only: never a message body or a customer's personal data.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from batondesk.reports.definitions import (
    DIMENSIONS,
    HAND_OVER,
    HUMAN_REPLY,
    ReportContext,
    conversation_intent,
    conversation_language,
    hand_over_reason,
    is_bot_conversation,
    message_sentiments,
    resolved_as_of,
)
from batondesk.reports.history import ConversationHistory
from batondesk.reports.kpis import automated_outcome, conversation_cost, first_contact_outcome
from batondesk.reports.period import ReportPeriod


@dataclass(frozen=True)
class ConversationRow:
    """One conversation of a cohort as the KPIs see it. Times are UTC."""

    conversation_id: int
    status: str | None
    inbox_id: int | None
    channel: str | None
    team_id: int | None
    agent_id: int | None
    intent: str | None
    language: str | None
    tier: str | None
    opened_at: datetime
    handed_over_at: datetime | None
    first_human_reply_at: datetime | None
    first_resolved_at: datetime | None
    resolved_at: datetime | None  # the latest resolution, when resolved as of the report
    bot_conversation: bool
    hand_over_reason: str | None
    reopened: bool
    clarified: bool
    first_contact_resolution: str | None  # "yes", "no", "pending"; None when never resolved
    automated_resolution: str | None  # "confirmed", "assumed", "pending", "removed" or None
    automated_assisted: bool | None
    csat_score: int | None
    handling_seconds: float  # agents' handling time
    bot_messages: int
    llm_tokens: int
    cost: float  # in the cost model's currency, rounded to 4 decimals
    mean_sentiment: float | None  # of the customer messages the bot scored

    @property
    def handed_over(self) -> bool:
        return self.hand_over_reason is not None

    @property
    def resolved(self) -> bool:
        """Resolved at least once."""
        return self.first_resolved_at is not None


def conversation_row(history: ConversationHistory, context: ReportContext) -> ConversationRow:
    handed = history.first(*HAND_OVER)
    reply = history.first(HUMAN_REPLY)
    resolved = history.first("conversation.resolved")
    latest = resolved_as_of(history)
    automated = automated_outcome(history, context)
    rating = history.first("csat.submitted")
    score = rating.payload.get("score") if rating is not None else None
    used = conversation_cost(history)
    sentiments = message_sentiments(history)
    return ConversationRow(
        conversation_id=history.id,
        status=history.status,
        inbox_id=history.inbox_id,
        channel=history.channel,
        team_id=history.team_id,
        agent_id=history.assignee_id,
        intent=conversation_intent(history),
        language=conversation_language(history),
        tier=history.tier,
        opened_at=history.opened_at,
        handed_over_at=handed.at if handed else None,
        first_human_reply_at=reply.at if reply else None,
        first_resolved_at=resolved.at if resolved else None,
        resolved_at=latest.at if latest else None,
        bot_conversation=is_bot_conversation(history),
        hand_over_reason=hand_over_reason(history),
        reopened=history.first("conversation.reopened") is not None,
        clarified=history.first("bot.clarified") is not None,
        first_contact_resolution=first_contact_outcome(history, context),
        automated_resolution=automated.outcome if automated else None,
        automated_assisted=automated.assisted if automated else None,
        csat_score=score if isinstance(score, int) else None,
        handling_seconds=used.handling_seconds,
        bot_messages=used.bot_messages,
        llm_tokens=used.llm_tokens,
        cost=round(sum(used.priced(context.costs)), 4),
        mean_sentiment=round(sum(sentiments) / len(sentiments), 4) if sentiments else None,
    )


def cohort_rows(
    histories: Sequence[ConversationHistory],
    period: ReportPeriod,
    context: ReportContext,
    *,
    group_by: str | None = None,
    group: str | None = None,
) -> list[ConversationRow]:
    """The conversations opened in `period`, oldest first; with `group_by`, only those whose
    value of that dimension is `group` (None: the conversations without a value)."""
    rows = []
    for history in sorted(histories, key=lambda h: (h.opened_at, h.id)):
        if not period.contains(history.opened_at):
            continue
        if group_by is not None:
            value = DIMENSIONS[group_by](history)
            if (None if value is None else str(value)) != group:
                continue
        rows.append(conversation_row(history, context))
    return rows


def _reason_is(reason: str) -> Callable[[ConversationRow], bool]:
    return lambda row: row.bot_conversation and row.hand_over_reason == reason


# What a drill-down can list, each with the KPI count it explains (docs/metrics.md):
# name -> (what the page calls it, which conversations of the cohort).
FACETS: Mapping[str, tuple[str, Callable[[ConversationRow], bool]]] = {
    "all": ("conversations opened", lambda row: True),
    "bot": ("bot conversations", lambda row: row.bot_conversation),
    "contained": (
        "contained (never handed to a person)",
        lambda row: row.bot_conversation and not row.handed_over,
    ),
    "handed_over": (
        "handed to a person",
        lambda row: row.bot_conversation and row.handed_over,
    ),
    "resolved": ("resolved at least once", lambda row: row.resolved),
    "unresolved": ("not resolved as of the report", lambda row: row.resolved_at is None),
    "reopened": ("resolved and reopened", lambda row: row.resolved and row.reopened),
    "fcr_yes": (
        "resolved at first contact",
        lambda row: row.first_contact_resolution == "yes",
    ),
    "fcr_no": (
        "not resolved at first contact",
        lambda row: row.first_contact_resolution == "no",
    ),
    "automated": (
        "automated resolutions (confirmed or assumed)",
        lambda row: row.bot_conversation and row.automated_resolution in ("confirmed", "assumed"),
    ),
    "clarified": (
        "bot conversations with a clarifying question",
        lambda row: row.bot_conversation and row.clarified,
    ),
    "rated": ("rated by the customer", lambda row: row.csat_score is not None),
}
REASON_FACET_PREFIX = "reason:"


def facet_label(facet: str) -> str | None:
    """What the page calls a facet; None for a facet that does not exist."""
    if facet.startswith(REASON_FACET_PREFIX):
        return f"handed over for {facet.removeprefix(REASON_FACET_PREFIX)}"
    return FACETS[facet][0] if facet in FACETS else None


def in_facet(row: ConversationRow, facet: str) -> bool:
    """Precondition: `facet_label(facet)` is not None."""
    if facet.startswith(REASON_FACET_PREFIX):
        return _reason_is(facet.removeprefix(REASON_FACET_PREFIX))(row)
    return FACETS[facet][1](row)
