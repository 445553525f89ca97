"""Per-account recommendation settings.

Stored in `Account.settings["recommendations"]` as a partial dict over these defaults (like the
answering and escalation settings) and set through `PUT /api/v1/admin/settings/recommendations`.
Off by default: the catalogue is the demo bank's (catalogue.py), so an account turns
recommendations on once its products are the ones offered. Whatever these say, a contact
without marketing consent is never recommended anything (actions/recommendations.py).
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

SETTINGS_KEY = "recommendations"

log = logging.getLogger("batondesk.customers")


class RecommendationSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # Agents see the next-best offers in the handoff packet (and GET .../recommendations).
    enabled: bool = False
    # The bot offers the best one, with its reason, after a question it resolved: once per
    # conversation at most, and only one backed by the customer's own figures.
    offer_in_chat: bool = True
    # How many offers agents see.
    shown: int = Field(3, ge=1, le=5)

    @classmethod
    def for_account(cls, account_settings: dict[str, Any]) -> RecommendationSettings:
        """The account's settings; stored values that no longer validate fall back to the
        defaults (recommendations off) rather than break a turn."""
        try:
            return cls.model_validate(account_settings.get(SETTINGS_KEY, {}))
        except ValidationError:
            log.warning("invalid stored recommendation settings: using the defaults")
            return cls()
