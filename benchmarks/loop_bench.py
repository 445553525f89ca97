"""Does the learning loop learn? `make bench-loop`.

1. Split BANKING77 train (stratified, fixed seed): 30% is the account's base data, 70% is
   production traffic. Train the base model (the demo's `fast` profile) and, for reference,
   the same model on all of train. Steps 1-5 run once per split (`--seeds`, three by
   default); the verdict is the mean share of the gap closed.
2. Start the Baton Bank demo (benchmarks/demo_server.py) answering with the base model, and
   replay the traffic through the chat widget's HTTP API, each message a new customer's first,
   then wait until the queue has filed the last of it (it reads events 30 s old or older).
3. A simulated reviewer works the review queue through the console's API, most useful first,
   as a person would: labels up to `--reviews` (1,000) messages with their true intent, in
   `--rounds` (4) rounds. Every replayed customer is taken to consent to training (the
   reviewer's contacts are given the consent through the privacy API, which is what decides).
4. After each round, `baton nlu retrain` (base data + every reviewed example so far, gate on
   benchmarks/data/dialect_eval.jsonl) and promote through the console's API; the next round
   starts once the new model has read the pending items again (the promotion's job).
5. BANKING77 test accuracy (top-1) of the base model, the promoted one and the full-train
   one: the share of the gap closed. In the same run, the same number of traffic messages
   chosen at random (redacted like reviewed ones), added to the base data and trained alike.

Writes benchmarks/results/loop_banking77.json (with --sample: loop_banking77_quick.json, a
quick check on part of the traffic) and the bench-loop section of docs/benchmarks.md.

    python benchmarks/loop_bench.py                          # the full run
    python benchmarks/loop_bench.py --seeds 0 --sample 1000 --reviews 250 --rounds 2 \
        --test-sample 770
    python benchmarks/loop_bench.py --report benchmarks/results/loop_banking77.json
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from demo_server import baton_command, child_environment, demo_server
from doc_section import pct, read_notes, status, write_section
from machine import describe_machine
from public_datasets import datasets_dir, read_banking77
from scipy.stats import bootstrap

from batondesk.actions.review_feed import SETTLING
from batondesk.demo.content import AGENTS, DEMO_PASSWORD
from batondesk.demo.seed import DEMO_INBOX, DEMO_SLUG
from batondesk.nlu import Dataset, IntentClassifier, ModelRegistry
from batondesk.nlu.dataset import save_dataset
from batondesk.privacy.redaction import redact_text
from batondesk.training.retraining import hyperparameters, merge

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
DOC = ROOT / "docs" / "benchmarks.md"
EVALUATION_SET = ROOT / "benchmarks" / "data" / "dialect_eval.jsonl"
DEFAULT_DATA_DIR = ROOT / "var" / "bench-loop"
# Trained models kept between runs (the data dir starts fresh each run).
MODEL_CACHE = ROOT / "var" / "bench-loop-models"
NOTES = ROOT / "benchmarks" / "loop_notes.md"
START, END = "<!-- bench-loop:start -->", "<!-- bench-loop:end -->"
BASE_SHARE = 0.30
# One split's share of the gap closed moves by 15 points or more with the split (the gap is
# 2-3 points of accuracy, 70-90 test messages): the verdict is the mean over several. Splits
# 0-4 served to choose the ranking and the four rounds; the verdict is on splits 5-7, where
# ten rounds were then tried against four and not kept.
DEFAULT_SEEDS = (5, 6, 7)
# The reviewer works in rounds with a retrain between them, as with the nightly retrain: each
# round's labels go where the model then answering hesitates (actions/review_rescoring.py).
# Ten rounds of 100 did no better than four of 250 on the same splits (benchmarks/loop_notes.md).
DEFAULT_ROUNDS = 4
TARGET_GAP_CLOSED = 0.70
ADMIN_EMAIL = next(agent.email for agent in AGENTS if agent.role == "admin")
QUEUE_PAGE = 200


def split_train(
    texts: list[str], labels: list[str], share: float, seed: int
) -> tuple[Dataset, list[tuple[str, str]]]:
    """`share` of each intent's examples as the base data; the rest, shuffled, as traffic."""
    rng = random.Random(seed)
    by_intent: dict[str, list[str]] = defaultdict(list)
    for text, label in zip(texts, labels, strict=True):
        by_intent[label].append(text)
    base: list[tuple[str, str]] = []
    traffic: list[tuple[str, str]] = []
    for label in sorted(by_intent):
        rows = rng.sample(by_intent[label], len(by_intent[label]))
        cut = round(share * len(rows))
        base += [(t, label) for t in rows[:cut]]
        traffic += [(t, label) for t in rows[cut:]]
    rng.shuffle(traffic)
    return Dataset(
        [t for t, _ in base], [label for _, label in base], "BANKING77 train 30%"
    ), traffic


