"""Files on messages: the customer's and the agent's uploads, and the only routes that serve
the files back (the visitor's token for the chat, the console's permissions for staff).

Served files can never run in Baton's pages: the type is the one sniffed at upload (and
`nosniff` forbids the browser a guess of its own), a PDF is always a download
(`Content-Disposition: attachment`), and every file carries a sandboxing Content-Security-
Policy, so even a PDF opened in a tab runs no script with Baton's origin.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Response, UploadFile
from sqlalchemy.orm import Session

from batondesk.actions.attachments import Upload, do_send_agent_file, do_send_customer_file
from batondesk.actions.conversations import queue_position
from batondesk.api.deps import (
    MetricsDep,
    Principal,
    ServicesDep,
    SessionDep,
    SettingsDep,
    VisitorDep,
    require,
    require_member,
)
from batondesk.api.errors import error_responses
from batondesk.api.presenters import message_public, widget_agent_public, widget_message_public
from batondesk.api.routing import UnitOfWorkRoute
from batondesk.api.schemas import MessagePublic, RowId, TurnPublic
from batondesk.api.widget import agent_of, visitor_conversation
from batondesk.attachments.settings import MAX_ATTACHMENT_BYTES
from batondesk.errors import NotFound
from batondesk.store.access import get_attachment, get_conversation_for_update
from batondesk.store.models import Attachment, AttachmentKind, Message

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/api/v1")

Reader = Annotated[Principal, Depends(require("conversations:read"))]
Writer = Annotated[Principal, Depends(require("conversations:write"))]
UPLOAD_ERRORS = error_responses(400, 401, 403, 404, 409, 413, 422, 429)
DOWNLOAD_ERRORS = error_responses(401, 403, 404, 429)
# The upload routes' request body limit (app.py): the largest file any account may accept,
# plus the multipart envelope and a message's text.
MAX_UPLOAD_REQUEST_BYTES = MAX_ATTACHMENT_BYTES + 256 * 1024
UPLOAD_PATHS = (
    r"/api/v1/widget/conversations/\d+/attachments",
    r"/api/v1/conversations/\d+/attachments",
)
# A served file may not script, frame, be framed or load anything.
FILE_POLICY = "default-src 'none'; img-src 'self'; sandbox; frame-ancestors 'none'"

FileField = Annotated[
    UploadFile,
    File(description="One PNG, JPEG, WebP or GIF image or PDF document (the account's limit)"),
]
TextField = Annotated[
    str | None, Form(max_length=100_000, description="Optional text sent with the file")
]


def _read(file: UploadFile) -> Upload:
    # The request body limit has already bounded what can be read here.
    return Upload(file.file.read(), file.filename)


def file_response(attachment: Attachment, *, thumbnail: bool) -> Response:
    """The file's bytes (or its thumbnail's) with headers that keep it inert."""
    if thumbnail:
        if attachment.kind != AttachmentKind.image or attachment.thumbnail is None:
            raise NotFound(f"attachment {attachment.id} has no thumbnail")
        data, media_type = attachment.thumbnail, "image/webp"
    else:
        data, media_type = attachment.content, attachment.content_type
    disposition = "inline" if attachment.kind == AttachmentKind.image else "attachment"
    return Response(
        content=data,
        media_type=media_type,
        headers={
            "Content-Disposition": content_disposition(disposition, attachment.filename),
            "Content-Security-Policy": FILE_POLICY,
            "X-Content-Type-Options": "nosniff",
            "Cross-Origin-Resource-Policy": "same-origin",
            "Cache-Control": "private, no-store",
        },
    )


def content_disposition(disposition: str, filename: str) -> str:
    """RFC 6266: an ASCII fallback name and the exact name in UTF-8 (`filename*`). The name
    was checked at upload: no quotes, backslashes or control characters."""
    fallback = "".join(c if c.isascii() and c.isprintable() else "_" for c in filename)
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


# --- the customer ------------------------------------------------------------------------------


@router.post(
    "/widget/conversations/{conversation_id}/attachments",
    response_model=TurnPublic,
    status_code=201,
    responses=UPLOAD_ERRORS,
    tags=["widget"],
)
def send_customer_file(
    conversation_id: RowId,
    file: FileField,
    session: SessionDep,
    visitor: VisitorDep,
    settings: SettingsDep,
    services: ServicesDep,
    metrics: MetricsDep,
    body: TextField = None,
) -> TurnPublic:
    """Send a file (multipart `file`), with optional text (`body`), as the customer's
    message. The type is read from the bytes; images are re-encoded without their metadata
    (location, camera) and get a thumbnail. Refused files (422 `unsupported_file_type`,
    `unreadable_image`, `image_too_large`, `invalid_filename`, `empty_file`; 413
    `attachment_too_large`) store nothing. The bot answers the text, never the file."""
    conversation = visitor_conversation(session, visitor, conversation_id)
    outcome, attachment = do_send_customer_file(
        session,
        conversation,
        _read(file),
        body,
        services,
        max_chars=settings.max_message_chars,
        metrics=metrics,
    )
    agent = agent_of(session, conversation)
    return TurnPublic(
        message=widget_message_public(outcome.message, attachments=[attachment]),
        reply=widget_message_public(outcome.reply) if outcome.reply else None,
        status=conversation.status,
        queue_position=queue_position(session, conversation) or None,
        agent=widget_agent_public(next(iter(agent.values()), None)),
    )


def _visitor_attachment(
    session: Session, visitor: VisitorDep, conversation_id: int, attachment_id: int
) -> Attachment:
    """An attachment of the visitor's conversation that the customer may see (not one on a
    private note); anything else is a 404."""
    conversation = visitor_conversation(session, visitor, conversation_id)
    attachment = get_attachment(session, visitor.account_id, attachment_id)
    message = session.get(Message, attachment.message_id)
    if attachment.conversation_id != conversation.id or message is None or message.private:
        raise NotFound(f"attachment {attachment_id} not found")
    return attachment


@router.get(
    "/widget/conversations/{conversation_id}/attachments/{attachment_id}",
    response_class=Response,
    responses={200: {"content": {"image/*": {}, "application/pdf": {}}}, **DOWNLOAD_ERRORS},
    tags=["widget"],
)
def download_customer_file(
    conversation_id: RowId, attachment_id: RowId, session: SessionDep, visitor: VisitorDep
) -> Response:
    """A file of the visitor's conversation (`Authorization: Bearer` visitor token)."""
    attachment = _visitor_attachment(session, visitor, conversation_id, attachment_id)
    return file_response(attachment, thumbnail=False)


