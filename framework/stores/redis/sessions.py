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

Round trips: the scripts of all calls a process makes while a round trip is under way go out
together in the next one (one pipeline on one connection, one round trip at a time), so calls
reach Redis in the order they were made and under load one round trip serves many calls. In
it, each announcing script runs once for all its calls, before all the other scripts and
again after them: still before and after each session change it announces.
"""

from __future__ import annotations

import asyncio
import functools
import json
import re
import uuid
from collections.abc import Callable, Coroutine, Sequence
from typing import Any, Concatenate, NamedTuple, ParamSpec, TypeVar, cast

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import (
    AuthenticationError,
    ConnectionError,
    NoScriptError,
    RedisError,
    TimeoutError,
)

from framework.stores.records import (
    Claim,
    Commit,
    InboxItem,
    LogEntry,
    StoreLimits,
    iso_time,
    session_without_profile,
)
from framework.stores.session_store import StoreError

__all__ = ["RedisStore", "SessionKeys", "bounded_client"]

P = ParamSpec("P")
R = TypeVar("R")

_LIB = """  -- helpers every script starts with
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function ms(n) return string.format('%d', n) end
local RANGE = '^(%d+):(%d+):(%d+)$'  -- a result; another format (an older Theke's) has expired
local function push(seen, inbox, id, body, now, result_ms, keep_ms, session_ms)
  local until_ = redis.call('HGET', seen, id)
  if until_ and tonumber(until_) > now then return 0 end
  local all = redis.call('HGETALL', seen)
  for i = 1, #all, 2 do
    if tonumber(all[i + 1]) <= now then redis.call('HDEL', seen, all[i]) end
  end
  redis.call('HSET', seen, id, ms(now + tonumber(result_ms)))
  redis.call('PEXPIRE', seen, keep_ms)
  redis.call('RPUSH', inbox, body)
  redis.call('PEXPIRE', inbox, session_ms)
  return 1
end
"""

# KEYS seen, inbox; ARGV id, body, result_ms, keep_ms, session_ms
ENQUEUE = """
return push(KEYS[1], KEYS[2], ARGV[1], ARGV[2], now_ms(), ARGV[3], ARGV[4], ARGV[5])
"""

# KEYS lease, state, profile, inbox; ARGV token, lease_ms -> false (leased elsewhere or
# nothing waiting: no lease taken) or {first inbox item, state, profile}
CLAIM = """
local head = redis.call('LINDEX', KEYS[4], 0)
if not head or not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return false end
return {head, redis.call('GET', KEYS[2]), redis.call('GET', KEYS[3])}
"""

# KEYS lease, state, profile, inbox, log, results, timers, seen
# ARGV token, claimed item id, lease_ms, item_id, state, profile, session_ms, profile_ms,
#      result_ms, keep_ms, history_ms, log_length, n, n entries (JSON objects without seq),
#      then timer pairs (name, due or '')
# -> 0 (the lease was lost or the item consumed: nothing written), 1 (done, lease released)
#    or {seq, next inbox item} (done, lease renewed)
COMMIT = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
local head = redis.call('LINDEX', KEYS[4], 0)
if not head or cjson.decode(head).id ~= ARGV[2] then return 0 end
redis.call('LPOP', KEYS[4])
local now, session_ms, n = now_ms(), ARGV[7], tonumber(ARGV[13])
local seq, entries = tonumber(string.match(redis.call('GET', KEYS[2]) or '0|', '^(%d+)|')), {}
local first = seq + 1
for i = 1, n do
  seq = seq + 1
  local e = ARGV[13 + i]
  if e == '{}' then e = '{"seq":' .. ms(seq) .. '}'
  else e = '{"seq":' .. ms(seq) .. ',' .. string.sub(e, 2) end
  entries[i] = e
end
if n > 0 then
  redis.call('RPUSH', KEYS[5], unpack(entries))
  redis.call('LTRIM', KEYS[5], -tonumber(ARGV[12]), -1)
end
redis.call('SET', KEYS[2], ms(seq) .. '|' .. ARGV[5])
redis.call('SET', KEYS[3], ARGV[6], 'PX', ARGV[8])
local all = redis.call('HGETALL', KEYS[6])
for i = 1, #all, 2 do
  local _, _, until_ = string.match(all[i + 1], RANGE)
  if not until_ or tonumber(until_) <= now then redis.call('HDEL', KEYS[6], all[i]) end
end
local range = ms(first) .. ':' .. ms(seq) .. ':' .. ms(now + tonumber(ARGV[9]))
redis.call('HSET', KEYS[6], ARGV[4], range)
for i = 14 + n, #ARGV, 2 do
  if ARGV[i + 1] == '' then redis.call('ZREM', KEYS[7], ARGV[i])
  else redis.call('ZADD', KEYS[7], ARGV[i + 1], ARGV[i]) end
end
for _, key in ipairs({KEYS[2], KEYS[4], KEYS[7]}) do
  redis.call('PEXPIRE', key, session_ms)
end
redis.call('PEXPIRE', KEYS[5], ARGV[11])
redis.call('PEXPIRE', KEYS[6], ARGV[10])
redis.call('PEXPIRE', KEYS[8], ARGV[10])
local next_ = redis.call('LINDEX', KEYS[4], 0)
if not next_ then
  redis.call('DEL', KEYS[1])
  return 1
end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return {seq, next_}
"""

# KEYS lease; ARGV token
RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0
"""

# KEYS results, log; ARGV item_id -> false (unknown) or the entries of its range still logged
RESULT = """
local first, last, until_ = string.match(redis.call('HGET', KEYS[1], ARGV[1]) or '', RANGE)
if not until_ or tonumber(until_) <= now_ms() then return false end
local head = redis.call('LINDEX', KEYS[2], 0)
if not head then return {} end
local oldest = tonumber(string.match(head, '^{"seq":(%d+)'))
local from, to = math.max(tonumber(first) - oldest, 0), tonumber(last) - oldest
if to < from then return {} end
return redis.call('LRANGE', KEYS[2], from, to)
"""

# KEYS timers, seen, inbox; ARGV now, received_at, max, result_ms, keep_ms, session_ms
FIRE = """
local now = now_ms()
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'WITHSCORES', 'LIMIT', 0, ARGV[3])
local fired = 0
for i = 1, #due, 2 do
  local name = due[i]
  redis.call('ZREM', KEYS[1], name)
  local id = 'timer:' .. name .. ':' .. string.format('%.3f', tonumber(due[i + 1]))
  local body = '{"id":' .. cjson.encode(id) .. ',"received_at":' .. cjson.encode(ARGV[2])
    .. ',"kind":"timer","data":{"name":' .. cjson.encode(name) .. '}}'
  fired = fired + push(KEYS[2], KEYS[3], id, body, now, ARGV[4], ARGV[5], ARGV[6])
