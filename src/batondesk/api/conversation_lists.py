"""Listing and finding conversations: the console's lists, its search box and filters."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from batondesk.api.deps import Principal, SessionDep, require, require_member
from batondesk.api.errors import error_responses
from batondesk.api.presenters import conversations_public
from batondesk.api.routing import UnitOfWorkRoute
from batondesk.api.schemas import ConversationsPublic, RowCount, RowId
from batondesk.errors import InvalidInput
from batondesk.store.access import get_inbox, get_member, get_tag, get_team
from batondesk.store.conversation_search import (
    ConversationFilter,
    StatusFilter,
    find_conversations,
)

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/api/v1", tags=["console"])

Reader = Annotated[Principal, Depends(require("conversations:read"))]
MAX_TAG_FILTERS = 10


@router.get(
    "/conversations", response_model=ConversationsPublic, responses=error_responses(401, 403, 404)
)
def list_conversations(
    principal: Reader,
    session: SessionDep,
    status: Annotated[
        list[StatusFilter] | None,
        Query(
            description="Any of: open (with people, not snoozed), pending (with the AI), "
            "snoozed, resolved; or a stored status (bot, queued, assigned)"
        ),
    ] = None,
    q: Annotated[
        str | None,
        Query(
            max_length=200,
            description="Whole words (or an email address) to find in the messages of "
            "customers and agents, or in the customer's name or email; every word must match",
        ),
    ] = None,
    customer: Annotated[
        str | None,
        Query(max_length=320, description="The customer's name (whole words) or email"),
    ] = None,
    assignee_id: Annotated[RowId | None, Query(description="A member of this account")] = None,
    mine: Annotated[bool, Query(description="Assigned to the signed-in member")] = False,
    unassigned: bool = False,
    team_id: RowId | None = None,
    tag_id: Annotated[
        list[RowId] | None, Query(description="Carrying every one of these tags")
    ] = None,
    intent: Annotated[str | None, Query(min_length=1, max_length=120)] = None,
    inbox_id: RowId | None = None,
    created_from: Annotated[date | None, Query(description="Opened on or after (UTC day)")] = None,
    created_to: Annotated[date | None, Query(description="Opened on or before (UTC day)")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[
        str | None, Query(max_length=200, description="`next_cursor` of the previous page")
    ] = None,
    offset: Annotated[RowCount, Query(deprecated=True, description="Use `cursor`")] = 0,
) -> ConversationsPublic:
    """Conversations of this account, most recently changed first, a page at a time. The
    search never reads plaintext from the database: words are matched through the keyed
    search index (docs/privacy.md#search)."""
    account_id = principal.account_id
    # Ids that name nothing in this account are refused rather than matching nothing, so a
    # typo is not mistaken for "no conversations".
    if mine:
        assignee_id = require_member(principal).user_id
    elif assignee_id is not None:
        get_member(session, account_id, assignee_id)
    if team_id is not None:
        get_team(session, account_id, team_id)
    if inbox_id is not None:
        get_inbox(session, account_id, inbox_id)
    tags = list(dict.fromkeys(tag_id or []))
    if len(tags) > MAX_TAG_FILTERS:
        raise InvalidInput(f"filter by at most {MAX_TAG_FILTERS} tags", code="too_many_filters")
    for one in tags:
        get_tag(session, account_id, one)
    if created_from and created_to and created_from > created_to:
        raise InvalidInput("created_from is after created_to", code="invalid_date_range")
    wanted = ConversationFilter(
        statuses=tuple(dict.fromkeys(status or [])),
        assignee_id=assignee_id,
        unassigned=unassigned,
        team_id=team_id,
        tag_ids=tuple(tags),
        intent=intent,
        inbox_id=inbox_id,
        created_from=created_from,
        created_to=created_to,
        text=q if q and q.strip() else None,
        customer=customer if customer and customer.strip() else None,
    )
    page = find_conversations(
        session, account_id, wanted, limit=limit, cursor=cursor, offset=0 if cursor else offset
    )
    data = conversations_public(session, page.rows)
    return ConversationsPublic(data=data, count=len(data), next_cursor=page.next_cursor)
