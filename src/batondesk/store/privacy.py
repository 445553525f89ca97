"""Privacy tables.

Two groups live here:

* In the main database (``Base``): consents and the audit log.
* In the key store (``KeyBase``, a separate database): wrapped account keys, wrapped contact and
  inbox data keys, wrapped system keys (the audit-chain key), and the audit-chain anchors and
  checkpoints. Keys are kept apart from the data on purpose: a backup of
  the main database holds no key material, so destroying a contact's data key in the key store
  makes that contact unreadable in every copy of the main database, old backups included.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from batondesk.store.base import NAMING_CONVENTION, Base, IdMixin, TenantMixin, UTCDateTime, utcnow

# --- main database ------------------------------------------------------------------------------

# "chat": the customer agreed, in the chat widget, to the account's privacy notice before
# writing (asked when the account's widget settings require it). "marketing": the customer
# may be offered products (recommendations, customers/recommendations/).
CONSENT_PURPOSES = frozenset({"training", "analytics", "external_llm", "chat", "marketing"})


class Consent(Base, TenantMixin):
    """May this contact's data be used for `purpose`? Absent means no (opt-in)."""

    __tablename__ = "consents"
    __table_args__ = (UniqueConstraint("contact_id", "purpose"),)

    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[str] = mapped_column(String(40))
    granted: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(40), default="admin")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class AuditEntry(Base, IdMixin):
    """One audited action. Entries form one chain per account (chain 0: no account): each
    entry's `hash` is an HMAC, under a key kept in the key store, of its content and the
    previous entry's hash, so editing, deleting or re-chaining entries is detected by anyone
    holding the key and by no one else. Rows are only ever inserted."""

    __tablename__ = "audit_entries"
    __table_args__ = (UniqueConstraint("chain", "seq"),)

    chain: Mapped[int] = mapped_column(Integer, index=True)
    seq: Mapped[int] = mapped_column(Integer)
    account_id: Mapped[int | None] = mapped_column(Integer, default=None, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_type: Mapped[str] = mapped_column(String(20))  # user / api_key / system / anonymous
    actor_id: Mapped[int | None] = mapped_column(Integer, default=None)
    action: Mapped[str] = mapped_column(String(60), index=True)
    target_type: Mapped[str | None] = mapped_column(String(40), default=None)
    target_id: Mapped[int | None] = mapped_column(Integer, default=None)
    # A keyed hash naming what was acted on when there is no row id (e.g. a login email);
    # indexed for login throttling. Never plaintext personal data.
    subject: Mapped[str | None] = mapped_column(String(64), default=None, index=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _refuse_rewrite(_mapper: object, _connection: object, target: AuditEntry) -> None:
    raise RuntimeError(f"the audit log is append-only; refused to change entry {target.id}")


# --- key store (separate database) --------------------------------------------------------------


class KeyBase(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}


class AccountKey(KeyBase):
    """An account's key-encryption key, wrapped by the master key named by `master_key_id`."""

    __tablename__ = "account_keys"
    __table_args__ = (UniqueConstraint("account_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(Integer, index=True)
    version: Mapped[int] = mapped_column(Integer)
    master_key_id: Mapped[str] = mapped_column(String(16))
    # None once retired by rotation: nothing is wrapped by it any more.
    wrapped: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(default=None)


class DataKey(KeyBase):
    """A contact's data key, wrapped by a version of the account key. Destroying it (wrapped set
    to None) is what erases the contact everywhere, backups included."""

    __tablename__ = "data_keys"

    key_ref: Mapped[str] = mapped_column(String(32), primary_key=True)
    account_id: Mapped[int] = mapped_column(Integer, index=True)
    account_key_version: Mapped[int] = mapped_column(Integer)
    wrapped: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    destroyed_at: Mapped[datetime | None] = mapped_column(default=None)


class AuditAnchor(KeyBase):
    """The newest committed (seq, hash) of each audit chain, kept outside the main database so
    that deleting the newest audit entries there is detected too."""

    __tablename__ = "audit_anchors"

    chain: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class SystemKey(KeyBase):
    """A server-wide key (e.g. the audit-chain key), wrapped by the master key."""

    __tablename__ = "system_keys"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    master_key_id: Mapped[str] = mapped_column(String(16))
    wrapped: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditCheckpoint(KeyBase):
    """A chain head recorded now and then (kind "periodic"), or the last entry hashed with plain
    SHA-256 before the chain became keyed (kind "legacy"). `mac` authenticates the row with the
    audit key, so a checkpoint cannot be forged by someone who can write the key store but does
    not hold the master key. Rows are only ever inserted."""

    __tablename__ = "audit_checkpoints"
    __table_args__ = (UniqueConstraint("chain", "seq", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chain: Mapped[int] = mapped_column(Integer, index=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(20))  # periodic / legacy
    mac: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
