"""End-to-end resolution benchmark: `make bench-resolution`.

Starts the Baton Bank demo on loopback as a user would (benchmarks/demo_server.py), then talks
to it only through the chat widget's HTTP API, as customers would:
- every BANKING77 test message is the first message of a new conversation; the bot's turn is
  correct (an answer citing an article mapped to the message's intent), wrong, a
  clarification, a decline or a hand-over. When the bot offers choices, the customer answers
  by button and, in a second conversation, by typing "the second one"
  (benchmarks/resolution_customer.py); resolved within two turns = a correct answer by then;
- turn latency (client-side wall time of each message POST) sequentially and with 8
  customers at once, and messages per second;
- question sets in customers' words (benchmarks/question_sets.py): answer rate, wrong-answer
  rate, correct abstention, by kind and style.
Writes benchmarks/results/resolution_*.json and the bench-resolution section of
docs/benchmarks.md. The held-out question set runs only with --holdout.

    python benchmarks/resolution_bench.py                 # BANKING77 + customer_dev.jsonl
    python benchmarks/resolution_bench.py --sample 300    # quick: results under the data dir
    python benchmarks/resolution_bench.py --holdout --no-banking77 --no-questions
"""

from __future__ import annotations

import argparse
import json
import random
import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import httpx
from demo_server import demo_server  # benchmarks/ is on sys.path when run as a script
from machine import describe_machine
from public_datasets import BANKING77_TEST, dataset_file, datasets_dir, read_rows
from question_sets import judge, load_questions, summarize
from resolution_customer import WidgetCustomer, resolve
from resolution_report import banking77_figures, latency_figures, print_summary, write_doc

from batondesk.demo.content import AGENTS, DEMO_PASSWORD, load_articles
from batondesk.demo.seed import DEMO_INBOX

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
DATA = ROOT / "benchmarks" / "data"
DOC = ROOT / "docs" / "benchmarks.md"
DEFAULT_DATA_DIR = ROOT / "var" / "bench-resolution"
DEV_QUESTIONS = DATA / "customer_dev.jsonl"
# The held-out set not yet run (customer_holdout.jsonl to customer_holdout_5.jsonl were each
# run once, at the end of a round, and are development data now).
HOLDOUT_QUESTIONS = DATA / "customer_holdout_7.jsonl"  # written apart, not yet run
ADMIN_EMAIL = next(agent.email for agent in AGENTS if agent.role == "admin")
T = TypeVar("T")
R = TypeVar("R")


def stratified_sample(items: list[tuple[str, str]], size: int, seed: int) -> list[tuple[str, str]]:
    """`size` messages spread evenly over the intents (round-robin over shuffled intents)."""
    rng = random.Random(seed)
    by_intent: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for item in items:
        by_intent[item[1]].append(item)
    queues = [rng.sample(rows, len(rows)) for _, rows in sorted(by_intent.items())]
    rng.shuffle(queues)
    chosen: list[tuple[str, str]] = []
    while len(chosen) < min(size, len(items)):
        for queue in queues:
            if queue and len(chosen) < size:
                chosen.append(queue.pop())
    return chosen


def articles_by_intent() -> dict[str, frozenset[str]]:
    """Intent -> slugs of the demo articles that list it in their front matter."""
    mapping: dict[str, set[str]] = defaultdict(set)
    for article in load_articles():
        for intent in article.intents:
            mapping[intent].add(article.slug)
    return {intent: frozenset(slugs) for intent, slugs in mapping.items()}


class Progress:
    """A one-line counter on stderr, redrawn at most twice a second."""

    def __init__(self, label: str, total: int) -> None:
        self.label, self.total, self.done = label, total, 0
        self._lock, self._shown = threading.Lock(), 0.0

    def tick(self) -> None:
        with self._lock:
            self.done += 1
            now = time.monotonic()
            if now - self._shown >= 0.5 or self.done == self.total:
                self._shown = now
                end = "\n" if self.done == self.total else ""
                print(f"\r  {self.label}: {self.done}/{self.total}", end=end, file=sys.stderr)


