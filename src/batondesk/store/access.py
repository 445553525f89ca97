"""Tenant-safe accessors. Every read of a tenant-owned row goes through one of these, which take
the account: an id from another account is indistinguishable from a missing one (404)."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from batondesk.errors import NotFound
from batondesk.store.accounts import Inbox, Membership, Team
from batondesk.store.attachments import Attachment
from batondesk.store.base import TenantMixin
from batondesk.store.canned_responses import CannedResponse
from batondesk.store.contacts import Contact
from batondesk.store.conversation_tags import ConversationTag, Tag
from batondesk.store.conversations import Conversation, Message
from batondesk.store.knowledge import Article

RowT = TypeVar("RowT", bound=TenantMixin)


def get_owned(session: Session, model: type[RowT], account_id: int, row_id: int) -> RowT:
    row = session.get(model, row_id)
    if row is None or row.account_id != account_id:
        raise NotFound(f"{model.__name__.lower()} {row_id} not found")
    return row


def get_conversation(session: Session, account_id: int, conversation_id: int) -> Conversation:
    return get_owned(session, Conversation, account_id, conversation_id)


def get_conversation_for_update(
    session: Session, account_id: int, conversation_id: int
) -> Conversation:
    """Lock the row (PostgreSQL) so concurrent state changes on one conversation serialise."""
    row = session.scalars(
        select(Conversation)
        .where(Conversation.id == conversation_id, Conversation.account_id == account_id)
        .with_for_update()
    ).first()
    if row is None:
        raise NotFound(f"conversation {conversation_id} not found")
    return row


def get_contact(session: Session, account_id: int, contact_id: int) -> Contact:
    return get_owned(session, Contact, account_id, contact_id)


def get_attachment(session: Session, account_id: int, attachment_id: int) -> Attachment:
    return get_owned(session, Attachment, account_id, attachment_id)


def attachments_by_message(
    session: Session, account_id: int, message_ids: list[int]
) -> dict[int, list[Attachment]]:
    """The attachments of each of these messages, in one query; the files themselves are
    not read (their columns are deferred)."""
    found: dict[int, list[Attachment]] = {mid: [] for mid in message_ids}
    if not message_ids:
        return found
    rows = session.scalars(
        select(Attachment)
        .where(Attachment.account_id == account_id, Attachment.message_id.in_(message_ids))
        .order_by(Attachment.id)
    )
    for row in rows:
        found[row.message_id].append(row)
    return found


def get_inbox(session: Session, account_id: int, inbox_id: int) -> Inbox:
    return get_owned(session, Inbox, account_id, inbox_id)


def get_team(session: Session, account_id: int, team_id: int) -> Team:
    return get_owned(session, Team, account_id, team_id)


def get_article(session: Session, account_id: int, article_id: int) -> Article:
    return get_owned(session, Article, account_id, article_id)


def get_tag(session: Session, account_id: int, tag_id: int) -> Tag:
    return get_owned(session, Tag, account_id, tag_id)


def get_canned_response(session: Session, account_id: int, row_id: int) -> CannedResponse:
    return get_owned(session, CannedResponse, account_id, row_id)


def tags_by_conversation(
    session: Session, account_id: int, conversation_ids: list[int]
) -> dict[int, list[Tag]]:
    """The tags on each of these conversations (by name), in one query."""
    found: dict[int, list[Tag]] = {cid: [] for cid in conversation_ids}
    if not conversation_ids:
        return found
    rows = session.execute(
        select(ConversationTag.conversation_id, Tag)
        .join(Tag, Tag.id == ConversationTag.tag_id)
        .where(
            ConversationTag.account_id == account_id,
            ConversationTag.conversation_id.in_(conversation_ids),
        )
        .order_by(Tag.name)
    )
    for conversation_id, tag in rows:
        found[conversation_id].append(tag)
    return found


def get_member(session: Session, account_id: int, user_id: int) -> Membership:
    membership = session.scalars(
        select(Membership).where(Membership.account_id == account_id, Membership.user_id == user_id)
    ).first()
    if membership is None:
        raise NotFound(f"user {user_id} not found")
    return membership


def list_messages(
    session: Session, conversation: Conversation, *, include_private: bool
) -> list[Message]:
    query = select(Message).where(
        Message.account_id == conversation.account_id,
        Message.conversation_id == conversation.id,
    )
    if not include_private:
        query = query.where(Message.private.is_(False))
    return list(session.scalars(query.order_by(Message.id)))
