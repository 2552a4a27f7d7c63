"""Handoffs in the session store's Redis, under the same key prefix.

Keys, all of one bot in the hash tag `{%handoffs:<bot>}`: one Redis Cluster slot per bot, so
every script below is legal on a cluster, and never a session's slot (a session key's tag has
its `%` escaped):

    <prefix>:{%handoffs:<bot>}:handoffs   hash: session key -> its handoff's JSON (not ended)
    <prefix>:{%handoffs:<bot>}:queue      zset: session key -> its place (the queue's order:
                                          one more than the last, or one less than the first)
    <prefix>:{%handoffs:<bot>}:waiting    zset: session key -> queued_at (for `expired`)
    <prefix>:{%handoffs:<bot>}:held       zset: session key -> claimed_at

An operation reads the handoff's JSON (HGET), applies the step in Python (handoff_rules.py,
shared with the other stores) and keeps the result with one script, PUT, which writes only if
the JSON is still the one read: the hash and the three indexes change together, and a change
by another worker in between makes it read and decide again. So of two agents who claim at
once, one script writes and the other's finds the claim and is decided again: HandoffTaken.
The queue's cap is checked by the same script. Python writes the JSON; Lua only compares and
places it. Redis failures become StoreError, as in the other Redis stores.
"""

from __future__ import annotations

from typing import cast

from framework.stores import handoff_rules as rules
from framework.stores.handoffs import Handoff
from framework.stores.redis.connection import Client, address_of, bounded_client, guarded
from framework.stores.session_store import StoreError

__all__ = ["TRIES", "RedisHandoffs"]

TRIES = 100
"""Times an operation is decided again because other workers changed the handoff first."""
FULL = -1
"""What PUT answers when the queue holds `max_queue` conversations."""

# KEYS handoffs, queue, waiting, held
# ARGV session, the JSON read ('' none), the JSON to keep, where (back, front, held, gone),
#      queued_at, claimed_at, max_queue
# -> 1 kept, 0 changed meanwhile (nothing written), -1 the queue is full (nothing written)
PUT = """
local session, where = ARGV[1], ARGV[4]
if (redis.call('HGET', KEYS[1], session) or '') ~= ARGV[2] then return 0 end
if where == 'back' and redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[7]) then return -1 end
if where == 'gone' then redis.call('HDEL', KEYS[1], session)
else redis.call('HSET', KEYS[1], session, ARGV[3]) end
if where == 'back' or where == 'front' then
  local at = where == 'back' and -1 or 0
  local edge = redis.call('ZRANGE', KEYS[2], at, at, 'WITHSCORES')[2]
  local place = 1
  if edge then place = tonumber(edge) + (where == 'back' and 1 or -1) end
  redis.call('ZADD', KEYS[2], string.format('%d', place), session)
  redis.call('ZADD', KEYS[3], ARGV[5], session)
else
  redis.call('ZREM', KEYS[2], session)
  redis.call('ZREM', KEYS[3], session)
end
if where == 'held' then redis.call('ZADD', KEYS[4], ARGV[6], session)
else redis.call('ZREM', KEYS[4], session) end
return 1
"""

# KEYS handoffs, an index; ARGV 'rank', first, last | 'score', below ('(' and a time), count
# -> the JSON of those handoffs, in the index's order
RANGE = """
local sessions
if ARGV[1] == 'rank' then sessions = redis.call('ZRANGE', KEYS[2], ARGV[2], ARGV[3])
else sessions = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[2], 'LIMIT', 0, ARGV[3]) end
if #sessions == 0 then return {} end
return redis.call('HMGET', KEYS[1], unpack(sessions))
"""

# KEYS queue, held -> {queued, claimed}
COUNTS = "return {redis.call('ZCARD', KEYS[1]), redis.call('ZCARD', KEYS[2])}"


