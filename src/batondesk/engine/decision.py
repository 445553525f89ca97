"""Stage 2: answer, ask to clarify, or hand over to a person — and why."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

from batondesk.engine.understanding import Understanding
from batondesk.handoff.policy import EscalationPolicy, Verdict

Action = Literal["answer", "clarify", "escalate"]


@dataclass(frozen=True)
class KnowledgeEntry:
    """An answer the account has for an intent (a published article)."""

    article_id: int
    slug: str
    title: str
    body: str


@dataclass(frozen=True)
class Decision:
    action: Action
    reason: str  # reason code: answered, ambiguous, unknown, explicit_request, ...
    intent: str | None = None
    knowledge: KnowledgeEntry | None = None
    alternatives: list[KnowledgeEntry] = field(default_factory=list)
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DecisionPolicy:
    """Thresholds are per account (settings JSON) so each desk can tune them."""

    answer_threshold: float = 0.55
    clarify_threshold: float = 0.25
    # When to hand over (signals, thresholds, customer tier): per account, see
    # batondesk.handoff.settings. Not one of the tunable numbers above.
    escalation: EscalationPolicy | None = field(default=None, compare=False, repr=False)

    @classmethod
    def from_settings(cls, settings: dict[str, Any]) -> DecisionPolicy:
        known = {
            name: settings[name]
            for name in cls.__dataclass_fields__
            if name in settings and name != "escalation"
        }
        return cls(**known)

    def with_escalation(self, escalation: EscalationPolicy) -> DecisionPolicy:
        return replace(self, escalation=escalation)

    def decide(
        self,
        understanding: Understanding,
        knowledge: dict[str, KnowledgeEntry],
        failed_turns: int,
    ) -> Decision:
        """`failed_turns` counts the bot's consecutive clarifications just before this message."""
        escalation = self.escalation or EscalationPolicy()
        evidence: dict[str, Any] = {
            "confidence": round(understanding.confidence, 4),
            "frustration": round(understanding.frustration, 4),
            "thresholds": {
                "answer": self.answer_threshold,
                "clarify": self.clarify_threshold,
                **escalation.settings.thresholds(),
            },
        }
        verdict = escalation.before_answer(understanding)
        if verdict is not None:
            return _escalate(verdict, understanding, evidence)

        intent = understanding.intent
        entry = knowledge.get(intent) if intent else None
        verdict = escalation.high_stakes(understanding)
        if verdict is not None:
            return _escalate(verdict, understanding, evidence)
        if (
            entry is not None
            and not understanding.out_of_scope
            and understanding.confidence >= self.answer_threshold
        ):
            return Decision("answer", "answered", intent, knowledge=entry, evidence=evidence)

        if intent and entry is None and understanding.confidence >= self.answer_threshold:
            # We know what they want but have nothing to say about it: a person must answer.
            return Decision("escalate", "no_answer", intent, evidence=evidence)
        verdict = escalation.when_unclear(understanding, failed_turns)
        if verdict is not None:
            return _escalate(verdict, understanding, evidence)

        alternatives = [
            knowledge[label]
            for label, score in understanding.top
            if label in knowledge and score >= self.clarify_threshold / 2
        ][:2]
        reason = "ambiguous" if alternatives else "unknown"
        return Decision("clarify", reason, intent, alternatives=alternatives, evidence=evidence)


def _escalate(verdict: Verdict, understanding: Understanding, evidence: dict[str, Any]) -> Decision:
    """Scores and thresholds of this turn plus the verdict's own evidence (signal, cues)."""
    return Decision(
        "escalate", verdict.reason, understanding.intent, evidence={**evidence, **verdict.evidence}
    )
