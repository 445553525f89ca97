"""Pre-aggregated reports: one KPI tally per account, local day and dimension value
(store/report_rollups.py), counted by the same rules as any report (`kpis.tally_kpis`) and
added up for a period (`tally.TallySum`), so a 90-day report reads stored rows instead of
every event of 180 days. The days of each ISO week are also stored added up, once all seven
are counted: a report reads the whole weeks of its period (and of the previous one) as one
row per group each and only the days at their edges, about 36 rows per group for 90 days
instead of 180.

Kept current by the event log itself, read as a change feed: `refresh` reads the events
appended since it last ran and counts again the days they touch (the day a conversation was
opened, reopened or escalated in, and the days of the same customer's earlier conversations
whose repeat-contact and return windows a new conversation falls in), and the days whose
tally said it would change by then with no event (a window closing, a target falling due),
and adds up again the weeks of the days it counted.
`refresh` runs before every report by default (`reports_refresh = "on_read"`: exact figures
as of the request); a large account runs `baton reports refresh --every 60` beside the web
workers instead (`"background"`) and its reports say up to which moment they are current.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, literal, select, union_all
from sqlalchemy.orm import Session

from batondesk.handoff.settings import EscalationSettings, OfficeHours
from batondesk.reports.definitions import DIMENSIONS, ReportContext, Windows
from batondesk.reports.kpis import tally_kpis
from batondesk.reports.loading import in_chunks, load_day_histories, load_visits
from batondesk.reports.period import ReportPeriod
from batondesk.reports.settings import ReviewSettings
from batondesk.reports.tally import Counts, KpiTally, TallySum
from batondesk.store.models import (
    Account,
    Conversation,
    Event,
    ReportDayTally,
    ReportRollupState,
    ReportWeekTally,
)

# Bump when a rule changes what a tally holds: every stored tally is then counted again.
RULES_VERSION = 4  # 2: "this helped" confirms automated resolutions; answer feedback counts
# 4: sentiment sums in integer millionths (exact in any order of addition)
ALL = "all"  # the dimension of the rows that hold every conversation of the day
NO_VALUE = ""  # the value of a group with none (no team, no intent...)
# Event ids are taken before a transaction commits, so a row with a smaller id than one
# already read may still appear: the feed's position only passes events this old, and
# younger ones are read again (counting a day again is harmless).
SETTLING = timedelta(seconds=30)
# A report reads every duration it summarises up to this many (8 bytes each), and above it
# their histograms: medians and p90s within 0.5% (tally.RELATIVE_ERROR), means still exact.
EXACT_DURATIONS = 500_000
# What changes in a conversation can reach back to a day it started a cycle in.
_DAY_STARTS = ("conversation.opened", "conversation.reopened", "conversation.escalated")


@dataclass(frozen=True)
class RollupRules:
    """What an account's tallies are counted under; any change makes them all stale."""

    timezone: str
    office_hours: OfficeHours | None
    reviews: ReviewSettings
    windows: Windows

    @classmethod
    def of(cls, account: Account) -> RollupRules:
        hours = EscalationSettings.for_account(account.settings).office_hours
        return cls(
            hours.timezone if hours else "UTC",
            hours,
            ReviewSettings.for_account(account.settings),
            Windows.for_account(account.settings),
        )

    @property
    def fingerprint(self) -> str:
        described = {
            "rules": RULES_VERSION,
            "timezone": self.timezone,
            "office_hours": self.office_hours.model_dump() if self.office_hours else None,
            "reviews": self.reviews.model_dump(),
            "windows": {k: v.total_seconds() for k, v in asdict(self.windows).items()},
        }
        return hashlib.sha256(json.dumps(described, sort_keys=True).encode()).hexdigest()

    def day_of(self, moment: datetime) -> date:
        return moment.astimezone(ZoneInfo(self.timezone)).date()


# --- counting one day -----------------------------------------------------------------------