class RedisHandoffs:
    def __init__(self, client: Client, prefix: str = "theke", *, max_queue: int = rules.MAX_QUEUE):
        if "{" in prefix or "}" in prefix:
            raise ValueError("a Redis key prefix cannot contain { or }")
        self._redis = client
        self.address = address_of(client)
        self._prefix = prefix
        self._max_queue = rules.check_cap(max_queue)
        self._put = client.register_script(PUT)
        self._range = client.register_script(RANGE)
        self._counts = client.register_script(COUNTS)

    @classmethod
    def from_url(
        cls,
        url: str,
        prefix: str = "theke",
        *,
        max_connections: int = 20,
        timeout: float = 5.0,
        max_queue: int = rules.MAX_QUEUE,
    ) -> RedisHandoffs:
        client = bounded_client(url, max_connections, timeout)
        return cls(client, prefix, max_queue=max_queue)

    def _keys(self, bot: str) -> list[str]:
        """The bot's handoffs, queue, waiting and held keys (its name is checked: no braces)."""
        tag = f"{self._prefix}:{{%handoffs:{bot}}}"
        return [f"{tag}:{name}" for name in ("handoffs", "queue", "waiting", "held")]

    async def _apply(self, bot: str, session: str, step: rules.Step) -> Handoff:
        for _ in range(TRIES):
            kept = cast(str | None, await self._redis.hget(self._keys(bot)[0], session))
            new, where = rules.decide(None if kept is None else rules.load(kept), step)
            if where is None:
                return new
            keep = "" if where == rules.GONE else rules.dumped(new)
            queued, claimed = repr(new.queued_at), repr(new.claimed_at or 0.0)
            args: list[str | int] = [
                session,
                kept or "",
                keep,
                where,
                queued,
                claimed,
                self._max_queue,
            ]
            done = await self._put(keys=self._keys(bot), args=args)
            if done == FULL:
                raise rules.queue_full(bot, self._max_queue)
            if done:
                return new
        raise StoreError(
            f"the handoff of {session[:60]!r} of {bot} changed {TRIES} times while this change "
            "was decided; try again"
        )

    async def _load(self, bot: str, index: str, *args: str | int) -> list[Handoff]:
        keys = self._keys(bot)
        found = cast(list[str | None], await self._range(keys=[keys[0], index], args=list(args)))
        return [rules.load(kept) for kept in found if kept is not None]

    @guarded
    async def request(
        self, bot: str, session: str, reason: str, channel: str, lang: str, now: float
    ) -> Handoff:
        return await self._apply(
            bot, session, rules.requesting(bot, session, reason, channel, lang, now)
        )

    @guarded
    async def position(self, bot: str, session: str) -> int | None:
        bot, session = rules.check_key(bot, session)
        rank = cast(int | None, await self._redis.zrank(self._keys(bot)[1], session))
        return None if rank is None else rank + 1

    @guarded
    async def queue(self, bot: str, limit: int = 100) -> list[Handoff]:
        index = self._keys(rules.check_bot(bot))[1]
        return await self._load(bot, index, "rank", 0, rules.check_page(limit) - 1)

    @guarded
    async def held(self, bot: str, agent: str | None = None) -> list[Handoff]:
        """Read a page at a time (a script unpacks at most a few thousand keys)."""
        bot, agent = rules.check_holder(bot, agent)
        index, found = self._keys(bot)[3], list[Handoff]()
        while page := await self._load(
            bot, index, "rank", len(found), len(found) + rules.MAX_PAGE - 1
        ):
            found += page
            if len(page) < rules.MAX_PAGE:
                break
        return [handoff for handoff in found if agent in (None, handoff.agent)]

    @guarded
    async def claim(self, bot: str, session: str, agent: str, now: float) -> Handoff:
        return await self._apply(bot, session, rules.claiming(bot, session, agent, now))

    @guarded
    async def release(self, bot: str, session: str, agent: str, now: float) -> Handoff:
        return await self._apply(bot, session, rules.releasing(bot, session, agent, now))

    @guarded
    async def end(
        self, bot: str, session: str, agent: str | None, outcome: str, now: float
    ) -> Handoff:
        return await self._apply(bot, session, rules.ending(bot, session, agent, outcome, now))

    @guarded
    async def expired(self, bot: str, older_than: float, limit: int = 100) -> list[Handoff]:
        index, below = self._keys(rules.check_bot(bot))[2], f"({rules.moment(older_than)!r}"
        return await self._load(bot, index, "score", below, rules.check_page(limit))

    @guarded
    async def get(self, bot: str, session: str) -> Handoff | None:
        bot, session = rules.check_key(bot, session)
        kept = cast(str | None, await self._redis.hget(self._keys(bot)[0], session))
        return None if kept is None else rules.load(kept)

    @guarded
    async def counts(self, bot: str) -> dict[str, int]:
        keys = self._keys(rules.check_bot(bot))
        queued, claimed = cast(list[int], await self._counts(keys=[keys[1], keys[3]]))
        return {"queued": queued, "claimed": claimed}

    async def close(self) -> None:
        await self._redis.aclose()
