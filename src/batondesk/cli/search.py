"""`baton search`: the keyed search index over messages and customers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from batondesk.config import get_settings

if TYPE_CHECKING:
    from batondesk.store import Database

app = typer.Typer(no_args_is_help=True)


@app.callback()
def search() -> None:
    """The keyed search index over messages and customers (docs/privacy.md#search)."""


@app.command()
def reindex(
    account: Annotated[
        int | None, typer.Option(help="Only this account id (default: every account)")
    ] = None,
) -> None:
    """Index the messages and contact names stored before the search index existed (new ones
    are indexed as they are stored), and file each conversation under its intent. Safe to run
    again: an account's index is rebuilt from scratch."""
    from sqlalchemy import select

    from batondesk.store import init_store
    from batondesk.store.models import Account

    db = init_store(get_settings())
    try:
        with db.session() as session:
            ids = list(session.scalars(select(Account.id).order_by(Account.id)))
        if account is not None:
            if account not in ids:
                typer.echo(f"error: no account {account}", err=True)
                raise typer.Exit(1)
            ids = [account]
        for account_id in ids:
            reindex_account(db, account_id)
    finally:
        db.dispose()


def reindex_account(db: Database, account_id: int) -> None:
    """Rebuild one account's index in one unit of work, with a progress bar."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from batondesk.actions.search_index import do_reindex_account

    with (
        Progress(
            TextColumn(f"account {account_id}: messages"), BarColumn(), MofNCompleteColumn()
        ) as bar,
        db.session() as session,
    ):
        task = bar.add_task("index", total=None)
        report = do_reindex_account(
            session,
            account_id,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    typer.echo(
        f"account {account_id}: {report.messages:,} messages and {report.contacts:,} contacts "
        f"indexed ({report.tokens:,} message tokens), {report.intents:,} conversation intents "
        f"filled, {report.unreadable:,} rows of erased contacts skipped"
    )
