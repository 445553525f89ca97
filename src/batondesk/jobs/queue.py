"""The job queue: Dramatiq, on Redis when BATON_JOB_QUEUE_URL is set, else in memory.

With Redis, a worker takes a job into its own "being done" set and removes it only when the
job has finished; each worker's broker writes a heartbeat on every call, and a worker that
misses BATON_JOB_WORKER_HEARTBEAT_TIMEOUT_SECONDS is taken for dead: the next worker to do
maintenance puts that worker's unfinished jobs back on the queue (docs/architecture.md, "Jobs").
In memory (the demo, one process), the same jobs run in worker threads of the API process,
with the same retries; a job queued there dies with the process, which is why production
sets a queue URL."""

from __future__ import annotations

import functools
import logging
import threading
from typing import Any

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import CurrentMessage

from batondesk.config import Settings
from batondesk.engine.intent_models import IntentModels
from batondesk.jobs.definitions import JOBS, Job, JobRun
from batondesk.jobs.schedule import PeriodicJob, Scheduler, periodic_jobs
from batondesk.store.database import Database

log = logging.getLogger("batondesk.jobs")

QUEUE = "baton"
# Chance, per million broker calls, that a call also puts the jobs of dead workers back on
# the queue (a check of one sorted set in Redis). An idle worker polls the queue about once a
# second, so a dead worker's jobs are back within a few seconds of its heartbeat timeout.
_MAINTENANCE_PER_MILLION = 200_000
# How often an idle worker thread looks for work (dramatiq's default is a second).
_REDIS_IDLE_WAKE_MS = 1000
_IN_PROCESS_IDLE_WAKE_MS = 100


class JobQueue:
    """The process's queue: its broker, one actor per job, and (in a worker, or in an API
    process without a queue URL) the worker threads and the periodic scheduler."""

    def __init__(
        self, settings: Settings, db: Database, models: IntentModels | None = None
    ) -> None:
        """`models`: the intent models the jobs load (a candidate in shadow); an API process
        passes its own, so a model it already holds is not loaded twice."""
        self.settings = settings
        self.db = db
        self.models = models or IntentModels(settings.models_dir)
        self.in_process = not settings.job_queue_url
        self.broker: dramatiq.Broker
        if self.in_process:
            self.broker = StubBroker()
        else:
            self.broker = RedisBroker(
                url=settings.job_queue_url,
                namespace=settings.job_queue_name,
                heartbeat_timeout=int(settings.job_worker_heartbeat_timeout_seconds * 1000),
                maintenance_chance=_MAINTENANCE_PER_MILLION,
            )
        self.broker.add_middleware(CurrentMessage())
        self.actors = {name: self._declare(job) for name, job in JOBS.items()}
        self._passes = {name: threading.Lock() for name in JOBS}
        self._worker: dramatiq.Worker | None = None
        self._scheduler: Scheduler | None = None

    def _declare(self, job: Job) -> dramatiq.Actor[Any, None]:
        return dramatiq.Actor(
            functools.partial(self._perform, job),
            broker=self.broker,
            actor_name=job.name,
            queue_name=QUEUE,
            priority=0,
            options={
                "max_retries": job.max_retries,
                "min_backoff": int(job.min_backoff_seconds * 1000),
                "max_backoff": int(job.max_backoff_seconds * 1000),
                "time_limit": int(job.time_limit_seconds * 1000),
            },
        )

    def _perform(self, job: Job, **ids: int) -> None:
        message = CurrentMessage.get_current_message()
        assert message is not None  # set by the middleware for every job a worker runs
        run = JobRun(self.settings, self.db, message.message_id, self.models)
        if not job.one_pass_at_a_time:
            job.run(run, **ids)
            return
        passing = self._passes[job.name]
        if not passing.acquire(blocking=False):
            log.debug("%s is already running in this process; this run is skipped", job.name)
            return
        try:
            job.run(run, **ids)
        finally:
            passing.release()

    def enqueue(self, name: str, **ids: int) -> str:
        """Put job `name` on the queue with these id arguments; returns the job's id."""
        return str(self.actors[name].send_with_options(kwargs=ids).message_id)

    def start(self, *, threads: int) -> None:
        """Run jobs in `threads` worker threads of this process, and schedule the periodic
        ones."""
        if self._worker is not None:
            # A second set of threads would run every periodic job twice and outlive stop().
            raise RuntimeError("this job queue's workers are already running")
        self._worker = dramatiq.Worker(
            self.broker,
            queues={QUEUE},
            worker_threads=threads,
            # Idle threads look for work this often, and stopping waits for them to look:
            # in-process, that is a cheap queue check and keeps a server's (or a test's)
            # shutdown short; against Redis, each look is a round trip.
            worker_timeout=_IN_PROCESS_IDLE_WAKE_MS if self.in_process else _REDIS_IDLE_WAKE_MS,
        )
        self._worker.start()
        self._scheduler = Scheduler(periodic_jobs(self.settings), self.enqueue, self._claim)
        self._scheduler.start()

    def _claim(self, periodic: PeriodicJob) -> bool:
        if self.in_process:
            return True
        assert isinstance(self.broker, RedisBroker)
        key = f"{self.settings.job_queue_name}:schedule:{periodic.job}"
        interval_ms = max(1, int(periodic.every_seconds * 1000))
        return bool(self.broker.client.set(key, "1", nx=True, px=interval_ms))

    def stop(self) -> None:
        """Stop scheduling, let running jobs finish (up to the shutdown timeout) and put the
        jobs this process had taken but not started back on the queue."""
        if self._scheduler is not None:
            self._scheduler.stop()
            self._scheduler = None
        if self._worker is not None:
            self._worker.stop(timeout=int(self.settings.shutdown_timeout_seconds * 1000))
            self._worker = None
        self.broker.close()
