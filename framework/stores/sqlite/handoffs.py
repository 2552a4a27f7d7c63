"""Handoffs in the session store's SQLite file, run on that file's thread (writer.py says why).

A conversation's handoff that has not ended is a row of `handoffs`: its JSON, and the columns
the lists read. A queued one has a `place` (the queue is the rows with one, in its order: a
request takes one more than the last, a release one less than the first); a claimed one has
its `claimed_at` and `agent`; an ended one is deleted. An operation reads the row, applies the
step (handoff_rules.py) and writes the row in the transaction of its call, so it is
all-or-nothing and no other call of this process comes between; stores on the file in other
processes take SQLite's write lock in turn (`BEGIN IMMEDIATE`), so of two claims the second
reads the first's agent. The table keeps its schema version in `handoff_schema`.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from framework.stores import handoff_rules as rules
from framework.stores.handoffs import Handoff
from framework.stores.sqlite.connection import create_versioned
from framework.stores.sqlite.on_file import OnFile
from framework.stores.sqlite.writer import Writer

__all__ = ["HANDOFF_SCHEMA_VERSION", "SqliteHandoffs"]

HANDOFF_SCHEMA_VERSION = 1

_SCHEMA = f"""
CREATE TABLE handoffs (bot TEXT NOT NULL, session TEXT NOT NULL, place INTEGER,
    queued_at REAL NOT NULL, claimed_at REAL, agent TEXT NOT NULL, data TEXT NOT NULL,
    PRIMARY KEY (bot, session));
