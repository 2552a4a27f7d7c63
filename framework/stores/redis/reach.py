"""The reach store in the session store's Redis, under the same key prefix.

Keys, all of one bot in the hash tag `{%reach:<bot>}`: one Redis Cluster slot per bot (never a
session's: a session key's tag has its `%` escaped), so each script below is legal on a
cluster:

    <prefix>:{%reach:<bot>}:marketing          hash: conversation -> JSON {broadcast id: "<at>"}
    <prefix>:{%reach:<bot>}:held               hash: conversation -> until
    <prefix>:{%reach:<bot>}:channel:<channel>  zset: conversation scored by when last reached
    <prefix>:{%reach:<bot>}:channels           set: the channels of those zsets
    <prefix>:{%reach:<bot>}:once:<digest>      string: a `once` mark's value, expiring at its end
    <prefix>:{%reach:<bot>}:order              string: the bot's last `ordered` number

`marks` is two HMGETs of a page. MARKETED and HOLD change fields in one script each (no
read-then-write from Python that a second worker could interleave); REACH drops the entries
before the window, counts and takes in one script, so the limit holds across workers. FORGET
names every key it touches, so `forget` reads the channels first and the script checks that
there are still as many (the set only grows), else it writes nothing and is tried again. Times
are kept as the text Python wrote (Lua's numbers would round them). Redis failures become
StoreError, as in the other Redis stores. ONCE keeps each mark as "<value> <until>", one script
for all of a call's marks: a mark whose until is past the call's `at` stays, any other is set;
Redis drops the key itself once its time to live (from `at` to until) is over.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import cast

from framework.stores.reach import (
    KEPT,
    MAX_ONCE,
    ORDER_WIDTH,
    Kept,
    Marks,
    check_broadcast_id,
    check_marked,
    check_once,
    check_one,
    check_ordered,
    check_page,
    check_take,
    stand_in,
)
from framework.stores.redis.connection import Client, address_of, bounded_client, guarded
from framework.stores.session_store import StoreError

__all__ = ["TRIES", "RedisReach"]

TRIES = 10
"""Times `forget` reads the channels again because a bot reached a new channel meanwhile."""

# KEYS marketing; ARGV broadcast, at, kept since, conversations...
MARKETED = """
for i = 4, #ARGV do
  local raw = redis.call('HGET', KEYS[1], ARGV[i])
  local sent = raw and cjson.decode(raw) or {}
  local fresh = {}
  for broadcast, at in pairs(sent) do
    if tonumber(at) >= tonumber(ARGV[3]) then fresh[broadcast] = at end
  end
  fresh[ARGV[1]] = fresh[ARGV[1]] or ARGV[2]
  redis.call('HSET', KEYS[1], ARGV[i], cjson.encode(fresh))
end
return 1
"""

# KEYS held; ARGV conversation, until
HOLD = """
local kept = redis.call('HGET', KEYS[1], ARGV[1])
if not kept or tonumber(kept) < tonumber(ARGV[2]) then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
end
return 1
"""

# KEYS channel, channels; ARGV since, at, limit, channel, conversations... -> how many fit
REACH = """
redis.call('SADD', KEYS[2], ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1])
local count, limit = redis.call('ZCARD', KEYS[1]), tonumber(ARGV[3])
for i = 5, #ARGV do
  local known = redis.call('ZSCORE', KEYS[1], ARGV[i])
  if not known then
    if count >= limit then return i - 5 end
    count = count + 1
  end
  if not known or tonumber(known) < tonumber(ARGV[2]) then
    redis.call('ZADD', KEYS[1], ARGV[2], ARGV[i])
  end
end
return #ARGV - 4
"""

# KEYS each mark's key; ARGV at, until, milliseconds to keep, each mark's value
# -> the values kept ("<value> <until>" each, set unless one kept past `at` is there)
ONCE = """
local kept = {}
for i = 1, #KEYS do
  local found = redis.call('GET', KEYS[i])
  if not found or tonumber(string.match(found, ' (.*)$')) <= tonumber(ARGV[1]) then
    found = ARGV[i + 3] .. ' ' .. ARGV[2]
    redis.call('SET', KEYS[i], found, 'PX', ARGV[3])
  end
  kept[i] = found
