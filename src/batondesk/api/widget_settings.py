"""Per-account widget settings: which websites may embed the chat.

Stored in `Account.settings["widget"]` as a partial dict over these defaults and set through
`PUT /api/v1/admin/settings/widget` (Admin > Inboxes & widget). The chat page turns them into
its Content-Security-Policy `frame-ancestors`; it sends no X-Frame-Options, which cannot name
several sites and would contradict the policy.
"""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

SETTINGS_KEY = "widget"

log = logging.getLogger("batondesk.api")

# A host name, optionally with a leading "*." for every subdomain (CSP host-source syntax).
_HOST = re.compile(r"^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$")


def normalise_origin(value: str) -> str:
    """`https://Shop.example.com/` -> `https://shop.example.com`; refuses anything that is not
    an http(s) origin (a path, a query, credentials or a bare host name)."""
    text = value.strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{text!r} is not an origin like https://shop.example.com")
    if parts.path not in ("", "/") or parts.query or parts.fragment or "@" in parts.netloc:
        raise ValueError(f"{text!r}: give the origin only (scheme, host and port), no path")
    host, _, port = parts.netloc.lower().partition(":")
    if not _HOST.match(host) or (port and not (port.isdigit() and 0 < int(port) < 65536)):
        raise ValueError(f"{text!r} has an invalid host or port")
    return f"{parts.scheme}://{host}" + (f":{port}" if port else "")


class WidgetSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # Websites allowed to show the chat in a frame (the widget). Empty: any website.
    allowed_origins: list[str] = Field(default_factory=list, max_length=50)

    @field_validator("allowed_origins")
    @classmethod
    def _origins(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(normalise_origin(v) for v in value))

    def frame_ancestors(self) -> str:
        """The CSP `frame-ancestors` sources: the allowed websites (and Baton itself, whose
        admin pages preview the chat), or any website."""
        return " ".join(["'self'", *self.allowed_origins]) if self.allowed_origins else "*"

    @classmethod
    def for_account(cls, account_settings: dict[str, Any]) -> WidgetSettings:
        """The account's settings; stored values that no longer validate fall back to the
        defaults rather than take the chat down."""
        try:
            return cls.model_validate(account_settings.get(SETTINGS_KEY, {}))
        except ValidationError:
            log.warning("invalid stored widget settings: using the defaults")
            return cls()
