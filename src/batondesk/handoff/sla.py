"""Service-level targets per priority: first response and resolution, and their breaches."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from batondesk.handoff.settings import EscalationSettings
from batondesk.store.models import Conversation, ConversationStatus, Priority


def priority_name(priority: int) -> str:
    return Priority(max(0, min(int(Priority.urgent), priority))).name


def due_times(
    settings: EscalationSettings, priority: int, since: datetime
) -> tuple[datetime, datetime]:
    """(first response due, resolution due) for a conversation queued at `since`."""
    target = settings.sla[priority_name(priority)]
    return (
        since + timedelta(minutes=target.first_response_minutes),
        since + timedelta(minutes=target.resolution_minutes),
    )


@dataclass(frozen=True)
class Breach:
    kind: str  # "first_response" | "resolution"
    due_at: datetime
    late_by_seconds: int


def breaches(conversation: Conversation, now: datetime) -> list[Breach]:
    """Targets this conversation has missed and that were not reported before."""
    reported = set(conversation.sla_breaches or [])
    found: list[Breach] = []
    first_due = conversation.sla_first_response_due_at
    if (
        first_due is not None
        and "first_response" not in reported
        and conversation.first_human_response_at is None
        and conversation.status in (ConversationStatus.queued, ConversationStatus.assigned)
        and now > first_due
    ):
        found.append(Breach("first_response", first_due, int((now - first_due).total_seconds())))
    resolution_due = conversation.sla_resolution_due_at
    if (
        resolution_due is not None
        and "resolution" not in reported
        and conversation.status in (ConversationStatus.queued, ConversationStatus.assigned)
        and now > resolution_due
    ):
        found.append(
            Breach("resolution", resolution_due, int((now - resolution_due).total_seconds()))
        )
    return found
