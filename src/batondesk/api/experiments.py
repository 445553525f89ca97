"""A/B experiments of the bot (docs/experiments.md): create, list, read with results, edit a
draft, start, stop. Admin only."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from batondesk.actions.experiments import (
    check_definition,
    definition_of,
    do_create_experiment,
    do_start_experiment,
    do_stop_experiment,
    do_stop_if_guardrail_breached,
    do_update_experiment,
    get_experiment,
    read_results,
)
from batondesk.api.deps import Principal, ServicesDep, SessionDep, require
from batondesk.api.errors import error_responses
from batondesk.api.routing import UnitOfWorkRoute
from batondesk.experiments.definition import (
    KEY_PATTERN,
    ExperimentDefinition,
    ExperimentWords,
)
from batondesk.experiments.results import ExperimentResults
from batondesk.store.models import Experiment, ExperimentStatus

router = APIRouter(
    route_class=UnitOfWorkRoute, prefix="/api/v1/admin/experiments", tags=["experiments"]
)

Admin = Annotated[Principal, Depends(require("admin"))]
ExperimentKey = Annotated[str, Path(pattern=KEY_PATTERN, description="the experiment's key")]


class ExperimentCreate(ExperimentDefinition, ExperimentWords):
    """An experiment's key, words and definition (variants, eligibility, metrics)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(pattern=KEY_PATTERN, description="unique in the account; never changes")


class ExperimentStop(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=300, description="why, for the record")


class ExperimentPublic(BaseModel):
    key: str
    name: str
    hypothesis: str
    status: ExperimentStatus
    created_at: datetime
    started_at: datetime | None
    stopped_at: datetime | None
    stop_reason: str | None
    definition: ExperimentDefinition
    notes: list[str] = Field(description="overrides that have no effect on this server")


class ExperimentDetail(ExperimentPublic):
    results: ExperimentResults | None = Field(description="null until the experiment starts")


def _public(experiment: Experiment, llm_configured: bool) -> ExperimentPublic:
    definition = definition_of(experiment)
    notes = sorted(
        {n for v in definition.variants for n in v.overrides.notes(llm_configured=llm_configured)}
    )
    return ExperimentPublic(
        key=experiment.key,
        name=experiment.name,
        hypothesis=experiment.hypothesis,
        status=experiment.status,
        created_at=experiment.created_at,
        started_at=experiment.started_at,
        stopped_at=experiment.stopped_at,
        stop_reason=experiment.stop_reason,
        definition=definition,
        notes=notes,
    )


@router.get("", response_model=list[ExperimentPublic], responses=error_responses(401, 403))
def list_experiments(
    principal: Admin, session: SessionDep, services: ServicesDep
) -> list[ExperimentPublic]:
    """The account's experiments, newest first."""
    rows = session.scalars(
        select(Experiment)
        .where(Experiment.account_id == principal.account_id)
        .order_by(Experiment.id.desc())
    )
    return [_public(row, services.writer is not None) for row in rows]


@router.post(
    "",
    response_model=ExperimentPublic,
    status_code=201,
    responses=error_responses(401, 403, 409, 422),
)
def create_experiment(
    body: ExperimentCreate, principal: Admin, session: SessionDep, services: ServicesDep
) -> ExperimentPublic:
    """A new draft. 409 `experiment_exists` when the key is taken; 422 names what is invalid
    (no control, two controls, an unknown override, a threshold out of range, ...)."""
    definition = check_definition(body.model_dump(exclude={"key", "name", "hypothesis"}))
    experiment = do_create_experiment(
        session,
        principal.account_id,
        key=body.key,
        name=body.name,
        hypothesis=body.hypothesis,
        definition=definition,
    )
    return _public(experiment, services.writer is not None)


@router.get("/{key}", response_model=ExperimentDetail, responses=error_responses(401, 403, 404))
def read_experiment(
    key: ExperimentKey, principal: Admin, session: SessionDep, services: ServicesDep
) -> ExperimentDetail:
    """The experiment with its results: per arm, each metric's rate with a Wilson interval;
    each variant against control (difference and its interval, the two-proportion test, the
    always-valid p-value); guardrails; the sample-ratio check; the sample size needed. A
    running experiment whose guardrail is found breached is stopped by this read."""
    experiment = get_experiment(session, principal.account_id, key)
    results = None
    if experiment.status != ExperimentStatus.draft:
        results = read_results(session, experiment)
        do_stop_if_guardrail_breached(session, experiment, results)
    public = _public(experiment, services.writer is not None)
    return ExperimentDetail(**public.model_dump(), results=results)


@router.patch(
    "/{key}", response_model=ExperimentPublic, responses=error_responses(401, 403, 404, 409, 422)
)
def update_experiment(
    key: ExperimentKey,
    principal: Admin,
    session: SessionDep,
    services: ServicesDep,
    changes: Annotated[dict[str, Any], Body(description="the fields to change")],
) -> ExperimentPublic:
    """Change a draft (any field but the key). Once started, only `name` and `hypothesis`:
    anything else is 409 `experiment_locked`."""
    experiment = get_experiment(session, principal.account_id, key)
    do_update_experiment(session, experiment, changes)
    return _public(experiment, services.writer is not None)


@router.post(
    "/{key}/start",
    response_model=ExperimentPublic,
    responses=error_responses(401, 403, 404, 409),
)
def start_experiment(
    key: ExperimentKey, principal: Admin, session: SessionDep, services: ServicesDep
) -> ExperimentPublic:
    """Start assigning eligible customers; 409 unless it is a draft."""
    experiment = do_start_experiment(session, get_experiment(session, principal.account_id, key))
    return _public(experiment, services.writer is not None)


@router.post(
    "/{key}/stop",
    response_model=ExperimentPublic,
    responses=error_responses(401, 403, 404, 409, 422),
)
def stop_experiment(
    key: ExperimentKey,
    body: ExperimentStop,
    principal: Admin,
    session: SessionDep,
    services: ServicesDep,
) -> ExperimentPublic:
    """Stop for good, with the reason; 409 unless it is running."""
    experiment = do_stop_experiment(
        session,
        get_experiment(session, principal.account_id, key),
        body.reason,
        actor_id=principal.user_id,
    )
    return _public(experiment, services.writer is not None)