def tally_day(
    session: Session, account_id: int, day: date, rules: RollupRules, as_of: datetime
) -> dict[tuple[str, str], TallySum]:
    """The day's tallies as of `as_of`: of every conversation (ALL, NO_VALUE), and of each
    value of each breakdown dimension."""
    period = ReportPeriod(day, day, rules.timezone)
    histories = load_day_histories(session, account_id, period.start, period.end, as_of)
    visits = load_visits(
        session, account_id, {h.contact_id for h in histories}, period.start, as_of
    )
    context = ReportContext(as_of, rules.office_hours, rules.windows, visits, reviews=rules.reviews)
    # Each conversation is counted once and added to its groups: every KPI is a sum over
    # conversations, and the rules are the costly part.
    sums: dict[tuple[str, str], TallySum] = defaultdict(TallySum)
    for history in histories:
        counts, durations = (one := tally_kpis([history], period, context)).to_record()
        sums[(ALL, NO_VALUE)].add_record(counts, durations, one.changes_at)
        for dimension, value_of in DIMENSIONS.items():
            value = value_of(history)
            group = NO_VALUE if value is None else str(value)
            sums[(dimension, group)].add_record(counts, durations, one.changes_at)
    sums.setdefault((ALL, NO_VALUE), TallySum())  # a day with nothing is counted too
    return dict(sums)


def store_day(
    session: Session,
    account_id: int,
    day: date,
    tallies: dict[tuple[str, str], TallySum],
    counted_at: datetime,
) -> None:
    """Replace the day's stored tallies with `tallies`, and drop its week's sums (no longer
    theirs: `add_weeks` adds them up again)."""
    session.execute(
        delete(ReportDayTally).where(
            ReportDayTally.account_id == account_id, ReportDayTally.day == day
        )
    )
    session.execute(
        delete(ReportWeekTally).where(
            ReportWeekTally.account_id == account_id, ReportWeekTally.week == week_of(day)
        )
    )
    session.execute(
        ReportDayTally.__table__.insert(), _stored_rows(account_id, tallies, counted_at, day=day)
    )


def _stored_rows(
    account_id: int,
    tallies: dict[tuple[str, str], TallySum],
    counted_at: datetime,
    **key: date,
) -> list[dict[str, object]]:
    rows = []
    for (dimension, value), tally in tallies.items():
        counts, durations, histogram = tally.record()
        rows.append(
            {
                "account_id": account_id,
                **key,
                "dimension": dimension,
                "value": value[:200],
                "counts": counts,
                "durations": durations,
                "histogram": histogram,
                "measured": tally.measured,
                "counted_at": counted_at,
                "changes_at": tally.changes_at,
                "created_at": counted_at,
            }
        )
    return rows


# --- adding days up per week -----------------------------------------------------------------


def week_of(day: date) -> date:
    """The Monday of `day`'s ISO week: the key of its week's stored tallies."""
    return day - timedelta(days=day.weekday())


def whole_weeks(first: date, last: date) -> list[date]:
    """The Mondays of the weeks lying wholly within `first`..`last`."""
    monday = first + timedelta(days=-first.weekday() % 7)
    weeks = []
    while monday + timedelta(days=6) <= last:
        weeks.append(monday)
        monday += timedelta(days=7)
    return weeks


