"""What an account knows about its customers beyond the contact: typed custom attributes
(defined per account, values in `Contact.attributes`) and each contact's products, orders and
preferences, sealed with the contact's own data key."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from batondesk.privacy.sealing import PERSONAL_DATA, SealedBytes, sealed_field
from batondesk.store.base import Base, TenantMixin, utcnow


class AttributeType(enum.StrEnum):
    string = "string"
    number = "number"
    boolean = "boolean"
    date = "date"  # ISO 8601 calendar date, stored as "YYYY-MM-DD"
    enum = "enum"  # one of the definition's options


class AttributeDefinition(Base, TenantMixin):
    __tablename__ = "attribute_definitions"
    __table_args__ = (UniqueConstraint("account_id", "key"),)

    key: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(120))
    type: Mapped[AttributeType] = mapped_column(Enum(AttributeType, native_enum=False, length=20))
    options: Mapped[list[Any]] = mapped_column(JSON, default=list)  # enum values


class CustomerProfile(Base, TenantMixin):
    """One per contact: written by imports, CRM syncs and CRM webhooks."""

    __tablename__ = "customer_profiles"

    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), unique=True
    )
    products_sealed: Mapped[bytes | None] = mapped_column(
        "products", SealedBytes("customer_profiles.products"), default=None, info=PERSONAL_DATA
    )
    products = sealed_field("products_sealed", "customer_profiles.products", as_json=True)
    orders_sealed: Mapped[bytes | None] = mapped_column(
        "orders", SealedBytes("customer_profiles.orders"), default=None, info=PERSONAL_DATA
    )
    orders = sealed_field("orders_sealed", "customer_profiles.orders", as_json=True)
    preferences_sealed: Mapped[bytes | None] = mapped_column(
        "preferences",
        SealedBytes("customer_profiles.preferences"),
        default=None,
        info=PERSONAL_DATA,
    )
    preferences = sealed_field("preferences_sealed", "customer_profiles.preferences", as_json=True)
    # Where the last change came from: "import", "crm:<connector id>", "api".
    source: Mapped[str] = mapped_column(String(40), default="api")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
