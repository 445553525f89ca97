"""The agents' workflow on a conversation: assignee, team, priority, snooze and tags; the
account's tags and teams. Every change works with a console session or an API key."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import AwareDatetime, BaseModel, Field
from sqlalchemy import select

from batondesk.actions.tags import (
    do_create_tag,
    do_delete_tag,
    do_tag_conversation,
    do_untag_conversation,
)
from batondesk.actions.workflow import (
    do_set_assignee,
    do_set_priority,
    do_snooze,
    do_transfer_to_team,
    do_unsnooze,
)
from batondesk.api.deps import Principal, SessionDep, require
from batondesk.api.errors import error_responses
from batondesk.api.presenters import conversation_with_tags
from batondesk.api.routing import UnitOfWorkRoute
from batondesk.api.schemas import ConversationPublic, RowId, Strict, TagPublic
from batondesk.store.access import (
    get_conversation,
    get_conversation_for_update,
    get_member,
    get_tag,
    get_team,
)
from batondesk.store.models import Priority, Tag, Team

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/api/v1", tags=["console"])

Reader = Annotated[Principal, Depends(require("conversations:read"))]
Writer = Annotated[Principal, Depends(require("conversations:write"))]
Admin = Annotated[Principal, Depends(require("admin"))]
READ_ERRORS = error_responses(401, 403, 404)
WRITE_ERRORS = error_responses(401, 403, 404, 409, 422)

PriorityName = Annotated[str, Field(pattern=r"^(low|normal|high|urgent)$")]


class AssigneeUpdate(Strict):
    user_id: RowId | None = Field(description="A member of this account; null unassigns")


class TeamUpdate(Strict):
    team_id: RowId | None = Field(description="A team of this account; null: no team")


class PriorityUpdate(Strict):
    priority: PriorityName = Field(description="low, normal, high or urgent")


class SnoozeCreate(Strict):
    until: AwareDatetime = Field(
        description="When the conversation comes back (with a timezone, e.g. "
        "2025-03-01T09:00:00Z); at most a year ahead"
    )


class TagCreate(Strict):
    name: str = Field(min_length=1, max_length=50)


class TagAttach(Strict):
    tag_id: RowId


class TeamPublic(BaseModel):
    id: int
    name: str


def _actor_id(principal: Principal) -> int | None:
    return principal.user_id  # None for an API key


@router.put(
    "/conversations/{conversation_id}/assignee",
    response_model=ConversationPublic,
    responses=WRITE_ERRORS,
)
def set_assignee(
    conversation_id: RowId, body: AssigneeUpdate, principal: Writer, session: SessionDep
) -> ConversationPublic:
    """Assign the conversation to a teammate, reassign it, or unassign it (back to the
    queue). Recorded as `conversation.assigned` / `conversation.unassigned`."""
    conversation = get_conversation_for_update(session, principal.account_id, conversation_id)
    assignee = (
        get_member(session, principal.account_id, body.user_id)
        if body.user_id is not None
        else None
    )
    do_set_assignee(session, conversation, assignee, actor=principal.membership)
    return conversation_with_tags(session, conversation)


@router.put(
    "/conversations/{conversation_id}/team",
    response_model=ConversationPublic,
    responses=WRITE_ERRORS,
)
def set_team(
    conversation_id: RowId, body: TeamUpdate, principal: Writer, session: SessionDep
) -> ConversationPublic:
    """Transfer the conversation to a team (`conversation.transferred`)."""
    conversation = get_conversation_for_update(session, principal.account_id, conversation_id)
    team = get_team(session, principal.account_id, body.team_id) if body.team_id else None
    do_transfer_to_team(session, conversation, team, actor_id=_actor_id(principal))
    return conversation_with_tags(session, conversation)


@router.put(
    "/conversations/{conversation_id}/priority",
    response_model=ConversationPublic,
    responses=WRITE_ERRORS,
)
def set_priority(
    conversation_id: RowId, body: PriorityUpdate, principal: Writer, session: SessionDep
) -> ConversationPublic:
    """Change the priority (`conversation.prioritised` with cause "agent")."""
    conversation = get_conversation_for_update(session, principal.account_id, conversation_id)
    do_set_priority(session, conversation, Priority[body.priority], actor_id=_actor_id(principal))
    return conversation_with_tags(session, conversation)


@router.post(
    "/conversations/{conversation_id}/snooze",
    response_model=ConversationPublic,
    responses=WRITE_ERRORS,
)
def snooze(
    conversation_id: RowId, body: SnoozeCreate, principal: Writer, session: SessionDep
) -> ConversationPublic:
    """Hide the conversation from the working lists until `until`. It comes back then, or as
    soon as the customer writes."""
    conversation = get_conversation_for_update(session, principal.account_id, conversation_id)
    do_snooze(session, conversation, body.until, actor_id=_actor_id(principal))
    return conversation_with_tags(session, conversation)


@router.post(
    "/conversations/{conversation_id}/unsnooze",
    response_model=ConversationPublic,
    responses=WRITE_ERRORS,
)
def unsnooze(conversation_id: RowId, principal: Writer, session: SessionDep) -> ConversationPublic:
    conversation = get_conversation_for_update(session, principal.account_id, conversation_id)
    do_unsnooze(session, conversation, actor_id=_actor_id(principal))
    return conversation_with_tags(session, conversation)


# --- tags ------------------------------------------------------------------------------------


@router.get("/tags", response_model=list[TagPublic], responses=error_responses(401, 403))
def list_tags(principal: Reader, session: SessionDep) -> list[TagPublic]:
    """The account's tags, by name."""
    rows = session.scalars(
        select(Tag).where(Tag.account_id == principal.account_id).order_by(Tag.name)
    )
    return [TagPublic(id=t.id, name=t.name) for t in rows]


