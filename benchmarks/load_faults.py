"""The load benchmark's kill -9 phase, on the production deployment: customers and agents keep
writing while one API process of `baton serve --workers 2` and the `baton worker` are killed
with SIGKILL, as when a machine or a container dies. Uvicorn's supervisor starts a new API
process; a new job worker is started, as an orchestrator would.

What it measures, beside the phase's usual figures:
- acknowledged messages lost: every customer message answered 201 is read back through the
  widget afterwards (the kill cuts the requests the dead process had not answered: those are
  errors the customer sees and can send again, not losses);
- jobs lost: jobs are put on the queue just before the kill, the job worker is killed once it
  has taken some of them, and each must then be finished by the new worker (gone from the
  queue's message store) and none left in the dead letters. The jobs are `check_queues`, the
  periodic job every deployment runs (idempotent, so running one again is harmless).

The figures depend on the queue keeping a job until it is finished (jobs/queue.py): the dead
worker's jobs come back once its heartbeat is older than
BATON_JOB_WORKER_HEARTBEAT_TIMEOUT_SECONDS (60 s by default), so the wait for them is that
long and more."""

from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dramatiq
import redis
from dramatiq.brokers.redis import RedisBroker

from batondesk.jobs.queue import QUEUE

JOB = "check_queues"
# Enough that the worker is still working through them when it is killed: a check_queues
# run takes a few milliseconds on a small database.
JOBS_AROUND_THE_KILL = 400
# How long the job worker may take to take jobs off the queue (it may still be starting)
# before it is killed anyway.
TAKE_SECONDS = 120.0


@dataclass
class KillReport:
    """What the kills did; `jobs_*` are filled in once the queue has settled."""

    api_process_killed: int = 0
    api_process_replaced_after_s: float | None = None
    job_worker_killed: int = 0
    jobs_enqueued: int = 0
    jobs_held_by_killed_worker: int = 0
    jobs_finished: int = 0
    jobs_dead_lettered: int = 0
    jobs_lost: int = 0
    jobs_settled_after_s: float | None = None
    notes: list[str] = field(default_factory=list)


class JobQueueProbe:
    """The deployment's Redis job queue as seen from outside: put jobs on it, and read which
    of them are still there. Key names are Dramatiq's Redis broker's (dispatch.lua). The
    broker files each delivery under a delivery id of its own (a retry gets a new one), so
    jobs are followed by the id in the stored message, which every delivery keeps."""

    def __init__(self, url: str, namespace: str) -> None:
        self.broker = RedisBroker(url=url, namespace=namespace)
        self.broker.declare_queue(QUEUE)
        self.client = redis.Redis.from_url(url)
        self.namespace = namespace

    def enqueue(self, count: int) -> list[str]:
        ids = []
        for _ in range(count):
            message = dramatiq.Message(
                queue_name=QUEUE, actor_name=JOB, args=(), kwargs={}, options={}
            )
            ids.append(self.broker.enqueue(message).message_id)
        return ids

    def _stored(self, store: str) -> dict[str, str]:
        """Delivery id -> job id of the messages in `store` (a queue's hash of messages)."""
        raw = self.client.hgetall(f"{self.namespace}:{store}")
        return {
            delivery.decode(): dramatiq.Message.decode(body).message_id
            for delivery, body in raw.items()
        }

    def taken(self) -> set[str]:
        """Ids of the jobs some worker has taken and not yet finished."""
        deliveries: set[str] = set()
        for key in self.client.scan_iter(match=f"{self.namespace}:__acks__.*", count=500):
            deliveries.update(member.decode() for member in self.client.smembers(key))
        stored = {**self._stored(f"{QUEUE}.msgs"), **self._stored(f"{QUEUE}.DQ.msgs")}
        return {stored[delivery] for delivery in deliveries if delivery in stored}

    def unfinished(self, ids: list[str]) -> tuple[set[str], set[str]]:
        """(ids still waiting or being done, retries included; ids in the dead letters)."""
        waiting = {*self._stored(f"{QUEUE}.msgs").values()}
        waiting |= {*self._stored(f"{QUEUE}.DQ.msgs").values()}
        dead = {*self._stored(f"{QUEUE}.XQ.msgs").values()}
        return waiting & set(ids), dead & set(ids)

    def close(self) -> None:
        self.broker.close()
        self.client.close()


