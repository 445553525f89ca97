"""Erasure by key destruction ("crypto-shredding").

`do_erase_contact` deletes the contact's rows and destroys its data key in the key store. The
rows are gone from the live database; every copy of them (backups, replicas, the free pages of a
SQLite file) holds only ciphertext under a key that no longer exists. Events survive, because
they carry no personal data: intents, scores, timings and reason codes keep the KPIs whole.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Table, delete, func, select
from sqlalchemy.orm import Session

from batondesk.privacy.audit import record_audit
from batondesk.privacy.keys import keys_of
from batondesk.store.access import get_contact
from batondesk.store.database import INVALIDATIONS_CHANNEL, NOTIFICATIONS_KEY
from batondesk.store.models import Base, Contact, Conversation, Event, Message


@dataclass(frozen=True)
class ErasureReport:
    contact_id: int
    conversations: int
    messages: int
    events_kept: int
    key_destroyed: bool

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def do_erase_contact(session: Session, account_id: int, contact_id: int) -> ErasureReport:
    """Erase a contact of `account_id` (404 for another account's contact). Idempotent in
    effect: the key is destroyed first, so a failure half-way leaves only unreadable rows."""
    contact = get_contact(session, account_id, contact_id)
    conversation_ids = list(
        session.scalars(select(Conversation.id).where(Conversation.contact_id == contact.id))
    )
    messages = session.scalar(
        select(func.count()).select_from(Message).where(Message.contact_id == contact.id)
    )
    events = session.scalar(
        select(func.count())
        .select_from(Event)
        .where(Event.conversation_id.in_(conversation_ids or [-1]))
    )
    destroyed = (
        keys_of(session).keystore.destroy_data_key(contact.key_ref) if contact.key_ref else False
    )
    if destroyed:
        # Sent on commit: every API worker forgets its unwrapped copy of the key at once.
        session.info.setdefault(NOTIFICATIONS_KEY, []).append(
            (INVALIDATIONS_CHANNEL, {"type": "data_key.destroyed", "key_ref": contact.key_ref})
        )
    report = ErasureReport(
        contact.id, len(conversation_ids), int(messages or 0), int(events or 0), destroyed
    )
    record_audit(
        session,
        "contact.erased",
        account_id=account_id,
        target_type="contact",
        target_id=contact.id,
        details={k: v for k, v in report.as_dict().items() if k != "contact_id"},
    )
    _delete_rows(session, contact.id, conversation_ids)
    return report


def _delete_rows(session: Session, contact_id: int, conversation_ids: list[int]) -> None:
    message_ids = list(session.scalars(select(Message.id).where(Message.contact_id == contact_id)))
    doomed = {"contacts": [contact_id], "conversations": conversation_ids, "messages": message_ids}
    # Rows of other tables that point at what is erased: deleted when they hold personal data
    # or their foreign key would block the deletion; otherwise left to ON DELETE (events keep
    # their metrics with conversation_id set to NULL).
    for table in reversed(Base.metadata.sorted_tables):
        if table.name in doomed:
            continue
        for fk in table.foreign_keys:
            target = fk.column.table.name
            if target not in doomed or not doomed[target]:
                continue
            if _holds_personal_data(table) or fk.ondelete not in ("CASCADE", "SET NULL"):
                session.execute(delete(table).where(fk.parent.in_(doomed[target])))
    session.execute(delete(Message).where(Message.contact_id == contact_id))
    session.execute(delete(Conversation).where(Conversation.contact_id == contact_id))
    session.execute(delete(Contact).where(Contact.id == contact_id))
    session.flush()


def _holds_personal_data(table: Table) -> bool:
    return any(column.info.get("personal_data") for column in table.columns)


def purge_erased(session: Session) -> int:
    """After restoring a backup: delete the contacts whose data keys were destroyed since (their
    rows are unreadable anyway). Returns how many contacts were purged."""
    rows = list(
        session.execute(select(Contact.id, Contact.key_ref).where(Contact.key_ref.is_not(None)))
    )
    destroyed = keys_of(session).keystore.destroyed_key_refs([r.key_ref for r in rows])
    purged = 0
    for row in rows:
        if row.key_ref in destroyed:
            ids = list(
                session.scalars(select(Conversation.id).where(Conversation.contact_id == row.id))
            )
            _delete_rows(session, row.id, ids)
            purged += 1
    if purged:
        record_audit(session, "contacts.purged", account_id=None, details={"contacts": purged})
    return purged
