"""CRM connectors: where an account's customer data comes from (a REST API Baton pulls from,
and the signed change notifications the CRM pushes)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from batondesk.privacy.sealing import SealedBytes, sealed_field
from batondesk.store.base import Base, TenantMixin, utcnow


class CrmConnector(Base, TenantMixin):
    __tablename__ = "crm_connectors"
    __table_args__ = (UniqueConstraint("account_id", "name"),)

    name: Mapped[str] = mapped_column(String(120))
    # Names the connector in its inbound webhook URL; not a secret (the signature is).
    public_id: Mapped[str] = mapped_column(String(40), unique=True)
    # The pull settings (integrations/rest_pull.py RestPullConfig), without any secret.
    config: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    enabled: Mapped[bool] = mapped_column(default=True)
    # The CRM's change feed position after the last page stored: a sync resumes from here.
    cursor: Mapped[str | None] = mapped_column(String(500), default=None)
    status: Mapped[str] = mapped_column(String(20), default="idle")  # idle / running / ok / failed
    # The job running the sync (jobs/definitions.py): delivered again after its worker died,
    # the same job takes the sync back at once rather than after STALE_SYNC.
    sync_job_id: Mapped[str | None] = mapped_column(String(64), default=None)
    last_sync_at: Mapped[datetime | None] = mapped_column(default=None)
    last_error: Mapped[str | None] = mapped_column(String(300), default=None)
    last_sync_records: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Credentials are sealed with the connector's own data key (key store): the bearer token or
    # OAuth2 client secret Baton sends, and the secret the CRM signs its webhooks with.
    key_ref: Mapped[str | None] = mapped_column(String(32), default=None, unique=True)
    credential_sealed: Mapped[bytes | None] = mapped_column(
        "credential", SealedBytes("crm_connectors.credential"), default=None
    )
    credential = sealed_field("credential_sealed", "crm_connectors.credential")
    webhook_secret_sealed: Mapped[bytes] = mapped_column(
        "webhook_secret", SealedBytes("crm_connectors.webhook_secret")
    )
    webhook_secret = sealed_field("webhook_secret_sealed", "crm_connectors.webhook_secret")
