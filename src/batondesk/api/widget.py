"""The customer side: the chat widget (anonymous visitors or identified contacts)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

from fastapi import APIRouter, Header, Request
from sqlalchemy import select
from sqlalchemy.orm import Session
from sse_starlette import EventSourceResponse

from batondesk.actions.answer_feedback import do_record_answer_feedback
from batondesk.actions.conversations import (
    do_request_human,
    do_submit_csat,
    queue_position,
)
from batondesk.actions.customer_turn import do_receive_customer_message
from batondesk.actions.languages import conversation_language, do_choose_language
from batondesk.actions.typing_indicators import do_announce_typing
from batondesk.actions.widget import ChatRules, ChatStart, do_mark_seen, do_start_chat
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
from batondesk.api.presenters import widget_agent_public, widget_message_public
from batondesk.api.routing import UnitOfWorkRoute
from batondesk.api.schemas import (
    AnswerFeedbackCreate,
    AnswerFeedbackPublic,
    CsatCreate,
    LanguageChoice,
    MessageCreate,
    OkPublic,
    RowCount,
    RowId,
    SeenCreate,
    SeenPublic,
    TurnPublic,
    TypingCreate,
    TypingPublic,
    WidgetConfigPublic,
    WidgetConversationPublic,
    WidgetLanguagePublic,
    WidgetStart,
    WidgetTextsPublic,
)
from batondesk.api.streams import stream_channel
from batondesk.api.widget_config import widget_config
from batondesk.api.widget_settings import WidgetSettings
from batondesk.errors import NotFound
from batondesk.i18n import DEFAULT_LANGUAGE, LanguageCode, negotiate_accept_language, widget_texts
from batondesk.store.access import attachments_by_message, list_messages
from batondesk.store.models import Account, Conversation, ConversationStatus, Inbox, User

# Every widget route is public and rate limited per client address (app.py).
router = APIRouter(
    route_class=UnitOfWorkRoute,
    prefix="/api/v1/widget",
    tags=["widget"],
    responses=error_responses(429),
)


def _inbox(session: Session, inbox_public_id: str) -> Inbox:
    inbox = session.scalars(select(Inbox).where(Inbox.public_id == inbox_public_id)).first()
    if inbox is None:
        raise NotFound(f"inbox {inbox_public_id} not found")
    return inbox


def _staff_names(session: Session, user_ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in user_ids if i}
    if not wanted:
        return {}
    return {u.id: u.name for u in session.scalars(select(User).where(User.id.in_(wanted)))}


def agent_of(session: Session, conversation: Conversation) -> dict[int, str]:
    """The assignee's name while a person owns the conversation (the chat's header)."""
    if conversation.status != ConversationStatus.assigned:
        return {}
    return _staff_names(session, [conversation.assignee_id])


def visitor_conversation(session: Session, visitor: Visitor, conversation_id: int) -> Conversation:
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
    """Start a conversation. Returns a visitor token to send as `Authorization: Bearer`.
    Where the account's widget settings ask for them (`GET .../settings`), send the
    pre-chat form's `name` and `email` and `consent: true`; without them the request is
    refused (422 `prechat_required`, `consent_required`) and nothing is stored."""
    inbox = _inbox(session, inbox_public_id)
    account = session.get(Account, inbox.account_id)
    assert account is not None
    widget = WidgetSettings.for_account(account.settings or {})
    identity = (
        verify_identity(body.identity_token, inbox.identity_secret) if body.identity_token else None
    )
    conversation = do_start_chat(
        session,
        inbox,
        ChatStart(
            locale=body.locale,
            language=body.language,
            name=body.name,
            email=body.email,
            consent=body.consent,
        ),
        ChatRules(prechat_form=widget.prechat_form, consent_required=widget.consent_required),
        identity=identity,
    )
    token = issue_visitor_token(
        settings, Visitor(inbox.account_id, inbox.id, conversation.contact_id)
    )
    return WidgetConversationPublic(
        conversation_id=conversation.id,
        status=conversation.status,
        visitor_token=token,
        language=conversation_language(session, conversation).language,
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
    conversation = visitor_conversation(session, visitor, conversation_id)
    shown = [m for m in list_messages(session, conversation, include_private=False) if m.id > after]
    names = _staff_names(session, [m.sender_user_id for m in shown])
    files = attachments_by_message(session, visitor.account_id, [m.id for m in shown])
    agent = agent_of(session, conversation)
    return WidgetConversationPublic(
        conversation_id=conversation.id,
        status=conversation.status,
        queue_position=queue_position(session, conversation) or None,
        agent=widget_agent_public(next(iter(agent.values()), None)),
        messages=[widget_message_public(m, names, files[m.id]) for m in shown],
        language=conversation_language(session, conversation).language,
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
    conversation = visitor_conversation(session, visitor, conversation_id)
    outcome = do_receive_customer_message(
        session,
        conversation,
        body.body,
        services,
        max_chars=settings.max_message_chars,
        choice=body.choice,
        metrics=metrics,
    )
    agent = agent_of(session, conversation)
    return TurnPublic(
        message=widget_message_public(outcome.message),
        reply=widget_message_public(outcome.reply) if outcome.reply else None,
        status=conversation.status,
        queue_position=queue_position(session, conversation) or None,
        agent=widget_agent_public(next(iter(agent.values()), None)),
        language=conversation_language(session, conversation).language,
    )


@router.put(
    "/conversations/{conversation_id}/language",
    response_model=WidgetLanguagePublic,
    responses=error_responses(401, 404, 422),
)
def choose_language(
    conversation_id: RowId, body: LanguageChoice, session: SessionDep, visitor: VisitorDep
) -> WidgetLanguagePublic:
    """The customer picked a language in the chat's menu: the chat's texts and the bot's own
    words (questions, hand-over notices, small talk) use it from now on, in this
    conversation and the contact's later ones. Earlier messages stay as they were."""
    conversation = visitor_conversation(session, visitor, conversation_id)
    chosen = do_choose_language(session, conversation, body.language)
    return WidgetLanguagePublic(language=chosen.language, source=chosen.source)


