"""The consent ledger in the session store's SQLite file, run on that file's thread (writer.py
says why).

Two tables: `consents`, the ledger (a row an entry: its JSON, in the order written, by rowid),
and `consent_now`, a row per (bot, conversation, purpose): the latest entry's JSON and, while
the conversation holds the purpose, the holding (`since`, `lang`; NULL when it does not). A
record appends the entry and rewrites its `consent_now` row in the same transaction, by the
holding rule (consent_rules.holding), so the two never disagree:

- `holders` reads the partial index `consent_holders` (bot, purpose, conversation, since,
  lang; only held rows): a page of 100,000 holders is a range of that index after `after`,
  never a scan;
- `current` reads the conversation's `consent_now` rows (its primary key);
- `withdraw_all` reads what is granted and writes every withdrawal in one transaction, and
  stores on the file in other processes take SQLite's write lock in turn (`BEGIN IMMEDIATE`):
  of two STOPs at once, the second finds nothing granted and writes nothing;
- `erase` deletes the conversation's rows of both tables in one transaction.

Conversations are ordered as SQLite compares text (BINARY: UTF-8 bytes), which is the order of
their code points, as memory and Redis order them. The tables keep their schema version in
`consent_schema`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

from framework.stores import consent_rules as rules
from framework.stores.consents import Consent, Holder
from framework.stores.sqlite.connection import create_versioned
from framework.stores.sqlite.on_file import OnFile
from framework.stores.sqlite.writer import Writer

__all__ = ["CONSENT_SCHEMA_VERSION", "SqliteConsents"]

CONSENT_SCHEMA_VERSION = 1

_SCHEMA = f"""
CREATE TABLE consents (bot TEXT NOT NULL, conversation TEXT NOT NULL, data TEXT NOT NULL);
CREATE INDEX consents_conversation ON consents (bot, conversation);
CREATE TABLE consent_now (bot TEXT NOT NULL, conversation TEXT NOT NULL, purpose TEXT NOT NULL,
    since REAL, lang TEXT, data TEXT NOT NULL, PRIMARY KEY (bot, conversation, purpose))
    WITHOUT ROWID;
CREATE INDEX consent_holders ON consent_now (bot, purpose, conversation, since, lang)
    WHERE since IS NOT NULL;
