"""Where a customer's turn spends its time: `make bench-turn`.

Runs the Baton Bank demo in-process (the app `baton serve` serves, called through Starlette's
TestClient, so that no network and no other process share the measurement) on the embedded
default (SQLite, the key store beside it) and on PostgreSQL + Redis (database and key store
in databases of their own, created and dropped), and sends new chats of two customer messages
each, BANKING77 test messages, one after another. For each storage:

1. without a profiler: the process's CPU time and the wall time per customer message (the
   chat's start counted in: a new chat's contact, conversation and data key);
2. with py-spy (a sampling profiler that reads the process from outside) while the same
   traffic runs again: every sample taken inside a request is filed under the first phase of
   `PHASES` its stack is in, so each phase's share is of the time requests took.

Writes benchmarks/results/turn_profile.json and the bench-turn section of docs/benchmarks.md.

    python benchmarks/turn_profile.py                   # both storages, 150 chats each
    python benchmarks/turn_profile.py --only sqlite --chats 40
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from demo_server import child_environment, prepare_data_dir, prepare_demo
from doc_section import write_section
from load_deployments import private_database
from machine import describe_machine
from public_datasets import BANKING77_TEST, dataset_file, datasets_dir

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- bench-turn:start -->", "<!-- bench-turn:end -->"
DEFAULT_DATA_DIR = ROOT / "var" / "bench-turn"
DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/baton_bench_turn"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/6"
STORAGES = ("sqlite", "postgresql")
WARM_UP_CHATS = 20
SAMPLES_PER_SECOND = 100

# A sample belongs to the first phase one of whose markers its stack holds (a marker with ";"
# needs each part). Order matters: a flush inside a read (autoflush) is a write; the encoder
# inside the intent model is the encoder.
PHASES: list[tuple[str, list[str]]] = [
    ("intent model: MiniLM encoder (ONNX Runtime)", ["IntentClassifier;OnnxEncoder"]),
    ("intent model: TF-IDF, regressions, nearest example", ["IntentClassifier.predict"]),
    ("hand-over reading: rules and learned model", ["detect_cues"]),
    ("language detection", ["detect_language"]),
    ("retrieval, answer policy, composing the reply", ["take_turn"]),
    ("key store: new contacts' data keys", ["KeyStore.create_data_keys"]),
    ("sealing and opening personal data", ["_seal_before_flush", "_seal_new_rows", "open_sealed"]),
    ("database: commit", ["SessionTransaction.commit"]),
    ("database: writes (flush)", ["Session._flush"]),
    ("database: reads", ["Session._execute_internal", "Session.get", "Connection.execute"]),
    ("live updates: publishing to consoles", ["publish_after_commit"]),
]
OTHER = "HTTP, routing, validation and other Python"
IN_A_REQUEST = ("_committing", "RequestResponseCycle", "Starlette.__call__")
# Once per process, not per turn: loading the models, and the app's start and end (whose
# stacks pass through the same middleware as a request's).
NOT_A_TURN = ("IntentModels._load", "lifespan")


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.command == "drive":
        drive(args)
        return
    storages = args.only or list(STORAGES)
    result: dict[str, Any] = {
        "benchmark": "turn_profile",
        "finished_at": None,
        "machine": describe_machine(),
        "settings": {"chats": args.chats, "messages_per_chat": 2, "warm_up_chats": WARM_UP_CHATS},
        "storages": {},
    }
    for storage in storages:
        print(f"{storage}: preparing the demo", flush=True)
        with environment_for(storage, args) as env:
            timing = run_driver(env, args.chats, None, args.messages)
            print(f"  {timing['cpu_ms_per_message']} ms CPU per message", flush=True)
            samples_file = args.data_dir / storage / "samples.txt"
            run_driver(env, args.chats, samples_file, args.messages)
            shares = file_samples(samples_file)
        result["storages"][storage] = {**timing, **shares}
    result["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    result["load_average_at_end"] = os.getloadavg()[0]
    out = args.out or RESULTS / "turn_profile.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out}")
    print_summary(result)
    if args.out is None:
        write_doc(result, out)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", nargs="?", default="run", choices=("run", "drive"))
    parser.add_argument("--only", choices=STORAGES, action="append")
    parser.add_argument("--chats", type=int, default=150, help="chats of two messages")
    parser.add_argument("--model", type=Path, help="serve this saved intent model")
    parser.add_argument("--messages", type=Path, help="a CSV with a text column (BANKING77 test)")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument("--out", type=Path, help="results file (a run elsewhere: no doc)")
    parser.add_argument("--timing-file", type=Path, help=argparse.SUPPRESS)  # drive mode
    args = parser.parse_args(argv)
    args.data_dir = args.data_dir.resolve()
    return args


@contextmanager
def environment_for(storage: str, args: argparse.Namespace) -> Iterator[dict[str, str]]:
    """The demo prepared in `<data dir>/<storage>`, and the environment that serves it."""
    data_dir = args.data_dir / storage
    prepare_data_dir(data_dir, fresh=False)
    if args.model is not None:
        from batondesk.nlu import ModelRegistry

        registry = ModelRegistry(data_dir / "models")
        if registry.active() is None:
            registry.promote(registry.register(args.model.resolve(), "benchmark").version)
    env = child_environment(data_dir, datasets_dir().resolve())
    with ExitStack() as databases:
        if storage == "postgresql":
            env.update(
                BATON_DATABASE_URL=databases.enter_context(private_database(args.database_url)),
                BATON_KEYSTORE_URL=databases.enter_context(
                    private_database(args.database_url + "_keys")
                ),
                BATON_REDIS_URL=args.redis_url,
                BATON_REDIS_NAMESPACE="baton-bench-turn",
            )
        prepare_demo(data_dir, env, ROOT, ("--no-history",))
        yield env


def run_driver(
    env: dict[str, str], chats: int, profile: Path | None, messages: Path | None
) -> dict[str, Any]:
    """This script's `drive` command in a process of its own, under py-spy when `profile`."""
    timing_file = Path(env["BATON_DATA_DIR"]) / "timing.json"
    command = [sys.executable, __file__, "drive", "--chats", str(chats)]
    command += ["--timing-file", str(timing_file)]
    if messages is not None:
        command += ["--messages", str(messages.resolve())]
    if profile is not None:
        command = [
            str(Path(sys.executable).with_name("py-spy")),
            "record",
            "--rate",
            str(SAMPLES_PER_SECOND),
            "--format",
            "raw",
            "--output",
            str(profile),
            "--",
            *command,
        ]
    done = subprocess.run(command, env={**env, "PYTHONPATH": str(ROOT / "src")}, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"the driver failed ({done.returncode})")
    return json.loads(timing_file.read_text(encoding="utf-8"))


