"""handoff tables and columns

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(
            sa.Column("sla_first_response_due_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch.add_column(
            sa.Column("sla_resolution_due_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch.add_column(sa.Column("sla_breaches", sa.JSON(), nullable=True))
        batch.add_column(
            sa.Column("priority_aging_steps", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("priority_aging_steps")
        batch.drop_column("sla_breaches")
        batch.drop_column("sla_resolution_due_at")
        batch.drop_column("sla_first_response_due_at")
