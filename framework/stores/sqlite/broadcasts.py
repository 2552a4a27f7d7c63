"""The broadcasts in the session store's SQLite file, run on that file's thread (writer.py
says why).

One table, `broadcasts`: a row a broadcast, its JSON, its status (for `claim`'s index) and
its lease (`owner`, `until`). Every change is one write transaction, and stores on the file in
other processes take SQLite's write lock in turn (`BEGIN IMMEDIATE`): of two workers claiming
at once, the second sees the first's lease. The table keeps its schema version in
`broadcast_schema`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from framework.stores.broadcasts import (
    SENDING,
    Broadcast,
    BroadcastError,
    BroadcastNotFound,
    check_broadcast,
    check_id,
    dumped,
    load,
)
from framework.stores.sqlite.connection import create_versioned
from framework.stores.sqlite.on_file import OnFile
from framework.stores.sqlite.writer import Writer

__all__ = ["BROADCAST_SCHEMA_VERSION", "SqliteBroadcasts"]

BROADCAST_SCHEMA_VERSION = 1

_SCHEMA = f"""
CREATE TABLE broadcasts (id TEXT PRIMARY KEY NOT NULL, status TEXT NOT NULL, data TEXT NOT NULL,
    created_at REAL NOT NULL, owner TEXT NOT NULL DEFAULT '', until REAL NOT NULL DEFAULT 0);
CREATE INDEX broadcasts_status ON broadcasts (status, created_at);
INSERT INTO broadcast_schema VALUES ({BROADCAST_SCHEMA_VERSION})
"""
_GET = "SELECT data, owner FROM broadcasts WHERE id = ?"
_FREE = "SELECT id, data FROM broadcasts WHERE status = ? AND until < ? ORDER BY created_at LIMIT 1"


def _create_tables(db: sqlite3.Connection, path: str) -> None:
    create_versioned(
        db, path, "broadcast_schema", BROADCAST_SCHEMA_VERSION, _SCHEMA, "broadcast tables"
    )


class SqliteBroadcasts:
    def __init__(self, writer: Writer) -> None:
        self._file = OnFile(writer, "the broadcasts")

    @classmethod
    async def open(cls, path: str | Path) -> SqliteBroadcasts:
        return cls(await Writer.open(str(path), _create_tables))

    # -- running on the file's thread ---------------------------------------------------

    @property
    def _db(self) -> sqlite3.Connection:
        return self._file.db

    def _create(self, broadcast: Broadcast) -> Broadcast:
        if self._db.execute(_GET, (broadcast.id,)).fetchone() is not None:
            raise BroadcastError(f"a broadcast {broadcast.id!r} exists already")
        row = (broadcast.id, broadcast.status, dumped(broadcast), broadcast.created_at)
        self._db.execute(
            "INSERT INTO broadcasts (id, status, data, created_at) VALUES (?,?,?,?)", row
        )
        return broadcast

    def _get(self, broadcast_id: str) -> Broadcast | None:
        row = self._db.execute(_GET, (broadcast_id,)).fetchone()
        return None if row is None else load(row[0])

    def _change(
        self, broadcast_id: str, how: Callable[[Broadcast], Broadcast], owner: str
    ) -> Broadcast | None:
        row = self._db.execute(_GET, (broadcast_id,)).fetchone()
        if row is None:
            raise BroadcastNotFound(f"no broadcast {broadcast_id!r}")
        if owner and row[1] != owner:
            return None
        changed = check_broadcast(how(load(row[0])))
        lease = ", owner = '', until = 0" if owner else ""
        self._db.execute(
            f"UPDATE broadcasts SET status = ?, data = ?{lease} WHERE id = ?",
            (changed.status, dumped(changed), broadcast_id),
        )
        return changed

    def _claim(self, owner: str, now: float, lease: float) -> Broadcast | None:
        row = self._db.execute(_FREE, (SENDING, now)).fetchone()
        if row is None:
            return None
        self._db.execute(
            "UPDATE broadcasts SET owner = ?, until = ? WHERE id = ?", (owner, now + lease, row[0])
        )
        return load(row[1])

    # -- the BroadcastStore protocol ----------------------------------------------------

    async def create(self, broadcast: Broadcast) -> Broadcast:
        return await self._file.call(True, self._create, check_broadcast(broadcast))

    async def get(self, broadcast_id: str) -> Broadcast | None:
        return await self._file.call(False, self._get, check_id(broadcast_id))

    async def change(
        self, broadcast_id: str, how: Callable[[Broadcast], Broadcast], owner: str = ""
    ) -> Broadcast | None:
        return await self._file.call(True, self._change, check_id(broadcast_id), how, owner)

    async def claim(self, owner: str, now: float, lease: float) -> Broadcast | None:
        return await self._file.call(True, self._claim, owner, now, lease)

    async def close(self) -> None:
        await self._file.close()
