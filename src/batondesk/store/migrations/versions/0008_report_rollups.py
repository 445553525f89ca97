"""pre-aggregated reports: a KPI tally per account, day and dimension value

Revision ID: 0008_report_rollups
Revises: 0007_experiments
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_report_rollups"
down_revision: str | None = "0007_experiments"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report_day_tallies",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("dimension", sa.String(length=20), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("durations", sa.LargeBinary(), nullable=False),
        sa.Column("histogram", sa.LargeBinary(), nullable=False),
        sa.Column("measured", sa.Integer(), nullable=False),
        sa.Column("counted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changes_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_report_day_tallies_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_day_tallies")),
    )
    op.create_index(op.f("ix_report_day_tallies_account_id"), "report_day_tallies", ["account_id"])
    op.create_index(op.f("ix_report_day_tallies_changes_at"), "report_day_tallies", ["changes_at"])
    op.create_index(
        "ix_report_day_tallies_lookup",
        "report_day_tallies",
        ["account_id", "dimension", "day", "value"],
        unique=True,
    )
    op.create_table(
        "report_rollup_states",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("last_event_id", sa.Integer(), nullable=False),
        sa.Column("refreshed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_report_rollup_states_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_report_rollup_states")),
    )


def downgrade() -> None:
    op.drop_table("report_rollup_states")
    op.drop_index("ix_report_day_tallies_lookup", table_name="report_day_tallies")
    op.drop_index(op.f("ix_report_day_tallies_changes_at"), table_name="report_day_tallies")
    op.drop_index(op.f("ix_report_day_tallies_account_id"), table_name="report_day_tallies")
    op.drop_table("report_day_tallies")
