"""Handing over to people: the handoff packet, agents and their load, escalation settings."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel
from sqlalchemy import select

from batondesk.actions.recommendations import contact_recommendations
from batondesk.actions.settings import do_update_settings
from batondesk.api.deps import Principal, ServicesDep, SessionDep, require
from batondesk.api.errors import error_responses
from batondesk.api.routing import UnitOfWorkRoute
from batondesk.api.schemas import RowId
from batondesk.handoff.packet import build_packet
from batondesk.handoff.queue import open_load
from batondesk.handoff.settings import SETTINGS_KEY, EscalationSettings
from batondesk.store.access import get_conversation
from batondesk.store.models import Account, Membership, User

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/api/v1", tags=["handoff"])

Reader = Annotated[Principal, Depends(require("conversations:read"))]
Admin = Annotated[Principal, Depends(require("admin"))]


class AgentPublic(BaseModel):
    user_id: int
    name: str
    role: str
    team_id: int | None
    availability: str
    open_conversations: int


@router.get(
    "/conversations/{conversation_id}/packet",
    response_model=dict[str, Any],
    responses=error_responses(401, 403, 404),
)
def read_packet(
    conversation_id: RowId, principal: Reader, session: SessionDep, services: ServicesDep
) -> dict[str, Any]:
    """The handoff packet: summary, intents, what the AI answered and from which sources,
    the sentiment timeline, the escalation with its evidence, the customer's profile and
    history, their recommendations (only with their marketing consent) and a suggested
    first reply."""
    conversation = get_conversation(session, principal.account_id, conversation_id)
    agent_name = None
    if principal.user_id is not None:
        user = session.get(User, principal.user_id)
        agent_name = user.name if user else None
    offers = contact_recommendations(
        session, principal.account_id, conversation.contact_id, services.recommenders
    )
    return build_packet(
        session, conversation, agent_name=agent_name, recommendations=offers.public()
    )


@router.get("/agents", response_model=list[AgentPublic], responses=error_responses(401, 403))
def list_agents(principal: Reader, session: SessionDep) -> list[AgentPublic]:
    """Staff of this account with availability and open conversations (the queue's view)."""
    load = open_load(session, principal.account_id)
    rows = session.execute(
        select(Membership, User)
        .join(User, User.id == Membership.user_id)
        .where(Membership.account_id == principal.account_id)
        .order_by(Membership.id)
    )
    return [
        AgentPublic(
            user_id=member.user_id,
            name=user.name,
            role=str(member.role),
            team_id=member.team_id,
            availability=str(member.availability),
            open_conversations=load.get(member.user_id, 0),
        )
        for member, user in rows
    ]


@router.get(
    "/admin/settings/escalation",
    response_model=EscalationSettings,
    responses=error_responses(401, 403),
)
def read_escalation_settings(principal: Admin, session: SessionDep) -> EscalationSettings:
    account = session.get(Account, principal.account_id)
    assert account is not None
    return EscalationSettings.for_account(account.settings)


@router.put(
    "/admin/settings/escalation",
    response_model=EscalationSettings,
    responses=error_responses(401, 403, 422),
)
def update_escalation_settings(
    body: dict[str, Any], principal: Admin, session: SessionDep
) -> EscalationSettings:
    """Change any of the escalation settings (partial update): which signals apply, their
    thresholds, high-stakes intents, VIP tiers, auto-assignment, SLA targets, office hours."""
    account = session.get(Account, principal.account_id)
    assert account is not None
    return do_update_settings(session, account, SETTINGS_KEY, EscalationSettings, body)
