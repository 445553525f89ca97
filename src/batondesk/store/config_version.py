"""The account's configuration version: one number that moves whenever something a turn reads
of the account besides its own row changes (its articles, its reply templates, its
experiments, its webhook endpoints), so that an API worker can keep those in memory and check
them against the account row every turn reads anyway, instead of reading them again at every
message (the article list alone is one row per article). Every worker on every host sees a
change at the next message it handles.

The number is raised by a flush hook inside the transaction that writes the change, in SQL
(`config_version + 1`), so two transactions changing one account at once can never leave the
same number on two different configurations. Changes made with bulk statements would bypass the
hook: none of these tables is written that way."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import event, exists, inspect, select, update
from sqlalchemy.orm import Session, sessionmaker

from batondesk.store.accounts import Account
from batondesk.store.experiments import Experiment, ExperimentStatus
from batondesk.store.knowledge import Article
from batondesk.store.response_templates import ResponseTemplate
from batondesk.store.webhooks import WebhookEndpoint

T = TypeVar("T")

WATCHED = (Article, ResponseTemplate, Experiment, WebhookEndpoint)
# Columns whose change is no change of configuration: the guardrail check stamps a running
# experiment at every pass, and must not make every worker read the account's articles again.
UNWATCHED_COLUMNS: dict[type, frozenset[str]] = {
    Experiment: frozenset({"guardrails_checked_at"}),
}


def attach_config_version_hooks(sessions: sessionmaker[Session]) -> None:
    event.listen(sessions, "before_flush", _raise_versions)


def _raise_versions(session: Session, _context: Any, _instances: Any) -> None:
    changed = [*session.new, *session.deleted]
    changed += [row for row in session.dirty if _configuration_changed(row)]
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


def _configuration_changed(row: Any) -> bool:
    if not isinstance(row, WATCHED):
        return False
    ignored = UNWATCHED_COLUMNS.get(type(row), frozenset())
    return any(
        attribute.history.has_changes()
        for attribute in inspect(row).attrs
        if attribute.key not in ignored
    )


@dataclass(frozen=True)
class Switches:
    """What an account has switched on that a customer's turn must look at."""

    experiment_running: bool
    webhook_endpoint_enabled: bool


class KeptPerVersion(Generic[T]):
    """Values kept per account while its configuration version stays the same, for the
    `max_accounts` most recently used accounts (thread-safe: one per process)."""

    def __init__(self, max_accounts: int) -> None:
        self._max_accounts = max_accounts
        self._cache: OrderedDict[int, tuple[int, T]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, account_id: int, config_version: int) -> T | None:
        with self._lock:
            cached = self._cache.get(account_id)
            if cached is None or cached[0] != config_version:
                return None
            self._cache.move_to_end(account_id)
            return cached[1]

    def put(self, account_id: int, config_version: int, value: T) -> None:
        with self._lock:
            self._cache[account_id] = (config_version, value)
            self._cache.move_to_end(account_id)
            while len(self._cache) > self._max_accounts:
                self._cache.popitem(last=False)


class AccountSwitches:
    """Whether each account runs an experiment and has an enabled webhook endpoint, kept in
    this process while its configuration version stays the same (both are watched above), for
    the `max_accounts` most recent accounts. Most accounts have neither most of the time: a
    turn then skips both reads (two of a message's ~18 statements)."""

    def __init__(self, max_accounts: int = 1024) -> None:
        self._kept: KeptPerVersion[Switches] = KeptPerVersion(max_accounts)

    def for_account(self, session: Session, account_id: int, config_version: int) -> Switches:
        """`config_version`: the account row's, read before this call in the same session (a
        state read after the version is never older than it)."""
        cached = self._kept.get(account_id, config_version)
        if cached is not None:
            return cached
        experiment, endpoint = session.execute(
            select(
                exists().where(
                    Experiment.account_id == account_id,
                    Experiment.status == ExperimentStatus.running,
                ),
                exists().where(
                    WebhookEndpoint.account_id == account_id, WebhookEndpoint.enabled.is_(True)
                ),
            )
        ).one()
        switches = Switches(bool(experiment), bool(endpoint))
        self._kept.put(account_id, config_version, switches)
        return switches
