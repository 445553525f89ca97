"""Replaying labelled conversations through the customer's turn to measure escalation.

Each conversation is a new one: its messages go through `engine.turn.take_turn` in order,
with the history the widget's action would have stored, so the bot answers (or asks) in
between exactly as it would in production, until it hands over or the messages run out.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from batondesk.engine.turn import (
    ConversationState,
    CustomerContext,
    HistoryEntry,
    TurnSetup,
    take_turn,
)
from batondesk.evaluation.files import json_lines

REASONS = ("explicit_request", "frustration", "sensitive", "repeated_failure", "none")


class EvaluationFileError(ValueError):
    """The evaluation file is not one JSON conversation per line in the expected shape."""


@dataclass(frozen=True)
class LabelledConversation:
    id: str
    messages: list[str]
    expect_escalate: bool
    expect_reason: str


@dataclass(frozen=True)
class ConversationResult:
    id: str
    expect_escalate: bool
    expect_reason: str
    escalated: bool
    reason: str  # "none" when not escalated
    turn: int | None  # 1-based customer message at which it escalated
    bot_actions: list[str] = field(default_factory=list)  # the bot's action per turn

    @property
    def correct(self) -> bool:
        if self.escalated != self.expect_escalate:
            return False
        return not self.escalated or self.reason == self.expect_reason


@dataclass(frozen=True)
class EscalationScores:
    conversations: int
    true_positives: int
    false_positives: int
    false_negatives: int
    true_negatives: int
    precision: float
    recall: float
    f1: float
    reason_accuracy: float  # on true positives
    false_escalation_rate: float  # escalated among conversations that should not be
    by_reason: dict[str, dict[str, int]]


def read_conversations(path: Path) -> list[LabelledConversation]:
    conversations: list[LabelledConversation] = []
    seen: set[str] = set()
    for where, row in json_lines(path, EvaluationFileError):
        conversations.append(_parse(row, where))
        if conversations[-1].id in seen:
            raise EvaluationFileError(f"{where}: duplicate id {conversations[-1].id!r}")
        seen.add(conversations[-1].id)
    if not conversations:
        raise EvaluationFileError(f"{path}: no conversations")
    return conversations


def _parse(row: Any, where: str) -> LabelledConversation:
    if not isinstance(row, dict):
        raise EvaluationFileError(f"{where}: expected an object")
    messages = row.get("messages")
    if (
        not isinstance(messages, list)
        or not messages
        or not all(isinstance(m, str) and m.strip() for m in messages)
    ):
        raise EvaluationFileError(f"{where}: 'messages' must be a non-empty list of strings")
    expect = row.get("expect_escalate")
    if not isinstance(expect, bool):
        raise EvaluationFileError(f"{where}: 'expect_escalate' must be true or false")
    reason = row.get("expect_reason", "none" if not expect else None)
    if reason not in REASONS:
        raise EvaluationFileError(f"{where}: 'expect_reason' must be one of {', '.join(REASONS)}")
    if expect != (reason != "none"):
        raise EvaluationFileError(f"{where}: 'expect_reason' contradicts 'expect_escalate'")
    return LabelledConversation(str(row.get("id", where)), list(messages), expect, reason)


def score(results: list[ConversationResult]) -> EscalationScores:
    tp = sum(r.escalated and r.expect_escalate for r in results)
    fp = sum(r.escalated and not r.expect_escalate for r in results)
    fn = sum(not r.escalated and r.expect_escalate for r in results)
    tn = sum(not r.escalated and not r.expect_escalate for r in results)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    right_reason = sum(
        r.escalated and r.expect_escalate and r.reason == r.expect_reason for r in results
    )
    by_reason: dict[str, dict[str, int]] = {}
    for r in results:
        row = by_reason.setdefault(r.expect_reason, {"total": 0, "correct": 0})
        row["total"] += 1
        row["correct"] += r.correct
    return EscalationScores(
        conversations=len(results),
        true_positives=tp,
        false_positives=fp,
        false_negatives=fn,
        true_negatives=tn,
        precision=round(precision, 4),
        recall=round(recall, 4),
        f1=round(f1, 4),
        reason_accuracy=round(right_reason / tp, 4) if tp else 0.0,
        false_escalation_rate=round(fp / (fp + tn), 4) if fp + tn else 0.0,
        by_reason=by_reason,
    )


def replay(setup: TurnSetup, conversation: LabelledConversation) -> ConversationResult:
    """The customer's messages in order, each answered by `take_turn` with the history the
    action would have stored (`TurnResult.bot_annotations`), until the bot hands over."""
    history: list[HistoryEntry] = []
    actions: list[str] = []
    for turn, text in enumerate(conversation.messages, 1):
        result = take_turn(text, ConversationState.from_history(history), CustomerContext(), setup)
        actions.append(result.action)
        if result.action == "escalate":
            return _result(conversation, True, result.reason, turn, actions)
        history.append(HistoryEntry("customer", text))
        reply = result.reply.text if result.reply is not None else ""
        history.append(HistoryEntry("bot", reply, result.bot_annotations()))
    return _result(conversation, False, "none", None, actions)


def evaluate(
    conversations: list[LabelledConversation], setup: TurnSetup
) -> Iterator[ConversationResult]:
    for conversation in conversations:
        yield replay(setup, conversation)


def _result(
    conversation: LabelledConversation,
    escalated: bool,
    reason: str,
    turn: int | None,
    actions: list[str],
) -> ConversationResult:
    return ConversationResult(
        id=conversation.id,
        expect_escalate=conversation.expect_escalate,
        expect_reason=conversation.expect_reason,
        escalated=escalated,
        reason=reason,
        turn=turn,
        bot_actions=actions,
    )


def report_json(results: list[ConversationResult], scores: EscalationScores) -> dict[str, Any]:
    return {"scores": asdict(scores), "conversations": [asdict(r) for r in results]}
