"""The one thread of a process where every call on an SQLite file runs, in the order made.

Why a thread: `sqlite3` calls block, so they run on a thread that owns the file's only
connection and the event loop just awaits them. Why one per file, shared by the stores of that
file (sessions and orders): two connections of one process writing one file take its write
lock in turn, and SQLite's busy handler waits for the lock by sleeping (1, 2, 5, 10 ms ...).
Under load the session store's thread is in a transaction nearly all the time, so an order
write slept until it found a gap, and the session store then slept behind the order write:
the pay step's turns waited twice as long as the others and the server idled a third of the
time (measured with the load benchmark). One thread per file takes the write lock once per
batch and never waits for itself; stores of other processes still take it in turn, up to the
busy timeout.

The calls that arrived while the thread was busy run together in one transaction (`BEGIN
IMMEDIATE` when one of them writes), and none is answered before that transaction committed:
each call's writes are all-or-nothing, and under load one COMMIT (the largest cost of a write)
serves many calls, with one wake-up of each event loop for all their answers. When one call
fails, the transaction is rolled back and each of its calls runs again alone, so only that one
fails.

Checkpoints (copying committed pages from the WAL into the database file, and syncing both)
run on a second thread with a connection of its own, every CHECKPOINT_EVERY seconds after a
write: SQLite's automatic checkpoint ran inside a COMMIT of the calls' thread, every 1,000
pages (~150 turns under load), and held every waiting turn for its syncs (7 ms at the 99th
percentile of COMMITs, up to 22 ms). A commit is as safe as before: with `synchronous =
NORMAL` it survives a crash of the process once committed, and a power cut may lose the
commits since the last checkpoint, which are now at most CHECKPOINT_EVERY old under any load.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import queue
import sqlite3
import threading
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from functools import partial
from typing import Any, ClassVar, TypeVar

from framework.stores.session_store import StoreError
from framework.stores.sqlite.connection import open_database

__all__ = ["Writer"]

T = TypeVar("T")

CHECKPOINT_EVERY = 0.2
"""Seconds between two checkpoints while the file is written."""


@dataclass(frozen=True, slots=True)
class _Call:
    """A store method's work for the thread, and where its answer goes."""

    future: asyncio.Future[Any]
    write: bool
    work: Callable[[], Any]


Outcome = tuple[asyncio.Future[Any], BaseException | None, Any]
"""A call's future, and its error or its value."""


def _answer(outcomes: list[Outcome]) -> None:
    """On the event loop: give each call its answer, unless its caller stopped waiting."""
    for future, error, value in outcomes:
        if future.cancelled():
            continue
        if error is None:
            future.set_result(value)
        else:
            future.set_exception(error)


