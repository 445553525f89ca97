"""What several `baton` command groups share: naming an account by its slug."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from batondesk.config import get_settings

AccountOption = Annotated[str, typer.Option("--account", help="The account's slug")]


@contextmanager
def account_session(slug: str) -> Iterator[tuple[Session, int]]:
    """A unit of work in the account; a domain error is printed and exits with status 2."""
    from batondesk.errors import BatonError
    from batondesk.store import init_store
    from batondesk.store.models import Account

    db = init_store(get_settings())
    try:
        with db.session() as session:
            account_id = session.scalars(select(Account.id).where(Account.slug == slug)).first()
            if account_id is None:
                raise BatonError(f"no account with slug {slug!r}", code="not_found")
            yield session, account_id
    except BatonError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(2) from None
    finally:
        db.dispose()
