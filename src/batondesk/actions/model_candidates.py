"""The learning loop's retrain: reviewed examples -> candidate -> regression gate -> shadow.
Promoting or rolling back is `actions/intent_models.py`; the shadow's predictions are
`actions/shadow_models.py`.

A retrain spans several units of work, since training takes minutes and no database lock may
wait on it: (1) read the reviewed examples (consenting contacts', redacted); (2) train and
register the candidate, not active; (3) record it (`model.candidate_trained`); (4) score the
active model and the candidate on the frozen evaluation set through the account's real turn
and let the gate judge (`model.gate_passed` / `model.gate_refused`); (5) a candidate that
passed runs in shadow (`model.shadow_started`), taking the place of any earlier one. Every
step is an entry in the account's audit log.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from batondesk.actions.customer_turn import load_turn_setup
from batondesk.actions.review_feed import do_refresh_review_queue
from batondesk.engine.services import TurnServices
from batondesk.nlu import IntentClassifier
from batondesk.nlu.classifier import Progress
from batondesk.privacy.audit import record_audit
from batondesk.store.base import utcnow
from batondesk.store.database import Database
from batondesk.store.models import Account, CandidateStatus, Event, ModelCandidate
from batondesk.training.gate import GateDecision, judge
from batondesk.training.retraining import (
    LearningFiles,
    base_data,
    hyperparameters,
    train_candidate,
)
from batondesk.training.review_queue import reviewed_examples
from batondesk.training.settings import LearningSettings
from batondesk.training.slices import turn_outcomes

log = logging.getLogger("batondesk.training")

TRIGGERS = ("cli", "schedule", "console")


@dataclass(frozen=True)
class RetrainOutcome:
    candidate_id: int
    version: str
    status: CandidateStatus
    reviewed_examples: int
    base_examples: int
    gate: GateDecision | None

    def describe(self) -> str:
        gate = self.gate.summary() if self.gate is not None else "not judged"
        return (
            f"candidate {self.version} ({self.base_examples:,} base + "
            f"{self.reviewed_examples:,} reviewed examples): {self.status}; gate {gate}"
        )


def run_retrain(
    db: Database,
    services: TurnServices,
    account_id: int,
    *,
    trigger: str,
    job_id: str | None = None,
    progress: Progress | None = None,
    scoring_progress: Callable[[int], None] | None = None,
) -> RetrainOutcome:
    """Train, judge and (when it passes) shadow a candidate for the account. Raises
    RetrainError when something it needs is missing (no evaluation set, no base data)."""
    if trigger not in TRIGGERS:
        raise ValueError(f"unknown trigger {trigger!r}")
    with db.session() as session:
        if job_id is not None:
            done = session.scalars(
                select(ModelCandidate).where(
                    ModelCandidate.account_id == account_id, ModelCandidate.job_id == job_id
                )
            ).first()
            if done is not None:
                return _outcome(done)
        do_refresh_review_queue(session, account_id)
        reviewed = list(reviewed_examples(session, account_id))
    registry = services.models.registry(account_id)
    files = LearningFiles(registry)
    evaluation = files.evaluation()  # before training: a missing set fails in seconds
    answering = services.models.answering_path(account_id)
    base = base_data(files, answering)
    trained = train_candidate(registry, base, reviewed, hyperparameters(answering), progress)
    compared_with = answering.name if answering is not None else None

    with db.session() as session:
        candidate = ModelCandidate(
            account_id=account_id,
            version=trained.version,
            status=CandidateStatus.trained,
            trigger=trigger,
            job_id=job_id,
            compared_with=compared_with,
            base_examples=trained.base_examples,
            reviewed_examples=trained.reviewed_examples,
            training_seconds=trained.training_seconds,
            gate={},
            shadow_last_event_id=0,
            shadow_sample_share=1.0,
        )
        session.add(candidate)
        session.flush()
        candidate_id = candidate.id
        _audit(
            session,
            candidate,
            "model.candidate_trained",
            trigger=trigger,
            base_examples=trained.base_examples,
            reviewed_examples=trained.reviewed_examples,
            training_seconds=trained.training_seconds,
        )

    with db.session() as session:
        setup = load_turn_setup(session, account_id, services)
        account = session.get(Account, account_id)
        assert account is not None
        settings = LearningSettings.for_account(account.settings or {})
    # The active model and the candidate answer the same messages through the same turn.
    active_outcomes = turn_outcomes(setup, evaluation, progress=scoring_progress)
    candidate_model = IntentClassifier.load(trained.path)
    candidate_outcomes = turn_outcomes(setup, evaluation, candidate_model, scoring_progress)
    decision = judge(active_outcomes, candidate_outcomes, settings.gate_policy())

    with db.session() as session:
        candidate = session.get(ModelCandidate, candidate_id)
        assert candidate is not None
        do_record_gate(session, candidate, decision, evaluation.fingerprint())
        if decision.passed:
            do_start_shadow(session, candidate, settings.shadow_sample_share)
        return _outcome(candidate)


def _outcome(candidate: ModelCandidate) -> RetrainOutcome:
    gate = GateDecision.from_dict(candidate.gate) if candidate.gate else None
    return RetrainOutcome(
        candidate.id,
        candidate.version,
        candidate.status,
        candidate.reviewed_examples,
        candidate.base_examples,
        gate,
    )


def do_record_gate(
    session: Session, candidate: ModelCandidate, decision: GateDecision, evaluation_hash: str
) -> None:
    """Keep the gate's decision with the candidate; refused, it can never be promoted."""
    candidate.gate = {**decision.to_dict(), "evaluation_hash": evaluation_hash}
    if not decision.passed:
        candidate.status = CandidateStatus.refused
        candidate.decided_at = utcnow()
    overall = decision.comparisons[0]
    _audit(
        session,
        candidate,
        "model.gate_passed" if decision.passed else "model.gate_refused",
        summary=decision.summary(),
        overall_change_points=overall.change_points,
        dropped_slices=[c.label for c in decision.dropped],
        not_judged_slices=[c.label for c in decision.not_judged],
        rule=decision.policy.describe(),
    )
    session.flush()


