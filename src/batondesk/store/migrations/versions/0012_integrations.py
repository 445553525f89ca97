"""integrations: outbound webhooks with their deliveries, CRM connectors, typed customer
attributes and customer profiles (products, orders, preferences, sealed per contact), and
whether a conversation was opened with a signed identity

Revision ID: 0012_integrations
Revises: 0011_widget_experience
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0012_integrations"
down_revision: str | None = "0011_widget_experience"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _tenant_columns(table: str) -> list[Any]:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f(f"fk_{table}_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    ]


def upgrade() -> None:
    op.create_table(
        "webhook_endpoints",
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("event_types", sa.JSON(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("key_ref", sa.String(length=32), nullable=True),
        sa.Column("secret", sa.LargeBinary(), nullable=False),
        *_tenant_columns("webhook_endpoints"),
        sa.UniqueConstraint("key_ref", name=op.f("uq_webhook_endpoints_key_ref")),
    )
    op.create_index(op.f("ix_webhook_endpoints_account_id"), "webhook_endpoints", ["account_id"])

    op.create_table(
        "webhook_deliveries",
        sa.Column("endpoint_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("event_type", sa.String(length=60), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("response_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.Column("attempt_log", sa.JSON(), nullable=False),
        *_tenant_columns("webhook_deliveries"),
        sa.ForeignKeyConstraint(
            ["endpoint_id"],
            ["webhook_endpoints.id"],
            name=op.f("fk_webhook_deliveries_endpoint_id_webhook_endpoints"),
            ondelete="CASCADE",
        ),
    )
    op.create_index(op.f("ix_webhook_deliveries_account_id"), "webhook_deliveries", ["account_id"])
    op.create_index(
        op.f("ix_webhook_deliveries_endpoint_id"), "webhook_deliveries", ["endpoint_id"]
    )
    op.create_index(
        "ix_webhook_deliveries_due", "webhook_deliveries", ["status", "next_attempt_at"]
    )

    op.create_table(
        "crm_connectors",
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("public_id", sa.String(length=40), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("cursor", sa.String(length=500), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("last_sync_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.Column("last_sync_records", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("key_ref", sa.String(length=32), nullable=True),
        sa.Column("credential", sa.LargeBinary(), nullable=True),
        sa.Column("webhook_secret", sa.LargeBinary(), nullable=False),
        *_tenant_columns("crm_connectors"),
        sa.UniqueConstraint("public_id", name=op.f("uq_crm_connectors_public_id")),
        sa.UniqueConstraint("key_ref", name=op.f("uq_crm_connectors_key_ref")),
        sa.UniqueConstraint("account_id", "name", name=op.f("uq_crm_connectors_account_id_name")),
    )
    op.create_index(op.f("ix_crm_connectors_account_id"), "crm_connectors", ["account_id"])

    op.create_table(
        "attribute_definitions",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        *_tenant_columns("attribute_definitions"),
        sa.UniqueConstraint(
            "account_id", "key", name=op.f("uq_attribute_definitions_account_id_key")
        ),
    )
    op.create_index(
        op.f("ix_attribute_definitions_account_id"), "attribute_definitions", ["account_id"]
    )

    op.create_table(
        "customer_profiles",
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("products", sa.LargeBinary(), nullable=True),
        sa.Column("orders", sa.LargeBinary(), nullable=True),
        sa.Column("preferences", sa.LargeBinary(), nullable=True),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        *_tenant_columns("customer_profiles"),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_customer_profiles_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("contact_id", name=op.f("uq_customer_profiles_contact_id")),
    )
    op.create_index(op.f("ix_customer_profiles_account_id"), "customer_profiles", ["account_id"])

    with op.batch_alter_table("conversations") as batch:
        batch.add_column(
            sa.Column("identity_verified", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("identity_verified")
    for table in (
        "customer_profiles",
        "attribute_definitions",
        "crm_connectors",
        "webhook_deliveries",
        "webhook_endpoints",
    ):
        op.drop_table(table)
