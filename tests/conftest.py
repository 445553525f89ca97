"""Shared fixtures: a real database (SQLite file, or PostgreSQL when BATON_TEST_DATABASE_URL is
set), the real app, and a small real intent model trained on inline examples."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect, text

from batondesk.app import create_app
from batondesk.config import Settings, get_settings
from batondesk.engine.services import TurnServices
from batondesk.store import Database, init_store
from batondesk.store.models import Base
from tests.support.databases import drop_every_table, private_database
from tests.support.training import train_tiny_classifier
from tests.support.workspace import Workspace, build_workspace, login

TEST_DATABASE_URL = os.environ.get("BATON_TEST_DATABASE_URL", "")
TEST_REDIS_URL = os.environ.get("BATON_TEST_REDIS_URL", "")


@pytest.fixture(scope="session")
def tiny_classifier():  # type: ignore[no-untyped-def]
    return train_tiny_classifier()


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """Empty for SQLite (a file per test). For PostgreSQL, a private database for this test run,
    created on the server named by BATON_TEST_DATABASE_URL, so concurrent runs never collide."""
    if not TEST_DATABASE_URL:
        yield ""
        return
    with private_database(TEST_DATABASE_URL, "baton_test") as url:
        yield url


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        environment="test",
        data_dir=tmp_path,
        database_url=database_url,
        redis_url=TEST_REDIS_URL,
        password_hashing="fast",
        # Tests drive the widget far faster than a person; the limiter has its own test.
        widget_rate_limit_per_minute=0,
    )


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory, database_url: str) -> Path | None:
    """A SQLite database migrated to the newest revision once per run (None on PostgreSQL).
    Migrating costs a second or more a test, mostly waiting on the disk; a copy, a few
    milliseconds. An empty migrated database holds no key-dependent row (only
    alembic_version), so a copy serves a test with keys of its own."""
    if database_url:
        return None
    data_dir = tmp_path_factory.mktemp("migrated")
    template = init_store(
        Settings(environment="test", data_dir=data_dir, database_url="", password_hashing="fast")
    )
    try:
        template.migrate()  # ends with a WAL checkpoint: the file alone holds the schema
    finally:
        template.dispose()
    return data_dir / "baton.db"


@pytest.fixture
def db(settings: Settings, migrated_sqlite: Path | None) -> Iterator[Database]:
    if migrated_sqlite is not None:
        _copy_owner_only(migrated_sqlite, settings.data_dir / "baton.db")
    database = init_store(settings)
    if database.url.startswith("postgresql"):
        _reset_postgres(database)
    # On a copy of the migrated template this only confirms the schema is at the newest revision.
    database.migrate()
    yield database
    database.dispose()


def _copy_owner_only(source: Path, target: Path) -> None:
    """Copy `source` to a new file created 0600, as the store creates its files (a copy with the
    umask's mode would be tightened with a warning that some tests look for)."""
    descriptor = os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    with source.open("rb") as reader, os.fdopen(descriptor, "wb") as writer:
        shutil.copyfileobj(reader, writer)


def _reset_postgres(database: Database) -> None:
    """Each test starts from an empty database at the newest revision. When an earlier test
    left the schema as the migrations make it, its rows are deleted and the id sequences
    restarted (about 0.1 s, against 1.5 s to drop and migrate again: the PostgreSQL pass
    took 20:28 where it had taken 24:25, on another machine). A schema at another revision,
    or with tables of its own, is dropped whole and migrated anew by the caller. No
    migration writes rows, so empty tables are what a fresh migration gives."""
    with database.engine.begin() as connection:
        tables = set(inspect(connection).get_table_names())
        known = [t.name for t in Base.metadata.sorted_tables]
        at_head = tables == {*known, "alembic_version"} and database.schema_is_current()
        if not at_head:
            drop_every_table(connection)
            return
        for name in reversed(known):  # children before their parents
            connection.execute(text(f'DELETE FROM "{name}"'))  # nosec B608: our table names
        sequences = connection.scalars(
            text("SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema()")
        ).all()
        for sequence in sequences:
            connection.execute(text(f'ALTER SEQUENCE "{sequence}" RESTART'))


@pytest.fixture
def services(settings: Settings, tiny_classifier) -> TurnServices:  # type: ignore[no-untyped-def]
    """The process's turn services, with the tiny model serving every account that has no
    model of its own in the test's (empty) registry."""
    return TurnServices.from_settings(settings, fallback_model=tiny_classifier)


@pytest.fixture
def app(settings: Settings, db: Database, services: TurnServices):  # type: ignore[no-untyped-def]
    application = create_app(settings, services=services)
    yield application
    application.state.db.dispose()


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def workspace(app, db: Database) -> Workspace:  # type: ignore[no-untyped-def]
    return build_workspace(app.state.db)


@pytest.fixture
def admin(app, workspace: Workspace) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    """A browser signed in as account A's admin."""
    with TestClient(app) as member:
        yield login(member, workspace.a.users["admin"][1])


@pytest.fixture
def agent(app, workspace: Workspace) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    """A browser signed in as account A's agent."""
    with TestClient(app) as member:
        yield login(member, workspace.a.users["agent"][1])


@pytest.fixture
def cli_env(settings, db, monkeypatch):  # type: ignore[no-untyped-def]
    """The `baton` command reads the test's settings and database."""
    monkeypatch.setenv("BATON_ENVIRONMENT", "test")
    monkeypatch.setenv("BATON_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("BATON_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("BATON_PASSWORD_HASHING", "fast")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Marks what a test reaches, so that CI's second pass (PostgreSQL + Redis) can run only
    the tests whose outcome the storage can change: `storage` for every test that reaches the
    database or Redis (through the `database_url` fixture, or marked so by its module), and
    `browser` for the tests that drive Chromium (the pages read the same API the API tests
    cover on both databases). Tests marked `long` are moved to the front."""
    for item in items:
        if "database_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.storage)
        if item.path.parent.name == "browser":
            item.add_marker(pytest.mark.browser)
    # Tests that take minutes on their own first (a stable sort keeps the order otherwise): in
    # parallel runs (`make test`) a worker starts on them at once instead of at the end, when
    # the other worker would idle.
    items.sort(key=lambda item: item.get_closest_marker("long") is None)
