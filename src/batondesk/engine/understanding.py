"""What does the customer want, and how do they feel?

One pass over the message: the intent model (intents with calibrated probabilities, in scope
or not, and the sentence vector retrieval reuses), the language, and the hand-over detectors
over the conversation so far.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

import numpy as np

from batondesk.handoff.detection import HandoffCues, detect_cues
from batondesk.handoff.learned import EscalationModel
from batondesk.nlu.language import detect_language, settles_language


class IntentPrediction(Protocol):
    intent: str | None
    confidence: float
    top: list[tuple[str, float]]
    out_of_scope: bool
    in_scope_margin: float
    sentence_vector: np.ndarray | None


class IntentPredictor(Protocol):
    """What the turn needs of an intent model (batondesk.nlu.IntentClassifier fits)."""

    def predict(self, text: str) -> IntentPrediction: ...


def predict_many(model: IntentPredictor, texts: Sequence[str]) -> list[IntentPrediction]:
    """Many messages at once, off the customer's turn (a shadow pass, a queue re-read): in one
    batch when the model has `predict_batch` (the encoder's batches are cheaper per message)."""
    batch = getattr(model, "predict_batch", None)
    return list(batch(texts)) if batch is not None else [model.predict(t) for t in texts]


@dataclass(frozen=True)
class Understanding:
    intent: str | None  # the best in-scope intent; None when out of scope or without a model
    confidence: float
    top: list[tuple[str, float]] = field(default_factory=list)
    out_of_scope: bool = False
    # In-scope score minus the model's out-of-scope threshold (negative: out of scope).
    in_scope_margin: float = 0.0
    has_intent_model: bool = True
    wants_human: bool = False
    frustration: float = 0.0  # 0..1 for the conversation so far
    sentiment: float = 0.0  # this message's polarity, -1 (negative) to 1 (positive)
    language: str = "en"
    # Sure enough to set the language the conversation is held in (nlu.language).
    language_settled: bool = False
    signals: dict[str, Any] = field(default_factory=dict)
    # What the handoff detectors found (batondesk.handoff.detection); names and spans only.
    cues: HandoffCues | None = None
    # The message's sentence embedding when the intent model's encoder is the one retrieval
    # uses, so the message is encoded once. Never stored.
    sentence_vector: np.ndarray | None = field(default=None, compare=False, repr=False)

    def to_annotations(self) -> dict[str, Any]:
        """What is stored beside the message: scores and labels, never text."""
        data = asdict(self)
        data.pop("sentence_vector")
        data["top"] = [[label, round(score, 4)] for label, score in self.top]
        data["confidence"] = round(self.confidence, 4)
        data["frustration"] = round(self.frustration, 4)
        data["sentiment"] = round(self.sentiment, 4)
        data["in_scope_margin"] = round(self.in_scope_margin, 4)
        return data


def understand(
    text: str,
    earlier_customer_messages: Sequence[str],
    classifier: IntentPredictor | None,
    escalation_model: EscalationModel | None = None,
) -> Understanding:
    """`earlier_customer_messages`: the customer's messages before this one, oldest first.
    Without a classifier every intent is unknown, and the turn relies on retrieval.
    `escalation_model` reads the conversation beside the hand-over rules."""
    intent: str | None = None
    confidence = 0.0
    top: list[tuple[str, float]] = []
    out_of_scope = True
    margin = 0.0
    vector = None
    if classifier is not None:
        prediction = classifier.predict(text)
        # Plain Python types: predictions may carry numpy scalars, which JSON cannot store.
        intent = None if prediction.intent is None else str(prediction.intent)
        confidence = float(prediction.confidence)
        top = [(str(label), float(score)) for label, score in prediction.top]
        out_of_scope = bool(prediction.out_of_scope)
        margin = float(prediction.in_scope_margin)
        vector = prediction.sentence_vector
    language = detect_language(text)
    cues = detect_cues([*earlier_customer_messages, text], escalation_model, vector)
    return Understanding(
        intent=intent,
        confidence=confidence,
        top=top,
        out_of_scope=out_of_scope,
        in_scope_margin=margin,
        has_intent_model=classifier is not None,
        wants_human=cues.explicit_request is not None,
        frustration=cues.frustration,
        sentiment=cues.message_polarity,
        language=language.language,
        language_settled=settles_language(text, language),
        signals={
            "frustration_trend": "rising" if cues.frustration_rising else "steady",
            "language_confidence": round(language.confidence, 3),
        },
        cues=cues,
        sentence_vector=vector,
    )
