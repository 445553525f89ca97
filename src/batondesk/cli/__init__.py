"""The `baton` command."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer

from batondesk.config import get_settings

app = typer.Typer(
    help="Baton: self-hosted customer support where AI answers and hands the baton to a human.",
    no_args_is_help=True,
    add_completion=False,
)


def _mount_subcommands() -> None:
    from batondesk.cli import accounts, demo, kb, nlu

    app.add_typer(accounts.app, name="account", help="Create accounts, staff and API keys.")
    app.add_typer(demo.app, name="demo", help="Run the demo; `baton demo simulate` writes history.")
    app.add_typer(nlu.app, name="nlu", help="Train, evaluate and manage intent models.")
    app.add_typer(kb.app, name="kb", help="Knowledge base: import articles, evaluate answers.")
    from batondesk.cli import audit, privacy

    app.add_typer(privacy.app, name="privacy", help="Export, erase, retention, consents.")
    app.add_typer(privacy.keys_app, name="keys", help="Rotate encryption keys.")
    app.add_typer(audit.app, name="audit", help="Verify the tamper-evident audit log.")
    from batondesk.cli import answers, escalation

    app.add_typer(
        escalation.app, name="escalation", help="Evaluate escalation; run the queue/SLA check."
    )
    app.add_typer(
        answers.app, name="answers", help="Fit the answer policy; show its coverage/risk curve."
    )
    from batondesk.cli import experiments

    app.add_typer(
        experiments.app, name="experiments", help="A/B experiments of the bot: create, start, stop."
    )
    from batondesk.cli import reports

    app.add_typer(reports.app, name="reports", help="Keep the reports' stored tallies current.")
    from batondesk.cli import data

    app.add_typer(data.app, name="data", help="Audit intent training data; write a cleaned copy.")
    from batondesk.cli import search

    app.add_typer(search.app, name="search", help="Rebuild the keyed search index.")
    from batondesk.cli import integrations

    app.add_typer(
        integrations.customers_app, name="customers", help="Import customer records (CSV, JSON)."
    )
    app.add_typer(integrations.crm_app, name="crm", help="Pull customer data from a CRM.")
    app.add_typer(integrations.webhooks_app, name="webhooks", help="Send queued webhook events.")
    from batondesk.cli import i18n

    app.add_typer(i18n.app, name="i18n", help="Update and compile the message catalogues.")


def _print_version(requested: bool) -> None:
    if not requested:
        return
    from batondesk import __version__
    from batondesk.demo.training_data import ATTRIBUTION

    typer.echo(f"baton {__version__}")
    typer.echo(f"About: {ATTRIBUTION}.")
    raise typer.Exit()


@app.callback()
def about(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_print_version,
            is_eager=True,
            help="Print the version and the data the demo model is trained on, then exit.",
        ),
    ] = False,
) -> None:
    """Baton: self-hosted customer support where AI answers and hands the baton to a human."""


@app.command()
def migrate() -> None:
    """Create or upgrade the database schema to the newest version."""
    from batondesk.store import init_store

    settings = get_settings()
    init_store(settings).migrate()
    typer.echo("database is up to date")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on")] = None,
    workers: Annotated[int, typer.Option(min=1, help="API worker processes")] = 1,
) -> None:
    """Serve the HTTP API (and the console and widget pages). Without BATON_JOB_QUEUE_URL
    each worker process also runs the jobs; with it, run `baton worker` beside."""
    import uvicorn

    settings = get_settings()
    if settings.prometheus_multiproc_dir is not None:
        from batondesk.observability.metrics import clear_multiprocess_dir

        # An earlier run's figures would be added to this run's: start every count at zero.
        clear_multiprocess_dir(settings.prometheus_multiproc_dir)
    uvicorn.run(
        "batondesk.app:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        log_level="info",
        # On SIGTERM: stop accepting, end the open event streams (sse-starlette sees the
        # server exiting; browsers reconnect to another worker), finish requests in flight.
        timeout_graceful_shutdown=int(settings.shutdown_timeout_seconds),
        timeout_keep_alive=settings.keep_alive_seconds,
        # With several workers, the supervisor pings each and replaces one that does not answer
        # in time; loading the models holds a starting worker's interpreter for seconds on a
        # busy machine, which is not a hang.
        timeout_worker_healthcheck=60,
    )


@app.command()
def worker(
    threads: Annotated[int, typer.Option(min=1, max=64, help="Jobs run side by side")] = 4,
) -> None:
    """Run jobs from the queue at BATON_JOB_QUEUE_URL, and put the periodic ones on it (SLA
    checks and assignment, retention, webhooks, follow-up email, report tallies). Run as many
    as you like; stop with SIGTERM: running jobs finish, the rest go back on the queue."""
    import signal
    import threading

    from batondesk.jobs import JobQueue
    from batondesk.realtime import make_broker, publish_after_commit
    from batondesk.store import init_store

    settings = get_settings()
    if not settings.job_queue_url:
        typer.echo(
            "error: BATON_JOB_QUEUE_URL is not set: without a queue each API process runs "
            "the jobs itself (docs/deploy.md)",
            err=True,
        )
        raise typer.Exit(2)
    if not settings.redis_url:
        logging.getLogger("batondesk.jobs").warning(
            "BATON_REDIS_URL is not set: consoles will not see live what jobs change "
            "(assignments, SLA breaches) until they reload"
        )
    db = init_store(settings)
    notifications = make_broker(settings.redis_url, settings.redis_namespace)
    db.publisher = publish_after_commit(notifications)
    jobs = JobQueue(settings, db)
    stopping = threading.Event()
    for signal_number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signal_number, lambda *_: stopping.set())
    jobs.start(threads=threads)
    typer.echo(f"job worker running {threads} threads on queue {settings.job_queue_name}")
    stopping.wait()
    typer.echo("stopping: running jobs finish, the others go back on the queue")
    jobs.stop()
    notifications.close()
    db.dispose()


@app.command()
def openapi(out: Annotated[Path | None, typer.Option(help="Write to this file")] = None) -> None:
    """Print the OpenAPI document."""
    import json

    from batondesk.app import create_app

    document = json.dumps(create_app().openapi(), indent=2)
    if out:
        out.write_text(document)
    else:
        typer.echo(document)


def main() -> None:
    from pydantic import ValidationError

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    _mount_subcommands()
    try:
        app()
    except ValidationError as exc:  # settings: say which variable is wrong, no traceback
        for error in exc.errors():
            typer.echo(f"error: invalid settings: {error['msg']}", err=True)
        raise SystemExit(2) from None
