"""The key hierarchy: per-contact data keys wrapped by account keys wrapped by the master key;
ciphertext bound to its row; rotation re-wraps keys and never re-encrypts data."""

from __future__ import annotations

import base64
import secrets

import pytest
from sqlalchemy import select, text, update

from batondesk.config import Settings
from batondesk.privacy.audit_verify import verify_audit_log
from batondesk.privacy.keyring import DecryptionError
from batondesk.privacy.rotation import do_rotate_keys
from batondesk.privacy.sealing import key_ref_of
from batondesk.store import init_store
from batondesk.store.models import Contact, Message
from batondesk.store.privacy import AccountKey, DataKey, SystemKey
from tests.privacy.conftest import identified_chat, say


def _two_customers(app, client, workspace):  # type: ignore[no-untyped-def]
    first = identified_chat(
        app, client, workspace.a, external_id="k1", name="Nadia Okafor", email="nadia@example.com"
    )
    second = identified_chat(
        app, client, workspace.a, external_id="k2", name="Lars Eriksen", email="lars@example.com"
    )
    say(client, first[0], first[1], "Nadia: my card has not arrived")
    say(client, second[0], second[1], "Lars: my card has not arrived either")
    return first[2], second[2]


def test_each_contact_has_its_own_data_key_named_in_its_ciphertext(app, client, workspace) -> None:
    nadia, lars = _two_customers(app, client, workspace)
    with app.state.db.session() as session:
        contacts = {
            c.id: c for c in session.scalars(select(Contact).where(Contact.id.in_([nadia, lars])))
        }
        assert contacts[nadia].key_ref != contacts[lars].key_ref
        for contact_id, contact in contacts.items():
            assert key_ref_of(contact.name_sealed) == contact.key_ref
            for message in session.scalars(select(Message).where(Message.contact_id == contact_id)):
                assert key_ref_of(message.body_sealed) == contact.key_ref
    with app.state.db.keys.keystore.sessions() as keys:
        data_keys = {k.key_ref: k for k in keys.scalars(select(DataKey))}
        account_keys = list(keys.scalars(select(AccountKey)))
    assert {contacts[nadia].key_ref, contacts[lars].key_ref} <= set(data_keys)
    assert all(k.wrapped is not None and len(k.wrapped) == 12 + 32 + 16 for k in data_keys.values())
    assert {k.account_id for k in account_keys} >= {workspace.a.account_id}


def test_ciphertext_moved_to_another_row_or_contact_fails(app, client, workspace) -> None:
    nadia, lars = _two_customers(app, client, workspace)
    db = app.state.db
    with db.session() as session:
        nadia_messages = list(
            session.scalars(select(Message).where(Message.contact_id == nadia).order_by(Message.id))
        )
        lars_message = session.scalars(select(Message).where(Message.contact_id == lars)).first()
        first, second = nadia_messages[0], nadia_messages[1]  # same contact, same key
        moves = [
            (Message.__table__, second.id, "body", first.body_sealed),  # another row, same key
            (Message.__table__, lars_message.id, "body", first.body_sealed),  # another contact
            (Contact.__table__, nadia, "email", session.get(Contact, nadia).name_sealed),  # column
        ]
    for table, row_id, column, blob in moves:
        with db.engine.begin() as connection:
            connection.execute(update(table).where(table.c.id == row_id).values({column: blob}))
    with db.session() as session:
        with pytest.raises(DecryptionError):
            session.get(Message, second.id).body  # noqa: B018
        with pytest.raises(DecryptionError):
            session.get(Message, lars_message.id).body  # noqa: B018
        with pytest.raises(DecryptionError):
            session.get(Contact, nadia).email  # noqa: B018
        assert session.get(Message, first.id).body == "Nadia: my card has not arrived"


def test_plaintext_can_never_be_written_by_mistake(app, client, workspace) -> None:
    nadia, _lars = _two_customers(app, client, workspace)
    with pytest.raises(Exception, match="unsealed"), app.state.db.session() as session:
        session.execute(
            update(Message).where(Message.contact_id == nadia).values(body_sealed="plain text")
        )


