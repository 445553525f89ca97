"""Figures of the resolution benchmark, its targets (issue 12), the console summary and the
bench-resolution section of docs/benchmarks.md."""

from __future__ import annotations

import json
import os
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
from doc_section import pct, read_notes, status, write_section
from resolution_customer import CLARIFICATION, CORRECT, OUTCOMES, WRONG, BotTurn, Resolution

START, END = "<!-- bench-resolution:start -->", "<!-- bench-resolution:end -->"
NOTES = Path(__file__).with_name("resolution_notes.md")
QUESTION_SETS = (
    "customer_dev",
    "customer_holdout",
    "customer_holdout_2",
    "customer_holdout_3",
    "customer_holdout_4",
    "customer_holdout_5",
    "customer_holdout_6",
    "customer_holdout_7",
)

# (measure, higher is better, target), from issue 12's table.
TARGETS = {
    "first_correct": (True, 0.75),
    "first_wrong": (False, 0.015),
    "resolved_two_turns": (True, 0.88),
    "answer_rate": (True, 0.75),
    "wrong_answer_rate": (False, 0.02),
    "correct_abstention_rate": (True, 0.90),
    "p50_ms": (False, 40.0),
    "p99_ms": (False, 120.0),
}


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def banking77_figures(
    items: list[tuple[str, str]],
    resolutions: list[Resolution],
    expected: dict[str, frozenset[str]],
) -> dict[str, Any]:
    """First-turn outcomes, resolution within two turns, and what went wrong, from each
    message's (text, intent) and what the bot did with it."""
    n = len(resolutions)
    intents = [intent for _, intent in items]
    first = [r.first.outcome(r.expected) for r in resolutions]
    counts = Counter(first)
    offered = [r for r in resolutions if r.button is not None]
    typed = [r for r in resolutions if r.typed is not None]
    by_button = sum(r.resolved_by_button() for r in resolutions)
    by_typing = sum(r.resolved_by_typing() for r in resolutions)
    per_intent: dict[str, Counter[str]] = defaultdict(Counter)
    for intent, outcome in zip(intents, first, strict=True):
        per_intent[intent][outcome] += 1
    return {
        "messages": n,
        "first_turn": {
            "counts": {o: counts[o] for o in OUTCOMES},
            "rates": {o: _ratio(counts[o], n) for o in OUTCOMES},
        },
        "clarifications": {
            "total": counts[CLARIFICATION],
            "with_choices": len(offered),
            "right_article_among_choices": sum(
                any(c.slug in r.expected for c in r.first.choices) for r in offered
            ),
        },
        "resolved_within_two_turns": {
            "by_button": {
                "resolved": by_button,
                "rate": _ratio(by_button, n),
                "replies_sent": dict(Counter(r.button_sent for r in offered)),
                "turn2_outcomes": _outcomes((r.button, r.expected) for r in offered),
            },
            "by_typing": {
                "resolved": by_typing,
                "rate": _ratio(by_typing, n),
                "second_conversations": sum(r.typed_first is not None for r in resolutions),
                "replies_sent": dict(Counter(r.typed_sent for r in typed)),
                "turn2_outcomes": _outcomes((r.typed, r.expected) for r in typed),
            },
        },
        # Messages whose intent no article lists: any answer to them counts as wrong.
        "unmapped_intents": {
            intent: dict(per_intent[intent]) for intent in sorted(set(intents) - set(expected))
        },
        "wrong_answers_by_intent": [
            {"intent": intent, "cited": cited, "count": count}
            for (intent, cited), count in Counter(
                (intent, r.first.cited[0] if r.first.cited else None)
                for intent, r, outcome in zip(intents, resolutions, first, strict=True)
                if outcome == WRONG
            ).most_common()
        ],
        "lowest_intents": [
            {"intent": intent, "messages": sum(c.values()), "correct": c[CORRECT]}
            for intent, c in sorted(
                per_intent.items(), key=lambda kv: (kv[1][CORRECT] / sum(kv[1].values()), kv[0])
            )[:10]
        ],
        "failures": [
            _failure(text, intent, r)
            for (text, intent), r in zip(items, resolutions, strict=True)
            if r.first.outcome(r.expected) == WRONG
            or not (r.resolved_by_button() and r.resolved_by_typing())
        ],
    }