def api_processes(supervisor_pid: int) -> list[int]:
    """The API processes `baton serve --workers N` runs: children of its process started by
    multiprocessing's spawn (not its resource tracker)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:  # ended while we looked
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        spawned = "spawn_main" in command and "resource_tracker" not in command
        if parent == supervisor_pid and spawned:
            found.append(int(entry.name))
    return sorted(found)


def kill_api_process(supervisor_pid: int, report: KillReport, seconds: float = 120) -> None:
    """SIGKILL one API process, then wait for the supervisor to have started another."""
    before = api_processes(supervisor_pid)
    if not before:
        report.notes.append("no API process found to kill")
        return
    victim = before[0]
    os.kill(victim, signal.SIGKILL)
    report.api_process_killed = victim
    killed_at = time.monotonic()
    while time.monotonic() - killed_at < seconds:
        now = api_processes(supervisor_pid)
        if victim not in now and len(now) >= len(before):
            report.api_process_replaced_after_s = round(time.monotonic() - killed_at, 1)
            return
        time.sleep(0.2)
    report.notes.append(f"the supervisor had not replaced the API process after {seconds:.0f} s")


class Kills:
    """One kill of the job worker and of an API process of `deployment` (a
    load_deployments.Production), and the count of the jobs around it."""

    def __init__(self, deployment: Any) -> None:
        self.deployment = deployment
        self.report = KillReport()
        self.probe = JobQueueProbe(deployment.redis_url, deployment.queue_name)
        self.jobs: list[str] = []
        self.killed_at = 0.0

    def kill(self) -> None:
        """Jobs on the queue; once the worker has taken some, SIGKILL it and one API
        process; start a new job worker; wait for the supervisor's new API process."""
        self.jobs = self.probe.enqueue(JOBS_AROUND_THE_KILL)
        self.report.jobs_enqueued = len(self.jobs)
        deadline = time.monotonic() + TAKE_SECONDS
        while not self.probe.taken() & set(self.jobs) and time.monotonic() < deadline:
            time.sleep(0.005)
        self.report.job_worker_killed = self.deployment.worker.process.pid
        self.deployment.worker.kill_hard()
        self.killed_at = time.monotonic()
        # The dead worker's "being done" set stays as it was until the queue takes it back.
        self.report.jobs_held_by_killed_worker = len(self.probe.taken() & set(self.jobs))
        if not self.report.jobs_held_by_killed_worker:
            self.report.notes.append("the job worker held none of the jobs when it was killed")
        self.deployment.replace_job_worker()
        kill_api_process(self.deployment.api.process.pid, self.report)

    def settle(self, seconds: float) -> None:
        """Wait until every job is finished or dead-lettered (at most `seconds`), then
        count."""
        pending, dead = self.probe.unfinished(self.jobs)
        deadline = time.monotonic() + seconds
        while pending and time.monotonic() < deadline:
            time.sleep(1.0)
            pending, dead = self.probe.unfinished(self.jobs)
        if not pending:
            self.report.jobs_settled_after_s = round(time.monotonic() - self.killed_at, 1)
        self.report.jobs_dead_lettered = len(dead)
        self.report.jobs_lost = len(pending)
        self.report.jobs_finished = len(self.jobs) - len(pending) - len(dead)
        self.probe.close()


def summary(report: KillReport) -> dict[str, Any]:
    return {
        "api_process_replaced_after_s": report.api_process_replaced_after_s,
        "api_process_killed": bool(report.api_process_killed),
        "job_worker_killed": bool(report.job_worker_killed),
        "jobs_enqueued_before_the_kill": report.jobs_enqueued,
        "jobs_held_by_the_killed_worker": report.jobs_held_by_killed_worker,
        "jobs_finished": report.jobs_finished,
        "jobs_dead_lettered": report.jobs_dead_lettered,
        "jobs_lost": report.jobs_lost,
        "jobs_settled_after_s": report.jobs_settled_after_s,
        "notes": report.notes,
    }
