"""Bookings in the session store's SQLite file, run on that file's thread (writer.py says why).

A booking is a row of `bookings`: its JSON (history included) and the columns the queries read.
Every call runs in one transaction on the file's thread, and stores on the file in other
processes take SQLite's write lock in turn (`BEGIN IMMEDIATE`), so what a call reads and writes
is never changed in between by anyone:

- a hold (and a confirm after the hold lapsed, and a move) looks for bookings in its way and
  writes in the same transaction: the query narrows the rows to those of the resource that are
  held or confirmed and start less than MAX_SPAN before its span (index `bookings_live`), the
  rule (`booking_rules.first_in_the_way`) decides, so no two live bookings ever overlap;
- `expire` and `claim_reminders` read what is due (indexes on `hold_due` and `reminder_due`,
  the times booking_rules gives) and write the change in the same transaction: the next call,
  of this process or another, no longer finds it due, so each is handed out once.

Numbers count up per bot in `booking_numbers`, as tickets' do. The tables keep their schema
version in `booking_schema`.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Set as AbstractSet
from pathlib import Path
from typing import Any

from framework.stores import booking_checks as checked
from framework.stores import booking_rules as rules
from framework.stores.bookings import FIRST_NUMBER, Booking, Busy, DueReminder, NewHold
from framework.stores.sqlite.connection import create_versioned
from framework.stores.sqlite.on_file import OnFile
from framework.stores.sqlite.writer import Writer

__all__ = ["BOOKING_SCHEMA_VERSION", "SqliteBookings"]

BOOKING_SCHEMA_VERSION = 1

_LIVE = "status IN ('held', 'confirmed')"
_SCHEMA = f"""
CREATE TABLE bookings (bot TEXT NOT NULL, number INTEGER NOT NULL, token TEXT NOT NULL,
    status TEXT NOT NULL, resource TEXT NOT NULL, start_at REAL NOT NULL, end_at REAL NOT NULL,
    blocked_from REAL NOT NULL, blocked_until REAL NOT NULL, expires_at REAL NOT NULL,
    hold_due REAL, reminder_due REAL, conversation TEXT NOT NULL, key TEXT,
    data TEXT NOT NULL, PRIMARY KEY (bot, number));
CREATE UNIQUE INDEX bookings_key ON bookings (bot, key) WHERE key IS NOT NULL;
CREATE UNIQUE INDEX bookings_token ON bookings (token);
CREATE INDEX bookings_live ON bookings (bot, resource, blocked_from, blocked_until)
    WHERE {_LIVE};
