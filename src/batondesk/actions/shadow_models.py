"""The candidate in shadow: it predicts on live customer messages beside the active model and
never answers.

It runs off the customer's turn, in a background job (jobs/definitions.py `run_shadow_models`,
every `SHADOW_PASS_SECONDS`), so it adds no latency to any reply: the job reads the event log
as a change feed (the `message.understood` events appended since its last pass, like the
review queue's feed), predicts the messages those events name in one batch, and stores what
each model decided. The active model's decision is the one recorded when the message arrived.
A `shadow_sample_share` below 1 predicts a fixed share of messages, chosen by a hash of the
message id, so a pass run again chooses the same ones.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from batondesk.actions.review_feed import SETTLING
from batondesk.engine.intent_models import IntentModels
from batondesk.engine.understanding import predict_many
from batondesk.nlu.dataset import OUT_OF_SCOPE_LABEL
from batondesk.store.base import utcnow
from batondesk.store.models import (
    CandidateStatus,
    Event,
    Message,
    ModelCandidate,
    ShadowPrediction,
)
from batondesk.training.review_queue import redacted_texts

# Messages predicted per pass and candidate: a pass stays short; the next one continues.
MAX_PER_PASS = 500
_BUCKETS = 10_000


def sampled(message_id: int, share: float) -> bool:
    """Whether the shadow predicts this message, for a share of messages (stable per id)."""
    if share >= 1.0:
        return True
    return zlib.crc32(str(message_id).encode()) % _BUCKETS < share * _BUCKETS


def decision(intent: str | None, out_of_scope: bool) -> str:
    return OUT_OF_SCOPE_LABEL if out_of_scope or intent is None else intent


def accounts_in_shadow(session: Session) -> list[int]:
    return list(
        session.scalars(
            select(ModelCandidate.account_id)
            .where(ModelCandidate.status == CandidateStatus.shadow)
            .distinct()
        )
    )


def do_shadow_pass(
    session: Session, models: IntentModels, account_id: int, now: datetime | None = None
) -> int:
    """Predict with the account's candidate in shadow the messages understood since the last
    pass; returns how many predictions were stored. Idempotent: a message already predicted
    is skipped, and the cursor only moves past events old enough to be settled."""
    now = now or utcnow()
    candidate = session.scalars(
        select(ModelCandidate).where(
            ModelCandidate.account_id == account_id,
            ModelCandidate.status == CandidateStatus.shadow,
        )
    ).first()
    if candidate is None:
        return 0
    rows = session.execute(
        select(Event.id, Event.payload, Event.created_at)
        .where(
            Event.account_id == account_id,
            Event.id > candidate.shadow_last_event_id,
            Event.type == "message.understood",
        )
        .order_by(Event.id)
        .limit(MAX_PER_PASS)
    ).all()
    wanted: dict[int, dict[str, Any]] = {}
    for row in rows:
        message_id = row.payload.get("message_id")
        if isinstance(message_id, int) and sampled(message_id, candidate.shadow_sample_share):
            wanted[message_id] = row.payload
    done = set(
        session.scalars(
            select(ShadowPrediction.message_id).where(
                ShadowPrediction.candidate_id == candidate.id,
                ShadowPrediction.message_id.in_(list(wanted)),
            )
        )
    )
    messages = [
        m
        for m in session.scalars(
            select(Message).where(
                Message.account_id == account_id,
                Message.id.in_([i for i in wanted if i not in done]),
            )
        )
        if m.body
    ]
    stored = 0
    if messages:
        model = models.version(account_id, candidate.version)
        for message, prediction in zip(
            messages, predict_many(model, [m.body or "" for m in messages]), strict=True
        ):
            active = wanted[message.id]
            active_intent = active.get("intent")
            active_oos = bool(active.get("out_of_scope"))
            shadow_intent = None if prediction.intent is None else str(prediction.intent)
            shadow_oos = bool(prediction.out_of_scope)
            session.add(
                ShadowPrediction(
                    account_id=account_id,
                    candidate_id=candidate.id,
                    message_id=message.id,
                    active_intent=active_intent,
                    active_out_of_scope=active_oos,
                    shadow_intent=shadow_intent,
                    shadow_out_of_scope=shadow_oos,
                    shadow_confidence=round(float(prediction.confidence), 4),
                    agrees=(
                        decision(active_intent, active_oos) == decision(shadow_intent, shadow_oos)
                    ),
                )
            )
            stored += 1
    settled = [row.id for row in rows if row.created_at <= now - SETTLING]
    if len(rows) == MAX_PER_PASS and rows:
        # A full page: everything on it is handled, settled or not.
        settled.append(rows[-1].id)
    if settled:
        candidate.shadow_last_event_id = max(candidate.shadow_last_event_id, *settled)
    session.flush()
    return stored


@dataclass(frozen=True)
class ShadowSummary:
    predicted: int
    agreed: int

    @property
    def agreement_rate(self) -> float | None:
        return round(self.agreed / self.predicted, 4) if self.predicted else None


def shadow_summary(session: Session, candidate_id: int) -> ShadowSummary:
    predicted, agreed = session.execute(
        select(
            func.count(ShadowPrediction.id),
            func.coalesce(func.sum(case((ShadowPrediction.agrees.is_(True), 1), else_=0)), 0),
        ).where(ShadowPrediction.candidate_id == candidate_id)
    ).one()
    return ShadowSummary(int(predicted), int(agreed))


@dataclass(frozen=True)
class Disagreement:
    message_id: int
    text: str  # redacted
    active: str  # the active model's decision: an intent or "oos"
    shadow: str
    shadow_confidence: float
    at: datetime


def disagreements(
    session: Session, account_id: int, candidate_id: int, limit: int = 20
) -> list[Disagreement]:
    """The latest messages the two models decided differently, their text redacted."""
    rows = list(
        session.scalars(
            select(ShadowPrediction)
            .where(
                ShadowPrediction.account_id == account_id,
                ShadowPrediction.candidate_id == candidate_id,
                ShadowPrediction.agrees.is_(False),
            )
            .order_by(ShadowPrediction.id.desc())
            .limit(limit)
        )
    )
    texts = redacted_texts(session, account_id, [r.message_id for r in rows])
    return [
        Disagreement(
            r.message_id,
            texts[r.message_id],
            decision(r.active_intent, r.active_out_of_scope),
            decision(r.shadow_intent, r.shadow_out_of_scope),
            r.shadow_confidence,
            r.created_at,
        )
        for r in rows
        if r.message_id in texts
    ]
