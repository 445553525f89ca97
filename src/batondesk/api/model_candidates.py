"""The learning loop's candidate models (admins): what each retrain produced, the regression
gate's decision slice by slice, the shadow's agreement with the active model and the messages
they disagreed on (redacted); "retrain now"; the loop's settings. Promoting and rolling back
are `/api/v1/admin/models/promote` and `/rollback` (web/console_api.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field
from sqlalchemy import select

from batondesk.actions.settings import do_update_settings
from batondesk.actions.shadow_models import disagreements, shadow_summary
from batondesk.api.deps import JobsDep, Principal, ServicesDep, SessionDep, require
from batondesk.api.errors import error_responses
from batondesk.api.routing import UnitOfWorkRoute
from batondesk.api.schemas import RowId
from batondesk.errors import Conflict
from batondesk.nlu import DatasetError, load_dataset
from batondesk.store.access import get_owned
from batondesk.store.models import Account, CandidateStatus, ModelCandidate
from batondesk.training.retraining import LearningFiles
from batondesk.training.settings import SETTINGS_KEY, LearningSettings

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/api/v1", tags=["learning"])

Admin = Annotated[Principal, Depends(require("admin"))]
SHOWN_CANDIDATES = 20


class ShadowPublic(BaseModel):
    started_at: datetime | None
    sample_share: float
    predicted: int = Field(description="Live messages the candidate predicted in shadow")
    agreed: int = Field(description="Of them, decided as the active model did")
    agreement_rate: float | None


class CandidatePublic(BaseModel):
    id: int
    version: str
    status: CandidateStatus
    trigger: str
    created_at: datetime
    decided_at: datetime | None
    compared_with: str | None = Field(description="The version active when it was judged")
    base_examples: int
    reviewed_examples: int = Field(description="Reviewed production examples it learned from")
    training_seconds: float
    gate: dict[str, Any] = Field(
        description="The regression gate's decision: `passed`, `summary`, `rule`, per-slice "
        "`comparisons` and both models' slice figures (`active`, `candidate`); empty until "
        "judged"
    )
    shadow: ShadowPublic | None


class EvaluationSetPublic(BaseModel):
    name: str
    examples: int
    slice_fields: list[str]


class LearningModelsPublic(BaseModel):
    active: str | None = Field(description="This account's own active version, if any")
    source: str = Field(description="account, default, built-in or none")
    evaluation_set: EvaluationSetPublic | None = Field(
        description="The frozen evaluation set of the gate; None until an operator sets one"
    )
    has_base_data: bool
    settings: LearningSettings
    candidates: list[CandidatePublic] = Field(description="Newest first")


class DisagreementPublic(BaseModel):
    message_id: int
    text: str = Field(description="The customer's message, personal data redacted")
    active: str = Field(description="The active model's decision: an intent, or oos")
    candidate: str
    candidate_confidence: float
    at: datetime


class RetrainQueued(BaseModel):
    job_id: str


def _candidate_public(session: SessionDep, candidate: ModelCandidate) -> CandidatePublic:
    shadow = None
    if candidate.shadow_started_at is not None:
        summary = shadow_summary(session, candidate.id)
        shadow = ShadowPublic(
            started_at=candidate.shadow_started_at,
            sample_share=candidate.shadow_sample_share,
            predicted=summary.predicted,
            agreed=summary.agreed,
            agreement_rate=summary.agreement_rate,
        )
    return CandidatePublic(
        id=candidate.id,
        version=candidate.version,
        status=candidate.status,
        trigger=candidate.trigger,
        created_at=candidate.created_at,
        decided_at=candidate.decided_at,
        compared_with=candidate.compared_with,
        base_examples=candidate.base_examples,
        reviewed_examples=candidate.reviewed_examples,
        training_seconds=candidate.training_seconds,
        gate=candidate.gate or {},
        shadow=shadow,
    )


def _evaluation_set(files: LearningFiles) -> EvaluationSetPublic | None:
    path = files.evaluation_path()
    if path is None:
        return None
    try:
        dataset = load_dataset(path)
    except DatasetError:
        return None
    return EvaluationSetPublic(
        name=path.name, examples=len(dataset), slice_fields=dataset.slice_fields
    )


@router.get(
    "/learning/models",
    response_model=LearningModelsPublic,
    responses=error_responses(401, 403),
)
def read_learning_models(
    principal: Admin, session: SessionDep, services: ServicesDep
) -> LearningModelsPublic:
    """The candidates of the learning loop, newest first, with the gate's decision per slice
    and the shadow's agreement with the active model."""
    account = session.get(Account, principal.account_id)
    assert account is not None
    registry = services.models.registry(principal.account_id)
    active = registry.active()
    files = LearningFiles(registry)
    candidates = session.scalars(
        select(ModelCandidate)
        .where(ModelCandidate.account_id == principal.account_id)
        .order_by(ModelCandidate.id.desc())
        .limit(SHOWN_CANDIDATES)
    )
    return LearningModelsPublic(
        active=active.version if active is not None else None,
        source=services.models.source(principal.account_id),
        evaluation_set=_evaluation_set(files),
        has_base_data=files.base_path() is not None,
        settings=LearningSettings.for_account(account.settings or {}),
        candidates=[_candidate_public(session, c) for c in candidates],
    )


