"""Tickets in the session store's SQLite file, run on that file's thread (writer.py says why).

A ticket is a row of `tickets` (its JSON without the history, and the columns a list filters
on) and its events rows of `ticket_events`, numbered from 0 in the order they were added. A
change reads the ticket, applies the rule (ticket_rules.py) and writes the row and the new
events in the transaction of its call, so it is all-or-nothing and no other change of this
process comes between; stores on the file in other processes take SQLite's write lock in turn
(`BEGIN IMMEDIATE`), so numbers and changes hold across them too. The tables keep their schema
version in `ticket_schema`, as the order tables do in theirs.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable
from collections.abc import Set as AbstractSet
from pathlib import Path
from typing import Any, TypeVar

from framework.stores.session_store import StoreError
from framework.stores.sqlite.connection import create_versioned
from framework.stores.sqlite.writer import Writer
from framework.stores.ticket_rules import (
    Change,
    added,
    check_query,
    commenting,
    could_exist,
    event_text,
    existing,
    head_text,
    load,
    moving,
    opened,
)
from framework.stores.tickets import FIRST_NUMBER, NewTicket, Ticket, TicketEvent

__all__ = ["TICKET_SCHEMA_VERSION", "SqliteTickets"]

TICKET_SCHEMA_VERSION = 1
T = TypeVar("T")

_SCHEMA = f"""
CREATE TABLE tickets (bot TEXT NOT NULL, number INTEGER NOT NULL, status TEXT NOT NULL,
    conversation TEXT NOT NULL, key TEXT, data TEXT NOT NULL, PRIMARY KEY (bot, number));
CREATE UNIQUE INDEX tickets_key ON tickets (bot, key) WHERE key IS NOT NULL;
CREATE INDEX tickets_status ON tickets (bot, status, number);
CREATE INDEX tickets_conversation ON tickets (bot, conversation, number);
CREATE TABLE ticket_events (bot TEXT NOT NULL, number INTEGER NOT NULL, seq INTEGER NOT NULL,
    data TEXT NOT NULL, PRIMARY KEY (bot, number, seq));
