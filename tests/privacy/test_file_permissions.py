"""The SQLite files (main database and key store, with their -wal/-shm) and the data and keys
directories are owner-only, whatever the umask; wider ones left by an earlier version are
tightened with a warning."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from batondesk.actions.accounts import do_create_account
from batondesk.config import Settings
from batondesk.store import init_store


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    previous = os.umask(0o022)  # the usual default: files 0644, directories 0755
    yield
    os.umask(previous)


def _sqlite_settings(data_dir: Path) -> Settings:
    return Settings(environment="test", data_dir=data_dir, password_hashing="fast")


def _use(settings: Settings, slug: str) -> None:
    db = init_store(settings)
    try:
        db.migrate()
        with db.session() as session:
            do_create_account(session, "Perm Bank", slug)
        # While a connection is open, SQLite keeps the -wal and -shm files.
        with db.engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
            _assert_owner_only(settings.data_dir)
    finally:
        db.dispose()
    _assert_owner_only(settings.data_dir)


def _assert_owner_only(data_dir: Path) -> None:
    assert _mode(data_dir) == 0o700
    assert _mode(data_dir / "keys") == 0o700
    files = [data_dir / "baton.db", data_dir / "keys" / "keys.db"]
    files += [data_dir / f"baton.db{suffix}" for suffix in ("-wal", "-shm", "-journal")]
    files += list((data_dir / "keys").iterdir())
    checked = [path for path in files if path.exists()]
    assert data_dir / "baton.db" in checked and data_dir / "keys" / "keys.db" in checked
    for path in checked:
        assert _mode(path) == 0o600, (path.name, oct(_mode(path)))


def test_new_files_and_directories_are_owner_only(tmp_path: Path, permissive_umask) -> None:  # type: ignore[no-untyped-def]
    data_dir = tmp_path / "var"
    _use(_sqlite_settings(data_dir), "new")
    assert (data_dir / "baton.db-wal").exists() or (data_dir / "baton.db").stat().st_size > 0


def test_existing_wide_permissions_are_tightened_with_a_warning(
    tmp_path: Path,
    permissive_umask,  # type: ignore[no-untyped-def]
    caplog: pytest.LogCaptureFixture,
) -> None:
    data_dir = tmp_path / "var"
    settings = _sqlite_settings(data_dir)
    _use(settings, "first")
    # As an earlier version left them.
    for path in (data_dir, data_dir / "keys"):
        path.chmod(0o755)
    for path in (data_dir / "baton.db", data_dir / "keys" / "keys.db"):
        path.chmod(0o644)
    wal = data_dir / "baton.db-wal"
    wal.touch()
    wal.chmod(0o644)
    with caplog.at_level(logging.WARNING, logger="batondesk.store"):
        _use(settings, "again")
    warned = " ".join(r.getMessage() for r in caplog.records)
    for name in ("baton.db", "keys.db", "baton.db-wal"):
        assert f"{name} was readable by others" in warned, warned