@router.get(
    "/learning/models/{candidate_id}/disagreements",
    response_model=list[DisagreementPublic],
    responses=error_responses(401, 403, 404, 422),
)
def read_disagreements(
    candidate_id: RowId,
    principal: Admin,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> list[DisagreementPublic]:
    """The latest live messages the candidate in shadow decided differently from the active
    model, newest first, their text redacted."""
    candidate = get_owned(session, ModelCandidate, principal.account_id, candidate_id)
    return [
        DisagreementPublic(
            message_id=d.message_id,
            text=d.text,
            active=d.active,
            candidate=d.shadow,
            candidate_confidence=d.shadow_confidence,
            at=d.at,
        )
        for d in disagreements(session, principal.account_id, candidate.id, limit)
    ]


@router.post(
    "/learning/retrain",
    response_model=RetrainQueued,
    status_code=202,
    responses=error_responses(401, 403, 409),
)
def retrain_now(principal: Admin, services: ServicesDep, jobs: JobsDep) -> RetrainQueued:
    """Train a candidate now, as a job (minutes): base data plus the reviewed examples,
    judged by the regression gate, then in shadow if it passes. It appears in
    `GET /api/v1/learning/models` when trained. Refused (409 `no_evaluation_set`) until an
    operator has frozen an evaluation set (`baton nlu retrain --eval FILE`)."""
    files = LearningFiles(services.models.registry(principal.account_id))
    if files.evaluation_path() is None:
        raise Conflict(
            "no frozen evaluation set for the regression gate yet: an operator sets one with "
            "`baton nlu retrain --account SLUG --eval FILE`",
            code="no_evaluation_set",
        )
    return RetrainQueued(job_id=jobs.enqueue("retrain_model", account_id=principal.account_id))


@router.get(
    "/admin/settings/learning",
    response_model=LearningSettings,
    tags=["admin"],
    responses=error_responses(401, 403),
)
def read_learning_settings(principal: Admin, session: SessionDep) -> LearningSettings:
    account = session.get(Account, principal.account_id)
    assert account is not None
    return LearningSettings.for_account(account.settings or {})


@router.put(
    "/admin/settings/learning",
    response_model=LearningSettings,
    tags=["admin"],
    responses=error_responses(401, 403, 422),
)
def update_learning_settings(
    body: dict[str, Any], principal: Admin, session: SessionDep
) -> LearningSettings:
    """Change the learning loop's settings (partial update): the gate's
    `gate_margin_points` (default 2), `gate_min_slice_examples` (20) and
    `gate_significance` (0.05); `shadow_sample_share` (1.0); the scheduled retrain,
    `auto_retrain` (off), `retrain_every_days` (7) and `retrain_min_new_examples` (50)."""
    account = session.get(Account, principal.account_id)
    assert account is not None
    return do_update_settings(session, account, SETTINGS_KEY, LearningSettings, body)
