"""The load benchmark's summary on the terminal and its section of docs/benchmarks.md: the
figures of each deployment and ceiling, and the targets of the scaling work beside them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from doc_section import pct, status, write_section
from load_cpu import ROLES

START, END = "<!-- bench-load:start -->", "<!-- bench-load:end -->"
UNMEASURED = "not yet measured on a quiet machine"
NAMES = {
    "embedded": "Embedded (SQLite, one `baton serve`)",
    "production": "PostgreSQL + Redis: `baton serve --workers 2`, `baton worker`",
}
ECHO_NAMES = {
    "one_process": "one uvicorn process",
    "two_processes": "two uvicorn processes sharing one socket",
    # Runs before the production deployment dropped its proxy.
    "two_processes_behind_the_proxy": "two uvicorn processes behind a Python round-robin proxy",
}
TARGET_CHATS = 50


def print_summary(result: dict[str, Any]) -> None:
    for name, deployment in result["deployments"].items():
        print(f"{name}:")
        for row in _rows(deployment):
            latency = row["turn_latency"]
            print(
                f"  {row['chats']:>4} chats  {row['messages_per_s']:>7} messages/s  "
                f"p50 {latency['p50_ms']} ms  p99 {latency['p99_ms']} ms  "
                f"errors {row['errors']}  lost {row['acknowledged_messages_lost']}"
            )
    nlu = result["ceilings"].get("nlu")
    if nlu:
        print(f"NLU batch throughput: {nlu['batch64_messages_per_s']} messages/s")


def _rows(deployment: dict[str, Any]) -> list[dict[str, Any]]:
    soak, kill = deployment.get("soak"), deployment.get("kill")
    return [
        *deployment["phases"],
        *([{**soak, "chats": f"{soak['chats']} (soak)"}] if soak else []),
        *([{**kill, "chats": f"{kill['chats']} (kill -9)"}] if kill else []),
    ]


def _kill_text(row: dict[str, Any]) -> str:
    jobs = row["kills"]
    replaced = jobs["api_process_replaced_after_s"]
    settled = jobs["jobs_settled_after_s"]
    notes = f" Notes: {'; '.join(jobs['notes'])}." if jobs["notes"] else ""
    return (
        f"kill -9 ({row['chats']} chats for {row['seconds']:.0f} s, the kills a third of the "
        "way in): one API process of `baton serve --workers 2` "
        + (
            f"(its supervisor had started another {replaced:.1f} s later)"
            if replaced is not None
            else "(not replaced)"
        )
        + f" and the job worker, once it had taken {jobs['jobs_held_by_the_killed_worker']} of "
        f"{jobs['jobs_enqueued_before_the_kill']} `check_queues` jobs put on the queue just "
        "before (a new worker started at once). Requests cut by the kill count as errors, as "
        "the customer sees them; acknowledged messages lost: "
        f"{_lost(row)} of {row['messages']:,}. Jobs: {jobs['jobs_finished']} finished, "
        f"{jobs['jobs_dead_lettered']} dead-lettered, {jobs['jobs_lost']} lost"
        + (
            f"; the last was done {settled:.0f} s after the kill (a dead worker's jobs come "
            "back after its heartbeat timeout, 60 s by default)."
            if settled is not None
            else "."
        )
        + notes
    )


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f} ms"


def _lost(row: dict[str, Any]) -> str:
    unread = row.get("conversations_not_read_back", 0)
    lost = str(row["acknowledged_messages_lost"])
    return f"{lost} ({unread} conversations not read back)" if unread else lost


def _phase_table(deployment: dict[str, Any]) -> list[str]:
    lines = [
        "| chats | messages/s | turn p50 | turn p99 | errors | acknowledged messages lost "
        "| handovers | agent replies | wait for an agent p50 | load average |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in _rows(deployment):
        latency = row["turn_latency"]
        lines.append(
            f"| {row['chats']} | {row['messages_per_s']:,.1f} | {_ms(latency['p50_ms'])} "
            f"| {_ms(latency['p99_ms'])} | {row['errors']} | {_lost(row)} "
            f"| {row['handovers']} | {row['agent_replies']} "
            f"| {_ms(row['handover_wait']['p50_ms'])} | {row['load_average_before']:.1f} |"
        )
    return lines


def _cpu_table(deployment: dict[str, Any]) -> list[str]:
    """CPU per acknowledged message by process role (benchmarks/load_cpu.py), for the phases
    that measured it."""
    rows = [row for row in _rows(deployment) if row.get("cpu")]
    if not rows:
        return []
    lines = [
        "CPU time per acknowledged customer message, by process (user + system; the cores "
        "each kept busy in brackets; `seen` is what the processes alive at both ends of the "
        "phase account for, out of the machine's own busy time):",
        "",
        "| chats | " + " | ".join(ROLES) + " | seen / machine |",
        "|---|" + "---|" * (len(ROLES) + 1),
    ]
    for row in rows:
        cpu = row["cpu"]
        cells = [
            f"{cpu['ms_per_message'][role]:.1f} ms ({cpu['cores_busy'][role]:.2f})"
            if cpu["ms_per_message"][role] is not None
            else "–"
            for role in ROLES
        ]
        seen = cpu["seen_ms"] / cpu["machine_busy_ms"] if cpu["machine_busy_ms"] else 0.0
        lines.append(f"| {row['chats']} | " + " | ".join(cells) + f" | {pct(seen)} |")
    return [*lines, ""]


def _at(result: dict[str, Any], deployment: str, chats: int) -> dict[str, Any] | None:
    phases = result["deployments"].get(deployment, {}).get("phases", [])
    return next((row for row in phases if row["chats"] == chats), None)


def targets(result: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(measure, before the scaling work, target, this run) for each target."""
    quick = result["quick_run"]

    def shown(value: str, verdict: str) -> str:
        if quick:
            return f"{UNMEASURED} (quick run on a loaded machine: {value})"
        return f"{value} ({verdict})"

    def missing(what: str) -> str:
        return f"{UNMEASURED} ({what} not in this run)"

    rows = []
    production = _at(result, "production", TARGET_CHATS)
    nlu = result["ceilings"].get("nlu")
    if production:
        rate, p99 = production["messages_per_s"], production["turn_latency"]["p99_ms"]
        rows.append(
            (
                f"PostgreSQL + Redis, 2 workers, {TARGET_CHATS} concurrent chats: messages/s",
                "~19 (SQLite, 1 worker, 20 chats)",
                ">= 150",
                shown(f"{rate:,.1f}", status(rate, 150)),
            )
        )
        rows.append(
            (
                "same: p99 turn latency",
                "7.2 s",
                "<= 300 ms",
                shown(_ms(p99), status(p99 or float("inf"), 300, False, " ms")),
            )
        )
        if nlu:
            share = rate / nlu["batch64_messages_per_s"]
            rows.append(
                (
                    "end-to-end messages/s as a share of the NLU engine's batch throughput, "
                    "same run",
                    "~16%",
                    ">= 60%",
                    shown(pct(share), status(share, 0.60)),
                )
            )
    else:
        rows.append(
            (
                f"PostgreSQL + Redis, 2 workers, {TARGET_CHATS} concurrent chats: messages/s",
                "~19 (SQLite, 1 worker, 20 chats)",
                ">= 150",
                missing(f"production at {TARGET_CHATS} chats"),
            )
        )
        rows.append(("same: p99 turn latency", "7.2 s", "<= 300 ms", missing("production")))
        rows.append(
            (
                "end-to-end messages/s as a share of the NLU engine's batch throughput, same run",
                "~16%",
                ">= 60%",
                missing("production"),
            )
        )
    if nlu:
        single = nlu["single_message_latency"]
        value = f"{single['p50_ms']:.1f} / {single['p99_ms']:.1f} ms"
        met = single["p50_ms"] <= 8 and single["p99_ms"] <= 20
        rows.append(
            (
                "single-message NLU latency p50 / p99 (quiet machine)",
                "15.6 / 30 ms",
                "<= 8 / <= 20 ms",
                shown(value, "met" if met else "not met"),
            )
        )
    kill = next((d["kill"] for d in result["deployments"].values() if d.get("kill")), None)
    if kill:
        jobs = kill["kills"]
        value = (
            f"{_lost(kill)} messages of {kill['messages']:,} acknowledged; "
            f"{jobs['jobs_lost']} jobs of {jobs['jobs_enqueued_before_the_kill']}"
        )
        clean = _lost(kill) == "0" and jobs["jobs_lost"] == 0 and jobs["jobs_dead_lettered"] == 0
        rows.append(
            (
                "kill -9 of an API process and of the job worker under load: acknowledged "
                "messages / jobs lost",
                "0 of 839 messages (one worker, SQLite)",
                "0 / 0",
                shown(value, "met" if clean else "not met"),
            )
        )
    soak = next((d["soak"] for d in result["deployments"].values() if d.get("soak")), None)
    if soak:
        value = f"{soak['errors']} / {_lost(soak)} in {soak['seconds']:.0f} s"
        clean = _lost(soak) == "0" and soak["errors"] == 0
        rows.append(
            (
                f"10-minute soak at {TARGET_CHATS} chats: errors / acknowledged messages lost",
                "—",
                "0 / 0",
                shown(value, "met" if clean else "not met"),
            )
        )
    else:
        rows.append(
            (
                f"10-minute soak at {TARGET_CHATS} chats: errors / acknowledged messages lost",
                "—",
                "0 / 0",
                missing("the soak"),
            )
        )
    return rows


