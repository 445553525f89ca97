"""Contacts: the customers who write in. Their personal fields are encrypted at rest."""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from batondesk.privacy.columns import PERSONAL_DATA, EncryptedJSON, EncryptedText
from batondesk.store.base import Base, TenantMixin


class Contact(Base, TenantMixin):
    __tablename__ = "contacts"
    __table_args__ = (
        UniqueConstraint("account_id", "external_id"),
        UniqueConstraint("account_id", "email_index"),
    )

    # The id the customer has in the embedding business's own systems (CRM, core banking).
    external_id: Mapped[str | None] = mapped_column(String(120), default=None)
    name: Mapped[str | None] = mapped_column(EncryptedText("contacts.name"), info=PERSONAL_DATA)
    email: Mapped[str | None] = mapped_column(EncryptedText("contacts.email"), info=PERSONAL_DATA)
    # Keyed hash of the normalised email so contacts can be found by email without plaintext.
    email_index: Mapped[str | None] = mapped_column(String(64), default=None, index=True)
    phone: Mapped[str | None] = mapped_column(EncryptedText("contacts.phone"), info=PERSONAL_DATA)
    locale: Mapped[str] = mapped_column(String(16), default="en")
    tier: Mapped[str] = mapped_column(String(20), default="standard")
    attributes: Mapped[dict[str, Any] | None] = mapped_column(
        EncryptedJSON("contacts.attributes"), default=dict, info=PERSONAL_DATA
    )
