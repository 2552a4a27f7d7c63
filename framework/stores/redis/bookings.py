"""Bookings in the session store's Redis, under the same key prefix.

Keys, all of one bot in the hash tag `{%bookings:<bot>}`: one Redis Cluster slot per bot (never a
session's: a session key's tag has its `%` escaped), so each operation is one script on one node:

    <prefix>:{%bookings:<bot>}:last             the last number the bot gave (first 1001)
    <prefix>:{%bookings:<bot>}:bookings         hash: number -> "<events>|<its JSON>", events
                                                the history's length (one more each change)
    <prefix>:{%bookings:<bot>}:keys             hash: idempotency key -> number
    <prefix>:{%bookings:<bot>}:tokens           hash: token -> number
    <prefix>:{%bookings:<bot>}:span:<resource>  zset: number -> blocked_from, held or confirmed
    <prefix>:{%bookings:<bot>}:live             hash: number -> "<blocked_until> <expires_at>"
                                                of those (expires_at 0: confirmed)
    <prefix>:{%bookings:<bot>}:holds            zset: number -> expires_at, the held ones
    <prefix>:{%bookings:<bot>}:reminders        zset: number -> its next reminder's time
    <prefix>:{%bookings:<bot>}:starts           zset: number (16 digits) -> start, all of them

A token is `<bot>-<22 random characters>`: `by_token` finds the bot's slot in the token itself.

HOLD is one script: the key looked up, the overlap looked for (`in_the_way`: the rule of
`booking_rules.first_in_the_way` in Lua, among the spans starting less than MAX_SPAN before),
the number counted up and everything written, or nothing. A change is decided in Python on the
booking read and kept by PUT only if its history's length is still the one read (else it is
read and decided again); a change that takes new time (a move, a late confirm) looks for the
overlap in the same script.

`expire` and `claim_reminders` span bots: the global indexes `<prefix>:{%bookings-due}:holds`
and `:reminders` (zset: bot -> a time at or before its earliest due one; the session store's
timer-index scripts: announced before and again after each write that brings a due time
forward, settled by version) name the bots to look at. A bot's due bookings are read, decided
in Python and kept by PUT: of two workers that read one due booking, only the first PUT finds
the history's length it read, so each is handed out by exactly one call. Redis failures become
StoreError, as in the other Redis stores.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from dataclasses import asdict
from typing import Any, TypeVar, cast

from framework.stores import booking_checks as checked
from framework.stores import booking_rules as rules
from framework.stores.bookings import FIRST_NUMBER, LIVE, Booking, Busy, DueReminder, NewHold
from framework.stores.json_text import dump
from framework.stores.redis.connection import Client, address_of, bounded_client, guarded
from framework.stores.redis.scripts import SCRIPTS
from framework.stores.session_store import StoreError

__all__ = ["TRIES", "RedisBookings"]

T = TypeVar("T")
Args = list[str | int]
"""A script's arguments (times as `repr` gives them: exact)."""
TRIES = 100
"""Times a change is decided again because other workers changed the booking first."""
HOLDS, REMINDERS = "holds", "reminders"
"""The two kinds of due times: their per-bot zsets and global indexes are named so."""

# in_the_way: the number of a live booking of `spans` overlapping from-until_ other than `number`
_LIB = """
local function in_the_way(spans, live, number, from, until_, lower, now)
  for _, other in ipairs(redis.call('ZRANGEBYSCORE', spans, lower, '(' .. until_)) do
    if other ~= number then
      local blocked_until, expires = string.match(redis.call('HGET', live, other), '^(%S+) (%S+)$')
      local e = tonumber(expires)
      if tonumber(blocked_until) > tonumber(from) and (e == 0 or e > tonumber(now)) then
        return tonumber(other)
      end
    end
  end
  return false
end
local function first(zset) return redis.call('ZRANGE', zset, 0, 0, 'WITHSCORES')[2] or '' end
local function padded(n) return string.format('%016d', tonumber(n)) end
"""

