"""A private PostgreSQL database for one test run, so concurrent runs never collide."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, create_engine, inspect, make_url, text


@contextmanager
def private_database(server_url: str, prefix: str) -> Iterator[str]:
    """A new database on the PostgreSQL server `server_url`, dropped afterwards; yields its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    server = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


def drop_every_table(connection: Connection) -> None:
    """Leave a PostgreSQL schema empty: every table, ours or not, and alembic's record of the
    revision, so the next migration starts from nothing."""
    tables = sorted(inspect(connection).get_table_names())
    if tables:
        names = ", ".join(f'"{name}"' for name in tables)
        connection.execute(text(f"DROP TABLE IF EXISTS {names} CASCADE"))
