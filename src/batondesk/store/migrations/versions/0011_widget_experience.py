"""what the customer's chat has shown them, and which agent reply was emailed to them

Two columns on conversations: `customer_seen_message_id` (the newest message the chat widget
reported shown) and `follow_up_message_id` (the newest agent reply emailed to a customer who
had left). Existing conversations count as seen up to their newest message, so turning the
email follow-up on never mails replies written before this revision.

Revision ID: 0011_widget_experience
Revises: 0010_console_workflow
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_widget_experience"
down_revision: str | None = "0010_console_workflow"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("customer_seen_message_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("follow_up_message_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE conversations SET customer_seen_message_id = "
        "(SELECT max(messages.id) FROM messages "
        "WHERE messages.conversation_id = conversations.id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("follow_up_message_id")
        batch.drop_column("customer_seen_message_id")
