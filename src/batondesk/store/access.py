"""Tenant-safe accessors. Every read of a tenant-owned row goes through one of these, which take
the account: an id from another account is indistinguishable from a missing one (404)."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from batondesk.errors import NotFound
from batondesk.store.accounts import Inbox, Membership, Team
from batondesk.store.base import TenantMixin
from batondesk.store.contacts import Contact
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


def get_inbox(session: Session, account_id: int, inbox_id: int) -> Inbox:
    return get_owned(session, Inbox, account_id, inbox_id)


def get_team(session: Session, account_id: int, team_id: int) -> Team:
    return get_owned(session, Team, account_id, team_id)


def get_article(session: Session, account_id: int, article_id: int) -> Article:
    return get_owned(session, Article, account_id, article_id)


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
