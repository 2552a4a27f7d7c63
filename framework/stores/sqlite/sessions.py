"""The embedded default store: one SQLite file, served by one process.

Why one thread: `sqlite3` calls block, so every call runs on the file's thread (writer.py),
which owns its only connection; the event loop just awaits it. That thread also serializes
the store: each protocol method is one function run there, in the order of the calls, so a
claim, an enqueue and a commit never interleave. The calls that arrived while the thread was
busy run together in one transaction, and none is answered before that transaction committed:
a commit (session, profile, inbox, log, result, timers, lease) is all-or-nothing, and under
load one COMMIT serves many calls. The order store of the same file runs on the same thread.

Why WAL: a commit appends to the write-ahead log instead of rewriting pages in place, and a
reader (a backup, `sqlite3` on the command line) never blocks the writer. With
`synchronous=NORMAL` a commit survives a crash of the process; on power loss the newest
commits may be lost, but the file is never left half-written.

What survives a restart: everything, because everything is in the file: sessions, profiles,
waiting inbox items and seen ids, logs, results and timers. Leases are wall-clock deadlines
(`time.time()`), so a lease a dead process left behind expires and the session can be claimed
again. Reads never write: an idle session is forgotten by its next write, and a purge inside
`enqueue` (at most once a minute) deletes expired rows so the file does not grow forever.
Several processes must not serve one file (the server refuses several workers on SQLite).

What is kept how long: a result is the sequence range its commit appended to the log
(`first_seq > last_seq` when it appended nothing), the entries themselves are only in `log`.
The log is history: reads ignore it history_ttl after the session's last commit
(`sessions.touched_at`), the next commit starts it afresh (the seq numbers continue) and the
purge deletes it. A session's "profile" member is not stored twice: when it is the profile
(and profiles outlive sessions), `state` leaves it out, `shared_profile` is 1 and a claim puts
the profile back. The answers to a turn's requests (`answers`) are kept like results and
deleted with the session's other rows.
"""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import Callable
from itertools import count
from typing import Any, TypeVar

from framework.stores.json_text import dump, load
from framework.stores.records import (
    Claim,
    Commit,
    InboxItem,
    LogEntry,
    Peeked,
    StoreLimits,
    iso_time,
    session_without_profile,
)
from framework.stores.session_store import StoreError
from framework.stores.sqlite.schema import prepare
from framework.stores.sqlite.writer import Writer

__all__ = ["SqliteStore"]

PURGE_EVERY = 60.0
_SESSION_TABLES = ("inbox", "seen", "leases", "log", "results", "answers", "timers")
_PENDING = (
    "SELECT inbox.key FROM inbox JOIN sessions ON sessions.key = inbox.key"
    " WHERE sessions.touched_at >= ? GROUP BY inbox.key ORDER BY MIN(inbox.position) LIMIT ?"
)

_SEE = (  # a new id, or one whose dedupe ended: one row changed; a seen id: none
    "INSERT INTO seen VALUES (?, ?, ?)"
    " ON CONFLICT (key, id) DO UPDATE SET until = excluded.until WHERE seen.until <= ?"
)
_CLAIM = (
    "SELECT touched_at, state, seq, shared_profile,"
    " (SELECT data FROM profiles WHERE key = sessions.key),"
    " (SELECT until FROM leases WHERE key = sessions.key),"
    " (SELECT item FROM inbox WHERE key = sessions.key ORDER BY position LIMIT 1)"
    " FROM sessions WHERE key = ?"
)
_PEEK = (
    "SELECT touched_at, state, seq, shared_profile,"
    " (SELECT data FROM profiles WHERE key = sessions.key) FROM sessions WHERE key = ?"
)
_LEASED = (  # the session, its lease and the first two items of its inbox, in one query
    "SELECT touched_at, seq, token, until, position, inbox.id, inbox.item"
    " FROM sessions JOIN leases USING (key) LEFT JOIN inbox USING (key)"
    " WHERE sessions.key = ? ORDER BY position LIMIT 2"
)
_PROFILE = (  # updated in place: cheaper than a replacement (a delete and an insert)
    "INSERT INTO profiles VALUES (?, ?, ?)"
    " ON CONFLICT (key) DO UPDATE SET data = excluded.data, touched_at = excluded.touched_at"
)
_TIMER = (
    "INSERT INTO timers VALUES (?, ?, ?) ON CONFLICT (key, name) DO UPDATE SET due = excluded.due"
)

T = TypeVar("T")


