"""Staff password hashing (argon2id), with the cost chosen by the store's settings."""

from __future__ import annotations

from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

HashingProfile = Literal["strong", "fast"]


class PasswordHashing:
    """Hashes and checks staff passwords. One per `Database` (``db.keys.passwords``).

    "strong" is argon2-cffi's recommended default (~0.25 s per hash on a 2-core machine).
    "fast" exists for test suites that create many users; never use it in production.
    """

    def __init__(self, profile: HashingProfile = "strong") -> None:
        self.profile = profile
        self._hasher = (
            PasswordHasher()
            if profile == "strong"
            else PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
        )

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        """Checks with the parameters stored in the hash itself, whatever the current profile."""
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