def run_all(work: Callable[[T], R], items: Sequence[T], concurrency: int) -> list[R]:
    """`work` over `items` with `concurrency` threads, results in order; Ctrl-C cancels what
    has not started."""
    if concurrency <= 1:
        return [work(item) for item in items]
    pool = ThreadPoolExecutor(concurrency)
    try:
        return list(pool.map(work, items))
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def run_banking77(
    customer: WidgetCustomer, items: list[tuple[str, str]], args: argparse.Namespace
) -> dict[str, Any]:
    """Warm-up, then a sequential share (latency at concurrency 1), then the rest with
    `args.concurrency` customers at once (latency and throughput under load). Every message
    is classified, whichever phase sent it."""
    expected = articles_by_intent()
    progress = Progress("BANKING77 messages", len(items))

    def one(item: tuple[str, str]) -> Any:
        result = resolve(customer, item[0], expected.get(item[1], frozenset()))
        progress.tick()
        return result

    warmup = min(args.warmup, len(items) // 4)
    sequential = min(args.sequential, (len(items) - warmup) // 2)
    phases = (items[:warmup], items[warmup : warmup + sequential], items[warmup + sequential :])
    resolutions, latency = run_all(one, phases[0], 1), {}
    for name, phase, concurrency in (
        ("concurrency_1", phases[1], 1),
        (f"concurrency_{args.concurrency}", phases[2], args.concurrency),
    ):
        began = time.perf_counter()
        done = run_all(one, phase, concurrency)
        latency[name] = latency_figures(done, time.perf_counter() - began)
        resolutions += done
    return {**banking77_figures(items, resolutions, expected), "latency": latency}


def run_questions(customer: WidgetCustomer, path: Path, concurrency: int) -> dict[str, Any]:
    questions = load_questions(path)
    progress = Progress(path.name, len(questions))

    def one(question: Any) -> dict[str, Any]:
        _, turn = customer.first_message(question.text)
        progress.tick()
        return judge(question, turn)

    rows = run_all(one, questions, concurrency)
    shown = path.resolve()
    shown = shown.relative_to(ROOT) if shown.is_relative_to(ROOT) else shown
    # Every question the bot did not get right, with what it did: our own written questions.
    failures = [
        row
        for row in rows
        if row["outcome"] == "wrong"
        or (row["kind"] == "answerable" and row["outcome"] != "correct")
        or row["correct_abstention"] is False
        or row["honest_reply"] is False
    ]
    return {"questions_file": str(shown), **summarize(rows), "failures": failures}


def account_settings(base: str) -> dict[str, Any]:
    """The demo account's answer settings, read through the admin API as an admin would
    (`settings/answering` carries the maximum wrong-answer rate; older servers only have
    `settings/decision`)."""
    with httpx.Client(base_url=base, timeout=30) as admin:
        login = admin.post(
            "/api/v1/auth/login", json={"email": ADMIN_EMAIL, "password": DEMO_PASSWORD}
        )
        if login.status_code != 200:
            return {"error": f"login: HTTP {login.status_code}"}
        for name in ("answering", "decision"):
            response = admin.get(f"/api/v1/admin/settings/{name}")
            if response.status_code == 200:
                values: dict[str, Any] = response.json()
                wrong = [value for key, value in values.items() if "wrong" in key]
                return {name: values, "max_wrong_answer_rate": wrong[0] if wrong else None}
    return {"error": f"settings: HTTP {response.status_code}"}


def provenance(
    data_dir: Path, args: argparse.Namespace, settings: dict[str, Any], machine: dict[str, Any]
) -> dict[str, Any]:
    from batondesk.nlu import ModelRegistry

    def git(*command: str) -> str:
        done = subprocess.run(["git", *command], cwd=ROOT, capture_output=True, text=True)
        return done.stdout.strip()

    model = ModelRegistry(data_dir / "models").active()
    return {
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "git_commit": git("rev-parse", "HEAD"),
        "git_dirty": bool(git("status", "--porcelain", "--", "src", "benchmarks")),
        "machine": machine,
        "intent_model": model.version if model else None,
        "account_settings": settings,
        "run": {
            "sample": args.sample,
            "fresh": args.fresh,
            "seed": args.seed,
            "concurrency": args.concurrency,
            "warmup": args.warmup,
            "sequential": args.sequential,
            "inbox": DEMO_INBOX,
        },
    }


def write_json(path: Path, payload: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {path}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sample", type=int, help="a stratified sample of N BANKING77 messages")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--fresh", action="store_true", help="start clean: retrain the model")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--questions", type=Path, action="append", help="JSON Lines set(s)")
    parser.add_argument("--no-questions", action="store_true")
    parser.add_argument("--holdout", action="store_true", help=f"also run {HOLDOUT_QUESTIONS}")
    parser.add_argument("--no-banking77", action="store_true")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--sequential", type=int, default=300)
    args = parser.parse_args(argv)
    # `kill` stops the benchmark like Ctrl-C does: through the code that stops the server.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))

    question_files = [] if args.no_questions else (args.questions or [DEV_QUESTIONS])
    if not args.questions and not args.no_questions and not DEV_QUESTIONS.is_file():
        print(f"note: {DEV_QUESTIONS.name} not found; running without it", file=sys.stderr)
        question_files = []
    if args.holdout:
        question_files.append(HOLDOUT_QUESTIONS)
    for path in question_files:
        if not path.is_file():
            raise SystemExit(f"{path}: question set not found")
    items = [] if args.no_banking77 else read_rows(dataset_file(BANKING77_TEST))
    if args.sample:
        items = stratified_sample(items, args.sample, args.seed)
    random.Random(args.seed).shuffle(items)  # each phase sees every kind of message
    # Quick runs never replace the published figures.
    out_dir = args.data_dir / "results" if args.sample else RESULTS

    began, machine = time.perf_counter(), describe_machine()  # the load before we add ours
    with demo_server(args.data_dir, datasets_dir(), fresh=args.fresh, cwd=ROOT) as base:
        settings = account_settings(base)
        limits = httpx.Limits(max_connections=args.concurrency * 2)
        with httpx.Client(base_url=base, timeout=120, limits=limits) as client:
            customer = WidgetCustomer(client, DEMO_INBOX)
            results: dict[str, dict[str, Any]] = {}
            if items:
                started = time.perf_counter()
                results["banking77"] = run_banking77(customer, items, args)
                results["banking77"]["seconds"] = round(time.perf_counter() - started, 1)
            for path in question_files:
                started = time.perf_counter()
                results[path.stem] = run_questions(customer, path, args.concurrency)
                results[path.stem]["seconds"] = round(time.perf_counter() - started, 1)
    meta = provenance(args.data_dir, args, settings, machine)
    meta["total_seconds"] = round(time.perf_counter() - began, 1)
    for name, figures in results.items():
        write_json(out_dir / f"resolution_{name}.json", {"benchmark": name, **meta, **figures})
    print_summary(results)
    if not args.sample:
        write_doc(RESULTS, DOC)


if __name__ == "__main__":
    main()