CREATE UNIQUE INDEX handoffs_queue ON handoffs (bot, place) WHERE place IS NOT NULL;
CREATE INDEX handoffs_waiting ON handoffs (bot, queued_at, session) WHERE place IS NOT NULL;
CREATE INDEX handoffs_held ON handoffs (bot, claimed_at, session) WHERE claimed_at IS NOT NULL;
INSERT INTO handoff_schema VALUES ({HANDOFF_SCHEMA_VERSION})
"""
_QUEUED = "FROM handoffs WHERE bot = ? AND place IS NOT NULL"
_ROW = "SELECT data FROM handoffs WHERE bot = ? AND session = ?"
_KEEP = "INSERT OR REPLACE INTO handoffs VALUES (?, ?, ?, ?, ?, ?, ?)"
_QUEUE = f"SELECT data {_QUEUED} ORDER BY place LIMIT ?"
_EXPIRED = f"SELECT data {_QUEUED} AND queued_at < ? ORDER BY queued_at, session LIMIT ?"
_HELD = "SELECT data FROM handoffs WHERE bot = ? AND claimed_at IS NOT NULL{}"
_HELD_ORDER = " ORDER BY claimed_at, session"
_AHEAD = f"SELECT COUNT(*) {_QUEUED} AND place <= ?"
_COUNTS = "SELECT COUNT(place), COUNT(claimed_at) FROM handoffs WHERE bot = ?"


def _create_tables(db: sqlite3.Connection, path: str) -> None:
    create_versioned(db, path, "handoff_schema", HANDOFF_SCHEMA_VERSION, _SCHEMA, "handoff tables")


class SqliteHandoffs:
    def __init__(self, writer: Writer, *, max_queue: int = rules.MAX_QUEUE) -> None:
        self._file = OnFile(writer, "the handoffs")
        self._max_queue = rules.check_cap(max_queue)

    @classmethod
    async def open(cls, path: str | Path, *, max_queue: int = rules.MAX_QUEUE) -> SqliteHandoffs:
        rules.check_cap(max_queue)
        return cls(await Writer.open(str(path), _create_tables), max_queue=max_queue)

    # -- running on the file's thread ---------------------------------------------------

    @property
    def _db(self) -> sqlite3.Connection:
        return self._file.db

    def _find(self, bot: str, session: str) -> Handoff | None:
        row = self._db.execute(_ROW, (bot, session)).fetchone()
        return None if row is None else rules.load(row[0])

    def _list(self, sql: str, *params: Any) -> list[Handoff]:
        return [rules.load(data) for (data,) in self._db.execute(sql, params)]

    def _apply(self, bot: str, session: str, step: rules.Step) -> Handoff:
        new, where = rules.decide(self._find(bot, session), step)
        if where == rules.GONE:
            self._db.execute("DELETE FROM handoffs WHERE bot = ? AND session = ?", (bot, session))
        elif where is not None:
            place = self._place(bot, where)
            row = (bot, session, place, new.queued_at, new.claimed_at, new.agent, rules.dumped(new))
            self._db.execute(_KEEP, row)
        return new

    def _place(self, bot: str, where: str) -> int | None:
        """The conversation's place in the queue after the change (None: held)."""
        if where == rules.HELD:
            return None
        if where == rules.FRONT:
            (first,) = self._db.execute(f"SELECT MIN(place) {_QUEUED}", (bot,)).fetchone()
            return 1 if first is None else int(first) - 1
        sql = f"SELECT MAX(place), COUNT(*) {_QUEUED}"
        last, waiting = self._db.execute(sql, (bot,)).fetchone()
        if waiting >= self._max_queue:
            raise rules.queue_full(bot, self._max_queue)
        return 1 if last is None else int(last) + 1

    def _position(self, bot: str, session: str) -> int | None:
        sql = f"SELECT place {_QUEUED} AND session = ?"
        row = self._db.execute(sql, (bot, session)).fetchone()
        if row is None:
            return None
        (ahead,) = self._db.execute(_AHEAD, (bot, row[0])).fetchone()
        return int(ahead)

    def _counts(self, bot: str) -> dict[str, int]:
        queued, claimed = self._db.execute(_COUNTS, (bot,)).fetchone()
        return {"queued": queued, "claimed": claimed}

    # -- the HandoffStore protocol --------------------------------------------------------

    async def request(
        self, bot: str, session: str, reason: str, channel: str, lang: str, now: float
    ) -> Handoff:
        step = rules.requesting(bot, session, reason, channel, lang, now)
        return await self._file.call(True, self._apply, bot, session, step)

    async def position(self, bot: str, session: str) -> int | None:
        return await self._file.call(False, self._position, *rules.check_key(bot, session))

    async def queue(self, bot: str, limit: int = 100) -> list[Handoff]:
        return await self._file.call(
            False, self._list, _QUEUE, rules.check_bot(bot), rules.check_page(limit)
        )

    async def held(self, bot: str, agent: str | None = None) -> list[Handoff]:
        bot, agent = rules.check_holder(bot, agent)
        if agent is None:
            return await self._file.call(False, self._list, _HELD.format(_HELD_ORDER), bot)
        sql = _HELD.format(" AND agent = ?" + _HELD_ORDER)
        return await self._file.call(False, self._list, sql, bot, agent)

    async def claim(self, bot: str, session: str, agent: str, now: float) -> Handoff:
        step = rules.claiming(bot, session, agent, now)
        return await self._file.call(True, self._apply, bot, session, step)

    async def release(self, bot: str, session: str, agent: str, now: float) -> Handoff:
        step = rules.releasing(bot, session, agent, now)
        return await self._file.call(True, self._apply, bot, session, step)

    async def end(
        self, bot: str, session: str, agent: str | None, outcome: str, now: float
    ) -> Handoff:
        step = rules.ending(bot, session, agent, outcome, now)
        return await self._file.call(True, self._apply, bot, session, step)

    async def expired(self, bot: str, older_than: float, limit: int = 100) -> list[Handoff]:
        args = (rules.check_bot(bot), rules.moment(older_than), rules.check_page(limit))
        return await self._file.call(False, self._list, _EXPIRED, *args)

    async def get(self, bot: str, session: str) -> Handoff | None:
        return await self._file.call(False, self._find, *rules.check_key(bot, session))

    async def counts(self, bot: str) -> dict[str, int]:
        return await self._file.call(False, self._counts, rules.check_bot(bot))

    async def close(self) -> None:
        await self._file.close()
