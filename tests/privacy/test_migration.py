"""Upgrading a database that already holds data keeps every row: messages are linked to their
contact (a SQLite table rebuild would cascade-delete them), and identity secrets, external ids
and audit chains written by earlier versions are converted (SQLite or PostgreSQL)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import select, text

from batondesk.actions.contacts import find_contact_by_external_id
from batondesk.api.identity import sign_identity, verify_identity
from batondesk.config import Settings
from batondesk.privacy.audit import GENESIS_HASH, legacy_entry_hash
from batondesk.privacy.audit_verify import verify_audit_log
from batondesk.privacy.passwords import PasswordHashing
from batondesk.store import Database, init_store
from batondesk.store.database import MIGRATIONS_DIR
from batondesk.store.models import Contact, Inbox, User
from batondesk.store.privacy import AuditEntry
from tests.support.databases import drop_every_table
from tests.support.storage import raw_rows, sqlite_file_bytes

OLD_SECRET = "old-inbox-secret-Qv7rTz2LmPx9WcK4"
STAFF_PASSWORD = "staff password of old"
OLD_HASH = PasswordHashing("fast").hash(STAFF_PASSWORD)
EXTERNAL_IDS = {7: "CRM-100217", 8: "crm-100217"}  # ids differ by case only: two customers

ROWS_0001 = [
    "INSERT INTO accounts (id, name, slug, settings, created_at) "
    "VALUES (1,'a','a','{}','2026-01-01')",
    "INSERT INTO users (id, email, name, password_hash, created_at) "
    f"VALUES (4,'old@bank.example','Old Admin','{OLD_HASH}','2026-01-01')",
    "INSERT INTO inboxes (id, account_id, created_at, name, channel, public_id, identity_secret) "
    f"VALUES (1,1,'2026-01-01','w','web_widget','p','{OLD_SECRET}')",
    "INSERT INTO contacts (id, account_id, created_at, locale, tier, external_id) "
    f"VALUES (7,1,'2026-01-01','en','standard','{EXTERNAL_IDS[7]}')",
    "INSERT INTO contacts (id, account_id, created_at, locale, tier, external_id) "
    f"VALUES (8,1,'2026-01-01','en','standard','{EXTERNAL_IDS[8]}')",
    "INSERT INTO contacts (id, account_id, created_at, locale, tier) "
    "VALUES (9,1,'2026-01-01','en','standard')",
    "INSERT INTO conversations (id, account_id, created_at, inbox_id, contact_id, status, "
    "priority, updated_at) VALUES (3,1,'2026-01-01',1,7,'bot',1,'2026-01-01')",
    "INSERT INTO messages (id, account_id, created_at, conversation_id, sender_type, body, "
    "private, annotations) VALUES (5,1,'2026-01-01',3,'customer',:body,:private,'{}')",
]


def _legacy_chain(chain: int, actions: list[str]) -> list[AuditEntry]:
    """Audit entries exactly as the plain-SHA-256 version wrote them."""
    entries, previous = [], GENESIS_HASH
    for seq, action in enumerate(actions, start=1):
        entry = AuditEntry(
            chain=chain,
            seq=seq,
            account_id=chain or None,
            created_at=datetime(2026, 1, 1, 12, seq, tzinfo=UTC),
            actor_type="system",
            actor_id=None,
            action=action,
            target_type=None,
            target_id=None,
            subject=None,
            details={"n": seq},
            prev_hash=previous,
        )
        entry.hash = legacy_entry_hash(entry)
        entries.append(entry)
        previous = entry.hash
    return entries


@pytest.fixture
def old_database(settings: Settings) -> Iterator[Database]:
    """A database at revision 0004 holding rows in the formats of that time."""
    database = init_store(settings)
    if database.url.startswith("postgresql"):
        with database.engine.begin() as connection:
            drop_every_table(connection)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
    with database.engine.begin() as connection:
        for statement in ROWS_0001:
            connection.execute(text(statement), {"body": b"\x01", "private": False})
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0004")
    with database.engine.begin() as connection:
        for entry in _legacy_chain(1, ["settings.changed", "contact.read", "keys.rotated"]):
            connection.execute(AuditEntry.__table__.insert(), _columns(entry))
        for entry in _legacy_chain(0, ["auth.login"]):
            connection.execute(AuditEntry.__table__.insert(), _columns(entry))
    yield database
    database.dispose()


def _columns(entry: AuditEntry) -> dict[str, object]:
    return {c.key: getattr(entry, c.key) for c in AuditEntry.__table__.columns if c.key != "id"}


def _stored_bytes(database: Database) -> bytes:
    if database.url.startswith("sqlite"):
        with database.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        return sqlite_file_bytes(database.url.removeprefix("sqlite:///"))
    return raw_rows(database.engine)


def test_upgrade_keeps_rows_and_backfills_message_contacts(old_database: Database) -> None:
    database = old_database
    database.migrate()
    with database.engine.connect() as connection:
        assert connection.execute(text("SELECT id, contact_id FROM messages")).all() == [(5, 7)]
        assert connection.execute(text("SELECT count(*) FROM conversations")).scalar() == 1
        assert connection.execute(text("SELECT count(*) FROM contacts")).scalar() == 3
    with database.engine.begin() as connection:
        connection.execute(text("DELETE FROM contacts WHERE id = 7"))
    with database.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM messages")).scalar() == 0


def test_upgrade_seals_identity_secrets_external_ids_and_password_hashes(
    old_database: Database,
) -> None:
    database = old_database
    before = _stored_bytes(database)
    assert OLD_SECRET.encode() in before and OLD_HASH.encode() in before  # the old formats
    database.migrate()

    with database.session() as session:
        inbox = session.get(Inbox, 1)
        # The embedding website keeps signing with the secret it has.
        token = sign_identity(
            {"external_id": EXTERNAL_IDS[7], "exp": int(time.time()) + 60}, OLD_SECRET
        )
        assert verify_identity(token, inbox.identity_secret)["external_id"] == EXTERNAL_IDS[7]
        for contact_id, external_id in EXTERNAL_IDS.items():
            found = find_contact_by_external_id(session, 1, external_id)
            assert found is not None and found.id == contact_id
            assert found.external_id == external_id
        assert find_contact_by_external_id(session, 1, "CRM-999") is None
        assert session.get(Contact, 9).external_id is None
        # Staff keep logging in with their passwords.
        user = session.get(User, 4)
        assert database.keys.passwords.verify(user.password_hash, STAFF_PASSWORD)

    stored = _stored_bytes(database)
    for value in (OLD_SECRET, OLD_HASH, "$argon2id$", *EXTERNAL_IDS.values()):
        assert value.encode() not in stored, value


def test_upgrade_keys_existing_audit_chains(old_database: Database) -> None:
    database = old_database
    database.migrate()
    with database.session() as session:
        report = verify_audit_log(session)
        assert report.ok, report.problems
        keyed = list(
            session.scalars(select(AuditEntry).where(AuditEntry.action == "audit.chain_keyed"))
        )
    assert sorted((e.chain, e.seq, e.details["legacy_entries"]) for e in keyed) == [
        (0, 2, 1),
        (1, 4, 3),
    ]
    assert all(e.details["legacy_chain_intact"] for e in keyed)

    # The old prefix is pinned: rewriting it, even as a consistent plain chain, is detected.
    forged = _legacy_chain(1, ["settings.changed", "nothing happened", "keys.rotated"])
    with database.engine.begin() as connection:
        for entry in forged:
            connection.execute(
                AuditEntry.__table__.update()
                .where(AuditEntry.chain == 1, AuditEntry.seq == entry.seq)
                .values(action=entry.action, prev_hash=entry.prev_hash, hash=entry.hash)
            )
    with database.session() as session:
        assert not verify_audit_log(session).ok


def test_downgrade_restores_the_plaintext_columns(old_database: Database) -> None:
    database = old_database
    database.migrate()
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        config.attributes["database"] = database
        command.downgrade(config, "0004")
    with database.engine.connect() as connection:
        assert connection.execute(text("SELECT identity_secret FROM inboxes")).scalar() == (
            OLD_SECRET
        )
        assert connection.execute(text("SELECT password_hash FROM users")).scalar() == OLD_HASH
        assert (
            dict(
                connection.execute(
                    text("SELECT id, external_id FROM contacts WHERE external_id IS NOT NULL")
                ).all()
            )
            == EXTERNAL_IDS
        )