def add_weeks(
    session: Session, account_id: int, weeks: Iterable[date], counted_at: datetime
) -> int:
    """Store, for each of `weeks` (Mondays) whose seven days are all counted, the sum of its
    day tallies per dimension value, replacing any stored before; how many weeks were
    stored. A week with a day not counted keeps none (its days are read instead)."""
    wanted = sorted(set(weeks))
    if not wanted:
        return 0
    session.execute(
        delete(ReportWeekTally).where(
            ReportWeekTally.account_id == account_id, ReportWeekTally.week.in_(wanted)
        )
    )
    counted = Counter(
        week_of(day)
        for day in session.scalars(
            select(ReportDayTally.day).where(
                ReportDayTally.account_id == account_id,
                ReportDayTally.dimension == ALL,
                ReportDayTally.day >= wanted[0],
                ReportDayTally.day <= wanted[-1] + timedelta(days=6),
            )
        )
    )
    complete = [week for week in wanted if counted[week] == 7]
    for week in complete:
        # In day order, as a report would add the days: see TallySum's `in_order`.
        sums: dict[tuple[str, str], TallySum] = defaultdict(lambda: TallySum(in_order=True))
        rows = session.execute(
            select(
                ReportDayTally.dimension,
                ReportDayTally.value,
                ReportDayTally.counts,
                ReportDayTally.durations,
                ReportDayTally.changes_at,
            )
            .where(
                ReportDayTally.account_id == account_id,
                ReportDayTally.day >= week,
                ReportDayTally.day <= week + timedelta(days=6),
            )
            .order_by(ReportDayTally.day)
        )
        for dimension, value, counts, durations, changes_at in rows:
            sums[(dimension, value)].add_record(counts, durations, changes_at)
        session.execute(
            ReportWeekTally.__table__.insert(),
            _stored_rows(account_id, sums, counted_at, week=week),
        )
    return len(complete)


def weeks_missing(session: Session, account_id: int, weeks: Iterable[date]) -> set[date]:
    """Those of `weeks` (Mondays) that have no stored sums."""
    wanted = set(weeks)
    if not wanted:
        return set()
    stored = session.scalars(
        select(ReportWeekTally.week).where(
            ReportWeekTally.account_id == account_id,
            ReportWeekTally.dimension == ALL,
            ReportWeekTally.week.in_(wanted),
        )
    )
    return wanted - set(stored)


def count_days(
    session: Session,
    account_id: int,
    days: Iterable[date],
    rules: RollupRules,
    now: datetime,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Count `days` again as of `now` and store them, then add up again the weeks they are
    in; how many days were counted. Stores under the account's lock (taken here when the
    caller has not: processes counting days side by side each wait for it only to store),
    so a week is never added up from days being replaced."""
    ordered = sorted(set(days))
    if not ordered:
        return 0
    busy = _days_with_conversations(session, account_id, ordered[0], ordered[-1], rules, now)
    for done, day in enumerate(ordered, start=1):
        if day in busy:
            tallies = tally_day(session, account_id, day, rules, now)
        else:  # nothing to read: the day is counted as empty
            tallies = {(ALL, NO_VALUE): TallySum()}
        if done == 1:
            _lock(session, account_id)
        store_day(session, account_id, day, tallies, now)
        if progress is not None:
            progress(done, len(ordered))
    add_weeks(session, account_id, {week_of(day) for day in ordered}, now)
    return len(ordered)


def _lock(session: Session, account_id: int) -> None:
    """Wait for the account's lock and hold it to the end of the transaction (a no-op when
    this transaction holds it already)."""
    session.execute(
        select(ReportRollupState.account_id)
        .where(ReportRollupState.account_id == account_id)
        .with_for_update()
    )


def _days_with_conversations(
    session: Session, account_id: int, first: date, last: date, rules: RollupRules, now: datetime
) -> set[date]:
    """The days from `first` to `last` in which a conversation opened, reopened or was
    escalated."""
    start = ReportPeriod(first, last, rules.timezone).start
    end = min(ReportPeriod(first, last, rules.timezone).end, now + timedelta(microseconds=1))
    moments = session.scalars(
        select(Event.created_at).where(
            Event.account_id == account_id,
            Event.type.in_(_DAY_STARTS),
            Event.created_at >= start,
            Event.created_at < end,
        )
    )
    return {rules.day_of(moment) for moment in moments}


# --- keeping them current -------------------------------------------------------------------


@dataclass(frozen=True)
class Refreshed:
    events: int  # events read from the feed
    days: int  # days counted again
    rebuilt: bool  # every tally was dropped (the rules they were counted under changed)


def rollup_state(
    session: Session, account_id: int, rules: RollupRules, now: datetime
) -> tuple[ReportRollupState, bool]:
    """The account's state, locked for this transaction (one refresh at a time); created, or
    reset with every tally dropped, when the rules changed. (state, whether it was reset)."""
    state = session.get(ReportRollupState, account_id, with_for_update=True)
    if state is not None and state.fingerprint == rules.fingerprint:
        return state, False
    _drop_tallies(session, account_id)
    position = _settled_position(session, account_id, 0, now)
    if state is None:
        state = ReportRollupState(
            account_id=account_id,
            fingerprint=rules.fingerprint,
            last_event_id=position,
            refreshed_at=now,
        )
        session.add(state)
    else:
        state.fingerprint, state.last_event_id, state.refreshed_at = (
            rules.fingerprint,
            position,
            now,
        )
    session.flush()
    return state, True


def refresh(session: Session, account_id: int, now: datetime) -> Refreshed:
    """Bring the account's stored tallies up to `now`: count again every stored day that
    the events since the last refresh touched, or whose tally has changed by now."""
    account = session.get(Account, account_id)
    assert account is not None
    rules = RollupRules.of(account)
    state, reset = rollup_state(session, account_id, rules, now)
    if reset:
        return Refreshed(0, 0, True)
    new_events = session.execute(
        select(Event.id, Event.conversation_id, Event.type, Event.created_at).where(
            Event.account_id == account_id,
            Event.id > state.last_event_id,
            Event.conversation_id.is_not(None),
        )
    ).all()
    touched = _days_touched(session, account_id, new_events, rules)
    expired = session.scalars(
        select(ReportDayTally.day)
        .where(ReportDayTally.account_id == account_id, ReportDayTally.changes_at <= now)
        .distinct()
    ).all()
    stored = set(
        session.scalars(
            select(ReportDayTally.day)
            .where(
                ReportDayTally.account_id == account_id,
                ReportDayTally.dimension == ALL,
                ReportDayTally.day.in_(touched | set(expired)),
            )
            .distinct()
        ).all()
    )
    counted = count_days(session, account_id, stored, rules, now)
    state.last_event_id = _settled_position(session, account_id, state.last_event_id, now)
    state.refreshed_at = now
    return Refreshed(len(new_events), counted, False)


def rebuild(
    session: Session,
    account_id: int,
    now: datetime,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Drop the account's tallies and count every day that has a conversation; how many
    days were counted (after a bulk load, or to check the stored ones)."""
    days = days_to_rebuild(session, account_id, now)
    account = session.get(Account, account_id)
    assert account is not None
    return count_days(session, account_id, days, RollupRules.of(account), now, progress)


