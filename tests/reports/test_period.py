"""A report's period: whole local days in the account's time zone, and the one before it."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from batondesk.errors import InvalidInput
from batondesk.reports import MAX_DAYS, ReportPeriod


def test_local_days_become_utc_bounds_across_a_clock_change() -> None:
    # Berlin moves from UTC+1 to UTC+2 on Sunday 29 March 2026.
    period = ReportPeriod.checked(date(2026, 3, 23), date(2026, 3, 29), "Europe/Berlin")
    assert period.start == datetime(2026, 3, 22, 23, tzinfo=UTC)
    assert period.end == datetime(2026, 3, 29, 22, tzinfo=UTC)
    assert period.contains(datetime(2026, 3, 29, 21, 59, tzinfo=UTC))
    assert not period.contains(datetime(2026, 3, 29, 22, tzinfo=UTC))


def test_the_previous_period_has_as_many_days_just_before() -> None:
    period = ReportPeriod.checked(date(2026, 3, 1), date(2026, 3, 31))
    previous = period.previous()
    assert (previous.first_day, previous.last_day) == (date(2026, 1, 29), date(2026, 2, 28))
    assert previous.end == period.start and previous.days == period.days == 31
    one_day = ReportPeriod.checked(date(2026, 1, 1), date(2026, 1, 1)).previous()
    assert (one_day.first_day, one_day.last_day) == (date(2025, 12, 31), date(2025, 12, 31))


@pytest.mark.parametrize(
    ("first", "last", "code"),
    [
        (date(2026, 1, 2), date(2026, 1, 1), "period_reversed"),
        (date(2024, 1, 1), date(2024, 12, 31), None),  # a leap year: 366 days
        (date(2024, 1, 1), date(2025, 1, 1), "period_too_long"),
        (date(1969, 12, 31), date(1970, 1, 1), "date_out_of_range"),
        (date(2999, 12, 31), date(3000, 1, 1), "date_out_of_range"),
    ],
)
def test_periods_that_cannot_be_reported(first: date, last: date, code: str | None) -> None:
    if code is None:
        assert ReportPeriod.checked(first, last).days == MAX_DAYS
        return
    with pytest.raises(InvalidInput) as refused:
        ReportPeriod.checked(first, last)
    assert refused.value.code == code
