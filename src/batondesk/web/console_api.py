"""JSON routes the console needs beyond the core API: intent corrections and the model registry."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from batondesk.actions.corrections import do_correct_intent
from batondesk.actions.intent_models import do_promote_model, do_roll_back_model
from batondesk.actions.members import do_add_staff, do_update_member, member_user
from batondesk.api.deps import (
    BrokerDep,
    JobsDep,
    Principal,
    ServicesDep,
    SessionDep,
    require,
    require_member,
)
from batondesk.api.errors import error_responses
from batondesk.api.presenters import message_public
from batondesk.api.routing import UnitOfWorkRoute
from batondesk.api.schemas import MessagePublic, RowCount, RowId, Strict
from batondesk.engine.services import TurnServices
from batondesk.errors import Conflict, NotFound
from batondesk.nlu import ModelVersion, RegistryError
from batondesk.store.access import get_member, get_owned
from batondesk.store.models import Account, Membership, Message, Role
from batondesk.training.review_queue import account_intents

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/api/v1")

Writer = Annotated[Principal, Depends(require("conversations:write"))]
Admin = Annotated[Principal, Depends(require("admin"))]


class IntentCorrection(Strict):
    intent: str = Field(min_length=1, max_length=80, description="The right intent label")


class MemberCreate(Strict):
    email: str = Field(min_length=3, max_length=320)
    name: str = Field(min_length=1, max_length=200)
    role: Role = Role.agent
    team_id: RowId | None = None
    password: str = Field(min_length=1, max_length=200, description="At least 8 characters")


class MemberUpdate(Strict):
    role: Role | None = None
    team_id: RowCount | None = Field(default=None, description="0 removes the member from any team")


class MemberPublic(BaseModel):
    user_id: int
    email: str
    name: str
    role: Role
    team_id: int | None
    availability: str


class ModelPromotion(Strict):
    # A plain directory name: no separators or leading dot, so it cannot leave the registry.
    version: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


class ModelVersionPublic(BaseModel):
    version: str
    created_at: str
    active: bool
    metrics: dict[str, Any]
    dataset_hash: str | None


class ModelsPublic(BaseModel):
    data: list[ModelVersionPublic] = Field(description="This account's own versions")
    active: str | None = Field(description="This account's active version, if any")
    source: str = Field(
        description="Which model answers this account's customers: account (its own), "
        "default (the server's), built-in, or none (articles are searched without one)"
    )
    default_active: str | None = Field(description="The server default's active version")


@router.post(
    "/messages/{message_id}/intent",
    response_model=MessagePublic,
    tags=["console"],
    responses=error_responses(401, 403, 404, 422),
)
def correct_intent(
    message_id: RowId,
    body: IntentCorrection,
    principal: Writer,
    session: SessionDep,
    services: ServicesDep,
) -> MessagePublic:
    """Correct the AI's intent label on a customer message (kept for the learning loop). One
    of the account's intents is taken as it is spelled; a new one is normalised to lower-case
    words joined by underscores."""
    member = require_member(principal)
    message = get_owned(session, Message, principal.account_id, message_id)
    existing = account_intents(
        session, principal.account_id, services.models.for_account(principal.account_id)
    )
    return message_public(do_correct_intent(session, message, member, body.intent, existing))


def _member_public(session: SessionDep, membership: Membership) -> MemberPublic:
    user = member_user(session, membership)
    return MemberPublic(
        user_id=user.id,
        email=user.email,
        name=user.name,
        role=membership.role,
        team_id=membership.team_id,
        availability=str(membership.availability),
    )


@router.post(
    "/admin/members",
    response_model=MemberPublic,
    status_code=201,
    tags=["admin"],
    responses=error_responses(401, 403, 404, 409, 422),
)
def add_member(body: MemberCreate, principal: Admin, session: SessionDep) -> MemberPublic:
    """Add a person to this account with a first password (they can be given any role). A
    person who already has a login (in another account) joins with the login they have."""
    account = session.get(Account, principal.account_id)
    assert account is not None
    membership = do_add_staff(
        session,
        account,
        email=body.email,
        name=body.name,
        role=body.role,
        password=body.password,
        team_id=body.team_id,
    )
    # The name and email as given: a login shared with another account keeps its own name,
    # and echoing it here would tell that the email is in use elsewhere.
    return MemberPublic(
        user_id=membership.user_id,
        email=body.email.strip().lower(),
        name=body.name.strip(),
        role=membership.role,
        team_id=membership.team_id,
        availability=str(membership.availability),
    )


@router.patch(
    "/admin/members/{user_id}",
    response_model=MemberPublic,
    tags=["admin"],
    responses=error_responses(401, 403, 404, 409, 422),
)
def update_member(
    user_id: RowId, body: MemberUpdate, principal: Admin, session: SessionDep
) -> MemberPublic:
    """Change a member's role or team."""
    membership = get_member(session, principal.account_id, user_id)
    do_update_member(
        session,
        membership,
        role=body.role,
        team_id=body.team_id or None,
        clear_team=body.team_id == 0,
    )
    return _member_public(session, membership)


