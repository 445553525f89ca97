"""Keys belong to the Database that opened them, and the privacy hooks to its session factory:
two databases with different keys work side by side in one process, and a session not made
by a store seals nothing (so it cannot write personal data at all)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import event, update
from sqlalchemy.orm import Session

from batondesk.actions.accounts import do_create_account, do_create_inbox, do_create_user
from batondesk.actions.contacts import do_create_contact, find_contact_by_external_id
from batondesk.config import Settings
from batondesk.privacy.audit_verify import verify_audit_log
from batondesk.privacy.keyring import DecryptionError
from batondesk.privacy.sealing import _seal_before_flush
from batondesk.store import Database, init_store
from batondesk.store.models import Channel, Contact, Inbox, User


@pytest.fixture
def other_db(tmp_path: Path) -> Iterator[Database]:
    """A second store in the same process: its own SQLite file, key store and keys."""
    database = init_store(
        Settings(environment="test", data_dir=tmp_path / "other", password_hashing="strong")
    )
    database.migrate()
    yield database
    database.dispose()


def _fill(db: Database, slug: str) -> tuple[int, int, int]:
    with db.session() as session:
        account = do_create_account(session, slug.title(), slug)
        inbox = do_create_inbox(session, account, "Web", Channel.web_widget)
        contact = do_create_contact(
            session, account.id, name=f"{slug} customer", email="same@example.com", external_id="42"
        )
        do_create_user(session, f"admin@{slug}.example", "Admin", "a long password")
        return account.id, inbox.id, contact.id


def test_two_databases_with_different_keys_side_by_side(db: Database, other_db: Database) -> None:
    assert db.keys is not other_db.keys
    assert db.keys.keyring.blind_index_key != other_db.keys.keyring.blind_index_key
    first = _fill(db, "first")
    second = _fill(other_db, "second")

    # Interleaved sessions of both stores, each reading with its own keys.
    with db.session() as one, other_db.session() as two:
        contact_one = one.get(Contact, first[2])
        contact_two = two.get(Contact, second[2])
        assert contact_one.name == "first customer" and contact_two.name == "second customer"
        assert find_contact_by_external_id(one, first[0], "42").id == first[2]
        assert find_contact_by_external_id(two, second[0], "42").id == second[2]
        assert contact_one.external_id_index != contact_two.external_id_index
        assert one.get(Inbox, first[1]).identity_secret != two.get(Inbox, second[1]).identity_secret
        blob = contact_one.name_sealed
        # Each store hashes passwords with its own settings.
        assert one.query(User).one().password_hash.startswith("$argon2id$v=19$m=1024,")
        assert two.query(User).one().password_hash.startswith("$argon2id$v=19$m=65536,")
    # A row read in a session still decrypts after the session has closed.
    assert contact_one.name == "first customer"

    # Ciphertext carried from one store to the other does not open there.
    with other_db.engine.begin() as connection:
        table = Contact.__table__
        connection.execute(update(table).where(table.c.id == second[2]).values(name=blob))
    with other_db.session() as two, pytest.raises(DecryptionError):
        two.get(Contact, second[2]).name  # noqa: B018

    for database in (db, other_db):
        with database.session() as session:
            assert verify_audit_log(session).ok


def test_privacy_hooks_live_on_the_store_session_factory_only(db: Database) -> None:
    assert event.contains(db.sessions, "before_flush", _seal_before_flush)
    assert not event.contains(Session, "before_flush", _seal_before_flush)
    with db.session() as session:
        account = do_create_account(session, "Hooks", "hooks")
    # A session made outside the store has no keys and no hooks: personal data cannot be
    # written through it, not even in plaintext by mistake.
    with Session(bind=db.engine) as stray, pytest.raises(Exception, match="unsealed"):
        stray.add(Contact(account_id=account.id, name="Plain Text"))
        stray.flush()