@router.get("/texts/{language}", response_model=WidgetTextsPublic, responses=error_responses(422))
def read_widget_texts(language: LanguageCode) -> WidgetTextsPublic:
    """The chat's own texts (buttons, banners, notices, the rating, errors) in `language`,
    for a chat that changes language without reloading, or a custom client."""
    return WidgetTextsPublic(language=language, texts=widget_texts(language))


@router.post(
    "/conversations/{conversation_id}/handoff",
    response_model=WidgetConversationPublic,
    responses=error_responses(401, 404),
)
def ask_for_person(
    conversation_id: RowId, session: SessionDep, visitor: VisitorDep, metrics: MetricsDep
) -> WidgetConversationPublic:
    """The "talk to a person" button: always honoured."""
    conversation = visitor_conversation(session, visitor, conversation_id)
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
    conversation = visitor_conversation(session, visitor, conversation_id)
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
    conversation = visitor_conversation(session, visitor, conversation_id)
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
    fetch new messages with `GET /conversations/{id}?after=`. Also `typing` (an agent
    started or stopped typing, with their display name) and `widget.settings_changed` (fetch
    `GET /inboxes/{id}/settings` again)."""
    # A short unit of work: the stream itself must not hold a database connection.
    with db.session() as session:
        visitor_conversation(session, visitor, conversation_id)
    return stream_channel(
        request,
        request.app.state.broker,
        f"conversation:{conversation_id}",
        f"widget:{visitor.account_id}",
    )


@router.get(
    "/inboxes/{inbox_public_id}/settings",
    response_model=WidgetConfigPublic,
    responses=error_responses(404, 422),
)
def read_widget_config(
    inbox_public_id: str,
    session: SessionDep,
    language: LanguageCode | None = None,
    accept_language: Annotated[str | None, Header(max_length=500)] = None,
) -> WidgetConfigPublic:
    """What the chat shows before the conversation: colour, greeting, the button's corner,
    suggested topics, the privacy notice's link, whether consent and the pre-chat form are
    asked, and whether the team is in (with the message shown outside office hours). The
    default greeting and away message are in `language`, else the browser's
    (Accept-Language), else English; what an admin wrote is shown as written."""
    inbox = _inbox(session, inbox_public_id)
    account = session.get(Account, inbox.account_id)
    assert account is not None
    chosen = language or negotiate_accept_language(accept_language) or DEFAULT_LANGUAGE
    return widget_config(account, language=chosen)


@router.post(
    "/conversations/{conversation_id}/typing",
    response_model=TypingPublic,
    responses=error_responses(401, 404, 422),
)
def customer_typing(
    conversation_id: RowId,
    body: TypingCreate,
    request: Request,
    session: SessionDep,
    visitor: VisitorDep,
) -> TypingPublic:
    """The customer started (`true`) or stopped (`false`) typing: the console shows it. Only
    the fact travels, never the draft; repeats within 2 seconds are dropped."""
    conversation = visitor_conversation(session, visitor, conversation_id)
    sent = do_announce_typing(
        session,
        conversation,
        side="customer",
        typing=body.typing,
        throttle=request.app.state.typing_throttle,
    )
    return TypingPublic(sent=sent)


@router.post(
    "/conversations/{conversation_id}/seen",
    response_model=SeenPublic,
    responses=error_responses(401, 404, 422),
)
def mark_seen(
    conversation_id: RowId, body: SeenCreate, session: SessionDep, visitor: VisitorDep
) -> SeenPublic:
    """The chat has shown the customer every message up to `message_id`. An agent's reply
    the customer has not seen within the account's `follow_up_after_minutes` is emailed to
    them when an SMTP server is configured; a client that never calls this gets no email."""
    conversation = visitor_conversation(session, visitor, conversation_id)
    return SeenPublic(message_id=do_mark_seen(session, conversation, body.message_id))
