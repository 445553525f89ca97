"""Contacts: the customers who write in. Their personal fields are encrypted at rest."""

from __future__ import annotations

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from batondesk.privacy.sealing import PERSONAL_DATA, SealedBytes, sealed_field
from batondesk.store.base import Base, TenantMixin

# Blind-index purposes (privacy/keyring.py): equal values in different fields hash differently.
EMAIL_INDEX_PURPOSE = "contact.email"
EXTERNAL_ID_INDEX_PURPOSE = "contact.external_id"


class Contact(Base, TenantMixin):
    __tablename__ = "contacts"
    __table_args__ = (
        UniqueConstraint("account_id", "external_id_index"),
        UniqueConstraint("account_id", "email_index"),
    )

    # The id the customer has in the embedding business's own systems (CRM, core banking).
    # Whoever knows it and the inbox's identity secret can open the customer's conversations,
    # so it is sealed like the personal fields and found through a keyed blind index.
    external_id_sealed: Mapped[bytes | None] = mapped_column(
        "external_id", SealedBytes("contacts.external_id"), default=None, info=PERSONAL_DATA
    )
    external_id = sealed_field("external_id_sealed", "contacts.external_id")
    external_id_index: Mapped[str | None] = mapped_column(String(64), default=None)
    # Personal fields are sealed with this contact's own data key (privacy/sealing.py); the
    # `*_sealed` columns hold ciphertext, the plain names read and write plaintext.
    key_ref: Mapped[str | None] = mapped_column(String(32), default=None, unique=True, index=True)
    name_sealed: Mapped[bytes | None] = mapped_column(
        "name", SealedBytes("contacts.name"), default=None, info=PERSONAL_DATA
    )
    name = sealed_field("name_sealed", "contacts.name")
    email_sealed: Mapped[bytes | None] = mapped_column(
        "email", SealedBytes("contacts.email"), default=None, info=PERSONAL_DATA
    )
    email = sealed_field("email_sealed", "contacts.email")
    # Keyed hash of the normalised email so contacts can be found by email without plaintext.
    email_index: Mapped[str | None] = mapped_column(String(64), default=None, index=True)
    phone_sealed: Mapped[bytes | None] = mapped_column(
        "phone", SealedBytes("contacts.phone"), default=None, info=PERSONAL_DATA
    )
    phone = sealed_field("phone_sealed", "contacts.phone")
    locale: Mapped[str] = mapped_column(String(16), default="en")
    # The language the customer picked in the chat's language menu (batondesk.i18n); it wins
    # over every other hint in their later conversations. None: never picked.
    preferred_language: Mapped[str | None] = mapped_column(String(8), default=None)
    tier: Mapped[str] = mapped_column(String(20), default="standard")
    attributes_sealed: Mapped[bytes | None] = mapped_column(
        "attributes", SealedBytes("contacts.attributes"), default=None, info=PERSONAL_DATA
    )
    attributes = sealed_field("attributes_sealed", "contacts.attributes", as_json=True)
