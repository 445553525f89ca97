"""Staff password hashing (argon2id)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# "strong" is argon2-cffi's recommended default (~0.25 s per hash on a 2-core machine).
# "fast" exists for test suites that create many users; never use it in production.
_PROFILES = {
    "strong": PasswordHasher(),
    "fast": PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1),
}
_hasher = _PROFILES["strong"]


def configure_password_hashing(profile: str) -> None:
    global _hasher
    _hasher = _PROFILES[profile]


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Checks with the parameters stored in the hash itself, whatever the current profile."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
