"""The account's configuration version: one number that moves whenever something a turn reads
of the account besides its own row changes (its articles, its reply templates), so that an API
worker can keep those in memory and check them against the account row every turn reads
anyway, instead of reading them again at every message (the article list alone is one row per
article). Every worker on every host sees a change at the next message it handles.

The number is raised by a flush hook inside the transaction that writes the change, in SQL
(`config_version + 1`), so two transactions changing one account at once can never leave the
same number on two different configurations. Changes made with bulk statements would bypass the
hook: none of these tables is written that way."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, update
from sqlalchemy.orm import Session, sessionmaker

from batondesk.store.accounts import Account
from batondesk.store.knowledge import Article
from batondesk.store.response_templates import ResponseTemplate

WATCHED = (Article, ResponseTemplate)


def attach_config_version_hooks(sessions: sessionmaker[Session]) -> None:
    event.listen(sessions, "before_flush", _raise_versions)


def _raise_versions(session: Session, _context: Any, _instances: Any) -> None:
    changed = [*session.new, *session.deleted]
    changed += [row for row in session.dirty if session.is_modified(row)]
    accounts = sorted(
        {row.account_id for row in changed if isinstance(row, WATCHED) and row.account_id}
    )
    if not accounts:
        return
    table = Account.__table__
    session.connection().execute(
        update(table)
        .where(table.c.id.in_(accounts))
        .values(config_version=table.c.config_version + 1)
    )
    for row in session.identity_map.values():
        if isinstance(row, Account) and row.id in accounts:
            session.expire(row, ["config_version"])  # read again when next asked