def cached_model(name: str, data: Dataset, params: dict[str, Any]) -> Path:
    """The model trained on `data` with `params`, from the cache or trained now."""
    folder = MODEL_CACHE / f"{name}-{params['profile']}-{data.fingerprint()[:12]}"
    if (folder / "metadata.json").is_file():
        print(f"{name} model: cached ({folder.name})")
        return folder
    print(f"training the {name} model on {len(data):,} examples")
    started = time.perf_counter()
    model = IntentClassifier(**params).fit(data.texts, data.labels)
    model.save(
        folder,
        {
            "dataset_source": data.source,
            "dataset_hash": data.fingerprint(),
            "training_seconds": round(time.perf_counter() - started, 1),
        },
    )
    return folder


def top1_correct(model: Path | IntentClassifier, test: tuple[list[str], list[str]]) -> str:
    """Per test message, "1" when the model's top intent is its label, else "0"."""
    classifier = model if isinstance(model, IntentClassifier) else IntentClassifier.load(model)
    proba = classifier.predict_proba(test[0])
    predicted = classifier.classes_[proba.argmax(axis=1)]
    return "".join("1" if p == t else "0" for p, t in zip(predicted, test[1], strict=True))


def accuracy_of(correct: str) -> float:
    return round(correct.count("1") / len(correct), 4)


def replay(base: str, traffic: list[tuple[str, str]], concurrency: int) -> dict[int, str]:
    """Each message as a new customer's first, through the widget; message id -> intent."""
    truth: dict[int, str] = {}
    done = [0]

    def one(item: tuple[str, str]) -> None:
        with httpx.Client(base_url=base, timeout=120) as client:
            started = client.post(f"/api/v1/widget/inboxes/{DEMO_INBOX}/conversations", json={})
            started.raise_for_status()
            visitor = {"Authorization": f"Bearer {started.json()['visitor_token']}"}
            sent = client.post(
                f"/api/v1/widget/conversations/{started.json()['conversation_id']}/messages",
                json={"body": item[0]},
                headers=visitor,
            )
            sent.raise_for_status()
            truth[sent.json()["message"]["id"]] = item[1]
        done[0] += 1
        if done[0] % 50 == 0 or done[0] == len(traffic):
            print(f"\r  replayed {done[0]}/{len(traffic)}", end="", file=sys.stderr, flush=True)

    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, traffic))
    print(file=sys.stderr)
    return truth


@contextmanager
def console(base: str) -> Iterator[httpx.Client]:
    """The demo's admin, signed in to the console's API."""
    with httpx.Client(base_url=base, timeout=600) as client:
        signed_in = client.post(
            "/api/v1/auth/login", json={"email": ADMIN_EMAIL, "password": DEMO_PASSWORD}
        )
        signed_in.raise_for_status()
        client.headers["X-Requested-With"] = "baton"  # what the console sends (CSRF check)
        yield client


