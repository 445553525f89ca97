"""Owner-only permissions for the files that hold data or keys.

The SQLite databases (main and key store) and their companions (``-wal``, ``-shm``,
``-journal``) are created 0600 and their directories 0700, whatever the umask; files or
directories that already exist with wider permissions are tightened, with a warning, because
another local user must not be able to copy them.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

from sqlalchemy.engine import make_url

log = logging.getLogger("batondesk.store")

OWNER_ONLY_FILE = 0o600
OWNER_ONLY_DIRECTORY = 0o700
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def secure_directory(path: Path) -> None:
    """Create `path` (and missing parents) 0700, or tighten it if it exists."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    for directory in reversed(missing):
        directory.mkdir(mode=OWNER_ONLY_DIRECTORY, exist_ok=True)
    _tighten(path, OWNER_ONLY_DIRECTORY)


def sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL (None for other databases and in-memory ones)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def secure_sqlite_file(url: str) -> None:
    """Create the database file of a SQLite `url` 0600 before SQLite does (SQLite gives its
    -wal, -shm and -journal files the database file's mode), and tighten existing ones."""
    path = sqlite_file(url)
    if path is None:
        return
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # An empty file is a valid empty SQLite database.
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, OWNER_ONLY_FILE))
    _tighten(path, OWNER_ONLY_FILE)
    for suffix in SQLITE_COMPANIONS:
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            _tighten(companion, OWNER_ONLY_FILE)


def _tighten(path: Path, wanted: int) -> None:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & ~wanted:
        path.chmod(wanted)
        log.warning(
            "%s was readable by others (mode %s); tightened to %s", path, oct(mode), oct(wanted)
        )
