"""Done-when 1: erasing a contact reaches copies of the database taken before the erasure
(a SQLite file copy, or a pg_dump restored into a scratch PostgreSQL database): restored with
the current keys, nothing of the erased contact is readable; the other contact is intact."""

from __future__ import annotations

import secrets
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from batondesk.privacy.erasure import purge_erased
from batondesk.privacy.keyring import DecryptionError
from batondesk.privacy.keystore import KeyDestroyed
from batondesk.store import Database
from batondesk.store.models import Contact, Conversation, Event, Message
from batondesk.store.privacy import DataKey
from tests.privacy.conftest import identified_chat, say
from tests.support.storage import raw_rows, sqlite_file_bytes

ERASED = {
    "name": "Philippa Oyelaran-Brisbois",
    "email": "philippa.brisbois@example.net",
    "body": "Philippa here: my card 4111 1111 1111 1111 was charged twice at Zanzibar Books",
    "reply": "Dear Philippa, the Zanzibar Books charge is refunded",
}
KEPT = {
    "name": "Tomasz Wierzbicki-Lund",
    "email": "tomasz.lund@example.org",
    "body": "Tomasz again: my new card never arrived in Gdansk",
}


@contextmanager
def copy_of_database(db: Database, workdir: Path) -> Iterator[callable]:  # type: ignore[valid-type]
    """Take a copy now; yields `restore()`, which opens the copy as a Database."""
    if db.url.startswith("sqlite"):
        path = db.url.removeprefix("sqlite:///")
        with db.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        copy = workdir / "backup.db"
        shutil.copyfile(path, copy)
        if Path(path + "-wal").exists():
            shutil.copyfile(path + "-wal", str(copy) + "-wal")
        opened: list[Database] = []

        def restore_sqlite() -> Database:
            opened.append(Database(f"sqlite:///{copy}", db.keys))
            return opened[-1]

        yield restore_sqlite
        for database in opened:
            database.dispose()
        return

    url = make_url(db.url)
    libpq = url.set(drivername="postgresql").render_as_string(hide_password=False)
    dump = workdir / "backup.dump"
    subprocess.run(["pg_dump", "--format=custom", "--no-owner", "-f", str(dump), libpq], check=True)
    scratch = f"test_restore_{secrets.token_hex(4)}"
    admin_url = url.set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False
    )
    restored: list[Database] = []

    def restore_pg() -> Database:
        subprocess.run(["psql", admin_url, "-qc", f'CREATE DATABASE "{scratch}"'], check=True)
        target = url.set(drivername="postgresql", database=scratch)
        subprocess.run(
            [
                "pg_restore",
                "--no-owner",
                "-d",
                target.render_as_string(hide_password=False),
                str(dump),
            ],
            check=True,
        )
        restored.append(
            Database(url.set(database=scratch).render_as_string(hide_password=False), db.keys)
        )
        return restored[-1]

    try:
        yield restore_pg
    finally:
        for database in restored:
            database.dispose()
        if restored:
            subprocess.run(
                ["psql", admin_url, "-qc", f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'],
                check=True,
            )


def _stored_bytes(database: Database) -> bytes:
    if database.url.startswith("sqlite"):
        with database.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        return sqlite_file_bytes(database.url.removeprefix("sqlite:///"))
    return raw_rows(database.engine)


def test_erasure_reaches_a_copy_of_the_database(app, client, workspace, admin_a, tmp_path) -> None:
    db = app.state.db
    erased_conv, erased_visitor, erased_id = identified_chat(
        app, client, workspace.a, external_id="c-erase", name=ERASED["name"], email=ERASED["email"]
    )
    say(client, erased_conv, erased_visitor, ERASED["body"])
    reply = admin_a.post(
        f"/api/v1/conversations/{erased_conv}/messages", json={"body": ERASED["reply"]}
    )
    assert reply.status_code == 201, reply.text
    kept_conv, kept_visitor, kept_id = identified_chat(
        app, client, workspace.a, external_id="c-keep", name=KEPT["name"], email=KEPT["email"]
    )
    say(client, kept_conv, kept_visitor, KEPT["body"])
    with db.session() as session:
        erased_key_ref = session.get(Contact, erased_id).key_ref
        events_before = session.scalar(
            select(func.count()).select_from(Event).where(Event.conversation_id == erased_conv)
        )
    with db.keys.keystore.sessions() as keys:
        wrapped_before = keys.get(DataKey, erased_key_ref).wrapped

    with copy_of_database(db, tmp_path) as restore:
        erased = admin_a.post(f"/api/v1/admin/privacy/contacts/{erased_id}/erase")
        assert erased.status_code == 200, erased.text
        assert erased.json()["key_destroyed"] is True
        assert erased.json()["messages"] == 3  # customer, bot reply, agent reply

        # Live database: the contact and its conversation are gone...
        assert admin_a.get(f"/api/v1/contacts/{erased_id}").status_code == 404
        assert admin_a.get(f"/api/v1/conversations/{erased_conv}/messages").status_code == 404
        with db.session() as session:
            assert (
                session.scalar(
                    select(func.count()).select_from(Message).where(Message.contact_id == erased_id)
                )
                == 0
            )
            # ...but its events stay, with their non-personal metrics, for the KPIs.
            kept_events = list(
                session.scalars(
                    select(Event).where(
                        Event.conversation_id.is_(None), Event.type == "message.understood"
                    )
                )
            )
            assert len(kept_events) >= 1 and "intent" in kept_events[0].payload
            assert (
                session.scalar(
                    select(func.count()).select_from(Event).where(Event.conversation_id.is_(None))
                )
                == events_before
            )
        # The other contact is intact.
        assert admin_a.get(f"/api/v1/contacts/{kept_id}").json()["name"] == KEPT["name"]
        kept_messages = admin_a.get(f"/api/v1/conversations/{kept_conv}/messages").json()
        assert kept_messages[0]["body"] == KEPT["body"]

        # The key store no longer holds the wrapped key, not even in free pages of its file.
        keystore_path = db.keys.keystore.url.removeprefix("sqlite:///")
        if db.keys.keystore.url.startswith("sqlite"):
            assert wrapped_before not in Path(keystore_path).read_bytes()

        # The copy taken before the erasure, restored and read with the current keys.
        copy = restore()
        with copy.session() as session:
            contact = session.get(Contact, erased_id)
            assert contact is not None, "the copy predates the erasure"
            for field in ("name", "email", "attributes"):
                with pytest.raises(KeyDestroyed):
                    getattr(contact, field)
            messages = list(session.scalars(select(Message).where(Message.contact_id == erased_id)))
            assert len(messages) == 3
            for message in messages:
                with pytest.raises(DecryptionError):
                    message.body  # noqa: B018
            other = session.get(Contact, kept_id)
            assert (other.name, other.email) == (KEPT["name"], KEPT["email"])
            bodies = [
                m.body
                for m in session.scalars(
                    select(Message).where(Message.contact_id == kept_id).order_by(Message.id)
                )
            ]
            assert bodies[0] == KEPT["body"]
        stored = _stored_bytes(copy)
        for secret in (*ERASED.values(), "4111 1111 1111 1111", "Zanzibar", *KEPT.values()):
            assert secret.encode() not in stored, secret

        # Restoring a backup, the operator drops what was erased since: the rest stays.
        with copy.session() as session:
            assert purge_erased(session) == 1
        with copy.session() as session:
            assert session.get(Contact, erased_id) is None
            assert session.get(Conversation, erased_conv) is None
            assert session.get(Contact, kept_id).name == KEPT["name"]
            assert (
                session.scalar(text("SELECT count(*) FROM events WHERE conversation_id IS NULL"))
                > 0
            )