class Writer:
    """The thread and connection of one file, shared by the stores open on it in this process:
    `share` when a store opens, `leave` when it closes; the last to leave closes the file."""

    _open: ClassVar[dict[str, Writer]] = {}
    _opening: ClassVar[threading.Lock] = threading.Lock()

    db: sqlite3.Connection
    """The connection: for the calls' work, which runs on the thread (never on the loop)."""

    def __init__(self, path: str, name: str) -> None:
        self.path = path
        self._name = name
        self._users = 0
        self._calls: queue.SimpleQueue[_Call | None] = queue.SimpleQueue()
        """The calls for the thread, in order; None (the last user left) ends it."""
        self._written = threading.Event()
        """Set when a write transaction ended since the last checkpoint."""
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="theke-sqlite", daemon=True)
        self._thread.start()

    @classmethod
    def share(cls, path: str) -> Writer:
        """The file's writer, started when no store of this process has the file open."""
        name = os.path.realpath(path)
        with cls._opening:
            writer = cls._open.get(name)
            if writer is None:
                writer = cls._open[name] = cls(path, name)
            writer._users += 1
            return writer

    @classmethod
    async def open(cls, path: str, prepare: Callable[[sqlite3.Connection, str], None]) -> Writer:
        """`share`, once `prepare(db, path)` (a store's tables) has committed; when the file
        cannot be used, a StoreError that says what to do, and the file is left."""
        writer = cls.share(path)
        try:
            await writer.call(True, lambda: prepare(writer.db, path))
        except (sqlite3.Error, OSError) as error:
            await writer.leave()
            raise StoreError(
                f"{path} cannot be opened as a Theke SQLite store: {error}; check the path, "
                "the disk and permissions, or move the file away if it is something else"
            ) from error
        except BaseException:
            await writer.leave()
            raise
        return writer

    async def leave(self) -> None:
        """A store is done with the file: the last one closes it and ends the thread."""
        with self._opening:
            self._users -= 1
            last = self._users == 0
            if last:
                del self._open[self._name]
        if last:
            self._calls.put(None)  # after every call already made
            await asyncio.to_thread(self._thread.join)

    async def call(self, write: bool, work: Callable[..., T], *args: Any) -> T:
        """`work(*args)` on the thread (it uses `db`), answered once its transaction committed;
        its own error (an `sqlite3.Error`, ...) as it was raised."""
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._calls.put(_Call(future, write, partial(work, *args)))
        return await future

    # -- running on the thread -----------------------------------------------------------

    def _serve(self) -> None:
        """Open the file, then run the calls, all those waiting in one transaction."""
        db: sqlite3.Connection | None = None
        broken: BaseException | None = None
        checkpoints = threading.Thread(
            target=self._checkpoints, name="theke-sqlite-checkpoints", daemon=True
        )
        try:
            db = self.db = open_database(self.path)
            db.execute("PRAGMA wal_autocheckpoint = 0")  # the other thread's work
            checkpoints.start()
        except (sqlite3.Error, OSError) as error:  # every call is told why
            broken = error
        while True:
            calls = [self._calls.get()]
            while not self._calls.empty():
                calls.append(self._calls.get_nowait())
            waited = [call for call in calls if call is not None and not call.future.cancelled()]
            if waited and db is not None:
                _settle(_together(db, waited))
                if any(call.write for call in waited):
                    self._written.set()
            elif waited:
                _settle([(call.future, broken, None) for call in waited])
            if calls[-1] is None:
                self._stopping.set()
                if db is not None:
                    checkpoints.join()
                    db.close()  # the last connection: SQLite checkpoints what is left
                return

    def _checkpoints(self) -> None:
        """Checkpoint the file after writes, on a connection of its own: PASSIVE, so the
        calls' thread goes on writing meanwhile and nothing waits for a lock."""
        with contextlib.suppress(sqlite3.Error, OSError), closing(open_database(self.path)) as db:
            while not self._stopping.wait(CHECKPOINT_EVERY):
                if self._written.is_set():
                    self._written.clear()
                    with contextlib.suppress(sqlite3.Error):  # busy: the next one does it
                        db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()


def _together(db: sqlite3.Connection, calls: list[_Call]) -> list[Outcome]:
    """The calls in one transaction; when one of them fails, each again in its own."""
    try:
        db.execute("BEGIN IMMEDIATE" if any(call.write for call in calls) else "BEGIN")
    except sqlite3.Error as error:  # locked by another process beyond the busy timeout
        return [(call.future, error, None) for call in calls]
    try:
        values = [call.work() for call in calls]
    except BaseException as error:
        _rollback(db)
        if len(calls) == 1:
            return [(calls[0].future, error, None)]
        return [outcome for call in calls for outcome in _together(db, [call])]
    try:
        db.execute("COMMIT")
    except sqlite3.Error as error:
        _rollback(db)
        return [(call.future, error, None) for call in calls]
    return [(call.future, None, value) for call, value in zip(calls, values, strict=True)]


def _rollback(db: sqlite3.Connection) -> None:
    if db.in_transaction:
        with contextlib.suppress(sqlite3.Error):
            db.execute("ROLLBACK")


def _settle(outcomes: list[Outcome]) -> None:
    """Hand the outcomes to their event loops: one wake-up each."""
    loops: dict[asyncio.AbstractEventLoop, list[Outcome]] = {}
    for outcome in outcomes:
        loops.setdefault(outcome[0].get_loop(), []).append(outcome)
    for loop, answers in loops.items():
        with contextlib.suppress(RuntimeError):  # the loop is closed: nobody waits
            loop.call_soon_threadsafe(_answer, answers)