def do_start_shadow(session: Session, candidate: ModelCandidate, sample_share: float) -> None:
    """Run a candidate that passed the gate beside the active model on the messages that
    arrive from now on; an earlier candidate in shadow is retired (one at a time)."""
    if candidate.status != CandidateStatus.trained:
        raise ValueError(f"candidate {candidate.version} is {candidate.status}, not trained")
    for earlier in session.scalars(
        select(ModelCandidate).where(
            ModelCandidate.account_id == candidate.account_id,
            ModelCandidate.status == CandidateStatus.shadow,
        )
    ):
        earlier.status = CandidateStatus.retired
        earlier.decided_at = utcnow()
        _audit(session, earlier, "model.shadow_ended", replaced_by=candidate.version)
    last_event = session.scalar(
        select(func.max(Event.id)).where(Event.account_id == candidate.account_id)
    )
    candidate.status = CandidateStatus.shadow
    candidate.shadow_started_at = utcnow()
    candidate.shadow_last_event_id = int(last_event or 0)
    candidate.shadow_sample_share = sample_share
    _audit(session, candidate, "model.shadow_started", sample_share=sample_share)
    session.flush()


def _audit(session: Session, candidate: ModelCandidate, action: str, **details: Any) -> None:
    record_audit(
        session,
        action,
        account_id=candidate.account_id,
        target_type="model_candidate",
        target_id=candidate.id,
        subject=candidate.version,
        details={"version": candidate.version, **details},
    )


def retrain_is_due(session: Session, account_id: int, settings: LearningSettings) -> bool:
    """The scheduled retrain's rule: switched on, the last candidate old enough, and enough
    examples labelled since (consenting contacts' only count)."""
    if not settings.auto_retrain:
        return False
    last = session.scalars(
        select(ModelCandidate)
        .where(ModelCandidate.account_id == account_id)
        .order_by(ModelCandidate.created_at.desc(), ModelCandidate.id.desc())
    ).first()
    if last is not None:
        age = utcnow() - last.created_at
        if age.days < settings.retrain_every_days:
            return False
    do_refresh_review_queue(session, account_id)
    reviewed = sum(1 for _ in reviewed_examples(session, account_id))
    already = last.reviewed_examples if last is not None else 0
    return reviewed - already >= settings.retrain_min_new_examples


def accounts_due_for_retrain(db: Database) -> list[int]:
    """Accounts whose scheduled retrain is due now."""
    with db.session() as session:
        accounts = [(a.id, a.settings or {}) for a in session.scalars(select(Account))]
    due = []
    for account_id, stored in accounts:
        settings = LearningSettings.for_account(stored)
        if not settings.auto_retrain:
            continue
        with db.session() as session:
            if retrain_is_due(session, account_id, settings):
                due.append(account_id)
    return due
