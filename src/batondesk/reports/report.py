"""A KPI report: the period and the one before it, optionally per group, as the API returns it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal, get_args
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from batondesk.handoff.settings import EscalationSettings, OfficeHours
from batondesk.reports.definitions import DIMENSIONS, ReportContext, Windows
from batondesk.reports.figures import Kpis
from batondesk.reports.history import ConversationHistory
from batondesk.reports.kpis import compute_kpis
from batondesk.reports.loading import load_histories, load_labels
from batondesk.reports.period import ReportPeriod
from batondesk.reports.rollups import NO_VALUE, read_period_tallies
from batondesk.reports.settings import CostSettings, ReviewSettings
from batondesk.store.base import utcnow
from batondesk.store.models import Account

GroupBy = Literal[
    "inbox", "channel", "team", "agent", "intent", "language", "reason", "tier", "arm"
]
assert set(get_args(GroupBy)) == set(DIMENSIONS)


class PeriodPublic(BaseModel):
    first_day: date
    last_day: date
    start: datetime = Field(description="local midnight starting the first day, in UTC")
    end: datetime = Field(description="local midnight ending the last day, in UTC (excluded)")

    @classmethod
    def of(cls, period: ReportPeriod) -> PeriodPublic:
        return cls(
            first_day=period.first_day, last_day=period.last_day, start=period.start, end=period.end
        )


class WindowsPublic(BaseModel):
    repeat_contact_days: float
    confirmation_hours: float
    durability_days: float


class KpiGroup(BaseModel):
    key: str | None = Field(description="the group's value (an id for inbox, team and agent)")
    label: str | None
    current: Kpis
    previous: Kpis


class KpiReport(BaseModel):
    timezone: str = Field(description="the account's reporting time zone (its office hours')")
    as_of: datetime = Field(description="events up to this moment are counted")
    period: PeriodPublic
    previous_period: PeriodPublic
    windows: WindowsPublic
    current: Kpis
    previous: Kpis
    group_by: GroupBy | None
    groups: list[KpiGroup]


@dataclass(frozen=True)
class ReportInputs:
    """What every view of one report is computed from: the loaded histories (the period, the
    previous one, and later conversations where returns are found), the period, the rules'
    context and the names of a breakdown's ids."""

    histories: list[ConversationHistory]
    period: ReportPeriod
    context: ReportContext
    labels: dict[str, str]


def load_report_inputs(
    session: Session,
    account_id: int,
    first_day: date,
    last_day: date,
    *,
    group_by: GroupBy | None = None,
    as_of: datetime | None = None,
) -> ReportInputs:
    """Read what a report of `first_day`..`last_day` needs (local days in the account's office
    hours' time zone, UTC without office hours). Raises InvalidInput for a period it cannot
    report."""
    hours = _office_hours(session, account_id)
    period = ReportPeriod.checked(first_day, last_day, hours.timezone if hours else "UTC")
    as_of = as_of or utcnow()
    histories = load_histories(session, account_id, period.previous().start, period.end, as_of)
    labels = load_labels(session, account_id, group_by) if group_by else {}
    account = session.get(Account, account_id)
    assert account is not None
    context = ReportContext.of(
        histories,
        as_of,
        hours,
        Windows.for_account(account.settings),
        costs=CostSettings.for_account(account.settings),
        reviews=ReviewSettings.for_account(account.settings),
    )
    return ReportInputs(histories, period, context, labels)


def _office_hours(session: Session, account_id: int) -> OfficeHours | None:
    account = session.get(Account, account_id)
    assert account is not None
    return EscalationSettings.for_account(account.settings).office_hours


def reporting_today(session: Session, account_id: int, now: datetime | None = None) -> date:
    """Today's date in the account's reporting time zone (its office hours', else UTC): where
    a default period ends."""
    hours = _office_hours(session, account_id)
    moment = now or utcnow()
    return moment.astimezone(ZoneInfo(hours.timezone)).date() if hours else moment.date()


