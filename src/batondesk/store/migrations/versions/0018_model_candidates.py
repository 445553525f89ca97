"""the learning loop's candidate models: the regression gate's decision and shadow predictions

Revision ID: 0018_model_candidates
Revises: 0017_repeat_contacts
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018_model_candidates"
down_revision: str | None = "0017_repeat_contacts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "model_candidates",
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "trained",
                "refused",
                "shadow",
                "retired",
                "promoted",
                "rolled_back",
                name="candidatestatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("trigger", sa.String(length=20), nullable=False),
        sa.Column("job_id", sa.String(length=64), nullable=True),
        sa.Column("compared_with", sa.String(length=64), nullable=True),
        sa.Column("base_examples", sa.Integer(), nullable=False),
        sa.Column("reviewed_examples", sa.Integer(), nullable=False),
        sa.Column("training_seconds", sa.Float(), nullable=False),
        sa.Column("gate", sa.JSON(), nullable=False),
        sa.Column("shadow_started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("shadow_last_event_id", sa.Integer(), nullable=False),
        sa.Column("shadow_sample_share", sa.Float(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_model_candidates_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_model_candidates")),
        sa.UniqueConstraint(
            "account_id", "version", name=op.f("uq_model_candidates_account_id_version")
        ),
    )
    op.create_index(op.f("ix_model_candidates_account_id"), "model_candidates", ["account_id"])
    op.create_table(
        "shadow_predictions",
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("active_intent", sa.String(length=80), nullable=True),
        sa.Column("active_out_of_scope", sa.Boolean(), nullable=False),
        sa.Column("shadow_intent", sa.String(length=80), nullable=True),
        sa.Column("shadow_out_of_scope", sa.Boolean(), nullable=False),
        sa.Column("shadow_confidence", sa.Float(), nullable=False),
        sa.Column("agrees", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_shadow_predictions_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["candidate_id"],
            ["model_candidates.id"],
            name=op.f("fk_shadow_predictions_candidate_id_model_candidates"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["messages.id"],
            name=op.f("fk_shadow_predictions_message_id_messages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shadow_predictions")),
        sa.UniqueConstraint(
            "candidate_id",
            "message_id",
            name=op.f("uq_shadow_predictions_candidate_id_message_id"),
        ),
    )
    op.create_index(op.f("ix_shadow_predictions_account_id"), "shadow_predictions", ["account_id"])
    op.create_index(
        op.f("ix_shadow_predictions_candidate_id"), "shadow_predictions", ["candidate_id"]
    )
    op.create_index(op.f("ix_shadow_predictions_message_id"), "shadow_predictions", ["message_id"])


def downgrade() -> None:
    op.drop_table("shadow_predictions")
    op.drop_table("model_candidates")
