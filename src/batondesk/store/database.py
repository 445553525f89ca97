"""Engine and session factory, chosen by settings (SQLite embedded, PostgreSQL in production).

A `Database` owns its keys (`StoreKeys`: keyring, key store, password hashing). Its session
factory stamps them into every session's ``info`` and carries the privacy hooks (sealing,
audit), so two databases with different keys work side by side in one process.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import (
    Column,
    Engine,
    MetaData,
    String,
    Table,
    create_engine,
    event,
    inspect,
    select,
)
from sqlalchemy.orm import Session, sessionmaker

from batondesk.config import Settings
from batondesk.store.files import secure_directory, secure_sqlite_file

if TYPE_CHECKING:
    from batondesk.privacy.keys import StoreKeys

# session.info key under which actions queue real-time notifications until commit.
NOTIFICATIONS_KEY = "baton_notifications"
# The channel on which workers tell each other which caches to drop (realtime/invalidation.py).
INVALIDATIONS_CHANNEL = "invalidations"
MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# Where alembic records the schema's revision (its default name; migrations/env.py keeps it).
VERSION_TABLE = "alembic_version"
_version_table = Table(VERSION_TABLE, MetaData(), Column("version_num", String(32)))


class Database:
    def __init__(self, url: str, keys: StoreKeys) -> None:
        # The privacy layer builds on the store's tables, hence imported here.
        from batondesk.privacy.audit import attach_audit_hooks
        from batondesk.privacy.keys import DATABASE_INFO, KEYS_INFO
        from batondesk.privacy.sealing import attach_sealing_hooks
        from batondesk.store.config_version import attach_config_version_hooks

        self.url = url
        self.keys = keys
        secure_sqlite_file(url)
        kwargs: dict[str, Any] = {}
        if url.startswith("sqlite"):
            # One file shared by the API threads; WAL lets readers run beside the writer.
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        else:
            kwargs["pool_pre_ping"] = True
        self.engine: Engine = create_engine(url, **kwargs)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self.sessions = sessionmaker(
            self.engine, expire_on_commit=False, info={KEYS_INFO: keys, DATABASE_INFO: self}
        )
        attach_sealing_hooks(self.sessions)
        attach_audit_hooks(self.sessions)
        attach_config_version_hooks(self.sessions)
        # Set by the app: receives the notifications a unit of work queued, once it commits.
        self.publisher: Callable[[list[tuple[str, dict[str, Any]]]], None] | None = None
        self._newest_revisions: set[str] | None = None
        self._schema_current = False

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: commits when the block succeeds, rolls everything back otherwise,
        so a failed request never leaves a partial write."""
        session = self.sessions()
        try:
            yield session
            session.commit()
            notifications = session.info.pop(NOTIFICATIONS_KEY, [])
            if notifications and self.publisher is not None:
                self.publisher(notifications)
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def migrate(self) -> None:
        """Bring the schema to the newest revision (idempotent)."""
        config = _alembic_config(self.url)
        sqlite = self.url.startswith("sqlite")
        with self.engine.connect() as connection:
            if sqlite:
                # A batch migration rebuilds a table by dropping the old one; with foreign keys
                # on, that drop would cascade-delete every row pointing at it. (The pragma is a
                # no-op inside a transaction, hence before begin.)
                connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
                connection.commit()
            try:
                with connection.begin():
                    config.attributes["connection"] = connection
                    config.attributes["database"] = self  # data migrations need the keys
                    command.upgrade(config, "head")
            finally:
                if sqlite:
                    connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                    # Old pages (e.g. values a migration sealed) must not linger in the WAL.
                    connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                    connection.commit()

    def schema_is_current(self) -> bool:
        """Whether the schema is at the newest revision this code knows (`baton migrate` has
        run). Raises the driver's error when the database cannot be reached. Once it is,
        it stays so for this process (a schema is never downgraded under running code)."""
        if self._schema_current:
            return True
        if self._newest_revisions is None:
            script = ScriptDirectory.from_config(_alembic_config(self.url))
            self._newest_revisions = set(script.get_heads())
        # The version table read directly: alembic's MigrationContext would log two INFO lines
        # on every call, i.e. on every /ready an orchestrator sends until `baton migrate` runs.
        with self.engine.connect() as connection:
            current: set[str] = set()
            if inspect(connection).has_table(VERSION_TABLE):
                current = set(connection.scalars(select(_version_table.c.version_num)))
        self._schema_current = current == self._newest_revisions
        return self._schema_current

    def dispose(self) -> None:
        self.engine.dispose()
        self.keys.dispose()


def _alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode, NORMAL syncs at checkpoints rather than at every commit: a committed message
    # survives the process being killed (the WAL is in the OS's hands), and concurrent turns
    # no longer queue behind one fsync each. Only a power cut can lose the last commits.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    # Deleted and rewritten content is overwritten with zeros, not left in free pages.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def init_store(settings: Settings) -> Database:
    """Open the database and the keys named by settings. Nothing is installed process-wide
    except the log redaction (a property of the process's logging)."""
    from batondesk.privacy.keys import StoreKeys
    from batondesk.privacy.redaction import install_log_redaction

    if not settings.database_url or not settings.keystore_url:
        secure_directory(settings.data_dir)
    if not settings.keystore_url:
        secure_directory(settings.data_dir / "keys")
    install_log_redaction()
    return Database(settings.sqlalchemy_url, StoreKeys.from_settings(settings))
