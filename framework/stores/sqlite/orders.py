"""Orders in the session store's SQLite file, run on that file's thread.

Why the file's thread (writer.py) and not a connection of its own: two connections of one
process writing one file wait for each other's write lock by sleeping in SQLite's busy handler,
which under load made the pay step's turns, and then every turn, wait. On the file's thread an
order write joins the transaction of the calls waiting with it: it is answered only after that
transaction committed, all of its writes or none (a call that fails is run again alone, so it
fails alone). Stores on one file in other processes (a command next to the server) take
SQLite's write lock in turn, waiting up to the busy timeout, so numbering and compare-and-set
hold across them. WAL lets reads go on during a write.

The order tables keep their schema version in `order_schema`: `PRAGMA user_version` belongs
to the session store, and no table name here is one of its. Unsettled orders are found through
a partial index on exactly the query's condition. Payment event ids are kept until they expire
and purged at most once a minute.
"""

from __future__ import annotations

import builtins
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from framework.orders import ANNOUNCED, AWAITING, Order
from framework.stores.json_text import dump
from framework.stores.order_json import FIRST_NUMBER, load
from framework.stores.session_store import StoreError
from framework.stores.sqlite.connection import create_versioned
from framework.stores.sqlite.writer import Writer

__all__ = ["ORDER_SCHEMA_VERSION", "SqliteOrders"]

ORDER_SCHEMA_VERSION = 1
PURGE_EVERY = 60.0

_ANNOUNCED = ", ".join(f"'{status}'" for status in sorted(ANNOUNCED))
_UNSETTLED = f"status = '{AWAITING}' OR (status IN ({_ANNOUNCED}) AND announced IS NOT status)"
"""`is_unsettled` in SQL. The partial index is used when a query's condition is its own: a
change of ANNOUNCED needs a new schema version that rebuilds it (else reads scan)."""

_SCHEMA = f"""
CREATE TABLE orders (id TEXT PRIMARY KEY NOT NULL, bot TEXT NOT NULL, number INTEGER NOT NULL,
    status TEXT NOT NULL, announced TEXT, created_at REAL NOT NULL, version INTEGER NOT NULL,
    data TEXT NOT NULL, UNIQUE (bot, number));
CREATE INDEX orders_unsettled ON orders (created_at, id) WHERE {_UNSETTLED};
CREATE TABLE order_numbers (bot TEXT PRIMARY KEY NOT NULL, last INTEGER NOT NULL);
CREATE TABLE payment_events (id TEXT PRIMARY KEY NOT NULL, expires_at REAL NOT NULL);
CREATE INDEX payment_events_expiry ON payment_events (expires_at);
INSERT INTO order_schema VALUES ({ORDER_SCHEMA_VERSION})
"""
_NEXT_NUMBER = (
    "INSERT INTO order_numbers VALUES (?, ?)"
    " ON CONFLICT (bot) DO UPDATE SET last = last + 1 RETURNING last"
)
_REPLACE = (  # compare-and-set; the bot and number of an order never change
    "UPDATE orders SET status = ?, announced = ?, created_at = ?, version = ?, data = ?"
    " WHERE id = ? AND bot = ? AND number = ? AND version = ?"
)
_SEE = (  # a new id, or one whose time ran out: one row changed; a remembered id: none
    "INSERT INTO payment_events VALUES (?, ?) ON CONFLICT (id)"
    " DO UPDATE SET expires_at = excluded.expires_at WHERE payment_events.expires_at <= ?"
)
_UNSETTLED_ORDERS = f"SELECT data FROM orders WHERE {_UNSETTLED} ORDER BY created_at, id LIMIT ?"
_LIST = "SELECT data FROM orders WHERE bot = ?{} ORDER BY number DESC LIMIT ?"

T = TypeVar("T")


def _create_tables(db: sqlite3.Connection, path: str) -> None:
    create_versioned(db, path, "order_schema", ORDER_SCHEMA_VERSION, _SCHEMA, "orders")


