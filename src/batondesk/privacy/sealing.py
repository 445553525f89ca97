"""Personal fields (and inbox identity secrets) sealed with their owner's data key, bound to
their row.

A sealed field is two attributes on a model: the mapped column (``body_sealed``, a `SealedBytes`
column holding ciphertext) and a `sealed_field` hybrid (``body``) that application code reads and
writes as plaintext. Sealing happens at flush time, because the associated data includes the
row's primary key, which a new row only has once inserted: new rows are inserted with an empty
placeholder and sealed by an UPDATE in the same transaction, so plaintext never reaches the
database and a ciphertext copied into another row, column or contact fails authentication.

Ciphertext layout (version 2)::

    b"\x02" | data key reference (16 bytes) | nonce (12 bytes) | AES-256-GCM ciphertext + tag

    associated data = the 17-byte header | b"|" | column label | b"|" | row id

A row that has a ``key_ref`` column owns a data key (contacts, inboxes); a class that names a
server-wide key in ``__shared_data_key__`` is sealed with it (staff users); every other sealed
row names its contact. Version 1 values (sealed with the master keyring by column, before
per-contact keys existed) are still read. Decrypting is lazy: listing conversations does not
decrypt anything, and only personal-data fields actually read count as reads of a contact's
personal data (see `privacy/audit.py`).

The keys come from the session the row belongs to (`keys_of`): the hooks below are attached to
each `Database`'s own session factory (`attach_sealing_hooks`), never to the Session class.
"""

from __future__ import annotations

import functools
import json
import os
from collections import defaultdict
from typing import Any

from sqlalchemy import LargeBinary, Table, Update, bindparam, event
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Session, attributes, object_session, sessionmaker
from sqlalchemy.types import TypeDecorator

from batondesk.privacy.keyring import DecryptionError
from batondesk.privacy.keys import KEYS_INFO, StoreKeys, keys_of
from batondesk.privacy.keystore import KeyStore

# In a column's `info`: the column holds personal data, so privacy code (export, erasure,
# audits) can find every such column by walking the metadata.
PERSONAL_DATA = {"personal_data": True}

SEALED_VERSION = 2
_HEADER_BYTES = 17
_NONCE_BYTES = 12
_CACHE = "_baton_plaintext"
# On a row: the keys of the store it was read from or written to, so that a row still decrypts
# after its session has closed.
_ROW_KEYS = "_baton_keys"
_PENDING_INSERTS = "baton_pending_seals"
# session.info key: set by the API for a signed-in principal; reads are then audited.
READS_KEY = "baton_contact_reads"


class PendingSeal:
    """Plaintext waiting for the flush that seals it. Never written to the database."""

    __slots__ = ("value",)

    def __init__(self, value: bytes) -> None:
        self.value = value


class SealedBytes(TypeDecorator[bytes]):
    """Ciphertext column of a sealed field. Refuses anything that is not already sealed."""

    impl = LargeBinary
    cache_ok = True

    def __init__(self, column_label: str) -> None:
        super().__init__()
        self.column_label = column_label

    def process_bind_param(self, value: Any, dialect: Dialect) -> bytes | None:
        if value is None or isinstance(value, bytes | bytearray | memoryview):
            return value  # type: ignore[return-value]
        raise TypeError(f"unsealed value for {self.column_label} reached the database")

    def process_result_value(self, value: Any, dialect: Dialect) -> bytes | None:
        return None if value is None else bytes(value)


def sealed_field(
    column_attr: str, label: str, *, as_json: bool = False, as_bytes: bool = False
) -> Any:
    """A plaintext view (str; a JSON value with `as_json`; raw bytes with `as_bytes`, for
    files) of the sealed column `column_attr`."""

    def fget(self: Any) -> Any:
        sealed = getattr(self, column_attr)
        cache = self.__dict__.setdefault(_CACHE, {})
        hit = cache.get(column_attr)
        if hit is not None and hit[0] is sealed:
            return hit[1]
        if sealed is None:
            return None
        plaintext = unseal(self, label, sealed)
        if as_bytes:
            value: Any = plaintext
        else:
            value = json.loads(plaintext) if as_json else plaintext.decode()
        cache[column_attr] = (sealed, value)
        return value

    def fset(self: Any, value: Any) -> None:
        cache = self.__dict__.setdefault(_CACHE, {})
        if value is None:
            setattr(self, column_attr, None)
            cache[column_attr] = (None, None)
            return
        if as_bytes:
            raw = bytes(value)
        elif as_json:
            raw = json.dumps(value, separators=(",", ":"), sort_keys=True).encode()
        else:
            raw = str(value).encode()
        pending = PendingSeal(raw)
        setattr(self, column_attr, pending)
        cache[column_attr] = (pending, value)

    def expr(cls: Any) -> Any:
        return getattr(cls, column_attr)

    return hybrid_property(fget, fset, expr=expr)


