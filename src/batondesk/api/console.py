"""The agent side: queue, conversations, replies and the conversation lifecycle."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from sqlalchemy import or_, select
from sse_starlette import EventSourceResponse

from batondesk.actions.conversations import (
    do_add_note,
    do_agent_reply,
    do_assign,
    do_hand_back,
    do_reopen,
    do_resolve,
)
from batondesk.api.deps import (
    DatabaseDep,
    Principal,
    SessionDep,
    SettingsDep,
    get_principal,
    require,
    require_member,
    staff_credentials,
)
from batondesk.api.errors import error_responses
from batondesk.api.presenters import (
    contact_public,
    conversation_with_tags,
    conversations_public,
    event_public,
    message_public,
)
from batondesk.api.routing import UnitOfWorkRoute
from batondesk.api.schemas import (
    AssignCreate,
    ContactPublic,
    ConversationPublic,
    ConversationsPublic,
    EventsPublic,
    MessageCreate,
    MessagePublic,
    RowId,
)
from batondesk.api.streams import stream_channel
from batondesk.store.access import (
    attachments_by_message,
    get_contact,
    get_conversation,
    get_conversation_for_update,
    get_member,
    list_messages,
)
from batondesk.store.base import utcnow
from batondesk.store.models import Conversation, ConversationStatus, Event

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/api/v1", tags=["console"])

Reader = Annotated[Principal, Depends(require("conversations:read"))]
Writer = Annotated[Principal, Depends(require("conversations:write"))]
READ_ERRORS = error_responses(401, 403, 404)
WRITE_ERRORS = error_responses(401, 403, 404, 409, 413, 422)


@router.get("/queue", response_model=ConversationsPublic, responses=READ_ERRORS)
def read_queue(principal: Reader, session: SessionDep) -> ConversationsPublic:
    """Conversations waiting for a person: highest priority first, then longest waiting.
    Snoozed ones are left out until they wake."""
    now = utcnow()
    rows = session.scalars(
        select(Conversation)
        .where(
            Conversation.account_id == principal.account_id,
            Conversation.status == ConversationStatus.queued,
            or_(Conversation.snoozed_until.is_(None), Conversation.snoozed_until <= now),
        )
        .order_by(Conversation.priority.desc(), Conversation.escalated_at, Conversation.id)
    )
    data = conversations_public(session, list(rows))
    return ConversationsPublic(data=data, count=len(data))


@router.get(
    "/conversations/{conversation_id}", response_model=ConversationPublic, responses=READ_ERRORS
)
def read_conversation(
    conversation_id: RowId, principal: Reader, session: SessionDep
) -> ConversationPublic:
    conversation = get_conversation(session, principal.account_id, conversation_id)
    return conversation_with_tags(session, conversation)


@router.get(
    "/conversations/{conversation_id}/messages",
    response_model=list[MessagePublic],
    responses=READ_ERRORS,
)
def read_messages(
    conversation_id: RowId, principal: Reader, session: SessionDep
) -> list[MessagePublic]:
    conversation = get_conversation(session, principal.account_id, conversation_id)
    messages = list_messages(session, conversation, include_private=True)
    files = attachments_by_message(session, principal.account_id, [m.id for m in messages])
    return [message_public(m, files[m.id]) for m in messages]


@router.get(
    "/conversations/{conversation_id}/events", response_model=EventsPublic, responses=READ_ERRORS
)
def read_events(conversation_id: RowId, principal: Reader, session: SessionDep) -> EventsPublic:
    conversation = get_conversation(session, principal.account_id, conversation_id)
    rows = session.scalars(
        select(Event)
        .where(Event.account_id == principal.account_id, Event.conversation_id == conversation.id)
        .order_by(Event.id)
    )
    return EventsPublic(data=[event_public(e) for e in rows])


@router.get("/contacts/{contact_id}", response_model=ContactPublic, responses=READ_ERRORS)
def read_contact(contact_id: RowId, principal: Reader, session: SessionDep) -> ContactPublic:
    return contact_public(get_contact(session, principal.account_id, contact_id))


@router.post(
    "/conversations/{conversation_id}/messages",
    response_model=MessagePublic,
    status_code=201,
    responses=WRITE_ERRORS,
)
def reply(
    conversation_id: RowId,
    body: MessageCreate,
    principal: Writer,
    session: SessionDep,
    settings: SettingsDep,
) -> MessagePublic:
    """Reply to the customer. Replying takes the conversation over from the bot or queue."""
    member = require_member(principal)
    conversation = get_conversation_for_update(session, principal.account_id, conversation_id)
    message = do_agent_reply(
        session, conversation, member, body.body, max_chars=settings.max_message_chars
    )
    return message_public(message)


@router.post(
    "/conversations/{conversation_id}/notes",
    response_model=MessagePublic,
    status_code=201,
    responses=WRITE_ERRORS,
)
def add_note(
    conversation_id: RowId,
    body: MessageCreate,
    principal: Writer,
    session: SessionDep,
    settings: SettingsDep,
) -> MessagePublic:
    """A private note: staff only, never shown to the customer."""
    member = require_member(principal)
    conversation = get_conversation(session, principal.account_id, conversation_id)
    message = do_add_note(
        session, conversation, member, body.body, max_chars=settings.max_message_chars
    )
    return message_public(message)


@router.post(
    "/conversations/{conversation_id}/assign",
    response_model=ConversationPublic,
    responses=WRITE_ERRORS,
)
def assign(
    conversation_id: RowId, body: AssignCreate, principal: Writer, session: SessionDep
) -> ConversationPublic:
    actor = require_member(principal)
    conversation = get_conversation_for_update(session, principal.account_id, conversation_id)
    assignee = get_member(session, principal.account_id, body.user_id)
    do_assign(session, conversation, assignee, actor=actor)
    return conversation_with_tags(session, conversation)


@router.post(
    "/conversations/{conversation_id}/take-over",
    response_model=ConversationPublic,
    responses=WRITE_ERRORS,
)
def take_over(conversation_id: RowId, principal: Writer, session: SessionDep) -> ConversationPublic:
    """Assign to yourself; the bot goes silent in this conversation."""
    member = require_member(principal)
    conversation = get_conversation_for_update(session, principal.account_id, conversation_id)
    do_assign(session, conversation, member, actor=member)
    return conversation_with_tags(session, conversation)


@router.post(
    "/conversations/{conversation_id}/hand-back",
    response_model=ConversationPublic,
    responses=WRITE_ERRORS,
)
def hand_back(conversation_id: RowId, principal: Writer, session: SessionDep) -> ConversationPublic:
    """Give the conversation back to the AI."""
    member = require_member(principal)
    conversation = get_conversation_for_update(session, principal.account_id, conversation_id)
    do_hand_back(session, conversation, member)
    return conversation_with_tags(session, conversation)


@router.post(
    "/conversations/{conversation_id}/resolve",
    response_model=ConversationPublic,
    responses=WRITE_ERRORS,
)
def resolve(conversation_id: RowId, principal: Writer, session: SessionDep) -> ConversationPublic:
    conversation = get_conversation_for_update(session, principal.account_id, conversation_id)
    do_resolve(session, conversation, actor_type="agent", actor_id=principal.user_id)
    return conversation_with_tags(session, conversation)


@router.post(
    "/conversations/{conversation_id}/reopen",
    response_model=ConversationPublic,
    responses=WRITE_ERRORS,
)
def reopen(conversation_id: RowId, principal: Writer, session: SessionDep) -> ConversationPublic:
    member = require_member(principal)
    conversation = get_conversation_for_update(session, principal.account_id, conversation_id)
    do_reopen(session, conversation, member)
    return conversation_with_tags(session, conversation)


@router.get(
    "/stream",
    response_class=EventSourceResponse,
    responses=error_responses(401, 403),
    dependencies=[Depends(staff_credentials)],
)
def stream_account(request: Request, db: DatabaseDep) -> EventSourceResponse:
    """Server-Sent Events for the console: queue and conversation changes in this account."""
    # Authenticate in a short unit of work: a stream must not hold a database connection.
    with db.session() as session:
        principal = require("conversations:read")(get_principal(request, session))
    return stream_channel(request, request.app.state.broker, f"account:{principal.account_id}")
