"""Per-account settings of the learning loop: the regression gate's margin and small-slice
rule, the share of live messages the candidate in shadow predicts, and the scheduled retrain
(off unless an admin switches it on).

Stored in `Account.settings["learning"]` as a partial dict over these defaults and changed
through `actions.settings.do_update_settings` (`PUT /api/v1/admin/settings/learning`).
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from batondesk.training.gate import GatePolicy

SETTINGS_KEY = "learning"

log = logging.getLogger("batondesk.training")


class LearningSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # A candidate is refused when overall accuracy, or any judged slice's, falls by more
    # than this many percentage points (and the fall is unlikely to be chance).
    gate_margin_points: float = Field(2.0, ge=0, le=50, allow_inf_nan=False)
    # Slices with fewer examples are shown but not judged: with 12 examples one message is
    # 8 points, far more than the margin.
    gate_min_slice_examples: int = Field(20, ge=1, le=100_000)
    # The chance a fall that large happens between two equally good models (sign test).
    gate_significance: float = Field(0.05, gt=0, le=1, allow_inf_nan=False)
    # Share of customer messages the candidate in shadow predicts. It runs in a background
    # job, never in the customer's turn, so 1.0 costs no latency, only worker CPU.
    shadow_sample_share: float = Field(1.0, gt=0, le=1, allow_inf_nan=False)
    # The scheduled retrain: off by default; when on, a candidate is trained when the last
    # one is at least `retrain_every_days` old and reviewers labelled at least
    # `retrain_min_new_examples` examples since.
    auto_retrain: bool = False
    retrain_every_days: int = Field(7, ge=1, le=365)
    retrain_min_new_examples: int = Field(50, ge=1, le=1_000_000)

    def gate_policy(self) -> GatePolicy:
        return GatePolicy(
            margin_points=self.gate_margin_points,
            min_examples=self.gate_min_slice_examples,
            significance=self.gate_significance,
        )

    @classmethod
    def for_account(cls, account_settings: dict[str, Any]) -> LearningSettings:
        """The account's settings; stored values that no longer validate fall back to the
        defaults rather than stop the loop."""
        try:
            return cls.model_validate(account_settings.get(SETTINGS_KEY, {}))
        except ValidationError:
            log.warning("invalid stored learning settings: using the defaults")
            return cls()
