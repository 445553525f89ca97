"""the agents' workflow: tags, canned responses, snooze, the conversation's intent and the
keyed search index

The search index starts empty: `baton search reindex` indexes the messages and contact names
stored before it (new ones are indexed as they are stored), and fills the conversations'
intent from their messages.

Revision ID: 0010_console_workflow
Revises: 0009_report_week_tallies
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_console_workflow"
down_revision: str | None = "0009_report_week_tallies"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _tenant_columns() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    ]


def _tenant_constraints(table: str) -> list[sa.Constraint]:
    return [
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f(f"fk_{table}_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    ]


def upgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("snoozed_until", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("intent", sa.String(length=120), nullable=True))
        batch.create_index(op.f("ix_conversations_snoozed_until"), ["snoozed_until"])
        batch.create_index(op.f("ix_conversations_intent"), ["intent"])

    op.create_table(
        "tags",
        sa.Column("name", sa.String(length=50), nullable=False),
        *_tenant_columns(),
        *_tenant_constraints("tags"),
        sa.UniqueConstraint("account_id", "name", name=op.f("uq_tags_account_id_name")),
    )
    op.create_index(op.f("ix_tags_account_id"), "tags", ["account_id"])

    op.create_table(
        "conversation_tags",
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        *_tenant_columns(),
        *_tenant_constraints("conversation_tags"),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_conversation_tags_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tag_id"],
            ["tags.id"],
            name=op.f("fk_conversation_tags_tag_id_tags"),
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint(
            "conversation_id", "tag_id", name=op.f("uq_conversation_tags_conversation_id_tag_id")
        ),
    )
    for column in ("account_id", "conversation_id", "tag_id"):
        op.create_index(op.f(f"ix_conversation_tags_{column}"), "conversation_tags", [column])

    op.create_table(
        "canned_responses",
        sa.Column("shortcut", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        *_tenant_columns(),
        *_tenant_constraints("canned_responses"),
        sa.UniqueConstraint(
            "account_id", "shortcut", name=op.f("uq_canned_responses_account_id_shortcut")
        ),
    )
    op.create_index(op.f("ix_canned_responses_account_id"), "canned_responses", ["account_id"])

    op.create_table(
        "search_tokens",
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=True),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("field", sa.String(length=20), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        *_tenant_columns(),
        *_tenant_constraints("search_tokens"),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_search_tokens_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_search_tokens_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["messages.id"],
            name=op.f("fk_search_tokens_message_id_messages"),
            ondelete="CASCADE",
        ),
    )
    for column in ("account_id", "contact_id", "conversation_id", "message_id"):
        op.create_index(op.f(f"ix_search_tokens_{column}"), "search_tokens", [column])
    op.create_index("ix_search_tokens_lookup", "search_tokens", ["account_id", "token", "field"])


def downgrade() -> None:
    op.drop_table("search_tokens")
    op.drop_table("canned_responses")
    op.drop_table("conversation_tags")
    op.drop_table("tags")
    with op.batch_alter_table("conversations") as batch:
        batch.drop_index(op.f("ix_conversations_intent"))
        batch.drop_index(op.f("ix_conversations_snoozed_until"))
        batch.drop_column("intent")
        batch.drop_column("snoozed_until")
