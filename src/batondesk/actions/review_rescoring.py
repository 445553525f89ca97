"""The review queue follows the model in use.

An item's place in the queue comes from the model's doubt about the message (its margin,
training/review_ranking.py), read when the message arrived. Once a retrained model answers
the account, that reading is stale: messages the new model has learnt stay on top and the
ones it now hesitates on stay buried. So when an account's model changes (a promotion or a
rollback, through the console or the API), a job (`rescore_review_queue`) has the model now
answering read the pending items again and stores its prediction, confidence and margin,
and its version in `scored_by`. Reviewing in rounds, with a retrain between them, then
spends each round's labels where the current model hesitates. Offline, on three splits of
BANKING77 (docs/benchmarks.md, bench-loop), four rounds of 250 labels closed 67%, 80% and 78%
of the gap to the full-train model where 1,000 labels ranked once by the first model closed
63%, 63% and 78%.

Reasons do not change: they say what happened in the conversation, not what a model thinks.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from batondesk.engine.intent_models import IntentModels
from batondesk.engine.understanding import predict_many
from batondesk.store.models import ReviewItem, ReviewStatus
from batondesk.training.review_queue import message_bodies
from batondesk.training.review_ranking import margin_of

# The newest pending items a pass reads again: bounded, so one job stays minutes at most
# (~80 messages a second per core with the demo's model). Older ones keep their reading.
MAX_ITEMS = 5_000
_CHUNK = 500


def answering_version(models: IntentModels, account_id: int) -> str | None:
    """The version of the model answering the account (its own, else the server default's)."""
    path = models.answering_path(account_id)
    return None if path is None else path.name


def do_rescore_pending(session: Session, models: IntentModels, account_id: int) -> int:
    """Have the model answering the account read its pending review items again; returns how
    many were read. Idempotent: items already read by that version are left alone."""
    version = answering_version(models, account_id)
    model = models.for_account(account_id)
    if version is None or model is None:
        return 0
    items = list(
        session.scalars(
            select(ReviewItem)
            .where(
                ReviewItem.account_id == account_id,
                ReviewItem.status == ReviewStatus.pending,
            )
            .order_by(ReviewItem.id.desc())
            .limit(MAX_ITEMS)
        )
    )
    items = [item for item in items if item.scored_by != version]
    bodies = message_bodies(session, account_id, [item.message_id for item in items])
    items = [item for item in items if bodies.get(item.message_id)]
    for start in range(0, len(items), _CHUNK):
        chunk = items[start : start + _CHUNK]
        for item, prediction in zip(
            chunk, predict_many(model, [bodies[i.message_id] for i in chunk]), strict=True
        ):
            item.predicted_intent = None if prediction.intent is None else str(prediction.intent)
            item.confidence = round(float(prediction.confidence), 4)
            item.margin = margin_of(prediction.top)
            item.out_of_scope = bool(prediction.out_of_scope)
            item.scored_by = version
        session.flush()
    return len(items)
