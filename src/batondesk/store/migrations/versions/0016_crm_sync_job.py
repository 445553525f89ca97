"""CRM syncs run as jobs: the job that holds a connector's sync

`crm_connectors.sync_job_id`: the queue's id of the job running the connector's sync. A job
delivered again after its worker died carries the same id, so it takes its own sync back at
once instead of waiting for the stale-sync timeout. NULL for syncs started by the command line.

Revision ID: 0016_crm_sync_job
Revises: 0015_attachments
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_crm_sync_job"
down_revision: str | None = "0015_attachments"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("crm_connectors") as batch:
        batch.add_column(sa.Column("sync_job_id", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("crm_connectors") as batch:
        batch.drop_column("sync_job_id")
