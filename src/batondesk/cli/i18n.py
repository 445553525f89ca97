"""`baton i18n`: keep the message catalogues in step with the code."""

from __future__ import annotations

import typer

from batondesk.i18n.maintenance import update

app = typer.Typer(no_args_is_help=True)


@app.command("update")
def update_catalogues() -> None:
    """Extract every marked text, merge it into each language's .po (new texts arrive empty,
    to be translated) and compile the .mo files the product reads."""
    for path in update():
        typer.echo(f"wrote {path}")
