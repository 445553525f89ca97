"""Sending a file: a customer's or an agent's message that carries an image or a PDF.

The file is checked and cleaned (`attachments.inspection.check_file`) before anything is
written, so a refused file leaves no trace; then the message is stored through the same
action as any other message (the customer's turn, the agent's reply or note) and the file is
stored with it, sealed with the contact's key (store/attachments.py). Events carry the
file's kind, type and size, never its name or bytes.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from batondesk.actions.conversations import do_add_note, do_agent_reply
from batondesk.actions.customer_turn import TurnOutcome, do_receive_customer_message
from batondesk.actions.events import record_event
from batondesk.attachments.inspection import CheckedFile, check_file
from batondesk.attachments.settings import AttachmentSettings
from batondesk.engine.services import TurnServices
from batondesk.observability.metrics import OperationalMetrics
from batondesk.store.models import (
    Account,
    Attachment,
    AttachmentKind,
    Conversation,
    Membership,
    Message,
)


@dataclass(frozen=True)
class Upload:
    """A file as it arrived: its bytes and the name the sender gave it (the type the client
    declared is not kept: the bytes say what the file is)."""

    data: bytes
    filename: str | None


def attachment_limit(session: Session, account_id: int) -> int:
    """The largest file the account accepts, in bytes."""
    account = session.get(Account, account_id)
    return AttachmentSettings.for_account(account.settings if account else {}).max_bytes


def do_send_customer_file(
    session: Session,
    conversation: Conversation,
    upload: Upload,
    text: str | None,
    services: TurnServices,
    *,
    max_chars: int,
    metrics: OperationalMetrics | None = None,
) -> tuple[TurnOutcome, Attachment]:
    """The customer's message carrying `upload`, with `text` or none. With text, the bot takes
    its turn on the text as for any message; the file itself is for people."""
    checked = check_file(
        upload.data, upload.filename, max_bytes=attachment_limit(session, conversation.account_id)
    )
    outcome = do_receive_customer_message(
        session, conversation, text or "", services, max_chars=max_chars, metrics=metrics, files=1
    )
    attachment = _store(session, conversation, outcome.message, checked, actor_type="customer")
    return outcome, attachment


def do_send_agent_file(
    session: Session,
    conversation: Conversation,
    agent: Membership,
    upload: Upload,
    text: str | None,
    *,
    private: bool,
    max_chars: int,
) -> tuple[Message, Attachment]:
    """An agent's reply (or, `private`, a note only staff see) carrying `upload`. A reply
    takes the conversation over, as any reply does."""
    checked = check_file(
        upload.data, upload.filename, max_bytes=attachment_limit(session, conversation.account_id)
    )
    post = do_add_note if private else do_agent_reply
    message = post(session, conversation, agent, text or "", max_chars=max_chars, files=1)
    attachment = _store(
        session, conversation, message, checked, actor_type="agent", actor_id=agent.user_id
    )
    return message, attachment


def _store(
    session: Session,
    conversation: Conversation,
    message: Message,
    checked: CheckedFile,
    *,
    actor_type: str,
    actor_id: int | None = None,
) -> Attachment:
    attachment = Attachment(
        account_id=conversation.account_id,
        conversation_id=conversation.id,
        message_id=message.id,
        contact_id=conversation.contact_id,
        kind=AttachmentKind(checked.kind),
        content_type=checked.content_type,
        size_bytes=len(checked.content),
        width=checked.width,
        height=checked.height,
    )
    # Sealed at flush with the contact's data key: plaintext never reaches the database.
    attachment.filename = checked.filename
    attachment.content = checked.content
    attachment.thumbnail = checked.thumbnail
    session.add(attachment)
    session.flush()
    record_event(
        session,
        conversation,
        "message.attachment_added",
        actor_type=actor_type,
        actor_id=conversation.contact_id if actor_type == "customer" else actor_id,
        payload={
            "message_id": message.id,
            "attachment_id": attachment.id,
            "kind": checked.kind,
            "content_type": checked.content_type,
            "size_bytes": attachment.size_bytes,
        },
    )
    return attachment