end
return {fired, redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2] or ''}
"""

# The global index scripts (one slot, no session keys). KEYS pending, counter; ARGV sessions
ANNOUNCE_PENDING = """
for i = 1, #ARGV do redis.call('ZADD', KEYS[1], redis.call('INCR', KEYS[2]), ARGV[i]) end
return 0
"""

# KEYS pending; ARGV pairs (session, announcement number read)
SETTLE_PENDING = """
for i = 1, #ARGV, 2 do
  if tonumber(redis.call('ZSCORE', KEYS[1], ARGV[i]) or '-1') == tonumber(ARGV[i + 1]) then
    redis.call('ZREM', KEYS[1], ARGV[i])
  end
end
return 0
"""

# KEYS timers, versions, counter; ARGV pairs (session, due)
ANNOUNCE_TIMER = """
for i = 1, #ARGV, 2 do
  redis.call('HSET', KEYS[2], ARGV[i], redis.call('INCR', KEYS[3]))
  redis.call('ZADD', KEYS[1], 'LT', ARGV[i + 1], ARGV[i])
end
return 0
"""

# KEYS timers, versions; ARGV now, limit -> flat (session, version or '')
DUE_TIMERS = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
local out = {}
if #due == 0 then return out end
local versions = redis.call('HMGET', KEYS[2], unpack(due))
for i = 1, #due do out[2 * i - 1] = due[i]; out[2 * i] = versions[i] or '' end
return out
"""

