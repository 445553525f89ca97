"""Writes the bench-nlu section of docs/benchmarks.md from benchmarks/results/nlu_*.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from doc_section import (
    pct,
    read_notes,
    status,
    write_section,
)  # benchmarks/ is on sys.path as a script

TARGETS = {
    "banking77_full": 0.945,
    "banking77_10shot": 0.875,
    "clinc_in_scope": 0.96,
    "clinc_oos_recall": 0.75,
    "p50_ms": 10.0,
    "p99_ms": 30.0,
    "training_seconds": 600.0,
    "peak_memory_mb": 2048.0,
}


def _rows(results: dict[str, dict[str, Any]]) -> list[str]:
    lines = [
        "| benchmark | result | target | status |",
        "|---|---|---|---|",
    ]
    full = results.get("banking77_full")
    if full:
        lines.append(
            f"| BANKING77 full, accuracy (test, 3,080) | {pct(full['accuracy'])} "
            f"(macro-F1 {pct(full['macro_f1'])}) | >= 94.5% | "
            f"{status(full['accuracy'], TARGETS['banking77_full'])} |"
        )
    shot = results.get("banking77_10shot")
    if shot:
        lines.append(
            f"| BANKING77 10-shot, accuracy (mean ± sd over seeds "
            f"{', '.join(shot['per_seed'])}) | {pct(shot['accuracy'])} ± "
            f"{shot['accuracy_std'] * 100:.2f} | >= 87.5% | "
            f"{status(shot['accuracy'], TARGETS['banking77_10shot'])} |"
        )
    clinc = results.get("clinc150_full")
    if clinc:
        lines.append(
            f"| CLINC150 full, in-scope accuracy / OOS recall (one threshold, tuned on "
            f"val + oos_val) | {pct(clinc['in_scope_accuracy'])} / "
            f"{pct(clinc['oos_recall'])} (OOS precision {pct(clinc['oos_precision'])}, "
            f"AUROC {clinc['oos_auroc']:.4f}) | >= 96.0% and >= 75% | "
            f"{status(clinc['in_scope_accuracy'], TARGETS['clinc_in_scope'])} / "
            f"{status(clinc['oos_recall'], TARGETS['clinc_oos_recall'])} |"
        )
    if full:
        lat = full["latency"]
        load = lat.get("load_average", [float("nan")])[0]
        lines.append(
            f"| single-message latency p50 / p99 (BANKING77 model, batch 1, after warm-up, "
            f"1 thread) | {lat['p50_ms']:.2f} / {lat['p99_ms']:.2f} ms (CPU time per call "
            f"p50 {lat.get('cpu_p50_ms', float('nan')):.2f} ms; load average {load:.1f} on 2 "
            f"cores while measured) | <= 10 / <= 30 ms | "
            f"{status(lat['p50_ms'], 10.0, False, ' ms')} / "
            f"{status(lat['p99_ms'], 30.0, False, ' ms')} |"
        )
        lines.append(
            f"| training time / peak memory, BANKING77 full | "
            f"{full['training_seconds']:.0f} s / {full['peak_memory_mb']:.0f} MB | "
            f"<= 600 s / <= 2048 MB | "
            f"{status(full['training_seconds'], 600.0, False, ' s')} / "
            f"{status(full['peak_memory_mb'], 2048.0, False, ' MB')} |"
        )
    return lines


def _details(results: dict[str, dict[str, Any]]) -> list[str]:
    lines = [
        "",
        "| row | profile | training wall / CPU s | peak MB | p50 / p99 ms | "
        "batch-64 msg/s | artifact load s | finished (UTC) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, r in results.items():
        lat = r.get("latency")
        latency = f"{lat['p50_ms']:.2f} / {lat['p99_ms']:.2f}" if lat else "—"
        train = (
            f"{r['training_seconds']:.0f} / {r['training_cpu_seconds']:.0f}"
            if "training_cpu_seconds" in r
            else f"{r.get('training_seconds_mean', 0):.0f} (mean per seed)"
        )
        lines.append(
            f"| {name} | {r['profile']} | {train} | {r['peak_memory_mb']:.0f} | "
            f"{latency} | "
            f"{r.get('batch64_throughput_per_s', '—')} | {r.get('load_seconds', '—')} | "
            f"{r['finished_at']} |"
        )
    full = results.get("banking77_full", {})
    rob = full.get("robustness")
    if rob:
        lines += [
            "",
            "Robustness on BANKING77 test (top-1 accuracy; perturbations written for this "
            "project, see `src/batondesk/nlu/perturbation.py`):",
            "",
            "| text | accuracy | gap |",
            "|---|---|---|",
            f"| clean | {pct(rob['clean_accuracy'])} | — |",
        ]
        for kind, row in rob["variants"].items():
            lines.append(f"| {kind} | {pct(row['accuracy'])} | {row['gap_points']:.2f} points |")
    return lines


def write_report(results_dir: Path, doc: Path, start: str, end: str) -> None:
    results = {}
    for name in ("banking77_full", "banking77_10shot", "clinc150_full"):
        path = results_dir / f"nlu_{name}.json"
        if path.is_file():
            results[name] = json.loads(path.read_text(encoding="utf-8"))
    if not results:
        raise SystemExit("no results: run `make bench-nlu` first")
    any_result = next(iter(results.values()))
    m = any_result["machine"]
    section = [
        "## bench-nlu: intent classification",
        "",
        "Produced by `make bench-nlu` (`benchmarks/nlu_bench.py`); raw figures in "
        "`benchmarks/results/nlu_*.json`.",
        "",
        f"Machine: {m['cpu_model']}, {m['cores']} cores, Python {m['python']}, no GPU, offline. "
        "Each row runs in its own process; peak memory is the maximum RSS of that process "
        "or of its encoder fine-tuning child process, whichever is larger.",
        "",
        *_rows(results),
        *_details(results),
        "",
        "Notes:",
        "",
        *[f"- {note}" for note in _notes(results)],
    ]
    write_section(doc, start, end, section)


def _notes(results: dict[str, dict[str, Any]]) -> list[str]:
    return read_notes(Path(__file__).with_name("nlu_notes.md"))
