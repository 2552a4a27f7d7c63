"""The reference store: everything in one process's memory.

It defines what every store must do (the contract suite runs against it first) and is the
test double. It does not survive a restart and cannot be shared between processes.

A processed item's result is its sequence range in the log (first and last seq of the entries
its commit appended), kept result_ttl: `result` returns what of that range is still in the
log. The log is history: history_ttl after a session's last commit it is gone, while the state
(and its seq) stays for session_ttl, so the next commit starts a fresh log that continues the
sequence numbers. The answers kept for a turn's requests live as long as results, and go with
the session when it is forgotten.

State, profile and log entries are kept as JSON text, as every other store keeps them: a
claim hands out fresh objects, a session that is not JSON fails here as it would elsewhere,
and the garbage collector sees a few strings per session instead of ~46 objects, which every
full collection scanned again (25 ms for 2,000 sessions, during which no turn runs).

Due timers are found through a heap and waiting inboxes through an ordered set, so the
runtime's tick costs what is due, not a walk over every session (with 20,000 sessions the walk
took ~25 ms of every tick, twice a second). The heap holds one entry per timer, at or before
its due: every turn moves the conversation's reminder and expiry later, and an entry for each
move would keep ~7 M entries after an hour at 1,700 turns/s; the entry, when it comes up, is
queued again for the timer's later due instead.
"""

from __future__ import annotations

import heapq
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import count
from typing import TypeVar

from framework.stores.json_text import dump, load
from framework.stores.records import (
    Claim,
    Commit,
    InboxItem,
    LogEntry,
    Peeked,
    StoreLimits,
    iso_time,
)

__all__ = ["MemoryStore"]

T = TypeVar("T")


@dataclass
class _Session:
    state: str | None = None
    profile: str = "{}"
    inbox: deque[InboxItem] = field(default_factory=deque)
    seen: dict[str, float] = field(default_factory=dict)
    lease: tuple[str, float] | None = None
    log: deque[tuple[int, str]] = field(default_factory=deque)
    """(seq, entry), at most log_length"""
    seq: int = 0
    results: dict[str, tuple[int, int, float]] = field(default_factory=dict)
    """item id -> the first and last seq its commit appended (first > last: none), until."""
    answers: dict[str, tuple[str, float]] = field(default_factory=dict)
    """request id -> the answer kept for it, until."""
    timers: dict[str, float] = field(default_factory=dict)
    queued: dict[str, float] = field(default_factory=dict)
    """timer name -> the due of its entry in the store's heap (at or before the timer's)."""
    touched: float = 0.0
    """The last commit (or when the session began)."""


def _drop_expired(kept: dict[str, T], now: float, until: Callable[[T], float]) -> None:
    """Drops what expired from the front: entries are kept for a fixed time from when they
    were added, so the oldest expires first (a walk over all of them cost every turn as many
    steps as the session had turns that day)."""
    while kept:
        oldest = next(iter(kept))
        if until(kept[oldest]) > now:
            return
        del kept[oldest]