def days_to_rebuild(session: Session, account_id: int, now: datetime) -> list[date]:
    """Drop the account's tallies and reset its place in the event log; the days that have a
    conversation, to be counted (by `count_days`, in one process or several)."""
    account = session.get(Account, account_id)
    assert account is not None
    rules = RollupRules.of(account)
    state, _ = rollup_state(session, account_id, rules, now)
    _drop_tallies(session, account_id)
    state.last_event_id = _settled_position(session, account_id, 0, now)
    state.refreshed_at = now
    first = session.scalar(
        select(func.min(Event.created_at)).where(
            Event.account_id == account_id, Event.type.in_(_DAY_STARTS)
        )
    )
    if first is None:
        return []
    return sorted(
        _days_with_conversations(
            session, account_id, rules.day_of(first), rules.day_of(now), rules, now
        )
    )


def _drop_tallies(session: Session, account_id: int) -> None:
    session.execute(delete(ReportWeekTally).where(ReportWeekTally.account_id == account_id))
    session.execute(delete(ReportDayTally).where(ReportDayTally.account_id == account_id))


def _settled_position(session: Session, account_id: int, current: int, now: datetime) -> int:
    """The largest event id that can no longer be joined by a smaller one (see SETTLING)."""
    settled = session.scalar(
        select(func.max(Event.id)).where(
            Event.account_id == account_id,
            Event.id > current,
            Event.created_at <= now - SETTLING,
        )
    )
    return max(current, settled or 0)