def _data(order: Order) -> str:
    return dump(order.to_json())


class SqliteOrders:
    def __init__(self, writer: Writer) -> None:
        self._writer = writer
        self._purged_at = 0.0
        self._closed = False

    @classmethod
    async def open(cls, path: str | Path) -> SqliteOrders:
        return cls(await Writer.open(str(path), _create_tables))

    async def _call(self, work: Callable[..., T], *args: Any, write: bool = False) -> T:
        if self._closed:
            raise StoreError(f"the order store at {self._writer.path} is closed; open it again")
        return await self._writer.call(write, work, *args)

    async def _write(self, work: Callable[..., T], *args: Any) -> T:
        return await self._call(work, *args, write=True)

    # -- running on the file's thread ---------------------------------------------------

    @property
    def _db(self) -> sqlite3.Connection:
        return self._writer.db

    def _one(self, sql: str, *params: Any) -> Order | None:
        row = self._db.execute(sql, params).fetchone()
        return None if row is None else load(row[0])

    def _many(self, sql: str, *params: Any) -> list[Order]:
        return [load(data) for (data,) in self._db.execute(sql, params)]

    def _exists(self, sql: str, *params: Any) -> bool:
        return self._db.execute(sql, params).fetchone() is not None

    def _create(self, order: Order) -> Order:
        found = self._one("SELECT data FROM orders WHERE id = ?", order.id)
        if found is not None:
            return found
        (number,) = self._db.execute(_NEXT_NUMBER, (order.bot, FIRST_NUMBER)).fetchone()
        new = order.changed(number=number, version=1)
        row = (new.id, new.bot, number, new.status, new.announced, new.created_at, 1)
        self._db.execute("INSERT INTO orders VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (*row, _data(new)))
        return new

    def _replace(self, order: Order) -> Order | None:
        new = order.changed(version=order.version + 1)
        values = (new.status, new.announced, new.created_at, new.version, _data(new))
        where = (order.id, order.bot, order.number, order.version)
        return new if self._db.execute(_REPLACE, (*values, *where)).rowcount == 1 else None

    def _first_seen(self, event_id: str, now: float, ttl: float) -> bool:
        if now - self._purged_at >= PURGE_EVERY:
            self._purged_at = now
            self._db.execute("DELETE FROM payment_events WHERE expires_at <= ?", (now,))
        return self._db.execute(_SEE, (event_id, now + ttl, now)).rowcount == 1

    # -- the OrderStore protocol ---------------------------------------------------------

    async def create(self, order: Order) -> Order:
        return await self._write(self._create, order)

    async def get(self, order_id: str) -> Order | None:
        return await self._call(self._one, "SELECT data FROM orders WHERE id = ?", order_id)

    async def find(self, bot: str, number: int) -> Order | None:
        sql = "SELECT data FROM orders WHERE bot = ? AND number = ?"
        return await self._call(self._one, sql, bot, number)

    async def list(
        self, bot: str, statuses: frozenset[str] | None = None, limit: int = 50
    ) -> list[Order]:
        if statuses is None:
            return await self._call(self._many, _LIST.format(""), bot, limit)
        where = f" AND status IN ({', '.join('?' * len(statuses))})"
        return await self._call(self._many, _LIST.format(where), bot, *statuses, limit)

    async def replace(self, order: Order) -> Order | None:
        return await self._write(self._replace, order)

    async def unsettled(self, limit: int = 100) -> builtins.list[Order]:
        return await self._call(self._many, _UNSETTLED_ORDERS, limit)

    async def seen(self, event_id: str) -> bool:
        sql = "SELECT 1 FROM payment_events WHERE id = ? AND expires_at > ?"
        return await self._call(self._exists, sql, event_id, time.time())

    async def first_seen(self, event_id: str, ttl: float) -> bool:
        return await self._write(self._first_seen, event_id, time.time(), ttl)

    async def close(self) -> None:
        if not self._closed:
            self._closed = True
            await self._writer.leave()
