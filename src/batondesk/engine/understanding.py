"""Stage 1: what does the customer want, and how do they feel?"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from batondesk.handoff.detection import HandoffCues, detect_cues
from batondesk.handoff.explicit_request import detect_explicit_request


@dataclass(frozen=True)
class Understanding:
    intent: str | None
    confidence: float
    top: list[tuple[str, float]] = field(default_factory=list)
    out_of_scope: bool = False
    wants_human: bool = False
    frustration: float = 0.0  # 0..1 for the conversation so far
    language: str = "en"
    signals: dict[str, Any] = field(default_factory=dict)
    # What the handoff detectors found (batondesk.handoff.detection); names and spans only.
    cues: HandoffCues | None = None

    def to_annotations(self) -> dict[str, Any]:
        """What is stored beside the message: scores and labels, never text."""
        data = asdict(self)
        data["top"] = [[label, round(score, 4)] for label, score in self.top]
        data["confidence"] = round(self.confidence, 4)
        data["frustration"] = round(self.frustration, 4)
        return data


class IntentPrediction(Protocol):
    intent: str | None
    confidence: float
    top: list[tuple[str, float]]
    out_of_scope: bool


class IntentPredictor(Protocol):
    """What the pipeline needs of an intent model (batondesk.nlu.IntentClassifier fits)."""

    def predict(self, text: str) -> IntentPrediction: ...


class Understander(Protocol):
    def understand(self, text: str, earlier_customer_messages: list[str]) -> Understanding: ...


def asks_for_human(text: str) -> bool:
    """Multilingual, and not fooled by "travel agent" (see batondesk.handoff)."""
    return detect_explicit_request(text) is not None


class ClassifierUnderstander:
    """Understanding from a trained intent classifier (or none: then every intent is unknown,
    and the policy clarifies or hands over instead of guessing)."""

    def __init__(self, classifier: IntentPredictor | None) -> None:
        self.classifier = classifier

    def understand(self, text: str, earlier_customer_messages: list[str]) -> Understanding:
        from batondesk.nlu import conversation_frustration, detect_language

        intent: str | None = None
        confidence = 0.0
        top: list[tuple[str, float]] = []
        out_of_scope = True
        if self.classifier is not None:
            prediction = self.classifier.predict(text)
            # Plain Python types: predictions may carry numpy scalars, which JSON cannot store.
            intent = None if prediction.intent is None else str(prediction.intent)
            confidence = float(prediction.confidence)
            top = [(str(label), float(score)) for label, score in prediction.top[:3]]
            out_of_scope = bool(prediction.out_of_scope)
        language = detect_language(text)
        frustration = conversation_frustration([*earlier_customer_messages, text])
        cues = detect_cues([*earlier_customer_messages, text])
        return Understanding(
            intent=intent,
            confidence=confidence,
            top=top,
            out_of_scope=out_of_scope,
            wants_human=cues.explicit_request is not None,
            frustration=cues.frustration,
            language=language.language,
            signals={
                "frustration_trend": frustration.label,
                "language_confidence": round(language.confidence, 3),
            },
            cues=cues,
        )
