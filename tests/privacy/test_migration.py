"""Upgrading a database that already holds conversations keeps every row and links each
message to its contact (a SQLite table rebuild would cascade-delete them)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text

from batondesk.store import Database
from batondesk.store.database import MIGRATIONS_DIR

ROWS = [
    "INSERT INTO accounts (id, name, slug, settings, created_at) "
    "VALUES (1,'a','a','{}','2026-01-01')",
    "INSERT INTO inboxes (id, account_id, created_at, name, channel, public_id, identity_secret) "
    "VALUES (1,1,'2026-01-01','w','web_widget','p','s')",
    "INSERT INTO contacts (id, account_id, created_at, locale, tier) "
    "VALUES (7,1,'2026-01-01','en','standard')",
    "INSERT INTO conversations (id, account_id, created_at, inbox_id, contact_id, status, "
    "priority, updated_at) VALUES (3,1,'2026-01-01',1,7,'bot',1,'2026-01-01')",
    "INSERT INTO messages (id, account_id, created_at, conversation_id, sender_type, body, "
    "private, annotations) VALUES (5,1,'2026-01-01',3,'customer',x'01',0,'{}')",
]


def test_upgrade_keeps_rows_and_backfills_message_contacts(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'old.db'}")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
    with database.engine.begin() as connection:
        for statement in ROWS:
            connection.execute(text(statement))
    database.migrate()
    with database.engine.connect() as connection:
        assert connection.execute(text("SELECT id, contact_id FROM messages")).all() == [(5, 7)]
        assert connection.execute(text("SELECT count(*) FROM conversations")).scalar() == 1
    with database.engine.begin() as connection:
        connection.execute(text("DELETE FROM contacts WHERE id = 7"))
    with database.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM messages")).scalar() == 0
    database.dispose()
