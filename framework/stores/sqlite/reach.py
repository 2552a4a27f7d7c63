"""The reach store in the session store's SQLite file, run on that file's thread (writer.py
says why).

Tables: `reach_marketing` (a row a marketing broadcast and conversation it reached, with the
time), `reach_held` (a conversation's hold) and `reach_channel` (a conversation and the last
time a bot reached it on a channel, rows older than the window deleted as `reach` goes).
`reach` is one write transaction, and stores on the file in other processes take SQLite's
write lock in turn (`BEGIN IMMEDIATE`): of two workers taking at once, the second counts the
first's. `forget` deletes a conversation's rows and renames its `reach_channel` rows to a
stand-in in one transaction. `reach_once` holds the `once` marks (a digest, its value and until
when it is kept; rows past their end deleted as `once` writes), in one write transaction too.
The tables keep their schema version in `reach_schema`, `reach_once` in `reach_once_schema`
(added later: a file made before gets it when opened).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from pathlib import Path

from framework.stores.reach import (
    KEPT,
    MAX_ONCE,
    ORDER_COUNTER,
    Kept,
    Marks,
    check_broadcast_id,
    check_marked,
    check_once,
    check_one,
    check_ordered,
    check_page,
    check_take,
    numbered,
    stand_in,
)
from framework.stores.sqlite.connection import create_versioned
from framework.stores.sqlite.on_file import OnFile
from framework.stores.sqlite.writer import Writer

__all__ = ["ONCE_SCHEMA_VERSION", "REACH_SCHEMA_VERSION", "SqliteReach"]

REACH_SCHEMA_VERSION = 1
ONCE_SCHEMA_VERSION = 1

_SCHEMA = f"""
CREATE TABLE reach_marketing (bot TEXT NOT NULL, conversation TEXT NOT NULL,
    broadcast TEXT NOT NULL, at REAL NOT NULL, PRIMARY KEY (bot, conversation, broadcast))
    WITHOUT ROWID;
CREATE TABLE reach_held (bot TEXT NOT NULL, conversation TEXT NOT NULL, until REAL NOT NULL,
    PRIMARY KEY (bot, conversation)) WITHOUT ROWID;
CREATE TABLE reach_channel (bot TEXT NOT NULL, channel TEXT NOT NULL,
    conversation TEXT NOT NULL, at REAL NOT NULL, PRIMARY KEY (bot, channel, conversation))
    WITHOUT ROWID;
CREATE INDEX reach_channel_at ON reach_channel (bot, channel, at);
INSERT INTO reach_schema VALUES ({REACH_SCHEMA_VERSION})
"""

_ONCE_SCHEMA = f"""
CREATE TABLE reach_once (bot TEXT NOT NULL, digest TEXT NOT NULL, value TEXT NOT NULL,
    until REAL NOT NULL, PRIMARY KEY (bot, digest)) WITHOUT ROWID;
