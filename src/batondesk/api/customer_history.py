"""A customer's earlier conversations, for the console's sidebar and any client: when, what
about, how each ended and how the customer rated it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from batondesk.api.deps import Principal, SessionDep, require
from batondesk.api.errors import error_responses
from batondesk.api.routing import UnitOfWorkRoute
from batondesk.api.schemas import RowId
from batondesk.store.customer_history import (
    Outcome,
    contact_conversations,
    outcome_of,
    summaries,
)
from batondesk.store.models import ConversationStatus

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/api/v1", tags=["console"])

Reader = Annotated[Principal, Depends(require("conversations:read"))]


class CustomerConversationPublic(BaseModel):
    id: int
    status: ConversationStatus
    created_at: datetime
    resolved_at: datetime | None
    last_message_at: datetime | None
    intent: str | None = Field(description="What it was about, as the AI understood it")
    outcome: Outcome = Field(
        description="resolved_by_ai, resolved_by_agent, with_agent, waiting_for_agent or with_ai"
    )
    escalation_reason: str | None = Field(description="Why it was handed to a person")
    csat_score: int | None = Field(description="The customer's rating, 1 to 5")
    summary: str = Field(
        "", description="The customer's first words and the articles the bot answered from"
    )
    repeat_of_id: int | None = Field(
        default=None,
        description="The earlier conversation on the same intent this one repeats, if any",
    )


class CustomerConversationsPublic(BaseModel):
    data: list[CustomerConversationPublic]
    count: int = Field(description="Conversations on this page")
    next_cursor: str | None = Field(
        default=None, description="Pass as `cursor` for the next page; null on the last page"
    )


@router.get(
    "/contacts/{contact_id}/conversations",
    response_model=CustomerConversationsPublic,
    responses=error_responses(401, 403, 404),
)
def list_customer_conversations(
    contact_id: RowId,
    principal: Reader,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[
        str | None, Query(max_length=200, description="`next_cursor` of the previous page")
    ] = None,
    exclude: Annotated[
        RowId | None, Query(description="Leave out this conversation (the one on screen)")
    ] = None,
) -> CustomerConversationsPublic:
    """The customer's conversations, newest first. A customer of another account is a 404."""
    page = contact_conversations(
        session, principal.account_id, contact_id, limit=limit, cursor=cursor, exclude_id=exclude
    )
    lines = summaries(session, page.rows)
    data = [
        CustomerConversationPublic(
            id=c.id,
            status=c.status,
            created_at=c.created_at,
            resolved_at=c.resolved_at,
            last_message_at=c.last_message_at,
            intent=c.intent,
            outcome=outcome_of(c),
            escalation_reason=c.escalation_reason,
            csat_score=c.csat_score,
            summary=lines.get(c.id, ""),
            repeat_of_id=c.repeat_of_id,
        )
        for c in page.rows
    ]
    return CustomerConversationsPublic(data=data, count=len(data), next_cursor=page.next_cursor)
