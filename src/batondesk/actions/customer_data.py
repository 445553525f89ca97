"""Writing customer data: attribute definitions, and customer records from any source (file
imports, CRM syncs, CRM webhooks), each checked whole before anything is stored.

A record finds its contact by `external_id` (the blind index) and creates one when there is
none; the fields it leaves out stay as they were. Attribute values go to the contact's sealed
`attributes`; products, orders and preferences to its `CustomerProfile`, sealed with the same
contact key; consents (e.g. `marketing`) to the contact's consents (privacy/consent.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from batondesk.actions.contacts import (
    do_create_contact,
    email_index,
    find_contact_by_email,
    find_contact_by_external_id,
)
from batondesk.customers.attributes import AttributeSpec, check_definition
from batondesk.customers.files import CustomerFileError, read_customer_file
from batondesk.customers.records import CustomerRecord, RecordError, check_record
from batondesk.errors import Conflict, InvalidInput
from batondesk.privacy.audit import record_audit
from batondesk.privacy.consent import do_set_consent, has_consent
from batondesk.store.models import AttributeDefinition, Contact, CustomerProfile

# How many bad records an import names before it stops listing them.
MAX_REPORTED_ERRORS = 20


@dataclass(frozen=True)
class RecordsApplied:
    created: int
    updated: int

    @property
    def total(self) -> int:
        return self.created + self.updated


def attribute_specs(session: Session, account_id: int) -> dict[str, AttributeSpec]:
    rows = session.scalars(
        select(AttributeDefinition).where(AttributeDefinition.account_id == account_id)
    )
    return {row.key: AttributeSpec(row.key, row.type, tuple(row.options or ())) for row in rows}


def do_define_attribute(
    session: Session,
    account_id: int,
    *,
    key: str,
    label: str,
    type_name: str,
    options: list[Any] | None = None,
) -> AttributeDefinition:
    key, kind, values = check_definition(key, type_name, options)
    label = (label or key).strip()
    if not 0 < len(label) <= 120:
        raise InvalidInput("label must have 1 to 120 characters", code="invalid_label")
    existing = session.scalars(
        select(AttributeDefinition).where(
            AttributeDefinition.account_id == account_id, AttributeDefinition.key == key
        )
    ).first()
    if existing is not None:
        raise Conflict(f"attribute {key} is already defined", code="attribute_exists")
    row = AttributeDefinition(
        account_id=account_id, key=key, label=label, type=kind, options=values
    )
    session.add(row)
    session.flush()
    return row


def check_records(
    session: Session, account_id: int, raw_records: Sequence[tuple[int | str, Any]]
) -> list[CustomerRecord]:
    """Every record checked against the account's attributes; InvalidInput naming (up to
    `MAX_REPORTED_ERRORS`) bad records by their position when any is bad."""
    specs = attribute_specs(session, account_id)
    records: list[CustomerRecord] = []
    errors: list[str] = []
    seen: dict[str, int | str] = {}
    for where, raw in raw_records:
        try:
            record = check_record(raw, specs)
        except RecordError as exc:
            errors.append(f"{where}: {exc}")
            continue
        if record.external_id in seen:
            errors.append(f"{where}: external_id repeats record {seen[record.external_id]}")
            continue
        seen[record.external_id] = where
        records.append(record)
    if errors:
        more = len(errors) - MAX_REPORTED_ERRORS
        listed = "; ".join(errors[:MAX_REPORTED_ERRORS]) + (
            f"; and {more} more" if more > 0 else ""
        )
        raise InvalidInput(
            f"{len(errors)} of {len(raw_records)} records are invalid, nothing was stored: "
            + listed,
            code="invalid_records",
        )
    return records


def do_apply_records(
    session: Session, account_id: int, records: Sequence[CustomerRecord], *, source: str
) -> RecordsApplied:
    """Store checked records (see `check_records`): create or update each contact and its
    profile. `source` says where they came from ("import", "api", "crm:<id>")."""
    created = updated = 0
    for record in records:
        contact = find_contact_by_external_id(session, account_id, record.external_id)
        if contact is None:
            _refuse_taken_email(session, account_id, record, None)
            contact = do_create_contact(
                session,
                account_id,
                external_id=record.external_id,
                name=record.name,
                email=record.email,
                phone=record.phone,
                locale=_locale(record) or "en",
                tier=record.tier or "standard",
                attributes={k: v for k, v in record.attributes.items() if v is not None},
            )
            created += 1
        else:
            _update_contact(session, account_id, contact, record)
            updated += 1
        _update_profile(session, contact, record, source)
        _update_consents(session, account_id, contact, record, source)
    session.flush()
    return RecordsApplied(created, updated)


def do_import_customers(
    session: Session, account_id: int, data: bytes, filename: str
) -> RecordsApplied:
    """Import a CSV or JSON file of customer records (customers/files.py): all or nothing."""
    try:
        rows = read_customer_file(data, filename)
    except CustomerFileError as exc:
        raise InvalidInput(str(exc), code="invalid_customer_file") from None
    prefix = "line" if filename.lower().endswith((".csv", ".jsonl")) else "record"
    records = check_records(session, account_id, [(f"{prefix} {n}", raw) for n, raw in rows])
    applied = do_apply_records(session, account_id, records, source="import")
    record_audit(
        session,
        "customers.imported",
        account_id=account_id,
        details={"created": applied.created, "updated": applied.updated},
    )
    return applied


def _locale(record: CustomerRecord) -> str | None:
    if record.locale:
        return record.locale
    if record.preferences is not None and record.preferences.language:
        return record.preferences.language
    return None


def _refuse_taken_email(
    session: Session, account_id: int, record: CustomerRecord, contact: Contact | None
) -> None:
    if not record.email:
        return
    holder = find_contact_by_email(session, account_id, record.email)
    if holder is not None and holder is not contact:
        raise Conflict(
            f"record {record.external_id}: its email belongs to another contact",
            code="email_taken",
        )


def _update_contact(
    session: Session, account_id: int, contact: Contact, record: CustomerRecord
) -> None:
    if record.given("email"):
        _refuse_taken_email(session, account_id, record, contact)
        if record.email != contact.email:
            contact.email = record.email
            contact.email_index = email_index(session, record.email) if record.email else None
    for field in ("name", "phone"):
        if record.given(field) and getattr(contact, field) != getattr(record, field):
            setattr(contact, field, getattr(record, field))
    locale = _locale(record)
    if locale and contact.locale != locale:
        contact.locale = locale
    if record.tier and contact.tier != record.tier:
        contact.tier = record.tier
    if record.attributes:
        merged = dict(contact.attributes or {})
        for key, value in record.attributes.items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = value
        if merged != (contact.attributes or {}):
            contact.attributes = merged


def _update_consents(
    session: Session, account_id: int, contact: Contact, record: CustomerRecord, source: str
) -> None:
    """The customer's answers as the CRM holds them; only a change is recorded (and audited),
    so a sync that repeats them writes nothing."""
    for purpose, granted in record.consents.items():
        if has_consent(session, account_id, contact.id, purpose) != granted:
            do_set_consent(session, account_id, contact.id, purpose, granted, source=source)


def _update_profile(
    session: Session, contact: Contact, record: CustomerRecord, source: str
) -> None:
    if not (record.given("products") or record.given("orders") or record.given("preferences")):
        return
    profile = session.scalars(
        select(CustomerProfile).where(CustomerProfile.contact_id == contact.id)
    ).first()
    if profile is None:
        profile = CustomerProfile(account_id=contact.account_id, contact_id=contact.id)
        session.add(profile)
    if record.given("products"):
        profile.products = [
            p.model_dump(mode="json", exclude_none=True) for p in record.products or []
        ]
    if record.given("orders"):
        profile.orders = [o.model_dump(mode="json", exclude_none=True) for o in record.orders or []]
    if record.given("preferences"):
        merged = dict(profile.preferences or {})
        if record.preferences is None:
            merged = {}
        else:
            merged.update(record.preferences.model_dump(mode="json", exclude_unset=True))
        profile.preferences = {k: v for k, v in merged.items() if v is not None}
    profile.source = source