# KEYS timers, versions; ARGV triples (session, version read, next due or '')
SETTLE_TIMERS = """
for i = 1, #ARGV, 3 do
  local s, nxt = ARGV[i], ARGV[i + 2]
  if (redis.call('HGET', KEYS[2], s) or '') == ARGV[i + 1] then
    if nxt == '' then redis.call('ZREM', KEYS[1], s); redis.call('HDEL', KEYS[2], s)
    else redis.call('ZADD', KEYS[1], nxt, s) end
  elseif nxt ~= '' then redis.call('ZADD', KEYS[1], 'LT', nxt, s) end
end
return 0
"""

# loaded in this order after a restart: the index scripts before the session scripts they announce
_NAMES = "ANNOUNCE_PENDING ANNOUNCE_TIMER SETTLE_PENDING DUE_TIMERS SETTLE_TIMERS ENQUEUE CLAIM"
_SCRIPTS = {name: _LIB + globals()[name] for name in f"{_NAMES} COMMIT RELEASE RESULT FIRE".split()}
_SEQ = re.compile(r'\{"seq":(\d+)')
_ANNOUNCEMENTS = ("ANNOUNCE_PENDING", "ANNOUNCE_TIMER")
"""Scripts that only add to the indexes: one round trip runs each once with the arguments of
all its calls, at its start and again at its end."""

Call = tuple[str, Sequence[str], Sequence[Any]]
"""A script by name, its keys and its arguments."""


Waiting = tuple[Sequence[Call], asyncio.Future[list[Any]]]
"""The calls of one `_run` and where their answers go."""


def _merged(announcements: list[Call]) -> list[Call]:
    """Each announcing script once, with the arguments of all its calls (each distinct call's
    once: an enqueue announces its session twice), in order."""
    merged: dict[str, tuple[Sequence[str], dict[tuple[Any, ...], None]]] = {}
    for name, keys, args in announcements:
        merged.setdefault(name, (keys, {}))[1][tuple(args)] = None
    return [
        (name, keys, [arg for args in distinct for arg in args])
        for name, (keys, distinct) in merged.items()
    ]


def _answer(future: asyncio.Future[list[Any]], answers: list[Any]) -> None:
    """Hand a caller of `_run` its answers, or the first error among them (unless it stopped
    waiting)."""
    if future.done():
        return
    errors = [answer for answer in answers if isinstance(answer, Exception)]
    if errors:
        future.set_exception(errors[0])
    else:
        future.set_result(answers)


class SessionKeys(NamedTuple):
    state: str
    profile: str
    inbox: str
    seen: str
    lease: str
    log: str
    results: str
    timers: str


_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _dumps(data: Any) -> str:
    return _ENCODE(data)


def _loaded(state: str, profile: str) -> tuple[Any, dict[str, Any]]:
    """A stored state (after its seq; "": none yet, "+...": its profile left out) and profile,
    decoded: fresh objects, the engine may change them."""
    session = json.loads(state.removeprefix("+")) if state else None
    if session is not None and state.startswith("+"):
        session["profile"] = json.loads(profile)
    loaded: dict[str, Any] = json.loads(profile)
    return session, loaded


def _item(body: str) -> InboxItem:
    return InboxItem.from_json(json.loads(body))


def _ms(seconds: float) -> int:
    return max(1, round(seconds * 1000))


