"""Identified-contact tokens, signed by the embedding website.

Format: ``base64url(JSON payload) + "." + hex(HMAC-SHA256(inbox identity secret, first part))``.
Payload: ``{"external_id": str, "name"?: str, "email"?: str, "locale"?: str, "exp": unix
seconds}``; `locale` (a BCP 47 tag such as "es-ES") is the language the customer uses on the
embedding site, which the chat and the bot then speak (batondesk.i18n).
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
from batondesk.i18n.languages import LANGUAGE_TAG


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
    check_claims(payload)
    return payload


# Identity tokens are minted per page view by the embedding site: a day ahead is plenty, and a
# token that never expires is a stolen identity for good.
MAX_IDENTITY_LIFETIME_SECONDS = 24 * 3600
_TEXT_CLAIMS = {"external_id": 120, "name": 200, "email": 320, "locale": 35}


def check_claims(payload: object) -> None:
    """The claims an identity token must carry: `external_id`, optional `name`, `email` and
    `locale` (strings of bounded length; `locale` a language tag) and `exp`, an integer
    number of seconds since 1970 (UTC) in the next 24 hours."""
    if not isinstance(payload, dict) or not isinstance(payload.get("external_id"), str):
        raise NotAuthenticated("identity token lacks external_id", code="invalid_identity")
    for claim, limit in _TEXT_CLAIMS.items():
        value = payload.get(claim)
        if value is not None and (not isinstance(value, str) or not 0 < len(value) <= limit):
            raise NotAuthenticated(
                f"identity token claim {claim} must be a string of 1-{limit} characters",
                code="invalid_identity",
            )
    locale = payload.get("locale")
    if locale is not None and not LANGUAGE_TAG.match(locale):
        raise NotAuthenticated(
            "identity token claim locale must be a language tag such as es or es-ES",
            code="invalid_identity",
        )
    exp = payload.get("exp")
    if isinstance(exp, bool) or not isinstance(exp, int):
        raise NotAuthenticated(
            "identity token exp must be an integer (seconds since 1970, UTC)",
            code="invalid_identity",
        )
    now = time.time()
    if exp < now:
        raise NotAuthenticated("identity token expired", code="token_expired")
    if exp > now + MAX_IDENTITY_LIFETIME_SECONDS:
        raise NotAuthenticated(
            "identity token exp is more than 24 hours ahead; sign tokens for a shorter time",
            code="invalid_identity",
        )
