"""Creating and finding contacts (customers)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from batondesk.actions.search_index import index_contact_name
from batondesk.errors import InvalidInput
from batondesk.privacy.keys import keys_of
from batondesk.store.contacts import EMAIL_INDEX_PURPOSE, EXTERNAL_ID_INDEX_PURPOSE
from batondesk.store.models import Contact

MAX_EXTERNAL_ID_CHARS = 120


def email_index(session: Session, email: str) -> str:
    return keys_of(session).keyring.blind_index(email, EMAIL_INDEX_PURPOSE)


def external_id_index(session: Session, external_id: str) -> str:
    """Keyed hash of an external id: ids are compared exactly (case matters), never stored."""
    return keys_of(session).keyring.blind_index(
        external_id, EXTERNAL_ID_INDEX_PURPOSE, case_sensitive=True
    )


def find_contact_by_email(session: Session, account_id: int, email: str) -> Contact | None:
    return session.scalars(
        select(Contact).where(
            Contact.account_id == account_id, Contact.email_index == email_index(session, email)
        )
    ).first()


def find_contact_by_external_id(
    session: Session, account_id: int, external_id: str
) -> Contact | None:
    return session.scalars(
        select(Contact).where(
            Contact.account_id == account_id,
            Contact.external_id_index == external_id_index(session, external_id),
        )
    ).first()


def do_create_contact(
    session: Session,
    account_id: int,
    *,
    name: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    locale: str = "en",
    tier: str = "standard",
    external_id: str | None = None,
    attributes: dict[str, Any] | None = None,
) -> Contact:
    if email is not None and "@" not in email:
        raise InvalidInput("email must contain '@'", code="invalid_email")
    if external_id is not None and not 0 < len(external_id.strip()) <= MAX_EXTERNAL_ID_CHARS:
        raise InvalidInput(
            f"external_id must have 1 to {MAX_EXTERNAL_ID_CHARS} characters",
            code="invalid_external_id",
        )
    contact = Contact(
        account_id=account_id,
        external_id=external_id,
        external_id_index=external_id_index(session, external_id) if external_id else None,
        name=name,
        email=email,
        email_index=email_index(session, email) if email else None,
        phone=phone,
        locale=locale,
        tier=tier,
        attributes=attributes or {},
    )
    session.add(contact)
    session.flush()
    index_contact_name(session, contact)
    return contact


def do_identify_contact(
    session: Session,
    account_id: int,
    *,
    external_id: str,
    name: str | None,
    email: str | None,
) -> Contact:
    """Find the contact an embedding site vouched for (signed token), creating it if new.

    Only the token's `external_id` names the customer, never its email: many sites let a user
    set an email they never proved, and a contact found by email would hand them another
    customer's facts and history, or tie their verified identity to whatever someone typed into
    the chat under that address."""
    contact = find_contact_by_external_id(session, account_id, external_id)
    if contact is not None:
        return contact
    contact = do_create_contact(session, account_id, name=name, external_id=external_id)
    if email is not None:
        attach_email(session, contact, email, proven=True)
    return contact


def attach_email(session: Session, contact: Contact, email: str, *, proven: bool) -> None:
    """Give `contact` an email it was not created with. The address is sealed like all personal
    data; its blind index (what finds the contact by email) belongs to one contact per account:
    to this one when no other holds it, or when `proven` (a website vouched for it) and the
    holder's address was only typed (it has no website identity)."""
    if "@" not in email:
        raise InvalidInput("email must contain '@'", code="invalid_email")
    contact.email = email
    holder = find_contact_by_email(session, contact.account_id, email)
    if holder is not None and proven and holder.external_id is None:
        holder.email_index = None
        session.flush()
        holder = None
    if holder is None:
        contact.email_index = email_index(session, email)
    session.flush()