@router.post(
    "/tags",
    response_model=TagPublic,
    status_code=201,
    responses=error_responses(401, 403, 409, 422),
)
def create_tag(body: TagCreate, principal: Writer, session: SessionDep) -> TagPublic:
    """A new tag (names are unique regardless of case)."""
    tag = do_create_tag(session, principal.account_id, body.name)
    return TagPublic(id=tag.id, name=tag.name)


@router.delete("/tags/{tag_id}", status_code=204, responses=error_responses(401, 403, 404))
def delete_tag(tag_id: RowId, principal: Admin, session: SessionDep) -> None:
    """Delete a tag everywhere (admins)."""
    do_delete_tag(session, get_tag(session, principal.account_id, tag_id))


@router.post(
    "/conversations/{conversation_id}/tags",
    response_model=ConversationPublic,
    responses=WRITE_ERRORS,
)
def tag_conversation(
    conversation_id: RowId, body: TagAttach, principal: Writer, session: SessionDep
) -> ConversationPublic:
    """Put a tag on the conversation (nothing changes if it is already on)."""
    conversation = get_conversation(session, principal.account_id, conversation_id)
    tag = get_tag(session, principal.account_id, body.tag_id)
    do_tag_conversation(session, conversation, tag, actor_id=_actor_id(principal))
    return conversation_with_tags(session, conversation)


@router.delete(
    "/conversations/{conversation_id}/tags/{tag_id}",
    response_model=ConversationPublic,
    responses=WRITE_ERRORS,
)
def untag_conversation(
    conversation_id: RowId, tag_id: RowId, principal: Writer, session: SessionDep
) -> ConversationPublic:
    """Take a tag off the conversation (nothing changes if it was not on)."""
    conversation = get_conversation(session, principal.account_id, conversation_id)
    tag = get_tag(session, principal.account_id, tag_id)
    do_untag_conversation(session, conversation, tag, actor_id=_actor_id(principal))
    return conversation_with_tags(session, conversation)


@router.get("/teams", response_model=list[TeamPublic], responses=error_responses(401, 403))
def list_teams(principal: Reader, session: SessionDep) -> list[TeamPublic]:
    """The account's teams, by name (to transfer a conversation to)."""
    rows = session.scalars(
        select(Team).where(Team.account_id == principal.account_id).order_by(Team.name)
    )
    return [TeamPublic(id=t.id, name=t.name) for t in rows]
