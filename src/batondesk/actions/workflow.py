"""The agents' workflow on a conversation beside replying: who owns it (a teammate, a team),
its priority, and snoozing it until later. Each change records one event, which the console
shows as an activity line in the thread.

Assigning is `conversations.do_assign`; unassigning puts the conversation back in the queue
(a person is still needed), where automatic assignment may pick it up again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from batondesk.actions.conversations import do_assign
from batondesk.actions.events import record_event
from batondesk.actions.handoff import escalation_settings
from batondesk.errors import Conflict, InvalidInput
from batondesk.handoff.sla import due_times
from batondesk.store.base import utcnow
from batondesk.store.models import (
    Conversation,
    ConversationStatus,
    Membership,
    Priority,
    Team,
)

MAX_SNOOZE = timedelta(days=366)
# Who woke a snoozed conversation, as an event's actor type.
_WAKE_ACTORS = {"agent": "agent", "customer": "customer", "time": "system"}


def _refuse_resolved(conversation: Conversation) -> None:
    if conversation.status == ConversationStatus.resolved:
        raise Conflict("conversation is resolved; reopen it first", code="conversation_resolved")


def do_set_assignee(
    session: Session,
    conversation: Conversation,
    assignee: Membership | None,
    *,
    actor: Membership | None,
) -> None:
    """Assign, reassign (`assignee`) or unassign (None). Setting what is already set changes
    nothing and records nothing."""
    if assignee is not None:
        if (
            conversation.assignee_id == assignee.user_id
            and conversation.status == ConversationStatus.assigned
        ):
            return
        do_assign(session, conversation, assignee, actor=actor)
        return
    if conversation.assignee_id is None:
        return
    _refuse_resolved(conversation)
    previous = conversation.assignee_id
    conversation.assignee_id = None
    if conversation.status == ConversationStatus.assigned:
        conversation.status = ConversationStatus.queued
        conversation.escalated_at = conversation.escalated_at or utcnow()
    session.flush()
    record_event(
        session,
        conversation,
        "conversation.unassigned",
        actor_type="agent",
        actor_id=actor.user_id if actor is not None else None,
        payload={"from_assignee_id": previous, "to_status": conversation.status},
    )


def do_transfer_to_team(
    session: Session, conversation: Conversation, team: Team | None, *, actor_id: int | None
) -> None:
    """Hand the conversation to a team (None: to no team). A queued conversation is then
    assigned within that team by the queue check when the account assigns automatically."""
    new_id = team.id if team is not None else None
    if conversation.team_id == new_id:
        return
    _refuse_resolved(conversation)
    previous = conversation.team_id
    conversation.team_id = new_id
    session.flush()
    record_event(
        session,
        conversation,
        "conversation.transferred",
        actor_type="agent",
        actor_id=actor_id,
        payload={"team_id": new_id, "from_team_id": previous},
    )


def do_set_priority(
    session: Session, conversation: Conversation, priority: Priority, *, actor_id: int | None
) -> None:
    """Change the priority; a conversation waiting for its first human reply gets the new
    priority's response targets."""
    if conversation.priority == int(priority):
        return
    _refuse_resolved(conversation)
    previous = conversation.priority
    conversation.priority = int(priority)
    if conversation.escalated_at is not None and conversation.first_human_response_at is None:
        settings = escalation_settings(session, conversation.account_id)
        conversation.sla_first_response_due_at, conversation.sla_resolution_due_at = due_times(
            settings, conversation.priority, conversation.escalated_at
        )
    session.flush()
    record_event(
        session,
        conversation,
        "conversation.prioritised",
        actor_type="agent",
        actor_id=actor_id,
        payload={"from": previous, "to": conversation.priority, "cause": "agent"},
    )


def do_snooze(
    session: Session, conversation: Conversation, until: datetime, *, actor_id: int | None
) -> None:
    """Hide the conversation from the working lists until `until` (timezone-aware)."""
    _refuse_resolved(conversation)
    if until.tzinfo is None:
        raise InvalidInput("until must carry a timezone", code="invalid_snooze_time")
    now = utcnow()
    if until <= now:
        raise InvalidInput("until must be in the future", code="snooze_in_the_past")
    if until > now + MAX_SNOOZE:
        raise InvalidInput(
            f"a conversation can be snoozed for at most {MAX_SNOOZE.days} days",
            code="snooze_too_long",
        )
    conversation.snoozed_until = until
    session.flush()
    record_event(
        session,
        conversation,
        "conversation.snoozed",
        actor_type="agent",
        actor_id=actor_id,
        payload={"until": until.isoformat()},
    )


def do_unsnooze(session: Session, conversation: Conversation, *, actor_id: int | None) -> None:
    if not wake_snoozed(session, conversation, cause="agent", actor_id=actor_id):
        raise Conflict("conversation is not snoozed", code="not_snoozed")


def wake_snoozed(
    session: Session, conversation: Conversation, *, cause: str, actor_id: int | None = None
) -> bool:
    """Bring a snoozed conversation back (`cause`: agent, customer or time); False when it
    was not snoozed."""
    if conversation.snoozed_until is None:
        return False
    conversation.snoozed_until = None
    session.flush()
    record_event(
        session,
        conversation,
        "conversation.unsnoozed",
        actor_type=_WAKE_ACTORS[cause],
        actor_id=actor_id if cause == "agent" else None,
        payload={"cause": cause},
    )
    return True


def do_wake_due_snoozes(session: Session, now: datetime | None = None) -> list[int]:
    """Wake every conversation whose snooze has passed (the queue check runs this); returns
    their ids. Rows another worker holds are skipped (PostgreSQL)."""
    now = now or utcnow()
    due = session.scalars(
        select(Conversation)
        .where(Conversation.snoozed_until.is_not(None), Conversation.snoozed_until <= now)
        .order_by(Conversation.snoozed_until)
        .with_for_update(skip_locked=True)
    ).all()
    for conversation in due:
        wake_snoozed(session, conversation, cause="time")
    return [c.id for c in due]
