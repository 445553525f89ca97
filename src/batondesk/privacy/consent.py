"""Consent flags: may this contact's data be used for a purpose? Absent means no (opt-in).

Purposes: ``training`` (customer messages may enter training datasets), ``analytics``
(beyond the aggregate KPIs every support desk needs), ``external_llm`` (may be sent, redacted,
to a configured external model), ``chat`` (agreed to the privacy notice in the chat widget
before the first message), ``marketing`` (may be offered products: without it no
recommendation reaches the customer or their agent). The training pipeline takes its texts
from `training_texts`, which yields only consenting contacts' messages, redacted.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from batondesk.errors import InvalidInput
from batondesk.privacy.audit import record_audit
from batondesk.privacy.redaction import redact_text
from batondesk.store.access import get_contact
from batondesk.store.models import Consent, Message, SenderType
from batondesk.store.privacy import CONSENT_PURPOSES


def check_purpose(purpose: str) -> str:
    if purpose not in CONSENT_PURPOSES:
        raise InvalidInput(
            f"unknown purpose {purpose!r}; one of {', '.join(sorted(CONSENT_PURPOSES))}",
            code="unknown_purpose",
        )
    return purpose


def consents_of(session: Session, account_id: int, contact_id: int) -> dict[str, bool]:
    """Every purpose with its current answer (False where never asked)."""
    get_contact(session, account_id, contact_id)
    stored = {
        c.purpose: c.granted
        for c in session.scalars(select(Consent).where(Consent.contact_id == contact_id))
    }
    return {purpose: stored.get(purpose, False) for purpose in sorted(CONSENT_PURPOSES)}


def do_set_consent(
    session: Session,
    account_id: int,
    contact_id: int,
    purpose: str,
    granted: bool,
    *,
    source: str = "admin",
) -> dict[str, bool]:
    check_purpose(purpose)
    get_contact(session, account_id, contact_id)
    row = session.scalars(
        select(Consent).where(Consent.contact_id == contact_id, Consent.purpose == purpose)
    ).first()
    if row is None:
        row = Consent(account_id=account_id, contact_id=contact_id, purpose=purpose, source=source)
        session.add(row)
    row.granted = granted
    row.source = source
    session.flush()
    record_audit(
        session,
        "consent.changed",
        account_id=account_id,
        target_type="contact",
        target_id=contact_id,
        details={"purpose": purpose, "granted": granted, "source": source},
    )
    return consents_of(session, account_id, contact_id)


def has_consent(session: Session, account_id: int, contact_id: int, purpose: str) -> bool:
    """Whether the contact said yes to `purpose` (and has not withdrawn it)."""
    check_purpose(purpose)
    return bool(
        session.scalar(
            select(Consent.granted).where(
                Consent.account_id == account_id,
                Consent.contact_id == contact_id,
                Consent.purpose == purpose,
            )
        )
    )


def consenting_contacts(session: Session, account_id: int, purpose: str) -> set[int]:
    check_purpose(purpose)
    return set(
        session.scalars(
            select(Consent.contact_id).where(
                Consent.account_id == account_id,
                Consent.purpose == purpose,
                Consent.granted.is_(True),
            )
        )
    )


def training_texts(session: Session, account_id: int) -> Iterator[tuple[int, str]]:
    """(message id, redacted text) of customer messages whose contact consented to training."""
    allowed = consenting_contacts(session, account_id, "training")
    if not allowed:
        return
    messages = session.scalars(
        select(Message)
        .where(
            Message.account_id == account_id,
            Message.sender_type == SenderType.customer,
            Message.contact_id.in_(allowed),
        )
        .order_by(Message.id)
    )
    for message in messages:
        yield message.id, redact_text(message.body)
