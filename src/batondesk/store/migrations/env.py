"""Alembic environment: runs on the connection handed over by Database.migrate()."""

from alembic import context

from batondesk.store.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `baton migrate` (Database.migrate)")

# render_as_batch lets ALTER-style migrations work on SQLite as on PostgreSQL.
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
