"""`make bench-reports`: report query times on PostgreSQL with 1,000,000 conversations.

Loads the Baton Bank demo and N simulated conversations over 90 days into a PostgreSQL
database of its own (`--database-url`, default the local server's `baton_bench_reports`),
counts the day tallies the reports add up (`baton reports rebuild`), then times every report
the JSON API and the Reports page serve: 7, 30 and 90 days, overall and broken down by each
dimension, each with the previous period beside it, as a large account runs them
(BATON_REPORTS_REFRESH=background: `baton reports refresh --every 60` keeps the tallies
current beside the web workers). It also times that refresh after a burst of new
conversations, and a report that refreshes first (the "on_read" default). A loaded database
is reused by later runs (`--reuse`). Writes benchmarks/results/reports_<date>.json and the
bench-reports section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from itertools import repeat
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from benchmarks.doc_section import write_section  # noqa: E402
from benchmarks.machine import describe_machine  # noqa: E402

from batondesk.cli.reports import count_days_in_processes  # noqa: E402
from batondesk.config import Settings, get_settings  # noqa: E402
from batondesk.demo.history import simulate_history  # noqa: E402
from batondesk.demo.seed import seed_demo  # noqa: E402
from batondesk.errors import Conflict  # noqa: E402
from batondesk.reports.definitions import DIMENSIONS  # noqa: E402
from batondesk.reports.report import build_kpi_report, reporting_today  # noqa: E402
from batondesk.reports.rollups import days_to_rebuild, refresh  # noqa: E402
from batondesk.store import Database, init_store  # noqa: E402
from batondesk.store.base import utcnow  # noqa: E402
from batondesk.store.models import Conversation, ReportDayTally  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/baton_bench_reports"
RESULTS = ROOT / "benchmarks" / "results"
DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- bench-reports:start -->", "<!-- bench-reports:end -->"
TARGET_SECONDS = 1.0
LOAD_CHUNK = 50_000  # conversations a loading process writes under one seed
PERIODS = (7, 30, 90)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default=os.environ.get("BATON_BENCH_DATABASE_URL", DEFAULT_URL)
    )
    parser.add_argument("--conversations", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--repeats", type=int, default=20, help="timed runs of each report")
    parser.add_argument("--reuse", action="store_true", help="keep a database already loaded")
    parser.add_argument("--workers", type=int, default=2, help="processes loading and counting")
    parser.add_argument("--data-dir", type=Path, default=ROOT / "var" / "bench-reports")
    args = parser.parse_args()

    if not args.reuse:
        _recreate_database(args.database_url)
    args.data_dir.mkdir(parents=True, exist_ok=True)
    # Through the environment, so the processes that count days read the same settings.
    os.environ.update(
        BATON_DATA_DIR=str(args.data_dir),
        BATON_DATABASE_URL=args.database_url,
        BATON_PASSWORD_HASHING="fast",
        BATON_REPORTS_REFRESH="background",
    )
    get_settings.cache_clear()
    settings = get_settings()
    db = init_store(settings)
    db.migrate()
    machine = describe_machine()
    account_id, load_seconds, conversations = _load(db, args.conversations, args.days, args.workers)

    started, now = time.perf_counter(), utcnow()
    with db.session() as session:
        to_count = days_to_rebuild(session, account_id, now)
    count_days_in_processes(account_id, to_count, now, args.workers)
    rebuild_seconds = time.perf_counter() - started
    days = len(to_count)
    print(f"counted {days} days in {rebuild_seconds:.0f} s", flush=True)

    queries = _time_reports(db, account_id, args.repeats)
    page = _time_page(settings, db, args.repeats)
    result = {
        "run_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine,
        "database": make_url(args.database_url).render_as_string(hide_password=True),
        "conversations": conversations,
        "load_seconds": load_seconds,
        "rebuild_seconds": round(rebuild_seconds, 1),
        "workers": args.workers,
        "days_counted": days,
        "tally_rows": _tally_rows(db, account_id),
        "repeats": args.repeats,
        "reports": queries,
        "page": page,
        "live": None,
    }
    _write(result)  # the query times stand even if the slower refresh phase is stopped
    result["live"] = _time_refresh(db, account_id)
    _write(result)
    db.dispose()


def _write(result: dict[str, Any]) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"reports_{datetime.now(UTC):%Y%m%d}.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out}", flush=True)
    write_section(DOC, START, END, _section(result))


def _recreate_database(url: str) -> None:
    parsed = make_url(url)
    name = parsed.database
    admin = parsed.set(database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin.replace("+psycopg", ""), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')  # nosec B608: our own name
        connection.execute(f'CREATE DATABASE "{name}"')  # nosec B608


def _load(db: Database, wanted: int, days: int, workers: int) -> tuple[int, float | None, int]:
    """Seed the demo and simulate conversations until the account has `wanted` simulated
    ones, in `workers` processes of 50,000 conversations a seed; (account id, seconds spent
    loading or None when nothing was loaded, conversations)."""
    summary = seed_demo(db)
    have = _conversations(db)
    load_seconds = None
    if have < wanted:
        started, seed = time.perf_counter(), 1
        with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
            while have < wanted:
                chunks = [min(LOAD_CHUNK, wanted - have - i * LOAD_CHUNK) for i in range(workers)]
                chunks = [n for n in chunks if n > 0]
                seeds = range(seed, seed + len(chunks))
                seed += len(chunks)
                have += sum(pool.map(_simulate_in_worker, chunks, repeat(days), seeds))
                print(f"  {have:,}", flush=True)
        load_seconds = round(time.perf_counter() - started, 1)
        have = _conversations(db)
        print(f"loaded {have:,} conversations in {load_seconds:.0f} s", flush=True)
    return summary.account_id, load_seconds, have


def _conversations(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(Conversation)) or 0


def _simulate_in_worker(conversations: int, days: int, seed: int) -> int:
    """Simulate one seed's conversations in a process of its own; 0 for a seed an earlier,
    partial load already used."""
    db = init_store(get_settings())
    try:
        return simulate_history(db, conversations=conversations, days=days, seed=seed).conversations
    except Conflict:
        return 0
    finally:
        db.dispose()


def _timed(run: Callable[[], Any], repeats: int) -> dict[str, float]:
    run()  # the first run counts any day not counted yet and warms the caches
    seconds = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        seconds.append(time.perf_counter() - started)
    seconds.sort()
    return {
        "p50": round(statistics.median(seconds), 3),
        "p95": round(seconds[max(0, int(round(0.95 * len(seconds))) - 1)], 3),
        "max": round(seconds[-1], 3),
    }


def _time_reports(db: Database, account_id: int, repeats: int) -> list[dict[str, Any]]:
    with db.session() as session:
        today = reporting_today(session, account_id)
    timings = []
    for days in PERIODS:
        for group_by in (None, *DIMENSIONS):

            def run(days: int = days, group_by: Any = group_by) -> None:
                with db.session() as session:
                    build_kpi_report(
                        session,
                        account_id,
                        today - timedelta(days=days - 1),
                        today,
                        group_by=group_by,
                        refresh_first=False,
                    )

            timing = {"days": days, "group_by": group_by, **_timed(run, repeats)}
            print(f"  {days:>2} days by {group_by or '-':<8} {timing}", flush=True)
            timings.append(timing)
    return timings


def _time_page(settings: Settings, db: Database, repeats: int) -> list[dict[str, Any]]:
    """The Reports page as an admin's browser asks for it (server-side rendering, charts)."""
    from fastapi.testclient import TestClient

    from batondesk.app import create_app

    summary = seed_demo(db)
    app = create_app(settings)
    timings = []
    with TestClient(app, base_url="http://127.0.0.1") as client:
        login = client.post(
            "/api/v1/auth/login",
            json={"email": summary.admin_email, "password": summary.password},
        )
        login.raise_for_status()
        client.headers["X-Requested-With"] = "baton"  # what the console sends (CSRF)
        for days, group_by in ((30, None), (90, None), (30, "intent"), (90, "agent")):
            today = datetime.now(UTC).date()
            params = {
                "from": (today - timedelta(days=days - 1)).isoformat(),
                "to": today.isoformat(),
                "group_by": group_by or "",
            }

            def run(params: dict[str, str] = params) -> None:
                client.get("/console/admin/reports", params=params).raise_for_status()

            timing = {"days": days, "group_by": group_by, **_timed(run, max(5, repeats // 2))}
            print(f"  page {days:>2} days by {group_by or '-':<8} {timing}", flush=True)
            timings.append(timing)
    return timings


def _time_refresh(db: Database, account_id: int) -> dict[str, Any]:
    """A burst of new conversations (the last hour), then the refresh that counts them, then
    a report that refreshes first with nothing new."""
    with db.session() as session:
        refresh(session, account_id, utcnow())
    burst = 500
    simulate_history(db, conversations=burst, days=1, seed=10_000 + int(time.time()) % 10_000)
    started = time.perf_counter()
    with db.session() as session:
        done = refresh(session, account_id, utcnow())
    refresh_seconds = time.perf_counter() - started
    with db.session() as session:
        today = reporting_today(session, account_id)

    def run() -> None:
        with db.session() as session:
            build_kpi_report(
                session, account_id, today - timedelta(days=29), today, refresh_first=True
            )

    on_read = _timed(run, 5)
    print(f"  refresh after {burst} new: {refresh_seconds:.1f} s; on_read 30 days {on_read}")
    return {
        "new_conversations": burst,
        "events_read": done.events,
        "days_counted": done.days,
        "refresh_seconds": round(refresh_seconds, 2),
        "on_read_30_days": on_read,
    }


def _tally_rows(db: Database, account_id: int) -> int:
    with db.session() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(ReportDayTally)
                .where(ReportDayTally.account_id == account_id)
            )
            or 0
        )


def _seconds_status(seconds: float) -> str:
    return "met" if seconds <= TARGET_SECONDS else f"over by {seconds - TARGET_SECONDS:.2f} s"


def _section(result: dict[str, Any]) -> list[str]:
    machine = result["machine"]
    worst = max(result["reports"], key=lambda r: r["p95"])
    page_worst = max(result["page"], key=lambda r: r["p95"])
    live = result.get("live")
    lines = [
        "## bench-reports: reports over 1,000,000 conversations",
        "",
        "Produced by `make bench-reports` (`benchmarks/reports_bench.py`); raw figures in "
        "`benchmarks/results/reports_*.json`. PostgreSQL on the same machine; the account "
        "runs with `BATON_REPORTS_REFRESH=background`, as a large account should "
        '(docs/metrics.md, "How reports stay fast").',
        "",
        f"- Run of {result['run_at']}: {machine['cpu_model']}, {machine['cores']} cores"
        + (
            f", load average {machine['load_average_at_start']:.1f} at start"
            if machine["load_average_at_start"] is not None
            else ", other work on the machine"
        )
        + f"; {result['conversations']:,} conversations over 90 days"
        + (f", loaded in {result['load_seconds']:.0f} s" if result["load_seconds"] else "")
        + (f" ({result['load_note']})" if result.get("load_note") else "")
        + f"; day tallies counted in {result['rebuild_seconds']:.0f} s "
        f"({result['days_counted']} days, {result['tally_rows']:,} rows).",
        "",
        "| measure | result | target | status |",
        "|---|---|---|---|",
        f"| slowest report query, p95 ({worst['days']} days, by {worst['group_by'] or 'nothing'}) "
        f"| {worst['p95']:.3f} s | <= {TARGET_SECONDS:.0f} s | "
        f"{_seconds_status(worst['p95'])} |",
        f"| slowest Reports page, p95 ({page_worst['days']} days, by "
        f"{page_worst['group_by'] or 'nothing'}) | {page_worst['p95']:.3f} s | "
        f"<= {TARGET_SECONDS:.0f} s | {_seconds_status(page_worst['p95'])} |",
        "",
        f"Every report, p50 / p95 / max over {result['repeats']} runs after one warm-up (seconds; "
        "each with the previous period beside it):",
        "",
        "| breakdown | " + " | ".join(f"{d} days" for d in PERIODS) + " |",
        "|---|" + "---|" * len(PERIODS),
    ]
    for group_by in (None, *DIMENSIONS):
        cells = []
        for days in PERIODS:
            row = next(
                r for r in result["reports"] if r["days"] == days and r["group_by"] == group_by
            )
            cells.append(f"{row['p50']:.3f} / {row['p95']:.3f} / {row['max']:.3f}")
        lines.append(f"| {group_by or 'none'} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "The Reports page (HTML with its charts, through the app), p50 / p95: "
        + "; ".join(
            f"{p['days']} days by {p['group_by'] or 'nothing'} {p['p50']:.3f} / {p['p95']:.3f} s"
            for p in result["page"]
        )
        + ".",
    ]
    if live is None:
        lines += [
            "",
            "Keeping current (a refresh after a burst of new conversations, and a report that "
            "refreshes first) was not measured in this run.",
        ]
        return lines
    lines += [
        "",
        f"Keeping current: after {live['new_conversations']} new conversations, `baton reports "
        f"refresh` read {live['events_read']:,} events and counted {live['days_counted']} days "
        f"again in {live['refresh_seconds']:.1f} s. A 30-day report that refreshes first "
        "(`on_read`, the default, right for small accounts) took p50 "
        f"{live['on_read_30_days']['p50']:.2f} s / p95 {live['on_read_30_days']['p95']:.2f} s "
        "at this size, because the recent days' figures change by the minute (targets falling "
        "due, return windows closing) and are counted again.",
    ]
    return lines


if __name__ == "__main__":
    main()
