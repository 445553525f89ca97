"""which model version last read a pending review item: the queue follows the model in use

Revision ID: 0020_review_items_scored_by
Revises: 0019_account_config_version
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020_review_items_scored_by"
down_revision: str | None = "0019_account_config_version"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ALTER TABLE on both databases, as in 0019: a batch migration would rebuild the table.


def upgrade() -> None:
    op.add_column("review_items", sa.Column("scored_by", sa.String(length=80), nullable=True))


def downgrade() -> None:
    op.drop_column("review_items", "scored_by")
