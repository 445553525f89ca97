"""The key hierarchy: master key -> account keys -> contact data keys.

* The **master key** comes from settings (``BATON_MASTER_KEY``, or the dev key file). Earlier
  master keys may be listed in ``BATON_PREVIOUS_MASTER_KEYS`` while a rotation is rolled out.
* Each account has an **account key** (versioned), stored wrapped by the master key.
* Each contact has a **data key**, stored wrapped by its account's key. Every message body and
  personal field of that contact is sealed with it (see `privacy/sealing.py`). Each inbox has
  one too, sealing its identity secret.
* **System keys** (the audit-chain key) are stored wrapped by the master key.

All wrapped keys live in the key store, a database separate from the main one (by default a
SQLite file under ``data_dir/keys/``; ``BATON_KEYSTORE_URL`` for a shared one). Rotation
re-wraps keys and never re-encrypts data. Erasing a contact destroys its data key: every copy of
the main database, including old backups, becomes unreadable for that contact.

Rotating an account's keys excludes creating and destroying its data keys (a per-account lock
on PostgreSQL, the single writer on SQLite): a data key wrapped under an account key that a
concurrent rotation retires would be unreadable, and a rotation re-wrapping a key that an
erasure destroys meanwhile would bring it back.

A key store belongs to the `Database` that opened it (``db.keys.keystore``); nothing here is
process-global.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Engine, and_, create_engine, event, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from batondesk.privacy.audit_anchors import AuditAnchors
from batondesk.privacy.keyring import DecryptionError
from batondesk.store.base import utcnow
from batondesk.store.files import secure_sqlite_file
from batondesk.store.privacy import AccountKey, DataKey, KeyBase, SystemKey

_NONCE = 12
# Unwrapped data keys are cached per process; a key destroyed by another process stops working
# here after at most this long (this process forgets its own destroyed keys at once, and the
# other API workers when they hear the erasure announced: realtime/invalidation.py).
DATA_KEY_CACHE_SECONDS = 60.0
DATA_KEY_CACHE_SIZE = 50_000
# New contacts' data keys are stored this many at a time, in one key-store transaction, and
# handed out one by one: a chat's first message no longer waits for a key-store commit of its
# own (on the embedded SQLite key store, a journal write and its fsyncs). A spare key holds no
# data; the few a stopping process leaves unused are harmless rows.
SPARE_DATA_KEYS = 16
# Account id under which server-wide data keys (not owned by any account) are wrapped; real
# account ids start at 1.
SERVER_ACCOUNT = 0
# Namespace of the key store's per-account PostgreSQL advisory locks ("keys"; the two-key form,
# apart from the audit log's one-key locks).
_ACCOUNT_LOCK_SPACE = 0x6B_65_79_73
_EXCLUSIVE_ACCOUNT_LOCK = text("SELECT pg_advisory_xact_lock(:space, :account)")
_SHARED_ACCOUNT_LOCK = text("SELECT pg_advisory_xact_lock_shared(:space, :account)")


class KeyDestroyed(DecryptionError):
    """The contact's data key was destroyed (the contact was erased)."""


class UnknownKey(DecryptionError):
    """No such key in the key store (e.g. a backup restored against the wrong key store)."""


def master_key_id(master_key: bytes) -> str:
    """A short public name for a master key (not secret: a hash of a random 256-bit key)."""
    return hashlib.sha256(b"baton master key id\0" + master_key).hexdigest()[:16]


def _wrap(key: bytes, plaintext: bytes, associated_data: bytes) -> bytes:
    nonce = os.urandom(_NONCE)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, associated_data)


def _unwrap(key: bytes, blob: bytes, associated_data: bytes) -> bytes:
    try:
        return AESGCM(key).decrypt(blob[:_NONCE], blob[_NONCE:], associated_data)
    except Exception as exc:
        raise DecryptionError("wrapped key failed authentication") from exc


def _account_ad(account_id: int, version: int) -> bytes:
    return f"baton account key|{account_id}|{version}".encode()


def _data_ad(account_id: int, key_ref: str, version: int) -> bytes:
    return f"baton data key|{account_id}|{key_ref}|{version}".encode()


def _system_ad(name: str) -> bytes:
    return f"baton system key|{name}".encode()


@dataclass(frozen=True)
class RotationReport:
    account_keys_rewrapped: int
    accounts_rotated: int
    data_keys_rewrapped: int
    system_keys_rewrapped: int = 0


