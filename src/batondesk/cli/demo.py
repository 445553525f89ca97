"""`baton demo`: the whole demo in one command."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from batondesk.config import Settings, get_settings

if TYPE_CHECKING:
    from batondesk.training.default_model import DefaultModel


def demo(
    serve: Annotated[bool, typer.Option(help="Serve after seeding")] = True,
    host: Annotated[str | None, typer.Option(help="Interface to bind")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on")] = None,
) -> None:
    """Migrate, seed the Baton Bank demo workspace, prepare the default intent model, serve."""
    from batondesk.demo.seed import seed_demo
    from batondesk.store import init_store

    settings = get_settings()
    db = init_store(settings)
    db.migrate()
    summary = seed_demo(db)
    typer.echo("demo workspace " + ("seeded" if summary.created else "already seeded"))
    db.dispose()
    typer.echo(f"intent model: {_prepare_intent_model(settings).describe()}")

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


def _prepare_intent_model(settings: Settings) -> DefaultModel:
    """The active intent model, or the demo's, trained now with a progress bar (~2 minutes)."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from batondesk.demo.training_data import TRAIN_NAME, DemoDataMissing
    from batondesk.training.default_model import active_default_model, train_default_model

    active = active_default_model(settings)
    if active is not None:
        return active
    typer.echo(f"training the intent model on {TRAIN_NAME} (shipped with Baton), ~2 minutes")
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
