"""Persistence: tables (one module per aggregate), the database session, migrations, and
tenant-scoped accessors."""

from batondesk.store.database import Database, init_store

__all__ = ["Database", "init_store"]
