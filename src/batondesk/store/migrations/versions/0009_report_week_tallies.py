"""report tallies added up per ISO week, read for the whole weeks of a report's period

The day tallies stay as they are (the week tallies are their sums): the new table starts
empty and is filled as days are counted, by `baton reports rebuild`, or when a report first
reads a week missing from it.

Revision ID: 0009_report_week_tallies
Revises: 0008_report_rollups
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_report_week_tallies"
down_revision: str | None = "0008_report_rollups"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report_week_tallies",
        sa.Column("week", sa.Date(), nullable=False),
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
            name=op.f("fk_report_week_tallies_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_week_tallies")),
    )
    op.create_index(
        op.f("ix_report_week_tallies_account_id"), "report_week_tallies", ["account_id"]
    )
    op.create_index(
        "ix_report_week_tallies_lookup",
        "report_week_tallies",
        ["account_id", "dimension", "week", "value"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("ix_report_week_tallies_lookup", table_name="report_week_tallies")
    op.drop_index(op.f("ix_report_week_tallies_account_id"), table_name="report_week_tallies")
    op.drop_table("report_week_tallies")
