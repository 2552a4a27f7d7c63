"""The reach store in the session store's Redis, under the same key prefix.

Keys, all of one bot in the hash tag `{%reach:<bot>}`: one Redis Cluster slot per bot (never a
session's: a session key's tag has its `%` escaped), so each script below is legal on a
cluster:

    <prefix>:{%reach:<bot>}:marketing          hash: conversation -> JSON {broadcast id: "<at>"}
    <prefix>:{%reach:<bot>}:held               hash: conversation -> until
    <prefix>:{%reach:<bot>}:channel:<channel>  zset: conversation scored by when last reached

`marks` is two HMGETs of a page. MARKETED and HOLD change fields in one script each (no
read-then-write from Python that a second worker could interleave); REACH drops the entries
before the window, counts and takes in one script, so the limit holds across workers. Times
are kept as the text Python wrote (Lua's numbers would round them). Redis failures become
StoreError, as in the other Redis stores.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import cast

from framework.stores.reach import KEPT, Marks, check_broadcast_id, check_page, check_take
from framework.stores.redis.connection import Client, address_of, bounded_client, guarded

__all__ = ["RedisReach"]

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

# KEYS channel; ARGV since, at, limit, conversations... -> how many fit
REACH = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1])
local count, limit = redis.call('ZCARD', KEYS[1]), tonumber(ARGV[3])
for i = 4, #ARGV do
  local known = redis.call('ZSCORE', KEYS[1], ARGV[i])
  if not known then
    if count >= limit then return i - 4 end
    count = count + 1
  end
  if not known or tonumber(known) < tonumber(ARGV[2]) then
    redis.call('ZADD', KEYS[1], ARGV[2], ARGV[i])
  end
end
return #ARGV - 3
"""


class RedisReach:
    def __init__(self, client: Client, prefix: str = "theke"):
        if "{" in prefix or "}" in prefix:
            raise ValueError("a Redis key prefix cannot contain { or }")
        self._redis, self._prefix = client, prefix
        self.address = address_of(client)
        self._marketed = client.register_script(MARKETED)
        self._hold, self._reach = client.register_script(HOLD), client.register_script(REACH)

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
                times = {b: float(at) for b, at in json.loads(raw or "{}").items()}
                recent = {b: at for b, at in times.items() if at >= since}
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
        key = self._key(bot, f"channel:{channel}")
        args = [repr(since), repr(at), str(limit), *names]
        return int(cast(int, await self._reach(keys=[key], args=args)))

    async def close(self) -> None:
        await self._redis.aclose()
