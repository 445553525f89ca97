"""The secrets a store works with, owned by its `Database` rather than by the process.

A `Database` holds one `StoreKeys` (``db.keys``) and stamps it into the ``info`` of every session
its factory makes, so code that needs a key takes it from the session it works with
(``keys_of(session)``). Two databases with different keys can therefore run side by side in one
process: nothing here is global.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from batondesk.privacy.keyring import Keyring
from batondesk.privacy.keystore import KeyStore, decode_key
from batondesk.privacy.passwords import PasswordHashing

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from batondesk.config import Settings

# session.info keys set by the store's session factory.
KEYS_INFO = "baton_keys"
DATABASE_INFO = "baton_database"


@dataclass
class StoreKeys:
    keyring: Keyring  # blind indexes, and values sealed before per-contact keys existed
    keystore: KeyStore  # wrapped account, contact, inbox and system keys; audit checkpoints
    passwords: PasswordHashing

    @classmethod
    def from_settings(cls, settings: Settings) -> StoreKeys:
        previous = [decode_key(k) for k in settings.previous_master_keys.split(",") if k.strip()]
        return cls(
            keyring=Keyring.from_base64(settings.master_key, settings.blind_index_key),
            keystore=KeyStore(
                settings.keystore_sqlalchemy_url, decode_key(settings.master_key), previous
            ),
            passwords=PasswordHashing(settings.password_hashing),
        )

    def dispose(self) -> None:
        self.keystore.dispose()


def keys_of(session: Session) -> StoreKeys:
    """The keys of the store that made `session`."""
    keys = session.info.get(KEYS_INFO)
    if not isinstance(keys, StoreKeys):
        raise RuntimeError(
            "this session carries no keys: open sessions through Database.session() or "
            "Database.sessions"
        )
    return keys


def database_of(session: Session) -> Any:
    """The `Database` that made `session` (typed loosely: the store layer builds on this one)."""
    database = session.info.get(DATABASE_INFO)
    if database is None:
        raise RuntimeError("this session was not made by a Database")
    return database