def _guarded(
    method: Callable[Concatenate[RedisStore, P], Coroutine[Any, Any, R]],
) -> Callable[Concatenate[RedisStore, P], Coroutine[Any, Any, R]]:
    """Redis failures become StoreError (the turn can be retried), with advice, without data."""

    @functools.wraps(method)
    async def guarded(self: RedisStore, /, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await method(self, *args, **kwargs)
        except AuthenticationError as error:
            raise StoreError(
                f"Redis at {self.address} refused the login; check the store URL's password"
            ) from error
        except (ConnectionError, TimeoutError) as error:
            if "No connection available" in str(error):
                raise StoreError(
                    f"every connection to Redis at {self.address} stayed busy; raise "
                    "max_connections or run fewer turns at once"
                ) from error
            raise StoreError(
                f"Redis at {self.address} does not answer: {type(error).__name__}; is it running?"
            ) from error
        except RedisError as error:
            code = (str(error).split() or ["error"])[0]
            raise StoreError(
                f"Redis at {self.address} refused an operation ({code}); check that it is a "
                "writable primary with free memory (maxmemory)"
            ) from error

    return guarded


def bounded_client(url: str, max_connections: int = 50, timeout: float = 5.0) -> Redis:
    """A client on a bounded pool: callers wait up to `timeout` for a connection (a burst
    queues instead of failing), a dead Redis fails fast, and a dropped connection (a restarted
    Redis) is retried once on a new one."""
    pool = BlockingConnectionPool.from_url(
        url,
        max_connections=max_connections,
        timeout=timeout,
        socket_timeout=timeout,
        socket_connect_timeout=min(timeout, 1.5),
        decode_responses=True,
        retry=Retry(ExponentialBackoff(cap=0.2, base=0.05), 1, (ConnectionError,)),
    )
    return Redis.from_pool(pool)


class RedisStore:
    def __init__(self, client: Redis, limits: StoreLimits | None = None, prefix: str = "theke"):
        if "{" in prefix or "}" in prefix:
            raise ValueError("a Redis key prefix cannot contain { or }")
        self._redis = client
        self._limits = limits or StoreLimits()
        self._prefix = prefix
        kwargs = client.connection_pool.connection_kwargs
        self.address = str(kwargs.get("path") or f"{kwargs.get('host')}:{kwargs.get('port')}")
        index = f"{prefix}:{{%index}}"
        self._pending, self._counter = f"{index}:pending", f"{index}:counter"
        self._timers, self._versions = f"{index}:timers", f"{index}:versions"
        self._scripts = {name: client.register_script(lua) for name, lua in _SCRIPTS.items()}
        self._queue: list[Waiting] = []
        """The calls of `_run` waiting for the next round trip, in the order they were made."""
        self._sender: asyncio.Task[None] | None = None

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
        return cls(bounded_client(url, max_connections, timeout), limits, prefix)

    def session_keys(self, key: str) -> SessionKeys:
        """All keys of one session: one hash tag, so one Redis Cluster slot."""
        tag = key.replace("%", "%25").replace("{", "%7B").replace("}", "%7D") or "%"
        base = f"{self._prefix}:{{{tag}}}"
        return SessionKeys(*(f"{base}:{part}" for part in SessionKeys._fields))

    @property
    def index_keys(self) -> tuple[str, str, str, str]:
        """The global keys (one slot of their own): pending, counter, timers, versions."""
        return self._pending, self._counter, self._timers, self._versions

    def _ttls(self) -> list[int]:
        """result_ms, keep_ms (dedupe and results live no longer than the session), session_ms."""
        limits = self._limits
        keep = min(limits.result_ttl, limits.session_ttl)
        return [_ms(limits.result_ttl), _ms(keep), _ms(limits.session_ttl)]

    def _history_ms(self) -> int:
        """The log's TTL: no longer than the state whose seq numbers it continues."""
        return _ms(min(self._limits.history_ttl, self._limits.session_ttl))

    def _announce(self, keys: Sequence[str]) -> Call:
        return "ANNOUNCE_PENDING", [self._pending, self._counter], keys

    def _announce_timer(self, key: str, due: float) -> Call:
        keys = [self._timers, self._versions, self._counter]
        return "ANNOUNCE_TIMER", keys, [key, repr(float(due))]

    async def _run(self, *calls: Call) -> list[Any]:
        """Scripts in one round trip and in this order (one connection: Redis keeps the order),
        together with the calls every other coroutine made meanwhile: a round trip at a time,
        so all calls reach Redis in the order they were made, and under load one round trip
        serves many. The first error among the answers is raised."""
        future: asyncio.Future[list[Any]] = asyncio.get_running_loop().create_future()
        self._queue.append((calls, future))
        if self._sender is None:
            self._sender = asyncio.create_task(self._send())
        return await future

    async def _send(self) -> None:
        """Send the queued calls, a round trip at a time, until none are left."""
        try:
            while self._queue:
                batch, self._queue = self._queue, []
                await self._round_trip([(c, f) for c, f in batch if not f.cancelled()])
        finally:
            for _, future in self._queue:  # only when cancelled itself (the loop is closing)
                future.cancel()
            self._queue, self._sender = [], None

    async def _round_trip(self, batch: list[Waiting]) -> None:
        """One pipeline for the calls of a batch. Announcements (index entries that must exist
        before a session change and again after it) are merged: each script runs once with
        the arguments of all its calls, before all other scripts and again after them, so at
        or before and at or after where each call had it (an extra entry costs a look)."""
        calls = [call for own, _ in batch for call in own]
        ends = _merged([call for call in calls if call[0] in _ANNOUNCEMENTS])
        work = [call for call in calls if call[0] not in _ANNOUNCEMENTS]
        try:
            answers = await self._evaluate([*ends, *work, *ends])
        except asyncio.CancelledError:
            for _, future in batch:
                future.cancel()
            raise
        except Exception as error:  # the connection failed: every call in it did
            for _, future in batch:
                _answer(future, [error])
            return
        announced = answers[: len(ends)] + answers[len(answers) - len(ends) :]
        failed = next((answer for answer in announced if isinstance(answer, Exception)), 0)
        done = iter(answers[len(ends) : len(ends) + len(work)])
        for own, future in batch:
            _answer(
                future, [failed if name in _ANNOUNCEMENTS else next(done) for name, _, _ in own]
            )

    async def _evaluate(self, calls: Sequence[Call]) -> list[Any]:
        """The answers (an error in place of a script's answer when it failed); scripts a
        (restarted) Redis lost are loaded and the calls that missed them rerun, in order."""
        results: list[Any] = [None] * len(calls)
        todo = list(range(len(calls)))
        for attempt in (1, 2):
            pipe = self._redis.pipeline(transaction=False)
            for index in todo:
                name, keys, args = calls[index]
                pipe.evalsha(self._scripts[name].sha, len(keys), *keys, *args)
            for index, answer in zip(todo, await pipe.execute(raise_on_error=False), strict=True):
                results[index] = answer
            todo = [i for i in todo if isinstance(results[i], NoScriptError)]
            if not todo or attempt == 2:
                break
            for name, script in self._scripts.items():
                script.sha = await self._redis.script_load(_SCRIPTS[name])
        return results

    @_guarded
    async def enqueue(self, key: str, item: InboxItem) -> bool:
        k = self.session_keys(key)
        enqueue = "ENQUEUE", [k.seen, k.inbox], [item.id, _dumps(item.to_json()), *self._ttls()]
        _, added, _ = await self._run(self._announce([key]), enqueue, self._announce([key]))
        return bool(added)

    @_guarded
    async def claim(self, key: str, owner: str, lease: float) -> Claim | None:
        k = self.session_keys(key)
        token = f"{owner}:{uuid.uuid4().hex}"
        keys = [k.lease, k.state, k.profile, k.inbox]
        [found] = await self._run(("CLAIM", keys, [token, _ms(lease)]))
        if found is None:
            return None
        head, state, profile = found
        seq, _, body = (state or "0|").partition("|")
        session, loaded = _loaded(body, profile or "{}")
        return Claim(key, token, lease, session, loaded, _item(head), int(seq))

    @_guarded
    async def commit(self, claim: Claim, commit: Commit) -> Claim | bool:
        k, limits = self.session_keys(claim.key), self._limits
        result_ms, keep_ms, session_ms = self._ttls()
        apart = session_without_profile(commit, limits)
        state = _dumps(commit.session) if apart is None else f"+{_dumps(apart)}"
        profile = _dumps(commit.profile)
        args: list[Any] = [claim.token, claim.item.id, _ms(claim.lease), commit.item_id]
        args += [state, profile, session_ms, _ms(limits.profile_ttl), result_ms, keep_ms]
        args += [self._history_ms(), limits.log_length, len(commit.entries)]
        args += [_dumps({n: v for n, v in entry.items() if n != "seq"}) for entry in commit.entries]
        for name, when in commit.timers.items():
            args += [name, "" if when is None else repr(float(when))]
        keys = [k.lease, k.state, k.profile, k.inbox, k.log, k.results, k.timers, k.seen]
        due = [when for when in commit.timers.values() if when is not None]
        if due:
            # announced before (a worker may die after the commit) and again after the commit
            # (a fire_timers running meanwhile may have settled the index without these timers)
            announce = self._announce_timer(claim.key, min(due))
            _, done, _ = await self._run(announce, ("COMMIT", keys, args), announce)
        else:
            [done] = await self._run(("COMMIT", keys, args))
        if not isinstance(done, list):
            return bool(done)
        seq, head = done
        session, loaded = _loaded(state, profile)
        return Claim(claim.key, claim.token, claim.lease, session, loaded, _item(head), int(seq))

    @_guarded
    async def release(self, claim: Claim) -> None:
        await self._run(("RELEASE", [self.session_keys(claim.key).lease], [claim.token]))

    @_guarded
    async def result(self, key: str, item_id: str) -> list[LogEntry] | None:
        k = self.session_keys(key)
        [found] = await self._run(("RESULT", [k.results, k.log], [item_id]))
        return None if found is None else [json.loads(entry) for entry in found]

    @_guarded
    async def log(self, key: str, after: int, limit: int = 100) -> list[LogEntry]:
        lines = await self._redis.lrange(self.session_keys(key).log, 0, -1)
        newer = [
            str(line) for line in lines if (seq := _SEQ.match(str(line))) and int(seq[1]) > after
        ]
        return [json.loads(line) for line in newer[:limit]]

    @_guarded
    async def fire_timers(self, now: float, limit: int = 100) -> list[str]:
        if limit <= 0:
            return []
        index = [self._timers, self._versions]
        [found] = await self._run(("DUE_TIMERS", index, [repr(float(now)), limit]))
        due: list[tuple[str, str]] = list(zip(found[::2], found[1::2], strict=True))
        if not due:
            return []
        await self._run(self._announce([key for key, _ in due]))  # the inboxes to be filled
        fired: list[str] = []
        settle: list[str] = []
        args = [repr(float(now)), iso_time(now)]
        for key, version in due:
            if len(fired) >= limit:
                break
            k = self.session_keys(key)
            fire = "FIRE", [k.timers, k.seen, k.inbox], [*args, limit - len(fired), *self._ttls()]
            [(count, nxt)] = await self._run(fire)
            fired += [key] * int(count)
            settle += [key, version, nxt]
        # the pending index again: a concurrent `pending` may have settled it meanwhile
        await self._run(("SETTLE_TIMERS", index, settle), self._announce(sorted(set(fired))))
        return fired

    @_guarded
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
                await self._run(("SETTLE_PENDING", [self._pending], stale))
        return list(found)[:limit]

    @_guarded
    async def ping(self) -> None:
        await self._redis.ping()

    async def close(self) -> None:
        await self._redis.aclose()
