"""Changing which intent model version answers an account: the registry's pointer moves, the
change is an entry in the audit log (`model.promoted`, `model.rolled_back`), a candidate of
the learning loop records it, then every API worker is told, so each loads the version before
the account's next message."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from batondesk.engine.intent_models import IntentModels
from batondesk.errors import Conflict
from batondesk.nlu import ModelVersion
from batondesk.privacy.audit import record_audit
from batondesk.realtime import Broker
from batondesk.realtime.invalidation import announce, model_activated
from batondesk.store.base import utcnow
from batondesk.store.models import CandidateStatus, ModelCandidate


def _candidate(session: Session, account_id: int | None, version: str) -> ModelCandidate | None:
    if account_id is None:
        return None
    return session.scalars(
        select(ModelCandidate).where(
            ModelCandidate.account_id == account_id, ModelCandidate.version == version
        )
    ).first()


def do_promote_model(
    session: Session,
    models: IntentModels,
    broker: Broker,
    account_id: int | None,
    version: str,
) -> ModelVersion:
    """Make `version` of the account's registry (None: the server default's) active.
    Raises RegistryError for an unknown version, Conflict for a candidate the regression gate
    refused."""
    registry = models.registry(account_id)
    registry.get(version)
    candidate = _candidate(session, account_id, version)
    if candidate is not None and candidate.status == CandidateStatus.refused:
        raise Conflict(
            f"version {version} was refused by the regression gate: "
            f"{candidate.gate.get('summary', 'see the learning page')}",
            code="gate_refused",
        )
    previous = registry.active()
    promoted = registry.promote(version)
    if candidate is not None:
        candidate.status = CandidateStatus.promoted
        candidate.decided_at = utcnow()
    record_audit(
        session,
        "model.promoted",
        account_id=account_id,
        target_type="model_candidate" if candidate is not None else None,
        target_id=candidate.id if candidate is not None else None,
        subject=version,
        details={
            "version": version,
            "previous": previous.version if previous is not None else None,
            "registry": "account" if account_id is not None else "server default",
        },
    )
    session.flush()
    announce(broker, model_activated(account_id))
    return promoted


def do_roll_back_model(
    session: Session, models: IntentModels, broker: Broker, account_id: int | None
) -> ModelVersion:
    """Re-activate the version that was active before the current one. Raises RegistryError
    when there is none."""
    registry = models.registry(account_id)
    current = registry.active()
    restored = registry.rollback()
    if current is not None:
        candidate = _candidate(session, account_id, current.version)
        if candidate is not None and candidate.status == CandidateStatus.promoted:
            candidate.status = CandidateStatus.rolled_back
            candidate.decided_at = utcnow()
    record_audit(
        session,
        "model.rolled_back",
        account_id=account_id,
        subject=restored.version,
        details={
            "from": current.version if current is not None else None,
            "to": restored.version,
            "registry": "account" if account_id is not None else "server default",
        },
    )
    session.flush()
    announce(broker, model_activated(account_id))
    return restored