class KeyStore:
    def __init__(self, url: str, master_key: bytes, previous_master_keys: list[bytes]) -> None:
        self.url = url
        self.master_key = master_key
        self.master_keys = {master_key_id(k): k for k in [*previous_master_keys, master_key]}
        self.current_master_id = master_key_id(master_key)
        kwargs: dict[str, object] = {}
        if url.startswith("sqlite"):
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        else:
            kwargs["pool_pre_ping"] = True
        secure_sqlite_file(url)
        self.engine: Engine = create_engine(url, **kwargs)  # type: ignore[arg-type]
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        KeyBase.metadata.create_all(self.engine)
        self._lock = threading.Lock()
        self._data_keys: dict[str, tuple[AESGCM, float]] = {}
        self._account_keys: dict[tuple[int, int], bytes] = {}
        self._system_keys: dict[str, bytes] = {}
        self._shared_key_refs: dict[str, str] = {}
        self._spare_key_refs: dict[int, list[str]] = {}
        # The audit chains' anchors and checkpoints (privacy/audit_anchors.py).
        self.audit = AuditAnchors(self)

    # --- account keys ---------------------------------------------------------------------

    def _unwrap_account_key(self, row: AccountKey) -> bytes:
        cached = self._account_keys.get((row.account_id, row.version))
        if cached is not None:
            return cached
        if row.wrapped is None:
            raise KeyDestroyed(f"account key v{row.version} of account {row.account_id} is retired")
        master = self.master_keys.get(row.master_key_id)
        if master is None:
            raise UnknownKey(
                f"account {row.account_id} key is wrapped by master key {row.master_key_id}, "
                "which is not configured (set BATON_PREVIOUS_MASTER_KEYS during a rotation)"
            )
        key = _unwrap(master, row.wrapped, _account_ad(row.account_id, row.version))
        self._account_keys[(row.account_id, row.version)] = key
        return key

    def _active_account_key(self, session: Session, account_id: int) -> tuple[int, bytes]:
        row = session.scalars(
            select(AccountKey)
            .where(AccountKey.account_id == account_id, AccountKey.retired_at.is_(None))
            .order_by(AccountKey.version.desc())
        ).first()
        if row is None:
            return self._new_account_key(session, account_id, version=1)
        return row.version, self._unwrap_account_key(row)

    def _new_account_key(
        self, session: Session, account_id: int, version: int
    ) -> tuple[int, bytes]:
        key = AESGCM.generate_key(bit_length=256)
        session.add(
            AccountKey(
                account_id=account_id,
                version=version,
                master_key_id=self.current_master_id,
                wrapped=_wrap(self.master_key, key, _account_ad(account_id, version)),
            )
        )
        session.flush()
        return version, key

    # --- data keys -------------------------------------------------------------------------

    def create_data_key(self, account_id: int) -> str:
        """A new data key for a contact of `account_id`, never handed out before; returns its
        reference (32 hex). Taken from the keys stored `SPARE_DATA_KEYS` at a time."""
        with self._lock:
            spare = self._spare_key_refs.get(account_id)
            if spare:
                return spare.pop()
        first, *rest = self.create_data_keys(account_id, SPARE_DATA_KEYS)
        with self._lock:
            self._spare_key_refs.setdefault(account_id, []).extend(rest)
        return first

    def create_data_keys(self, account_id: int, count: int) -> list[str]:
        """`count` new data keys for contacts of `account_id`, stored in one transaction (bulk
        imports and simulations); returns their references."""
        keys = [(secrets.token_hex(16), AESGCM.generate_key(bit_length=256)) for _ in range(count)]
        for attempt in range(2):
            try:
                with self.sessions() as session, session.begin():
                    self._lock_accounts(session, [account_id], exclusive=False)
                    for key_ref, data_key in keys:
                        self._add_data_key(session, account_id, key_ref, data_key)
                break
            except IntegrityError:  # a concurrent first contact created the account key first
                if attempt:
                    raise
        for key_ref, data_key in keys:
            self._remember(key_ref, AESGCM(data_key))
        return [key_ref for key_ref, _ in keys]

    def _add_data_key(
        self, session: Session, account_id: int, key_ref: str, data_key: bytes
    ) -> None:
        """Store `data_key` wrapped by the account's active key (created if it has none)."""
        version, account_key = self._active_account_key(session, account_id)
        ad = _data_ad(account_id, key_ref, version)
        session.add(
            DataKey(
                key_ref=key_ref,
                account_id=account_id,
                account_key_version=version,
                wrapped=_wrap(account_key, data_key, ad),
            )
        )

    def shared_key_ref(self, name: str) -> str:
        """The reference of the server-wide data key `name` (e.g. "staff", which seals staff
        password hashes), created on first use under `SERVER_ACCOUNT`."""
        cached = self._shared_key_refs.get(name)
        if cached is not None:
            return cached
        key_ref = hashlib.sha256(f"baton shared data key|{name}".encode()).hexdigest()[:32]
        for _attempt in range(2):  # a concurrent worker may create it (or the account key) first
            with self.sessions() as session:
                self._lock_accounts(session, [SERVER_ACCOUNT], exclusive=False)
                if session.get(DataKey, key_ref) is not None:
                    break
                data_key = AESGCM.generate_key(bit_length=256)
                self._add_data_key(session, SERVER_ACCOUNT, key_ref, data_key)
                try:
                    session.commit()
                except IntegrityError:
                    session.rollback()
                    continue
                self._remember(key_ref, AESGCM(data_key))
                break
        self._shared_key_refs[name] = key_ref
        return key_ref

    def cipher(self, key_ref: str) -> AESGCM:
        """The AES-GCM cipher of a contact's data key. Raises KeyDestroyed after erasure."""
        now = time.monotonic()
        cached = self._data_keys.get(key_ref)
        if cached is not None and cached[1] > now:
            return cached[0]
        with self.sessions() as session:
            # One statement, so both rows come from one moment: a rotation committing in
            # between would leave a data key read before it under an account key retired by it.
            found = session.execute(
                select(DataKey, AccountKey)
                .outerjoin(
                    AccountKey,
                    and_(
                        AccountKey.account_id == DataKey.account_id,
                        AccountKey.version == DataKey.account_key_version,
                    ),
                )
                .where(DataKey.key_ref == key_ref)
            ).first()
            if found is None:
                raise UnknownKey(f"data key {key_ref[:8]}... is not in the key store")
            row, account_row = found
            if row.wrapped is None:
                raise KeyDestroyed("this contact was erased: its data key is destroyed")
            if account_row is None:
                raise UnknownKey(f"data key {key_ref[:8]}...: its account key is not in the store")
            account_key = self._unwrap_account_key(account_row)
            data_key = _unwrap(
                account_key, row.wrapped, _data_ad(row.account_id, key_ref, row.account_key_version)
            )
        cipher = AESGCM(data_key)
        self._remember(key_ref, cipher)
        return cipher

    def _remember(self, key_ref: str, cipher: AESGCM) -> None:
        with self._lock:
            if len(self._data_keys) >= DATA_KEY_CACHE_SIZE:
                self._data_keys.clear()
            self._data_keys[key_ref] = (cipher, time.monotonic() + DATA_KEY_CACHE_SECONDS)

    def forget_data_key(self, key_ref: str) -> None:
        """Drop this process's unwrapped copy of a key (another worker destroyed it)."""
        with self._lock:
            self._data_keys.pop(key_ref, None)

    def forget_data_keys(self) -> None:
        """Drop every unwrapped data key this process holds; each is read again when used."""
        with self._lock:
            self._data_keys.clear()

    def destroy_data_key(self, key_ref: str) -> bool:
        """Crypto-shred: overwrite the wrapped key. Returns False if it was already destroyed."""
        with self._lock:
            self._data_keys.pop(key_ref, None)
        with self.sessions() as session, session.begin():
            row = session.get(DataKey, key_ref)
            if row is None or row.wrapped is None:
                return False
            self._lock_accounts(session, [row.account_id], exclusive=False)
            session.refresh(row)  # as it is now that no rotation can be re-wrapping it
            if row.wrapped is None:
                return False
            row.wrapped = None
            row.destroyed_at = utcnow()
        return True

    def destroyed_key_refs(self, key_refs: list[str]) -> set[str]:
        """Which of these references name destroyed (or unknown) keys."""
        if not key_refs:
            return set()
        with self.sessions() as session:
            alive = set(
                session.scalars(
                    select(DataKey.key_ref).where(
                        DataKey.key_ref.in_(key_refs), DataKey.wrapped.is_not(None)
                    )
                )
            )
        return set(key_refs) - alive

    # --- rotation --------------------------------------------------------------------------

    def rotate(self, account_id: int | None = None, *, account_keys: bool = True) -> RotationReport:
        """Re-wrap every account key under the current master key and, with `account_keys`,
        give each account (or only `account_id`) a new account key, re-wrapping its data keys.
        No message or personal field is re-encrypted: data keys themselves do not change."""
        rewrapped = rotated = data_rewrapped = system_rewrapped = 0
        with self.sessions() as session, session.begin():
            active = select(AccountKey).where(AccountKey.retired_at.is_(None))
            if account_id is None:
                accounts = set(session.scalars(active.with_only_columns(AccountKey.account_id)))
            else:
                accounts = {account_id}
            # Before reading the keys it changes, so that what it reads stays current.
            self._lock_accounts(session, accounts, exclusive=True)
            if account_id is None:
                system_rewrapped = self._rewrap_system_keys(session)
            query = active.where(AccountKey.account_id.in_(accounts))
            for row in list(session.scalars(query)):
                if row.master_key_id != self.current_master_id and row.wrapped is not None:
                    key = self._unwrap_account_key(row)
                    row.wrapped = _wrap(
                        self.master_key, key, _account_ad(row.account_id, row.version)
                    )
                    row.master_key_id = self.current_master_id
                    rewrapped += 1
            if account_keys:
                accounts = sorted(
                    set(session.scalars(query.with_only_columns(AccountKey.account_id)))
                )
                for account in accounts:
                    data_rewrapped += self._rotate_account(session, account)
                    rotated += 1
        with self._lock:
            self._account_keys.clear()
        return RotationReport(rewrapped, rotated, data_rewrapped, system_rewrapped)

    def _lock_accounts(
        self, session: Session, account_ids: Iterable[int], *, exclusive: bool
    ) -> None:
        """Hold these accounts' keys until the session's transaction ends: exclusively to
        rotate them, shared to create or destroy one data key. In ascending order, so that two
        rotations cannot deadlock."""
        dialect = self.engine.dialect.name
        if dialect == "postgresql":
            statement = _EXCLUSIVE_ACCOUNT_LOCK if exclusive else _SHARED_ACCOUNT_LOCK
            for account in sorted(set(account_ids)):
                session.execute(statement, {"space": _ACCOUNT_LOCK_SPACE, "account": account})
        elif dialect == "sqlite":
            # One writer at a time: a write statement (even one that changes nothing) takes the
            # lock, so the reads that follow see the keys as they are until the commit.
            session.execute(text("UPDATE account_keys SET version = version WHERE 1 = 0"))

    def _rotate_account(self, session: Session, account_id: int) -> int:
        old_rows = list(
            session.scalars(
                select(AccountKey).where(
                    AccountKey.account_id == account_id, AccountKey.retired_at.is_(None)
                )
            )
        )
        old_keys = {row.version: self._unwrap_account_key(row) for row in old_rows}
        newest = (
            session.scalars(
                select(AccountKey.version)
                .where(AccountKey.account_id == account_id)
                .order_by(AccountKey.version.desc())
            ).first()
            or 0
        )
        version, new_key = self._new_account_key(session, account_id, newest + 1)
        count = 0
        for row in session.scalars(
            select(DataKey).where(DataKey.account_id == account_id, DataKey.wrapped.is_not(None))
        ):
            assert row.wrapped is not None
            data_key = _unwrap(
                old_keys[row.account_key_version],
                row.wrapped,
                _data_ad(account_id, row.key_ref, row.account_key_version),
            )
            row.wrapped = _wrap(new_key, data_key, _data_ad(account_id, row.key_ref, version))
            row.account_key_version = version
            count += 1
        for row in old_rows:
            row.wrapped = None
            row.retired_at = utcnow()
        return count

    # --- system keys --------------------------------------------------------------------------

    def system_key(self, name: str) -> bytes:
        """The server-wide key `name`, created (wrapped by the master key) on first use."""
        cached = self._system_keys.get(name)
        if cached is not None:
            return cached
        with self.sessions() as session:
            row = session.get(SystemKey, name)
            if row is None:
                key = secrets.token_bytes(32)
                session.add(
                    SystemKey(
                        name=name,
                        master_key_id=self.current_master_id,
                        wrapped=_wrap(self.master_key, key, _system_ad(name)),
                    )
                )
                try:
                    session.commit()
                except IntegrityError:  # another worker created it first: use theirs
                    session.rollback()
                    row = session.get(SystemKey, name)
                else:
                    self._system_keys[name] = key
                    return key
            assert row is not None
            master = self.master_keys.get(row.master_key_id)
            if master is None:
                raise UnknownKey(
                    f"system key {name!r} is wrapped by master key {row.master_key_id}, which "
                    "is not configured (set BATON_PREVIOUS_MASTER_KEYS during a rotation)"
                )
            key = _unwrap(master, row.wrapped, _system_ad(name))
        self._system_keys[name] = key
        return key

    def _rewrap_system_keys(self, session: Session) -> int:
        count = 0
        for row in list(session.scalars(select(SystemKey))):
            if row.master_key_id == self.current_master_id:
                continue
            master = self.master_keys.get(row.master_key_id)
            if master is None:
                raise UnknownKey(f"system key {row.name!r}: its master key is not configured")
            key = _unwrap(master, row.wrapped, _system_ad(row.name))
            row.wrapped = _wrap(self.master_key, key, _system_ad(row.name))
            row.master_key_id = self.current_master_id
            count += 1
        return count

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    # Destroyed keys are overwritten with zeros in the file, not merely unlinked from the
    # b-tree; and no WAL file keeps old pages around.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.execute("PRAGMA journal_mode=DELETE")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def decode_key(value: str) -> bytes:
    key = base64.b64decode(value)
    if len(key) != 32:
        raise ValueError("keys must be 32 bytes, base64-encoded")
    return key