@router.get(
    "/widget/conversations/{conversation_id}/attachments/{attachment_id}/thumbnail",
    response_class=Response,
    responses={200: {"content": {"image/webp": {}}}, **DOWNLOAD_ERRORS},
    tags=["widget"],
)
def download_customer_thumbnail(
    conversation_id: RowId, attachment_id: RowId, session: SessionDep, visitor: VisitorDep
) -> Response:
    """An image's preview, at most 320 x 320 pixels (WebP)."""
    attachment = _visitor_attachment(session, visitor, conversation_id, attachment_id)
    return file_response(attachment, thumbnail=True)


# --- staff -------------------------------------------------------------------------------------


@router.post(
    "/conversations/{conversation_id}/attachments",
    response_model=MessagePublic,
    status_code=201,
    responses=UPLOAD_ERRORS,
    tags=["console"],
)
def send_agent_file(
    conversation_id: RowId,
    file: FileField,
    principal: Writer,
    session: SessionDep,
    settings: SettingsDep,
    body: TextField = None,
    private: Annotated[
        bool, Form(description="true: a private note only staff see; false: a reply")
    ] = False,
) -> MessagePublic:
    """Send a file (multipart `file`), with optional text (`body`), as a reply to the
    customer (taking the conversation over, as any reply does) or as a private note. Same
    checks and errors as the customer's upload."""
    member = require_member(principal)
    conversation = get_conversation_for_update(session, principal.account_id, conversation_id)
    message, attachment = do_send_agent_file(
        session,
        conversation,
        member,
        _read(file),
        body,
        private=private,
        max_chars=settings.max_message_chars,
    )
    return message_public(message, [attachment])


@router.get(
    "/attachments/{attachment_id}",
    response_class=Response,
    responses={200: {"content": {"image/*": {}, "application/pdf": {}}}, **DOWNLOAD_ERRORS},
    tags=["console"],
)
def download_file(attachment_id: RowId, principal: Reader, session: SessionDep) -> Response:
    """A file of this account's conversations: an image inline, a PDF as a download."""
    attachment = get_attachment(session, principal.account_id, attachment_id)
    return file_response(attachment, thumbnail=False)


@router.get(
    "/attachments/{attachment_id}/thumbnail",
    response_class=Response,
    responses={200: {"content": {"image/webp": {}}}, **DOWNLOAD_ERRORS},
    tags=["console"],
)
def download_thumbnail(attachment_id: RowId, principal: Reader, session: SessionDep) -> Response:
    """An image's preview, at most 320 x 320 pixels (WebP)."""
    attachment = get_attachment(session, principal.account_id, attachment_id)
    return file_response(attachment, thumbnail=True)
