"""The contact store in the session store's SQLite file, run on that file's thread (writer.py
says why).

Tables: `contacts` (a row a contact: its JSON) and `contact_conversations` (a row a
conversation: its contact's id), in `contacts_schema`'s version. `update` reads, applies the
change (contact_rules.py) and writes in one write transaction, which stores on the file in
other processes take in turn (`BEGIN IMMEDIATE`). Pages are read in conversation order from
the primary key.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from framework.stores.contact_rules import (
    changed,
    check_change,
    check_many,
    check_one,
    check_page,
    new_id,
)
from framework.stores.contacts import Contact, ContactChange
from framework.stores.sqlite.connection import create_versioned
from framework.stores.sqlite.on_file import OnFile
from framework.stores.sqlite.writer import Writer

__all__ = ["CONTACTS_SCHEMA_VERSION", "SqliteContacts"]

CONTACTS_SCHEMA_VERSION = 1

_SCHEMA = f"""
CREATE TABLE contacts (bot TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL,
    PRIMARY KEY (bot, id)) WITHOUT ROWID;
CREATE TABLE contact_conversations (bot TEXT NOT NULL, conversation TEXT NOT NULL,
    contact TEXT NOT NULL, PRIMARY KEY (bot, conversation)) WITHOUT ROWID;
INSERT INTO contacts_schema VALUES ({CONTACTS_SCHEMA_VERSION})
"""
_OF_CONVERSATION = (
    "SELECT c.data FROM contact_conversations AS cc JOIN contacts AS c "
    "ON c.bot = cc.bot AND c.id = cc.contact WHERE cc.bot = ? AND cc.conversation = ?"
)


def _create_tables(db: sqlite3.Connection, path: str) -> None:
    create_versioned(db, path, "contacts_schema", CONTACTS_SCHEMA_VERSION, _SCHEMA, "contacts")


def _dumped(contact: Contact) -> str:
    return json.dumps(contact.to_json(), ensure_ascii=False, sort_keys=True)


def _loaded(data: str) -> Contact:
    return Contact.from_json(json.loads(data))


class SqliteContacts:
    def __init__(self, writer: Writer) -> None:
        self._file = OnFile(writer, "the contacts")

    @classmethod
    async def open(cls, path: str | Path) -> SqliteContacts:
        return cls(await Writer.open(str(path), _create_tables))

    # -- running on the file's thread ---------------------------------------------------

    @property
    def _db(self) -> sqlite3.Connection:
        return self._file.db

    def _one(self, bot: str, conversation: str) -> Contact | None:
        row = self._db.execute(_OF_CONVERSATION, (bot, conversation)).fetchone()
        return None if row is None else _loaded(row[0])

    def _update(
        self, bot: str, conversation: str, change: ContactChange, at: float, made_id: str
    ) -> Contact:
        made = changed(self._one(bot, conversation), bot, conversation, change, at, made_id)
        self._db.execute(
            "INSERT INTO contacts VALUES (?,?,?) ON CONFLICT (bot, id) DO UPDATE SET "
            "data = excluded.data",
            (bot, made.id, _dumped(made)),
        )
        self._db.execute(
            "INSERT OR IGNORE INTO contact_conversations VALUES (?,?,?)",
            (bot, conversation, made.id),
        )
        return made

    def _many(self, bot: str, names: list[str]) -> dict[str, Contact]:
        found = {}
        for conversation in dict.fromkeys(names):
            contact = self._one(bot, conversation)
            if contact is not None:
                found[conversation] = contact
        return found

    def _page(self, bot: str, after: str, limit: int) -> list[Contact]:
        rows = self._db.execute(
            "SELECT c.data FROM contact_conversations AS cc JOIN contacts AS c "
            "ON c.bot = cc.bot AND c.id = cc.contact WHERE cc.bot = ? AND cc.conversation > ? "
            "ORDER BY cc.conversation LIMIT ?",
            (bot, after, limit),
        )
        return [_loaded(data) for (data,) in rows]

    def _forget(self, bot: str, conversation: str) -> int:
        contact = self._one(bot, conversation)
        if contact is None:
            return 0
        self._db.execute(
            "DELETE FROM contact_conversations WHERE bot = ? AND conversation = ?",
            (bot, conversation),
        )
        rest = tuple(c for c in contact.conversations if c != conversation)
        if rest:
            self._db.execute(
                "UPDATE contacts SET data = ? WHERE bot = ? AND id = ?",
                (_dumped(replace(contact, conversations=rest)), bot, contact.id),
            )
            return 0
        self._db.execute("DELETE FROM contacts WHERE bot = ? AND id = ?", (bot, contact.id))
        return 1

    # -- the ContactStore protocol ------------------------------------------------------

    async def update(
        self, bot: str, conversation: str, change: ContactChange, at: float
    ) -> Contact:
        bot, conversation = check_one(bot, conversation)
        args = (bot, conversation, check_change(change), at, new_id())
        return await self._file.call(True, self._update, *args)

    async def many(self, bot: str, conversations: Sequence[str]) -> dict[str, Contact]:
        return await self._file.call(False, self._many, *check_many(bot, conversations))

    async def page(self, bot: str, after: str = "", limit: int = 100) -> list[Contact]:
        return await self._file.call(False, self._page, *check_page(bot, after, limit))

    async def forget(self, bot: str, conversation: str) -> int:
        return await self._file.call(True, self._forget, *check_one(bot, conversation))

    async def close(self) -> None:
        await self._file.close()
