"""Tenants and the people who work in them: accounts, users, memberships, teams, inboxes, keys."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from batondesk.privacy.sealing import SealedBytes, sealed_field
from batondesk.store.base import Base, IdMixin, TenantMixin, utcnow

# The server-wide data key (key store) that seals staff password hashes.
STAFF_DATA_KEY = "staff"


class Role(enum.StrEnum):
    admin = "admin"
    agent = "agent"
    analyst = "analyst"


class Availability(enum.StrEnum):
    available = "available"
    away = "away"


class Channel(enum.StrEnum):
    web_widget = "web_widget"
    api = "api"


class Account(Base, IdMixin):
    __tablename__ = "accounts"

    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Moves whenever the account's articles or reply templates change (store/config_version.py):
    # a worker keeps what it read of them while this number stays the same.
    config_version: Mapped[int] = mapped_column(default=0, server_default="0")


class User(Base, IdMixin):
    """A staff login. Staff emails are work identities, not customer personal data."""

    __tablename__ = "users"
    # The password hash is sealed with this server-wide data key (key store), so a copy of the
    # main database holds no hash to guess passwords against offline.
    __shared_data_key__ = STAFF_DATA_KEY

    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash_sealed: Mapped[bytes] = mapped_column(
        "password_hash", SealedBytes("users.password_hash")
    )
    password_hash = sealed_field("password_hash_sealed", "users.password_hash")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Team(Base, TenantMixin):
    __tablename__ = "teams"
    __table_args__ = (UniqueConstraint("account_id", "name"),)

    name: Mapped[str] = mapped_column(String(120))
    # Intents routed to this team; used by routing once the handoff work lands.
    intents: Mapped[list[Any]] = mapped_column(JSON, default=list)


class Membership(Base, TenantMixin):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("account_id", "user_id"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=20))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    availability: Mapped[Availability] = mapped_column(
        Enum(Availability, native_enum=False, length=20), default=Availability.away
    )


class Inbox(Base, TenantMixin):
    __tablename__ = "inboxes"

    name: Mapped[str] = mapped_column(String(120))
    channel: Mapped[Channel] = mapped_column(Enum(Channel, native_enum=False, length=20))
    # Public identifier embedded in the widget snippet; not a secret.
    public_id: Mapped[str] = mapped_column(String(40), unique=True)
    # Shared with the embedding website so it can sign identified-contact tokens (HMAC). It
    # opens any identified customer's conversations, so it is sealed with the inbox's own data
    # key (in the key store): a copy of the main database alone cannot sign a token.
    key_ref: Mapped[str | None] = mapped_column(String(32), default=None, unique=True)
    identity_secret_sealed: Mapped[bytes] = mapped_column(
        "identity_secret", SealedBytes("inboxes.identity_secret")
    )
    identity_secret = sealed_field("identity_secret_sealed", "inboxes.identity_secret")


class ApiKey(Base, TenantMixin):
    """Programmatic access. Only a SHA-256 of the key is stored; the key is shown once."""

    __tablename__ = "api_keys"

    name: Mapped[str] = mapped_column(String(120))
    prefix: Mapped[str] = mapped_column(String(16), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=20))
    scopes: Mapped[list[Any]] = mapped_column(JSON, default=list)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)


class UserSession(Base, IdMixin):
    """A console login. The cookie carries a random token; only its hash is stored."""

    __tablename__ = "user_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
