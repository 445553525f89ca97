"""What an experiment is: its variants (each a validated partial override of the bot's
behaviour), their traffic weights, who is eligible, the metric it is judged on and the
guardrails that stop it. Plain validated data; stored as JSON on the experiment's row.

A variant overrides only what it names; everything else is the account's own setting, so
the control arm (usually no overrides) is exactly what customers meet outside the experiment.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from batondesk.engine.settings import AnsweringSettings
from batondesk.engine.turn import TurnSetup
from batondesk.handoff.settings import EscalationSettings

# A key is part of every customer's bucket hash and of URLs: short, lower case, no spaces.
KEY_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,63}$"
Key = Annotated[str, Field(pattern=KEY_PATTERN)]

# The hand-over thresholds a variant may change (handoff/settings.py gives their ranges).
ESCALATION_OVERRIDES = (
    "learned_threshold",
    "max_unclear_turns",
    "frustration_threshold",
    "frustration_message_threshold",
    "high_stakes_confidence",
)
# "default": the account's template for the intent, else LLM phrasing when configured, else
# the article's own words. "article_words": never the templates, always the article's words
# (or the LLM's phrasing of them when configured).
ReplyStyle = Literal["default", "article_words"]

# Metrics an experiment can be judged on, and the ones that can guard it (experiments.results
# reads each from the KPI rules of reports/kpis.py).
PrimaryMetric = Literal[
    "automated_resolution", "containment", "first_contact_resolution", "csat", "helpful_answer_rate"
]
GuardrailMetric = Literal[
    "hand_over_rate",
    "csat",
    "reopen_rate",
    "ai_precision",
    "wrong_answer_rate",
    "helpful_answer_rate",
]

MAX_VARIANTS = 5


class VariantOverrides(BaseModel):
    """What a variant changes in the bot's turn; every field left out keeps the account's
    setting."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_wrong_rate: float | None = Field(
        None,
        ge=0.001,
        le=0.2,
        allow_inf_nan=False,
        description="The answer policy's risk level (answering settings' max_wrong_rate).",
    )
    reply_style: ReplyStyle | None = Field(
        None, description="`article_words` skips the account's reply templates."
    )
    llm_phrasing: bool | None = Field(
        None,
        description="false: never phrase answers with the LLM. true: phrase them when an LLM "
        "is configured (without one it has no effect, and the experiment says so).",
    )
    escalation: dict[str, float] = Field(
        default_factory=dict,
        description=f"Hand-over thresholds, any of: {', '.join(ESCALATION_OVERRIDES)}.",
    )
    greeting: str | None = Field(
        None, min_length=1, max_length=300, description="The reply to a customer's hello."
    )

    @field_validator("escalation")
    @classmethod
    def _known_thresholds(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(value) - set(ESCALATION_OVERRIDES))
        if unknown:
            raise ValueError(
                f"cannot override {', '.join(unknown)}; a variant may set "
                f"{', '.join(ESCALATION_OVERRIDES)}"
            )
        # The same ranges as the account's own settings.
        try:
            EscalationSettings.model_validate(value)
        except ValidationError as error:
            raise ValueError(validation_problems(error)) from None
        return value

    @field_validator("greeting")
    @classmethod
    def _one_line(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = " ".join(value.split())
        if not value:
            raise ValueError("greeting must not be blank")
        return value

    def apply(self, setup: TurnSetup) -> TurnSetup:
        """`setup` as this variant changes it. The one place a variant shapes a turn."""
        changes: dict[str, Any] = {}
        if self.max_wrong_rate is not None:
            changes["answering"] = AnsweringSettings.model_validate(
                {**setup.answering.model_dump(), "max_wrong_rate": self.max_wrong_rate}
            )
        if self.escalation:
            changes["escalation"] = EscalationSettings.model_validate(
                {**setup.escalation.model_dump(), **self.escalation}
            )
        if self.reply_style == "article_words":
            changes["templates"] = {}
        if self.llm_phrasing is False:
            changes["writer"] = None
        if self.greeting is not None:
            changes["greeting"] = self.greeting
        return replace(setup, **changes) if changes else setup

    def notes(self, *, llm_configured: bool) -> list[str]:
        """Overrides that change nothing on this server, said plainly."""
        if self.llm_phrasing is not None and not llm_configured:
            return ["llm_phrasing has no effect: no LLM is configured (BATON_LLM_BASE_URL)"]
        return []


class Variant(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    key: Key
    name: str = Field(min_length=1, max_length=120)
    control: bool = False
    weight: float = Field(gt=0, le=1000, allow_inf_nan=False, description="relative traffic")
    overrides: VariantOverrides = Field(default_factory=VariantOverrides)


class Eligibility(BaseModel):
    """Who may join. An empty list admits everyone on that dimension. `languages` are read
    from the customer's profile locale ("es" admits "es-MX"), known before the bot's first
    turn, so a customer's arm never depends on how one message was read."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # Row ids are 32-bit on PostgreSQL: a larger number names no inbox (and would fail there).
    inbox_ids: list[Annotated[int, Field(ge=1, le=2**31 - 1)]] = Field(
        default_factory=list, max_length=100
    )
    languages: list[Annotated[str, Field(pattern=r"^[a-z]{2,3}$")]] = Field(
        default_factory=list, max_length=50
    )
    tiers: list[Annotated[str, Field(min_length=1, max_length=20)]] = Field(
        default_factory=list, max_length=50
    )

    def admits(self, *, inbox_id: int, locale: str | None, tier: str | None) -> bool:
        language = (locale or "").split("-")[0].lower()
        return (
            (not self.inbox_ids or inbox_id in self.inbox_ids)
            and (not self.languages or language in self.languages)
            and (not self.tiers or (tier or "standard") in self.tiers)
        )


class Guardrail(BaseModel):
    """Stop the experiment when a variant is worse than control on `metric` by more than
    `max_worsening` (absolute, 0.02 = two points), with always-valid 95% confidence."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    metric: GuardrailMetric
    max_worsening: float = Field(0.0, ge=0, le=1, allow_inf_nan=False)


class ExperimentWords(BaseModel):
    """What people read about an experiment; the only fields that may change once it runs."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=200)
    hypothesis: str = Field("", max_length=2000)


class ExperimentDefinition(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    variants: list[Variant] = Field(min_length=2, max_length=MAX_VARIANTS)
    eligibility: Eligibility = Field(default_factory=Eligibility)
    primary_metric: PrimaryMetric = "automated_resolution"
    guardrails: list[Guardrail] = Field(
        default_factory=lambda: [Guardrail(metric="hand_over_rate", max_worsening=0.05)],
        max_length=4,
    )
    minimum_detectable_effect: float = Field(
        0.05,
        ge=0.005,
        le=0.5,
        allow_inf_nan=False,
        description="The smallest change of the primary metric worth detecting (0.05 = five "
        "points); sets the sample size needed and the sequential test's mixture.",
    )
    baseline_rate: float | None = Field(
        None,
        gt=0,
        lt=1,
        allow_inf_nan=False,
        description="The primary metric's expected rate in control, for the sample size; "
        "without it, control's observed rate (0.5 before any data).",
    )

    @model_validator(mode="after")
    def _one_control_distinct_keys(self) -> ExperimentDefinition:
        keys = [v.key for v in self.variants]
        if len(set(keys)) != len(keys):
            raise ValueError("variant keys must be distinct")
        controls = [v.key for v in self.variants if v.control]
        if len(controls) != 1:
            raise ValueError(f"exactly one variant must be the control, found {len(controls)}")
        metrics = [g.metric for g in self.guardrails]
        if len(set(metrics)) != len(metrics):
            raise ValueError("each guardrail metric may appear once")
        return self

    @property
    def control(self) -> Variant:
        return next(v for v in self.variants if v.control)

    def variant(self, key: str) -> Variant | None:
        return next((v for v in self.variants if v.key == key), None)

    def shares(self) -> dict[str, float]:
        """Each variant's expected share of traffic (weights normalised)."""
        total = sum(v.weight for v in self.variants)
        return {v.key: v.weight / total for v in self.variants}


def validation_problems(error: ValidationError) -> str:
    """A validation error as one line naming each field and what is wrong with it."""
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'value'}: {e['msg']}" for e in error.errors()
    )
