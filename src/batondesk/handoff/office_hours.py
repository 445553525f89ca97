"""When people answer: the account's office hours as spans of time, for "is anyone in now?"
(what the customer is told at a hand-over) and for waits counted in business hours (reports)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from batondesk.handoff.settings import OfficeHours

_MINUTES_PER_DAY = 24 * 60


def open_span(hours: OfficeHours, day: date) -> tuple[datetime, datetime] | None:
    """The open span (UTC) of the local calendar `day`, or None when the team is closed all
    day. A closing time at or before the opening time means open the whole day."""
    if day.isoweekday() not in hours.days:
        return None
    opens, closes = _minutes(hours.opens), _minutes(hours.closes)
    if closes <= opens:
        opens, closes = 0, _MINUTES_PER_DAY
    zone = ZoneInfo(hours.timezone)
    return _at(day, opens, zone), _at(day, closes, zone)


def is_open(hours: OfficeHours | None, now: datetime) -> bool:
    """Whether `now` (aware) is within office hours; no office hours means always open."""
    if hours is None:
        return True
    span = open_span(hours, now.astimezone(ZoneInfo(hours.timezone)).date())
    return span is not None and span[0] <= now < span[1]


def open_seconds(hours: OfficeHours | None, start: datetime, end: datetime) -> float:
    """Seconds between `start` and `end` (aware) during which office hours were open; all of
    them when the account has no office hours (staffed around the clock)."""
    if end <= start:
        return 0.0
    if hours is None:
        return (end - start).total_seconds()
    zone = ZoneInfo(hours.timezone)
    day, last_day = start.astimezone(zone).date(), end.astimezone(zone).date()
    total = 0.0
    while day <= last_day:
        span = open_span(hours, day)
        if span is not None:
            overlap = (min(end, span[1]) - max(start, span[0])).total_seconds()
            total += max(0.0, overlap)
        day += timedelta(days=1)
    return total


def _minutes(clock: str) -> int:
    hours, minutes = (int(part) for part in clock.split(":"))
    return hours * 60 + minutes


def _at(day: date, minutes: int, zone: ZoneInfo) -> datetime:
    """Local wall-clock time `minutes` after the start of `day`, in UTC (24:00 is the next
    day's midnight)."""
    day += timedelta(days=minutes // _MINUTES_PER_DAY)
    minutes %= _MINUTES_PER_DAY
    local = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=zone)
    return local.astimezone(UTC)
