"""the review queue of the learning loop: flagged customer messages and their labels

Revision ID: 0013_review_queue
Revises: 0012_integrations
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_review_queue"
down_revision: str | None = "0012_integrations"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "review_items",
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("answer_message_id", sa.Integer(), nullable=True),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("predicted_intent", sa.String(length=80), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("margin", sa.Float(), nullable=True),
        sa.Column("out_of_scope", sa.Boolean(), nullable=False),
        sa.Column("suggested_intent", sa.String(length=80), nullable=True),
        sa.Column("suggested_new", sa.Boolean(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending", "labelled", "skipped", name="reviewstatus", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column(
            "label_kind",
            sa.Enum(
                "intent",
                "new_intent",
                "answer_right",
                "answer_wrong",
                "skip",
                name="labelkind",
                native_enum=False,
                length=20,
            ),
            nullable=True,
        ),
        sa.Column("label", sa.String(length=80), nullable=True),
        sa.Column("labelled_by_user_id", sa.Integer(), nullable=True),
        sa.Column("labelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_review_items_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["messages.id"],
            name=op.f("fk_review_items_message_id_messages"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_review_items_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_review_items_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["answer_message_id"],
            ["messages.id"],
            name=op.f("fk_review_items_answer_message_id_messages"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["labelled_by_user_id"],
            ["users.id"],
            name=op.f("fk_review_items_labelled_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_items")),
        sa.UniqueConstraint(
            "account_id", "message_id", name=op.f("uq_review_items_account_id_message_id")
        ),
    )
    op.create_index(op.f("ix_review_items_account_id"), "review_items", ["account_id"])
    op.create_index(op.f("ix_review_items_contact_id"), "review_items", ["contact_id"])
    op.create_index(op.f("ix_review_items_conversation_id"), "review_items", ["conversation_id"])
    op.create_index("ix_review_items_queue", "review_items", ["account_id", "status", "asked_at"])
    op.create_table(
        "review_feed_states",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("last_event_id", sa.Integer(), nullable=False),
        sa.Column("refreshed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_review_feed_states_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_review_feed_states")),
    )


def downgrade() -> None:
    op.drop_table("review_feed_states")
    op.drop_index("ix_review_items_queue", table_name="review_items")
    op.drop_index(op.f("ix_review_items_conversation_id"), table_name="review_items")
    op.drop_index(op.f("ix_review_items_contact_id"), table_name="review_items")
    op.drop_index(op.f("ix_review_items_account_id"), table_name="review_items")
    op.drop_table("review_items")
