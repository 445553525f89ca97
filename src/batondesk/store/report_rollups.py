"""Pre-aggregated reports: one KPI tally per account, local day and dimension value, and the
same added up per week, kept current from the event log (`reports/rollups.py`). Rows hold
counts and durations of the KPIs, never message text or personal data; they can always be
dropped and counted again from the events."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from batondesk.store.base import Base, TenantMixin


class StoredTally(TenantMixin):
    """The columns of a stored tally: of all the conversations of its days (dimension "all")
    or of those with one value of a breakdown dimension (`value` "" when they have none: no
    team, no intent...)."""

    dimension: Mapped[str] = mapped_column(String(20))
    value: Mapped[str] = mapped_column(String(200))
    counts: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Every duration measured (float64 seconds), and the same as a log-spaced histogram that
    # reports read instead when they add up too many durations (reports/tally.py).
    durations: Mapped[bytes] = mapped_column(LargeBinary)
    histogram: Mapped[bytes] = mapped_column(LargeBinary)
    measured: Mapped[int] = mapped_column(Integer)
    counted_at: Mapped[datetime] = mapped_column()
    # The tally no longer holds after this moment even with no new event (a window closes).
    changes_at: Mapped[datetime | None] = mapped_column(default=None)


class ReportDayTally(Base, StoredTally):
    """The tally of one local day of the account's reporting time zone."""

    __tablename__ = "report_day_tallies"
    __table_args__ = (
        Index(
            "ix_report_day_tallies_lookup", "account_id", "dimension", "day", "value", unique=True
        ),
        Index("ix_report_day_tallies_changes_at", "changes_at"),  # the days to count again
    )

    day: Mapped[date] = mapped_column(Date)


class ReportWeekTally(Base, StoredTally):
    """The sum of the day tallies of one ISO week (Monday to Sunday, local days), for every
    dimension value: what a report reads for the whole weeks of its period. Stored only while
    all seven days are counted, and replaced whenever one of them is counted again."""

    __tablename__ = "report_week_tallies"
    __table_args__ = (
        Index(
            "ix_report_week_tallies_lookup",
            "account_id",
            "dimension",
            "week",
            "value",
            unique=True,
        ),
    )

    week: Mapped[date] = mapped_column(Date)  # its Monday


class ReportRollupState(Base):
    """Per account: how far the event log has been read into the tallies, and what the
    tallies were counted under (a change of time zone, office hours or review sample share
    makes every tally stale)."""

    __tablename__ = "report_rollup_states"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    fingerprint: Mapped[str] = mapped_column(String(64))
    last_event_id: Mapped[int] = mapped_column(Integer, default=0)
    refreshed_at: Mapped[datetime] = mapped_column()
