"""`baton reports`: keep the stored day tallies the reports add up current
(reports/rollups.py, docs/metrics.md "How reports are kept fast")."""

from __future__ import annotations

import functools
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date, datetime
from itertools import repeat
from multiprocessing import get_context
from typing import TYPE_CHECKING, Annotated

import typer
from sqlalchemy import select

from batondesk.cli.common import AccountOption, account_session
from batondesk.config import get_settings

if TYPE_CHECKING:
    from batondesk.store import Database

app = typer.Typer(no_args_is_help=True)


@app.command("refresh")
def refresh_command(
    account: Annotated[
        str | None, typer.Option("--account", help="Only this account (its slug)")
    ] = None,
    every: Annotated[
        float, typer.Option(help="Repeat every this many seconds until stopped (0: once)")
    ] = 0.0,
) -> None:
    """Read the events appended since the last refresh and count again the days they touch,
    and the days whose figures have changed with time, for every account (or one). With
    --every, run as the worker that keeps reports current when BATON_REPORTS_REFRESH is
    "background"."""
    from batondesk.reports.rollups import refresh
    from batondesk.store import init_store
    from batondesk.store.base import utcnow
    from batondesk.store.models import Account

    db = init_store(get_settings())
    try:
        while True:
            with db.session() as session:
                query = select(Account.id, Account.slug).order_by(Account.id)
                if account is not None:
                    query = query.where(Account.slug == account)
                accounts = session.execute(query).all()
            if account is not None and not accounts:
                typer.echo(f"error: no account with slug {account!r}", err=True)
                raise typer.Exit(2)
            for account_id, slug in accounts:
                started = time.perf_counter()
                with db.session() as session:
                    done = refresh(session, account_id, utcnow())
                typer.echo(
                    f"{slug}: {done.events} new events, {done.days} days counted again"
                    + (" (rules changed: every day will be counted again)" if done.rebuilt else "")
                    + f" in {time.perf_counter() - started:.1f} s"
                )
            if every <= 0:
                return
            time.sleep(every)
    finally:
        db.dispose()


@app.command("rebuild")
def rebuild_command(
    account: AccountOption,
    workers: Annotated[
        int, typer.Option(min=1, max=32, help="Processes counting days side by side")
    ] = 1,
) -> None:
    """Drop the account's stored tallies and count every day with a conversation again (after
    a bulk load or an upgrade; reports count a missing day when they first need it anyway).
    Several workers need a database server (PostgreSQL), not SQLite."""
    from batondesk.reports.rollups import days_to_rebuild
    from batondesk.store.base import utcnow

    started, now = time.perf_counter(), utcnow()
    with account_session(account) as (session, account_id):
        days = days_to_rebuild(session, account_id, now)
    count_days_in_processes(account_id, days, now, workers)
    typer.echo(f"{len(days)} days counted in {time.perf_counter() - started:.1f} s")


def count_days_in_processes(account_id: int, days: list[date], now: datetime, workers: int) -> None:
    """Count `days` of the account as of `now` and store them, in `workers` processes (each
    its own transactions, a day at a time), with a progress bar; then add up the weeks they
    are in that are not yet (a week is added up as its last day is stored, unless processes
    stored its last days side by side)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from batondesk.reports.rollups import add_weeks, week_of, weeks_missing
    from batondesk.store import init_store

    db = init_store(get_settings())
    try:
        with Progress(BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()) as bar:
            task = bar.add_task("days", total=len(days))
            if workers == 1:
                for day in days:
                    _count_day(db, account_id, day, now)
                    bar.advance(task)
            else:
                # Interleaved, so every process gets busy and quiet days alike.
                with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
                    for _ in pool.map(_count_day_in_worker, repeat(account_id), days, repeat(now)):
                        bar.advance(task)
        with db.session() as session:
            weeks = weeks_missing(session, account_id, {week_of(day) for day in days})
            add_weeks(session, account_id, weeks, now)
    finally:
        db.dispose()


def _count_day(db: Database, account_id: int, day: date, now: datetime) -> None:
    from batondesk.reports.rollups import RollupRules, count_days
    from batondesk.store.models import Account

    with db.session() as session:
        account = session.get(Account, account_id)
        assert account is not None
        count_days(session, account_id, [day], RollupRules.of(account), now)


def _count_day_in_worker(account_id: int, day: date, now: datetime) -> None:
    _count_day(_worker_database(), account_id, day, now)


@functools.cache
def _worker_database() -> Database:
    """The worker process's database handle, opened once (a worker counts many days)."""
    from batondesk.store import init_store

    return init_store(get_settings())