def _outcomes(turns: Iterable[tuple[BotTurn | None, frozenset[str]]]) -> dict[str, int]:
    return dict(Counter(t.outcome(e) for t, e in turns if t is not None).most_common())


def _failure(text: str, intent: str, r: Resolution) -> dict[str, Any]:
    """A message the bot did not answer right at once and did not resolve in two turns (by
    button and by typing), or answered wrongly: public dataset text, never customer data."""
    row: dict[str, Any] = {
        "text": text,
        "intent": intent,
        "expected": sorted(r.expected),
        "first": {"outcome": r.first.outcome(r.expected), **r.first.summary()},
    }
    if r.button is not None:
        row["button"] = {"sent": r.button_sent, "outcome": r.button.outcome(r.expected)}
        row["button"].update(r.button.summary())
    if r.typed is not None:
        row["typed"] = {"sent": r.typed_sent, "outcome": r.typed.outcome(r.expected)}
        row["typed"].update(r.typed.summary())
    return row


def latency_figures(resolutions: list[Resolution], seconds: float) -> dict[str, Any]:
    """Client-side wall time of every message POST of a phase (failed ones counted apart),
    and messages per second over the phase's wall time."""
    turns = [t for r in resolutions for t in r.turns if t.error is None]
    firsts = [r.first for r in resolutions if r.first.error is None]
    if not turns:
        return {"messages": 0}
    ms = np.array([t.seconds for t in turns]) * 1000.0
    first_ms = np.array([t.seconds for t in firsts]) * 1000.0
    return {
        "messages": len(turns),
        "failed_messages": sum(1 for r in resolutions for t in r.turns if t.error),
        "conversations": sum(1 + (r.typed_first is not None) for r in resolutions),
        "p50_ms": round(float(np.percentile(ms, 50)), 1),
        "p90_ms": round(float(np.percentile(ms, 90)), 1),
        "p99_ms": round(float(np.percentile(ms, 99)), 1),
        "max_ms": round(float(ms.max()), 1),
        "over_1s": int((ms > 1000).sum()),
        "mean_ms": round(float(ms.mean()), 1),
        "first_message_p50_ms": round(float(np.percentile(first_ms, 50)), 1),
        "first_message_p99_ms": round(float(np.percentile(first_ms, 99)), 1),
        "seconds": round(seconds, 2),
        "messages_per_second": round(len(turns) / seconds, 1),
        "load_average_after": round(os.getloadavg()[0], 2),
    }


def _row(label: str, value: float | None, key: str, shown: str | None = None) -> list[str]:
    higher, target = TARGETS[key]
    wanted = f"{'>=' if higher else '<='} " + (pct(target) if target <= 1 else f"{target:.0f} ms")
    if value is None:
        return [label, "—", wanted, "no data"]
    text = shown or (pct(value) if target <= 1 else f"{value:.1f} ms")
    return [label, text, wanted, status(value, target, higher, " ms")]


