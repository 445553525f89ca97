"""Keeping the keyed search index (store/search_index.py) in step with what is stored.

Customers' and agents' messages (private notes too: only staff search) are indexed as they
are stored; the bot's and system messages are not: they are the knowledge base's and Baton's
own words, would match nearly every conversation, and would triple the index. A contact's name
is indexed when it is set. `do_reindex_account` indexes what was stored before the index
existed (`baton search reindex`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from batondesk.privacy.keyring import DecryptionError
from batondesk.privacy.search_tokens import SearchHasher
from batondesk.store.models import Contact, Conversation, Message, SearchToken, SenderType
from batondesk.store.search_index import CONTACT_NAME_FIELD, MESSAGE_FIELD

INDEXED_SENDERS = (SenderType.customer, SenderType.agent)
_BATCH = 500
_INSERT_TOKENS = insert(SearchToken.__table__)


def index_message(session: Session, message: Message, hasher: SearchHasher | None = None) -> int:
    """Index a stored message's words; returns how many tokens were added."""
    if message.sender_type not in INDEXED_SENDERS:
        return 0
    hasher = hasher or SearchHasher.for_account(session, message.account_id)
    rows = [
        {
            "account_id": message.account_id,
            "contact_id": message.contact_id,
            "conversation_id": message.conversation_id,
            "message_id": message.id,
            "field": MESSAGE_FIELD,
            "token": token,
            "created_at": message.created_at,
        }
        for token in hasher.tokens(message.body)
    ]
    if rows:
        # A plain executemany on the table: the ORM's bulk-insert path cost more Python per
        # message than the statement. It does not autoflush, and needs not: the message has
        # its id, so it and the rows it names are stored already.
        session.execute(_INSERT_TOKENS, rows)
    return len(rows)


def index_contact_name(
    session: Session, contact: Contact, hasher: SearchHasher | None = None
) -> None:
    """(Re)index the words of a contact's name. Emails are found through the contact's own
    blind index (store/contacts.py), not here."""
    session.execute(
        delete(SearchToken).where(
            SearchToken.contact_id == contact.id,
            SearchToken.field == CONTACT_NAME_FIELD,
        )
    )
    if not contact.name:
        return
    hasher = hasher or SearchHasher.for_account(session, contact.account_id)
    rows = [
        {
            "account_id": contact.account_id,
            "contact_id": contact.id,
            "field": CONTACT_NAME_FIELD,
            "token": token,
            "created_at": contact.created_at,
        }
        for token in hasher.tokens(contact.name)
    ]
    if rows:
        session.execute(insert(SearchToken), rows)


@dataclass
class ReindexReport:
    messages: int = 0
    contacts: int = 0
    tokens: int = 0
    unreadable: int = 0  # rows of erased contacts (their key is destroyed): nothing to index
    intents: int = 0


def do_reindex_account(
    session: Session,
    account_id: int,
    progress: Callable[[int, int], None] | None = None,
) -> ReindexReport:
    """Rebuild the account's search index from its stored messages and contacts, and fill in
    each conversation's intent. Idempotent. `progress(done, total)` is called per batch of
    messages."""
    # Here rather than at the top: actions.conversations indexes every message it stores.
    from batondesk.actions.conversations import last_intent

    report = ReindexReport()
    hasher = SearchHasher.for_account(session, account_id)
    session.execute(delete(SearchToken).where(SearchToken.account_id == account_id))
    for contact in session.scalars(select(Contact).where(Contact.account_id == account_id)):
        try:
            index_contact_name(session, contact, hasher)
        except DecryptionError:
            report.unreadable += 1
            continue
        report.contacts += 1
    ids = list(
        session.scalars(
            select(Message.id)
            .where(Message.account_id == account_id, Message.sender_type.in_(INDEXED_SENDERS))
            .order_by(Message.id)
        )
    )
    for start in range(0, len(ids), _BATCH):
        batch = ids[start : start + _BATCH]
        for message in session.scalars(select(Message).where(Message.id.in_(batch))):
            try:
                report.tokens += index_message(session, message, hasher)
            except DecryptionError:
                report.unreadable += 1
                continue
            report.messages += 1
        session.flush()
        # Decrypted bodies are not kept in memory beyond their batch.
        session.expunge_all()
        if progress is not None:
            progress(min(start + _BATCH, len(ids)), len(ids))
    for conversation in session.scalars(
        select(Conversation).where(
            Conversation.account_id == account_id, Conversation.intent.is_(None)
        )
    ):
        intent = last_intent(session, conversation)
        if intent is not None:
            conversation.intent = intent
            report.intents += 1
    session.flush()
    return report
