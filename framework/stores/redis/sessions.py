"""The Redis store: many workers on many machines share one Redis (or a Redis Cluster).

Keys (`<tag>` is the session key with `%`, `{` and `}` percent-escaped), with the TTL each
commit sets (dedupe, results and the log never outlive the state: at most session_ttl):

    <prefix>:{<tag>}:state     "<seq>|<state JSON>", compact; "<seq>|+<state JSON>" when the
                               state's "profile" member is the profile key's value and is left
                               out (profile_ttl >= session_ttl); seq numbers the last log entry
                               ever written, so it survives the log                session_ttl
    <prefix>:{<tag>}:profile   JSON                                                profile_ttl
    <prefix>:{<tag>}:inbox     list of InboxItem JSON, oldest first                session_ttl
    <prefix>:{<tag>}:seen      hash: item id -> end of its dedupe (Redis clock, ms) result_ttl
    <prefix>:{<tag>}:lease     the token of the worker holding the session (PX: it expires);
                               set by a claim only when the inbox has an item, renewed by a
                               commit that hands on the next item, deleted by one that
                               leaves the inbox empty
    <prefix>:{<tag>}:log       list of entries, JSON starting with {"seq":N, consecutive seq
                               numbers, trimmed to log_length                      history_ttl
    <prefix>:{<tag>}:results   hash: item id -> "<first seq>:<last seq>:<end ms>", the range
                               its commit appended (none: first = last + 1); a value in another
                               format (an older Theke's) counts as expired         result_ttl
    <prefix>:{<tag>}:answers   hash: request id -> "<end ms>|<answer JSON>", the answers
                               to a turn's requests, kept before its commit        result_ttl
    <prefix>:{<tag>}:timers    zset: timer name -> due (epoch seconds)             session_ttl
    <prefix>:{%index}:pending  zset: session key -> announcement number (its inbox may have items)
    <prefix>:{%index}:timers   zset: session key -> a time at or before its earliest timer
    <prefix>:{%index}:versions hash: session key -> announcement number of its last timer change
    <prefix>:{%index}:counter  the announcement numbers

So an idle session shrinks in steps: after history_ttl and result_ttl (a day by default) only
its state and profile are left (and timers, if any), after session_ttl only its profile. The
next commit after the log expired starts a fresh log whose seq numbers continue the state's.
A result is read from the log: the entries of its range still there, fewer once the log was
trimmed or expired.

One hash tag per session puts all of its keys into one Redis Cluster slot, so each operation
on a session (enqueue, claim, commit, fire its timers) is one Lua script on one node: atomic
without cross-slot transactions, and sessions spread over the cluster. The indexes that find
work (sessions with waiting items, sessions with due timers) span sessions, so they live in a
slot of their own and are written by separate scripts, always BEFORE the session change they
announce (pipelined on one connection, which Redis executes in order): a worker that dies
between the two leaves at worst an index entry for nothing, which costs a look and is removed,
never an item or a timer that no index points to.

Entries are removed by compare-and-set (a pending entry if its announcement number, a timer
entry if its version did not change since it was read), and an enqueue or a timer-setting
commit announces its session once more after its script, so a removal racing with it cannot
lose it. Session data never appears in error messages.

Round trips: every call goes through the store's `RoundTrips` (round_trips.py), which sends
the scripts of all calls made meanwhile together, one round trip at a time and in call order,
and runs each announcing script once per round trip, before the other scripts and after them.
"""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Callable, Sequence
from itertools import count
from typing import Any, NamedTuple, cast

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
from framework.stores.redis.connection import Client, address_of, bounded_client, guarded
from framework.stores.redis.round_trips import Call, RoundTrips
from framework.stores.redis.scripts import SCRIPTS

__all__ = ["RedisStore", "SessionKeys"]

_SEQ = re.compile(r'\{"seq":(\d+)')
_ANNOUNCEMENTS = ("ANNOUNCE",)
"""Scripts that only add to the indexes: one round trip runs each once with the arguments of
all its calls, at its start and again at its end."""


class SessionKeys(NamedTuple):
    state: str
    profile: str
    inbox: str
    seen: str
    lease: str
    log: str
    results: str
    answers: str
    timers: str


_PARTS = tuple(f":{part}" for part in SessionKeys._fields)
KEYS_KEPT = 1024
"""Sessions whose keys a store keeps made: a turn names them three or four times (enqueue,
claim, commit), each time nine strings with the session key escaped."""


def _loaded(state: str, profile: str) -> tuple[Any, dict[str, Any]]:
    """A stored state (after its seq; "": none yet, "+...": its profile left out) and profile,
    decoded: fresh objects, the engine may change them."""
    session = load(state.removeprefix("+")) if state else None
    if session is not None and state.startswith("+"):
        session["profile"] = load(profile)
    loaded: dict[str, Any] = load(profile)
    return session, loaded


def _item(body: str) -> InboxItem:
    return InboxItem.from_json(load(body))


def _ms(seconds: float) -> int:
    return max(1, round(seconds * 1000))


