"""A/B experiments of the bot's behaviour: one row per experiment, its definition as JSON.

The definition (variants and their overrides, weights, eligibility, metrics) is validated by
`experiments.definition.ExperimentDefinition` before it is stored; assignments and exposures
are events (`experiment.assigned`, `experiment.exposed`), not rows, so results are computed
from the one event log like every other KPI.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from batondesk.store.base import Base, TenantMixin


class ExperimentStatus(enum.StrEnum):
    draft = "draft"  # editable; no customer sees it
    running = "running"  # assigning customers; variants and weights locked
    stopped = "stopped"  # final: by hand, or a guardrail breached


class Experiment(Base, TenantMixin):
    __tablename__ = "experiments"
    __table_args__ = (UniqueConstraint("account_id", "key"),)

    # Part of every customer's bucket hash: changing it would reshuffle the arms.
    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    hypothesis: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ExperimentStatus] = mapped_column(
        Enum(ExperimentStatus, native_enum=False, length=20),
        default=ExperimentStatus.draft,
        index=True,
    )
    definition: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    stopped_at: Mapped[datetime | None] = mapped_column(default=None)
    stop_reason: Mapped[str | None] = mapped_column(String(300), default=None)
    # The background guardrail check reads results at most this often per experiment.
    guardrails_checked_at: Mapped[datetime | None] = mapped_column(default=None)
