"""repeat contacts: a conversation names the customer's earlier one on the same intent

Revision ID: 0017_repeat_contacts
Revises: 0016_crm_sync_job
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_repeat_contacts"
down_revision: str | None = "0016_crm_sync_job"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("repeat_of_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_conversations_repeat_of_id_conversations",
            "conversations",
            ["repeat_of_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.drop_constraint("fk_conversations_repeat_of_id_conversations", type_="foreignkey")
        batch.drop_column("repeat_of_id")
