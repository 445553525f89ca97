"""`baton account ...`: set up a production account without the demo."""

from __future__ import annotations

from typing import Annotated

import typer

from batondesk.config import get_settings

app = typer.Typer(no_args_is_help=True)


@app.command("create")
# "" is no password: typer prompts for it (hidden, confirmed).
def create(  # nosec B107
    name: Annotated[str, typer.Argument(help="Display name, e.g. 'Acme Support'")],
    slug: Annotated[str, typer.Option(help="Short unique identifier")],
    admin_email: Annotated[str, typer.Option(help="Email of the first admin")],
    admin_name: Annotated[str, typer.Option(help="Name of the first admin")] = "Admin",
    admin_password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)
    ] = "",
) -> None:
    """Create an account with its first admin and a web-widget inbox."""
    from batondesk.actions.accounts import (
        do_add_member,
        do_create_account,
        do_create_inbox,
        do_create_user,
    )
    from batondesk.errors import BatonError
    from batondesk.store import init_store
    from batondesk.store.models import Channel, Role

    db = init_store(get_settings())
    try:
        with db.session() as session:
            account = do_create_account(session, name, slug)
            user = do_create_user(session, admin_email, admin_name, admin_password)
            do_add_member(session, account, user, Role.admin)
            inbox = do_create_inbox(session, account, "Website chat", Channel.web_widget)
            typer.echo(f"account {account.id} created; widget inbox id: {inbox.public_id}")
    except BatonError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(2) from None