def review(admin: httpx.Client, truth: dict[int, str], budget: int) -> dict[str, Any]:
    """Label the queue's most useful pending messages with their true intent, a page at a
    time, until `budget` are labelled or the queue is empty; give their customers' consent."""
    labelled: list[dict[str, Any]] = []
    while len(labelled) < budget:
        page = admin.get("/api/v1/review-queue", params={"limit": QUEUE_PAGE}).json()
        items = [i for i in page["data"] if i["message_id"] in truth][: budget - len(labelled)]
        if not items:
            break
        labels = [
            {"id": i["id"], "kind": "intent", "intent": truth[i["message_id"]]} for i in items
        ]
        admin.post("/api/v1/review-queue/labels", json={"labels": labels}).raise_for_status()
        for item in items:
            conversation = admin.get(f"/api/v1/conversations/{item['conversation_id']}").json()
            admin.put(
                f"/api/v1/admin/privacy/contacts/{conversation['contact_id']}/consents",
                json={"purpose": "training", "granted": True},
            ).raise_for_status()
        labelled += items
        print(f"  reviewed {len(labelled)}/{budget}", file=sys.stderr)
    reasons = Counter(r for item in labelled for r in item["reasons"])
    wrong = sum(item["predicted_intent"] != truth[item["message_id"]] for item in labelled)
    return {
        "labelled": len(labelled),
        "message_ids": [i["message_id"] for i in labelled],
        "reasons": dict(reasons.most_common()),
        "model_was_wrong": wrong,
    }


def review_in_rounds(
    admin: httpx.Client,
    truth: dict[int, str],
    args: argparse.Namespace,
    base_file: Path,
    timings: defaultdict[str, float],
) -> tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]]]:
    """The reviewer's budget in `args.rounds` rounds: label the queue's most useful items,
    retrain + gate, promote, and (before the next round) wait until the model now answering
    has read the pending items again, as a reviewer coming back after the nightly retrain
    finds the queue. Returns the labels' summary, the last candidate and each round's."""
    labelled: list[dict[str, Any]] = []
    rounds: list[dict[str, Any]] = []
    candidate: dict[str, Any] = {}
    for number in range(args.rounds):
        done = sum(batch["labelled"] for batch in labelled)
        share = round(args.reviews * (number + 1) / args.rounds) - done
        started = time.perf_counter()
        batch = review(admin, truth, share)
        timings["review"] += round(time.perf_counter() - started, 1)
        labelled.append(batch)
        candidate = retrain(args.data_dir.resolve(), base_file)
        timings["retrain_and_gate"] += candidate.pop("seconds")
        promoted = admin.post(
            "/api/v1/admin/models/promote", json={"version": candidate["version"]}
        )
        rounds.append(
            {
                "labelled": batch["labelled"],
                "version": candidate["version"],
                "gate": candidate["gate"]["summary"] if candidate["gate"] else None,
                "promoted": promoted.status_code == 200,
            }
        )
        if promoted.status_code == 200 and number < args.rounds - 1:
            started = time.perf_counter()
            wait_for_queue_reading(admin, candidate["version"])
            timings["queue_read_again"] += round(time.perf_counter() - started, 1)
    reasons: Counter[str] = Counter()
    for batch in labelled:
        reasons.update(batch["reasons"])
    return (
        {
            "labelled": sum(b["labelled"] for b in labelled),
            "reasons": dict(reasons.most_common()),
            "model_was_wrong": sum(b["model_was_wrong"] for b in labelled),
        },
        candidate,
        rounds,
    )


def wait_for_queue_reading(admin: httpx.Client, version: str, timeout: float = 900) -> None:
    """Until the queue's first pending item carries `version`'s reading (the promotion's job
    stores every item's in one transaction)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        first = admin.get("/api/v1/review-queue", params={"limit": 1}).json()["data"]
        if not first or first[0]["scored_by"] == version:
            return
        time.sleep(2)
    raise SystemExit(f"the review queue was not read again by {version} in {timeout:.0f} s")


def retrain(data_dir: Path, base_file: Path) -> dict[str, Any]:
    """`baton nlu retrain` as an operator runs it, on the running demo's data."""
    command = [
        baton_command(), "nlu", "retrain", "--account", DEMO_SLUG, "--base", str(base_file),
        "--eval", str(EVALUATION_SET), "--json",
    ]  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603
        command, env=child_environment(data_dir, datasets_dir().resolve()), cwd=ROOT,
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    if done.returncode not in (0, 3):
        raise SystemExit(f"`baton nlu retrain` failed ({done.returncode}):\n{done.stdout}")
    outcome: dict[str, Any] = json.loads(done.stdout)
    outcome["seconds"] = round(time.perf_counter() - started, 1)
    return outcome


