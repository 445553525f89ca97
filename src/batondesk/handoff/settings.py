"""Per-account escalation settings: which signals apply, their thresholds, queue and SLA.

Stored in `Account.settings["escalation"]` as a partial dict over these defaults, so a new
default reaches every account that did not override it.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from batondesk.handoff.sensitive import CATEGORIES

# Chosen on the validation split of the escalation sets (docs/benchmarks.md).
DEFAULT_LEARNED_THRESHOLD = 0.9
SIGNALS = (
    "explicit_request",
    "sensitive",
    "frustration",
    "repeated_failure",
    "learned_model",
    "low_confidence",
    "vip",
)
SETTINGS_KEY = "escalation"

log = logging.getLogger("batondesk.handoff")

# An intent or tier name.
Label = Annotated[str, Field(min_length=1, max_length=80)]


# A year: longer targets are typing mistakes, and would overflow date arithmetic.
MAX_MINUTES = 365 * 24 * 60


class SlaTarget(BaseModel):
    model_config = ConfigDict(extra="forbid")

    first_response_minutes: int = Field(gt=0, le=MAX_MINUTES)
    resolution_minutes: int = Field(gt=0, le=MAX_MINUTES)

    @model_validator(mode="after")
    def _first_response_before_resolution(self) -> SlaTarget:
        if self.first_response_minutes > self.resolution_minutes:
            raise ValueError(
                f"first_response_minutes ({self.first_response_minutes}) is after "
                f"resolution_minutes ({self.resolution_minutes}); the first reply is due first"
            )
        return self


class OfficeHours(BaseModel):
    """When people answer. Days are ISO weekdays (1 = Monday); times are local HH:MM."""

    model_config = ConfigDict(extra="forbid")

    timezone: str = Field("UTC", max_length=64)
    days: list[Annotated[int, Field(ge=1, le=7)]] = Field(
        default_factory=lambda: [1, 2, 3, 4, 5], min_length=1, max_length=7
    )
    opens: str = "08:00"
    closes: str = "20:00"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo

        try:
            ZoneInfo(value)
        except Exception:
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @field_validator("days")
    @classmethod
    def _distinct_days(cls, value: list[int]) -> list[int]:
        return sorted(set(value))

    @field_validator("opens", "closes")
    @classmethod
    def _clock(cls, value: str) -> str:
        hours, _, minutes = value.partition(":")
        if not (
            hours.isdigit()
            and minutes.isdigit()
            and len(value) <= 5
            and (0 <= int(hours) <= 23 or value == "24:00")
            and 0 <= int(minutes) < 60
        ):
            raise ValueError("times are HH:MM")
        return value


def _default_sla() -> dict[str, SlaTarget]:
    return {
        "urgent": SlaTarget(first_response_minutes=5, resolution_minutes=240),
        "high": SlaTarget(first_response_minutes=15, resolution_minutes=480),
        "normal": SlaTarget(first_response_minutes=60, resolution_minutes=1440),
        "low": SlaTarget(first_response_minutes=240, resolution_minutes=2880),
    }


class EscalationSettings(BaseModel):
    """Every field can be set per account through `PUT /api/v1/admin/settings/escalation`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled_signals: list[str] = Field(default_factory=lambda: list(SIGNALS))
    sensitive_categories: list[str] = Field(default_factory=lambda: list(CATEGORIES))
    # Conversation frustration (0..1) at which a person takes over, and the level at which one
    # message alone is enough.
    frustration_threshold: float = Field(0.45, ge=0, le=1)
    frustration_message_threshold: float = Field(0.5, ge=0, le=1)
    # Consecutive turns the bot could not place (low confidence or out of scope), this one
    # included, before handing over.
    max_unclear_turns: int = Field(3, ge=1, le=20)
    # Content-word overlap (0..1) with an earlier message that counts as asking again.
    rephrase_similarity: float = Field(0.6, ge=0, le=1)
    # The learned model's probability that a person is needed (handoff.learned) at which it
    # hands over when no rule has; below 0.5 it would overrule its own "no".
    learned_threshold: float = Field(DEFAULT_LEARNED_THRESHOLD, ge=0.5, le=1)
    # Intents where a wrong answer is costly: below this confidence a person answers.
    high_stakes_intents: list[Label] = Field(default_factory=list, max_length=500)
    high_stakes_confidence: float = Field(0.8, ge=0, le=1)
    vip_tiers: list[Label] = Field(default_factory=lambda: ["vip"], max_length=50)
    # Queue
    auto_assign: bool = True
    max_open_per_agent: int = Field(5, ge=1, le=100)
    # Waiting this long raises a queued conversation's priority by one step.
    priority_aging_minutes: int = Field(20, ge=1, le=MAX_MINUTES)
    # A customer writing about the same intent again within this many days of an earlier
    # conversation is a repeat contact: its priority rises, the console and the packet flag
    # it, and the reports count the earlier one as not resolved at first contact.
    repeat_contact_days: int = Field(7, ge=1, le=90)
    sla: dict[str, SlaTarget] = Field(default_factory=_default_sla)
    # None: staffed around the clock (the customer is then always offered a place in the queue).
    office_hours: OfficeHours | None = None
    # Used for the expected wait before enough history exists.
    average_handle_minutes: float = Field(8.0, gt=0, le=24 * 60, allow_inf_nan=False)

    @field_validator("enabled_signals")
    @classmethod
    def _known_signals(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - set(SIGNALS))
        if unknown:
            raise ValueError(f"unknown signals: {', '.join(unknown)}; known: {', '.join(SIGNALS)}")
        return value

    @field_validator("sensitive_categories")
    @classmethod
    def _known_categories(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - set(CATEGORIES))
        if unknown:
            raise ValueError(f"unknown categories: {', '.join(unknown)}")
        return value

    @field_validator("sla")
    @classmethod
    def _known_priorities(cls, value: dict[str, SlaTarget]) -> dict[str, SlaTarget]:
        unknown = sorted(set(value) - {"low", "normal", "high", "urgent"})
        if unknown:
            raise ValueError(f"unknown priorities: {', '.join(unknown)}")
        return {**_default_sla(), **value}

    def signal_on(self, signal: str) -> bool:
        return signal in self.enabled_signals

    @classmethod
    def for_account(cls, account_settings: dict[str, Any]) -> EscalationSettings:
        """The account's settings. Stored values that no longer validate (written before a
        range existed) fall back to the defaults, so a customer is never refused a person."""
        try:
            return cls.model_validate(account_settings.get(SETTINGS_KEY, {}))
        except ValidationError:
            log.warning("invalid stored escalation settings: using the defaults")
            return cls()

    def thresholds(self) -> dict[str, Any]:
        """The thresholds a decision used, as recorded in its evidence."""
        return {
            "frustration": self.frustration_threshold,
            "frustration_message": self.frustration_message_threshold,
            "max_unclear_turns": self.max_unclear_turns,
            "rephrase_similarity": self.rephrase_similarity,
            "learned": self.learned_threshold,
            "high_stakes_confidence": self.high_stakes_confidence,
        }
