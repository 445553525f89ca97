"""The one signature scheme for webhooks, both ways: the events Baton sends and the changes a
CRM sends to Baton.

    Baton-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + raw body)>

The timestamp is signed with the body, so a captured request cannot be replayed once it is
older than the tolerance (5 minutes). A header may carry several `v1=` values (while a secret
is being rotated); one match is enough. docs/integrations.md has a verification snippet.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

SIGNATURE_HEADER = "Baton-Signature"
SCHEME = "v1"
DEFAULT_TOLERANCE_SECONDS = 300
# Longer than a real header ever is (a timestamp and a few signatures); refused unparsed.
_MAX_HEADER_CHARS = 1000


class SignatureError(Exception):
    """The request is not signed with the shared secret (or too old); `code` names why."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


def new_signing_secret() -> str:
    """A fresh shared secret: 32 random bytes, URL-safe base64, recognisable by its prefix."""
    return "whsec_" + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The `Baton-Signature` value for `body`, signed now unless `timestamp` is given."""
    stamp = int(time.time()) if timestamp is None else timestamp
    return f"t={stamp},{SCHEME}={signature(secret, stamp, body)}"


def verify_signature(
    secret: str,
    header: str | None,
    body: bytes,
    *,
    tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> int:
    """The signed timestamp, if `header` signs `body` with `secret` within the tolerance.
    Raises SignatureError otherwise. The comparison takes constant time."""
    if not header:
        raise SignatureError(f"the {SIGNATURE_HEADER} header is missing", "signature_missing")
    if len(header) > _MAX_HEADER_CHARS:
        raise SignatureError(f"the {SIGNATURE_HEADER} header is too long", "signature_malformed")
    stamp_text = None
    candidates = []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t":
            stamp_text = value
        elif name == SCHEME:
            candidates.append(value)
    if stamp_text is None or not stamp_text.isdigit() or not candidates:
        raise SignatureError(
            f"the {SIGNATURE_HEADER} header must read t=<unix seconds>,{SCHEME}=<hex>",
            "signature_malformed",
        )
    stamp = int(stamp_text)
    current = time.time() if now is None else now
    if abs(current - stamp) > tolerance_seconds:
        raise SignatureError(
            f"the signature's timestamp is more than {tolerance_seconds} s from now",
            "signature_expired",
        )
    expected = signature(secret, stamp, body)
    if not any(hmac.compare_digest(expected, candidate) for candidate in candidates):
        raise SignatureError("the signature does not match the body", "signature_invalid")
    return stamp