def random_baseline(
    base: Dataset, pool: list[tuple[str, str]], size: int, params: dict[str, Any], seed: int
) -> IntentClassifier:
    """Base data plus `size` messages drawn at random from the replayed traffic, redacted as
    reviewed examples are, trained like the candidate."""
    chosen = random.Random(seed).sample(pool, size)
    data = merge(base, [(redact_text(text), label) for text, label in chosen])
    return IntentClassifier(**params).fit(data.texts, data.labels)


def gap_closed(before: float, after: float, full: float) -> float | None:
    return round((after - before) / (full - before), 4) if full > before else None


def run_split(
    args: argparse.Namespace,
    seed: int,
    train: tuple[list[str], list[str]],
    test: tuple[list[str], list[str]],
) -> dict:
    """Steps 1-5 on one split of BANKING77 train: the figures of that split."""
    timings: defaultdict[str, float] = defaultdict(float)  # seconds per phase, summed
    texts, labels = train
    base, traffic = split_train(texts, labels, BASE_SHARE, seed)
    if args.sample:
        traffic = traffic[: args.sample]
    params = {"profile": args.profile, "use_encoder": "auto"}
    started = time.perf_counter()
    base_model = cached_model("base", base, params)
    full_model = cached_model("full", Dataset(texts, labels, "BANKING77 train"), params)
    timings["training_reference_models"] = round(time.perf_counter() - started, 1)
    base_file = save_dataset(base, MODEL_CACHE / f"base-{seed}.csv")

    def install_base_model(data_dir: Path) -> None:
        # The demo answers with the base model: the server default, which `baton demo` keeps.
        shutil.rmtree(data_dir / "models", ignore_errors=True)
        registry = ModelRegistry(data_dir / "models")
        registry.promote(registry.register(base_model, "base-30").version)

    with demo_server(
        args.data_dir, datasets_dir(), fresh=True, cwd=ROOT,
        before_demo=install_base_model, demo_options=("--no-history",),
    ) as server:  # fmt: skip
        started = time.perf_counter()
        truth = replay(server, traffic, args.concurrency)
        # The queue files only events old enough to be final: a reviewer arriving at once
        # would not see the last half-minute of traffic.
        time.sleep(SETTLING.total_seconds() + 2)
        timings["replay"] = round(time.perf_counter() - started, 1)
        with console(server) as admin:
            reviewed, candidate, rounds = review_in_rounds(admin, truth, args, base_file, timings)
            active = admin.get("/api/v1/admin/models").json()["active"]
    accounts = args.data_dir / "models" / "accounts"
    candidate_path = next(accounts.glob(f"*/versions/{candidate['version']}"))

    started = time.perf_counter()
    size = reviewed["labelled"]
    random_model = random_baseline(base, traffic, size, hyperparameters(base_model), seed)
    timings["random_baseline_training"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    correct = {
        "base": top1_correct(base_model, test),
        "after_review_queue": top1_correct(candidate_path, test),
        "after_random_choice": top1_correct(random_model, test),
        "full_train": top1_correct(full_model, test),
    }
    accuracy = {model: accuracy_of(marks) for model, marks in correct.items()}
    timings["scoring"] = round(time.perf_counter() - started, 1)
    return {
        "seed": seed,
        "base_examples": len(base),
        "traffic_replayed": len(truth),
        "review": {k: v for k, v in reviewed.items() if k != "message_ids"},
        "rounds": rounds,
        "candidate": {
            "version": candidate["version"],
            "status": candidate["status"],
            "reviewed_examples": candidate["reviewed_examples"],
            "gate": candidate["gate"]["summary"] if candidate["gate"] else None,
            "promoted": active == candidate["version"],
        },
        "test_accuracy": accuracy,
        "gap_closed": {
            "review_queue": gap_closed(
                accuracy["base"], accuracy["after_review_queue"], accuracy["full_train"]
            ),
            "random_choice": gap_closed(
                accuracy["base"], accuracy["after_random_choice"], accuracy["full_train"]
            ),
        },
        "seconds": dict(timings),
        # Kept for the interval of the verdict: which test messages each model got right.
        "correct": correct,
    }


def mean_gap_closed(splits: list[dict[str, Any]], choice: str) -> float | None:
    closed = [s["gap_closed"][choice] for s in splits if s["gap_closed"][choice] is not None]
    return round(sum(closed) / len(closed), 4) if closed else None


def gap_interval(
    splits: list[dict[str, Any]], choice: str, resamples: int = 2000
) -> tuple[float, float] | None:
    """95% bootstrap interval of the mean share of the gap closed over the splits, resampling
    the test messages (every split and model scored on the same resample). The gap is 70-90
    test messages, so a few messages more or less right move the share by points."""
    if not splits or any("correct" not in s for s in splits):
        return None
    models = ("base", choice, "full_train")
    marks = np.asarray(
        [[[mark == "1" for mark in s["correct"][m]] for m in models] for s in splits], dtype=float
    )  # split x model x test message

    def mean_share(rows: np.ndarray) -> float:
        base, chosen, full = marks[:, :, rows].mean(axis=2).T
        return float(np.mean((chosen - base) / np.where(full > base, full - base, np.nan)))

    found = bootstrap(
        (np.arange(marks.shape[2]),),
        mean_share,
        vectorized=False,
        n_resamples=resamples,
        method="percentile",
        random_state=0,
    ).confidence_interval
    if not (np.isfinite(found.low) and np.isfinite(found.high)):
        return None  # a resample without a gap to close (a quick run's few test messages)
    return round(float(found.low), 4), round(float(found.high), 4)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sample", type=int, help="replay only N traffic messages (quick run)")
    parser.add_argument("--reviews", type=int, default=1000, help="the reviewer's budget")
    parser.add_argument(
        "--rounds",
        type=int,
        default=DEFAULT_ROUNDS,
        help="review the budget in N rounds, retraining and promoting after each",
    )
    parser.add_argument("--test-sample", type=int, help="score on N test messages (quick run)")
    parser.add_argument("--profile", default="fast", choices=("fast", "accurate"))
    parser.add_argument(
        "--seeds",
        type=lambda text: [int(part) for part in text.split(",")],
        default=list(DEFAULT_SEEDS),
        help="the splits of BANKING77 train, comma-separated (default 5,6,7)",
    )
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument(
        "--report", type=Path, help="only rewrite the docs section from a results file"
    )
    args = parser.parse_args(argv)
    if args.report:
        write_doc(json.loads(args.report.read_text(encoding="utf-8")), args.report.name)
        return
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    began, machine = time.perf_counter(), describe_machine()
    train = read_banking77("train")
    test_texts, test_labels = read_banking77("test")
    if args.test_sample:
        order = random.Random(0).sample(range(len(test_texts)), args.test_sample)
        test_texts, test_labels = [test_texts[i] for i in order], [test_labels[i] for i in order]
    splits = []
    for seed in args.seeds:
        print(f"split {seed} ({len(splits) + 1} of {len(args.seeds)})")
        splits.append(run_split(args, seed, train, (test_texts, test_labels)))
    result = {
        "benchmark": "loop_banking77",
        "quick_run": bool(args.sample or args.test_sample),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine,
        "settings": {
            "profile": args.profile,
            "seeds": args.seeds,
            "base_share": BASE_SHARE,
            "review_budget": args.reviews,
            "rounds": args.rounds,
            "test_examples": len(test_labels),
            "gate_evaluation_set": EVALUATION_SET.name,
        },
        "splits": splits,
        "mean_gap_closed": {
            "review_queue": mean_gap_closed(splits, "review_queue"),
            "random_choice": mean_gap_closed(splits, "random_choice"),
        },
        "mean_gap_closed_95_interval": {
            "review_queue": gap_interval(splits, "after_review_queue"),
            "random_choice": gap_interval(splits, "after_random_choice"),
        },
        "target_gap_closed": TARGET_GAP_CLOSED,
        "seconds": round(time.perf_counter() - began, 1),
    }
    name = "loop_banking77_quick.json" if result["quick_run"] else "loop_banking77.json"
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / name).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({"mean_gap_closed": result["mean_gap_closed"]}, indent=2))
    print(f"wrote {RESULTS / name}")
    write_doc(result, name)