def section(result: dict[str, Any], results_file: str) -> list[str]:
    machine = result["machine"]
    settings = result["settings"]
    run = (
        "a quick run (smaller than the published configuration)"
        if result["quick_run"]
        else "the full run"
    )
    soak = settings["soak"]
    soak_text = (
        f"then a soak of {soak['chats']} chats for {soak['seconds']:.0f} s"
        if soak["seconds"]
        else "no soak"
    )
    kill = settings.get("kill", {"seconds": 0})
    kill_text = (
        f"a kill -9 phase of {kill['chats']} chats for {kill['seconds']:.0f} s"
        if kill["seconds"]
        else "no kill -9 phase"
    )
    busy = (
        " The machine was busier than its cores before the benchmark added its own load, so "
        "these figures say more about the machine than about Baton."
        if machine["load_average_at_start"] > machine["cores"]
        else ""
    )
    lines = [
        "## bench-load: concurrent chats on two deployments, and their ceilings",
        "",
        "Simulated customers send BANKING77 test messages through the chat widget's HTTP API, "
        "one after another with no pause (each chat starts a new conversation of one to three "
        f"messages; {settings['person_share']:.0%} of them ask for a person, and the bot hands "
        "over some others itself). The demo's "
        f"{settings['agents']} agents take handed-over conversations, take each over and reply; "
        "the customer, polling as the widget does, thanks them and leaves. Messages/s counts "
        "customer messages acknowledged (HTTP 201); turn latency is the wall time of each, as "
        "the customer's browser would see it; acknowledged messages lost are read back "
        "through the widget after each phase. All traffic is on loopback, from one process "
        "on the same machine as the servers, so the clients take CPU from them too. The "
        "production deployment is one host's process model (docs/deploy.md): one `baton "
        "serve --workers 2`, whose two processes share one listening socket, and a job "
        "worker; the Python round-robin proxy of the process-model test is not in front of "
        "it (it served 33 echo requests/s at 50 clients here, a ceiling of its own).",
        "",
        f"This is {run}: {', '.join(map(str, settings['chats']))} chats for "
        f"{settings['seconds_per_phase']:.0f} s each, {soak_text}, {kill_text}, "
        f"on {machine['cpu_model']} "
        f"({machine['cores']} cores), load average {machine['load_average_at_start']:.1f} at "
        f"the start and {result.get('load_average_at_end', float('nan')):.1f} at the end. "
        f"Results: `{results_file}`.{busy}",
        "",
        "`make bench-load` runs the full configuration (~35 min) and replaces this section; "
        '`make bench-load ARGS="--chats 10 --seconds 20 --soak-seconds 60 --kill-seconds 30"` '
        "is a quick check that leaves it alone.",
        "",
        "### Targets (2 CPU cores, this machine)",
        "",
        "| measure | before | target | this run |",
        "|---|---|---|---|",
        *[f"| {m} | {before} | {target} | {now} |" for m, before, target, now in targets(result)],
        "",
    ]
    for name, deployment in result["deployments"].items():
        lines += [f"### {NAMES[name]}", "", *_phase_table(deployment), ""]
        lines += _cpu_table(deployment)
        if deployment.get("kill"):
            lines += [_kill_text(deployment["kill"]), ""]
        failed = [row for row in _rows(deployment) if row["errors"]]
        if failed:
            lines.append(
                "Errors by kind: "
                + "; ".join(
                    f"{row['chats']} chats: "
                    + ", ".join(f"{kind} × {n}" for kind, n in row["errors_by_kind"].items())
                    for row in failed
                )
                + " (the servers' logs are in the data directory)."
            )
            lines.append("")
    echo = result["ceilings"].get("echo", {})
    if echo:
        lines += [
            "### Ceiling: a bare ASGI echo app served the same way",
            "",
            "| served by | clients | requests/s | p50 | p99 | errors |",
            "|---|---|---|---|---|---|",
        ]
        for shape, rows in echo.items():
            for row in rows:
                lines.append(
                    f"| {ECHO_NAMES[shape]} | {row['chats']} | {row['requests_per_s']:,.1f} "
                    f"| {_ms(row['latency']['p50_ms'])} | {_ms(row['latency']['p99_ms'])} "
                    f"| {row['errors']} |"
                )
        lines.append("")
    nlu = result["ceilings"].get("nlu")
    if nlu:
        single = nlu["single_message_latency"]
        lines += [
            "### Ceiling: the NLU engine alone",
            "",
            f"The intent model the servers answered with (`{nlu['model']}`), loaded as a worker "
            "serves it (one "
            f"thread), nothing else running: {nlu['batch64_messages_per_s']:,.1f} messages/s "
            f"in batches of 64 over {nlu['messages']} messages; one message at a time p50 "
            f"{single['p50_ms']:.1f} ms, p99 {single['p99_ms']:.1f} ms.",
            "",
        ]
    return lines


def write_doc(result: dict[str, Any], doc: Path, results_file: Path) -> None:
    root = doc.resolve().parent.parent
    shown = results_file.resolve()
    name = str(shown.relative_to(root)) if shown.is_relative_to(root) else shown.name
    write_section(doc, START, END, section(result, name))