end
return kept
"""

# KEYS the mark's key, the bot's counter; ARGV at, until, milliseconds to keep the mark, and
# the counter, ORDER_WIDTH -> the value kept ("<value> <until>"), or the next number set
ORDERED = """
local found = redis.call('GET', KEYS[1])
if found and tonumber(string.match(found, ' (.*)$')) > tonumber(ARGV[1]) then return found end
local n = redis.call('INCR', KEYS[2])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
found = string.format('%0' .. ARGV[5] .. 'd', n) .. ' ' .. ARGV[2]
redis.call('SET', KEYS[1], found, 'PX', ARGV[3])
return found
"""

# KEYS each mark's key -> their values as kept (false: none)
MARKED = """
local found = {}
for i = 1, #KEYS do found[i] = redis.call('GET', KEYS[i]) end
return found
"""

# KEYS marketing, held, channels, each channel's zset; ARGV conversation, stand-in
# -> how many records of the conversation went, or -1 when a channel came meanwhile
FORGET = """
if redis.call('SCARD', KEYS[3]) ~= #KEYS - 3 then return -1 end
local count, sent = 0, redis.call('HGET', KEYS[1], ARGV[1])
for _ in pairs(sent and cjson.decode(sent) or {}) do count = count + 1 end
redis.call('HDEL', KEYS[1], ARGV[1])
count = count + redis.call('HDEL', KEYS[2], ARGV[1])
for k = 4, #KEYS do
  local at = redis.call('ZSCORE', KEYS[k], ARGV[1])
  if at then
    redis.call('ZREM', KEYS[k], ARGV[1])
    redis.call('ZADD', KEYS[k], at, ARGV[2])
    count = count + 1
  end
end
return count
"""


def _times(sent: str | bytes | None) -> dict[str, float]:
    """A conversation's marketing field: broadcast id -> when."""
    return {broadcast: float(at) for broadcast, at in json.loads(sent or "{}").items()}


