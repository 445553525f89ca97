"""privacy tables and columns

Per-contact data keys (contacts.key_ref; the keys themselves live in the separate key store),
messages.contact_id (denormalised from the conversation, so every sealed value names its
contact), consents and the audit log.

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Only in-place ADD COLUMN here, never a table rebuild: on SQLite a batch rebuild drops the
    # old table, and with foreign keys on, dropping `contacts` would cascade-delete every
    # conversation and message. Hence a unique index (not a constraint) and a nullable FK
    # column (SQLite cannot add NOT NULL in place; the application always sets it).
    with op.batch_alter_table("contacts", recreate="never") as batch:
        batch.add_column(sa.Column("key_ref", sa.String(length=32), nullable=True))
    op.create_index("ix_contacts_key_ref", "contacts", ["key_ref"], unique=True)

    if op.get_bind().dialect.name == "sqlite":
        # SQLite adds a column with its foreign key in place (it cannot add a constraint later).
        op.execute(
            "ALTER TABLE messages ADD COLUMN contact_id INTEGER "
            "REFERENCES contacts (id) ON DELETE CASCADE"
        )
    else:
        op.add_column("messages", sa.Column("contact_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            "fk_messages_contact_id_contacts",
            "messages",
            "contacts",
            ["contact_id"],
            ["id"],
            ondelete="CASCADE",
        )
    op.execute(
        "UPDATE messages SET contact_id = (SELECT conversations.contact_id FROM conversations "
        "WHERE conversations.id = messages.conversation_id)"
    )
    op.create_index("ix_messages_contact_id", "messages", ["contact_id"])

    op.create_table(
        "consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=40), nullable=False),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name="fk_consents_account_id_accounts",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name="fk_consents_contact_id_contacts",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_consents"),
        sa.UniqueConstraint("contact_id", "purpose", name="uq_consents_contact_id_purpose"),
    )
    op.create_index("ix_consents_account_id", "consents", ["account_id"])
    op.create_index("ix_consents_contact_id", "consents", ["contact_id"])

    op.create_table(
        "audit_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chain", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_type", sa.String(length=20), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("target_type", sa.String(length=40), nullable=True),
        sa.Column("target_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(length=64), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_entries"),
        sa.UniqueConstraint("chain", "seq", name="uq_audit_entries_chain_seq"),
    )
    op.create_index("ix_audit_entries_chain", "audit_entries", ["chain"])
    op.create_index("ix_audit_entries_account_id", "audit_entries", ["account_id"])
    op.create_index("ix_audit_entries_action", "audit_entries", ["action"])
    op.create_index("ix_audit_entries_subject", "audit_entries", ["subject"])


def downgrade() -> None:
    op.drop_table("audit_entries")
    op.drop_table("consents")
    op.drop_index("ix_messages_contact_id", table_name="messages")
    op.drop_index("ix_contacts_key_ref", table_name="contacts")
    if op.get_bind().dialect.name != "sqlite":
        # On SQLite the two columns stay (unused, nullable): removing them would need a table
        # rebuild, which cascade-deletes rows (see upgrade).
        op.drop_column("messages", "contact_id")
        op.drop_column("contacts", "key_ref")
