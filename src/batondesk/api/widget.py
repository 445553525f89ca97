"""The customer side: the chat widget (anonymous visitors or identified contacts)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy import select
from sqlalchemy.orm import Session
from sse_starlette import EventSourceResponse

from batondesk.actions.answer_feedback import do_record_answer_feedback
from batondesk.actions.contacts import do_create_contact, do_identify_contact
from batondesk.actions.conversations import (
    do_open_conversation,
    do_request_human,
    do_submit_csat,
    queue_position,
)
from batondesk.actions.customer_turn import do_receive_customer_message
from batondesk.api.deps import (
    DatabaseDep,
    MetricsDep,
    ServicesDep,
    SessionDep,
    SettingsDep,
    Visitor,
    VisitorDep,
    issue_visitor_token,
)
from batondesk.api.errors import error_responses
from batondesk.api.identity import verify_identity
from batondesk.api.presenters import widget_message_public
from batondesk.api.schemas import (
    AnswerFeedbackCreate,
    AnswerFeedbackPublic,
    CsatCreate,
    MessageCreate,
    OkPublic,
    RowCount,
    RowId,
    TurnPublic,
    WidgetConversationPublic,
    WidgetStart,
)
from batondesk.api.streams import stream_channel
from batondesk.errors import NotFound
from batondesk.store.access import list_messages
from batondesk.store.models import Conversation, Inbox

# Every widget route is public and rate limited per client address (app.py).
router = APIRouter(prefix="/api/v1/widget", tags=["widget"], responses=error_responses(429))


def _visitor_conversation(session: Session, visitor: Visitor, conversation_id: int) -> Conversation:
    conversation = session.get(Conversation, conversation_id)
    if (
        conversation is None
        or conversation.account_id != visitor.account_id
        or conversation.contact_id != visitor.contact_id
    ):
        raise NotFound(f"conversation {conversation_id} not found")
    return conversation


@router.post(
    "/inboxes/{inbox_public_id}/conversations",
    response_model=WidgetConversationPublic,
    status_code=201,
    responses=error_responses(401, 404, 422),
)
def start_conversation(
    inbox_public_id: str, body: WidgetStart, session: SessionDep, settings: SettingsDep
) -> WidgetConversationPublic:
    """Start a conversation. Returns a visitor token to send as `Authorization: Bearer`."""
    inbox = session.scalars(select(Inbox).where(Inbox.public_id == inbox_public_id)).first()
    if inbox is None:
        raise NotFound(f"inbox {inbox_public_id} not found")
    if body.identity_token:
        claims = verify_identity(body.identity_token, inbox.identity_secret)
        contact = do_identify_contact(
            session,
            inbox.account_id,
            external_id=claims["external_id"],
            name=claims.get("name"),
            email=claims.get("email"),
        )
    else:
        contact = do_create_contact(session, inbox.account_id, locale=body.locale or "en")
    conversation = do_open_conversation(
        session, inbox, contact, identity_verified=bool(body.identity_token)
    )
    token = issue_visitor_token(settings, Visitor(inbox.account_id, inbox.id, contact.id))
    return WidgetConversationPublic(
        conversation_id=conversation.id, status=conversation.status, visitor_token=token
    )


@router.get(
    "/conversations/{conversation_id}",
    response_model=WidgetConversationPublic,
    responses=error_responses(401, 404),
)
def read_conversation(
    conversation_id: RowId, session: SessionDep, visitor: VisitorDep, after: RowCount = 0
) -> WidgetConversationPublic:
    """The conversation as the customer sees it; `after` returns only newer messages (polling)."""
    conversation = _visitor_conversation(session, visitor, conversation_id)
    messages = [
        widget_message_public(m)
        for m in list_messages(session, conversation, include_private=False)
        if m.id > after
    ]
    return WidgetConversationPublic(
        conversation_id=conversation.id,
        status=conversation.status,
        queue_position=queue_position(session, conversation) or None,
        messages=messages,
    )


@router.post(
    "/conversations/{conversation_id}/messages",
    response_model=TurnPublic,
    status_code=201,
    responses=error_responses(400, 401, 404, 413, 422),
)
def send_message(
    conversation_id: RowId,
    body: MessageCreate,
    session: SessionDep,
    visitor: VisitorDep,
    settings: SettingsDep,
    services: ServicesDep,
    metrics: MetricsDep,
) -> TurnPublic:
    conversation = _visitor_conversation(session, visitor, conversation_id)
    outcome = do_receive_customer_message(
        session,
        conversation,
        body.body,
        services,
        max_chars=settings.max_message_chars,
        choice=body.choice,
        metrics=metrics,
    )
    return TurnPublic(
        message=widget_message_public(outcome.message),
        reply=widget_message_public(outcome.reply) if outcome.reply else None,
        status=conversation.status,
        queue_position=queue_position(session, conversation) or None,
    )


@router.post(
    "/conversations/{conversation_id}/handoff",
    response_model=WidgetConversationPublic,
    responses=error_responses(401, 404),
)
def ask_for_person(
    conversation_id: RowId, session: SessionDep, visitor: VisitorDep, metrics: MetricsDep
) -> WidgetConversationPublic:
    """The "talk to a person" button: always honoured."""
    conversation = _visitor_conversation(session, visitor, conversation_id)
    position = do_request_human(session, conversation, metrics=metrics)
    return WidgetConversationPublic(
        conversation_id=conversation.id, status=conversation.status, queue_position=position or None
    )


@router.post(
    "/conversations/{conversation_id}/csat",
    response_model=OkPublic,
    responses=error_responses(401, 404, 409, 422),
)
def rate_conversation(
    conversation_id: RowId, body: CsatCreate, session: SessionDep, visitor: VisitorDep
) -> OkPublic:
    conversation = _visitor_conversation(session, visitor, conversation_id)
    do_submit_csat(session, conversation, body.score, body.comment)
    return OkPublic()


@router.put(
    "/conversations/{conversation_id}/messages/{message_id}/feedback",
    response_model=AnswerFeedbackPublic,
    responses=error_responses(401, 404, 422),
)
def give_answer_feedback(
    conversation_id: RowId,
    message_id: RowId,
    body: AnswerFeedbackCreate,
    session: SessionDep,
    visitor: VisitorDep,
) -> AnswerFeedbackPublic:
    """ "Did this answer your question? Yes / No" under a bot answer. A later click changes the
    verdict; the same one again changes nothing. No text is sent or stored."""
    conversation = _visitor_conversation(session, visitor, conversation_id)
    message = do_record_answer_feedback(session, conversation, message_id, body.helpful)
    return AnswerFeedbackPublic(message_id=message.id, helpful=body.helpful)


@router.get(
    "/conversations/{conversation_id}/stream",
    responses=error_responses(401, 404),
    response_class=EventSourceResponse,
)
def stream_conversation(
    conversation_id: RowId, request: Request, db: DatabaseDep, visitor: VisitorDep
) -> EventSourceResponse:
    """Server-Sent Events: a notification (ids and status, no text) when anything changes;
    fetch new messages with `GET /conversations/{id}?after=`."""
    # A short unit of work: the stream itself must not hold a database connection.
    with db.session() as session:
        _visitor_conversation(session, visitor, conversation_id)
    return stream_channel(request, request.app.state.broker, f"conversation:{conversation_id}")
