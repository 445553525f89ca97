"""The period a report covers: whole local days in the account's reporting time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from batondesk.errors import InvalidInput

# A year, leap day included: longer reports are better asked as several.
MAX_DAYS = 366
# Dates outside these are typing mistakes, and the previous period of an earlier one, or the
# local midnight after a later one, would fall outside what dates can express.
EARLIEST_DAY = date(1970, 1, 1)
LATEST_DAY = date(2999, 12, 31)


@dataclass(frozen=True)
class ReportPeriod:
    """`first_day`..`last_day`, both included, as local days in `timezone` (an IANA name)."""

    first_day: date
    last_day: date
    timezone: str = "UTC"

    @classmethod
    def checked(cls, first_day: date, last_day: date, timezone: str = "UTC") -> ReportPeriod:
        """The period, or InvalidInput naming what is wrong with it."""
        for name, day in (("from", first_day), ("to", last_day)):
            if not EARLIEST_DAY <= day <= LATEST_DAY:
                raise InvalidInput(
                    f"{name}: {day.isoformat()} is outside {EARLIEST_DAY.isoformat()}.."
                    f"{LATEST_DAY.isoformat()}",
                    code="date_out_of_range",
                )
        if first_day > last_day:
            raise InvalidInput(
                f"the period is reversed: from {first_day.isoformat()} is after "
                f"to {last_day.isoformat()}",
                code="period_reversed",
            )
        period = cls(first_day, last_day, timezone)
        if period.days > MAX_DAYS:
            raise InvalidInput(
                f"the period has {period.days} days; a report covers at most {MAX_DAYS}",
                code="period_too_long",
            )
        return period

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    @property
    def start(self) -> datetime:
        """Local midnight at the start of the first day, in UTC."""
        return _midnight(self.first_day, self.timezone)

    @property
    def end(self) -> datetime:
        """Local midnight at the end of the last day, in UTC (excluded from the period)."""
        return _midnight(self.last_day + timedelta(days=1), self.timezone)

    def previous(self) -> ReportPeriod:
        """The same number of days just before this period."""
        return ReportPeriod(
            self.first_day - timedelta(days=self.days),
            self.first_day - timedelta(days=1),
            self.timezone,
        )

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


def _midnight(day: date, timezone: str) -> datetime:
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(timezone)).astimezone(UTC)
