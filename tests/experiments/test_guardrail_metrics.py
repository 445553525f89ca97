"""The guardrails read a conversation with the report's own rules: an answer an agent marked
wrong counts against its arm, and so does an answer to a question an agent relabelled."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from batondesk.experiments.results import METRICS
from batondesk.reports.definitions import ReportContext
from batondesk.reports.history import ConversationHistory, LoggedEvent

OPENED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _at(minutes: int) -> datetime:
    return OPENED + timedelta(minutes=minutes)


def _conversation(*extra: LoggedEvent) -> ConversationHistory:
    events = (
        LoggedEvent(_at(0), "conversation.opened", "customer"),
        LoggedEvent(_at(0), "message.understood", "bot", None, {"message_id": 1, "intent": "a"}),
        LoggedEvent(_at(0), "bot.replied", "bot", None, {"message_id": 2, "article_ids": [7]}),
        LoggedEvent(_at(1), "message.understood", "bot", None, {"message_id": 3, "intent": "b"}),
        LoggedEvent(_at(1), "bot.replied", "bot", None, {"message_id": 4, "article_ids": [8]}),
        *extra,
    )
    return ConversationHistory(1, 1, OPENED, events)


def test_wrong_answer_flags_count_against_the_arm() -> None:
    rule = METRICS["wrong_answer_rate"]
    context = ReportContext(as_of=_at(60))
    assert rule.higher_is_better is False
    assert rule.counts(_conversation(), context) == (0, 2)
    flagged = LoggedEvent(
        _at(5), "bot.answer_reviewed", "agent", 9, {"message_id": 4, "verdict": "wrong"}
    )
    assert rule.counts(_conversation(flagged), context) == (1, 2)
    # The latest review wins: marked right again, it no longer counts.
    unflagged = LoggedEvent(
        _at(6), "bot.answer_reviewed", "agent", 9, {"message_id": 4, "verdict": "right"}
    )
    assert rule.counts(_conversation(flagged, unflagged), context) == (0, 2)


def test_the_intent_precision_guardrail_reads_the_same_context() -> None:
    corrected = LoggedEvent(
        _at(5), "message.intent_corrected", "agent", 9, {"message_id": 3, "corrected_intent": "c"}
    )
    successes, trials = METRICS["ai_precision"].counts(
        _conversation(corrected), ReportContext(as_of=_at(60))
    )
    assert (successes, trials) == (0, 1)
