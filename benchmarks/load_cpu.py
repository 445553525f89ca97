"""Where the machine's CPU goes during a load phase, by process role.

Every process on the machine is read at the start and at the end of a phase (psutil), and its
CPU time (user + system) in between is filed under a role: the benchmark's own clients (this
process), the API servers and the job worker it started (each child of this process and that
child's descendants; a child is the job worker when its command is `baton worker`),
PostgreSQL, Redis, and everything else on the machine. Divided by the customer messages the
phase acknowledged, this says what one message costs each part, and so what the servers
could serve if they had the cores to themselves.

A process that starts and ends within the phase is not seen: under load that is mostly
PostgreSQL's backends for the pool's overflow connections, which close when returned. The
total is compared with the machine's own CPU counters (`machine_busy_ms`) to show how much
is missed (5-13% in the production phases of the 2026-12-02 run).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any

import psutil

# In the order the report shows them.
ROLES = ("API servers", "job worker", "PostgreSQL", "Redis", "benchmark clients", "other")


@dataclass
class Snapshot:
    at: float
    cpu: dict[int, tuple[str, float]]  # pid -> (role, CPU seconds so far)
    machine_busy: float  # the machine's busy CPU seconds since boot, all cores


def snapshot() -> Snapshot:
    me = psutil.Process(os.getpid())
    roles: dict[int, str] = {me.pid: "benchmark clients"}
    for child in me.children():
        role = "job worker" if _is_job_worker(child) else "API servers"
        roles[child.pid] = role
        for descendant in _descendants(child):
            roles[descendant.pid] = role
    cpu: dict[int, tuple[str, float]] = {}
    for process in psutil.process_iter(["name", "cpu_times"]):
        times = process.info["cpu_times"]
        if times is None:
            continue
        role = roles.get(process.pid) or _role_by_name(process.info["name"] or "")
        cpu[process.pid] = (role, times.user + times.system)
    machine = psutil.cpu_times()
    busy = sum(machine) - machine.idle - getattr(machine, "iowait", 0.0)
    return Snapshot(time.perf_counter(), cpu, busy)


def cpu_per_message(before: Snapshot, after: Snapshot, messages: int) -> dict[str, Any]:
    """CPU milliseconds per acknowledged message by role, and the cores each role kept busy."""
    spent = dict.fromkeys(ROLES, 0.0)
    for pid, (role, seconds) in after.cpu.items():
        earlier = before.cpu.get(pid)
        spent[role] += seconds - (earlier[1] if earlier and earlier[0] == role else 0.0)
    wall = after.at - before.at
    seen = sum(spent.values())
    return {
        "ms_per_message": {
            role: round(1000 * s / messages, 1) if messages else None for role, s in spent.items()
        },
        "cores_busy": {role: round(s / wall, 2) for role, s in spent.items()} if wall else {},
        "seen_ms": round(1000 * seen),
        "machine_busy_ms": round(1000 * (after.machine_busy - before.machine_busy)),
        "cores": psutil.cpu_count(),
    }


def _is_job_worker(process: psutil.Process) -> bool:
    try:
        command = process.cmdline()
    except psutil.Error:
        return False
    # `baton worker ...`, run as [python, .../baton, worker, ...] or [.../baton, worker, ...]
    return "worker" in command[1:3]


def _descendants(process: psutil.Process) -> list[psutil.Process]:
    try:
        return process.children(recursive=True)
    except psutil.Error:
        return []


def _role_by_name(name: str) -> str:
    if name.startswith("postgres"):
        return "PostgreSQL"
    if name.startswith("redis"):
        return "Redis"
    return "other"
