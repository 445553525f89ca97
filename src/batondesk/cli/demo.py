"""`baton demo`: the whole demo in one command."""

from __future__ import annotations

from typing import Annotated

import typer

from batondesk.config import get_settings


def demo(
    serve: Annotated[bool, typer.Option(help="Serve after seeding")] = True,
    host: Annotated[str | None, typer.Option(help="Interface to bind")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on")] = None,
) -> None:
    """Migrate, seed the Baton Bank demo workspace, prepare the default intent model, serve."""
    from batondesk.demo.seed import seed_demo
    from batondesk.store import init_store
    from batondesk.training.default_model import ensure_default_model

    settings = get_settings()
    db = init_store(settings)
    db.migrate()
    summary = seed_demo(db)
    typer.echo("demo workspace " + ("seeded" if summary.created else "already seeded"))
    model = ensure_default_model(settings)
    typer.echo(f"intent model: {model}")
    db.dispose()

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
