"""Office hours as spans of time: open or not, and how much of a wait fell in business hours."""

from __future__ import annotations

from datetime import UTC, datetime

from batondesk.handoff.office_hours import is_open, open_seconds
from batondesk.handoff.settings import OfficeHours

# Berlin is UTC+1 in winter and UTC+2 in summer (clocks went forward on 29 March 2026).
BERLIN = OfficeHours(timezone="Europe/Berlin", days=[1, 2, 3, 4, 5], opens="09:00", closes="17:00")


def _utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def test_a_wait_over_a_weekend_counts_only_the_open_hours() -> None:
    # Friday 16:30 Berlin (15:30 UTC) to Monday 09:15 Berlin (08:15 UTC): 30 + 15 minutes.
    assert open_seconds(BERLIN, _utc(2026, 1, 9, 15, 30), _utc(2026, 1, 12, 8, 15)) == 45 * 60


def test_a_wait_entirely_while_closed_is_zero() -> None:
    # Saturday, and a weekday evening.
    assert open_seconds(BERLIN, _utc(2026, 1, 10, 9), _utc(2026, 1, 10, 15)) == 0
    assert open_seconds(BERLIN, _utc(2026, 1, 12, 17), _utc(2026, 1, 12, 20)) == 0


def test_the_opening_and_closing_minutes_follow_the_local_offset() -> None:
    # In summer 09:00 Berlin is 07:00 UTC: 07:00-08:00 UTC is one open hour.
    assert open_seconds(BERLIN, _utc(2026, 6, 1, 6), _utc(2026, 6, 1, 8)) == 3600
    assert is_open(BERLIN, _utc(2026, 6, 1, 7)) and not is_open(BERLIN, _utc(2026, 6, 1, 6, 59))
    # The night of the change to summer time (Friday 27 to Monday 30 March): Friday
    # 16:00-17:00 CET and Monday 09:00-10:00 CEST.
    assert open_seconds(BERLIN, _utc(2026, 3, 27, 15), _utc(2026, 3, 30, 8)) == 2 * 3600


def test_without_office_hours_every_second_counts() -> None:
    assert open_seconds(None, _utc(2026, 1, 10, 9), _utc(2026, 1, 10, 10, 30)) == 5400
    assert open_seconds(None, _utc(2026, 1, 10, 10), _utc(2026, 1, 10, 9)) == 0


def test_closing_at_or_before_opening_means_open_all_day_on_those_days() -> None:
    all_day = OfficeHours(timezone="UTC", days=[6, 7], opens="22:00", closes="06:00")
    # Saturday and Sunday in full, nothing on Friday or Monday.
    assert open_seconds(all_day, _utc(2026, 1, 9, 12), _utc(2026, 1, 12, 12)) == 2 * 86400
    until_midnight = OfficeHours(timezone="UTC", days=[1], opens="20:00", closes="24:00")
    assert open_seconds(until_midnight, _utc(2026, 1, 12, 19), _utc(2026, 1, 13, 1)) == 4 * 3600
    assert is_open(until_midnight, _utc(2026, 1, 12, 23, 59, 59))
