"""Recommendations benchmark: leave-last-out hit-rate@3 of the next offer a customer takes.
`make bench-recommendations`.

1. Generate a population (demo/product_history.py; 6,000 customers, seed 2: the seed the
   hyperparameters were NOT chosen on, which was 1). Each customer took their offers in an
   order; the last one is held out, and the customers who took at least two are scored.
2. Fit on every customer's holdings without their held-out offer (all of them for those not
   scored), then rank, for each scored customer, the offers they could take next:
   (a) popularity, (b) implicit's ALS and BPR, (c) implicit's item-item (BM25) model, (d)
   the explainable rules alone (only the offers a rule backs), (e) the rules with collaborative
   filtering as the product combines them (customers/recommendations/ranking.py).
3. A hit is the held-out offer among the first three (also reported: among the first one).

Writes benchmarks/results/recommendations.json and the bench-recommendations section of
docs/benchmarks.md.

    python benchmarks/recommendations_bench.py [--customers 6000] [--seed 2]
    python benchmarks/recommendations_bench.py report
"""

from __future__ import annotations

import argparse
import json
import math
import time
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

# benchmarks/ is on sys.path when run as a script
from doc_section import pct, read_notes, write_section
from machine import describe_machine

from batondesk.customers.recommendations.catalogue import candidates
from batondesk.customers.recommendations.collaborative import HoldingsModel
from batondesk.customers.recommendations.ranking import combine
from batondesk.customers.recommendations.rules import CustomerFacts, Reason, reasons_for
from batondesk.demo.product_history import GeneratedCustomer, population

ROOT = Path(__file__).resolve().parent.parent
RESULT = ROOT / "benchmarks" / "results" / "recommendations.json"
DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- bench-recommendations:start -->", "<!-- bench-recommendations:end -->"
NOTES = Path(__file__).with_name("recommendations_notes.md")
# The day the generated histories end (any fixed day: the figures do not depend on it).
TODAY = date(2026, 11, 30)
K = 3
METHODS = (
    ("popularity", "popularity"),
    ("als", "implicit ALS"),
    ("bpr", "implicit BPR"),
    ("item_item", "implicit item-item (BM25)"),
    ("rules", "explainable rules alone"),
    ("rules+als", "rules + ALS"),
    ("rules+item_item", "rules + item-item (the product's combination)"),
)

Ranker = Callable[[int, GeneratedCustomer, list[str]], list[str]]


def interval(hits: int, n: int) -> tuple[float, float]:
    """95% Wilson interval of a rate."""
    if n == 0:
        return (0.0, 0.0)
    p, z = hits / n, 1.96
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (round(centre - half, 4), round(centre + half, 4))


def run(count: int, seed: int) -> dict[str, Any]:
    started = time.perf_counter()
    customers = population(count, seed, TODAY)
    generated = time.perf_counter() - started
    scored = [i for i, c in enumerate(customers) if len(c.taken) >= 2]
    rows = [c.held_before_last if len(c.taken) >= 2 else frozenset(c.taken) for c in customers]
    print(f"{count} customers generated in {generated:.1f} s; {len(scored)} scored")

    fits: dict[str, HoldingsModel] = {}
    fit_seconds: dict[str, float] = {}
    for method in ("als", "bpr", "item_item"):
        began = time.perf_counter()
        fits[method] = HoldingsModel(method=method).fit(rows)  # type: ignore[arg-type]
        fit_seconds[method] = round(time.perf_counter() - began, 3)
    held_by = fits["item_item"].popularity_

    began = time.perf_counter()
    reasons = {
        i: reasons_for(
            CustomerFacts(
                customers[i].held_before_last,
                customers[i].traits.currency,
                customers[i].records,
                TODAY,
            )
        )
        for i in scored
    }
    rule_seconds = time.perf_counter() - began

    def by_model(method: str) -> Ranker:
        def rank(i: int, customer: GeneratedCustomer, open_offers: list[str]) -> list[str]:
            scores = fits[method].scores(rows[i], customer=i)
            return sorted(open_offers, key=lambda o: (-scores[o], -held_by[o], o))

        return rank

    def with_rules(method: str) -> Ranker:
        def rank(i: int, customer: GeneratedCustomer, open_offers: list[str]) -> list[str]:
            scores = fits[method].scores(rows[i], customer=i)
            chosen = combine(reasons[i], scores, open_offers, len(open_offers), held_by)
            return [offer for offer, _reason in chosen]

        return rank

    rankers: dict[str, Ranker] = {
        "popularity": lambda i, c, o: sorted(o, key=lambda offer: (-held_by[offer], offer)),
        "als": by_model("als"),
        "bpr": by_model("bpr"),
        "item_item": by_model("item_item"),
        "rules": lambda i, c, o: [r.offer for r in reasons[i] if r.offer in o],
        "rules+als": with_rules("als"),
        "rules+item_item": with_rules("item_item"),
    }
    hits = {name: [0, 0] for name in rankers}  # hit@K, hit@1
    answered = Counter[str]()
    chance = 0.0
    for i in scored:
        customer = customers[i]
        open_offers = candidates(customer.held_before_last, customer.traits.currency)
        target = customer.taken[-1]
        chance += min(K, len(open_offers)) / len(open_offers)
        for name, rank in rankers.items():
            ranked = rank(i, customer, open_offers)
            answered[name] += bool(ranked)
            hits[name][0] += target in ranked[:K]
            hits[name][1] += target in ranked[:1]
    n = len(scored)
    methods = {
        name: {
            "label": label,
            f"hit_rate_at_{K}": round(hits[name][0] / n, 4),
            f"hit_rate_at_{K}_ci95": interval(hits[name][0], n),
            "hit_rate_at_1": round(hits[name][1] / n, 4),
            "customers_with_a_recommendation": round(answered[name] / n, 4),
        }
        for name, label in METHODS
    }
    return {
        "benchmark": "recommendations",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": describe_machine(),
        "population": {
            "customers": count,
            "seed": seed,
            "scored": n,
            "offers_taken": dict(Counter(o for c in customers for o in c.taken).most_common()),
            "held_out": dict(Counter(customers[i].taken[-1] for i in scored).most_common()),
            "mean_offers_open": round(
                sum(
                    len(candidates(customers[i].held_before_last, customers[i].traits.currency))
                    for i in scored
                )
                / n,
                2,
            ),
            "records_per_customer": round(sum(len(c.records) for c in customers) / count, 1),
        },
        "chance_hit_rate_at_3": round(chance / n, 4),
        "methods": methods,
        "rules": rule_figures(reasons, customers, scored),
        "seconds": {
            "generate": round(generated, 1),
            "fit": fit_seconds,
            "rules_per_customer_ms": round(1000 * rule_seconds / n, 3),
        },
    }


