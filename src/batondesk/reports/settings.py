"""Per-account settings the reports read: the cost model and the share of the bot's answers
drawn into the random review sample (docs/metrics.md, "Cost" and "AI accuracy").

Stored in `Account.settings["costs"]` and `Account.settings["answer_reviews"]` as partial
dicts over these defaults, like the escalation and answering settings, and changed through
`actions.settings.do_update_settings` (`PUT /api/v1/admin/settings/costs`,
`PUT /api/v1/admin/settings/answer-reviews`, the Reports page's cost form).
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

COSTS_KEY = "costs"
REVIEWS_KEY = "answer_reviews"

log = logging.getLogger("batondesk.reports")


class CostSettings(BaseModel):
    """What a conversation costs, in the account's `currency`. The defaults are illustrative
    (a support agent at 25 per hour, a local model at a fraction of a cent per message): an
    account sets its own."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    currency: str = Field("USD", pattern=r"^[A-Z]{3}$", description="ISO 4217 code, e.g. EUR")
    agent_cost_per_hour: float = Field(25.0, ge=0, le=10_000, allow_inf_nan=False)
    ai_cost_per_bot_message: float = Field(0.002, ge=0, le=100, allow_inf_nan=False)
    ai_cost_per_1k_tokens: float = Field(
        0.0, ge=0, le=1_000, allow_inf_nan=False, description="LLM tokens, prompt and reply"
    )
    fixed_cost_per_conversation: float = Field(0.0, ge=0, le=10_000, allow_inf_nan=False)

    @classmethod
    def for_account(cls, account_settings: dict[str, Any]) -> CostSettings:
        """The account's cost model; stored values that no longer validate fall back to the
        defaults rather than break the Reports page."""
        try:
            return cls.model_validate(account_settings.get(COSTS_KEY, {}))
        except ValidationError:
            log.warning("invalid stored cost settings: using the defaults")
            return cls()


class ReviewSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # The share of the bot's answers drawn into the random review sample. 5% of a few
    # thousand answers a month is a sample a team reviews in an hour and that gives precision
    # within a few points.
    sample_share: float = Field(0.05, gt=0, le=1, allow_inf_nan=False)

    @classmethod
    def for_account(cls, account_settings: dict[str, Any]) -> ReviewSettings:
        try:
            return cls.model_validate(account_settings.get(REVIEWS_KEY, {}))
        except ValidationError:
            log.warning("invalid stored answer review settings: using the defaults")
            return cls()
