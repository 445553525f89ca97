"""Load benchmark: `make bench-load`.

Simulated customers (BANKING77 test messages, some asking for a person) and the demo's agents
(taking over, replying; benchmarks/load_traffic.py) at 10, 50 and 200 concurrent chats, all
over HTTP on loopback, against two deployments of the Baton Bank demo:
- embedded: the default (SQLite, one `baton serve` process that also runs the jobs), started
  as benchmarks/demo_server.py starts it;
- production: PostgreSQL + Redis, one `baton serve --workers 2` (two API processes sharing one
  socket, as docs/deploy.md runs them on one host) and a `baton worker`, started by the
  process-model test's helpers (tests/support/processes.py),
  on a database of its own (created and dropped: `--database-url`, default
  baton_bench_load on 127.0.0.1:5432) and a Redis database other than 0.
Then a soak (50 chats for 10 minutes by default, on the production deployment), a phase of
50 chats during which one API process and the job worker are killed with kill -9
(benchmarks/load_faults.py: no acknowledged message and no job may be lost), and in the
same run the ceilings: a bare ASGI echo app (benchmarks/echo_app.py) served the same ways,
and the NLU engine's own batch throughput and single-message latency on the demo's model.

Messages per second, p50/p99 turn latency, errors and acknowledged messages lost for each.
A run with the default sizes writes benchmarks/results/load_<date>.json and the bench-load
section of docs/benchmarks.md; any smaller run is a quick run, written under the data
directory (or `--out`) and never replacing the published figures (`--write-doc` to show it).

    python benchmarks/load_bench.py                       # the full run (~35 min)
    python benchmarks/load_bench.py --chats 10 --seconds 20 --soak-seconds 60 --kill-seconds 30
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from load_cpu import cpu_per_message, snapshot
from load_deployments import (  # benchmarks/ is on sys.path when run as a script
    Production,
    echo_server,
    embedded,
    production,
)
from load_faults import Kills, summary
from load_report import print_summary, write_doc
from load_traffic import Traffic, echo, figures, lost_messages
from machine import describe_machine
from public_datasets import BANKING77_TEST, dataset_file, read_rows
from sqlalchemy import make_url

from batondesk.config import Settings
from batondesk.demo.content import AGENTS, DEMO_PASSWORD
from batondesk.demo.seed import DEMO_INBOX

ROOT = Path(__file__).resolve().parent.parent

RESULTS = ROOT / "benchmarks" / "results"
DOC = ROOT / "docs" / "benchmarks.md"
DEFAULT_DATA_DIR = ROOT / "var" / "bench-load"
DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/baton_bench_load"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/5"  # not 0: the default a local install uses
DEFAULT_CHATS = (10, 50, 200)
DEFAULT_SECONDS = 60.0
DEFAULT_SOAK_SECONDS = 600.0
DEFAULT_KILL_SECONDS = 60.0
DEFAULT_ECHO_SECONDS = 20.0
DEFAULT_NLU_MESSAGES = 1024
DEPLOYMENTS = ("embedded", "production")
# A dead job worker's jobs come back once its heartbeat is this old: the product's default,
# unless the benchmark's environment sets it (the servers inherit the environment).
JOB_HEARTBEAT_SECONDS = float(
    os.environ.get(
        "BATON_JOB_WORKER_HEARTBEAT_TIMEOUT_SECONDS",
        Settings.model_fields["job_worker_heartbeat_timeout_seconds"].default,
    )
)
AGENT_LOGINS = [(agent.email, DEMO_PASSWORD) for agent in AGENTS if agent.role == "agent"]


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.report_only:
        write_doc(json.loads(args.report_only.read_text(encoding="utf-8")), DOC, args.report_only)
        return
    # `kill` stops the benchmark like Ctrl-C does: through the code that stops the servers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    texts = [text for text, _ in read_rows(args.messages or dataset_file(BANKING77_TEST))]
    quick = is_quick(args)
    out = args.out or (
        (args.data_dir / "results" if quick else RESULTS) / f"load_{datetime.now(UTC):%Y%m%d}.json"
    )
    machine = describe_machine()  # the load before we add ours
    began = time.perf_counter()
    result: dict[str, Any] = {
        "benchmark": "load",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "git_commit": _git("rev-parse", "HEAD"),
        "quick_run": quick,
        "machine": machine,
        "settings": settings_of(args),
        "deployments": {},
        "ceilings": {},
    }
    soak_on = args.only[-1]  # the production deployment when it runs
    for name in args.only:
        data_dir = args.data_dir / name
        start_deployment = embedded if name == "embedded" else production
        with start_deployment(args, data_dir) as running:
            result["deployments"][name] = drive(
                running, texts, args, soak=args.soak_seconds > 0 and name == soak_on
            )
        if "nlu" not in result["ceilings"]:  # the same model serves both deployments
            result["ceilings"]["nlu"] = nlu_ceiling(data_dir, texts[: args.nlu_messages])
        _write(out, result)  # what is measured stands even if a later part fails
    result["ceilings"]["echo"] = echo_ceilings(args, texts)
    result["load_average_at_end"] = os.getloadavg()[0]
    result["total_seconds"] = round(time.perf_counter() - began, 1)
    _write(out, result)
    print_summary(result)
    if not quick or args.write_doc:
        write_doc(result, DOC, out)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--chats",
        type=_counts,
        default=DEFAULT_CHATS,
        help="concurrent chats of each phase, comma-separated (default 10,50,200)",
    )
    parser.add_argument("--seconds", type=float, default=DEFAULT_SECONDS, help="per phase")
    parser.add_argument(
        "--max-messages", type=int, help="end each phase after this many customer messages"
    )
    parser.add_argument(
        "--soak-seconds", type=float, default=DEFAULT_SOAK_SECONDS, help="0: no soak"
    )
    parser.add_argument("--soak-chats", type=int, default=50)
    parser.add_argument(
        "--kill-seconds",
        type=float,
        default=DEFAULT_KILL_SECONDS,
        help="the phase in which an API process and the job worker are killed (0: none)",
    )
    parser.add_argument("--kill-chats", type=int, default=50)
    parser.add_argument("--echo-seconds", type=float, default=DEFAULT_ECHO_SECONDS)
    parser.add_argument(
        "--nlu-messages",
        type=int,
        default=DEFAULT_NLU_MESSAGES,
        help="messages the NLU ceiling classifies (in batches of 64, and 300 at most one by one)",
    )
    parser.add_argument(
        "--only", choices=DEPLOYMENTS, action="append", help="run only this deployment"
    )
    parser.add_argument(
        "--person-share", type=float, default=0.15, help="share of conversations asking for one"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--messages", type=Path, help="a BANKING77-style CSV (default: BANKING77 test)"
    )
    parser.add_argument(
        "--model", type=Path, help="serve this saved intent model instead of the demo's"
    )
    parser.add_argument("--no-history", action="store_true", help="demo without its history")
    parser.add_argument("--fresh", action="store_true", help="start clean: retrain the model")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--out", type=Path, help="the results file")
    parser.add_argument("--write-doc", action="store_true", help="write the docs even if quick")
    parser.add_argument(
        "--report-only", type=Path, metavar="RESULTS", help="rewrite the docs from a results file"
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BATON_BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
        help="created (dropped first if there) and dropped after; its server on loopback",
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("BATON_BENCH_REDIS_URL", DEFAULT_REDIS_URL)
    )
    args = parser.parse_args(argv)
    args.only = [name for name in DEPLOYMENTS if name in (args.only or DEPLOYMENTS)]
    for url in (args.database_url, args.redis_url):
        if urlsplit(url).hostname not in ("127.0.0.1", "localhost", "::1"):
            parser.error(f"{url}: the benchmark only sends traffic to this machine (loopback)")
    if not 0 <= args.person_share <= 1:
        parser.error("--person-share is a share between 0 and 1")
    if args.max_messages is not None and args.max_messages < 1:
        parser.error("--max-messages must be at least 1")
    if args.nlu_messages < 1:
        parser.error("--nlu-messages must be at least 1")
    return args


def _counts(value: str) -> tuple[int, ...]:
    try:
        counts = tuple(int(part) for part in value.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r}: expected numbers such as 10,50,200") from None
    if not counts or min(counts) < 1 or max(counts) > 1000:
        raise argparse.ArgumentTypeError(f"{value!r}: each count between 1 and 1000")
    return counts


def is_quick(args: argparse.Namespace) -> bool:
    """Anything smaller or other than the published configuration."""
    return (
        tuple(args.chats) != DEFAULT_CHATS
        or args.seconds < DEFAULT_SECONDS
        or args.max_messages is not None
        or args.soak_seconds < DEFAULT_SOAK_SECONDS
        or args.kill_seconds < DEFAULT_KILL_SECONDS
        or args.echo_seconds < DEFAULT_ECHO_SECONDS
        or args.nlu_messages < DEFAULT_NLU_MESSAGES
        or tuple(args.only) != DEPLOYMENTS
        or args.messages is not None
        or args.model is not None
    )


def settings_of(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "chats": list(args.chats),
        "seconds_per_phase": args.seconds,
        "max_messages_per_phase": args.max_messages,
        "soak": {"chats": args.soak_chats, "seconds": args.soak_seconds},
        "kill": {"chats": args.kill_chats, "seconds": args.kill_seconds},
        "echo_seconds_per_phase": args.echo_seconds,
        "nlu_messages": args.nlu_messages,
        "deployments": args.only,
        "person_share": args.person_share,
        "agents": len(AGENT_LOGINS),
        "seed": args.seed,
        "messages": str(args.messages) if args.messages else f"BANKING77 {BANKING77_TEST}",
        "model": str(args.model) if args.model else "the demo's",
        "demo_history": not args.no_history,
        "database": make_url(args.database_url).render_as_string(hide_password=True),
        "redis": args.redis_url,
    }


def drive(
    running: str | Production, texts: list[str], args: argparse.Namespace, soak: bool
) -> dict[str, Any]:
    """Every phase against one deployment (its base URL, or the production deployment's
    processes), in one event loop (the agents log in once)."""
    base = running.base_url if isinstance(running, Production) else running

    async def phases() -> dict[str, Any]:
        traffic = Traffic(
            base,
            DEMO_INBOX,
            texts,
            AGENT_LOGINS,
            person_share=args.person_share,
            seed=args.seed,
        )
        async with traffic.signed_in():
            # The first turns load the models and warm the caches: not measured.
            started = time.perf_counter()
            warmup = await traffic.run(2, 300, 4)
            done: dict[str, Any] = {
                "warmup_seconds": round(time.perf_counter() - started, 1),
                "warmup_errors": dict(warmup.errors),
            }
            done["phases"] = [await phase(traffic, chats, args.seconds) for chats in args.chats]
            done["soak"] = (
                await phase(traffic, args.soak_chats, args.soak_seconds) if soak else None
            )
            if isinstance(running, Production) and args.kill_seconds > 0:
                done["kill"] = await kill_phase(traffic, running)
        return done

    async def phase(traffic: Traffic, chats: int, seconds: float) -> dict[str, Any]:
        print(f"  {chats} chats for {seconds:.0f} s", flush=True)
        load_before = os.getloadavg()[0]
        cpu_before = snapshot()
        tally = await traffic.run(chats, seconds, args.max_messages)
        cpu_after = snapshot()  # before the read-back, which is not the phase's traffic
        row = figures(tally, chats, await lost_messages(base, tally))
        row["load_average_before"] = load_before
        row["cpu"] = cpu_per_message(cpu_before, cpu_after, tally.acknowledged)
        print(
            f"    {row['messages_per_s']} messages/s, p50 {row['turn_latency']['p50_ms']} ms, "
            f"p99 {row['turn_latency']['p99_ms']} ms, {row['errors']} errors",
            flush=True,
        )
        return row

    async def kill_phase(traffic: Traffic, deployment: Production) -> dict[str, Any]:
        """Load as in the other phases; a third of the way in, kill -9 the job worker
        (once it holds jobs put on the queue for the purpose) and one API process."""
        chats, seconds = args.kill_chats, args.kill_seconds
        print(f"  {chats} chats for {seconds:.0f} s, kill -9 at {seconds / 3:.0f} s", flush=True)
        load_before = os.getloadavg()[0]
        load = asyncio.create_task(traffic.run(chats, seconds, args.max_messages))
        await asyncio.sleep(seconds / 3)
        kills = Kills(deployment)
        await asyncio.to_thread(kills.kill)
        tally = await load
        row = figures(tally, chats, await lost_messages(base, tally))
        row["load_average_before"] = load_before
        # The dead worker's jobs return once its heartbeat is older than the timeout.
        await asyncio.to_thread(kills.settle, JOB_HEARTBEAT_SECONDS + 120)
        row["kills"] = summary(kills.report)
        print(
            f"    {row['messages_per_s']} messages/s, {row['errors']} errors, "
            f"{row['acknowledged_messages_lost']} acknowledged messages lost; jobs: "
            f"{row['kills']['jobs_held_by_the_killed_worker']} held by the killed worker, "
            f"{row['kills']['jobs_lost']} of {row['kills']['jobs_enqueued_before_the_kill']} lost",
            flush=True,
        )
        return row

    return asyncio.run(phases())


def echo_ceilings(args: argparse.Namespace, texts: list[str]) -> dict[str, Any]:
    """The echo app served as each deployment serves Baton, at the same concurrencies."""
    print("ceiling: a bare ASGI echo app", flush=True)
    shapes: dict[str, Any] = {}
    logs = args.data_dir.resolve() / "echo"

    def run(base: str) -> list[dict[str, Any]]:
        rows = []
        for chats in args.chats:
            row = asyncio.run(echo(base, texts, chats, args.echo_seconds, args.max_messages))
            print(f"  {chats} clients: {row['requests_per_s']} requests/s", flush=True)
            rows.append(row)
        return rows

    if "embedded" in args.only:
        with echo_server(1, logs) as base:
            shapes["one_process"] = run(base)
    if "production" in args.only:
        with echo_server(2, logs) as base:
            shapes["two_processes"] = run(base)
    return shapes


def nlu_ceiling(data_dir: Path, texts: list[str]) -> dict[str, Any]:
    """The active intent model of `data_dir` as a worker serves it (one thread): batch
    throughput (batches of 64) over `texts` and single-message latency (at most 300 of them),
    with no server running."""
    from batondesk.nlu import IntentClassifier, ModelRegistry
    from batondesk.nlu.evaluation import latency_profile, throughput

    active = ModelRegistry(data_dir.resolve() / "models").active()
    if active is None:
        raise SystemExit(f"{data_dir}/models has no active intent model")
    model = IntentClassifier.load(active.path, threads=1)
    sample = texts
    model.predict_batch(sample[:64])  # warm-up
    load_before = os.getloadavg()[0]
    figures = {
        "model": active.version,
        "batch64_messages_per_s": throughput(model, sample),
        "single_message_latency": latency_profile(
            model, sample, calls=min(300, len(sample)), warmup=min(20, len(sample))
        ),
        "messages": len(sample),
        "load_average_before": load_before,
    }
    print(f"ceiling: NLU batch {figures['batch64_messages_per_s']} messages/s", flush=True)
    return figures


def _git(*command: str) -> str:
    done = subprocess.run(["git", *command], cwd=ROOT, capture_output=True, text=True)
    return done.stdout.strip()


def _write(path: Path, result: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {path}", flush=True)


if __name__ == "__main__":
    main()
