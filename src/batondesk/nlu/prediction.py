"""What the intent classifier says about one message."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


class NotFittedError(RuntimeError):
    """A model was used before `fit()` or `load()`."""


@dataclass(frozen=True)
class IntentPrediction:
    """Intent decision for one message.

    `intent` is None when the message is out of scope. `confidence` is the calibrated
    probability of the best in-scope intent (0..1). `top` lists the k best in-scope intents
    with their probabilities, best first. `oos_score` is the in-scope score compared to the
    threshold (higher = more clearly in scope); `in_scope_margin` is that score minus the
    threshold (negative: out of scope). `sentence_vector` is the message's MiniLM sentence
    embedding when the model's encoder is the unmodified one (not fine-tuned), so retrieval can
    reuse it instead of encoding the message again; None otherwise.
    """

    intent: str | None
    confidence: float
    top: list[tuple[str, float]] = field(default_factory=list)
    out_of_scope: bool = False
    oos_score: float = 1.0
    in_scope_margin: float = 0.0
    sentence_vector: np.ndarray | None = field(default=None, compare=False, repr=False)

    @property
    def best_intent(self) -> str | None:
        """The best in-scope intent even when the message was judged out of scope."""
        return self.top[0][0] if self.top else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "intent": self.intent,
            "confidence": round(self.confidence, 6),
            "out_of_scope": self.out_of_scope,
            "oos_score": round(self.oos_score, 6),
            "top": [{"intent": name, "probability": round(p, 6)} for name, p in self.top],
        }