CREATE INDEX reach_once_until ON reach_once (until);
INSERT INTO reach_once_schema VALUES ({ONCE_SCHEMA_VERSION})
"""


def _create_tables(db: sqlite3.Connection, path: str) -> None:
    create_versioned(db, path, "reach_schema", REACH_SCHEMA_VERSION, _SCHEMA, "reach tables")
    create_versioned(
        db, path, "reach_once_schema", ONCE_SCHEMA_VERSION, _ONCE_SCHEMA, "reach once marks"
    )


def _among(count: int) -> str:
    return ",".join("?" * count)


class SqliteReach:
    def __init__(self, writer: Writer) -> None:
        self._file = OnFile(writer, "the reach records")

    @classmethod
    async def open(cls, path: str | Path) -> SqliteReach:
        return cls(await Writer.open(str(path), _create_tables))

    # -- running on the file's thread ---------------------------------------------------

    @property
    def _db(self) -> sqlite3.Connection:
        return self._file.db

    def _marks(self, bot: str, names: list[str], since: float) -> dict[str, Marks]:
        sent: dict[str, dict[str, float]] = {}
        held: dict[str, float] = {}
        for start in range(0, len(names), 500):
            page = names[start : start + 500]
            among = _among(len(page))
            for conversation, broadcast, at in self._db.execute(
                "SELECT conversation, broadcast, at FROM reach_marketing WHERE bot = ? "
                f"AND conversation IN ({among})",
                (bot, *page),
            ):
                sent.setdefault(conversation, {})
                if at >= since:
                    sent[conversation][broadcast] = at
            held.update(
                self._db.execute(
                    f"SELECT conversation, until FROM reach_held WHERE bot = ? "
                    f"AND conversation IN ({among})",
                    (bot, *page),
                ).fetchall()
            )
        return {c: Marks(sent.get(c, {}), held.get(c, 0.0)) for c in sent.keys() | held.keys()}

    def _marketed(self, bot: str, broadcast: str, names: list[str], at: float) -> None:
        for start in range(0, len(names), 500):
            page = names[start : start + 500]
            self._db.execute(
                f"DELETE FROM reach_marketing WHERE bot = ? AND conversation IN "
                f"({_among(len(page))}) AND at < ?",
                (bot, *page, at - KEPT),
            )
        self._db.executemany(
            "INSERT OR IGNORE INTO reach_marketing VALUES (?,?,?,?)",
            [(bot, conversation, broadcast, at) for conversation in names],
        )

    def _hold(self, bot: str, conversation: str, until: float) -> None:
        self._db.execute(
            "INSERT INTO reach_held VALUES (?,?,?) ON CONFLICT (bot, conversation) "
            "DO UPDATE SET until = max(until, excluded.until)",
            (bot, conversation, until),
        )

    def _reach(
        self, bot: str, channel: str, names: list[str], since: float, at: float, limit: int
    ) -> int:
        where = (bot, channel)
        self._db.execute(
            "DELETE FROM reach_channel WHERE bot = ? AND channel = ? AND at < ?", (*where, since)
        )
        (count,) = self._db.execute(
            "SELECT count(*) FROM reach_channel WHERE bot = ? AND channel = ?", where
        ).fetchone()
        for taken, conversation in enumerate(names):
            known = self._db.execute(
                "SELECT 1 FROM reach_channel WHERE bot = ? AND channel = ? AND conversation = ?",
                (*where, conversation),
            ).fetchone()
            if known is None and count >= limit:
                return taken
            count += known is None
            self._db.execute(
                "INSERT INTO reach_channel VALUES (?,?,?,?) ON CONFLICT (bot, channel, "
                "conversation) DO UPDATE SET at = max(at, excluded.at)",
                (*where, conversation, at),
            )
        return len(names)

    def _once(self, bot: str, marks: dict[str, str], at: float, until: float) -> dict[str, str]:
        self._db.execute("DELETE FROM reach_once WHERE until <= ?", (at,))
        self._db.executemany(
            "INSERT OR IGNORE INTO reach_once VALUES (?,?,?,?)",
            [(bot, digest, value, until) for digest, value in marks.items()],
        )
        return self._marked(bot, list(marks), at)

    def _ordered(self, bot: str, digest: str, at: float, until: float) -> str:
        """In the write transaction: the mark kept, or the bot's next number (its last kept
        as the ORDER_COUNTER row, MAX_ONCE after this use)."""
        kept = self._marked(bot, [digest, ORDER_COUNTER], at)
        if digest in kept:
            return kept[digest]
        value = numbered(int(kept.get(ORDER_COUNTER, "0")) + 1)
        self._db.executemany(
            "INSERT OR REPLACE INTO reach_once VALUES (?,?,?,?)",
            [(bot, ORDER_COUNTER, value, at + MAX_ONCE), (bot, digest, value, until)],
        )
        return value

    def _marked(self, bot: str, digests: list[str], at: float) -> dict[str, str]:
        found: dict[str, str] = {}
        for start in range(0, len(digests), 500):
            page = digests[start : start + 500]
            found.update(
                self._db.execute(
                    f"SELECT digest, value FROM reach_once WHERE bot = ? "
                    f"AND digest IN ({_among(len(page))}) AND until > ?",
                    (bot, *page, at),
                ).fetchall()
            )
        return found

    def _kept(self, bot: str, conversation: str) -> Kept | None:
        where = (bot, conversation)
        sent = self._db.execute(
            "SELECT broadcast, at FROM reach_marketing WHERE bot = ? AND conversation = ?", where
        ).fetchall()
        held = self._db.execute(
            "SELECT until FROM reach_held WHERE bot = ? AND conversation = ?", where
        ).fetchone()
        reached = self._db.execute(
            "SELECT channel, at FROM reach_channel WHERE bot = ? AND conversation = ?", where
        ).fetchall()
        if not (sent or held or reached):
            return None
        return Kept(dict(sent), held[0] if held else 0.0, dict(reached))

    def _forget(self, bot: str, conversation: str, instead: str) -> int:
        where = (bot, conversation)
        deleted = sum(
            self._db.execute(
                f"DELETE FROM {table} WHERE bot = ? AND conversation = ?", where
            ).rowcount
            for table in ("reach_marketing", "reach_held")
        )
        return (
            deleted
            + self._db.execute(
                "UPDATE reach_channel SET conversation = ? WHERE bot = ? AND conversation = ?",
                (instead, *where),
            ).rowcount
        )

    # -- the ReachStore protocol --------------------------------------------------------

    async def marks(self, bot: str, conversations: Sequence[str], since: float) -> dict[str, Marks]:
        return await self._file.call(False, self._marks, *check_page(bot, conversations, since))

    async def marketed(
        self, bot: str, broadcast: str, conversations: Sequence[str], at: float
    ) -> None:
        bot, names, at = check_page(bot, conversations, at)
        await self._file.call(True, self._marketed, bot, check_broadcast_id(broadcast), names, at)

    async def hold(self, bot: str, conversation: str, until: float) -> None:
        bot, _, until = check_page(bot, [conversation], until)
        await self._file.call(True, self._hold, bot, conversation, until)

    async def reach(
        self,
        bot: str,
        channel: str,
        conversations: Sequence[str],
        since: float,
        at: float,
        limit: int,
    ) -> int:
        bot, channel, names, since, at, limit = check_take(
            bot, channel, conversations, since, at, limit
        )
        return await self._file.call(True, self._reach, bot, channel, names, since, at, limit)

    async def once(
        self, bot: str, marks: Mapping[str, str], at: float, until: float
    ) -> dict[str, str]:
        return await self._file.call(True, self._once, *check_once(bot, marks, at, until))

    async def marked(self, bot: str, digests: Sequence[str], at: float) -> dict[str, str]:
        return await self._file.call(False, self._marked, *check_marked(bot, digests, at))

    async def ordered(self, bot: str, digest: str, at: float, until: float) -> str:
        return await self._file.call(True, self._ordered, *check_ordered(bot, digest, at, until))

    async def kept(self, bot: str, conversation: str) -> Kept | None:
        return await self._file.call(False, self._kept, *check_one(bot, conversation))

    async def forget(self, bot: str, conversation: str) -> int:
        bot, conversation = check_one(bot, conversation)
        return await self._file.call(True, self._forget, bot, conversation, stand_in())

    async def close(self) -> None:
        await self._file.close()
