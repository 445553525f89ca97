"""seal identity secrets, external ids and staff password hashes; key the audit chain

A copy of the main database must not let anyone act as a customer or a staff member: inbox
identity secrets are sealed with a per-inbox data key from the key store, contacts' external ids
with the contact's data key (and found through a keyed blind index), staff password hashes with
a server-wide data key. Existing audit chains (plain
SHA-256) are pinned by an authenticated checkpoint in the key store and continue as an HMAC
chain (privacy/audit.py).

Needs the store's keys, so it runs through `baton migrate` (Database.migrate).

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import context, op
from sqlalchemy.orm import Session

from batondesk.privacy.keys import DATABASE_INFO, KEYS_INFO, StoreKeys
from batondesk.privacy.sealing import open_sealed, seal
from batondesk.store.accounts import STAFF_DATA_KEY
from batondesk.store.contacts import EXTERNAL_ID_INDEX_PURPOSE

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Column labels bound into the sealed values' associated data (names, not secrets).
SECRET_LABEL = "inboxes.identity_secret"  # nosec B105
EXTERNAL_ID_LABEL = "contacts.external_id"
PASSWORD_LABEL = "users.password_hash"  # nosec B105


def _database() -> Any:
    database = context.config.attributes.get("database")
    if database is None:
        raise RuntimeError("migration 0005 needs the keys: run it through `baton migrate`")
    return database


def upgrade() -> None:
    database = _database()
    keys: StoreKeys = database.keys
    bind = op.get_bind()
    inboxes = sa.table(
        "inboxes",
        sa.column("id", sa.Integer),
        sa.column("account_id", sa.Integer),
        sa.column("identity_secret", sa.String),
        sa.column("key_ref", sa.String),
        sa.column("identity_secret_sealed", sa.LargeBinary),
    )
    contacts = sa.table(
        "contacts",
        sa.column("id", sa.Integer),
        sa.column("account_id", sa.Integer),
        sa.column("key_ref", sa.String),
        sa.column("external_id", sa.String),
        sa.column("external_id_index", sa.String),
        sa.column("external_id_sealed", sa.LargeBinary),
    )

    with op.batch_alter_table("inboxes", recreate="never") as batch:
        batch.add_column(sa.Column("key_ref", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("identity_secret_sealed", sa.LargeBinary(), nullable=True))
    for row in bind.execute(
        sa.select(inboxes.c.id, inboxes.c.account_id, inboxes.c.identity_secret)
    ):
        key_ref = keys.keystore.create_data_key(row.account_id)
        sealed = seal(keys.keystore, key_ref, SECRET_LABEL, row.id, row.identity_secret.encode())
        bind.execute(
            inboxes.update()
            .where(inboxes.c.id == row.id)
            .values(key_ref=key_ref, identity_secret_sealed=sealed)
        )
    # On SQLite this rebuilds the table, so the plaintext column is gone for good (and the
    # store's secure_delete zeroes the freed pages).
    with op.batch_alter_table("inboxes") as batch:
        batch.drop_column("identity_secret")
        batch.alter_column(
            "identity_secret_sealed",
            new_column_name="identity_secret",
            existing_type=sa.LargeBinary(),
            nullable=False,
        )
        batch.create_unique_constraint("uq_inboxes_key_ref", ["key_ref"])

    with op.batch_alter_table("contacts", recreate="never") as batch:
        batch.add_column(sa.Column("external_id_index", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("external_id_sealed", sa.LargeBinary(), nullable=True))
    rows = bind.execute(
        sa.select(
            contacts.c.id, contacts.c.account_id, contacts.c.key_ref, contacts.c.external_id
        ).where(contacts.c.external_id.is_not(None))
    ).all()
    for row in rows:
        key_ref = row.key_ref or keys.keystore.create_data_key(row.account_id)
        bind.execute(
            contacts.update()
            .where(contacts.c.id == row.id)
            .values(
                key_ref=key_ref,
                external_id_index=keys.keyring.blind_index(
                    row.external_id, EXTERNAL_ID_INDEX_PURPOSE, case_sensitive=True
                ),
                external_id_sealed=seal(
                    keys.keystore, key_ref, EXTERNAL_ID_LABEL, row.id, row.external_id.encode()
                ),
            )
        )
    with op.batch_alter_table("contacts") as batch:
        batch.drop_constraint("uq_contacts_account_id_external_id", type_="unique")
        batch.drop_column("external_id")
        batch.alter_column(
            "external_id_sealed", new_column_name="external_id", existing_type=sa.LargeBinary()
        )
        batch.create_unique_constraint(
            "uq_contacts_account_id_external_id_index", ["account_id", "external_id_index"]
        )

    users = sa.table(
        "users",
        sa.column("id", sa.Integer),
        sa.column("password_hash", sa.String),
        sa.column("password_hash_sealed", sa.LargeBinary),
    )
    with op.batch_alter_table("users", recreate="never") as batch:
        batch.add_column(sa.Column("password_hash_sealed", sa.LargeBinary(), nullable=True))
    staff_key = keys.keystore.shared_key_ref(STAFF_DATA_KEY)
    for row in bind.execute(sa.select(users.c.id, users.c.password_hash)).all():
        sealed = seal(keys.keystore, staff_key, PASSWORD_LABEL, row.id, row.password_hash.encode())
        bind.execute(users.update().where(users.c.id == row.id).values(password_hash_sealed=sealed))
    with op.batch_alter_table("users") as batch:
        batch.drop_column("password_hash")
        batch.alter_column(
            "password_hash_sealed",
            new_column_name="password_hash",
            existing_type=sa.LargeBinary(),
            nullable=False,
        )

    from batondesk.privacy.audit import append_queued_entries
    from batondesk.privacy.audit_verify import key_legacy_chains

    # A plain session, without the hooks of the database's session factory: the entries it
    # queues are appended explicitly (the migration's transaction commits them).
    with Session(bind=bind, info={KEYS_INFO: keys, DATABASE_INFO: database}) as session:
        key_legacy_chains(session)
        append_queued_entries(session)


def downgrade() -> None:
    keys: StoreKeys = _database().keys
    bind = op.get_bind()
    with op.batch_alter_table("inboxes", recreate="never") as batch:
        batch.add_column(sa.Column("identity_secret_plain", sa.String(length=80), nullable=True))
    with op.batch_alter_table("contacts", recreate="never") as batch:
        batch.add_column(sa.Column("external_id_plain", sa.String(length=120), nullable=True))
    with op.batch_alter_table("users", recreate="never") as batch:
        batch.add_column(sa.Column("password_hash_plain", sa.String(length=200), nullable=True))
    for table, column, label in (
        ("inboxes", "identity_secret", SECRET_LABEL),
        ("contacts", "external_id", EXTERNAL_ID_LABEL),
        ("users", "password_hash", PASSWORD_LABEL),
    ):
        # Table and column names come from the fixed tuple above, never from input.
        query = f"SELECT id, {column} FROM {table} WHERE {column} IS NOT NULL"  # nosec B608
        rows = bind.execute(sa.text(query))
        for row_id, blob in rows.all():
            plain = open_sealed(keys, label, row_id, bytes(blob)).decode()
            update = f"UPDATE {table} SET {column}_plain = :plain WHERE id = :id"  # nosec B608
            bind.execute(sa.text(update), {"plain": plain, "id": row_id})
    with op.batch_alter_table("inboxes") as batch:
        batch.drop_constraint("uq_inboxes_key_ref", type_="unique")
        batch.drop_column("key_ref")
        batch.drop_column("identity_secret")
        batch.alter_column(
            "identity_secret_plain",
            new_column_name="identity_secret",
            existing_type=sa.String(length=80),
            nullable=False,
        )
    with op.batch_alter_table("contacts") as batch:
        batch.drop_constraint("uq_contacts_account_id_external_id_index", type_="unique")
        batch.drop_column("external_id_index")
        batch.drop_column("external_id")
        batch.alter_column(
            "external_id_plain", new_column_name="external_id", existing_type=sa.String(120)
        )
        batch.create_unique_constraint(
            "uq_contacts_account_id_external_id", ["account_id", "external_id"]
        )
    with op.batch_alter_table("users") as batch:
        batch.drop_column("password_hash")
        batch.alter_column(
            "password_hash_plain",
            new_column_name="password_hash",
            existing_type=sa.String(length=200),
            nullable=False,
        )
    # Audit entries keep their keyed hashes: `baton audit verify` of a downgraded server would
    # report them, which is the truth (they were written by a newer version).
