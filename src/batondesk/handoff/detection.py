"""All detectors over one customer message and the conversation before it."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from batondesk.handoff.cues import Cue
from batondesk.handoff.explicit_request import detect_explicit_request
from batondesk.handoff.frustration import conversation_reading
from batondesk.handoff.learned import EscalationModel, LearnedReading
from batondesk.handoff.need import NeedProgress, need_progress
from batondesk.handoff.repeated_failure import detect_repeated_failure
from batondesk.handoff.sensitive import asks_in_general, detect_sensitive

# Rephrasings below this overlap are not even recorded; the account threshold is applied
# by the policy.
_REPHRASE_FLOOR = 0.4


@dataclass(frozen=True)
class HandoffCues:
    """What the detectors found; stored with the message (no text, only names and spans)."""

    explicit_request: Cue | None = None
    sensitive: Cue | None = None
    repeated_failure: Cue | None = None
    frustration: float = 0.0  # the conversation so far, 0..1
    message_frustration: float = 0.0  # this message alone
    message_polarity: float = 0.0  # this message's sentiment, -1 (negative) to 1
    frustration_per_message: list[float] = field(default_factory=list)
    frustration_signals: list[str] = field(default_factory=list)
    frustration_peak_index: int = 0
    frustration_rising: bool = False
    # The learned model's reading of the conversation so far (None without a model).
    learned: LearnedReading | None = None
    # How far into the customer's current need this message is (repeated failure is judged
    # on that need alone).
    need: NeedProgress = field(default_factory=lambda: NeedProgress(1, False))
    # The message asks about fraud, privacy or the law in general, saying nothing happened.
    asks_in_general: bool = False


def detect_cues(
    messages: list[str],
    model: EscalationModel | None = None,
    last_vector: np.ndarray | None = None,
) -> HandoffCues:
    """`messages`: the customer's messages so far, oldest first; the last is the current one.
    `model`: the learned escalation model, read beside the rules; `last_vector`: the current
    message's sentence embedding when the intent model already computed it."""
    index = len(messages) - 1
    current = messages[-1]
    reading = conversation_reading(messages)
    return HandoffCues(
        explicit_request=detect_explicit_request(current, index),
        sensitive=detect_sensitive(current, index),
        repeated_failure=detect_repeated_failure(messages, _REPHRASE_FLOOR),
        frustration=reading.score,
        message_frustration=reading.per_message[-1].score,
        message_polarity=reading.per_message[-1].polarity,
        frustration_per_message=[m.score for m in reading.per_message],
        frustration_signals=list(reading.per_message[-1].signals),
        frustration_peak_index=reading.peak_index,
        frustration_rising=reading.rising,
        learned=model.read(messages, last_vector) if model is not None else None,
        need=need_progress(messages),
        asks_in_general=asks_in_general(current),
    )
