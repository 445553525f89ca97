"""Login attempt counters: one row per throttled key, counted atomically by the database."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Integer, String, case, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from batondesk.store.base import Base


class LoginThrottle(Base):
    """Attempts counted for `key` since `window_started_at`. The key is a keyed hash (of a
    login email and a client address, or of an address alone), never the values themselves."""

    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_started_at: Mapped[datetime] = mapped_column(index=True)
    attempts: Mapped[int] = mapped_column(Integer)


def count_attempt(
    session: Session, key: str, *, now: datetime, window: timedelta
) -> tuple[int, datetime]:
    """Add one attempt to `key`'s current window (a new window once the last one is over);
    return the attempts in it (this one included) and when the window started.

    One INSERT ... ON CONFLICT DO UPDATE: the row is locked while it changes, so concurrent
    attempts each see a distinct count, on SQLite and PostgreSQL alike."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(LoginThrottle).values(key=key, window_started_at=now, attempts=1)
    expired = LoginThrottle.window_started_at <= now - window
    statement = statement.on_conflict_do_update(
        index_elements=[LoginThrottle.key],
        set_={
            "attempts": case((expired, 1), else_=LoginThrottle.attempts + 1),
            "window_started_at": case((expired, now), else_=LoginThrottle.window_started_at),
        },
    ).returning(LoginThrottle.attempts, LoginThrottle.window_started_at)
    row = session.execute(statement).one()
    return int(row.attempts), row.window_started_at


def attempts_in_window(
    session: Session, keys: list[str], *, now: datetime, window: timedelta
) -> dict[str, tuple[int, datetime]]:
    """Attempts counted so far for each of `keys` whose window is still running (a read: no
    lock, so refusing an attempt that is already over its limit costs no write)."""
    rows = session.scalars(
        select(LoginThrottle).where(
            LoginThrottle.key.in_(keys), LoginThrottle.window_started_at > now - window
        )
    )
    return {row.key: (row.attempts, row.window_started_at) for row in rows}


def forget_attempt(session: Session, key: str) -> None:
    """Give back one attempt (a successful login does not count against its address)."""
    session.execute(
        update(LoginThrottle)
        .where(LoginThrottle.key == key, LoginThrottle.attempts > 0)
        .values(attempts=LoginThrottle.attempts - 1)
    )


def clear_attempts(session: Session, key: str) -> None:
    session.execute(delete(LoginThrottle).where(LoginThrottle.key == key))


def prune_expired(session: Session, *, now: datetime, window: timedelta) -> None:
    """Delete counters whose window is over, so rows do not pile up under address spraying."""
    session.execute(delete(LoginThrottle).where(LoginThrottle.window_started_at <= now - window))