def test_account_key_rotation_rewraps_keys_and_leaves_data_untouched(
    app, client, workspace, admin_a
) -> None:
    nadia, lars = _two_customers(app, client, workspace)
    db = app.state.db
    with db.engine.connect() as connection:
        stored_before = list(connection.execute(text("SELECT id, body FROM messages ORDER BY id")))
    with app.state.db.keys.keystore.sessions() as keys:
        wrapped_before = {k.key_ref: k.wrapped for k in keys.scalars(select(DataKey))}
    rotated = admin_a.post("/api/v1/admin/privacy/keys/rotate").json()
    assert rotated["accounts_rotated"] == 1 and rotated["data_keys_rewrapped"] >= 2
    with db.engine.connect() as connection:
        assert (
            list(connection.execute(text("SELECT id, body FROM messages ORDER BY id")))
            == stored_before
        )
    with app.state.db.keys.keystore.sessions() as keys:
        wrapped_after = {k.key_ref: k.wrapped for k in keys.scalars(select(DataKey))}
        versions = list(
            keys.scalars(
                select(AccountKey)
                .where(AccountKey.account_id == workspace.a.account_id)
                .order_by(AccountKey.version)
            )
        )
    assert all(
        wrapped_after[ref] != wrapped_before[ref]
        for ref in wrapped_before
        if ref in wrapped_after
        and wrapped_before[ref]
        and _account_of(app, ref) == workspace.a.account_id
    )
    assert [v.version for v in versions] == [1, 2] and versions[0].wrapped is None  # retired
    # A fresh process (no cached keys) still reads everything.
    app.state.db.keys.keystore._data_keys.clear()
    app.state.db.keys.keystore._account_keys.clear()
    assert admin_a.get(f"/api/v1/contacts/{nadia}").json()["name"] == "Nadia Okafor"
    assert admin_a.get(f"/api/v1/contacts/{lars}").json()["email"] == "lars@example.com"


def _account_of(app, key_ref: str) -> int:  # type: ignore[no-untyped-def]
    with app.state.db.keys.keystore.sessions() as keys:
        return keys.get(DataKey, key_ref).account_id


def test_master_key_rotation(app, client, workspace, settings: Settings) -> None:
    nadia, _lars = _two_customers(app, client, workspace)
    old_master = settings.master_key
    new_master = base64.b64encode(secrets.token_bytes(32)).decode()
    # Step 1: new key in BATON_MASTER_KEY, the old one kept as previous; rotate.
    rolling = settings.model_copy(
        update={"master_key": new_master, "previous_master_keys": old_master}
    )
    db = init_store(rolling)
    with db.keys.keystore.sessions() as keys:
        # The audit log's key and the search-token key of each account that indexed messages.
        system_keys = len(keys.scalars(select(SystemKey)).all())
    with db.session() as session:
        report = do_rotate_keys(session)
    assert system_keys >= 2
    assert report["account_keys_rewrapped"] >= 1
    assert report["system_keys_rewrapped"] == system_keys
    # Step 2: the old master key is gone from the configuration; data still reads.
    final = settings.model_copy(update={"master_key": new_master, "previous_master_keys": ""})
    db = init_store(final)
    with db.session() as session:
        assert session.get(Contact, nadia).name == "Nadia Okafor"
        # The audit chain key was re-wrapped too: the whole log still verifies.
        assert verify_audit_log(session).ok
    # And with only the old master key nothing of the new hierarchy opens.
    db = init_store(settings.model_copy(update={"master_key": old_master}))
    with db.session() as session, pytest.raises(DecryptionError):
        session.get(Contact, nadia).name  # noqa: B018


def test_values_sealed_before_per_contact_keys_still_read(app, client, workspace) -> None:
    """Values written by the first release (column-bound, master keyring) stay readable."""
    nadia, _ = _two_customers(app, client, workspace)
    legacy = app.state.db.keys.keyring.encrypt(b"Nadia O. (imported)", b"contacts.name")
    with app.state.db.engine.begin() as connection:
        connection.execute(
            update(Contact.__table__).where(Contact.__table__.c.id == nadia).values(name=legacy)
        )
    with app.state.db.session() as session:
        contact = session.get(Contact, nadia)
        assert contact.name == "Nadia O. (imported)"
        contact.name = "Nadia Okafor"  # rewriting seals it with the contact's own key
    with app.state.db.session() as session:
        assert key_ref_of(session.get(Contact, nadia).name_sealed) is not None


def test_legacy_values_are_resealed_with_the_contacts_key(app, client, workspace) -> None:
    from batondesk.privacy.rotation import do_reseal_legacy

    nadia, _ = _two_customers(app, client, workspace)
    legacy = app.state.db.keys.keyring.encrypt(b"Nadia (legacy)", b"contacts.name")
    table = Contact.__table__
    with app.state.db.engine.begin() as connection:
        connection.execute(update(table).where(table.c.id == nadia).values(name=legacy))
    with app.state.db.session() as session:
        assert do_reseal_legacy(session) == 1
        assert do_reseal_legacy(session) == 0
    with app.state.db.session() as session:
        contact = session.get(Contact, nadia)
        assert (
            contact.name == "Nadia (legacy)" and key_ref_of(contact.name_sealed) == contact.key_ref
        )


def test_master_key_from_a_file(tmp_path) -> None:
    key = base64.b64encode(secrets.token_bytes(32)).decode()
    path = tmp_path / "master.key"
    path.write_text(key + "\n")
    assert Settings(environment="test", data_dir=tmp_path, master_key_file=path).master_key == key
