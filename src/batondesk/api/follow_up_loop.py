"""The email follow-up in the background of each API worker (actions/follow_ups.py): only
when an SMTP server is configured, so without one no task runs and nothing is sent."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from datetime import datetime

from fastapi import FastAPI
from sqlalchemy import select

from batondesk.actions.follow_ups import FollowUpPass, run_follow_up_check
from batondesk.api.widget_settings import WidgetSettings
from batondesk.mail import SmtpMailer
from batondesk.store.database import Database
from batondesk.store.models import Account

log = logging.getLogger("batondesk.follow_ups")

FOLLOW_UP_CHECK_SECONDS = 30.0


@asynccontextmanager
async def follow_up_lifespan(app: FastAPI) -> AsyncIterator[None]:
    mailer = SmtpMailer(app.state.settings)
    task = asyncio.create_task(_loop(app.state.db, mailer)) if mailer.configured else None
    try:
        yield
    finally:
        if task is not None:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task


async def _loop(db: Database, mailer: SmtpMailer) -> None:
    while True:
        await asyncio.sleep(FOLLOW_UP_CHECK_SECONDS)
        try:
            await asyncio.to_thread(send_follow_ups, db, mailer)
        except Exception:  # one failed pass must not stop the next
            log.exception("follow-up check failed")


def send_follow_ups(
    db: Database, mailer: SmtpMailer, *, now: datetime | None = None
) -> FollowUpPass:
    """One pass over every account that keeps the follow-up on; each account in its own unit
    of work, so one account's failure never undoes another's sent mail record."""
    total = FollowUpPass()
    with db.session() as session:
        accounts = [
            (account.id, WidgetSettings.for_account(account.settings or {}))
            for account in session.scalars(select(Account).order_by(Account.id))
        ]
    for account_id, widget in accounts:
        if not widget.email_follow_up:
            continue
        with db.session() as session:
            done = run_follow_up_check(
                session, mailer, account_id, after_minutes=widget.follow_up_after_minutes, now=now
            )
        total.sent += done.sent
        total.failed += done.failed
    return total
