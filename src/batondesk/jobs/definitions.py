"""The jobs. Each is a function of the run (the process's settings and database, and the
job's id) and plain ids: arguments sit in the queue, so they are never message text or
personal data.

The queue delivers at least once: a job is taken off the queue only when it has finished,
so a job whose worker died is run again by another, and a failed job is retried with
backoff. Every job is therefore idempotent, and each says why below.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from batondesk.actions.follow_ups import FollowUpPass, run_follow_up_check

# The widget's settings say whether an account sends the follow-up, and after how long.
from batondesk.api.widget_settings import WidgetSettings
from batondesk.config import Settings
from batondesk.engine.intent_models import IntentModels
from batondesk.errors import Conflict, NotFound
from batondesk.mail import SmtpMailer
from batondesk.store.database import Database
from batondesk.store.models import Account

log = logging.getLogger("batondesk.jobs")


@dataclass(frozen=True)
class JobRun:
    settings: Settings
    db: Database
    # The queue's id of the job; the same on every delivery and retry of one job.
    job_id: str
    # The intent models of the process (kept loaded between runs).
    models: IntentModels


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[..., None]
    # A failed job is retried up to max_retries times, waiting from min to max backoff
    # (doubling, with jitter); then it is kept in the queue's dead letters and logged.
    max_retries: int = 3
    min_backoff_seconds: float = 1.0
    max_backoff_seconds: float = 60.0
    # A run longer than this is interrupted (and retried).
    time_limit_seconds: float = 600.0
    # A pass over everything that is due: while one runs in a process, another run there is
    # skipped, since it would only contend for the same rows (the one running does its work).
    one_pass_at_a_time: bool = True


def check_queues(run: JobRun) -> None:
    """Report SLA breaches, age waiting conversations, assign queued ones to agents who became
    free, wake snoozed conversations, and stop experiments whose guardrail is breached.
    Idempotent: a breach is recorded once per conversation (the conversation keeps the kinds
    it has reported), an assignment only takes a conversation that is still queued, and
    several runs at once lock rows and skip those another holds (PostgreSQL)."""
    from batondesk.actions.experiments import run_experiment_check
    from batondesk.actions.handoff import run_queue_check
    from batondesk.actions.workflow import do_wake_due_snoozes

    with run.db.session() as session:
        run_queue_check(session)
        do_wake_due_snoozes(session)
    # Its own unit of work: a failing results read must not undo the queue check.
    with run.db.session() as session:
        run_experiment_check(session)


def apply_retention(run: JobRun) -> None:
    """Delete what every account's retention policy says is too old. Idempotent: deleting
    what is already gone changes nothing; each account in its own unit of work, so a retry
    redoes only the accounts that failed."""
    from batondesk.privacy.retention import accounts_with_policy, do_apply_retention

    with run.db.session() as session:
        account_ids = accounts_with_policy(session)
    for account_id in account_ids:
        with run.db.session() as session:
            do_apply_retention(session, account_id)


def deliver_webhooks(run: JobRun) -> None:
    """Send the webhook deliveries that are due. Idempotent: each delivery is leased to one
    sender before it is sent and its outcome recorded after, so two runs never send the same
    delivery; a run that dies mid-send leaves the delivery to be sent again when the lease
    ends (receivers drop repeats by the delivery id, docs/integrations.md)."""
    from batondesk.actions.webhook_delivery import DeliveryPolicy, deliver_due_webhooks

    deliver_due_webhooks(run.db, DeliveryPolicy.from_settings(run.settings))


def send_follow_up_emails(run: JobRun) -> None:
    """Email the replies customers left too early to see (actions/follow_ups.py).
    Idempotent: each sent reply is recorded in the unit of work that sends it, rows are
    locked with SKIP LOCKED, and a reply already recorded is never sent again."""
    send_follow_ups(run.db, SmtpMailer(run.settings))


def send_follow_ups(
    db: Database, mailer: SmtpMailer, *, now: datetime | None = None
) -> FollowUpPass:
    """One pass over every account that keeps the follow-up on; each account in its own unit
    of work, so one account's failure never undoes another's sent mail record."""
    total = FollowUpPass()
    with db.session() as session:
        accounts = [
            (account.id, WidgetSettings.for_account(account.settings or {}))
            for account in session.scalars(select(Account).order_by(Account.id))
        ]
    for account_id, widget in accounts:
        if not widget.email_follow_up:
            continue
        with db.session() as session:
            done = run_follow_up_check(
                session, mailer, account_id, after_minutes=widget.follow_up_after_minutes, now=now
            )
        total.sent += done.sent
        total.failed += done.failed
    return total


def refresh_reports(run: JobRun) -> None:
    """Bring every account's stored report tallies up to now (reports/rollups.py).
    Idempotent: a refresh counts again the days the new events touched and moves the
    account's cursor in the same unit of work, so a second run finds nothing new."""
    from batondesk.reports.rollups import refresh
    from batondesk.store.base import utcnow

    with run.db.session() as session:
        account_ids = list(session.scalars(select(Account.id).order_by(Account.id)))
    for account_id in account_ids:
        with run.db.session() as session:
            refresh(session, account_id, utcnow())