class RedisReach:
    def __init__(self, client: Client, prefix: str = "theke"):
        if "{" in prefix or "}" in prefix:
            raise ValueError("a Redis key prefix cannot contain { or }")
        self._redis, self._prefix = client, prefix
        self.address = address_of(client)
        self._marketed = client.register_script(MARKETED)
        self._hold, self._reach = client.register_script(HOLD), client.register_script(REACH)
        self._forget = client.register_script(FORGET)
        self._once, self._marked = client.register_script(ONCE), client.register_script(MARKED)
        self._ordered = client.register_script(ORDERED)

    @classmethod
    def from_url(
        cls, url: str, prefix: str = "theke", *, max_connections: int = 20, timeout: float = 5.0
    ) -> RedisReach:
        return cls(bounded_client(url, max_connections, timeout), prefix)

    def _key(self, bot: str, name: str) -> str:
        return f"{self._prefix}:{{%reach:{bot}}}:{name}"

    @guarded
    async def marks(self, bot: str, conversations: Sequence[str], since: float) -> dict[str, Marks]:
        bot, names, since = check_page(bot, conversations, since)
        if not names:
            return {}
        sent = await self._redis.hmget(self._key(bot, "marketing"), names)
        held = await self._redis.hmget(self._key(bot, "held"), names)
        found = {}
        for conversation, raw, until in zip(names, sent, held, strict=True):
            if raw is not None or until is not None:
                recent = {b: at for b, at in _times(raw).items() if at >= since}
                found[conversation] = Marks(recent, float(until or 0.0))
        return found

    @guarded
    async def marketed(
        self, bot: str, broadcast: str, conversations: Sequence[str], at: float
    ) -> None:
        bot, names, at = check_page(bot, conversations, at)
        args = [check_broadcast_id(broadcast), repr(at), repr(at - KEPT), *names]
        if names:
            await self._marketed(keys=[self._key(bot, "marketing")], args=args)

    @guarded
    async def hold(self, bot: str, conversation: str, until: float) -> None:
        bot, _, until = check_page(bot, [conversation], until)
        await self._hold(keys=[self._key(bot, "held")], args=[conversation, repr(until)])

    @guarded
    async def reach(
        self,
        bot: str,
        channel: str,
        conversations: Sequence[str],
        since: float,
        at: float,
        limit: int,
    ) -> int:
        bot, channel, names, since, at, limit = check_take(
            bot, channel, conversations, since, at, limit
        )
        keys = [self._key(bot, f"channel:{channel}"), self._key(bot, "channels")]
        args = [repr(since), repr(at), str(limit), channel, *names]
        return int(cast(int, await self._reach(keys=keys, args=args)))

    @guarded
    async def once(
        self, bot: str, marks: Mapping[str, str], at: float, until: float
    ) -> dict[str, str]:
        bot, marks, at, until = check_once(bot, marks, at, until)
        if not marks:
            return {}
        keys = [self._key(bot, f"once:{digest}") for digest in marks]
        args = [repr(at), repr(until), str(round((until - at) * 1000) + 1), *marks.values()]
        kept = cast(list[str], await self._once(keys=keys, args=args))
        return {digest: found.split(" ")[0] for digest, found in zip(marks, kept, strict=True)}

    @guarded
    async def marked(self, bot: str, digests: Sequence[str], at: float) -> dict[str, str]:
        bot, names, at = check_marked(bot, digests, at)
        if not names:
            return {}
        keys = [self._key(bot, f"once:{digest}") for digest in names]
        found = cast(list[str | None], await self._marked(keys=keys, args=[]))
        kept = {d: str(f).partition(" ") for d, f in zip(names, found, strict=True) if f}
        return {digest: value for digest, (value, _, until) in kept.items() if float(until) > at}

    @guarded
    async def ordered(self, bot: str, digest: str, at: float, until: float) -> str:
        bot, digest, at, until = check_ordered(bot, digest, at, until)
        keys = [self._key(bot, f"once:{digest}"), self._key(bot, "order")]
        keep, counter = round((until - at) * 1000) + 1, round(MAX_ONCE * 1000)
        args = [repr(at), repr(until), str(keep), str(counter), str(ORDER_WIDTH)]
        return str(await self._ordered(keys=keys, args=args)).split(" ")[0]

    async def _channels(self, bot: str) -> list[str]:
        """The channels the bot reached conversations on."""
        return sorted(cast(set[str], await self._redis.smembers(self._key(bot, "channels"))))

    @guarded
    async def kept(self, bot: str, conversation: str) -> Kept | None:
        bot, conversation = check_one(bot, conversation)
        sent = await self._redis.hget(self._key(bot, "marketing"), conversation)
        held = await self._redis.hget(self._key(bot, "held"), conversation)
        reached = {}
        for channel in await self._channels(bot):
            at = await self._redis.zscore(self._key(bot, f"channel:{channel}"), conversation)
            if at is not None:
                reached[channel] = at
        if sent is None and held is None and not reached:
            return None
        return Kept(_times(sent), float(held or 0.0), reached)

    @guarded
    async def forget(self, bot: str, conversation: str) -> int:
        bot, conversation = check_one(bot, conversation)
        instead = stand_in()
        for _ in range(TRIES):
            keys = [self._key(bot, name) for name in ("marketing", "held", "channels")]
            keys += [self._key(bot, f"channel:{c}") for c in await self._channels(bot)]
            count = int(await self._forget(keys=keys, args=[conversation, instead]))
            if count >= 0:
                return count
        raise StoreError(
            f"the channels of {bot}'s reach changed {TRIES} times while {conversation[:60]!r} "
            "was forgotten; try again"
        )

    async def close(self) -> None:
        await self._redis.aclose()
