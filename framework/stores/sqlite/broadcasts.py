"""The broadcasts in the session store's SQLite file, run on that file's thread (writer.py
says why).

One table, `broadcasts`: a row a broadcast, its JSON, its status (for `claim`'s index) and
its lease (`owner`, `until`); and `broadcast_results`: a row per conversation (its digest) and
kind of result counted, naming the counter it adds to, so counting twice writes nothing and the
results are one GROUP BY. Erasing a customer puts a stand-in naming no one (`erased-` and a
random id, a row its own) in place of their digest, so the counts stay. Every change is one
write transaction, and stores on the file in other processes take SQLite's write lock in turn
(`BEGIN IMMEDIATE`): of two workers claiming at once, the second sees the first's lease; a
scheduled broadcast's time is read from its JSON (`starts_at`: no column, so files made before
scheduling need nothing) and the claim that starts it writes it as sending. The
table keeps its schema version in `broadcast_schema`, the results table in
`broadcast_results_schema` (added to files made before it by opening them).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from framework.stores.broadcasts import (
    MAX_LISTED,
    SCHEDULED,
    SENDING,
    Broadcast,
    BroadcastError,
    BroadcastNotFound,
    Results,
    begun,
    check_broadcast,
    check_id,
    check_listing,
    check_result,
    digest,
    dumped,
    load,
    tallied,
)
from framework.stores.sqlite.connection import create_versioned
from framework.stores.sqlite.on_file import OnFile
from framework.stores.sqlite.writer import Writer

__all__ = ["BROADCAST_SCHEMA_VERSION", "RESULTS_SCHEMA_VERSION", "SqliteBroadcasts"]

BROADCAST_SCHEMA_VERSION = 1
RESULTS_SCHEMA_VERSION = 1

_SCHEMA = f"""
CREATE TABLE broadcasts (id TEXT PRIMARY KEY NOT NULL, status TEXT NOT NULL, data TEXT NOT NULL,
    created_at REAL NOT NULL, owner TEXT NOT NULL DEFAULT '', until REAL NOT NULL DEFAULT 0);
CREATE INDEX broadcasts_status ON broadcasts (status, created_at);
INSERT INTO broadcast_schema VALUES ({BROADCAST_SCHEMA_VERSION})
"""
_RESULTS_SCHEMA = f"""
CREATE TABLE broadcast_results (broadcast TEXT NOT NULL, who TEXT NOT NULL, kind TEXT NOT NULL,
    counter TEXT NOT NULL, PRIMARY KEY (broadcast, who, kind)) WITHOUT ROWID;
INSERT INTO broadcast_results_schema VALUES ({RESULTS_SCHEMA_VERSION})
"""
_COUNT = "INSERT OR IGNORE INTO broadcast_results VALUES (?,?,?,?)"
_RESULTS = "SELECT counter, COUNT(*) FROM broadcast_results WHERE broadcast = ? GROUP BY counter"
_OF_BOT = "SELECT id FROM broadcasts WHERE json_extract(data, '$.bot') = ?"
_FORGET = """UPDATE broadcast_results SET who = 'erased-' || lower(hex(randomblob(8)))
    WHERE broadcast = ? AND who = ?"""
_GET = "SELECT data, owner FROM broadcasts WHERE id = ?"
_NEWEST = """SELECT data FROM broadcasts WHERE json_extract(data, '$.bot') = ?
    ORDER BY created_at DESC, id LIMIT ?"""
_FREE = """SELECT id, data FROM broadcasts WHERE until < :now AND (status = :sending
    OR (status = :scheduled AND json_extract(data, '$.starts_at') <= :now))
    ORDER BY status = :scheduled DESC, created_at LIMIT 1"""


def _create_tables(db: sqlite3.Connection, path: str) -> None:
    create_versioned(
        db, path, "broadcast_schema", BROADCAST_SCHEMA_VERSION, _SCHEMA, "broadcast tables"
    )
    create_versioned(
        db,
        path,
        "broadcast_results_schema",
        RESULTS_SCHEMA_VERSION,
        _RESULTS_SCHEMA,
        "broadcast results",
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

    def _of_bot(self, bot: str, limit: int) -> list[Broadcast]:
        return [load(data) for (data,) in self._db.execute(_NEWEST, (bot, limit)).fetchall()]

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
        free = {"now": now, "sending": SENDING, "scheduled": SCHEDULED}
        row = self._db.execute(_FREE, free).fetchone()
        if row is None:
            return None
        claimed = begun(now)(load(row[1]))
        self._db.execute(
            "UPDATE broadcasts SET owner = ?, until = ?, status = ?, data = ? WHERE id = ?",
            (owner, now + lease, claimed.status, dumped(claimed), row[0]),
        )
        return claimed

    def _count(self, broadcast_id: str, who: str, kind: str, counter: str) -> bool:
        if self._db.execute(_GET, (broadcast_id,)).fetchone() is None:
            return False
        return self._db.execute(_COUNT, (broadcast_id, who, kind, counter)).rowcount == 1

    def _results(self, broadcast_id: str) -> Results:
        return tallied(dict(self._db.execute(_RESULTS, (broadcast_id,)).fetchall()))

    def _forget_results(self, bot: str, conversation: str) -> int:
        ids = self._db.execute(_OF_BOT, (bot,)).fetchall()
        marks = [(found, digest(found, conversation)) for (found,) in ids]
        return sum(self._db.execute(_FORGET, mark).rowcount for mark in marks)

    # -- the BroadcastStore protocol ----------------------------------------------------

    async def create(self, broadcast: Broadcast) -> Broadcast:
        return await self._file.call(True, self._create, check_broadcast(broadcast))

    async def get(self, broadcast_id: str) -> Broadcast | None:
        return await self._file.call(False, self._get, check_id(broadcast_id))

    async def of_bot(self, bot: str, limit: int = MAX_LISTED) -> list[Broadcast]:
        return await self._file.call(False, self._of_bot, *check_listing(bot, limit))

    async def change(
        self, broadcast_id: str, how: Callable[[Broadcast], Broadcast], owner: str = ""
    ) -> Broadcast | None:
        return await self._file.call(True, self._change, check_id(broadcast_id), how, owner)

    async def claim(self, owner: str, now: float, lease: float) -> Broadcast | None:
        return await self._file.call(True, self._claim, owner, now, lease)

    async def count(self, broadcast_id: str, who: str, kind: str, reason: str = "") -> bool:
        counter = check_result(kind, reason, who)
        return await self._file.call(True, self._count, check_id(broadcast_id), who, kind, counter)

    async def results(self, broadcast_id: str) -> Results:
        return await self._file.call(False, self._results, check_id(broadcast_id))

    async def forget_results(self, bot: str, conversation: str) -> int:
        return await self._file.call(True, self._forget_results, bot, conversation)

    async def close(self) -> None:
        await self._file.close()