def write_doc(result: dict[str, Any], name: str) -> None:
    s, machine, splits = result["settings"], result["machine"], result["splits"]
    queue, chance = (result["mean_gap_closed"][k] for k in ("review_queue", "random_choice"))
    intervals = result.get("mean_gap_closed_95_interval") or {}
    queue_interval = _interval(intervals.get("review_queue"))
    queue_range = intervals.get("review_queue")
    label = "Quick run" if result["quick_run"] else "Full run"
    first = splits[0]
    lines = [
        "## The learning loop learns (`make bench-loop`)",
        "",
        f"**{label}** ({result['date'][:10]}), on {len(splits)} splits of BANKING77 train "
        f"(seeds {', '.join(str(x) for x in s['seeds'])}). Each split: a base model on "
        f"{first['base_examples']:,} examples (30% of train, profile `{s['profile']}`), "
        f"{first['traffic_replayed']:,} messages of the other 70% replayed through the widget's "
        f"HTTP API, up to {s['review_budget']:,} labelled by a simulated reviewer from the "
        f"review queue in {s.get('rounds', 1)} round(s), each followed by `baton nlu retrain` + "
        f"gate on `{s['gate_evaluation_set']}` + promote (the queue is then read again by the "
        "promoted model); "
        f"top-1 accuracy on {s['test_examples']:,} BANKING77 test messages.",
        "",
        "| split | base (30%) | + review queue's labels, promoted | + as many at random "
        "| full train | gap closed: queue | gap closed: random | model wrong on labelled "
        "| gate |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for split in splits:
        accuracy, closed = split["test_accuracy"], split["gap_closed"]
        lines.append(
            f"| {split['seed']} | {pct(accuracy['base'])} | "
            f"{pct(accuracy['after_review_queue'])} | {pct(accuracy['after_random_choice'])} | "
            f"{pct(accuracy['full_train'])} | {_share(closed['review_queue'])} | "
            f"{_share(closed['random_choice'])} | {split['review']['model_was_wrong']} of "
            f"{split['review']['labelled']} | "
            f"{'promoted' if split['candidate']['promoted'] else 'not promoted'} |"
        )
    beats = all(
        x["gap_closed"]["review_queue"] > x["gap_closed"]["random_choice"]
        for x in splits
        if x["gap_closed"]["review_queue"] is not None
    )
    lines += [
        f"| **mean** | | | | | **{_share(queue, 1)}**{queue_interval} | "
        f"**{_share(chance, 1)}**{_interval(intervals.get('random_choice'))} | | |",
        "",
        f"- Target: the queue's labels close >= {TARGET_GAP_CLOSED:.0%} of the gap to the "
        "full-train model (mean over the splits) and beat as many chosen at random"
        + (
            f": {status(queue, TARGET_GAP_CLOSED)}"
            + (
                f" (95% interval of the mean, resampling the test messages: "
                f"{queue_range[0]:.0%} to {queue_range[1]:.0%})"
                if queue_range
                else ""
            )
            + "; "
            + (
                "the queue beats random choice on every split."
                if beats
                else "random choice wins on at least one split."
            )
            if queue is not None and not result["quick_run"]
            else ". This quick run replayed part of the traffic: indicative, not the verdict."
        ),
        "- Why the queue chose them (reason codes, a message may have several): "
        + "; ".join(
            f"split {x['seed']}: "
            + ", ".join(f"{code} {n}" for code, n in x["review"]["reasons"].items())
            for x in splits
        )
        + ".",
        "- Gate: "
        + "; ".join(f"split {x['seed']}: {x['candidate']['gate']}" for x in splits)
        + ".",
        "- Time (s) of the first split: "
        + ", ".join(
            f"{phase.replace('_', ' ')} {sec:,.0f}" for phase, sec in first["seconds"].items()
        )
        + f"; all {len(splits)} splits {result['seconds']:,.0f}. Machine: "
        f"{machine['cpu_model']}, {machine['cores']} cores (load "
        f"{machine['load_average_at_start']:.1f} at start, shared with other work). Figures: "
        f"`benchmarks/results/{name}`.",
    ]
    notes = read_notes(NOTES)
    if notes:
        lines += ["", "Notes:", "", *[f"- {note}" for note in notes]]
    write_section(DOC, START, END, lines)


def _interval(pair: list[float] | tuple[float, float] | None) -> str:
    return "" if not pair else f" ({pair[0]:.0%} to {pair[1]:.0%})"


def _share(value: float | None, digits: int = 0) -> str:
    return "-" if value is None else f"{value:.{digits}%}"


if __name__ == "__main__":
    main()