def target_rows(results: dict[str, dict[str, Any]]) -> list[list[str]]:
    """[measure, result, target, status] for every target issue 12 sets."""
    rows = []
    b = results.get("banking77")
    if b:
        rates, n = b["first_turn"]["rates"], b["messages"]
        two = b["resolved_within_two_turns"]
        rows += [
            _row(
                f"BANKING77 test ({n}), first turn: correct cited answer",
                rates["correct"],
                "first_correct",
            ),
            _row("BANKING77 test, first turn: wrong answer", rates["wrong"], "first_wrong"),
            _row(
                "BANKING77 test, resolved within two turns (button)",
                two["by_button"]["rate"],
                "resolved_two_turns",
            ),
            _row(
                'BANKING77 test, resolved within two turns (typed "the second one")',
                two["by_typing"]["rate"],
                "resolved_two_turns",
            ),
        ]
        one = b["latency"].get("concurrency_1", {})
        if one.get("messages"):
            rows += [
                _row(
                    f"turn latency through HTTP, concurrency 1, p50 ({one['messages']} messages)",
                    one["p50_ms"],
                    "p50_ms",
                ),
                _row("turn latency through HTTP, concurrency 1, p99", one["p99_ms"], "p99_ms"),
            ]
    for name in sorted(set(results) - {"banking77"}):
        overall = results[name]["all"]
        rows += [
            _row(
                f"{name}: answer rate on answerable ({overall['answerable']})",
                overall["answer_rate"],
                "answer_rate",
            ),
            _row(
                f"{name}: wrong answers over all answers ({overall['answers']})",
                overall["wrong_answer_rate"],
                "wrong_answer_rate",
            ),
            _row(
                f"{name}: correct abstention on unanswerable ({overall['unanswerable']})",
                overall["correct_abstention_rate"],
                "correct_abstention_rate",
            ),
        ]
    return rows


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    return [
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
        *("| " + " | ".join(row) + " |" for row in rows),
    ]


def _throughput_line(b: dict[str, Any]) -> str:
    parts = []
    for name, lat in b["latency"].items():
        if lat.get("messages"):
            parts.append(
                f"{name.replace('_', ' ')}: p50 {lat['p50_ms']} ms, p90 {lat['p90_ms']} ms, "
                f"p99 {lat['p99_ms']} ms, max {lat['max_ms']} ms, "
                f"{lat['messages_per_second']} messages/s over {lat['messages']} messages "
                f"({lat['failed_messages']} failed; load average {lat['load_average_after']} "
                "after)"
            )
    return "; ".join(parts)


def print_summary(results: dict[str, dict[str, Any]]) -> None:
    print()
    for row in target_rows(results):
        print(f"  {row[0]:<72} {row[1]:>10}  {row[2]:>10}  {row[3]}")
    b = results.get("banking77")
    if b:
        print()
        print("  first turn:", _counts(b["first_turn"]["counts"]))
        for how, fig in b["resolved_within_two_turns"].items():
            print(f"  turn 2 {how.replace('_', ' ')}:", _counts(fig["turn2_outcomes"]))
        print("  latency:", _throughput_line(b))
        if b["unmapped_intents"]:
            print("  intents no article maps to:", json.dumps(b["unmapped_intents"]))
    for name in sorted(set(results) - {"banking77"}):
        overall = results[name]["all"]
        print(
            f"  {name}: honest reply to what the bank does not offer "
            f"{_maybe_pct(overall['honest_reply_rate'])} ({overall['honest_replies']} of "
            f"{overall['not_offered']}); outcomes: {_counts(overall['outcomes'])}"
        )
    print()


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in counts.items() if v) or "none"


