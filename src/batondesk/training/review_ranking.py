"""Why a message is in the review queue, and which items a reviewer should see first.

Pure functions over plain values (no database): the queue's reads and the tests share them.

Usefulness of a label, highest first:
- the strongest reason (counted twice): a person already said the bot was wrong (an agent's
  correction, an answer judged wrong, a customer's "No") weighs most; a hand-over, a missed
  clarification or a bad rating next; the model's own doubt (low confidence, out of scope,
  unclear) least;
- the model's uncertainty, 1 - margin (the top intent's probability minus the second's):
  a label where the model hesitated between two intents teaches it most;
- volume, how many other pending messages say nearly the same thing (cosine similarity of
  their sentence embeddings at least `SIMILAR_COSINE`), only breaks ties and is shown to the
  reviewer. It used to add to the score (half a point per doubling): in the full
  `make bench-loop` run 811 of the 1,000 labelled messages then had a near duplicate among
  the others, and the labels closed 59% of the gap to the full-train model. Near duplicates
  teach the model the same thing once; the budget is better spent on the messages it
  hesitates on: without the bonus, the same run closes 69% of the gap (docs/benchmarks.md,
  bench-loop). Growing topics are the content-gaps page's
  business (training/content_gaps.py ranks clusters by volume and growth).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# reason code -> (weight, what the reviewer reads)
REASONS: dict[str, tuple[float, str]] = {
    "agent_corrected": (1.0, "an agent corrected the intent"),
    "answer_wrong": (1.0, "an agent judged the bot's answer wrong"),
    "answer_flagged": (0.9, "the customer said the answer did not help"),
    "handed_over": (0.7, "handed over to a person (low confidence or repeated failure)"),
    "clarification_missed": (0.7, "the customer picked none of the offered topics"),
    "negative_rating": (0.6, "the conversation was rated badly"),
    "no_answer": (0.5, "handed over: no article answers this intent"),
    "unclear": (0.4, "the bot asked what the customer meant"),
    "out_of_scope": (0.3, "out of scope for the intent model"),
    "low_confidence": (0.3, "the intent model was unsure"),
}
# Unanswered or handed over: the questions content gaps are made of.
GAP_REASONS = frozenset(
    {"out_of_scope", "unclear", "clarification_missed", "handed_over", "no_answer"}
)
LOW_CONFIDENCE = 0.5  # below it, an answered message still goes to the queue
SIMILAR_COSINE = 0.8
# Reasons count twice the model's doubt: a person saying the bot was wrong (weight 1) puts
# an item above any message the model merely hesitated on (uncertainty at most 1).
REASON_SCALE = 2.0


@dataclass(frozen=True)
class Usefulness:
    score: float
    reason_weight: float
    uncertainty: float
    similar_pending: int


def reason_weight(reasons: Sequence[str]) -> float:
    return max((REASONS[r][0] for r in reasons if r in REASONS), default=0.0)


def why(reasons: Sequence[str], predicted_intent: str | None, confidence: float | None) -> str:
    """One sentence for the reviewer: the reasons, strongest first, and the prediction."""
    ordered = sorted(
        (r for r in dict.fromkeys(reasons) if r in REASONS), key=lambda r: -REASONS[r][0]
    )
    said = "; ".join(REASONS[r][1] for r in ordered) or "flagged"
    if predicted_intent is None:
        return f"{said.capitalize()}. The model recognised no intent."
    shown = f" ({confidence:.0%})" if confidence is not None else ""
    return f"{said.capitalize()}. The model predicted {predicted_intent}{shown}."


def similar_counts(vectors: np.ndarray | None, count: int) -> list[int]:
    """For each of `count` L2-normalised vectors, how many others are near duplicates;
    all zero without vectors (no sentence encoder on this server)."""
    if vectors is None or count == 0:
        return [0] * count
    similarity = vectors @ vectors.T
    return [int(n) - 1 for n in (similarity >= SIMILAR_COSINE).sum(axis=1)]


def usefulness(reasons: Sequence[str], margin: float | None, similar_pending: int) -> Usefulness:
    weight = reason_weight(reasons)
    uncertainty = 1.0 if margin is None else min(1.0, max(0.0, 1.0 - margin))
    score = REASON_SCALE * weight + uncertainty
    return Usefulness(round(score, 4), weight, uncertainty, similar_pending)


def rank_key(entry: Usefulness, item_id: int) -> tuple[float, int, int]:
    """Sort key, most useful first: score, then more near duplicates, then the newest."""
    return (-entry.score, -entry.similar_pending, -item_id)


def margin_of(top: Sequence[Sequence[object]] | None) -> float | None:
    """The top intent's probability minus the second's, from a message's `top` annotation."""
    if not top:
        return None
    scores = [float(pair[1]) for pair in top if len(pair) >= 2]  # type: ignore[arg-type]
    if not scores:
        return None
    return round(scores[0] - (scores[1] if len(scores) > 1 else 0.0), 4)
