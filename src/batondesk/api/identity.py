"""Identified-contact tokens, signed by the embedding website.

Format: ``base64url(JSON payload) + "." + hex(HMAC-SHA256(inbox identity secret, first part))``.
Payload: ``{"external_id": str, "name"?: str, "email"?: str, "exp": unix seconds}``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from typing import Any

from batondesk.errors import NotAuthenticated


def sign_identity(payload: dict[str, Any], secret: str) -> str:
    body = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")
    signature = hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()
    return f"{body}.{signature}"


def verify_identity(token: str, secret: str) -> dict[str, Any]:
    body, _, signature = token.partition(".")
    expected = hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()
    if not signature or not hmac.compare_digest(expected, signature):
        raise NotAuthenticated("identity token signature is invalid", code="invalid_identity")
    try:
        payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except (binascii.Error, ValueError):
        raise NotAuthenticated("identity token is malformed", code="invalid_identity") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("external_id"), str):
        raise NotAuthenticated("identity token lacks external_id", code="invalid_identity")
    exp = payload.get("exp")
    if not isinstance(exp, int | float) or exp < time.time():
        raise NotAuthenticated("identity token expired", code="token_expired")
    return payload
