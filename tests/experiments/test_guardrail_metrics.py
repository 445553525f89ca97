"""The answer-quality metrics read a conversation with the report's own rules: an answer an
agent marked wrong counts against its arm, and so does an answer to a question an agent
relabelled; the customers' latest "Did this answer your question?" per answer makes an arm's
share of helpful answers, as a primary metric or a guardrail."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from batondesk.experiments.definition import ExperimentDefinition
from batondesk.experiments.results import METRICS, exposures, metric_names, summarise
from batondesk.reports.definitions import ReportContext
from batondesk.reports.history import ConversationHistory, LoggedEvent

OPENED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
EXPERIMENT_ID = 5


def _at(minutes: int) -> datetime:
    return OPENED + timedelta(minutes=minutes)


def _conversation(
    *extra: LoggedEvent, conversation_id: int = 1, arm: str | None = None
) -> ConversationHistory:
    """Two bot answers (messages 2 and 4) to two questions (1 and 3), then `extra`; with `arm`,
    exposed to experiment EXPERIMENT_ID in that arm (one customer per conversation)."""
    exposure = {"experiment_id": EXPERIMENT_ID, "arm": arm}
    exposed = [LoggedEvent(_at(0), "experiment.exposed", "bot", None, exposure)] if arm else []
    events = (
        LoggedEvent(_at(0), "conversation.opened", "customer"),
        *exposed,
        LoggedEvent(_at(0), "message.understood", "bot", None, {"message_id": 1, "intent": "a"}),
        LoggedEvent(_at(0), "bot.replied", "bot", None, {"message_id": 2, "article_ids": [7]}),
        LoggedEvent(_at(1), "message.understood", "bot", None, {"message_id": 3, "intent": "b"}),
        LoggedEvent(_at(1), "bot.replied", "bot", None, {"message_id": 4, "article_ids": [8]}),
        *extra,
    )
    return ConversationHistory(conversation_id, conversation_id, OPENED, events)


def _said(minutes: int, message_id: int, helpful: bool) -> LoggedEvent:
    """The customer's click under one of the bot's messages."""
    payload = {"message_id": message_id, "helpful": helpful}
    return LoggedEvent(_at(minutes), "bot.answer_feedback", "customer", 1, payload)


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


def test_an_answer_counts_as_helpful_by_the_customers_latest_click() -> None:
    rule = METRICS["helpful_answer_rate"]
    context = ReportContext(as_of=_at(60))
    assert rule.higher_is_better is True
    assert rule.counts(_conversation(), context) == (0, 0)  # no feedback: not a trial
    assert rule.counts(_conversation(_said(2, 2, True), _said(3, 4, False)), context) == (1, 2)
    # A changed mind counts once, as its last click; a click on the customer's own message
    # (not an answer) is not counted.
    changed = (_said(2, 2, True), _said(3, 2, False), _said(4, 1, True))
    assert rule.counts(_conversation(*changed), context) == (0, 1)


def test_each_arms_share_of_helpful_answers_as_primary_metric_and_guardrail() -> None:
    definition = ExperimentDefinition.model_validate(
        {
            "variants": [
                {"key": "control", "name": "Today's bot", "control": True, "weight": 1},
                {"key": "bolder", "name": "Bolder", "weight": 1},
            ],
            "primary_metric": "helpful_answer_rate",
            "guardrails": [{"metric": "helpful_answer_rate", "max_worsening": 0.05}],
        }
    )
    histories = [
        # control: 1 of 2, then 1 of 1 (No changed to Yes; no word on the second answer).
        _conversation(_said(2, 2, True), _said(3, 4, False), conversation_id=10, arm="control"),
        _conversation(_said(2, 2, False), _said(3, 2, True), conversation_id=11, arm="control"),
        # bolder: 0 of 2; 1 of 2 (Yes changed to No on the first answer, Yes on the second);
        # and a conversation without feedback, which adds no trial.
        _conversation(_said(2, 2, False), _said(3, 4, False), conversation_id=12, arm="bolder"),
        _conversation(
            _said(2, 2, True),
            _said(3, 2, False),
            _said(4, 4, True),
            conversation_id=13,
            arm="bolder",
        ),
        _conversation(conversation_id=14, arm="bolder"),
    ]
    context = ReportContext(as_of=_at(60))
    found = exposures(histories, EXPERIMENT_ID, metric_names(definition), context)
    results = summarise(definition, found, _at(60))

    arms = {a.key: a.metrics["helpful_answer_rate"] for a in results.arms}
    # By hand: control 2 helpful of 3 answers with feedback, bolder 1 of 4.
    assert (arms["control"].successes, arms["control"].trials) == (2, 3)
    assert (arms["bolder"].successes, arms["bolder"].trials) == (1, 4)
    assert (arms["control"].rate, arms["bolder"].rate) == (0.6667, 0.25)
    [primary] = results.primary
    assert primary.metric == "helpful_answer_rate" and primary.difference == -0.4167
    [guardrail] = results.guardrails
    assert guardrail.metric == "helpful_answer_rate" and guardrail.worsening == 0.4167
    # Seven answers are too few for the always-valid test to stop anything.
    assert not guardrail.breached and not primary.significant
