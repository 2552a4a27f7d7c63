"""Opening an SQLite file the way every Theke store uses it.

WAL, so a reader never blocks the writer and a commit appends instead of rewriting pages;
`synchronous = NORMAL`, so a power cut may lose the last commits but never leaves the file
half-written; a busy timeout, so stores on one file (the server and a command beside it) take
the write lock in turn instead of failing.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from framework.stores.session_store import StoreError

__all__ = ["BUSY_TIMEOUT_MS", "create_versioned", "execute_script", "open_database"]

BUSY_TIMEOUT_MS = 5_000


def open_database(path: str, *, check_same_thread: bool = True) -> sqlite3.Connection:
    """The file (and its folder) created if needed, in autocommit mode: every store opens its
    transactions itself."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=check_same_thread)
    try:
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
    except BaseException:
        db.close()
        raise
    return db


def execute_script(db: sqlite3.Connection, script: str) -> None:
    """Several statements inside the caller's transaction (`executescript` would commit it)."""
    for statement in script.split(";"):
        db.execute(statement)


def create_versioned(
    db: sqlite3.Connection, path: str, table: str, version: int, script: str, what: str
) -> None:
    """A store's tables, created by `script` unless `table` (its schema version) says they
    exist; a newer version than `version` is refused with what to do."""
    db.execute(f"CREATE TABLE IF NOT EXISTS {table} (version INTEGER NOT NULL)")
    row = db.execute(f"SELECT version FROM {table}").fetchone()
    if row is None:
        execute_script(db, script)
    elif row[0] > version:
        raise StoreError(
            f"the {what} in {path} have schema version {row[0]}, but this Theke knows only up "
            f"to {version}; upgrade Theke or use another file"
        )
