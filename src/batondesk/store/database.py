"""Engine and session factory, chosen by settings (SQLite embedded, PostgreSQL in production)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from batondesk.config import Settings
from batondesk.privacy.keyring import Keyring, install_keyring
from batondesk.privacy.passwords import configure_password_hashing

# session.info key under which actions queue real-time notifications until commit.
NOTIFICATIONS_KEY = "baton_notifications"
MIGRATIONS_DIR = Path(__file__).parent / "migrations"


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        kwargs: dict[str, Any] = {}
        if url.startswith("sqlite"):
            # One file shared by the API threads; WAL lets readers run beside the writer.
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        else:
            kwargs["pool_pre_ping"] = True
        self.engine: Engine = create_engine(url, **kwargs)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        # Set by the app: receives the notifications a unit of work queued, once it commits.
        self.publisher: Callable[[list[tuple[str, dict[str, Any]]]], None] | None = None

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
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        config.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
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
                    command.upgrade(config, "head")
            finally:
                if sqlite:
                    connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                    connection.commit()

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def init_store(settings: Settings) -> Database:
    """Install the keyring and open the database named by settings."""
    install_keyring(Keyring.from_base64(settings.master_key, settings.blind_index_key))
    from batondesk.privacy.setup import install_privacy  # the privacy layer builds on store

    install_privacy(settings)
    configure_password_hashing(settings.password_hashing)
    if not settings.database_url:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    return Database(settings.sqlalchemy_url)
