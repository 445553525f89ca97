"""Candidate intent models of the learning loop and what they said in shadow.

A candidate is a version in the account's model registry (the artifact lives there; this row
holds its way through the loop): trained from the base data and reviewed production
examples, judged by the regression gate (its decision, with every slice's figures, is kept
here), then run in shadow beside the active model until an admin promotes it or a newer
candidate takes its place. Shadow predictions hold ids, intents and flags, never text; each
goes with its message (ON DELETE CASCADE), so erasing a contact removes them too.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from batondesk.store.base import Base, TenantMixin


class CandidateStatus(enum.StrEnum):
    trained = "trained"  # registered; the regression gate has not judged it (yet)
    refused = "refused"  # the regression gate refused it: it can never answer customers
    shadow = "shadow"  # passed the gate; predicting beside the active model, answering nobody
    retired = "retired"  # passed, but a newer candidate took its place in shadow
    promoted = "promoted"  # an admin made it the active model
    rolled_back = "rolled_back"  # was active, and an admin rolled back to the one before


class ModelCandidate(Base, TenantMixin):
    __tablename__ = "model_candidates"
    __table_args__ = (UniqueConstraint("account_id", "version"),)

    version: Mapped[str] = mapped_column(String(64))
    status: Mapped[CandidateStatus] = mapped_column(
        Enum(CandidateStatus, native_enum=False, length=20)
    )
    # Who started the retrain: "cli", "schedule" or "console"; and the job that trained it,
    # so a job delivered again after it finished does not train a second candidate.
    trigger: Mapped[str] = mapped_column(String(20))
    job_id: Mapped[str | None] = mapped_column(String(64), default=None)
    # The version that was active when the candidate was judged (None: the server default's).
    compared_with: Mapped[str | None] = mapped_column(String(64), default=None)
    base_examples: Mapped[int] = mapped_column(Integer, default=0)
    reviewed_examples: Mapped[int] = mapped_column(Integer, default=0)
    training_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    # training/gate.py GateDecision.to_dict(): the decision and both models' slice figures.
    gate: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    shadow_started_at: Mapped[datetime | None] = mapped_column(default=None)
    # The shadow reads `message.understood` events after this id (a change feed, like the
    # review queue's): the first is the last event before the shadow started.
    shadow_last_event_id: Mapped[int] = mapped_column(Integer, default=0)
    shadow_sample_share: Mapped[float] = mapped_column(Float, default=1.0)
    decided_at: Mapped[datetime | None] = mapped_column(default=None)


class ShadowPrediction(Base, TenantMixin):
    """What the candidate in shadow said about one customer message, beside what the active
    model said when the message arrived."""

    __tablename__ = "shadow_predictions"
    __table_args__ = (UniqueConstraint("candidate_id", "message_id"),)

    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("model_candidates.id", ondelete="CASCADE"), index=True
    )
    message_id: Mapped[int] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), index=True
    )
    active_intent: Mapped[str | None] = mapped_column(String(80), default=None)
    active_out_of_scope: Mapped[bool] = mapped_column(default=False)
    shadow_intent: Mapped[str | None] = mapped_column(String(80), default=None)
    shadow_out_of_scope: Mapped[bool] = mapped_column(default=False)
    shadow_confidence: Mapped[float] = mapped_column(Float, default=0.0)
    # Both decided the same: the same intent, or both out of scope.
    agrees: Mapped[bool] = mapped_column(default=True)