def write_doc(results_dir: Path, doc: Path) -> None:
    """The bench-resolution section of docs/benchmarks.md, from the results files."""
    results = {}
    for name in ("banking77", *QUESTION_SETS):
        path = results_dir / f"resolution_{name}.json"
        if path.is_file():
            results[name] = json.loads(path.read_text(encoding="utf-8"))
    if not results:
        raise SystemExit("no results: run `make bench-resolution` first")
    lines = [
        "## bench-resolution: customers' first messages, end to end",
        "",
        "Produced by `make bench-resolution` (`benchmarks/resolution_bench.py`); raw figures, "
        "with every failure, in `benchmarks/results/resolution_*.json`. The demo runs as a "
        "user runs it (`baton demo --no-serve`, then `baton serve` on a loopback port, SQLite, "
        "the demo's intent model) and is reached only through the chat widget's HTTP API.",
        "",
    ]
    runs: dict[str, list[str]] = defaultdict(list)  # one `make bench-resolution` each
    for name, r in results.items():
        runs[r["finished_at"]].append(name)
    for names in runs.values():
        r, m = results[names[0]], results[names[0]]["machine"]
        parts = ", ".join(f"`{name}` {results[name]['seconds']} s" for name in names)
        lines.append(
            f"- Run of {r['finished_at']}: commit {r['git_commit'][:10]}"
            f"{' (with local changes)' if r['git_dirty'] else ''}, intent model "
            f"{r['intent_model']}, maximum wrong-answer rate setting "
            f"{_setting(r['account_settings'].get('max_wrong_answer_rate'))}; {m['cpu_model']}, "
            f"{m['cores']} cores, load average {m['load_average_at_start']:.1f} at start; "
            f"{r['total_seconds']} s in all"
            f"{' with the model trained afresh' if r['run'].get('fresh') else ''} ({parts})."
        )
    lines += ["", *_table(["measure", "result", "target", "status"], target_rows(results))]
    b = results.get("banking77")
    if b:
        lines += ["", *_banking77_details(b)]
    sets = [name for name in QUESTION_SETS if name in results]
    for name in sets:
        lines += ["", *_question_details(name, results[name])]
    notes = read_notes(NOTES)
    if notes:
        lines += ["", "Notes:", "", *[f"- {note}" for note in notes]]
    write_section(doc, START, END, lines)


def _banking77_details(b: dict[str, Any]) -> list[str]:
    n, counts = b["messages"], b["first_turn"]["counts"]
    two = b["resolved_within_two_turns"]
    clar = b["clarifications"]
    outcome_rows = [[o, str(c), pct(c / n)] for o, c in counts.items() if c]
    turn2_rows = [
        [
            how.replace("_", " "),
            str(sum(fig["turn2_outcomes"].values())),
            _counts(fig["turn2_outcomes"]),
        ]
        for how, fig in two.items()
    ]
    lines = [
        f"BANKING77 test, first turn of {n} new conversations:",
        "",
        *_table(["outcome", "messages", "share"], outcome_rows),
        "",
        f"Clarifications: {clar['total']}, of which {clar['with_choices']} offered choices and "
        f"{clar['right_article_among_choices']} had the right article among them. Turn 2:",
        "",
        *_table(["customer replies", "turns", "outcomes"], turn2_rows),
        "",
        f"Latency and throughput (client-side, each message POST): {_throughput_line(b)}.",
    ]
    if b["unmapped_intents"]:
        unmapped = [f"{i} ({_counts(c)})" for i, c in b["unmapped_intents"].items()]
        lines += ["", "Intents no article maps to, first turns: " + "; ".join(unmapped) + "."]
    return lines


def _question_details(name: str, r: dict[str, Any]) -> list[str]:
    def rows(groups: dict[str, dict[str, Any]]) -> list[list[str]]:
        return [
            [
                key,
                str(g["questions"]),
                _maybe_pct(g["answer_rate"]),
                f"{_maybe_pct(g['wrong_answer_rate'])} ({g['wrong_answers']} of {g['answers']})",
                _maybe_pct(g["correct_abstention_rate"]),
                _counts(g["outcomes"]),
            ]
            for key, g in groups.items()
        ]

    header = ["", "questions", "answer rate", "wrong answers", "correct abstention", "outcomes"]
    overall = r["all"]
    return [
        f"`{r['questions_file']}`, first turn of a new conversation per question, by kind and "
        "by style:",
        "",
        *_table(["kind", *header[1:]], rows({"all": overall, **r["by_kind"]})),
        "",
        *_table(["style", *header[1:]], rows(r["by_style"])),
        "",
        f"Honest reply to a product the bank does not offer (a decline, or what it does offer): "
        f"{_maybe_pct(overall['honest_reply_rate'])} ({overall['honest_replies']} of "
        f"{overall['not_offered']}).",
    ]


def _setting(value: Any) -> str:
    return "not exposed by the API" if value is None else str(value)


def _maybe_pct(value: float | None) -> str:
    return "—" if value is None else pct(value)