class RedisStore:
    def __init__(
        self,
        client: Client,
        limits: StoreLimits | None = None,
        prefix: str = "theke",
        *,
        url: str | None = None,
    ):
        if "{" in prefix or "}" in prefix:
            raise ValueError("a Redis key prefix cannot contain { or }")
        self._redis = client
        self._limits = limits or StoreLimits()
        self._prefix = prefix
        self.address = address_of(client)
        self.url = url
        """The URL the client was opened from (None: a client given): the order and contact
        stores opened from the same URL share `round_trips` (stores/opening.py)."""
        index = f"{prefix}:{{%index}}"
        self._pending, self._counter = f"{index}:pending", f"{index}:counter"
        self._timers, self._versions = f"{index}:timers", f"{index}:versions"
        self.round_trips = RoundTrips(client, SCRIPTS, _ANNOUNCEMENTS)
        """Every script of this store goes through it, in call order (round_trips.py)."""
        self._tokens, self._claims = f"{uuid.uuid4().hex[:8]}-", count()
        """Lease tokens: this store's prefix and a number (uuid4 per claim took a syscall)."""
        self.session_keys: Callable[[str], SessionKeys] = functools.lru_cache(KEYS_KEPT)(
            self._session_keys
        )
        """All keys of one session: one hash tag, so one Redis Cluster slot."""

    @classmethod
    def from_url(
        cls,
        url: str,
        limits: StoreLimits | None = None,
        prefix: str = "theke",
        *,
        max_connections: int = 50,
        timeout: float = 5.0,
    ) -> RedisStore:
        return cls(bounded_client(url, max_connections, timeout), limits, prefix, url=url)

    def _session_keys(self, key: str) -> SessionKeys:
        tag = key.replace("%", "%25").replace("{", "%7B").replace("}", "%7D") or "%"
        base = f"{self._prefix}:{{{tag}}}"
        return SessionKeys._make([base + part for part in _PARTS])

    @property
    def index_keys(self) -> tuple[str, str, str, str]:
        """The global keys (one slot of their own): pending, counter, timers, versions."""
        return self._pending, self._counter, self._timers, self._versions

    @functools.cached_property
    def _ttls(self) -> tuple[int, int, int]:
        """result_ms, keep_ms (dedupe and results live no longer than the session), session_ms."""
        limits = self._limits
        keep = min(limits.result_ttl, limits.session_ttl)
        return _ms(limits.result_ttl), _ms(keep), _ms(limits.session_ttl)

    @functools.cached_property
    def _commit_ttls(self) -> tuple[int, int]:
        """profile_ms, and the log's: no longer than the state whose seq numbers it continues."""
        limits = self._limits
        return _ms(limits.profile_ttl), _ms(min(limits.history_ttl, limits.session_ttl))

    def _announce(self, keys: Sequence[str]) -> Call:
        """Items wait in these sessions' inboxes (scripts.py: ANNOUNCE)."""
        return "ANNOUNCE", self.index_keys, [part for key in keys for part in (key, "")]

    def _announce_timer(self, key: str, due: float) -> Call:
        """The session has a timer due at `due`."""
        return "ANNOUNCE", self.index_keys, [key, repr(float(due))]

    @guarded
    async def enqueue(self, key: str, item: InboxItem) -> bool:
        k = self.session_keys(key)
        enqueue = "ENQUEUE", [k.seen, k.inbox], [item.id, dump(item.to_json()), *self._ttls]
        _, added, _ = await self.round_trips.run(
            self._announce([key]), enqueue, self._announce([key])
        )
        return bool(added)

    @guarded
    async def claim(self, key: str, owner: str, lease: float) -> Claim | None:
        k = self.session_keys(key)
        token = f"{owner}:{self._tokens}{next(self._claims)}"
        keys = [k.lease, k.state, k.profile, k.inbox]
        [found] = await self.round_trips.run(("CLAIM", keys, [token, _ms(lease)]))
        if found is None:
            return None
        head, state, profile = found
        seq, _, body = (state or "0|").partition("|")
        session, loaded = _loaded(body, profile or "{}")
        return Claim(key, token, lease, session, loaded, _item(head), int(seq))

    @guarded
    async def commit(self, claim: Claim, commit: Commit) -> Claim | bool:
        k, limits = self.session_keys(claim.key), self._limits
        result_ms, keep_ms, session_ms = self._ttls
        profile_ms, history_ms = self._commit_ttls
        apart = session_without_profile(commit, limits)
        state = dump(commit.session) if apart is None else f"+{dump(apart)}"
        profile = dump(commit.profile)
        args: list[Any] = [claim.token, claim.item.id, _ms(claim.lease), commit.item_id]
        args += [state, profile, session_ms, profile_ms, result_ms, keep_ms]
        args += [history_ms, limits.log_length, len(commit.entries)]
        args += [dump({n: v for n, v in entry.items() if n != "seq"}) for entry in commit.entries]
        for name, when in commit.timers.items():
            args += [name, "" if when is None else repr(float(when))]
        keys = [k.lease, k.state, k.profile, k.inbox, k.log, k.results, k.timers, k.seen]
        due = [when for when in commit.timers.values() if when is not None]
        if due:
            # announced before (a worker may die after the commit) and again after the commit
            # (a fire_timers running meanwhile may have settled the index without these timers)
            announce = self._announce_timer(claim.key, min(due))
            _, done, _ = await self.round_trips.run(announce, ("COMMIT", keys, args), announce)
        else:
            [done] = await self.round_trips.run(("COMMIT", keys, args))
        if not isinstance(done, list):
            return bool(done)
        seq, head = done
        session, loaded = _loaded(state, profile)
        return Claim(claim.key, claim.token, claim.lease, session, loaded, _item(head), int(seq))

    @guarded
    async def release(self, claim: Claim) -> None:
        await self.round_trips.run(("RELEASE", [self.session_keys(claim.key).lease], [claim.token]))

    @guarded
    async def result(self, key: str, item_id: str) -> list[LogEntry] | None:
        k = self.session_keys(key)
        [found] = await self.round_trips.run(("RESULT", [k.results, k.log], [item_id]))
        return None if found is None else [load(entry) for entry in found]

    @guarded
    async def keep_answer(self, key: str, request_id: str, answer: str) -> None:
        result_ms, keep_ms, _ = self._ttls
        args = [request_id, answer, result_ms, keep_ms]
        await self.round_trips.run(("KEEP_ANSWER", [self.session_keys(key).answers], args))

    @guarded
    async def kept_answer(self, key: str, request_id: str) -> str | None:
        [found] = await self.round_trips.run(
            ("KEPT_ANSWER", [self.session_keys(key).answers], [request_id])
        )
        return None if found is None else str(found)

    @guarded
    async def peek(self, key: str) -> Peeked | None:
        k = self.session_keys(key)  # one script on the session's slot: state and profile as one
        [(state, profile)] = await self.round_trips.run(("PEEK", [k.state, k.profile], []))
        seq, _, body = str(state or "0|").partition("|")
        session, _ = _loaded(body, profile or "{}")
        return None if session is None else Peeked(session, int(seq))

    @guarded
    async def log(self, key: str, after: int, limit: int = 100) -> list[LogEntry]:
        lines = await self._redis.lrange(self.session_keys(key).log, 0, -1)
        newer = [
            str(line) for line in lines if (seq := _SEQ.match(str(line))) and int(seq[1]) > after
        ]
        return [load(line) for line in newer[:limit]]

    @guarded
    async def fire_timers(self, now: float, limit: int = 100) -> list[str]:
        if limit <= 0:
            return []
        index = [self._timers, self._versions]
        [found] = await self.round_trips.run(("DUE_TIMERS", index, [repr(float(now)), limit]))
        due: list[tuple[str, str]] = list(zip(found[::2], found[1::2], strict=True))
        if not due:
            return []
        await self.round_trips.run(
            self._announce([key for key, _ in due])
        )  # the inboxes to be filled
        fired: list[str] = []
        settle: list[str] = []
        args = [repr(float(now)), iso_time(now)]
        for key, version in due:
            if len(fired) >= limit:
                break
            k = self.session_keys(key)
            fire = "FIRE", [k.timers, k.seen, k.inbox], [*args, limit - len(fired), *self._ttls]
            [(count, nxt)] = await self.round_trips.run(fire)
            fired += [key] * int(count)
            settle += [key, version, nxt]
        # the pending index again: a concurrent `pending` may have settled it meanwhile
        await self.round_trips.run(
            ("SETTLE_TIMERS", index, settle), self._announce(sorted(set(fired)))
        )
        return fired

    @guarded
    async def pending(self, limit: int = 100) -> list[str]:
        found: dict[str, None] = {}
        low, examined, batch = "-inf", 0, max(limit, 500)
        while len(found) < limit and examined < 20 * batch:
            rows = cast(
                list[tuple[str, float]],
                await self._redis.zrangebyscore(
                    self._pending, low, "+inf", start=0, num=batch, withscores=True
                ),
            )
            if not rows:
                break
            low, examined = f"({rows[-1][1]!r}", examined + len(rows)
            pipe = self._redis.pipeline(transaction=False)
            for key, _ in rows:
                pipe.llen(self.session_keys(key).inbox)
            stale: list[str] = []
            for (key, number), waiting in zip(rows, await pipe.execute(), strict=True):
                if waiting:
                    found[key] = None
                else:
                    stale += [key, repr(number)]
            if stale:  # removed only if not announced again since it was read
                await self.round_trips.run(("SETTLE_PENDING", [self._pending], stale))
        return list(found)[:limit]

    @guarded
    async def erase(self, key: str) -> bool:
        """The indexes first (an entry for nothing costs a look), then the session's keys."""
        await self._redis.zrem(self._pending, key)
        await self._redis.zrem(self._timers, key)
        await self._redis.hdel(self._versions, key)
        return bool(await self._redis.delete(*self.session_keys(key)))

    @guarded
    async def ping(self) -> None:
        await self._redis.ping()

    async def close(self) -> None:
        await self._redis.aclose()
