"""When the periodic jobs run, and the scheduler that puts them on the queue.

Every `baton worker` runs a scheduler, so that any one of them may die; in Redis, a key per
job that lives for one interval lets only the first scheduler of each interval enqueue it, so
N workers still run each periodic job once per interval. Without a job queue, each API
process schedules its own jobs, as each ran them before there was a queue."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from batondesk.config import Settings

log = logging.getLogger("batondesk.jobs")

FOLLOW_UP_CHECK_SECONDS = 30.0
REPORTS_REFRESH_SECONDS = 60.0
# The candidate in shadow predicts what arrived since the last pass (a query when none runs).
SHADOW_PASS_SECONDS = 30.0
# Whether a scheduled retrain is due: reading each account's setting (off by default).
RETRAIN_CHECK_SECONDS = 3600.0


@dataclass(frozen=True)
class PeriodicJob:
    job: str  # a name in jobs/definitions.py JOBS
    every_seconds: float


def periodic_jobs(settings: Settings) -> list[PeriodicJob]:
    """The periodic jobs these settings switch on."""
    periodic = [PeriodicJob("check_queues", settings.queue_check_interval_seconds)]
    if settings.retention_interval_hours > 0:
        periodic.append(PeriodicJob("apply_retention", settings.retention_interval_hours * 3600))
    if settings.webhook_delivery_interval_seconds > 0:
        periodic.append(PeriodicJob("deliver_webhooks", settings.webhook_delivery_interval_seconds))
    if settings.smtp_host:
        periodic.append(PeriodicJob("send_follow_up_emails", FOLLOW_UP_CHECK_SECONDS))
    if settings.reports_refresh == "background":
        periodic.append(PeriodicJob("refresh_reports", REPORTS_REFRESH_SECONDS))
    periodic.append(PeriodicJob("run_shadow_models", SHADOW_PASS_SECONDS))
    periodic.append(PeriodicJob("retrain_models", RETRAIN_CHECK_SECONDS))
    return periodic


class Scheduler:
    """A thread that enqueues each periodic job every `every_seconds`, the first time one
    interval after it starts. `claim(job)` says whether this scheduler is the one to enqueue
    this interval's run."""

    def __init__(
        self,
        periodic: list[PeriodicJob],
        enqueue: Callable[[str], object],
        claim: Callable[[PeriodicJob], bool],
    ) -> None:
        self.periodic = periodic
        self.enqueue = enqueue
        self.claim = claim
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="baton-scheduler", daemon=True)

    def start(self) -> None:
        if self.periodic:
            self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _run(self) -> None:
        started = time.monotonic()
        due = {job: started + job.every_seconds for job in self.periodic}
        while True:
            job = min(due, key=due.__getitem__)
            if self._stopping.wait(max(0.0, due[job] - time.monotonic())):
                return
            # A late tick (a slow Redis) is not made up for: the next run is one interval on.
            due[job] = time.monotonic() + job.every_seconds
            try:
                if self.claim(job):
                    self.enqueue(job.job)
            except Exception:  # Redis away: this tick is skipped, the next one tries again
                log.exception("could not enqueue the periodic job %s", job.job)
