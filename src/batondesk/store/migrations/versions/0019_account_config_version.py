"""the account's configuration version: moves whenever its articles or reply templates change

Revision ID: 0019_account_config_version
Revises: 0018_model_candidates
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019_account_config_version"
down_revision: str | None = "0018_model_candidates"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ALTER TABLE on both databases (SQLite adds and drops a column in place since 3.35):
# a batch migration would rebuild `accounts`, and dropping the old table with foreign keys on
# would delete every row that points at an account.


def upgrade() -> None:
    op.add_column(
        "accounts",
        sa.Column("config_version", sa.Integer(), nullable=False, server_default="0"),
    )


def downgrade() -> None:
    op.drop_column("accounts", "config_version")