def build_kpi_report(
    session: Session,
    account_id: int,
    first_day: date,
    last_day: date,
    *,
    group_by: GroupBy | None = None,
    as_of: datetime | None = None,
    refresh_first: bool = True,
) -> KpiReport:
    """The account's KPIs for `first_day`..`last_day` (local days in the account's office
    hours' time zone, UTC without office hours), added up from the stored day tallies
    (`rollups.py`), which are first brought up to `as_of` (default now) when
    `refresh_first`. Raises InvalidInput for a period it cannot report."""
    hours = _office_hours(session, account_id)
    period = ReportPeriod.checked(first_day, last_day, hours.timezone if hours else "UTC")
    now = as_of or utcnow()
    tallies = read_period_tallies(
        session, account_id, period, group_by, now, refresh_first=refresh_first
    )
    account = session.get(Account, account_id)
    assert account is not None
    costs = CostSettings.for_account(account.settings)
    previous = period.previous()
    labels = load_labels(session, account_id, group_by) if group_by else {}
    groups = [
        KpiGroup(
            key=None if value == NO_VALUE else value,
            label=None if value == NO_VALUE else labels.get(value, value),
            current=current.figures(period.first_day, period.days, costs),
            previous=before.figures(previous.first_day, previous.days, costs),
        )
        for value, (current, before) in sorted(
            tallies.groups.items(), key=lambda item: (item[0] == NO_VALUE, item[0])
        )
    ]
    return _assemble(
        period,
        tallies.as_of,
        tallies.current.figures(period.first_day, period.days, costs),
        tallies.previous.figures(previous.first_day, previous.days, costs),
        group_by,
        groups,
        Windows.for_account(account.settings),
    )


def kpi_report(
    histories: Sequence[ConversationHistory],
    period: ReportPeriod,
    context: ReportContext,
    *,
    group_by: GroupBy | None = None,
    labels: Mapping[str, str] | None = None,
) -> KpiReport:
    previous = period.previous()
    groups = []
    if group_by is not None:
        members: dict[str | None, list[ConversationHistory]] = defaultdict(list)
        for history in histories:
            if _counts_in(history, period) or _counts_in(history, previous):
                value = DIMENSIONS[group_by](history)
                members[None if value is None else str(value)].append(history)
        for key in sorted(members, key=lambda k: (k is None, k or "")):
            group = members[key]
            groups.append(
                KpiGroup(
                    key=key,
                    label=None if key is None else (labels or {}).get(key, key),
                    current=compute_kpis(group, period, context),
                    previous=compute_kpis(group, previous, context),
                )
            )
    return _assemble(
        period,
        context.as_of,
        compute_kpis(histories, period, context),
        compute_kpis(histories, previous, context),
        group_by,
        groups,
        context.windows,
    )


def _assemble(
    period: ReportPeriod,
    as_of: datetime,
    current: Kpis,
    previous: Kpis,
    group_by: GroupBy | None,
    groups: list[KpiGroup],
    windows: Windows,
) -> KpiReport:
    return KpiReport(
        timezone=period.timezone,
        as_of=as_of,
        period=PeriodPublic.of(period),
        previous_period=PeriodPublic.of(period.previous()),
        windows=WindowsPublic(
            repeat_contact_days=windows.repeat_contact.total_seconds() / 86400,
            confirmation_hours=windows.confirmation.total_seconds() / 3600,
            durability_days=windows.durability.total_seconds() / 86400,
        ),
        current=current,
        previous=previous,
        group_by=group_by,
        groups=groups,
    )


def _counts_in(history: ConversationHistory, period: ReportPeriod) -> bool:
    """Whether the conversation contributes to `period`: opened in it, or a response cycle or
    a queue entry of it starts in it."""
    return period.contains(history.opened_at) or any(
        period.contains(e.at)
        for e in history.of_type("conversation.reopened", "conversation.escalated")
    )
