"""The human queue: priority, routing to a team by intent, and the agent to assign.

Queries only; the writes (setting the team, assigning, recording events) are actions in
`batondesk.actions.handoff`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from batondesk.handoff.next_steps import QueueSituation, expected_wait
from batondesk.handoff.office_hours import is_open
from batondesk.handoff.settings import OfficeHours
from batondesk.store.models import (
    Availability,
    Conversation,
    ConversationStatus,
    Membership,
    Priority,
    Role,
    Team,
    User,
)

# A reason's starting priority; the customer's tier and anger raise it (see `priority_for`).
_REASON_PRIORITY = {
    "sensitive": Priority.high,
    "frustration": Priority.high,
    "vip": Priority.high,
    "explicit_request": Priority.normal,
    "repeated_failure": Priority.normal,
    "low_confidence": Priority.normal,
    "no_answer": Priority.normal,
}
# Sensitive cases where every minute counts.
_URGENT_CATEGORIES = frozenset({"safety", "fraud"})


def priority_for(reason: str, *, tier: str, frustration: float, category: str | None) -> int:
    """Priority at escalation from the reason, the kind of sensitive case, the customer's tier
    and how angry they are. Waiting time raises it later (`aged_priority`)."""
    priority = int(_REASON_PRIORITY.get(reason, Priority.normal))
    if reason == "sensitive" and category in _URGENT_CATEGORIES:
        priority = Priority.urgent
    if tier == "vip":
        priority += 1
    if frustration >= 0.8:
        priority += 1
    return min(int(Priority.urgent), priority)


def aging_steps(escalated_at: datetime, now: datetime, aging_minutes: int) -> int:
    """One step of priority for every `aging_minutes` waited, so nobody waits forever
    behind newer, louder cases."""
    return max(0, int((now - escalated_at).total_seconds() // (aging_minutes * 60)))


def team_for_intent(session: Session, account_id: int, intent: str | None) -> Team | None:
    """The team whose intents include this one (the first by id if several do)."""
    if not intent:
        return None
    for team in session.scalars(
        select(Team).where(Team.account_id == account_id).order_by(Team.id)
    ):
        if intent in (team.intents or []):
            return team
    return None


def open_load(session: Session, account_id: int) -> dict[int, int]:
    """user id -> conversations assigned to them and not resolved."""
    rows = session.execute(
        select(Conversation.assignee_id, func.count())
        .where(
            Conversation.account_id == account_id,
            Conversation.status == ConversationStatus.assigned,
            Conversation.assignee_id.is_not(None),
        )
        .group_by(Conversation.assignee_id)
    )
    return {int(user_id): int(count) for user_id, count in rows}


def available_agents(session: Session, account_id: int) -> list[Membership]:
    return list(
        session.scalars(
            select(Membership)
            .where(
                Membership.account_id == account_id,
                Membership.availability == Availability.available,
                Membership.role.in_([Role.agent, Role.admin]),
            )
            .order_by(Membership.id)
        )
    )


def least_loaded_agent(
    session: Session, account_id: int, team_id: int | None, max_open: int
) -> Membership | None:
    """The available agent with the fewest open conversations, preferring the routed team;
    anyone available when nobody in that team is. None when all are away or full."""
    agents = available_agents(session, account_id)
    load = open_load(session, account_id)
    candidates = [a for a in agents if load.get(a.user_id, 0) < max_open]
    if team_id is not None:
        in_team = [a for a in candidates if a.team_id == team_id]
        candidates = in_team or candidates
    if not candidates:
        return None
    return min(candidates, key=lambda a: (load.get(a.user_id, 0), a.id))


def queue_situation(
    session: Session,
    conversation: Conversation,
    *,
    position: int,
    office_hours: OfficeHours | None,
    average_handle_minutes: float,
    now: datetime,
) -> QueueSituation:
    """Where the customer stands, for the "what happens next" message."""
    agent_name = None
    if conversation.status == ConversationStatus.assigned and conversation.assignee_id:
        user = session.get(User, conversation.assignee_id)
        agent_name = user.name.split()[0] if user and user.name else None
    agents = len(available_agents(session, conversation.account_id))
    return QueueSituation(
        position=position,
        expected_wait_minutes=expected_wait(position, agents, average_handle_minutes),
        agent_name=agent_name,
        open_now=is_open(office_hours, now),
        agents_available=agents,
        office_hours=office_hours,
    )