def rule_figures(
    reasons: dict[int, list[Reason]], customers: Sequence[GeneratedCustomer], scored: list[int]
) -> dict[str, dict[str, float]]:
    """Per rule: how often it fired among the scored customers, and how often the offer it
    backed was the one they took next (its precision)."""
    fired, right = Counter[str](), Counter[str]()
    for i in scored:
        for reason in reasons[i]:
            fired[reason.rule] += 1
            right[reason.rule] += reason.offer == customers[i].taken[-1]
    return {
        rule: {
            "fired_share": round(fired[rule] / len(scored), 4),
            "precision": round(right[rule] / fired[rule], 4),
        }
        for rule in sorted(fired)
    }


def report_lines(result: dict[str, Any]) -> list[str]:
    people, machine = result["population"], result["machine"]
    lines = [
        "## bench-recommendations: the next offer a customer takes",
        "",
        "`make bench-recommendations` generates "
        f"{people['customers']:,} customers (seed {people['seed']}; demo/product_history.py, "
        "described in [recommendations.md](recommendations.md)), holds out the last offer "
        f"each of the {people['scored']:,} who took at least two took, fits on the rest and "
        f"ranks the offers each could take next (on average {people['mean_offers_open']} of "
        "the catalogue's eleven). Hit-rate@3: the held-out offer is among the first three. "
        "Hyperparameters and the combination were chosen on another population (seed 1).",
        "",
        "| method | hit-rate@3 (95% interval) | hit-rate@1 | customers given one |",
        "|---|---|---|---|",
    ]
    for figures in result["methods"].values():
        low, high = figures["hit_rate_at_3_ci95"]
        lines.append(
            f"| {figures['label']} | {pct(figures['hit_rate_at_3'])} "
            f"({pct(low)}-{pct(high)}) | {pct(figures['hit_rate_at_1'])} "
            f"| {pct(figures['customers_with_a_recommendation'])} |"
        )
    lines += [
        "",
        f"Three offers drawn at random would hit {pct(result['chance_hit_rate_at_3'])}. "
        "The rules, each on its own (share of scored customers it fired for; share of those "
        "who took its offer next): "
        + "; ".join(
            f"`{rule}` {pct(f['fired_share'])}, {pct(f['precision'])}"
            for rule, f in result["rules"].items()
        )
        + ".",
        "",
        f"Measured {result['date'][:10]} on {machine['cpu_model']}, {machine['cores']} cores "
        f"(load {machine['load_average_at_start']:.1f} at start, shared): generating took "
        f"{result['seconds']['generate']} s, each fit under "
        f"{max(result['seconds']['fit'].values()):.2f} s, the rules "
        f"{result['seconds']['rules_per_customer_ms']} ms a customer; figures: "
        "`benchmarks/results/recommendations.json`.",
    ]
    notes = read_notes(NOTES)
    if notes:
        lines += ["", "Notes:", "", *[f"- {note}" for note in notes]]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", nargs="?", default="run", choices=("run", "report"))
    parser.add_argument("--customers", type=int, default=6000)
    parser.add_argument("--seed", type=int, default=2)
    args = parser.parse_args()
    if args.command == "run":
        result = run(args.customers, args.seed)
        RESULT.parent.mkdir(parents=True, exist_ok=True)
        RESULT.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {RESULT}")
    result = json.loads(RESULT.read_text(encoding="utf-8"))
    print("\n".join(report_lines(result)))
    write_section(DOC, START, END, report_lines(result))


if __name__ == "__main__":
    main()
