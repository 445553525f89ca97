"""A report as tables: the headline figures (each with the previous period's value), the
breakdown per group, the hand-over reasons, intent precision and the conversations behind them;
and how any of them is written as CSV, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from batondesk.reports.conversations import ConversationRow
from batondesk.reports.figures import Kpis
from batondesk.reports.report import KpiReport

Cell = str | int | float | bool | datetime | None


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: list[tuple[Cell, ...]]


@dataclass(frozen=True)
class Figure:
    """One headline KPI. `unit` is "count", "rate" (0..1), "seconds" or "money" (the cost
    model's currency); `facet` names the
    conversations behind it, when they are a cohort the drill-down can list."""

    key: str
    name: str
    unit: str
    current: float | None
    previous: float | None
    facet: str | None = None


# key, name, unit, how to read it from one period's figures, drill-down facet.
HEADLINE: Sequence[tuple[str, str, str, Callable[[Kpis], float | None], str | None]] = (
    ("conversations", "Conversations", "count", lambda k: k.conversations, "all"),
    (
        "containment_rate",
        "Containment",
        "rate",
        lambda k: k.hand_over.containment_rate,
        "contained",
    ),
    (
        "hand_over_rate",
        "Hand-over rate",
        "rate",
        lambda k: k.hand_over.hand_over_rate,
        "handed_over",
    ),
    (
        "automated_resolution_rate",
        "Automated resolution",
        "rate",
        lambda k: k.automated_resolution.rate,
        "automated",
    ),
    (
        "first_contact_resolution_rate",
        "First-contact resolution",
        "rate",
        lambda k: k.first_contact_resolution.rate,
        "fcr_yes",
    ),
    ("reopen_rate", "Reopen rate", "rate", lambda k: k.reopen.rate, "reopened"),
    ("csat", "CSAT (ratings 4-5)", "rate", lambda k: k.csat.rate, "rated"),
    (
        "clarification_rate",
        "Clarifying questions per bot turn",
        "rate",
        lambda k: k.clarification.rate,
        "clarified",
    ),
    (
        "first_response_median",
        "First response, median",
        "seconds",
        lambda k: k.first_response.median,
        None,
    ),
    (
        "first_resolution_median",
        "First resolution, median",
        "seconds",
        lambda k: k.resolution.first.median,
        "resolved",
    ),
    ("queue_wait_median", "Queue wait, median", "seconds", lambda k: k.queue_wait.median, None),
    (
        "sla_first_response_rate",
        "SLA met: first response",
        "rate",
        lambda k: k.sla.first_response.rate,
        None,
    ),
    ("ai_precision", "AI intent precision", "rate", lambda k: k.ai_accuracy.precision, None),
    (
        "answer_precision_sample",
        "Answer precision (random sample)",
        "rate",
        lambda k: k.ai_accuracy.answers.sample.precision,
        None,
    ),
    (
        "wrong_answer_flags",
        "Answers flagged wrong",
        "count",
        lambda k: k.ai_accuracy.answers.wrong_flags,
        None,
    ),
    (
        "answers_helpful_share",
        "Answers customers said helped",
        "rate",
        lambda k: k.ai_accuracy.answers.customer_feedback.helpful_share,
        None,
    ),
    (
        "negative_sentiment_share",
        "Negative customer messages",
        "rate",
        lambda k: k.sentiment.negative_share,
        None,
    ),
    (
        "cost_per_conversation",
        "Cost per conversation",
        "money",
        lambda k: k.costs.per_conversation,
        "all",
    ),
    (
        "cost_per_resolution",
        "Cost per resolution",
        "money",
        lambda k: k.costs.per_resolution,
        "resolved",
    ),
    ("savings_rate", "Savings against all-human", "rate", lambda k: k.costs.savings_rate, None),
)


def headline(current: Kpis, previous: Kpis) -> list[Figure]:
    return [
        Figure(key, name, unit, read(current), read(previous), facet)
        for key, name, unit, read, facet in HEADLINE
    ]


def headline_table(report: KpiReport) -> Table:
    return Table(
        ("kpi", "unit", "current", "previous"),
        [(f.key, f.unit, f.current, f.previous) for f in headline(report.current, report.previous)],
    )


def groups_table(report: KpiReport) -> Table:
    """Every headline figure per group, current and previous period."""
    header = ["group_by", "key", "label"]
    for key, *_ in HEADLINE:
        header += [key, f"previous_{key}"]
    rows: list[tuple[Cell, ...]] = []
    for group in report.groups:
        cells: list[Cell] = [report.group_by, group.key, group.label]
        for figure in headline(group.current, group.previous):
            cells += [figure.current, figure.previous]
        rows.append(tuple(cells))
    return Table(tuple(header), rows)


def reasons_table(report: KpiReport) -> Table:
    """Hand-overs by reason, over bot conversations, in both periods."""
    now, before = report.current.hand_over.by_reason, report.previous.hand_over.by_reason
    rows: list[tuple[Cell, ...]] = []
    for reason in sorted(now.keys() | before.keys()):
        current, previous = now.get(reason), before.get(reason)
        rows.append(
            (
                reason,
                current.count if current else 0,
                current.rate if current else None,
                previous.count if previous else 0,
                previous.rate if previous else None,
            )
        )
    return Table(("reason", "count", "rate", "previous_count", "previous_rate"), rows)


def intents_table(report: KpiReport) -> Table:
    """AI intent precision per predicted intent, in both periods."""
    now, before = report.current.ai_accuracy.by_intent, report.previous.ai_accuracy.by_intent
    rows: list[tuple[Cell, ...]] = []
    for intent in sorted(now.keys() | before.keys()):
        current, previous = now.get(intent), before.get(intent)
        rows.append(
            (
                intent,
                current.reviewed if current else 0,
                current.correct if current else 0,
                current.precision if current else None,
                previous.reviewed if previous else 0,
                previous.precision if previous else None,
            )
        )
    header = (
        "intent",
        "reviewed",
        "correct",
        "precision",
        "previous_reviewed",
        "previous_precision",
    )
    return Table(header, rows)


def sentiment_table(report: KpiReport) -> Table:
    """Customer sentiment per day (the local day conversations were opened) and per intent,
    for the period and the previous one."""
    rows: list[tuple[Cell, ...]] = []
    for name, figures in (("current", report.current), ("previous", report.previous)):
        sentiment = figures.sentiment
        for by, shares in (("day", sentiment.by_day), ("intent", sentiment.by_intent)):
            for key, share in shares.items():
                rows.append(
                    (
                        name,
                        by,
                        key,
                        share.messages,
                        share.mean,
                        share.negative,
                        share.negative_share,
                    )
                )
    return Table(("period", "by", "key", "messages", "mean", "negative", "negative_share"), rows)


CONVERSATION_COLUMNS = (
    "conversation_id",
    "status",
    "inbox_id",
    "inbox",
    "channel",
    "team_id",
    "team",
    "agent_id",
    "agent",
    "intent",
    "language",
    "tier",
    "opened_at",
    "handed_over_at",
    "first_human_reply_at",
    "first_resolved_at",
    "resolved_at",
    "bot_conversation",
    "handed_over",
    "hand_over_reason",
    "contained",
    "resolved",
    "reopened",
    "clarified",
    "first_contact_resolution",
    "automated_resolution",
    "automated_assisted",
    "csat_score",
    "handling_seconds",
    "bot_messages",
    "llm_tokens",
    "cost",
    "mean_sentiment",
)


def conversations_table(
    rows: Iterable[ConversationRow], names: Mapping[str, Mapping[str, str]]
) -> Table:
    """One row per conversation. `names` gives, per dimension ("inbox", "team", "agent"), the
    name of each id (staff and inboxes only, never customers)."""

    def name(dimension: str, row_id: int | None) -> str | None:
        return None if row_id is None else names.get(dimension, {}).get(str(row_id))

    return Table(
        CONVERSATION_COLUMNS,
        [
            (
                r.conversation_id,
                r.status,
                r.inbox_id,
                name("inbox", r.inbox_id),
                r.channel,
                r.team_id,
                name("team", r.team_id),
                r.agent_id,
                name("agent", r.agent_id),
                r.intent,
                r.language,
                r.tier,
                r.opened_at,
                r.handed_over_at,
                r.first_human_reply_at,
                r.first_resolved_at,
                r.resolved_at,
                r.bot_conversation,
                r.handed_over,
                r.hand_over_reason,
                r.bot_conversation and not r.handed_over,
                r.resolved,
                r.reopened,
                r.clarified,
                r.first_contact_resolution,
                r.automated_resolution,
                r.automated_assisted,
                r.csat_score,
                r.handling_seconds,
                r.bot_messages,
                r.llm_tokens,
                r.cost,
                r.mean_sentiment,
            )
            for r in rows
        ],
    )


# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Cell) -> str:
    """Text for one cell: empty for None, true/false, ISO 8601 times; text that a spreadsheet
    would read as a formula gets a leading apostrophe (OWASP's advice), numbers stay numbers."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, int | float):
        return repr(value)
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def to_csv(table: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.header)
    writer.writerows([csv_cell(cell) for cell in row] for row in table.rows)
    return out.getvalue()