def _days_touched(
    session: Session, account_id: int, events: Sequence, rules: RollupRules
) -> set[date]:
    """Days whose tallies `events` may change: every day the conversations they belong to
    opened, reopened or were escalated in; and for a conversation opened among them, the
    opening days of the customer's conversations resolved within the return windows before
    it (it may be their repeat contact or return)."""
    if not events:
        return set()
    conversation_ids = {e.conversation_id for e in events}
    days: set[date] = set()
    for chunk in in_chunks(conversation_ids):
        days |= {
            rules.day_of(moment)
            for moment in session.scalars(
                select(Event.created_at).where(
                    Event.account_id == account_id,
                    Event.conversation_id.in_(chunk),
                    Event.type.in_(_DAY_STARTS),
                )
            )
        }
    openings = [e for e in events if e.type == "conversation.opened"]
    if openings:
        reach = max(rules.windows.repeat_contact, rules.windows.durability)
        since = min(e.created_at for e in openings) - reach
        for chunk in in_chunks({e.conversation_id for e in openings}):
            customers = select(Conversation.contact_id).where(Conversation.id.in_(chunk))
            resolved_recently = select(Event.conversation_id).where(
                Event.account_id == account_id,
                Event.type == "conversation.resolved",
                Event.created_at >= since,
            )
            days |= {
                rules.day_of(moment)
                for moment in session.scalars(
                    select(Event.created_at)
                    .join(Conversation, Conversation.id == Event.conversation_id)
                    .where(
                        Event.account_id == account_id,
                        Event.type == "conversation.opened",
                        Conversation.contact_id.in_(customers),
                        Conversation.id.in_(resolved_recently),
                    )
                )
            }
    return days


# --- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodTallies:
    """Tallies of a period and the one before it: overall, and per value of one dimension."""

    current: KpiTally
    previous: KpiTally
    groups: dict[str, tuple[KpiTally, KpiTally]]  # value -> (current, previous)
    as_of: datetime  # the figures are exact as of this moment


def read_period_tallies(
    session: Session,
    account_id: int,
    period: ReportPeriod,
    group_by: str | None,
    now: datetime,
    *,
    refresh_first: bool,
) -> PeriodTallies:
    """Add up the stored tallies of `period` and of the one before it (refreshed first when
    `refresh_first`): the sums of their whole weeks and the days at their edges, in day
    order, counting and storing any day not counted yet and adding up any week not added up
    yet."""
    account = session.get(Account, account_id)
    assert account is not None
    rules = RollupRules.of(account)
    if refresh_first:
        refresh(session, account_id, now)  # holds the account's lock until the commit
        state = session.get(ReportRollupState, account_id)
    else:
        # No lock to read: a refresh running meanwhile must not hold reports up.
        state = session.get(ReportRollupState, account_id)
        if state is None or state.fingerprint != rules.fingerprint:
            state, _ = rollup_state(session, account_id, rules, now)
    assert state is not None
    previous = period.previous()
    dimensions = [ALL] if group_by is None else [ALL, group_by]

    wanted = {previous.first_day + timedelta(days=d) for d in range(previous.days * 2)}
    # The whole weeks of each period are read as their sums, the days at the edges as days.
    weeks = whole_weeks(previous.first_day, previous.last_day)
    weeks += whole_weeks(period.first_day, period.last_day)
    counted, added = _stored(session, account_id, previous.first_day, period.last_day, weeks)
    if wanted - counted or set(weeks) - added:
        if not refresh_first:  # count under the lock, so two readers never count one day
            rollup_state(session, account_id, rules, now)
            counted, added = _stored(
                session, account_id, previous.first_day, period.last_day, weeks
            )
        count_days(session, account_id, wanted - counted, rules, now)  # adds their weeks
        add_weeks(session, account_id, weeks_missing(session, account_id, weeks), now)
    edges = sorted(wanted - {week + timedelta(days=d) for week in weeks for d in range(7)})
    rows = _PeriodRows(session, account_id, dimensions, weeks, edges)
    # Exact medians unless that means reading too many durations: then histograms.
    exact = rows.measured() <= EXACT_DURATIONS
    as_of = now if refresh_first else min(now, state.refreshed_at)
    sums = (TallySum(), TallySum())
    group_sums: dict[str, tuple[TallySum, TallySum]] = {}
    for day, dimension, value, counts, durations, changes_at in rows.read(exact):
        if changes_at is not None and changes_at <= as_of:
            as_of = changes_at  # this day's figures held only until then
        into = 0 if day >= period.first_day else 1
        if dimension == ALL:
            target = sums[into]
        else:
            target = group_sums.setdefault(value, (TallySum(), TallySum()))[into]
        if exact:
            target.add_record(counts, durations)
        else:
            target.add_histogram_record(counts, durations)
    current, before = (s.tally() for s in sums)
    groups = {value: (pair[0].tally(), pair[1].tally()) for value, pair in group_sums.items()}
    return PeriodTallies(current, before, groups, as_of)