def _models(services: TurnServices, account_id: int) -> ModelsPublic:
    registry = services.models.registry(account_id)
    versions = registry.list()
    default = services.models.registry(None).active()
    return ModelsPublic(
        data=[_version_public(v) for v in versions],
        active=next((v.version for v in versions if v.active), None),
        source=services.models.source(account_id),
        default_active=default.version if default is not None else None,
    )


def _version_public(version: ModelVersion) -> ModelVersionPublic:
    return ModelVersionPublic(
        version=version.version,
        created_at=version.created_at,
        active=version.active,
        metrics=version.metrics,
        dataset_hash=version.dataset_hash,
    )


@router.get(
    "/admin/models",
    response_model=ModelsPublic,
    tags=["admin"],
    responses=error_responses(401, 403),
)
def list_models(principal: Admin, services: ServicesDep) -> ModelsPublic:
    """This account's intent model versions, oldest first, with their evaluation metrics, and
    the server default it falls back to while none of its own is active."""
    return _models(services, principal.account_id)


@router.post(
    "/admin/models/promote",
    response_model=ModelsPublic,
    tags=["admin"],
    responses=error_responses(401, 403, 404, 409, 422),
)
def promote_model(
    body: ModelPromotion,
    principal: Admin,
    session: SessionDep,
    services: ServicesDep,
    broker: BrokerDep,
    jobs: JobsDep,
) -> ModelsPublic:
    """Make one of this account's versions answer its customers (every worker loads it before
    the account's next message). Other accounts, and the server default, are not affected.
    A candidate the regression gate refused cannot be promoted (409 `gate_refused`).
    Recorded in the audit log. The review queue's pending items are then read again by it,
    in a job (their `scored_by` names it once done)."""
    try:
        do_promote_model(session, services.models, broker, principal.account_id, body.version)
    except RegistryError as exc:
        raise NotFound(str(exc)) from None
    jobs.enqueue("rescore_review_queue", account_id=principal.account_id)
    return _models(services, principal.account_id)


@router.post(
    "/admin/models/rollback",
    response_model=ModelsPublic,
    tags=["admin"],
    responses=error_responses(401, 403, 409),
)
def rollback_model(
    principal: Admin,
    session: SessionDep,
    services: ServicesDep,
    broker: BrokerDep,
    jobs: JobsDep,
) -> ModelsPublic:
    """Re-activate this account's version that was active before the current one. Recorded
    in the audit log. The review queue's pending items are then read again by it, in a job."""
    try:
        do_roll_back_model(session, services.models, broker, principal.account_id)
    except RegistryError as exc:
        raise Conflict(str(exc), code="nothing_to_roll_back") from None
    jobs.enqueue("rescore_review_queue", account_id=principal.account_id)
    return _models(services, principal.account_id)
