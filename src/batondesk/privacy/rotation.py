"""Key rotation: re-wrap keys, never re-encrypt data (see privacy/keystore.py)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sqlalchemy.orm import Session

from batondesk.privacy.audit import record_audit
from batondesk.privacy.keys import keys_of


def do_rotate_keys(session: Session, account_id: int | None = None) -> dict[str, Any]:
    """Re-wrap account keys under the current master key and give the account (or every
    account) a new account key; audited per account."""
    report = asdict(keys_of(session).keystore.rotate(account_id))
    record_audit(
        session,
        "keys.rotated",
        account_id=account_id,
        target_type="account",
        target_id=account_id,
        details=report,
    )
    return report


def do_reseal_legacy(session: Session, batch_size: int = 500) -> int:
    """Re-seal values written before per-contact keys existed (column-bound, master key) with
    their contact's data key, so that erasing the contact reaches them too. Returns how many
    values were re-sealed. Safe to run again: sealed values are skipped."""
    from sqlalchemy import select

    from batondesk.privacy.sealing import SEALED_VERSION, sealed_columns
    from batondesk.store.models import Contact, Conversation, Message

    count = 0
    for model in (Contact, Conversation, Message):
        columns = sealed_columns(model)
        last_id = 0
        while True:
            rows = list(
                session.scalars(
                    select(model).where(model.id > last_id).order_by(model.id).limit(batch_size)
                )
            )
            if not rows:
                break
            for row in rows:
                for attr, _label in columns:
                    blob = getattr(row, attr)
                    if blob and blob[0] != SEALED_VERSION:
                        plain_name = attr.removesuffix("_sealed")
                        setattr(row, plain_name, getattr(row, plain_name))
                        count += 1
            session.flush()
            last_id = rows[-1].id
    if count:
        record_audit(session, "keys.resealed", account_id=None, details={"values": count})
    return count
