"""`baton customers`, `baton crm` and `baton webhooks`: customer data in, events out."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from sqlalchemy import select

from batondesk.cli.common import AccountOption, account_session
from batondesk.config import get_settings

if TYPE_CHECKING:
    from batondesk.actions.crm_sync import SyncReport

customers_app = typer.Typer(no_args_is_help=True)
crm_app = typer.Typer(no_args_is_help=True)
webhooks_app = typer.Typer(no_args_is_help=True)


# Callbacks keep each a command group, so a test (or a future command) sees `import` as a
# subcommand rather than the group itself.
@customers_app.callback()
def customers_group() -> None:
    """Import customer records (CSV, JSON)."""


@crm_app.callback()
def crm_group() -> None:
    """Pull customer data from a CRM."""


@webhooks_app.callback()
def webhooks_group() -> None:
    """Send queued webhook events."""


@customers_app.command("import")
def import_command(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help=".csv, .json or .jsonl")
    ],
    account: AccountOption,
) -> None:
    """Create or update contacts by external_id from a file of customer records
    (docs/integrations.md). Every record is checked first: one bad record and nothing is
    stored; the error names each bad line."""
    from batondesk.actions.customer_data import do_import_customers

    with account_session(account) as (session, account_id):
        applied = do_import_customers(session, account_id, file.read_bytes(), file.name)
    typer.echo(f"{applied.created} contacts created, {applied.updated} updated")


@crm_app.command("sync")
def sync_command(
    connector: Annotated[str, typer.Argument(help="The connector's name")],
    account: AccountOption,
    every: Annotated[
        float, typer.Option(help="Repeat every N seconds (0: sync once and exit)")
    ] = 0.0,
) -> None:
    """Pull what changed in the CRM since the connector's cursor, with a progress count. A
    sync that fails resumes from its cursor the next time."""
    from batondesk.store import init_store
    from batondesk.store.models import CrmConnector

    with account_session(account) as (session, account_id):
        connector_id = session.scalars(
            select(CrmConnector.id).where(
                CrmConnector.account_id == account_id, CrmConnector.name == connector
            )
        ).first()
    if connector_id is None:
        typer.echo(f"error: no connector named {connector!r} in {account}", err=True)
        raise typer.Exit(2)
    settings = get_settings()
    db = init_store(settings)
    try:
        while True:
            report = _sync_with_progress(
                db, account_id, connector_id, settings.allow_private_destinations
            )
            typer.echo(
                f"{report.status}: {report.records} records ({report.created} created, "
                f"{report.updated} updated, {report.skipped} skipped) in {report.pages} pages, "
                f"{report.retries} retries; cursor {report.cursor}"
                + (f"; error: {report.error}" if report.error else "")
            )
            if every <= 0:
                if report.status != "ok":
                    raise typer.Exit(1)
                return
            time.sleep(every)
    finally:
        db.dispose()


def _sync_with_progress(
    db: Any, account_id: int, connector_id: int, allow_private: bool
) -> SyncReport:
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from batondesk.actions.crm_sync import run_crm_sync

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn()) as bar:
        task = bar.add_task("0 records", total=None)
        seen = [0]

        def page_done(records: int) -> None:
            seen[0] += records
            bar.update(task, description=f"{seen[0]} records")

        return run_crm_sync(
            db, account_id, connector_id, allow_private=allow_private, on_page=page_done
        )


@webhooks_app.command("deliver")
def deliver_command(
    every: Annotated[
        float, typer.Option(help="Repeat every N seconds (0: one pass and exit)")
    ] = 0.0,
) -> None:
    """Send the webhook deliveries that are due (the API workers also do this every
    BATON_WEBHOOK_DELIVERY_INTERVAL_SECONDS; run this instead when that is 0)."""
    from batondesk.actions.webhook_delivery import DeliveryPolicy, deliver_due_webhooks
    from batondesk.store import init_store

    settings = get_settings()
    db = init_store(settings)
    policy = DeliveryPolicy.from_settings(settings)
    try:
        while True:
            done = deliver_due_webhooks(db, policy)
            if done.attempted or every <= 0:
                typer.echo(f"{done.attempted} attempted, {done.delivered} delivered")
            if every <= 0:
                return
            time.sleep(every)
    finally:
        db.dispose()