def _loaded(state: str | None, shared: int, profile: str) -> tuple[Any, dict[str, Any]]:
    """A stored session (None: none yet; its profile put back when it was left out) and
    profile, decoded: fresh objects, the engine may change them."""
    session = None if state is None else load(state)
    if session is not None and shared:
        session["profile"] = load(profile)
    loaded: dict[str, Any] = load(profile)
    return session, loaded


class SqliteStore:
    def __init__(
        self,
        writer: Writer,
        limits: StoreLimits | None = None,
        clock: Callable[[], float] = time.time,
    ):
        self._writer = writer
        self._path = writer.path
        self._limits = limits or StoreLimits()
        self._clock = clock
        self._purged_at = 0.0
        self._closed = False
        self._tokens = f"{uuid.uuid4().hex[:8]}-"
        self._claims = count()
        """Lease tokens: this store's prefix and a number (uuid4 per claim took a syscall)."""
        self._cursor: sqlite3.Cursor | None = None

    @classmethod
    async def open(
        cls,
        path: str,
        limits: StoreLimits | None = None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> SqliteStore:
        return cls(await Writer.open(path, prepare), limits, clock)

    async def _call(self, write: bool, work: Callable[..., T], *args: Any) -> T:
        if self._closed:
            raise StoreError(f"the SQLite store at {self._path} is closed; open it again")
        try:
            return await self._writer.call(write, work, *args)
        except sqlite3.Error as error:
            verb = "written" if write else "read"
            raise StoreError(
                f"the SQLite store at {self._path} cannot be {verb}: {error}; check the disk, "
                "its permissions and that no other process holds the file"
            ) from error

    # -- running on the file's thread ----------------------------------------------------

    @property
    def _db(self) -> sqlite3.Connection:
        return self._writer.db

    @property
    def _statements(self) -> sqlite3.Cursor:
        """The store's one cursor, made on the file's thread at its first statement: each
        `Connection.execute` makes a cursor (and registers it with the connection), ~16 in a
        turn. Every statement's rows are read before the next one runs."""
        cursor = self._cursor
        if cursor is None:
            cursor = self._cursor = self._db.cursor()
        return cursor

    def _run(self, sql: str, *params: Any) -> sqlite3.Cursor:
        return self._statements.execute(sql, params)

    def _row(self, sql: str, *params: Any) -> Any:
        return self._run(sql, *params).fetchone()

    def _idle(self, key: str, now: float) -> float | None:
        """How long ago the session's last commit was; None for an unknown session."""
        row = self._row("SELECT touched_at FROM sessions WHERE key = ?", key)
        return None if row is None else now - float(row[0])

    def _alive(self, key: str, now: float) -> bool:
        idle = self._idle(key, now)
        return idle is not None and idle <= self._limits.session_ttl

    def _history_kept(self, key: str, now: float) -> bool:
        """Whether the session's log still counts: history_ttl after its last commit it is gone."""
        idle, limits = self._idle(key, now), self._limits
        return idle is not None and idle <= min(limits.session_ttl, limits.history_ttl)

    def _touch(self, key: str, now: float) -> None:
        """Make sure the session exists; forget it (not a recent profile) when it idled."""
        if self._alive(key, now):
            return
        for table in _SESSION_TABLES:
            self._run(f"DELETE FROM {table} WHERE key = ?", key)
        ttl = self._limits.profile_ttl
        self._run("DELETE FROM profiles WHERE key = ? AND ? - touched_at > ?", key, now, ttl)
        self._run("UPDATE profiles SET touched_at = ? WHERE key = ?", now, key)
        sql = "INSERT OR REPLACE INTO sessions (key, state, seq, touched_at) VALUES (?, NULL, 0, ?)"
        self._run(sql, key, now)

    def _purge(self, now: float) -> None:
        """Delete what expired, at most once a minute, so the file does not grow forever."""
        if now - self._purged_at < PURGE_EVERY:
            return
        self._purged_at, idle = now, now - self._limits.session_ttl
        idle_keys = "SELECT key FROM sessions WHERE touched_at < ?"
        for table in _SESSION_TABLES:
            self._run(f"DELETE FROM {table} WHERE key IN ({idle_keys})", idle)
        self._run("DELETE FROM sessions WHERE touched_at < ?", idle)
        self._run(f"DELETE FROM log WHERE key IN ({idle_keys})", now - self._limits.history_ttl)
        self._run("DELETE FROM profiles WHERE touched_at < ?", now - self._limits.profile_ttl)
        self._run("DELETE FROM seen WHERE until <= ?", now)
        self._run("DELETE FROM results WHERE until <= ?", now)
        self._run("DELETE FROM answers WHERE until <= ?", now)

    def _enqueue(self, key: str, item: InboxItem) -> bool:
        now = self._clock()
        self._purge(now)
        self._touch(key, now)
        until = now + self._limits.result_ttl
        if self._run(_SEE, key, item.id, until, now).rowcount == 0:
            return False  # seen, and not yet forgotten
        sql = "INSERT INTO inbox (key, id, item) VALUES (?, ?, ?)"
        self._run(sql, key, item.id, dump(item.to_json()))
        return True

    def _claim(self, key: str, owner: str, lease: float) -> Claim | None:
        now = self._clock()
        row = self._row(_CLAIM, key)
        if row is None or now - row[0] > self._limits.session_ttl:
            self._touch(key, now)  # unknown or forgotten: nothing waits in its inbox
            return None
        _, state, seq, shared, profile, leased_until, first = row
        if first is None or (leased_until is not None and leased_until > now):
            return None
        token = f"{owner}:{self._tokens}{next(self._claims)}"
        self._run("INSERT OR REPLACE INTO leases VALUES (?, ?, ?)", key, token, now + lease)
        session, loaded = _loaded(state, shared, profile or "{}")
        item = InboxItem.from_json(load(first))
        return Claim(key, token, lease, session, loaded, item, int(seq))

    def _commit(self, claim: Claim, commit: Commit) -> Claim | bool:
        key, now, limits = claim.key, self._clock(), self._limits
        rows = self._run(_LEASED, key).fetchall()
        if not rows:
            return False
        idle, seq, token, leased_until = now - rows[0][0], int(rows[0][1]), rows[0][2], rows[0][3]
        if idle > limits.session_ttl:
            self._touch(key, now)  # forgotten while leased: so is the lease
            return False
        inbox = [row[4:] for row in rows if row[4] is not None]
        if token != claim.token or leased_until <= now or not inbox or inbox[0][1] != claim.item.id:
            return False  # the lease was lost (fencing), or this claim committed already
        self._run("DELETE FROM inbox WHERE position = ?", inbox[0][0])
        if idle > limits.history_ttl:
            self._run("DELETE FROM log WHERE key = ?", key)  # the history expired: start afresh
        last = self._append_log(key, seq, commit.entries)
        apart = session_without_profile(commit, limits)
        state, shared = dump(commit.session if apart is None else apart), apart is not None
        sql = "UPDATE sessions SET state = ?, seq = ?, touched_at = ?, shared_profile = ?"
        self._run(f"{sql} WHERE key = ?", state, last, now, shared, key)
        profile = dump(commit.profile)
        if commit.profile:
            self._run(_PROFILE, key, profile, now)
        else:  # nothing remembered, or all of it forgotten: no row is kept
            self._run("DELETE FROM profiles WHERE key = ?", key)
        until = now + limits.result_ttl
        sql = "INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?)"
        self._run(sql, key, commit.item_id, seq + 1, last, until)
        self._set_timers(key, commit.timers)
        if len(inbox) == 1:
            self._run("DELETE FROM leases WHERE key = ?", key)
            return True
        self._run("UPDATE leases SET until = ? WHERE key = ?", now + claim.lease, key)
        session, loaded = _loaded(state, shared, profile)
        item = InboxItem.from_json(load(inbox[1][2]))
        return Claim(key, claim.token, claim.lease, session, loaded, item, last)

    def _append_log(self, key: str, seq: int, new: list[LogEntry]) -> int:
        """Number the entries after `seq`, append them and trim the log; the last seq."""
        if not new:
            return seq
        rows = [(key, seq + n, dump({**entry, "seq": seq + n})) for n, entry in enumerate(new, 1)]
        self._statements.executemany("INSERT OR REPLACE INTO log VALUES (?, ?, ?)", rows)
        last = seq + len(rows)
        oldest = last - self._limits.log_length
        if oldest > 0:
            self._run("DELETE FROM log WHERE key = ? AND seq <= ?", key, oldest)
        return last

    def _set_timers(self, key: str, timers: dict[str, float | None]) -> None:
        for name, due in timers.items():
            if due is None:
                self._run("DELETE FROM timers WHERE key = ? AND name = ?", key, name)
            else:
                self._run(_TIMER, key, name, due)

    def _release(self, claim: Claim) -> None:
        self._run("DELETE FROM leases WHERE key = ? AND token = ?", claim.key, claim.token)

    def _result(self, key: str, item_id: str) -> list[LogEntry] | None:
        now = self._clock()
        sql = "SELECT first_seq, last_seq FROM results WHERE key = ? AND id = ? AND until > ?"
        row = self._row(sql, key, item_id, now)
        if row is None or not self._alive(key, now):
            return None
        if not self._history_kept(key, now):
            return []
        sql = "SELECT entry FROM log WHERE key = ? AND seq BETWEEN ? AND ? ORDER BY seq"
        return [load(entry) for (entry,) in self._run(sql, key, *row)]

    def _keep_answer(self, key: str, request_id: str, answer: str) -> None:
        now = self._clock()
        self._touch(key, now)
        until = now + self._limits.result_ttl
        self._run(
            "INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?)", key, request_id, answer, until
        )

    def _kept_answer(self, key: str, request_id: str) -> str | None:
        now = self._clock()
        sql = "SELECT answer FROM answers WHERE key = ? AND id = ? AND until > ?"
        row = self._row(sql, key, request_id, now)
        return None if row is None or not self._alive(key, now) else str(row[0])

    def _peek(self, key: str) -> Peeked | None:
        row = self._row(_PEEK, key)
        if row is None or row[1] is None or self._clock() - row[0] > self._limits.session_ttl:
            return None
        session, _ = _loaded(row[1], row[3], row[4] or "{}")
        return Peeked(session, int(row[2]))

    def _log(self, key: str, after: int, limit: int) -> list[LogEntry]:
        if not self._history_kept(key, self._clock()):
            return []
        sql = "SELECT entry FROM log WHERE key = ? AND seq > ? ORDER BY seq LIMIT ?"
        return [load(entry) for (entry,) in self._run(sql, key, after, limit)]

    def _fire_timers(self, now: float, limit: int) -> list[str]:
        fired: list[str] = []
        sql = "SELECT key, name, due FROM timers WHERE due <= ? ORDER BY due LIMIT ?"
        while len(fired) < limit:
            due = self._run(sql, now, limit).fetchall()
            for key, name, at in due:
                if len(fired) == limit:
                    break
                self._run("DELETE FROM timers WHERE key = ? AND name = ?", key, name)
                if self._alive(key, self._clock()):  # an idle session's timers are gone
                    item = InboxItem.fired(name, at, iso_time(now))
                    if self._enqueue(key, item):
                        fired.append(key)
            if len(due) < limit:
                break
        return fired

    def _pending(self, limit: int) -> list[str]:
        since = self._clock() - self._limits.session_ttl
        return [key for (key,) in self._run(_PENDING, since, limit)]

    def _erase(self, key: str) -> bool:
        tables = ("sessions", "profiles", *_SESSION_TABLES)
        return sum(self._run(f"DELETE FROM {t} WHERE key = ?", key).rowcount for t in tables) > 0

    def _ping(self) -> None:
        self._row("SELECT 1")

    # -- the Store protocol --------------------------------------------------------------

    async def enqueue(self, key: str, item: InboxItem) -> bool:
        return await self._call(True, self._enqueue, key, item)

    async def claim(self, key: str, owner: str, lease: float) -> Claim | None:
        return await self._call(True, self._claim, key, owner, lease)

    async def commit(self, claim: Claim, commit: Commit) -> Claim | bool:
        return await self._call(True, self._commit, claim, commit)

    async def release(self, claim: Claim) -> None:
        await self._call(True, self._release, claim)

    async def result(self, key: str, item_id: str) -> list[LogEntry] | None:
        return await self._call(False, self._result, key, item_id)

    async def keep_answer(self, key: str, request_id: str, answer: str) -> None:
        await self._call(True, self._keep_answer, key, request_id, answer)

    async def kept_answer(self, key: str, request_id: str) -> str | None:
        return await self._call(False, self._kept_answer, key, request_id)

    async def peek(self, key: str) -> Peeked | None:
        return await self._call(False, self._peek, key)

    async def log(self, key: str, after: int, limit: int = 100) -> list[LogEntry]:
        return await self._call(False, self._log, key, after, limit)

    async def fire_timers(self, now: float, limit: int = 100) -> list[str]:
        return await self._call(True, self._fire_timers, now, limit)

    async def pending(self, limit: int = 100) -> list[str]:
        return await self._call(False, self._pending, limit)

    async def erase(self, key: str) -> bool:
        return await self._call(True, self._erase, key)

    async def ping(self) -> None:
        await self._call(False, self._ping)

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True  # _call accepts no more; the calls already made run first
        await self._writer.leave()
