"""Handing over to people: routing, automatic assignment, SLA targets and breaches, aging.

Called by `actions.conversations` when a conversation enters the queue, and by the queue
check (`run_queue_check`: in-process every few seconds, or `baton escalation check`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from batondesk.actions.events import record_event
from batondesk.handoff.next_steps import next_steps_text
from batondesk.handoff.queue import (
    aging_steps,
    least_loaded_agent,
    queue_situation,
    team_for_intent,
)
from batondesk.handoff.settings import EscalationSettings
from batondesk.handoff.sla import breaches, due_times, priority_name
from batondesk.store.base import utcnow
from batondesk.store.models import (
    Account,
    Conversation,
    ConversationStatus,
    Membership,
    Priority,
)


def escalation_settings(session: Session, account_id: int) -> EscalationSettings:
    account = session.get(Account, account_id)
    assert account is not None
    return EscalationSettings.for_account(account.settings)


def do_route_and_assign(
    session: Session,
    conversation: Conversation,
    settings: EscalationSettings,
    *,
    intent: str | None,
) -> Membership | None:
    """Just queued: route to the team for the intent, set the SLA clock, and give it to the
    least-loaded available agent when the account assigns automatically."""
    team = team_for_intent(session, conversation.account_id, intent)
    if team is not None and conversation.team_id != team.id:
        conversation.team_id = team.id
        record_event(
            session,
            conversation,
            "conversation.routed",
            actor_type="system",
            payload={"team_id": team.id, "intent": intent},
        )
    since = conversation.escalated_at or utcnow()
    conversation.sla_first_response_due_at, conversation.sla_resolution_due_at = due_times(
        settings, conversation.priority, since
    )
    conversation.sla_breaches = []
    session.flush()
    if settings.auto_assign:
        return do_auto_assign(session, conversation, settings)
    return None


def do_auto_assign(
    session: Session, conversation: Conversation, settings: EscalationSettings
) -> Membership | None:
    """Give a queued conversation to the least-loaded available agent; None if nobody is
    available (it stays in the queue)."""
    if conversation.status != ConversationStatus.queued:
        return None
    agent = least_loaded_agent(
        session, conversation.account_id, conversation.team_id, settings.max_open_per_agent
    )
    if agent is None:
        return None
    conversation.status = ConversationStatus.assigned
    conversation.assignee_id = agent.user_id
    session.flush()
    record_event(
        session,
        conversation,
        "conversation.assigned",
        actor_type="system",
        payload={
            "assignee_id": agent.user_id,
            "from_status": ConversationStatus.queued,
            "automatic": True,
            "team_id": conversation.team_id,
        },
    )
    return agent


@dataclass
class QueueCheck:
    """What one pass of the queue check did (conversation ids)."""

    breached: list[tuple[int, str]] = field(default_factory=list)
    prioritised: list[int] = field(default_factory=list)
    assigned: list[int] = field(default_factory=list)


def run_queue_check(session: Session, now: datetime | None = None) -> QueueCheck:
    """Report SLA breaches (once each), raise the priority of long waits, and assign queued
    conversations to agents who have become available. Safe to run from several workers:
    rows are locked and skipped when another worker holds them (PostgreSQL)."""
    now = now or utcnow()
    report = QueueCheck()
    settings_by_account: dict[int, EscalationSettings] = {}
    open_rows = session.scalars(
        select(Conversation)
        .where(Conversation.status.in_([ConversationStatus.queued, ConversationStatus.assigned]))
        .where(
            (Conversation.sla_first_response_due_at.is_not(None))
            | (Conversation.status == ConversationStatus.queued)
        )
        .order_by(Conversation.priority.desc(), Conversation.escalated_at, Conversation.id)
        .with_for_update(skip_locked=True)
    ).all()
    for conversation in open_rows:
        settings = settings_by_account.get(conversation.account_id)
        if settings is None:
            settings = escalation_settings(session, conversation.account_id)
            settings_by_account[conversation.account_id] = settings
        for breach in breaches(conversation, now):
            conversation.sla_breaches = [*(conversation.sla_breaches or []), breach.kind]
            record_event(
                session,
                conversation,
                "conversation.sla_breached",
                actor_type="system",
                payload={
                    "kind": breach.kind,
                    "priority": priority_name(conversation.priority),
                    "due_at": breach.due_at.isoformat(),
                    "late_by_seconds": breach.late_by_seconds,
                    "assignee_id": conversation.assignee_id,
                },
            )
            report.breached.append((conversation.id, breach.kind))
        if conversation.status == ConversationStatus.queued and conversation.escalated_at:
            steps = aging_steps(conversation.escalated_at, now, settings.priority_aging_minutes)
            applied = conversation.priority_aging_steps or 0
            raised = min(int(Priority.urgent), conversation.priority + steps - applied)
            if steps > applied:
                conversation.priority_aging_steps = steps
            if raised > conversation.priority:
                record_event(
                    session,
                    conversation,
                    "conversation.prioritised",
                    actor_type="system",
                    payload={"from": conversation.priority, "to": raised, "cause": "waiting"},
                )
                conversation.priority = raised
                report.prioritised.append(conversation.id)
            if settings.auto_assign and do_auto_assign(session, conversation, settings):
                report.assigned.append(conversation.id)
        session.flush()
    return report


def evidence_with_message_ids(evidence: dict[str, Any], message_ids: list[int]) -> dict[str, Any]:
    """Detectors point at messages by position among the customer's messages; events name
    them by id so the packet and the console can show the exact words."""
    signal = evidence.get("signal")
    if not isinstance(signal, dict) or "message_index" not in signal:
        return evidence
    index = signal["message_index"]
    resolved = dict(signal)
    if isinstance(index, int) and 0 <= index < len(message_ids):
        resolved["message_id"] = message_ids[index]
    same = signal.get("same_as_message_index")
    if isinstance(same, int) and 0 <= same < len(message_ids):
        resolved["same_as_message_id"] = message_ids[same]
    return {**evidence, "signal": resolved}


def what_happens_next(
    session: Session,
    conversation: Conversation,
    settings: EscalationSettings,
    *,
    position: int,
    language: str,
    asked: bool = False,
) -> str:
    situation = queue_situation(
        session,
        conversation,
        position=position,
        office_hours=settings.office_hours,
        average_handle_minutes=settings.average_handle_minutes,
        now=utcnow(),
    )
    return next_steps_text(situation, language, asked=asked)
