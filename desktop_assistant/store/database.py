"""Opening the SQLite file with the pragmas the store depends on, and explicit transactions."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import StoreCorruptError

BUSY_TIMEOUT_MS = 5000  # a second instance on the same profile waits instead of failing at once

# Result codes (low byte of the extended code) that mean "this file is not a healthy database".
_CORRUPT_CODES = {sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT}


def is_corruption(exc: sqlite3.DatabaseError) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    return code is not None and (code & 0xFF) in _CORRUPT_CODES


def connect(path: Path) -> sqlite3.Connection:
    """Open `path` (creating it and its parent folders), set pragmas, and return the connection.

    The connection is in autocommit mode (isolation_level=None): single statements commit at once and
    multi-statement changes use `transaction()`, so there is never an implicit transaction left open.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        # The first real read: a file that is not SQLite fails here with SQLITE_NOTADB.
        conn.execute("PRAGMA user_version").fetchone()
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if mode.lower() != "wal":
            raise sqlite3.OperationalError(f"could not switch {path} to WAL (journal_mode={mode})")
        # NORMAL in WAL mode: a committed transaction survives a process crash; only an OS crash or
        # power cut can lose the last few commits, and the file is never corrupted either way.
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
    except sqlite3.DatabaseError as exc:
        conn.close()
        if is_corruption(exc):
            raise StoreCorruptError(path, str(exc)) from exc
        raise
    except BaseException:
        conn.close()
        raise
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection, *, immediate: bool = False) -> Iterator[sqlite3.Connection]:
    """BEGIN ... COMMIT, rolled back if the block raises. IMMEDIATE takes the write lock up front."""
    conn.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
