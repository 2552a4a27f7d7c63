"""The saved segments in the session store's SQLite file, run on that file's thread (writer.py
says why).

One table, `saved_segments`: a row per bot and name with the saved segment's JSON. `save`
reads the kept one, counts the bot's and writes in one write transaction, and stores on the
file in other processes take SQLite's write lock in turn (`BEGIN IMMEDIATE`): of two saving
at once, the second sees the first's. The table keeps its schema version in
`saved_segments_schema`.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from framework.stores.saved_segments import (
    MAX_LISTED,
    MAX_PER_BOT,
    SavedSegment,
    TooManySegments,
    check_bot,
    check_listing,
    check_name,
    replacing,
)
from framework.stores.sqlite.connection import create_versioned
from framework.stores.sqlite.on_file import OnFile
from framework.stores.sqlite.writer import Writer

__all__ = ["SAVED_SEGMENTS_SCHEMA_VERSION", "SqliteSavedSegments"]

SAVED_SEGMENTS_SCHEMA_VERSION = 1

_SCHEMA = f"""
CREATE TABLE saved_segments (bot TEXT NOT NULL, name TEXT NOT NULL, data TEXT NOT NULL,
    PRIMARY KEY (bot, name)) WITHOUT ROWID;
INSERT INTO saved_segments_schema VALUES ({SAVED_SEGMENTS_SCHEMA_VERSION})
"""


def _create_tables(db: sqlite3.Connection, path: str) -> None:
    create_versioned(
        db,
        path,
        "saved_segments_schema",
        SAVED_SEGMENTS_SCHEMA_VERSION,
        _SCHEMA,
        "saved segments",
    )


def _loaded(data: str) -> SavedSegment:
    return SavedSegment.from_json(json.loads(data))


class SqliteSavedSegments:
    def __init__(self, writer: Writer) -> None:
        self._file = OnFile(writer, "the saved segments")

    @classmethod
    async def open(cls, path: str | Path) -> SqliteSavedSegments:
        return cls(await Writer.open(str(path), _create_tables))

    async def save(self, segment: SavedSegment) -> SavedSegment:
        check_bot(segment.bot)
        check_name(segment.name)
        return await self._file.call(True, self._save, segment)

    async def get(self, bot: str, name: str) -> SavedSegment | None:
        found = await self._file.call(False, self._get, check_bot(bot), check_name(name))
        return None if found is None else _loaded(found)

    async def of_bot(self, bot: str, limit: int = MAX_LISTED) -> list[SavedSegment]:
        rows = await self._file.call(False, self._of_bot, *check_listing(bot, limit))
        return [_loaded(data) for data in rows]

    async def delete(self, bot: str, name: str) -> bool:
        return await self._file.call(True, self._delete, check_bot(bot), check_name(name))

    # -- running on the file's thread ---------------------------------------------------

    @property
    def _db(self) -> sqlite3.Connection:
        return self._file.db

    def _get(self, bot: str, name: str) -> str | None:
        query = "SELECT data FROM saved_segments WHERE bot = ? AND name = ?"
        row = self._db.execute(query, (bot, name)).fetchone()
        return None if row is None else str(row[0])

    def _save(self, segment: SavedSegment) -> SavedSegment:
        kept = self._get(segment.bot, segment.name)
        if kept is None:
            query = "SELECT count(*) FROM saved_segments WHERE bot = ?"
            (count,) = self._db.execute(query, (segment.bot,)).fetchone()
            if count >= MAX_PER_BOT:
                raise TooManySegments.of(segment.bot)
        new = replacing(None if kept is None else _loaded(kept), segment)
        self._db.execute(
            "INSERT OR REPLACE INTO saved_segments VALUES (?, ?, ?)",
            (new.bot, new.name, json.dumps(new.to_json())),
        )
        return new

    def _of_bot(self, bot: str, limit: int) -> list[str]:
        query = "SELECT data FROM saved_segments WHERE bot = ? ORDER BY name LIMIT ?"
        return [str(data) for (data,) in self._db.execute(query, (bot, limit))]

    def _delete(self, bot: str, name: str) -> bool:
        query = "DELETE FROM saved_segments WHERE bot = ? AND name = ?"
        return self._db.execute(query, (bot, name)).rowcount > 0

    # -----------------------------------------------------------------------------------

    async def close(self) -> None:
        await self._file.close()
