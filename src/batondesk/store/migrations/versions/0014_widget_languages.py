"""the customer's language: the contact's chosen language and each conversation's language

`contacts.preferred_language`: what the customer picked in the chat's language menu.
`conversations.language` and `language_source`: the language the chat and the bot's fixed
texts speak in the conversation and where it came from (choice, identity, browser,
detected). Existing rows keep NULL: their language is worked out from the contact as before.

Revision ID: 0014_widget_languages
Revises: 0013_review_queue
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_widget_languages"
down_revision: str | None = "0013_review_queue"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("contacts") as batch:
        batch.add_column(sa.Column("preferred_language", sa.String(length=8), nullable=True))
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("language", sa.String(length=8), nullable=True))
        batch.add_column(sa.Column("language_source", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("language_source")
        batch.drop_column("language")
    with op.batch_alter_table("contacts") as batch:
        batch.drop_column("preferred_language")
