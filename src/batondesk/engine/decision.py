"""Stage 2: answer, ask to clarify, or hand over to a person — and why."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from batondesk.engine.understanding import Understanding

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
    frustration_threshold: float = 0.75
    max_failed_turns: int = 2  # consecutive clarifications before handing over

    @classmethod
    def from_settings(cls, settings: dict[str, Any]) -> DecisionPolicy:
        known = {name: settings[name] for name in cls.__dataclass_fields__ if name in settings}
        return cls(**known)

    def decide(
        self,
        understanding: Understanding,
        knowledge: dict[str, KnowledgeEntry],
        failed_turns: int,
    ) -> Decision:
        """`failed_turns` counts the bot's consecutive clarifications just before this message."""
        evidence: dict[str, Any] = {
            "confidence": round(understanding.confidence, 4),
            "frustration": round(understanding.frustration, 4),
            "thresholds": {
                "answer": self.answer_threshold,
                "clarify": self.clarify_threshold,
                "frustration": self.frustration_threshold,
            },
        }
        if understanding.wants_human:
            return Decision("escalate", "explicit_request", understanding.intent, evidence=evidence)
        if understanding.frustration >= self.frustration_threshold:
            return Decision("escalate", "frustration", understanding.intent, evidence=evidence)

        intent = understanding.intent
        entry = knowledge.get(intent) if intent else None
        if (
            entry is not None
            and not understanding.out_of_scope
            and understanding.confidence >= self.answer_threshold
        ):
            return Decision("answer", "answered", intent, knowledge=entry, evidence=evidence)

        if failed_turns >= self.max_failed_turns:
            return Decision("escalate", "repeated_failure", intent, evidence=evidence)
        if intent and entry is None and understanding.confidence >= self.answer_threshold:
            # We know what they want but have nothing to say about it: a person must answer.
            return Decision("escalate", "no_answer", intent, evidence=evidence)

        alternatives = [
            knowledge[label]
            for label, score in understanding.top
            if label in knowledge and score >= self.clarify_threshold / 2
        ][:2]
        reason = "ambiguous" if alternatives else "unknown"
        return Decision("clarify", reason, intent, alternatives=alternatives, evidence=evidence)