def drive(args: argparse.Namespace) -> None:
    """Warm up, then send the chats; write CPU and wall time per customer message."""
    from fastapi.testclient import TestClient

    from batondesk.app import create_app
    from batondesk.demo.seed import DEMO_INBOX

    messages = args.messages or dataset_file(BANKING77_TEST)
    with open(messages, newline="", encoding="utf-8") as handle:
        texts = [row["text"] for row in csv.DictReader(handle)]
    with TestClient(create_app()) as client:

        def chat(number: int) -> None:
            started = client.post(f"/api/v1/widget/inboxes/{DEMO_INBOX}/conversations", json={})
            assert started.status_code == 201, started.text
            body = started.json()
            visitor = {"Authorization": f"Bearer {body['visitor_token']}"}
            for turn in range(2):
                text = texts[(2 * number + turn) % len(texts)]
                sent = client.post(
                    f"/api/v1/widget/conversations/{body['conversation_id']}/messages",
                    json={"body": text},
                    headers=visitor,
                )
                assert sent.status_code == 201, sent.text

        for number in range(WARM_UP_CHATS):
            chat(len(texts) // 2 - 1 - number)  # other messages than the measured ones
        cpu, wall = time.process_time(), time.perf_counter()
        for number in range(args.chats):
            chat(number)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    messages = 2 * args.chats
    args.timing_file.write_text(
        json.dumps(
            {
                "messages": messages,
                "cpu_ms_per_message": round(1000 * cpu / messages, 1),
                "wall_ms_per_message": round(1000 * wall / messages, 1),
                "load_average": round(os.getloadavg()[0], 2),
            }
        ),
        encoding="utf-8",
    )


def file_samples(samples_file: Path) -> dict[str, Any]:
    """py-spy's raw output (one line per distinct stack: frames joined by ";", then a count)
    filed by phase."""
    phases: Counter[str] = Counter()
    for line in samples_file.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        stack, count = line.rsplit(" ", 1)
        names = ";".join(re.sub(r" \(.*", "", frame) for frame in stack.split(";"))
        if not any(marker in names for marker in IN_A_REQUEST) or any(
            marker in names for marker in NOT_A_TURN
        ):
            continue
        phases[_phase(names)] += int(count)
    total = sum(phases.values())
    return {
        "samples_in_requests": total,
        "phases": {
            name: round(phases[name] / total, 4)
            for name in [*(p for p, _ in PHASES), OTHER]
            if total
        },
    }


def _phase(names: str) -> str:
    for phase, markers in PHASES:
        if any(all(part in names for part in marker.split(";")) for marker in markers):
            return phase
    return OTHER


def print_summary(result: dict[str, Any]) -> None:
    for storage, figures in result["storages"].items():
        print(
            f"{storage}: {figures['cpu_ms_per_message']} ms CPU, "
            f"{figures['wall_ms_per_message']} ms wall per message"
        )
        for phase, share in sorted(figures["phases"].items(), key=lambda item: -item[1]):
            print(f"  {share:6.1%}  {phase}")


def write_doc(result: dict[str, Any], results_file: Path) -> None:
    machine = result["machine"]
    storages = list(result["storages"])
    names = {"sqlite": "SQLite (embedded)", "postgresql": "PostgreSQL + Redis"}
    header = "| phase | " + " | ".join(names[s] for s in storages) + " |"
    lines = [
        "## bench-turn: where a customer's turn spends its time",
        "",
        "Produced by `make bench-turn` (`benchmarks/turn_profile.py`); figures in "
        f"`{results_file.relative_to(ROOT)}`. The demo app in-process (no network), "
        f"{result['settings']['chats']} new chats of two BANKING77 test messages each, one "
        f"after another, after {WARM_UP_CHATS} chats of warm-up; measured "
        f"{result['finished_at']} on {machine['cpu_model']} ({machine['cores']} cores), load "
        f"average {machine['load_average_at_start']:.1f} at the start and "
        f"{result['load_average_at_end']:.1f} at the end. Time per customer message (its "
        "chat's start counted in):",
        "",
        "| | " + " | ".join(names[s] for s in storages) + " |",
        "|---|" + "---|" * len(storages),
        "| process CPU time | "
        + " | ".join(f"{result['storages'][s]['cpu_ms_per_message']} ms" for s in storages)
        + " |",
        "| wall time | "
        + " | ".join(f"{result['storages'][s]['wall_ms_per_message']} ms" for s in storages)
        + " |",
        "",
        "Share of the time requests took, by phase (py-spy samples of every thread at "
        f"{SAMPLES_PER_SECOND} Hz during a second pass of the same traffic; a sample counts "
        "under the first phase of this list its stack is in, so a database flush inside the "
        "turn's reads counts as a write):",
        "",
        header,
        "|---|" + "---|" * len(storages),
    ]
    for phase in [*(p for p, _ in PHASES), OTHER]:
        cells = [f"{result['storages'][s]['phases'].get(phase, 0.0):.1%}" for s in storages]
        lines.append(f"| {phase} | " + " | ".join(cells) + " |")
    write_section(DOC, START, END, lines)


if __name__ == "__main__":
    main()
