"""Agents in the session store's SQLite file, run on that file's thread (writer.py says why).

Three tables, versioned in `agent_schema`: `agents` (the agent's JSON, with its hash and
epoch, under its name in lowercase: the primary key makes names unique whatever their case),
`agent_sessions` (a session under its token's SHA-256, with its agent's key and when it
expires) and `agent_tries` (a name's sign-in attempts, and when they no longer matter). A
change reads the row, applies the change (agent_rules.py) and writes it in the transaction of
its call; stores of other processes take SQLite's write lock in turn, so sign-in attempts
are counted across workers. A change that ends an agent's sessions deletes their rows in the
same transaction. Expired sessions are dropped when read and when a session starts; tries
that no longer matter when a name is tried.
"""

from __future__ import annotations

import builtins
import sqlite3
from pathlib import Path

from framework.stores import agent_rules as rules
from framework.stores.agents import DEFAULT_TTL, Agent, SignedIn
from framework.stores.sqlite.connection import create_versioned
from framework.stores.sqlite.on_file import OnFile
from framework.stores.sqlite.writer import Writer

__all__ = ["AGENT_SCHEMA_VERSION", "SqliteAgents"]

AGENT_SCHEMA_VERSION = 1

_SCHEMA = f"""
CREATE TABLE agents (key TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE agent_sessions (digest TEXT PRIMARY KEY, key TEXT NOT NULL,
    expires_at REAL NOT NULL, data TEXT NOT NULL);
CREATE INDEX agent_sessions_of ON agent_sessions (key);
CREATE INDEX agent_sessions_expiry ON agent_sessions (expires_at);
CREATE TABLE agent_tries (key TEXT PRIMARY KEY, kept_until REAL NOT NULL, data TEXT NOT NULL);
CREATE INDEX agent_tries_expiry ON agent_tries (kept_until);
INSERT INTO agent_schema VALUES ({AGENT_SCHEMA_VERSION})
"""
_KEEP = "INSERT OR REPLACE INTO agents VALUES (?, ?)"
_DROP_SESSIONS = "DELETE FROM agent_sessions WHERE key = ?"


def _create_tables(db: sqlite3.Connection, path: str) -> None:
    create_versioned(db, path, "agent_schema", AGENT_SCHEMA_VERSION, _SCHEMA, "agent tables")