def sync_crm(run: JobRun, account_id: int, connector_id: int) -> None:
    """Pull what changed in a CRM since the connector's cursor. Idempotent: each page is
    stored with the cursor after it in one unit of work and records are matched by their
    external id, so a sync run again resumes where the last stored page left off and
    never creates a contact twice. The connector records this job as the sync's holder: the
    same job delivered again after its worker died takes the sync back at once."""
    from batondesk.actions.crm_sync import run_crm_sync

    try:
        run_crm_sync(
            run.db,
            account_id,
            connector_id,
            allow_private=run.settings.allow_private_destinations,
            job_id=run.job_id,
        )
    except NotFound:
        log.info("CRM connector %s is gone; its sync is dropped", connector_id)
    except Conflict as conflict:
        if conflict.code != "sync_running":
            log.info("CRM sync of connector %s not run: %s", connector_id, conflict.code)
            return
        # Another job holds the sync: try again after it (retried with backoff).
        raise


def run_shadow_models(run: JobRun) -> None:
    """Let every candidate in shadow predict the customer messages that arrived since the
    last pass (actions/shadow_models.py). Idempotent: a message already predicted is
    skipped, and each account's pass is its own unit of work."""
    from batondesk.actions.shadow_models import accounts_in_shadow, do_shadow_pass

    with run.db.session() as session:
        account_ids = accounts_in_shadow(session)
    for account_id in account_ids:
        with run.db.session() as session:
            do_shadow_pass(session, run.models, account_id)


def retrain_models(run: JobRun) -> None:
    """The scheduled retrain: each account that switched it on and is due (enough new
    reviewed examples, the last candidate old enough) gets a candidate, judged by the gate.
    Idempotent: a run again finds the account no longer due (its new candidate is recent)."""
    from batondesk.actions.model_candidates import accounts_due_for_retrain

    for account_id in accounts_due_for_retrain(run.db):
        _retrain(run, account_id, "schedule")


def retrain_model(run: JobRun, account_id: int) -> None:
    """An admin's "retrain now". Idempotent: the candidate records this job's id, and the job
    delivered again after it finished finds it and trains nothing."""
    _retrain(run, account_id, "console")


def rescore_review_queue(run: JobRun, account_id: int) -> None:
    """After the account's model changed: its pending review items read again by the model
    now answering (actions/review_rescoring.py). Idempotent: items that version has read
    are skipped."""
    from batondesk.actions.review_rescoring import do_rescore_pending

    with run.db.session() as session:
        count = do_rescore_pending(session, run.models, account_id)
    log.info("account %s: %s pending review items read again", account_id, count)


def _retrain(run: JobRun, account_id: int, trigger: str) -> None:
    from dataclasses import replace

    from batondesk.actions.model_candidates import run_retrain
    from batondesk.engine.services import TurnServices
    from batondesk.training.retraining import RetrainError

    services = replace(TurnServices.from_settings(run.settings), models=run.models)
    try:
        outcome = run_retrain(
            run.db, services, account_id, trigger=trigger, job_id=f"{run.job_id}:{account_id}"
        )
    except RetrainError as error:
        # Nothing to retry: the account lacks what a retrain needs until an admin gives it.
        log.warning("retrain of account %s not run: %s", account_id, error)
        return
    log.info("account %s: %s", account_id, outcome.status)


# The queue's job names are these keys: renaming one strands the jobs already queued.
JOBS: dict[str, Job] = {
    job.name: job
    for job in (
        Job("check_queues", check_queues),
        Job("apply_retention", apply_retention, time_limit_seconds=3600),
        Job("deliver_webhooks", deliver_webhooks),
        Job("send_follow_up_emails", send_follow_up_emails),
        Job("refresh_reports", refresh_reports, time_limit_seconds=3600),
        Job("run_shadow_models", run_shadow_models),
        # Training takes minutes (the accurate profile, ~10 on 2 cores); one retry, later.
        Job(
            "retrain_models",
            retrain_models,
            max_retries=1,
            min_backoff_seconds=300,
            max_backoff_seconds=600,
            time_limit_seconds=7200,
        ),
        Job(
            "retrain_model",
            retrain_model,
            max_retries=1,
            min_backoff_seconds=300,
            max_backoff_seconds=600,
            time_limit_seconds=7200,
            one_pass_at_a_time=False,
        ),
        # One per promotion or rollback; accounts are read again side by side.
        Job("rescore_review_queue", rescore_review_queue, one_pass_at_a_time=False),
        # A running sync holds the connector for up to STALE_SYNC (15 minutes): the retries
        # wait long enough to outlast it.
        Job(
            "sync_crm",
            sync_crm,
            max_retries=8,
            min_backoff_seconds=10,
            max_backoff_seconds=300,
            time_limit_seconds=3600,
            one_pass_at_a_time=False,
        ),
    )
}
