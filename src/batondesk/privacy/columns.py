"""SQLAlchemy column types that encrypt on write and decrypt on read.

Columns using these types hold personal data; `PERSONAL_DATA` in their `info` lets privacy code
(export, erasure, audits) find every such column by walking the metadata.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import LargeBinary
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from batondesk.privacy.keyring import current_keyring

PERSONAL_DATA = {"personal_data": True}


class EncryptedText(TypeDecorator[str]):
    """A string stored as AES-256-GCM ciphertext, bound to its column by associated data."""

    impl = LargeBinary
    cache_ok = True

    def __init__(self, column_label: str) -> None:
        super().__init__()
        self.column_label = column_label

    def process_bind_param(self, value: str | None, dialect: Dialect) -> bytes | None:
        if value is None:
            return None
        return current_keyring().encrypt(value.encode(), self.column_label.encode())

    def process_result_value(self, value: bytes | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return current_keyring().decrypt(bytes(value), self.column_label.encode()).decode()


class EncryptedJSON(TypeDecorator[Any]):
    """A JSON document stored encrypted (free-text custom attributes may hold personal data)."""

    impl = LargeBinary
    cache_ok = True

    def __init__(self, column_label: str) -> None:
        super().__init__()
        self.column_label = column_label

    def process_bind_param(self, value: Any, dialect: Dialect) -> bytes | None:
        if value is None:
            return None
        plaintext = json.dumps(value, separators=(",", ":"), sort_keys=True).encode()
        return current_keyring().encrypt(plaintext, self.column_label.encode())

    def process_result_value(self, value: bytes | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        return json.loads(current_keyring().decrypt(bytes(value), self.column_label.encode()))
