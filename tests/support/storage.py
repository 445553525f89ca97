"""What is actually stored: raw bytes of the database, to prove what is (not) in plaintext."""

from __future__ import annotations

from sqlalchemy import inspect, text

from batondesk.store.models import Base


def raw_rows(engine) -> bytes:  # type: ignore[no-untyped-def]
    """Every stored value of every table, as bytes (what a database dump would show)."""
    chunks = []
    existing = set(inspect(engine).get_table_names())  # an older schema lacks newer tables
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            if table.name not in existing:
                continue
            for row in connection.execute(text(f'SELECT * FROM "{table.name}"')):
                for value in row:
                    chunks.append(
                        bytes(value)
                        if isinstance(value, bytes | memoryview)
                        else str(value).encode()
                    )
    return b"\n".join(chunks)


def sqlite_file_bytes(path: str) -> bytes:
    data = b""
    for suffix in ("", "-wal", "-journal"):
        try:
            with open(path + suffix, "rb") as handle:
                data += handle.read()
        except FileNotFoundError:
            pass
    return data
