"""Keys and authenticated encryption for personal data at rest.

Ciphertext layout (version 1)::

    b"\x01" | key id (2 bytes, big-endian) | nonce (12 bytes) | AES-256-GCM ciphertext + tag

This column-bound format sealed personal data before per-contact keys existed; such values are
still read (see `privacy/sealing.py`, which seals a contact's data with its own key, and `baton
keys reseal`). The associated data binds a value to the column it was written to, so
ciphertext copied into another column fails authentication instead of decrypting. The keyring
also computes the keyed blind indexes used for lookups by email and by external id.

A keyring belongs to the `Database` that opened it (``db.keys.keyring``); code working with a
session reaches it through ``keys_of(session)`` (privacy/keys.py).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import struct
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

FORMAT_VERSION = 1
_HEADER = struct.Struct(">BH")
_NONCE_BYTES = 12


class DecryptionError(Exception):
    """A stored value could not be authenticated: wrong key, or tampered ciphertext."""


@dataclass
class Keyring:
    """Holds the data-encryption keys by id; `active_key_id` seals new values."""

    keys: dict[int, bytes]
    active_key_id: int
    blind_index_key: bytes
    _ciphers: dict[int, AESGCM] = field(default_factory=dict, repr=False)

    @classmethod
    def from_base64(cls, master_key: str, blind_index_key: str) -> Keyring:
        return cls(
            keys={1: base64.b64decode(master_key)},
            active_key_id=1,
            blind_index_key=base64.b64decode(blind_index_key),
        )

    def _cipher(self, key_id: int) -> AESGCM:
        if key_id not in self._ciphers:
            try:
                self._ciphers[key_id] = AESGCM(self.keys[key_id])
            except KeyError:
                raise DecryptionError(f"no key with id {key_id} in the keyring") from None
        return self._ciphers[key_id]

    def encrypt(self, plaintext: bytes, associated_data: bytes) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._cipher(self.active_key_id).encrypt(nonce, plaintext, associated_data)
        return _HEADER.pack(FORMAT_VERSION, self.active_key_id) + nonce + sealed

    def decrypt(self, blob: bytes, associated_data: bytes) -> bytes:
        if len(blob) < _HEADER.size + _NONCE_BYTES or blob[0] != FORMAT_VERSION:
            raise DecryptionError("unknown ciphertext format")
        _, key_id = _HEADER.unpack_from(blob)
        nonce = blob[_HEADER.size : _HEADER.size + _NONCE_BYTES]
        try:
            return self._cipher(key_id).decrypt(
                nonce, blob[_HEADER.size + _NONCE_BYTES :], associated_data
            )
        except Exception as exc:  # cryptography raises InvalidTag without a message
            raise DecryptionError("ciphertext failed authentication") from exc

    def blind_index(self, value: str, purpose: str, *, case_sensitive: bool = False) -> str:
        """Keyed hash for equality lookups (e.g. find a contact by email) without storing the
        plaintext. `purpose` separates indexes so equal values in different fields differ.
        Values are trimmed, and lower-cased unless `case_sensitive` (an external id "AB-1" is
        not "ab-1"; an email address is the same either way)."""
        normalized = value.strip() if case_sensitive else value.strip().lower()
        digest = hmac.new(
            self.blind_index_key, purpose.encode() + b"\0" + normalized.encode(), hashlib.sha256
        )
        return digest.hexdigest()