# --- sealing and unsealing ----------------------------------------------------------------------


def _associated_data(header: bytes, label: str, row_id: int) -> bytes:
    return header + b"|" + label.encode() + b"|" + str(row_id).encode()


def seal(keystore: KeyStore, key_ref: str, label: str, row_id: int, plaintext: bytes) -> bytes:
    header = bytes([SEALED_VERSION]) + bytes.fromhex(key_ref)
    nonce = os.urandom(_NONCE_BYTES)
    cipher = keystore.cipher(key_ref)
    return (
        header + nonce + cipher.encrypt(nonce, plaintext, _associated_data(header, label, row_id))
    )


def key_ref_of(blob: bytes) -> str | None:
    """The data key a sealed value names (None for legacy values)."""
    if len(blob) > _HEADER_BYTES and blob[0] == SEALED_VERSION:
        return blob[1:_HEADER_BYTES].hex()
    return None


def _row_keys(row: Any) -> StoreKeys:
    session = object_session(row)
    if session is not None and KEYS_INFO in session.info:
        keys = keys_of(session)
        row.__dict__[_ROW_KEYS] = keys
        return keys
    keys = row.__dict__.get(_ROW_KEYS)
    if keys is None:
        raise RuntimeError(
            f"{type(row).__name__} {row.id} belongs to no store session: no key to unseal it"
        )
    return keys  # type: ignore[no-any-return]


def open_sealed(keys: StoreKeys, label: str, row_id: int, blob: bytes) -> bytes:
    """Decrypt the sealed value `label` of row `row_id` (not recorded as a read)."""
    if not blob:
        raise DecryptionError(f"{label} of row {row_id} was never sealed")
    if blob[0] != SEALED_VERSION:
        return keys.keyring.decrypt(blob, label.encode())
    header = blob[:_HEADER_BYTES]
    nonce = blob[_HEADER_BYTES : _HEADER_BYTES + _NONCE_BYTES]
    cipher = keys.keystore.cipher(header[1:].hex())
    try:
        return cipher.decrypt(
            nonce, blob[_HEADER_BYTES + _NONCE_BYTES :], _associated_data(header, label, row_id)
        )
    except Exception as exc:
        raise DecryptionError(f"{label} of row {row_id} failed authentication") from exc


def unseal(row: Any, label: str, blob: bytes) -> bytes:
    """Decrypt a sealed value of `row`. Raises KeyDestroyed for an erased contact."""
    plaintext = open_sealed(_row_keys(row), label, row.id, blob)
    _note_read(row, label)
    return plaintext


def _note_read(row: Any, label: str) -> None:
    session = object_session(row)
    if session is None or READS_KEY not in session.info:
        return
    if label not in _personal_labels(type(row)):
        return  # e.g. an inbox's identity secret: a credential, not a contact's data
    contact_id = row.id if _owns_key(type(row)) else getattr(row, "contact_id", None)
    if contact_id is not None:
        session.info[READS_KEY].setdefault(contact_id, set()).add(label)


# --- which key seals a row ----------------------------------------------------------------------

_SEALED_COLUMNS: dict[type, list[tuple[str, str]]] = {}
_PERSONAL_LABELS: dict[type, frozenset[str]] = {}


def sealed_columns(cls: type) -> list[tuple[str, str]]:
    """(attribute, label) of every sealed column of a mapped class."""
    if cls not in _SEALED_COLUMNS:
        mapper = getattr(cls, "__mapper__", None)
        found = []
        personal = set()
        if mapper is not None:
            for prop in mapper.column_attrs:
                column = prop.columns[0]
                if isinstance(column.type, SealedBytes):
                    found.append((prop.key, column.type.column_label))
                    if column.info.get("personal_data"):
                        personal.add(column.type.column_label)
        _PERSONAL_LABELS[cls] = frozenset(personal)
        _SEALED_COLUMNS[cls] = found
    return _SEALED_COLUMNS[cls]