# KEYS last, bookings, keys, tokens, live, holds, starts, the resource's span zset
# ARGV key ('' none), token, the number before the first, the JSON after '{' without the
#      number, blocked_from, blocked_until, lower, now, expires_at, start
# -> {number, 1 held now | 0 held before with that key, its kept value} or {taken by, -1}
HOLD = (
    _LIB
    + """
if ARGV[1] ~= '' then
  local known = redis.call('HGET', KEYS[3], ARGV[1])
  if known then return {tonumber(known), 0, redis.call('HGET', KEYS[2], known)} end
end
local taken = in_the_way(KEYS[8], KEYS[5], '', ARGV[5], ARGV[6], ARGV[7], ARGV[8])
if taken then return {taken, -1} end
redis.call('SET', KEYS[1], ARGV[3], 'NX')
local number = redis.call('INCR', KEYS[1])
local n = string.format('%d', number)
redis.call('HSET', KEYS[2], n, '1|{"number":' .. n .. ',' .. ARGV[4])
if ARGV[1] ~= '' then redis.call('HSET', KEYS[3], ARGV[1], n) end
redis.call('HSET', KEYS[4], ARGV[2], n)
redis.call('HSET', KEYS[5], n, ARGV[6] .. ' ' .. ARGV[9])
redis.call('ZADD', KEYS[8], ARGV[5], n)
redis.call('ZADD', KEYS[6], ARGV[9], n)
redis.call('ZADD', KEYS[7], ARGV[10], padded(n))
return {number, 1}
"""
)

# KEYS bookings, live, holds, reminders, starts, then span zsets
# ARGV now, then per booking: number, events read, the value to keep, its old span zset's and
#      its new one's place in KEYS (0: none), blocked_from, blocked_until, lower, expires_at,
#      hold due ('' none), reminder due ('' none), start, '1' to look for overlaps first
# -> {per booking 1 kept | 0 changed meanwhile | -N taken by N, next hold due, next reminder's}
PUT = (
    _LIB
    + """
local function due(zset, at, n)
  if at == '' then redis.call('ZREM', zset, n) else redis.call('ZADD', zset, at, n) end
end
local out = {}
for i = 2, #ARGV, 13 do
  local n, old, new = ARGV[i], tonumber(ARGV[i + 3]), tonumber(ARGV[i + 4])
  local kept, result = redis.call('HGET', KEYS[1], n), 1
  if not kept or string.match(kept, '^(%d+)|') ~= ARGV[i + 1] then result = 0
  elseif ARGV[i + 12] == '1' then
    local taken = in_the_way(KEYS[new], KEYS[2], n, ARGV[i + 5], ARGV[i + 6], ARGV[i + 7], ARGV[1])
    if taken then result = -taken end
  end
  if result == 1 then
    redis.call('HSET', KEYS[1], n, ARGV[i + 2])
    if old > 0 then redis.call('ZREM', KEYS[old], n) end
    if new > 0 then
      redis.call('ZADD', KEYS[new], ARGV[i + 5], n)
      redis.call('HSET', KEYS[2], n, ARGV[i + 6] .. ' ' .. ARGV[i + 8])
    else redis.call('HDEL', KEYS[2], n) end
    due(KEYS[3], ARGV[i + 9], n)
    due(KEYS[4], ARGV[i + 10], n)
    redis.call('ZADD', KEYS[5], ARGV[i + 11], padded(n))
  end
  out[#out + 1] = result
end
return {out, first(KEYS[3]), first(KEYS[4])}
"""
)

# KEYS bookings, a due zset; ARGV now, limit -> {the kept values due, the earliest due or ''}
DUE = (
    _LIB
    + """
local due = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
if #due == 0 then return {{}, first(KEYS[2])} end
return {redis.call('HMGET', KEYS[1], unpack(due)), first(KEYS[2])}
"""
)

# KEYS starts, bookings; ARGV lowest start, highest ('(' below), offset, count -> kept values
RANGE = """
local found = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[1], ARGV[2], 'LIMIT', ARGV[3], ARGV[4])
if #found == 0 then return {} end
for i, member in ipairs(found) do found[i] = string.match(member, '^0*(%d+)$') end
return redis.call('HMGET', KEYS[2], unpack(found))
"""

# KEYS live, then span zsets; ARGV lower, '(' and the end
# -> flat (span zset's place among them from 1, number, blocked_from, "<until> <expires_at>")
BUSY = """
local out = {}
for k = 2, #KEYS do
  local found = redis.call('ZRANGEBYSCORE', KEYS[k], ARGV[1], ARGV[2], 'WITHSCORES')
  for i = 1, #found, 2 do
    local live = redis.call('HGET', KEYS[1], found[i])
    for _, value in ipairs({k - 1, found[i], found[i + 1], live}) do out[#out + 1] = value end
  end
end
return out
"""

# KEYS tokens, bookings; ARGV token -> the kept value, or nil
TOKEN = "local n = redis.call('HGET', KEYS[1], ARGV[1]) return n and redis.call('HGET', KEYS[2], n)"


_HOLD_KEYS = ("last", "bookings", "keys", "tokens", "live", HOLDS, "starts")


def _loaded(kept: str | None) -> Booking | None:
    return None if not kept else rules.load(kept.partition("|")[2])


def _rest(booking: Booking) -> str:
    """The booking's JSON after its "{", without the number the store gives it."""
    data = asdict(booking)
    del data["number"]
    return dump(data)[1:]


