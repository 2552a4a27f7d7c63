"""The outbox in the session store's SQLite file, run on that file's thread (writer.py says why).

One row per entry in `outbox`, numbered by `seq` (the order of a stream); `state` is pending,
dead (given up) or delivered (kept for KEEP_DONE so that emitting it again adds nothing, then
purged). Leases are rows of `outbox_leases`, one per stream. The tables keep their schema
version in `outbox_schema`, as the order tables do in theirs.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from framework.stores.json_text import dump
from framework.stores.outbox import KEEP_DONE, Claimed, Entry
from framework.stores.session_store import StoreError
from framework.stores.sqlite.connection import create_versioned
from framework.stores.sqlite.writer import Writer

__all__ = ["OUTBOX_SCHEMA_VERSION", "SqliteOutbox"]

OUTBOX_SCHEMA_VERSION = 1
T = TypeVar("T")

_SCHEMA = f"""
CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT UNIQUE NOT NULL,
    stream TEXT NOT NULL, state TEXT NOT NULL, due REAL NOT NULL, since REAL NOT NULL,
    attempts INTEGER NOT NULL, error TEXT NOT NULL, done_at REAL NOT NULL, data TEXT NOT NULL);
CREATE INDEX outbox_pending ON outbox (stream, seq) WHERE state = 'pending';
CREATE INDEX outbox_dead ON outbox (done_at) WHERE state = 'dead';
CREATE INDEX outbox_done ON outbox (done_at) WHERE state = 'delivered';
CREATE TABLE outbox_leases (stream TEXT PRIMARY KEY NOT NULL, token TEXT NOT NULL,
    until REAL NOT NULL);
INSERT INTO outbox_schema VALUES ({OUTBOX_SCHEMA_VERSION})
"""
_COLUMNS = "key, stream, state, due, since, attempts, error, done_at, data"
_ADD = f"INSERT INTO outbox ({_COLUMNS}) VALUES (?, ?, 'pending', ?, ?, 0, '', 0, ?)"
_HEADS = """
SELECT o.data, o.since, o.attempts, o.error FROM outbox o
WHERE o.state = 'pending' AND o.due <= :now
  AND o.seq = (SELECT MIN(seq) FROM outbox p WHERE p.stream = o.stream AND p.state = 'pending')
  AND NOT EXISTS (SELECT 1 FROM outbox_leases l WHERE l.stream = o.stream AND l.until > :now)
ORDER BY o.due, o.seq LIMIT :limit
"""
_HELD = """
SELECT o.seq FROM outbox o JOIN outbox_leases l ON l.stream = o.stream AND l.token = ?
WHERE o.key = ? AND o.state = 'pending'
  AND o.seq = (SELECT MIN(seq) FROM outbox p WHERE p.stream = o.stream AND p.state = 'pending')
