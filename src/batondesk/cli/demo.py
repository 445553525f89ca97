"""`baton demo`: the whole demo in one command."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from batondesk.config import Settings, get_settings

if TYPE_CHECKING:
    from batondesk.demo.history import SimulationSummary
    from batondesk.store import Database
    from batondesk.training.default_model import DefaultModel

app = typer.Typer(no_args_is_help=False)

# `baton demo` seeds this much simulated history (a few seconds), so the reports have 90 days.
DEMO_HISTORY_CONVERSATIONS = 3000
DEMO_HISTORY_DAYS = 90


@app.callback(invoke_without_command=True)
def demo(
    context: typer.Context,
    serve: Annotated[bool, typer.Option(help="Serve after seeding")] = True,
    host: Annotated[str | None, typer.Option(help="Interface to bind")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on")] = None,
    history: Annotated[
        bool,
        typer.Option(
            help=f"Seed {DEMO_HISTORY_DAYS} days of simulated history "
            f"({DEMO_HISTORY_CONVERSATIONS:,} conversations) once"
        ),
    ] = True,
) -> None:
    """Migrate, seed the Baton Bank demo workspace and its simulated history, prepare the
    default intent model, serve."""
    if context.invoked_subcommand is not None:
        return
    from batondesk.demo.seed import seed_demo
    from batondesk.store import init_store

    settings = get_settings()
    db = init_store(settings)
    db.migrate()
    summary = seed_demo(db)
    typer.echo("demo workspace " + ("seeded" if summary.created else "already seeded"))
    seeded_history = _seed_history(db) if history else False
    if summary.created or seeded_history:
        # The seed and the simulation write their messages directly, not through the actions
        # that index them as they arrive.
        from batondesk.cli.search import reindex_account

        reindex_account(db, summary.account_id)
    db.dispose()
    typer.echo(f"intent model: {prepare_intent_model(settings).describe()}")

    address = f"http://{host or settings.host}:{port or settings.port}"
    typer.echo(
        "\n"
        f"  Baton Bank demo at {address}  (API docs: {address}/docs)\n"
        f"  Agent console:  {address}/console\n"
        f"  Customer chat:  {address}/chat/{summary.inbox_public_id}"
        "   (ask for a person, then answer in the console)\n"
        f"  Demo agent: {summary.agent_email}   Demo admin: {summary.admin_email}\n"
        f"  Password for both: {summary.password}\n"
        f'  Widget snippet: <script src="{address}/widget.js" '
        f'data-inbox="{summary.inbox_public_id}" async></script>\n'
    )
    if serve:
        from batondesk.cli import serve as serve_command

        serve_command(host=host, port=port, workers=1)


def prepare_intent_model(settings: Settings) -> DefaultModel:
    """The active intent model, or the demo's, trained now with a progress bar (~4 minutes)."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from batondesk.demo.training_data import DEMO_TRAINING_NAME, DemoDataMissing
    from batondesk.training.default_model import active_default_model, train_default_model

    active = active_default_model(settings)
    if active is not None:
        return active
    typer.echo(
        f"training the intent model on {DEMO_TRAINING_NAME} (shipped with Baton), ~4 minutes"
    )
    with Progress(TextColumn("{task.description:<32}"), BarColumn(), TimeElapsedColumn()) as bar:
        task = bar.add_task("loading", total=1.0)
        try:
            return train_default_model(
                settings,
                progress=lambda step, done: bar.update(task, description=step, completed=done),
            )
        except DemoDataMissing as exc:
            bar.stop()
            typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
            raise typer.Exit(code=1) from None


@app.command()
def simulate(
    conversations: Annotated[int, typer.Option(help="How many conversations to write")],
    days: Annotated[int, typer.Option(help="Spread over this many days before now")] = 90,
    seed: Annotated[int, typer.Option(help="Random seed; each seed once per account")] = 0,
    account: Annotated[str, typer.Option(help="Slug of the account")] = "baton-bank",
) -> None:
    """Write simulated conversations with their messages and events into the database: bot
    answers, clarifications, hand-overs, agents' replies, resolutions, reopens, ratings.
    Adds to what is there; a seed already simulated in the account is refused."""
    from batondesk.errors import BatonError
    from batondesk.store import init_store

    db = init_store(get_settings())
    db.migrate()
    try:
        summary = _simulate_with_progress(db, conversations, days, seed, account)
    except BatonError as exc:
        typer.secho(f"error: {exc.message}", fg=typer.colors.RED, err=True)
        raise typer.Exit(code=1) from None
    finally:
        db.dispose()
    typer.echo(_describe(summary, days))


def _seed_history(db: Database) -> bool:
    """Seed the demo's simulated history unless it is there; True when it was seeded now."""
    from batondesk.demo.history import has_simulated_history

    if has_simulated_history(db, seed=0):
        typer.echo("simulated history already seeded")
        return False
    summary = _simulate_with_progress(db, DEMO_HISTORY_CONVERSATIONS, DEMO_HISTORY_DAYS, 0, None)
    typer.echo(f"simulated history: {_describe(summary, DEMO_HISTORY_DAYS)}")
    return True


def _simulate_with_progress(
    db: Database, conversations: int, days: int, seed: int, account: str | None
) -> SimulationSummary:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from batondesk.demo.history import simulate_history
    from batondesk.demo.seed import DEMO_SLUG

    with Progress(TextColumn("simulating"), BarColumn(), MofNCompleteColumn()) as bar:
        task = bar.add_task("simulating", total=conversations)
        return simulate_history(
            db,
            conversations=conversations,
            days=days,
            seed=seed,
            account_slug=account or DEMO_SLUG,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )


def _describe(summary: SimulationSummary, days: int) -> str:
    return (
        f"wrote {summary.conversations:,} conversations over {days} days "
        f"({summary.messages:,} messages, {summary.events:,} events, "
        f"{summary.customers:,} simulated customers) in {summary.seconds:.1f} s "
        f"({summary.rate:,.0f} conversations/s)"
    )
