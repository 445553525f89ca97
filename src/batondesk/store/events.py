"""The append-only event stream every KPI, A/B test and audit is computed from."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, event
from sqlalchemy.orm import Mapped, mapped_column

from batondesk.store.base import Base, TenantMixin

EVENT_TYPES = frozenset(
    {
        "conversation.opened",
        "message.received",
        "message.understood",
        "bot.replied",
        "bot.clarified",
        "bot.declined",
        "conversation.escalated",
        "conversation.routed",
        "conversation.prioritised",
        "conversation.sla_breached",
        "conversation.assigned",
        "conversation.handed_back",
        "agent.replied",
        "agent.noted",
        "conversation.resolved",
        "conversation.reopened",
        "csat.submitted",
        "message.intent_corrected",
        "bot.answer_reviewed",
        # The customer's "Did this answer your question?" on a bot answer (ids and a boolean).
        "bot.answer_feedback",
        # The agents' workflow (actions/workflow.py, actions/tags.py): ids and labels only.
        "conversation.unassigned",
        "conversation.transferred",
        "conversation.tagged",
        "conversation.untagged",
        "conversation.snoozed",
        "conversation.unsnoozed",
        # A reviewer labelled a message of the review queue (store/review_queue.py).
        "review.labelled",
        # A/B experiments (docs/experiments.md): account-level ones carry no conversation.
        "experiment.started",
        "experiment.stopped",
        "experiment.assigned",
        "experiment.exposed",
        # A file was attached to a message (ids, kind, type and size; never its name).
        "message.attachment_added",
        # An agent's unseen reply was emailed to a customer who had left the chat (ids only).
        "conversation.follow_up_emailed",
    }
)


class Event(Base, TenantMixin):
    """One state change. Rows are only ever inserted; the payload holds no message text."""

    __tablename__ = "events"

    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="SET NULL"), default=None, index=True
    )
    type: Mapped[str] = mapped_column(String(60), index=True)
    actor_type: Mapped[str] = mapped_column(String(20))  # customer / bot / agent / system
    actor_id: Mapped[int | None] = mapped_column(Integer, default=None)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


@event.listens_for(Event, "before_update")
@event.listens_for(Event, "before_delete")
def _refuse_rewrite(_mapper: object, _connection: object, target: Event) -> None:
    raise RuntimeError(f"events are append-only; refused to change event {target.id}")
