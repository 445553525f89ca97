"""Reports added up from the stored day tallies (reports/rollups.py) give exactly what the
same rules give read from every event (the golden test pins the rules themselves), and stay
so as events arrive, as time passes and as the account's reporting settings change. On
SQLite, and on PostgreSQL when BATON_TEST_DATABASE_URL is set. Whole weeks of a period are
read as their stored sums: they give the very same report as their days, to the last bit."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import numpy as np
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from batondesk.cli.reports import app as reports_cli
from batondesk.demo.history import simulate_history
from batondesk.demo.seed import seed_demo
from batondesk.reports.definitions import DIMENSIONS
from batondesk.reports.report import build_kpi_report, kpi_report, load_report_inputs
from batondesk.reports.rollups import week_of
from batondesk.reports.tally import (
    RELATIVE_ERROR,
    SecondsHistogram,
    TallySum,
    _merged_histogram,
    histogram_of,
)
from batondesk.store import Database
from batondesk.store.models import Account, ReportDayTally, ReportWeekTally

# The simulated history ends at midnight today, so runs on different days compare alike.
END = datetime.combine(datetime.now(UTC).date(), time(), UTC)
LAST_DAY = (END - timedelta(days=1)).date()
# Four weeks from a Wednesday to a Tuesday: three whole weeks with 5 days before them and 2
# after, and the same shape in the previous period. Once a report of it has counted its days,
# seven weeks have all their days counted and are added up: those six, and the one across the
# two periods (which the report reads as days).
WEEKS_LAST = LAST_DAY - timedelta(days=(LAST_DAY.weekday() - 1) % 7)
WEEKS_FIRST = WEEKS_LAST - timedelta(days=27)
ADDED_WEEKS = {WEEKS_FIRST + timedelta(days=5 + 7 * i) for i in range(-4, 3)}


@pytest.fixture
def account_id(db: Database) -> int:
    summary = seed_demo(db)
    simulate_history(db, conversations=400, days=40, seed=3, end=END)
    return summary.account_id


def _from_rollups(
    db: Database, account_id: int, first: date, last: date, as_of: datetime, **options: Any
) -> dict[str, Any]:
    with db.session() as session:
        report = build_kpi_report(session, account_id, first, last, as_of=as_of, **options)
    return report.model_dump(mode="json")


def _from_events(
    db: Database, account_id: int, first: date, last: date, as_of: datetime, group_by: Any = None
) -> dict[str, Any]:
    with db.session() as session:
        inputs = load_report_inputs(
            session, account_id, first, last, group_by=group_by, as_of=as_of
        )
    return kpi_report(
        inputs.histories, inputs.period, inputs.context, group_by=group_by, labels=inputs.labels
    ).model_dump(mode="json")


def _assert_same(rolled: dict[str, Any], counted: dict[str, Any]) -> None:
    for period in ("current", "previous"):
        for kpi in counted[period]:
            assert rolled[period][kpi] == counted[period][kpi], f"{period}.{kpi}"
    assert [g["key"] for g in rolled["groups"]] == [g["key"] for g in counted["groups"]]
    assert rolled == counted


def _assert_same_but_polarity_ties(rolled: dict[str, Any], counted: dict[str, Any]) -> None:
    """As `_assert_same`, except that a mean polarity may differ in its last digit. The mean of
    a few 4-decimal polarities often falls exactly halfway between two 4-decimal values, and
    which way a floating-point sum of them rounds there depends on the order it was added in:
    the events add conversation by conversation, the stored tallies day by day (whole weeks
    or not: they add exactly as their days do)."""
    for path, mine, theirs in _differences(rolled, counted):
        assert "/sentiment/" in path and path.endswith("/mean"), (path, mine, theirs)
        assert abs(mine - theirs) <= 0.000_100_1, (path, mine, theirs)


def _differences(mine: Any, theirs: Any, path: str = "") -> Iterator[tuple[str, Any, Any]]:
    if isinstance(mine, dict) and isinstance(theirs, dict):
        for key in mine.keys() | theirs.keys():
            yield from _differences(mine.get(key), theirs.get(key), f"{path}/{key}")
    elif isinstance(mine, list) and isinstance(theirs, list) and len(mine) == len(theirs):
        for index, (one, other) in enumerate(zip(mine, theirs, strict=True)):
            yield from _differences(one, other, f"{path}[{index}]")
    elif mine != theirs:
        yield path, mine, theirs


@pytest.mark.parametrize("group_by", [None, *DIMENSIONS])
def test_stored_tallies_give_the_report_the_events_give(
    db: Database, account_id: int, group_by: str | None
) -> None:
    first = LAST_DAY - timedelta(days=13)
    rolled = _from_rollups(db, account_id, first, LAST_DAY, END, group_by=group_by)
    assert rolled["current"]["conversations"] > 50
    _assert_same(rolled, _from_events(db, account_id, first, LAST_DAY, END, group_by))


def test_new_events_are_in_the_next_report(db: Database, account_id: int) -> None:
    first = LAST_DAY - timedelta(days=6)
    before = _from_rollups(db, account_id, first, LAST_DAY, END)
    # More customers write in the same days: new rows of the event log, in days already
    # counted; some are the earlier customers' repeat contacts.
    simulate_history(db, conversations=60, days=7, seed=4, end=END)
    after = _from_rollups(db, account_id, first, LAST_DAY, END)
    assert after["current"]["conversations"] > before["current"]["conversations"]
    _assert_same(after, _from_events(db, account_id, first, LAST_DAY, END))


def test_figures_that_change_with_time_alone_are_counted_again(
    db: Database, account_id: int
) -> None:
    first = LAST_DAY - timedelta(days=6)
    early = _from_rollups(db, account_id, first, LAST_DAY, END)
    assert early["current"]["first_contact_resolution"]["pending"] > 0
    later = END + timedelta(days=8)  # every return window has closed; no new event
    settled = _from_rollups(db, account_id, first, LAST_DAY, later)
    assert settled["current"]["first_contact_resolution"]["pending"] == 0
    _assert_same(settled, _from_events(db, account_id, first, LAST_DAY, later))


def test_a_new_reporting_time_zone_counts_every_day_again(db: Database, account_id: int) -> None:
    first = LAST_DAY - timedelta(days=6)
    _from_rollups(db, account_id, first, LAST_DAY, END)
    with db.session() as session:
        account = session.get(Account, account_id)
        assert account is not None
        escalation = dict(account.settings.get("escalation", {}))
        escalation["office_hours"] = {"timezone": "Pacific/Auckland"}
        account.settings = {**account.settings, "escalation": escalation}
    rolled = _from_rollups(db, account_id, first, LAST_DAY, END, group_by="intent")
    assert rolled["timezone"] == "Pacific/Auckland"
    _assert_same(rolled, _from_events(db, account_id, first, LAST_DAY, END, "intent"))


def test_in_background_mode_a_report_says_how_current_it_is(
    db: Database, account_id: int, cli_env: None
) -> None:
    first = LAST_DAY - timedelta(days=6)
    counted = _from_rollups(db, account_id, first, LAST_DAY, END)
    simulate_history(db, conversations=30, days=7, seed=5, end=END)
    later = END + timedelta(minutes=5)
    stale = _from_rollups(db, account_id, first, LAST_DAY, later, refresh_first=False)
    # The new conversations are not counted yet, and the report says so by its moment.
    assert stale["current"]["conversations"] == counted["current"]["conversations"]
    assert stale["as_of"] == counted["as_of"]
    result = CliRunner().invoke(reports_cli, ["refresh", "--account", "baton-bank"])
    assert result.exit_code == 0, result.output
    assert "new events" in result.output
    refreshed = _from_rollups(db, account_id, first, LAST_DAY, later, refresh_first=False)
    assert refreshed["current"]["conversations"] > counted["current"]["conversations"]


def test_rebuild_counts_every_day_with_a_conversation(
    db: Database, account_id: int, cli_env: None
) -> None:
    result = CliRunner().invoke(reports_cli, ["rebuild", "--account", "baton-bank"])
    assert result.exit_code == 0, result.output
    with db.session() as session:
        days = session.scalar(
            select(func.count(func.distinct(ReportDayTally.day))).where(
                ReportDayTally.account_id == account_id
            )
        )
    assert days is not None and days >= 40  # the simulated days, and the demo's own
    _assert_weeks_add_up(db, account_id)  # and every week whose days are all counted
    missing = CliRunner().invoke(reports_cli, ["rebuild", "--account", "nobody"])
    assert missing.exit_code == 2 and "no account" in missing.output


def test_large_reports_read_histograms_within_the_stated_error(
    db: Database, account_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = LAST_DAY - timedelta(days=13)
    exact = _from_rollups(db, account_id, first, LAST_DAY, END)
    monkeypatch.setattr("batondesk.reports.rollups.EXACT_DURATIONS", 0)
    approximate = _from_rollups(db, account_id, first, LAST_DAY, END)
    for path in (("first_response",), ("resolution", "full"), ("queue_wait",)):
        want, got = exact["current"], approximate["current"]
        for name in path:
            want, got = want[name], got[name]
        assert got["count"] == want["count"] and got["mean"] == want["mean"]
        for figure in ("median", "p90"):
            assert got[figure] == pytest.approx(want[figure], rel=RELATIVE_ERROR, abs=0.1)


def test_a_histogram_reads_percentiles_like_numpy_within_its_error() -> None:
    rng = np.random.default_rng(7)
    seconds = np.concatenate([rng.lognormal(6, 1.5, 5000), np.zeros(40), [0.0004, 86400 * 30]])
    buckets, counts = histogram_of(seconds)
    histogram = SecondsHistogram(buckets, counts, float(seconds.sum()))
    assert len(histogram) == len(seconds)
    for q in (10, 50, 90, 99):
        assert histogram.percentile(q) == pytest.approx(
            np.percentile(seconds, q), rel=RELATIVE_ERROR * 1.01
        )
    assert histogram.percentile(0) == 0.0


def test_histograms_add_up_to_the_histogram_of_all_their_values() -> None:
    rng = np.random.default_rng(11)
    parts = [rng.lognormal(5, 2, n) for n in (1, 40, 3000)]
    parts += [np.zeros(3), np.array([0.0002, 0.5, 86400 * 400]), rng.lognormal(0, 3, 500)]
    for chosen in (parts, parts[:3], parts[3:4]):
        merged = _merged_histogram([histogram_of(p) for p in chosen], 1.0)
        buckets, counts = histogram_of(np.concatenate(chosen))
        assert merged.buckets.dtype == np.int16 and merged.counts.dtype == np.int64
        assert merged.buckets.tolist() == buckets.tolist()
        assert merged.counts.tolist() == counts.tolist()


def test_tallies_add_up_through_their_stored_form(db: Database, account_id: int) -> None:
    with db.session() as session:
        rows = session.execute(
            select(ReportDayTally.counts, ReportDayTally.durations, ReportDayTally.histogram).where(
                ReportDayTally.account_id == account_id, ReportDayTally.dimension == "all"
            )
        ).all()
    assert not rows  # nothing is counted before a report or a rebuild asks for it
    _from_rollups(db, account_id, LAST_DAY - timedelta(days=6), LAST_DAY, END)
    with db.session() as session:
        rows = session.execute(
            select(ReportDayTally.counts, ReportDayTally.durations, ReportDayTally.histogram).where(
                ReportDayTally.account_id == account_id, ReportDayTally.dimension == "all"
            )
        ).all()
    exact, binned = TallySum(), TallySum()
    for counts, durations, histogram in rows:
        exact.add_record(counts, durations)
        binned.add_histogram_record(counts, histogram)
    values, histogram = exact.tally().resolution.full, binned.tally().resolution.full
    assert isinstance(values, list) and isinstance(histogram, SecondsHistogram)
    assert len(values) == len(histogram) > 0
    assert histogram.total == pytest.approx(sum(values))


# --- whole weeks read as their stored sums ---------------------------------------------------


def _stored_weeks(db: Database, account_id: int) -> set[date]:
    with db.session() as session:
        return set(
            session.scalars(
                select(ReportWeekTally.week).where(
                    ReportWeekTally.account_id == account_id, ReportWeekTally.dimension == "all"
                )
            )
        )


def _assert_weeks_add_up(db: Database, account_id: int) -> None:
    """Every stored week holds exactly the sum of its seven days, in day order."""
    with db.session() as session:
        weeks = session.execute(
            select(ReportWeekTally).where(ReportWeekTally.account_id == account_id)
        ).scalars()
        stored = {(w.week, w.dimension, w.value): w for w in weeks}
        days = session.execute(
            select(ReportDayTally)
            .where(ReportDayTally.account_id == account_id)
            .order_by(ReportDayTally.day)
        ).scalars()
        sums: dict[tuple[date, str, str], TallySum] = {}
        counted: dict[date, int] = {}
        for day in days:
            key = (week_of(day.day), day.dimension, day.value)
            sums.setdefault(key, TallySum(in_order=True)).add_record(
                day.counts, day.durations, day.changes_at
            )
            if day.dimension == "all":
                counted[week_of(day.day)] = counted.get(week_of(day.day), 0) + 1
        assert stored, "no week was added up"
        for key, week in stored.items():
            assert counted.get(key[0]) == 7, f"week {key[0]} stored with days missing"
            counts, durations, histogram = sums[key].record()
            assert (week.counts, week.durations, week.histogram) == (counts, durations, histogram)
            assert week.measured == sums[key].measured
            assert week.changes_at == sums[key].changes_at
        # and every week whose seven days are counted is stored, for every group of them
        complete = {week for week, n in counted.items() if n == 7}
        assert {key for key in sums if key[0] in complete} == set(stored)


@pytest.mark.parametrize("group_by", [None, *DIMENSIONS])
def test_whole_weeks_and_edge_days_give_the_report_the_events_give(
    db: Database, account_id: int, group_by: str | None
) -> None:
    assert WEEKS_FIRST.weekday() == 2 and WEEKS_LAST.weekday() == 1
    rolled = _from_rollups(db, account_id, WEEKS_FIRST, WEEKS_LAST, END, group_by=group_by)
    assert rolled["current"]["conversations"] > 100
    assert _stored_weeks(db, account_id) == ADDED_WEEKS
    _assert_weeks_add_up(db, account_id)
    counted = _from_events(db, account_id, WEEKS_FIRST, WEEKS_LAST, END, group_by)
    _assert_same_but_polarity_ties(rolled, counted)


@pytest.mark.parametrize("group_by", [None, "intent", "agent", "language", "reason"])
@pytest.mark.parametrize("exact", [True, False])
def test_weeks_give_to_the_last_bit_what_their_days_give(
    db: Database,
    account_id: int,
    monkeypatch: pytest.MonkeyPatch,
    group_by: str | None,
    exact: bool,
) -> None:
    """Sums of fractions (seconds, polarities) are added in the days' order either way: a
    mean of a few 4-decimal polarities rounded at a tie comes out the same."""
    if not exact:
        monkeypatch.setattr("batondesk.reports.rollups.EXACT_DURATIONS", 0)
    first, last = WEEKS_FIRST - timedelta(days=7), WEEKS_LAST
    by_weeks = _from_rollups(db, account_id, first, last, END, group_by=group_by)
    assert _stored_weeks(db, account_id)
    monkeypatch.setattr("batondesk.reports.rollups.whole_weeks", lambda first, last: [])
    by_days = _from_rollups(db, account_id, first, last, END, group_by=group_by)
    assert by_weeks == by_days


def test_a_change_inside_a_week_already_added_adds_it_again(db: Database, account_id: int) -> None:
    _from_rollups(db, account_id, WEEKS_FIRST, WEEKS_LAST, END, group_by="intent")
    week = max(ADDED_WEEKS)
    before = _week_conversations(db, account_id, week)
    # New customers write in that week only, some of them earlier customers again.
    simulate_history(
        db,
        conversations=40,
        days=7,
        seed=6,
        end=datetime.combine(week, time(), UTC) + timedelta(days=7),
    )
    rolled = _from_rollups(db, account_id, WEEKS_FIRST, WEEKS_LAST, END, group_by="intent")
    assert _week_conversations(db, account_id, week) > before
    _assert_weeks_add_up(db, account_id)
    _assert_same_but_polarity_ties(
        rolled, _from_events(db, account_id, WEEKS_FIRST, WEEKS_LAST, END, "intent")
    )
    # Time alone: every return window closes, the weeks' days are counted and added again.
    later = END + timedelta(days=8)
    settled = _from_rollups(db, account_id, WEEKS_FIRST, WEEKS_LAST, later, group_by="agent")
    assert settled["current"]["first_contact_resolution"]["pending"] == 0
    _assert_weeks_add_up(db, account_id)
    _assert_same_but_polarity_ties(
        settled, _from_events(db, account_id, WEEKS_FIRST, WEEKS_LAST, later, "agent")
    )


def _week_conversations(db: Database, account_id: int, week: date) -> int:
    with db.session() as session:
        counts = session.scalar(
            select(ReportWeekTally.counts).where(
                ReportWeekTally.account_id == account_id,
                ReportWeekTally.week == week,
                ReportWeekTally.dimension == "all",
            )
        )
    assert counts is not None
    summed = TallySum()
    summed.add_record(counts, b"")
    return summed.tally().conversations


def test_weeks_follow_a_new_reporting_time_zone(db: Database, account_id: int) -> None:
    _from_rollups(db, account_id, WEEKS_FIRST, WEEKS_LAST, END)
    with db.session() as session:
        account = session.get(Account, account_id)
        assert account is not None
        escalation = dict(account.settings.get("escalation", {}))
        escalation["office_hours"] = {"timezone": "America/Los_Angeles"}
        account.settings = {**account.settings, "escalation": escalation}
    rolled = _from_rollups(db, account_id, WEEKS_FIRST, WEEKS_LAST, END, group_by="intent")
    assert rolled["timezone"] == "America/Los_Angeles"
    assert _stored_weeks(db, account_id) == ADDED_WEEKS
    _assert_weeks_add_up(db, account_id)
    _assert_same_but_polarity_ties(
        rolled, _from_events(db, account_id, WEEKS_FIRST, WEEKS_LAST, END, "intent")
    )


def test_a_sum_kept_in_order_adds_up_like_its_records_one_by_one() -> None:
    records = [{"n0": 1, "s0": 0.1}, {"n0": 2, "s0": 0.2}, {"s0": 0.3, "d0:x": 0.7}]
    one_by_one, grouped, tail = TallySum(), TallySum(), TallySum(in_order=True)
    for counts in records:
        one_by_one.add_record(counts, b"")
    for counts in records[1:]:
        tail.add_record(counts, b"")
    stored, _, _ = tail.record()
    assert stored == {"n0": 2, "s0": [0.2, 0.3], "d0:x": 0.7}  # whole numbers added up
    grouped.add_record(records[0], b"")
    grouped.add_record(stored, b"")
    assert one_by_one.counts == grouped.counts == {"n0": 3, "s0": 0.1 + 0.2 + 0.3, "d0:x": 0.7}
    assert 0.1 + 0.2 + 0.3 != 0.1 + (0.2 + 0.3)  # what a plain sum of the tail would give
