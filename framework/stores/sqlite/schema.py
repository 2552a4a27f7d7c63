"""The session store's tables in its SQLite file, and how an older file is upgraded.

The schema's version is `PRAGMA user_version` (the order store keeps its own, see
orders.py). A file of a newer Theke is refused rather than misread.
"""

from __future__ import annotations

import json
import sqlite3

from framework.stores.session_store import StoreError
from framework.stores.sqlite.connection import execute_script

__all__ = ["SCHEMA_VERSION", "prepare"]

SCHEMA_VERSION = 3

_SCHEMA = """
CREATE TABLE sessions (key TEXT PRIMARY KEY NOT NULL, state TEXT, seq INTEGER NOT NULL,
    touched_at REAL NOT NULL, shared_profile INTEGER NOT NULL DEFAULT 0);
CREATE INDEX sessions_touched ON sessions (touched_at);
CREATE TABLE profiles (key TEXT PRIMARY KEY NOT NULL, data TEXT NOT NULL, touched_at REAL NOT NULL);
CREATE INDEX profiles_touched ON profiles (touched_at);
CREATE TABLE inbox (position INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL,
    id TEXT NOT NULL, item TEXT NOT NULL);
CREATE INDEX inbox_key ON inbox (key, position);
CREATE TABLE seen (key TEXT NOT NULL, id TEXT NOT NULL, until REAL NOT NULL, PRIMARY KEY (key, id));
CREATE INDEX seen_until ON seen (until);
CREATE TABLE leases (key TEXT PRIMARY KEY NOT NULL, token TEXT NOT NULL, until REAL NOT NULL);
CREATE TABLE log (key TEXT NOT NULL, seq INTEGER NOT NULL, entry TEXT NOT NULL,
    PRIMARY KEY (key, seq));
CREATE TABLE timers (key TEXT NOT NULL, name TEXT NOT NULL, due REAL NOT NULL,
    PRIMARY KEY (key, name));
CREATE INDEX timers_due ON timers (due);
"""
_RESULTS = """
CREATE TABLE results (key TEXT NOT NULL, id TEXT NOT NULL, first_seq INTEGER NOT NULL,
    last_seq INTEGER NOT NULL, until REAL NOT NULL, PRIMARY KEY (key, id));
CREATE INDEX results_until ON results (until)
"""
_ANSWERS = """
CREATE TABLE answers (key TEXT NOT NULL, id TEXT NOT NULL, answer TEXT NOT NULL,
    until REAL NOT NULL, PRIMARY KEY (key, id));
CREATE INDEX answers_until ON answers (until)
"""
_FROM_VERSION_1 = """
ALTER TABLE sessions ADD COLUMN shared_profile INTEGER NOT NULL DEFAULT 0;
ALTER TABLE results RENAME TO results_1;
DROP INDEX results_until
"""


def _upgrade_from_1(db: sqlite3.Connection) -> None:
    """Version 1 kept a result's entries, version 2 their sequence range in the log."""
    execute_script(db, _FROM_VERSION_1 + ";" + _RESULTS)
    rows = []
    for key, item_id, entries, until in db.execute("SELECT * FROM results_1").fetchall():
        seqs = [int(entry["seq"]) for entry in json.loads(entries)] or [1, 0]  # none: empty
        rows.append((key, item_id, seqs[0], seqs[-1], until))
    db.executemany("INSERT INTO results VALUES (?, ?, ?, ?, ?)", rows)
    db.execute("DROP TABLE results_1")


def _upgrade_from_2(db: sqlite3.Connection) -> None:
    """Version 3 keeps the answers to a turn's requests (actions), for a replayed turn."""
    execute_script(db, _ANSWERS)


_UPGRADES = {1: _upgrade_from_1, 2: _upgrade_from_2}
"""Each step takes a file from its version to the next one."""


def prepare(db: sqlite3.Connection, path: str) -> None:
    """Create or upgrade the session tables, inside the caller's write transaction (on the
    file's thread); a file of a newer Theke is refused."""
    (version,) = db.execute("PRAGMA user_version").fetchone()
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"the SQLite store at {path} has schema version {version}, but this Theke "
            f"knows only up to {SCHEMA_VERSION}; upgrade Theke or use another file"
        )
    if version == SCHEMA_VERSION:
        return
    if version == 0:
        execute_script(db, _SCHEMA + _RESULTS + ";" + _ANSWERS)
    else:
        for step in range(version, SCHEMA_VERSION):
            _UPGRADES[step](db)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