def _personal_labels(cls: type) -> frozenset[str]:
    sealed_columns(cls)
    return _PERSONAL_LABELS[cls]


def _owns_key(cls: type) -> bool:
    """Contacts and inboxes hold their own data key reference; every other sealed row names a
    contact."""
    return "key_ref" in cls.__mapper__.columns


def _key_ref_for(session: Session, row: Any) -> str:
    from batondesk.store.contacts import Contact
    from batondesk.store.conversations import Conversation

    keystore = keys_of(session).keystore
    shared = getattr(type(row), "__shared_data_key__", None)
    if shared is not None:
        return keystore.shared_key_ref(shared)
    if _owns_key(type(row)):
        if row.key_ref is None:
            row.key_ref = keystore.create_data_key(row.account_id)
        return str(row.key_ref)
    if getattr(row, "contact_id", None) is None and getattr(row, "conversation_id", None):
        conversation = session.get(Conversation, row.conversation_id)
        if conversation is not None:
            row.contact_id = conversation.contact_id
    contact = session.get(Contact, row.contact_id) if row.contact_id is not None else None
    if contact is None:
        raise ValueError(f"{type(row).__name__} has no contact whose key could seal it")
    if contact.key_ref is None:  # a contact created before per-contact keys existed
        contact.key_ref = keystore.create_data_key(contact.account_id)
    return str(contact.key_ref)


# --- session hooks (attached to a Database's session factory) -----------------------------------


def attach_sealing_hooks(sessions: sessionmaker[Session]) -> None:
    event.listen(sessions, "before_flush", _seal_before_flush)
    event.listen(sessions, "after_flush_postexec", _seal_new_rows)
    event.listen(sessions, "after_rollback", _forget_pending)


def _seal_before_flush(session: Session, _context: Any, _instances: Any) -> None:
    keys = keys_of(session)
    with session.no_autoflush:
        for row in list(session.new) + list(session.dirty):
            columns = sealed_columns(type(row))
            if not columns:
                continue
            pending = [
                (attr, label, row.__dict__[attr])
                for attr, label in columns
                if isinstance(row.__dict__.get(attr), PendingSeal)
            ]
            if not pending and not (row in session.new and _owns_key(type(row))):
                continue
            key_ref = _key_ref_for(session, row)
            row.__dict__[_ROW_KEYS] = keys
            for attr, label, value in pending:
                if row in session.new or row.id is None:
                    setattr(row, attr, b"")
                    session.info.setdefault(_PENDING_INSERTS, []).append(
                        (row, attr, label, key_ref, value)
                    )
                else:
                    sealed = seal(keys.keystore, key_ref, label, row.id, value.value)
                    plain = row.__dict__.get(_CACHE, {}).get(attr, (None, None))[1]
                    setattr(row, attr, sealed)
                    row.__dict__.setdefault(_CACHE, {})[attr] = (sealed, plain)


def _seal_new_rows(session: Session, _context: Any) -> None:
    pending = session.info.pop(_PENDING_INSERTS, [])
    if not pending:
        return
    keystore = keys_of(session).keystore
    grouped: dict[tuple[Any, str], list[dict[str, Any]]] = defaultdict(list)
    finished = []
    for row, attr, label, key_ref, value in pending:
        sealed = seal(keystore, key_ref, label, row.id, value.value)
        column = type(row).__mapper__.column_attrs[attr].columns[0]
        grouped[(column.table, column.name)].append({"_row_id": row.id, "_sealed": sealed})
        finished.append((row, attr, sealed))
    connection = session.connection()
    for (table, column_name), params in grouped.items():
        connection.execute(_sealing_update(table, column_name), params)
    for row, attr, sealed in finished:
        plain = row.__dict__.get(_CACHE, {}).get(attr, (None, None))[1]
        attributes.set_committed_value(row, attr, sealed)
        row.__dict__.setdefault(_CACHE, {})[attr] = (sealed, plain)


@functools.cache
def _sealing_update(table: Table, column_name: str) -> Update:
    """The UPDATE that seals one column of new rows. Built once per sealed column (a handful):
    a statement built afresh for every flush costs more Python than its execution, and the
    same object lets SQLAlchemy reuse its cache key."""
    return (
        table.update()
        .where(table.c.id == bindparam("_row_id"))
        .values({column_name: bindparam("_sealed")})
    )


def _forget_pending(session: Session) -> None:
    session.info.pop(_PENDING_INSERTS, None)