def _stored(
    session: Session, account_id: int, first: date, last: date, weeks: list[date]
) -> tuple[set[date], set[date]]:
    """(the days from `first` to `last` that are counted, those of `weeks` that are added
    up), in one statement."""
    day, week = ReportDayTally.__table__.c, ReportWeekTally.__table__.c
    days = select(literal(0).label("is_week"), day.day).where(
        day.account_id == account_id, day.dimension == ALL, day.day >= first, day.day <= last
    )
    added = select(literal(1), week.week).where(
        week.account_id == account_id, week.dimension == ALL, week.week.in_(weeks)
    )
    rows = session.execute(union_all(days, added) if weeks else days).all()
    return {d for is_week, d in rows if not is_week}, {d for is_week, d in rows if is_week}


class _PeriodRows:
    """The stored tallies a period is added up from: the sums of its whole `weeks` and the
    `edges` days, of `dimensions`, read in one statement (one snapshot of the table)."""

    def __init__(
        self,
        session: Session,
        account_id: int,
        dimensions: list[str],
        weeks: list[date],
        edges: list[date],
    ) -> None:
        self.session, self.account_id, self.dimensions = session, account_id, dimensions
        self.weeks, self.edges = weeks, edges

    def _select(self, *columns: str) -> Any:
        """The rows' `columns` (the week's Monday standing for a week's `day`)."""
        parts = []
        if self.weeks:
            week = ReportWeekTally.__table__.c
            parts.append(
                select(week.week.label("day"), *(week[c] for c in columns)).where(
                    week.account_id == self.account_id,
                    week.dimension.in_(self.dimensions),
                    week.week.in_(self.weeks),
                )
            )
        if self.edges or not parts:
            day = ReportDayTally.__table__.c
            parts.append(
                select(day.day, *(day[c] for c in columns)).where(
                    day.account_id == self.account_id,
                    day.dimension.in_(self.dimensions),
                    day.day.in_(self.edges),
                )
            )
        return union_all(*parts) if len(parts) > 1 else parts[0]

    def measured(self) -> int:
        """How many durations the rows hold."""
        rows = self._select("measured").subquery()
        return int(self.session.scalar(select(func.sum(rows.c.measured))) or 0)

    def read(self, exact: bool) -> Iterator[tuple[date, str, str, Counts, bytes, datetime | None]]:
        """(day or Monday, dimension, value, counts, durations or histogram, changes_at) of
        each row, in day order (how sums of fractions are added: see TallySum). A week whose
        sums are not there any more (dropped since it was looked for, by a rebuild or a
        change of rules) is read as its days, after the others."""
        durations = "durations" if exact else "histogram"
        weeks, read_weeks = set(self.weeks), set()
        for row in self.session.execute(
            self._select("dimension", "value", "counts", durations, "changes_at").order_by("day")
        ):
            if row.dimension == ALL and row.day in weeks:
                read_weeks.add(row.day)
            yield tuple(row)
        if gone := [week for week in self.weeks if week not in read_weeks]:
            days = [week + timedelta(days=d) for week in gone for d in range(7)]
            their_days = _PeriodRows(self.session, self.account_id, self.dimensions, [], days)
            yield from their_days.read(exact)
