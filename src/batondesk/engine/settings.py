"""Per-account answering settings: how many wrong answers the account accepts, how the bot
offers choices, and how it describes what it can help with.

Stored in `Account.settings["answering"]` as a partial dict over these defaults, so a new
default reaches every account that did not override it. Set through
`PUT /api/v1/admin/settings/answering` and the admin page.
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from batondesk.engine.answer_policy import DEFAULT_MAX_WRONG_RATE

SETTINGS_KEY = "answering"

log = logging.getLogger("batondesk.engine")


class AnsweringSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # At most this share of the bot's answers may cite the wrong article. Lower: fewer, safer
    # answers (more clarifying questions). Certified on held-out data (engine.answer_policy).
    max_wrong_rate: float = Field(DEFAULT_MAX_WRONG_RATE, ge=0.001, le=0.2, allow_inf_nan=False)
    # Quick replies offered when the bot is not sure enough to answer.
    max_choices: int = Field(3, ge=1, le=4)
    # A candidate is offered as a choice when the policy gives it at least this probability.
    choice_floor: float = Field(0.05, ge=0.0, le=1.0, allow_inf_nan=False)
    # Completes "I can help with ..." when a question is outside what the desk handles.
    scope: str = Field(
        "questions about your account and our products", min_length=3, max_length=300
    )

    @field_validator("scope")
    @classmethod
    def _one_line(cls, value: str) -> str:
        value = " ".join(value.split())
        if not value:
            raise ValueError("scope must not be empty")
        return value

    @classmethod
    def for_account(cls, account_settings: dict[str, Any]) -> AnsweringSettings:
        """The account's settings; stored values that no longer validate fall back to the
        defaults rather than break the customer's turn."""
        try:
            return cls.model_validate(account_settings.get(SETTINGS_KEY, {}))
        except ValidationError:
            log.warning("invalid stored answering settings: using the defaults")
            return cls()