"""
_ROW = "SELECT data, since, attempts, error, done_at FROM outbox"


def _create_tables(db: sqlite3.Connection, path: str) -> None:
    create_versioned(db, path, "outbox_schema", OUTBOX_SCHEMA_VERSION, _SCHEMA, "outbox tables")


def _data(entry: Entry) -> str:
    fixed = entry.to_json()
    for mutable in ("since", "attempts", "error", "done_at"):
        del fixed[mutable]
    return dump(fixed)


def _entry(data: str, since: float, attempts: int, error: str, done_at: float = 0.0) -> Entry:
    fixed = Entry.from_json(json.loads(data))
    return fixed.changed(since=since, attempts=attempts, error=error, done_at=done_at)


class SqliteOutbox:
    def __init__(self, writer: Writer) -> None:
        self._writer = writer
        self._closed = False

    @classmethod
    async def open(cls, path: str | Path) -> SqliteOutbox:
        return cls(await Writer.open(str(path), _create_tables))

    async def _call(self, work: Callable[..., T], *args: Any) -> T:
        if self._closed:
            raise StoreError(f"the outbox at {self._writer.path} is closed; open it again")
        return await self._writer.call(True, work, *args)

    @property
    def _db(self) -> sqlite3.Connection:
        return self._writer.db

    # -- running on the file's thread ---------------------------------------------------

    def _add(self, entries: Sequence[Entry], now: float) -> int:
        self._db.execute("DELETE FROM outbox WHERE state = 'delivered' AND done_at <= ?", (now,))
        added = 0
        for entry in entries:
            if self._db.execute("SELECT 1 FROM outbox WHERE key = ?", (entry.key,)).fetchone():
                continue
            self._db.execute(_ADD, (entry.key, entry.stream, now, now, _data(entry)))
            added += 1
        return added

    def _claim(self, now: float, lease: float, limit: int, token: str) -> list[Claimed]:
        rows = self._db.execute(_HEADS, {"now": now, "limit": limit}).fetchall()
        claimed = [Claimed(_entry(*row), token) for row in rows]
        self._db.executemany(
            "INSERT OR REPLACE INTO outbox_leases VALUES (?, ?, ?)",
            [(c.entry.stream, token, now + lease) for c in claimed],
        )
        return claimed

    def _finish(self, claimed: Claimed, sql: str, *params: Any) -> bool:
        """Run `sql` (on the entry's seq, the last parameter) if the lease is still held."""
        row = self._db.execute(_HELD, (claimed.token, claimed.entry.key)).fetchone()
        if row is None:
            return False
        self._db.execute(sql, (*params, row[0]))
        self._db.execute("DELETE FROM outbox_leases WHERE stream = ?", (claimed.entry.stream,))
        return True

    def _due_next(self, stream: str, now: float) -> None:
        sql = "UPDATE outbox SET due = ? WHERE stream = ? AND state = 'pending'"
        self._db.execute(sql, (now, stream))

    def _delivered(self, claimed: Claimed, now: float) -> bool:
        sql = "UPDATE outbox SET state = 'delivered', done_at = ?, data = '' WHERE seq = ?"
        if not self._finish(claimed, sql, now + KEEP_DONE):
            return False
        self._due_next(claimed.entry.stream, now)
        return True

    def _give_up(self, claimed: Claimed, now: float, error: str) -> bool:
        sql = (
            "UPDATE outbox SET state = 'dead', done_at = ?, error = ?, attempts = attempts + 1"
            " WHERE seq = ?"
        )
        if not self._finish(claimed, sql, now, error):
            return False
        self._due_next(claimed.entry.stream, now)
        return True

    def _undeliverable(self, limit: int) -> list[Entry]:
        sql = f"{_ROW} WHERE state = 'dead' ORDER BY done_at DESC, key DESC LIMIT ?"
        return [_entry(*row) for row in self._db.execute(sql, (limit,))]

    def _requeue(self, keys: Sequence[str], now: float) -> int:
        again = 0
        for key in dict.fromkeys(keys):
            row = self._db.execute(
                "SELECT data FROM outbox WHERE key = ? AND state = 'dead'", (key,)
            )
            found = row.fetchone()
            if found is None:
                continue
            entry = _entry(found[0], now, 0, "")
            self._db.execute("DELETE FROM outbox WHERE key = ?", (key,))  # a new seq: the end
            self._db.execute(_ADD, (key, entry.stream, now, now, found[0]))
            again += 1
        return again

    # -- the Outbox protocol -------------------------------------------------------------

    async def add(self, entries: Sequence[Entry], now: float) -> int:
        return await self._call(self._add, list(entries), now)

    async def claim(self, now: float, lease: float, limit: int, token: str) -> list[Claimed]:
        return await self._call(self._claim, now, lease, limit, token)

    async def delivered(self, claimed: Claimed, now: float) -> bool:
        return await self._call(self._delivered, claimed, now)

    async def retry_later(self, claimed: Claimed, due: float, error: str) -> bool:
        sql = "UPDATE outbox SET due = ?, error = ?, attempts = attempts + 1 WHERE seq = ?"
        return await self._call(self._finish, claimed, sql, due, error)

    async def give_up(self, claimed: Claimed, now: float, error: str) -> bool:
        return await self._call(self._give_up, claimed, now, error)

    async def undeliverable(self, limit: int = 50) -> list[Entry]:
        return await self._call(self._undeliverable, limit)

    async def requeue(self, keys: Sequence[str], now: float) -> int:
        return await self._call(self._requeue, list(keys), now)

    async def close(self) -> None:
        if not self._closed:
            self._closed = True
            await self._writer.leave()
