"""Per-account widget settings: what the chat looks like, what it says before the first
message, what it asks for, and which websites may embed it.

Stored in `Account.settings["widget"]` as a partial dict over these defaults and set through
`PUT /api/v1/admin/settings/widget` (Admin > Inboxes & widget). An open chat picks a change
up at once (the change is announced on the account's `widget:{id}` channel, which every
chat's event stream also carries) or the next time the widget is opened. The chat page turns
`allowed_origins` into its Content-Security-Policy `frame-ancestors`; it sends no
X-Frame-Options, which cannot name several sites and would contradict the policy.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

SETTINGS_KEY = "widget"
DEFAULT_BRAND_COLOR = "#1d4ed8"
MAX_TOPICS = 6

log = logging.getLogger("batondesk.api")

# A host name, optionally with a leading "*." for every subdomain (CSP host-source syntax).
_HOST = re.compile(r"^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$")
_HEX_COLOR = re.compile(r"^#([0-9a-f]{3}|[0-9a-f]{6})$")


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


def normalise_color(value: str) -> str:
    """`#1D4ED8` -> `#1d4ed8`, `#abc` -> `#aabbcc`; anything but a hex colour is refused
    (the value ends up in the page's CSS, so names, functions and spaces are not allowed)."""
    text = value.strip().lower()
    if not _HEX_COLOR.match(text):
        raise ValueError(f"{value!r} is not a hex colour like {DEFAULT_BRAND_COLOR}")
    if len(text) == 4:
        text = "#" + "".join(c * 2 for c in text[1:])
    return text


def check_web_address(value: str) -> str:
    """An absolute http(s) address a customer can be sent to: refuses `javascript:`,
    `data:` and every other scheme, relative paths, credentials and spaces."""
    text = value.strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https"):
        scheme = f"{parts.scheme}:" if parts.scheme else "no scheme"
        raise ValueError(f"only http(s) addresses are allowed, not {scheme}")
    if not parts.hostname or "@" in parts.netloc or any(c.isspace() for c in text):
        raise ValueError(f"{text!r} is not a web address like https://shop.example.com/privacy")
    return text


def _text(value: str) -> str:
    return value.strip()


class WidgetSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # Websites allowed to show the chat in a frame (the widget). Empty: any website.
    allowed_origins: list[str] = Field(default_factory=list, max_length=50)
    brand_color: str = Field(
        DEFAULT_BRAND_COLOR, description="The chat's accent colour, a hex colour like #1d4ed8"
    )
    greeting: str = Field(
        "",
        max_length=500,
        description="The first words of the chat, before the customer writes (empty: the "
        "built-in greeting)",
    )
    position: Literal["right", "left"] = Field(
        "right", description="Which corner of the website the chat button sits in"
    )
    closed_message: str = Field(
        "",
        max_length=500,
        description="Shown outside the office hours of the escalation settings (empty: the "
        "built-in message)",
    )
    suggested_topics: list[str] = Field(
        default_factory=list,
        max_length=MAX_TOPICS,
        description="Questions offered as buttons before the first message; a click sends it",
    )
    privacy_policy_url: str | None = Field(
        None, max_length=500, description="The account's privacy policy, linked from the chat"
    )
    consent_required: bool = Field(
        False,
        description="Ask the customer to agree to the privacy notice before the first message "
        "(recorded as the contact's `chat` consent)",
    )
    prechat_form: Literal["off", "optional", "required"] = Field(
        "off", description="Ask for the customer's name and email before the chat starts"
    )
    email_follow_up: bool = Field(
        True,
        description="Email an agent's reply to a customer who left before it arrived (needs "
        "an email address from the pre-chat form and an SMTP server configured on the server)",
    )
    follow_up_after_minutes: int = Field(
        5, ge=1, le=1440, description="How long a reply stays unseen before it is emailed"
    )

    @field_validator("allowed_origins")
    @classmethod
    def _origins(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(normalise_origin(v) for v in value))

    @field_validator("brand_color")
    @classmethod
    def _color(cls, value: str) -> str:
        return normalise_color(value)

    @field_validator("greeting", "closed_message")
    @classmethod
    def _trimmed(cls, value: str) -> str:
        return _text(value)

    @field_validator("suggested_topics")
    @classmethod
    def _topics(cls, value: list[str]) -> list[str]:
        topics = [_text(v) for v in value]
        for topic in topics:
            if not 0 < len(topic) <= 120:
                raise ValueError("each suggested topic needs 1 to 120 characters")
        return list(dict.fromkeys(topics))

    @field_validator("privacy_policy_url")
    @classmethod
    def _privacy_url(cls, value: str | None) -> str | None:
        return check_web_address(value) if value and value.strip() else None

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
