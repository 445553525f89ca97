"""The customer's side of the chat: starting it (identity, pre-chat details, consent) and
what the chat has shown the customer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.orm import Session

from batondesk.actions.contacts import (
    attach_email,
    do_create_contact,
    do_identify_contact,
)
from batondesk.actions.conversations import do_open_conversation
from batondesk.actions.languages import do_set_starting_language
from batondesk.errors import InvalidInput, NotFound
from batondesk.privacy.consent import do_set_consent
from batondesk.store.models import Contact, Conversation, Inbox, Message

MAX_NAME_CHARS = 200
# The consent a chat asks for before the first message (privacy/consent.py).
CHAT_CONSENT = "chat"

PrechatForm = Literal["off", "optional", "required"]


@dataclass(frozen=True)
class ChatStart:
    """What the customer's browser sends to start: its language (`locale`), the language the
    customer picked in the chat's menu (`language`), the pre-chat form's answers (unverified,
    typed by the customer) and whether they agreed to the privacy notice."""

    locale: str | None = None
    language: str | None = None
    name: str | None = None
    email: str | None = None
    consent: bool = False


@dataclass(frozen=True)
class ChatRules:
    """What the account asks before a chat starts (its widget settings)."""

    prechat_form: PrechatForm = "off"
    consent_required: bool = False


def check_prechat(start: ChatStart, form: PrechatForm) -> tuple[str | None, str | None]:
    """The name and normalised email, or InvalidInput naming the field. `required` needs
    both; otherwise either may be left out."""
    name = (start.name or "").strip() or None
    email = (start.email or "").strip() or None
    if form == "required":
        missing = [field for field, value in (("name", name), ("email", email)) if not value]
        if missing:
            raise InvalidInput(
                f"this chat asks for your {' and '.join(missing)} before it starts",
                code="prechat_required",
            )
    if name is not None and len(name) > MAX_NAME_CHARS:
        raise InvalidInput(
            f"name has {len(name)} characters; the limit is {MAX_NAME_CHARS}", code="invalid_name"
        )
    if email is not None:
        try:
            email = validate_email(email, check_deliverability=False).normalized
        except EmailNotValidError as error:
            raise InvalidInput(f"email: {error}", code="invalid_email") from None
    return name, email


def do_start_chat(
    session: Session,
    inbox: Inbox,
    start: ChatStart,
    rules: ChatRules,
    *,
    identity: dict[str, Any] | None = None,
) -> Conversation:
    """Open a conversation for a new customer, or for the one `identity` names (claims of a
    token the embedding website signed). Refused, with nothing stored, without the consent
    the account requires or the pre-chat details it requires of anonymous customers."""
    if rules.consent_required and not start.consent:
        raise InvalidInput(
            "this chat asks you to agree to its privacy notice first (send consent: true)",
            code="consent_required",
        )
    if identity is not None:
        contact = do_identify_contact(
            session,
            inbox.account_id,
            external_id=identity["external_id"],
            name=identity.get("name"),
            email=identity.get("email"),
        )
    else:
        name, email = check_prechat(start, rules.prechat_form)
        contact = _visitor_contact(session, inbox.account_id, name, email, start.locale or "en")
    if start.consent:
        do_set_consent(session, inbox.account_id, contact.id, CHAT_CONSENT, True, source="widget")
    conversation = do_open_conversation(
        session, inbox, contact, identity_verified=identity is not None
    )
    do_set_starting_language(
        session,
        conversation,
        contact,
        choice=start.language,
        identity=identity.get("locale") if identity is not None else None,
        browser=start.locale,
    )
    return conversation


def _visitor_contact(
    session: Session, account_id: int, name: str | None, email: str | None, locale: str
) -> Contact:
    """A new contact for an anonymous visitor, with what they typed sealed like all personal
    data. An email typed in a form proves nothing, so it never joins the visitor to an
    existing contact (whose conversations it would open); it is findable by its blind index
    only while no other contact of the account holds that address."""
    contact = do_create_contact(session, account_id, name=name, locale=locale)
    if email is not None:
        attach_email(session, contact, email, proven=False)
    return contact


def do_mark_seen(session: Session, conversation: Conversation, message_id: int) -> int:
    """The customer's chat has shown them every message up to `message_id` (one of this
    conversation's messages they can see). Returns the newest message seen; it never goes
    back. An agent's reply newer than this is what the email follow-up sends."""
    shown = session.scalars(
        select(Message.id).where(
            Message.account_id == conversation.account_id,
            Message.conversation_id == conversation.id,
            Message.id == message_id,
            Message.private.is_(False),
        )
    ).first()
    if shown is None:
        raise NotFound(f"message {message_id} not found in this conversation")
    conversation.customer_seen_message_id = max(
        conversation.customer_seen_message_id or 0, message_id
    )
    session.flush()
    return conversation.customer_seen_message_id