def _due(at: float | None) -> str:
    return "" if at is None else repr(at)


def _lower(blocked_from: float) -> str:
    """A score below the blocked_from of every span that could overlap one from here."""
    return repr(blocked_from - checked.MAX_SPAN - 1)


class RedisBookings(rules.ChangedByRule):
    def __init__(self, client: Client, prefix: str = "theke"):
        if "{" in prefix or "}" in prefix:
            raise ValueError("a Redis key prefix cannot contain { or }")
        self._redis = client
        self.address = address_of(client)
        self._prefix = prefix
        self._hold, self._put = client.register_script(HOLD), client.register_script(PUT)
        self._due, self._range = client.register_script(DUE), client.register_script(RANGE)
        self._busy, self._token = client.register_script(BUSY), client.register_script(TOKEN)
        self._announce = client.register_script(SCRIPTS["ANNOUNCE_TIMER"])
        self._due_bots = client.register_script(SCRIPTS["DUE_TIMERS"])
        self._settle = client.register_script(SCRIPTS["SETTLE_TIMERS"])

    @classmethod
    def from_url(
        cls, url: str, prefix: str = "theke", *, max_connections: int = 20, timeout: float = 5.0
    ) -> RedisBookings:
        return cls(bounded_client(url, max_connections, timeout), prefix)

    def _key(self, bot: str, name: str) -> str:
        """A key of the bot's bookings (its name is checked: no braces)."""
        return f"{self._prefix}:{{%bookings:{bot}}}:{name}"

    def _index(self, due: str) -> list[str]:
        """A global index of bots with due times, its versions and the announcements' counter."""
        tag = f"{self._prefix}:{{%bookings-due}}"
        return [f"{tag}:{due}", f"{tag}:{due}-versions", f"{tag}:counter"]

    async def _announce_due(self, old: Booking | None, new: Booking) -> None:
        """Every due time `new` brings (other than `old`'s) into the global indexes."""
        for due, due_of in ((HOLDS, rules.hold_due), (REMINDERS, rules.reminder_due)):
            at = due_of(new)
            if at is not None and (old is None or at != due_of(old)):
                await self._announce(keys=self._index(due), args=[new.bot, repr(at)])

    @guarded
    async def hold(self, new: NewHold, now: float) -> Booking:
        b = draft = checked.held(new, now)
        await self._announce_due(None, draft)
        keys = [self._key(b.bot, name) for name in (*_HOLD_KEYS, f"span:{b.resource}")]
        times = [repr(b.blocked_from), repr(b.blocked_until), _lower(b.blocked_from), repr(now)]
        args: Args = [b.key, b.token, FIRST_NUMBER - 1, _rest(b), *times]
        args += [repr(b.expires_at), repr(b.start)]
        number, held, *kept = cast(list[Any], await self._hold(keys=keys, args=args))
        if held == -1:
            raise rules.slot_taken(draft, number)
        if held == 0:
            return rules.existing(_loaded(kept[0]), b.bot, number)
        await self._announce_due(None, draft)  # a settle in between cannot lose it
        return draft.changed(number=number)

    async def _keep(
        self, bot: str, changes: list[tuple[Booking, Booking, bool]], now: float
    ) -> tuple[list[int], str, str]:
        """PUT: what each change became, and the bot's next hold and reminder due."""
        resources = sorted({b.resource for change in changes for b in change[:2]})
        place = {resource: 6 + n for n, resource in enumerate(resources)}
        names = ["bookings", "live", HOLDS, REMINDERS, "starts"]
        keys = [self._key(bot, name) for name in names + [f"span:{r}" for r in resources]]
        args: Args = [repr(now)]
        for old, new, check in changes:
            args += [new.number, len(old.history), f"{len(new.history)}|{rules.dumped(new)}"]
            args += [place[old.resource] if old.status in LIVE else 0]
            args += [place[new.resource] if new.status in LIVE else 0]
            args += [repr(new.blocked_from), repr(new.blocked_until), _lower(new.blocked_from)]
            args += [repr(new.expires_at), _due(rules.hold_due(new))]
            args += [_due(rules.reminder_due(new)), repr(new.start), "1" if check else "0"]
        results, holds, reminders = cast(list[Any], await self._put(keys=keys, args=args))
        return [int(result) for result in results], holds, reminders

    async def _get(self, bot: str, number: int) -> Booking | None:
        kept = await self._redis.hget(self._key(bot, "bookings"), str(number))
        return _loaded(cast(str | None, kept))

    @guarded
    async def _changed(self, bot: str, number: int, change: rules.Change, now: float) -> Booking:
        """Read, decide and keep it unless another worker changed the booking meanwhile."""
        if not checked.could_exist(bot, number):
            return rules.existing(None, bot, number)
        for _ in range(TRIES):
            old = rules.existing(await self._get(bot, number), bot, number)
            new = change(old)
            if new is old:
                return old
            await self._announce_due(old, new)
            check = rules.needs_check(old, new, now)
            (result,), _, _ = await self._keep(bot, [(old, new, check)], now)
            if result < 0:
                raise rules.refusal(old, new, -result)
            if result:
                await self._announce_due(old, new)
                return new
        raise StoreError(f"booking {number} of {bot} changed {TRIES} times meanwhile; try again")

    @guarded
    async def _hand_out(
        self,
        due: str,
        now: float,
        limit: int,
        step: Callable[[Booking], T | None],
        changed: Callable[[T], Booking],
    ) -> list[T]:
        """What `step` makes of the due bookings of the bots the index names, each kept by PUT
        (so handed out by this call only); the index settled to each bot's next due time."""
        index = self._index(due)[:2]
        flat = cast(list[str], await self._due_bots(keys=index, args=[repr(now), limit]))
        found, settled = list[T](), list[str]()
        for bot, version in zip(flat[::2], flat[1::2], strict=True):
            if len(found) >= limit:
                break
            keys = [self._key(bot, "bookings"), self._key(bot, due)]
            kept, earliest = await self._due(keys=keys, args=[repr(now), limit - len(found)])
            decided = [(old, one) for old in map(_loaded, kept) if old and (one := step(old))]
            if decided:
                changes = [(old, changed(one), False) for old, one in decided]
                results, *next_due = await self._keep(bot, changes, now)
                earliest = next_due[0 if due == HOLDS else 1]
                kept_now = zip(decided, results, strict=True)
                found += [one for (_, one), result in kept_now if result == 1]
            settled += [bot, version, earliest]
        if settled:
            await self._settle(keys=index, args=settled)
        return found

    async def expire(self, now: float, limit: int = 100) -> list[Booking]:
        at, most = checked.moment(now), checked.check_limit(limit)
        return await self._hand_out(
            HOLDS, at, most, lambda b: rules.expiring(b, at), lambda booking: booking
        )

    async def claim_reminders(self, now: float, limit: int = 100) -> list[DueReminder]:
        at, most = checked.moment(now), checked.check_limit(limit)
        return await self._hand_out(
            REMINDERS, at, most, lambda b: rules.reminding(b, at), lambda due: due.booking
        )

    @guarded
    async def busy(
        self, bot: str, resources: AbstractSet[str], start: float, end: float, now: float
    ) -> list[Busy]:
        wanted, low, high, at = checked.check_busy(bot, resources, start, end, now)
        if not wanted:
            return []
        keys = [self._key(bot, "live"), *(self._key(bot, f"span:{r}") for r in wanted)]
        flat = cast(list[Any], await self._busy(keys=keys, args=[_lower(low), f"({high!r}"]))
        found = []
        for place, number, blocked_from, live in zip(*[iter(flat)] * 4, strict=True):
            span = rules.indexed(int(number), float(blocked_from), *map(float, live.split()))
            found.append((wanted[int(place) - 1], span))
        return rules.busy_spans(found, low, high, at)

    @guarded
    async def get(self, bot: str, number: int) -> Booking | None:
        return await self._get(bot, number) if checked.could_exist(bot, number) else None

    @guarded
    async def by_token(self, token: str) -> Booking | None:
        bot = checked.token_bot(token)
        if bot is None:
            return None
        keys = [self._key(bot, "tokens"), self._key(bot, "bookings")]
        return _loaded(cast(str | None, await self._token(keys=keys, args=[token])))

    @guarded
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
        """Read by start a page at a time, from the earliest that could overlap the range."""
        conversation, low, high = checked.check_query(
            bot, statuses, conversation, resource, start, end, limit
        )
        lowest = _lower(low) if math.isfinite(low) else "-inf"
        highest = f"({high!r}" if math.isfinite(high) else "+inf"
        keys, found = [self._key(bot, "starts"), self._key(bot, "bookings")], list[Booking]()
        for offset in range(0, 2**53, checked.MAX_PAGE):
            args: Args = [lowest, highest, offset, checked.MAX_PAGE]
            kept = cast(list[str | None], await self._range(keys=keys, args=args))
            found += [
                b
                for b in map(_loaded, kept)
                if b and checked.matches(b, statuses, conversation, resource, low, high)
            ]
            if len(found) >= limit or len(kept) < checked.MAX_PAGE:
                break
        return sorted(found, key=lambda b: (b.start, b.number))[:limit]

    async def close(self) -> None:
        await self._redis.aclose()