CREATE TABLE ticket_numbers (bot TEXT PRIMARY KEY NOT NULL, last INTEGER NOT NULL);
INSERT INTO ticket_schema VALUES ({TICKET_SCHEMA_VERSION})
"""
_NEXT_NUMBER = (
    "INSERT INTO ticket_numbers VALUES (?, ?)"
    " ON CONFLICT (bot) DO UPDATE SET last = last + 1 RETURNING last"
)
_HEAD = "SELECT data FROM tickets WHERE bot = ? AND number = ?"
_EVENTS = "SELECT data FROM ticket_events WHERE bot = ? AND number = ? ORDER BY seq"
_LIST = "SELECT number, data FROM tickets WHERE bot = ?{} ORDER BY number DESC LIMIT ?"


def _create_tables(db: sqlite3.Connection, path: str) -> None:
    create_versioned(db, path, "ticket_schema", TICKET_SCHEMA_VERSION, _SCHEMA, "ticket tables")


def _where(
    statuses: AbstractSet[str] | None, conversation: str | None, before_number: int | None
) -> tuple[str, list[Any]]:
    """The conditions of a list beyond its bot, and their parameters."""
    where, params = "", list[Any]()
    if statuses is not None:
        where += f" AND status IN ({', '.join('?' * len(statuses))})"
        params += sorted(statuses)
    if conversation is not None:
        where, params = f"{where} AND conversation = ?", [*params, conversation]
    if before_number is not None:
        where, params = f"{where} AND number < ?", [*params, before_number]
    return where, params


class SqliteTickets:
    def __init__(self, writer: Writer) -> None:
        self._writer = writer
        self._closed = False

    @classmethod
    async def open(cls, path: str | Path) -> SqliteTickets:
        return cls(await Writer.open(str(path), _create_tables))

    async def _call(self, write: bool, work: Callable[..., T], *args: Any) -> T:
        if self._closed:
            raise StoreError(f"the ticket store at {self._writer.path} is closed; open it again")
        try:
            return await self._writer.call(write, work, *args)
        except sqlite3.Error as error:  # the disk, not the ticket: worth trying again
            where = self._writer.path
            advice = "check the disk, its permissions and that no other process holds the file"
            raise StoreError(f"the tickets in {where} failed ({error}); {advice}") from error

    # -- running on the file's thread ---------------------------------------------------

    @property
    def _db(self) -> sqlite3.Connection:
        return self._writer.db

    def _ticket(self, bot: str, number: int, head: str) -> Ticket:
        rows = self._db.execute(_EVENTS, (bot, number))
        return load(head, (json.loads(data) for (data,) in rows))

    def _find(self, bot: str, number: int) -> Ticket | None:
        row = self._db.execute(_HEAD, (bot, number)).fetchone()
        return None if row is None else self._ticket(bot, number, row[0])

    def _list(self, bot: str, sql: str, params: list[Any]) -> list[Ticket]:
        rows = self._db.execute(sql, params).fetchall()
        return [self._ticket(bot, number, head) for number, head in rows]

    def _append(self, ticket: Ticket, events: Iterable[TicketEvent], first: int) -> None:
        rows = [
            (ticket.bot, ticket.number, seq, event_text(e)) for seq, e in enumerate(events, first)
        ]
        self._db.executemany("INSERT INTO ticket_events VALUES (?, ?, ?, ?)", rows)

    def _create(self, draft: Ticket) -> Ticket:
        sql = "SELECT number FROM tickets WHERE bot = ? AND key = ?"
        known = self._db.execute(sql, (draft.bot, draft.key)).fetchone() if draft.key else None
        if known is not None:
            return existing(self._find(draft.bot, known[0]), draft.bot, known[0])
        (number,) = self._db.execute(_NEXT_NUMBER, (draft.bot, FIRST_NUMBER)).fetchone()
        new = draft.changed(number=number)
        row = (new.bot, number, new.status, new.conversation, new.key or None, head_text(new))
        self._db.execute("INSERT INTO tickets VALUES (?, ?, ?, ?, ?, ?)", row)
        self._append(new, new.history, 0)
        return new

    def _change(self, bot: str, number: int, change: Change) -> Ticket:
        ticket = existing(self._find(bot, number), bot, number)
        new = change(ticket)
        sql = "UPDATE tickets SET status = ?, data = ? WHERE bot = ? AND number = ?"
        self._db.execute(sql, (new.status, head_text(new), bot, number))
        self._append(new, added(ticket, new), len(ticket.history))
        return new

    def _erase(self, bot: str, conversation: str) -> int:
        of = "SELECT number FROM tickets WHERE bot = ? AND conversation = ?"
        sql = f"DELETE FROM ticket_events WHERE bot = ? AND number IN ({of})"
        self._db.execute(sql, (bot, bot, conversation))
        sql = "DELETE FROM tickets WHERE bot = ? AND conversation = ?"
        return self._db.execute(sql, (bot, conversation)).rowcount

    # -- the TicketStore protocol ---------------------------------------------------------

    async def create(self, ticket: NewTicket, now: float) -> Ticket:
        return await self._call(True, self._create, opened(ticket, now))

    async def get(self, bot: str, number: int) -> Ticket | None:
        if not could_exist(bot, number):
            return None
        return await self._call(False, self._find, bot, number)

    async def list(
        self,
        bot: str,
        statuses: AbstractSet[str] | None = None,
        conversation: str | None = None,
        limit: int = 50,
        before_number: int | None = None,
    ) -> list[Ticket]:
        conversation = check_query(bot, statuses, conversation, limit, before_number)
        where, params = _where(statuses, conversation, before_number)
        return await self._call(False, self._list, bot, _LIST.format(where), [bot, *params, limit])

    async def _changed(self, bot: str, number: int, change: Change) -> Ticket:
        if not could_exist(bot, number):
            return existing(None, bot, number)
        return await self._call(True, self._change, bot, number, change)

    async def comment(
        self, bot: str, number: int, by: str, text: str, public: bool, now: float
    ) -> Ticket:
        return await self._changed(bot, number, commenting(by, text, public, now))

    async def set_status(
        self, bot: str, number: int, status: str, by: str, now: float, note: str | None = None
    ) -> Ticket:
        return await self._changed(bot, number, moving(status, by, now, note))

    async def erase_conversation(self, bot: str, conversation: str) -> int:
        return await self._call(True, self._erase, bot, conversation)

    async def close(self) -> None:
        if not self._closed:
            self._closed = True
            await self._writer.leave()