class SqliteAgents:
    def __init__(self, writer: Writer) -> None:
        self._file = OnFile(writer, "the agents")

    @classmethod
    async def open(cls, path: str | Path) -> SqliteAgents:
        return cls(await Writer.open(str(path), _create_tables))

    # -- running on the file's thread ---------------------------------------------------

    @property
    def _db(self) -> sqlite3.Connection:
        return self._file.db

    def _row(self, key: str) -> Agent | None:
        row = self._db.execute("SELECT data FROM agents WHERE key = ?", (key,)).fetchone()
        return None if row is None else rules.load(row[0])

    def _insert(self, new: Agent) -> None:
        key = new.name.lower()
        if self._row(key) is not None:
            raise rules.exists(new.name)
        self._db.execute(_KEEP, (key, rules.dumped(new)))

    def _delete(self, key: str, name: str) -> Agent:
        agent = self._row(key)
        if agent is None:
            raise rules.not_found(name)
        self._db.execute("DELETE FROM agents WHERE key = ?", (key,))
        self._db.execute(_DROP_SESSIONS, (key,))
        return agent

    def _list(self) -> builtins.list[Agent]:
        return [
            rules.load(data) for (data,) in self._db.execute("SELECT data FROM agents ORDER BY key")
        ]

    def _apply(self, key: str, name: str, change: rules.Change) -> Agent:
        old = self._row(key)
        if old is None:
            raise rules.not_found(name)
        new = change(old)
        self._db.execute(_KEEP, (key, rules.dumped(new)))
        if new.epoch != old.epoch:
            self._db.execute(_DROP_SESSIONS, (key,))
        return new

    def _try(self, key: str, now: float) -> float | None:
        """Count an attempt of the name; when it is locked, till when (nothing counted)."""
        self._db.execute("DELETE FROM agent_tries WHERE kept_until <= ?", (now,))
        row = self._db.execute("SELECT data FROM agent_tries WHERE key = ?", (key,)).fetchone()
        tries = None if row is None else rules.Tries.load(row[0])
        until = rules.refused_until(tries, now)
        if until is None:
            new = rules.attempted(tries, now)
            keep = "INSERT OR REPLACE INTO agent_tries VALUES (?, ?, ?)"
            self._db.execute(keep, (key, new.kept_until(), new.dumped()))
        return until

    def _start(self, key: str, name: str, now: float, ttl: float) -> tuple[str, str]:
        self._db.execute("DELETE FROM agent_sessions WHERE expires_at <= ?", (now,))
        token, csrf, digest, kept = rules.starting(self._row(key), name, now, ttl)
        row = (digest, key, kept.expires_at, kept.dumped())
        self._db.execute("INSERT INTO agent_sessions VALUES (?, ?, ?, ?)", row)
        return token, csrf

    def _session(self, digest: str, now: float) -> tuple[rules.Kept | None, SignedIn | None]:
        sql = "SELECT data FROM agent_sessions WHERE digest = ?"
        row = self._db.execute(sql, (digest,)).fetchone()
        kept = None if row is None else rules.Kept.load(row[0])
        return kept, rules.signed_in(kept, None if kept is None else self._row(kept.key), now)

    def _end(self, digest: str) -> None:
        self._db.execute("DELETE FROM agent_sessions WHERE digest = ?", (digest,))

    def _unlock(self, key: str) -> None:
        self._db.execute("DELETE FROM agent_tries WHERE key = ?", (key,))

    # -- the AgentStore protocol ----------------------------------------------------------

    async def add(self, agent: Agent, password: str, now: float) -> Agent:
        new = await rules.new_account(agent, password, now)
        await self._file.call(True, self._insert, new)
        return new

    async def remove(self, name: str) -> Agent:
        return await self._file.call(True, self._delete, rules.key_of(name), name)

    async def get(self, name: str) -> Agent | None:
        return await self._file.call(False, self._row, rules.key_of(name))

    async def list(self) -> builtins.list[Agent]:
        return await self._file.call(False, self._list)

    async def set_password(self, name: str, password: str) -> Agent:
        key = rules.key_of(name)
        return await self._file.call(True, self._apply, key, name, await rules.repassword(password))

    async def set_disabled(self, name: str, disabled: bool) -> Agent:
        change = rules.disabling(disabled)
        return await self._file.call(True, self._apply, rules.key_of(name), name, change)

    async def _attempt(self, key: str, now: float) -> None:
        until = await self._file.call(True, self._try, key, now)
        if until is not None:
            raise rules.too_many(until, now)

    async def _find(self, key: str) -> Agent | None:
        return await self._file.call(False, self._row, key)

    async def _forgive(self, key: str) -> None:
        await self._file.call(True, self._unlock, key)

    async def verify(self, name: str, password: str, now: float) -> Agent | None:
        return await rules.verifying(name, password, now, self._attempt, self._find, self._forgive)

    async def start_session(
        self, name: str, now: float, ttl: float = DEFAULT_TTL
    ) -> tuple[str, str]:
        args = (rules.key_of(name), name, rules.moment(now), rules.check_ttl(ttl))
        return await self._file.call(True, self._start, *args)

    async def session(self, token: str, now: float) -> SignedIn | None:
        at, digest = rules.moment(now), rules.token_digest(token)
        if digest is None:
            return None
        kept, live = await self._file.call(False, self._session, digest, at)
        if kept is not None and live is None:
            await self._file.call(True, self._end, digest)
        return live

    async def end_session(self, token: str) -> None:
        digest = rules.token_digest(token)
        if digest is not None:
            await self._file.call(True, self._end, digest)

    async def end_sessions(self, name: str) -> None:
        key = rules.key_of(name)
        await self._file.call(True, self._apply, key, name, rules.ending_sessions)

    async def close(self) -> None:
        await self._file.close()