CREATE INDEX bookings_holds ON bookings (hold_due) WHERE hold_due IS NOT NULL;
CREATE INDEX bookings_reminders ON bookings (reminder_due) WHERE reminder_due IS NOT NULL;
CREATE INDEX bookings_start ON bookings (bot, start_at, number);
CREATE INDEX bookings_conversation ON bookings (bot, conversation, start_at, number);
CREATE TABLE booking_numbers (bot TEXT PRIMARY KEY NOT NULL, last INTEGER NOT NULL);
INSERT INTO booking_schema VALUES ({BOOKING_SCHEMA_VERSION})
"""
_NEXT_NUMBER = (
    "INSERT INTO booking_numbers VALUES (?, ?)"
    " ON CONFLICT (bot) DO UPDATE SET last = last + 1 RETURNING last"
)
_KEEP = "INSERT OR REPLACE INTO bookings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
_SPANS = (
    "SELECT {} number, status, expires_at, blocked_from, blocked_until FROM bookings"
    f" WHERE bot = ? AND resource {{}} AND {_LIVE} AND blocked_from > ? AND blocked_from < ?"
)
_IN_THE_WAY = _SPANS.format("", "= ?") + " AND blocked_until > ?"
_DUE = "SELECT data FROM bookings WHERE {0} <= ? ORDER BY {0}, bot, number LIMIT ?"


def _create_tables(db: sqlite3.Connection, path: str) -> None:
    create_versioned(db, path, "booking_schema", BOOKING_SCHEMA_VERSION, _SCHEMA, "booking tables")


def _row(b: Booking) -> tuple[Any, ...]:
    times = (b.start, b.end, b.blocked_from, b.blocked_until, b.expires_at)
    dues = (rules.hold_due(b), rules.reminder_due(b))
    head = (b.bot, b.number, b.token, b.status, b.resource)
    return (*head, *times, *dues, b.conversation, b.key or None, rules.dumped(b))


def _where(
    statuses: AbstractSet[str] | None,
    conversation: str | None,
    resource: str | None,
    low: float,
    high: float,
) -> tuple[str, list[Any]]:
    """The conditions of a list beyond its bot, and their parameters."""
    where, params = "", list[Any]()
    if statuses is not None:
        where += f" AND status IN ({', '.join('?' * len(statuses))})"
        params += sorted(statuses)
    for column, value in (("conversation", conversation), ("resource", resource)):
        if value is not None:
            where, params = f"{where} AND {column} = ?", [*params, value]
    if math.isfinite(low):  # the bound lets the index skip what starts long before
        bound = low - checked.MAX_SPAN - 1
        where, params = f"{where} AND start_at > ? AND end_at > ?", [*params, bound, low]
    if math.isfinite(high):
        where, params = f"{where} AND start_at < ?", [*params, high]
    return where, params


class SqliteBookings(rules.ChangedByRule):
    def __init__(self, writer: Writer) -> None:
        self._file = OnFile(writer, "the bookings")

    @classmethod
    async def open(cls, path: str | Path) -> SqliteBookings:
        return cls(await Writer.open(str(path), _create_tables))

    # -- running on the file's thread ---------------------------------------------------

    @property
    def _db(self) -> sqlite3.Connection:
        return self._file.db

    def _one(self, sql: str, *params: Any) -> Booking | None:
        row = self._db.execute(sql, params).fetchone()
        return None if row is None else rules.load(row[0])

    def _all(self, sql: str, *params: Any) -> list[Booking]:
        return [rules.load(data) for (data,) in self._db.execute(sql, params)]

    def _find(self, bot: str, number: int) -> Booking | None:
        return self._one("SELECT data FROM bookings WHERE bot = ? AND number = ?", bot, number)

    def _in_the_way(self, booking: Booking, now: float) -> int:
        b = booking
        params = (b.bot, b.resource, b.blocked_from - checked.MAX_SPAN - 1, b.blocked_until)
        rows = self._db.execute(_IN_THE_WAY, (*params, b.blocked_from))
        return rules.first_in_the_way((rules.Span(*row) for row in rows), booking, now)

    def _keep(self, booking: Booking) -> Booking:
        self._db.execute(_KEEP, _row(booking))
        return booking

    def _hold(self, draft: Booking, now: float) -> Booking:
        if draft.key:
            sql = "SELECT data FROM bookings WHERE bot = ? AND key = ?"
            known = self._one(sql, draft.bot, draft.key)
            if known is not None:
                return known
        taken = self._in_the_way(draft, now)
        if taken:
            raise rules.slot_taken(draft, taken)
        (number,) = self._db.execute(_NEXT_NUMBER, (draft.bot, FIRST_NUMBER)).fetchone()
        return self._keep(draft.changed(number=number))

    def _change(self, bot: str, number: int, change: rules.Change, now: float) -> Booking:
        old = rules.existing(self._find(bot, number), bot, number)
        new = rules.decide(old, change, now, lambda booking: self._in_the_way(booking, now))
        return new if new is old else self._keep(new)

    def _expire(self, now: float, limit: int) -> list[Booking]:
        expired = [rules.expiring(b, now) for b in self._all(_DUE.format("hold_due"), now, limit)]
        return [self._keep(booking) for booking in expired if booking is not None]

    def _claim(self, now: float, limit: int) -> list[DueReminder]:
        due = self._all(_DUE.format("reminder_due"), now, limit)
        claimed = [rules.reminding(booking, now) for booking in due]
        return [one for one in claimed if one is not None and self._keep(one.booking)]

    def _busy(self, bot: str, wanted: list[str], low: float, high: float, now: float) -> list[Busy]:
        sql = _SPANS.format("resource,", f"IN ({', '.join('?' * len(wanted))})")
        rows = self._db.execute(sql, (bot, *wanted, low - checked.MAX_SPAN - 1, high))
        found = ((row[0], rules.Span(*row[1:])) for row in rows)
        return rules.busy_spans(found, low, high, now)

    # -- the BookingStore protocol --------------------------------------------------------

    async def hold(self, new: NewHold, now: float) -> Booking:
        draft = checked.held(new, now)
        return await self._file.call(True, self._hold, draft, now)

    async def _changed(self, bot: str, number: int, change: rules.Change, now: float) -> Booking:
        if not checked.could_exist(bot, number):
            return rules.existing(None, bot, number)
        return await self._file.call(True, self._change, bot, number, change, now)

    async def expire(self, now: float, limit: int = 100) -> list[Booking]:
        at, most = checked.moment(now), checked.check_limit(limit)
        return await self._file.call(True, self._expire, at, most)

    async def claim_reminders(self, now: float, limit: int = 100) -> list[DueReminder]:
        at, most = checked.moment(now), checked.check_limit(limit)
        return await self._file.call(True, self._claim, at, most)

    async def busy(
        self, bot: str, resources: AbstractSet[str], start: float, end: float, now: float
    ) -> list[Busy]:
        wanted, low, high, at = checked.check_busy(bot, resources, start, end, now)
        return await self._file.call(False, self._busy, bot, wanted, low, high, at)

    async def get(self, bot: str, number: int) -> Booking | None:
        if not checked.could_exist(bot, number):
            return None
        return await self._file.call(False, self._find, bot, number)

    async def by_token(self, token: str) -> Booking | None:
        if checked.token_bot(token) is None:
            return None
        sql = "SELECT data FROM bookings WHERE token = ?"
        return await self._file.call(False, self._one, sql, token)

    async def list(
        self,
        bot: str,
        statuses: AbstractSet[str] | None = None,
        conversation: str | None = None,
        resource: str | None = None,
        start: float | None = None,
        end: float | None = None,
        limit: int = 50,
    ) -> list[Booking]:
        conversation, low, high = checked.check_query(
            bot, statuses, conversation, resource, start, end, limit
        )
        where, params = _where(statuses, conversation, resource, low, high)
        sql = f"SELECT data FROM bookings WHERE bot = ?{where} ORDER BY start_at, number LIMIT ?"
        return await self._file.call(False, self._all, sql, bot, *params, limit)

    async def close(self) -> None:
        await self._file.close()