class MemoryStore:
    def __init__(self, limits: StoreLimits | None = None, clock: Callable[[], float] = time.time):
        self._limits = limits or StoreLimits()
        self._clock = clock
        self._sessions: dict[str, _Session] = {}
        self._due: list[tuple[float, str, str]] = []
        """A heap of (due, key, timer name): an entry its session no longer queues (the
        timer moved earlier, or the session expired) is skipped."""
        self._waiting: dict[str, None] = {}
        """Keys whose inbox may hold items, oldest first."""
        self._claims = count()
        """Lease tokens: a number per claim, unique in this store (uuid4 took a syscall)."""

    def _get(self, key: str) -> _Session:
        now = self._clock()
        found = self._sessions.get(key)
        if found is None:
            found = self._sessions[key] = self._fresh(now)
        elif self._expired(found):
            keep = now - found.touched <= self._limits.profile_ttl
            found = self._sessions[key] = self._fresh(now, found.profile if keep else "{}")
        return found

    def _fresh(self, now: float, profile: str = "{}") -> _Session:
        return _Session(profile=profile, log=deque(maxlen=self._limits.log_length), touched=now)

    async def enqueue(self, key: str, item: InboxItem) -> bool:
        session, now = self._get(key), self._clock()
        _drop_expired(session.seen, now, lambda until: until)
        if session.seen.get(item.id, now) > now:
            return False
        session.seen[item.id] = now + self._limits.result_ttl
        session.inbox.append(item)
        self._waiting[key] = None
        return True

    async def claim(self, key: str, owner: str, lease: float) -> Claim | None:
        session, now = self._get(key), self._clock()
        if not session.inbox or (session.lease is not None and session.lease[1] > now):
            return None
        token = f"{owner}:{next(self._claims)}"
        session.lease = (token, now + lease)
        return self._claim(key, session, token, lease)

    def _claim(self, key: str, session: _Session, token: str, lease: float) -> Claim:
        state = None if session.state is None else load(session.state)
        profile = load(session.profile)
        return Claim(key, token, lease, state, profile, session.inbox[0], session.seq)

    def _holds(self, session: _Session, claim: Claim) -> bool:
        lease = session.lease
        return lease is not None and lease[0] == claim.token and lease[1] > self._clock()

    async def commit(self, claim: Claim, commit: Commit) -> Claim | bool:
        session, now = self._get(claim.key), self._clock()
        inbox = session.inbox
        if not self._holds(session, claim) or not inbox or inbox[0].id != claim.item.id:
            return False  # the lease was lost, or this claim committed already
        state, profile, first = dump(commit.session), dump(commit.profile), session.seq + 1
        entries = [(seq, dump({**e, "seq": seq})) for seq, e in enumerate(commit.entries, first)]
        inbox.popleft()
        session.state, session.profile, session.seq = state, profile, session.seq + len(entries)
        session.log = self._history(session)
        session.log.extend(entries)
        _drop_expired(session.results, now, lambda result: result[2])
        session.results[commit.item_id] = (first, session.seq, now + self._limits.result_ttl)
        for name, due in commit.timers.items():
            if due is None:
                session.timers.pop(name, None)
            else:
                session.timers[name] = due
                self._queue(claim.key, session, name, due)
        session.touched = now
        if not inbox:
            session.lease = None
            self._waiting.pop(claim.key, None)
            return True
        session.lease = (claim.token, now + claim.lease)
        return self._claim(claim.key, session, claim.token, claim.lease)

    async def release(self, claim: Claim) -> None:
        session = self._get(claim.key)
        if self._holds(session, claim):
            session.lease = None

    async def result(self, key: str, item_id: str) -> list[LogEntry] | None:
        session = self._get(key)
        found = session.results.get(item_id)
        if found is None or found[2] <= self._clock():
            return None
        first, last, _ = found
        return [load(entry) for seq, entry in self._history(session) if first <= seq <= last]

    async def keep_answer(self, key: str, request_id: str, answer: str) -> None:
        session, now = self._get(key), self._clock()
        session.answers = {i: kept for i, kept in session.answers.items() if kept[1] > now}
        session.answers[request_id] = (answer, now + self._limits.result_ttl)

    async def kept_answer(self, key: str, request_id: str) -> str | None:
        kept = self._get(key).answers.get(request_id)
        return kept[0] if kept is not None and kept[1] > self._clock() else None

    async def peek(self, key: str) -> Peeked | None:
        found = self._sessions.get(key)  # not _get: a read neither makes nor renews a session
        if found is None or found.state is None or self._expired(found):
            return None
        return Peeked(load(found.state), found.seq)

    async def log(self, key: str, after: int, limit: int = 100) -> list[LogEntry]:
        entries = [entry for seq, entry in self._history(self._get(key)) if seq > after]
        return [load(entry) for entry in entries[:limit]]

    def _history(self, session: _Session) -> deque[tuple[int, str]]:
        """The session's log, or nothing once history_ttl passed since its last commit."""
        fresh = self._clock() - session.touched <= self._limits.history_ttl
        return session.log if fresh else deque(maxlen=self._limits.log_length)

    def _queue(self, key: str, session: _Session, name: str, due: float) -> None:
        """A heap entry for the timer, unless one at or before `due` will queue it then."""
        queued = session.queued.get(name)
        if queued is None or due < queued:
            session.queued[name] = due
            heapq.heappush(self._due, (due, key, name))

    async def fire_timers(self, now: float, limit: int = 100) -> list[str]:
        fired: list[str] = []
        while self._due and self._due[0][0] <= now and len(fired) < limit:
            queued, key, name = heapq.heappop(self._due)
            session = self._sessions.get(key)
            if session is None or session.queued.get(name) != queued:
                continue  # an entry the timer moved before, or of an expired session
            del session.queued[name]
            due = session.timers.get(name)
            if due is None:
                continue  # cancelled
            if due > queued:
                self._queue(key, session, name, due)  # moved later since
                continue
            del session.timers[name]
            if self._expired(session):
                continue  # an expired session's timers are gone with it
            if await self.enqueue(key, InboxItem.fired(name, due, iso_time(now))):
                fired.append(key)
        return fired

    async def pending(self, limit: int = 100) -> list[str]:
        found: list[str] = []
        for key in list(self._waiting):
            session = self._sessions[key]
            if not session.inbox:
                del self._waiting[key]  # consumed, or forgotten with its session
            elif len(found) < limit and not self._expired(session):
                found.append(key)
        return found

    def _expired(self, session: _Session) -> bool:
        return self._clock() - session.touched > self._limits.session_ttl

    async def erase(self, key: str) -> bool:
        found = self._sessions.pop(key, None)
        self._waiting.pop(key, None)
        self._due = [due for due in self._due if due[1] != key]
        heapq.heapify(self._due)
        return found is not None

    async def ping(self) -> None:
        return None

    async def close(self) -> None:
        return None
