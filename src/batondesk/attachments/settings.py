"""The account's attachment settings (`Account.settings["attachments"]`), changed through
`actions.settings.do_update_settings` (`PUT /api/v1/admin/settings/attachments`)."""

from __future__ import annotations

import logging
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

SETTINGS_KEY = "attachments"
MEGABYTE = 1024 * 1024
# The server's ceiling: no account can raise its limit above it. The upload routes' request
# body limit (app.py) is this plus room for the multipart envelope and a message.
MAX_ATTACHMENT_BYTES = 25 * MEGABYTE
DEFAULT_ATTACHMENT_BYTES = 10 * MEGABYTE

log = logging.getLogger("batondesk.attachments")


class AttachmentSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    max_bytes: int = Field(
        DEFAULT_ATTACHMENT_BYTES,
        ge=1024,
        le=MAX_ATTACHMENT_BYTES,
        description="The largest file customers and agents may attach, in bytes "
        f"(at most {MAX_ATTACHMENT_BYTES // MEGABYTE} MB)",
    )

    @classmethod
    def for_account(cls, account_settings: dict[str, Any]) -> AttachmentSettings:
        """Stored values that no longer validate fall back to the defaults rather than stop
        every upload."""
        try:
            return cls.model_validate(account_settings.get(SETTINGS_KEY, {}))
        except ValidationError:
            log.warning("invalid stored attachment settings: using the defaults")
            return cls()
