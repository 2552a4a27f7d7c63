"""The contact store in the session store's SQLite file, run on that file's thread (writer.py
says why).

Tables: `contacts` (a row a contact: its JSON), `contact_conversations` (a row a
conversation: its contact's id), in `contacts_schema`'s version, and `contact_codes` (a row a
link code offered: its hash, the conversation, until when; created where missing, so a file
of the first version gains it). `update` reads, applies the
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

from framework.stores.contact_links import (
    check_code,
    check_moments,
    joined,
    link_outcome,
    parted,
)
from framework.stores.contact_rules import (
    changed,
    check_change,
    check_many,
    check_one,
    check_page,
    new_id,
)
from framework.stores.contacts import LINKED, UNKNOWN, Contact, ContactChange, Link
from framework.stores.sqlite.connection import create_versioned, execute_script
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


_CODES = """
CREATE TABLE IF NOT EXISTS contact_codes (bot TEXT NOT NULL, code TEXT NOT NULL,
    conversation TEXT NOT NULL, expires REAL NOT NULL, PRIMARY KEY (bot, code)) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS contact_codes_of ON contact_codes (bot, conversation)
"""


def _create_tables(db: sqlite3.Connection, path: str) -> None:
    create_versioned(db, path, "contacts_schema", CONTACTS_SCHEMA_VERSION, _SCHEMA, "contacts")
    execute_script(db, _CODES)


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

    def _keep(self, contact: Contact) -> None:
        self._db.execute(
            "INSERT INTO contacts VALUES (?,?,?) ON CONFLICT (bot, id) DO UPDATE SET "
            "data = excluded.data",
            (contact.bot, contact.id, _dumped(contact)),
        )
        self._db.executemany(
            "INSERT INTO contact_conversations VALUES (?,?,?) ON CONFLICT (bot, conversation) "
            "DO UPDATE SET contact = excluded.contact",
            [(contact.bot, conversation, contact.id) for conversation in contact.conversations],
        )

    def _update(
        self, bot: str, conversation: str, change: ContactChange, at: float, made_id: str
    ) -> Contact:
        made = changed(self._one(bot, conversation), bot, conversation, change, at, made_id)
        self._keep(made)
        return made

    def _offer(self, bot: str, conversation: str, code: str, expires: float, at: float) -> None:
        self._db.execute(
            "DELETE FROM contact_codes WHERE bot = ? AND (conversation = ? OR expires <= ?)",
            (bot, conversation, at),
        )
        self._db.execute(
            "INSERT INTO contact_codes VALUES (?,?,?,?)", (bot, code, conversation, expires)
        )

    def _link(self, bot: str, conversation: str, code: str, at: float, made: list[str]) -> Link:
        row = self._db.execute(
            "SELECT conversation FROM contact_codes WHERE bot = ? AND code = ? AND expires > ?",
            (bot, code, at),
        ).fetchone()
        if row is None:
            return Link(UNKNOWN)
        offering = row[0]
        offered, taker = self._one(bot, offering), self._one(bot, conversation)
        outcome = link_outcome(offered, offering, taker, conversation)
        if outcome != LINKED:
            return Link(outcome, taker)
        one = joined(offered, offering, taker, conversation, bot, at, (made[0], made[1]))
        for gone in (offered, taker):
            if gone is not None and gone.id != one.id:
                self._db.execute("DELETE FROM contacts WHERE bot = ? AND id = ?", (bot, gone.id))
        self._keep(one)
        self._db.execute("DELETE FROM contact_codes WHERE bot = ? AND code = ?", (bot, code))
        return Link(LINKED, one)

    def _unlink(self, bot: str, conversation: str, at: float, made_id: str) -> Contact | None:
        contact = self._one(bot, conversation)
        if contact is None or len(contact.conversations) < 2:
            return None
        rest, alone = parted(contact, conversation, at, made_id)
        self._keep(rest)
        self._keep(alone)
        return alone

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
        self._db.execute(
            "DELETE FROM contact_codes WHERE bot = ? AND conversation = ?", (bot, conversation)
        )
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

    async def offer(
        self, bot: str, conversation: str, code: str, expires: float, at: float
    ) -> None:
        bot, conversation = check_one(bot, conversation)
        code, (expires, at) = check_code(code), check_moments(expires, at)
        await self._file.call(True, self._offer, bot, conversation, code, expires, at)

    async def link(self, bot: str, conversation: str, code: str, at: float) -> Link:
        bot, conversation = check_one(bot, conversation)
        code, (at,) = check_code(code), check_moments(at)
        made = [new_id(), new_id()]
        return await self._file.call(True, self._link, bot, conversation, code, at, made)

    async def unlink(self, bot: str, conversation: str, at: float) -> Contact | None:
        bot, conversation = check_one(bot, conversation)
        (at,) = check_moments(at)
        return await self._file.call(True, self._unlink, bot, conversation, at, new_id())

    async def forget(self, bot: str, conversation: str) -> int:
        return await self._file.call(True, self._forget, *check_one(bot, conversation))

    async def close(self) -> None:
        await self._file.close()
