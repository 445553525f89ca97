"""A conversation as the reports see it: its events in order, and the few current values of
its row that the event log does not carry. Plain data; the rules are in `kpis.py`."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class LoggedEvent:
    """One row of the event log: ids, labels and scores, never message text."""

    at: datetime
    type: str
    actor_type: str
    actor_id: int | None = None
    payload: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ConversationHistory:
    """Precondition: `events` are this conversation's, oldest first (by time, then by id), and
    none is later than the moment the report is computed."""

    id: int
    contact_id: int
    opened_at: datetime
    events: tuple[LoggedEvent, ...]
    inbox_id: int | None = None
    channel: str | None = None
    team_id: int | None = None
    assignee_id: int | None = None
    tier: str | None = None
    status: str | None = None  # the row's current status (bot, queued, assigned, resolved)
    # The latest queue entry and the service-level due times set for it (the row keeps only
    # those; the event log does not record due times).
    escalated_at: datetime | None = None
    first_response_due_at: datetime | None = None
    resolution_due_at: datetime | None = None

    def of_type(self, *types: str) -> Iterator[LoggedEvent]:
        return (event for event in self.events if event.type in types)

    def first(
        self,
        *types: str,
        at_or_after: datetime | None = None,
        before: datetime | None = None,
    ) -> LoggedEvent | None:
        """The earliest event of `types` in [at_or_after, before)."""
        for event in self.of_type(*types):
            if at_or_after is not None and event.at < at_or_after:
                continue
            if before is not None and event.at >= before:
                break
            return event
        return None

    def count(self, *types: str, before: datetime | None = None) -> int:
        return sum(1 for e in self.of_type(*types) if before is None or e.at < before)