INSERT INTO consent_schema VALUES ({CONSENT_SCHEMA_VERSION})
"""
_OF = "WHERE bot = ? AND conversation = ?"
_HOLDING = f"SELECT since, lang FROM consent_now {_OF} AND purpose = ?"
_APPEND = "INSERT INTO consents VALUES (?, ?, ?)"
_KEEP = "INSERT OR REPLACE INTO consent_now VALUES (?, ?, ?, ?, ?, ?)"
_CURRENT = f"SELECT purpose, data FROM consent_now {_OF}"
_HISTORY = f"SELECT data FROM consents {_OF} ORDER BY rowid LIMIT ?"
_HOLDERS = (
    "SELECT conversation, since, lang FROM consent_now WHERE bot = ? AND purpose = ?"
    " AND conversation > ? AND since IS NOT NULL ORDER BY conversation LIMIT ?"
)

_HELD = "SELECT conversation, purpose FROM consent_now WHERE bot = ? AND since IS NOT NULL"
_AT_ONCE = 500
"""Conversations one query of `held` names (SQLite's bound variables are limited)."""


def _create_tables(db: sqlite3.Connection, path: str) -> None:
    create_versioned(db, path, "consent_schema", CONSENT_SCHEMA_VERSION, _SCHEMA, "consent tables")


class SqliteConsents:
    def __init__(self, writer: Writer) -> None:
        self._file = OnFile(writer, "the consents")

    @classmethod
    async def open(cls, path: str | Path) -> SqliteConsents:
        return cls(await Writer.open(str(path), _create_tables))

    # -- running on the file's thread ---------------------------------------------------

    @property
    def _db(self) -> sqlite3.Connection:
        return self._file.db

    def _append(self, entry: Consent) -> Consent:
        key = (entry.bot, entry.conversation)
        row = self._db.execute(_HOLDING, (*key, entry.purpose)).fetchone()
        held = None if row is None or row[0] is None else Holder(entry.conversation, *row)
        now = rules.holding(held, entry)
        data = rules.dumped(entry)
        self._db.execute(_APPEND, (*key, data))
        since, lang = (None, None) if now is None else (now.since, now.lang)
        self._db.execute(_KEEP, (*key, entry.purpose, since, lang, data))
        return entry

    def _current(self, bot: str, conversation: str) -> dict[str, Consent]:
        rows = self._db.execute(_CURRENT, (bot, conversation))
        return {purpose: rules.load(data) for purpose, data in rows}

    def _history(self, bot: str, conversation: str, limit: int) -> list[Consent]:
        rows = self._db.execute(_HISTORY, (bot, conversation, limit))
        return [rules.load(data) for (data,) in rows]

    def _holders(self, bot: str, purpose: str, after: str, limit: int) -> list[Holder]:
        rows = self._db.execute(_HOLDERS, (bot, purpose, after, limit))
        return [Holder(*row) for row in rows]

    def _held(self, bot: str, names: list[str], purposes: list[str]) -> dict[str, frozenset[str]]:
        rows: list[tuple[str, str]] = []
        asked = f"{_HELD} AND purpose IN ({','.join('?' * len(purposes))})"
        for start in range(0, len(names), _AT_ONCE):
            chunk = names[start : start + _AT_ONCE]
            query = f"{asked} AND conversation IN ({','.join('?' * len(chunk))})"
            rows += self._db.execute(query, (bot, *purposes, *chunk)).fetchall()
        return rules.grouped(rows)

    def _withdraw(self, stop: rules.Stop) -> list[Consent]:
        withdrawals = stop.withdrawals(self._current(stop.bot, stop.conversation))
        return [self._append(entry) for entry in withdrawals]

    def _erase(self, bot: str, conversation: str) -> int:
        self._db.execute(f"DELETE FROM consent_now {_OF}", (bot, conversation))
        return self._db.execute(f"DELETE FROM consents {_OF}", (bot, conversation)).rowcount

    # -- the ConsentStore protocol ------------------------------------------------------

    async def record(self, entry: Consent) -> Consent:
        return await self._file.call(True, self._append, rules.check_entry(entry))

    async def current(self, bot: str, conversation: str) -> dict[str, Consent]:
        return await self._file.call(False, self._current, *rules.check_key(bot, conversation))

    async def history(self, bot: str, conversation: str, limit: int = 200) -> list[Consent]:
        checked = rules.check_history(bot, conversation, limit)
        return await self._file.call(False, self._history, *checked)

    async def holders(
        self, bot: str, purpose: str, after: str = "", limit: int = 1000
    ) -> list[Holder]:
        checked = rules.check_holders(bot, purpose, after, limit)
        return await self._file.call(False, self._holders, *checked)

    async def held(
        self, bot: str, conversations: Sequence[str], purposes: Sequence[str]
    ) -> dict[str, frozenset[str]]:
        bot, names, wanted = rules.check_held(bot, conversations, purposes)
        if not names or not wanted:
            return {}
        return await self._file.call(False, self._held, bot, names, wanted)

    async def withdraw_all(
        self,
        bot: str,
        conversation: str,
        text: str,
        channel: str,
        source: str,
        at: float,
        purposes_prefix: str = "",
    ) -> list[Consent]:
        stop = rules.check_stop(bot, conversation, text, channel, source, at, purposes_prefix)
        return await self._file.call(True, self._withdraw, stop)

    async def erase(self, bot: str, conversation: str) -> int:
        return await self._file.call(True, self._erase, *rules.check_key(bot, conversation))

    async def close(self) -> None:
        await self._file.close()
