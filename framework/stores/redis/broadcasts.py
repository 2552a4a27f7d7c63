"""The broadcasts in the session store's Redis, under the same key prefix.

Keys, all in the hash tag `{%broadcasts}`: one Redis Cluster slot (never a session's: a
session key's tag has its `%` escaped), so every script below is legal on a cluster:

    <prefix>:{%broadcasts}:data     hash: broadcast id -> its JSON
    <prefix>:{%broadcasts}:status   hash: broadcast id -> its status (what `claim` reads)
    <prefix>:{%broadcasts}:lease    hash: broadcast id -> "<until>|<owner>" while leased

A broadcast's results are in a hash tag of its own, `{%broadcast:<id>}` (a big broadcast's
counting spreads over the cluster instead of filling the slot of every broadcast):

    <prefix>:{%broadcast:<id>}:counted   hash: a conversation's digest -> the kinds counted
                                         (a digit each: its place in RESULT_KINDS)
    <prefix>:{%broadcast:<id>}:results   hash: counter (a kind, `failed:<reason>`) -> count

COUNT marks the kind and adds to its counter in one script, or does nothing when the kind was
marked: a retried webhook counts once. Whether the broadcast exists is read before (a broadcast
is never deleted, so nothing can come between). Erasing a customer pages through the broadcasts
(HSCAN) and, for each of the bot's, deletes the customer's digest from its `counted` in a script
of that broadcast's keys alone (a cluster serves no script over two broadcasts' slots).

A change reads the JSON, applies the change in Python and writes with SWAP, which writes only
if the JSON is still the one read (and, for a worker's change, the lease still the worker's),
else it is decided again: so an admin's pause and a worker's page never overwrite each other.
CLAIM leases the first sending broadcast whose lease is missing or ran out, in one script; a
scheduled one whose `starts_at` (read from its JSON) has come goes first. Holding its lease,
the claimer then makes it sending with a change as an admin's (the lease stays), so no other
worker can start it; a broadcast an admin changed meanwhile (cancelled, scheduled later) is
given back instead.
Redis failures become StoreError, as in the other Redis stores.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from framework.stores.broadcasts import (
    MAX_LISTED,
    RESULT_KINDS,
    SCHEDULED,
    SENDING,
    Broadcast,
    BroadcastError,
    BroadcastNotFound,
    Results,
    begun,
    check_broadcast,
    check_id,
    check_listing,
    check_result,
    digest,
    dumped,
    load,
    newest_first,
    tallied,
)
from framework.stores.redis.connection import Client, address_of, bounded_client, guarded
from framework.stores.session_store import StoreError

__all__ = ["PAGE", "TRIES", "RedisBroadcasts"]

PAGE = 500
"""Broadcasts read at a time when looking for a bot's."""

TRIES = 100
"""Times a change is decided again because the broadcast changed meanwhile."""

# KEYS data, status, lease; ARGV id, the JSON read ('' for a new one), the new JSON, its status,
# the worker ('' for an admin's change) -> 1 written, 0 changed meanwhile, -1 lease not held
SWAP = """
local kept = redis.call('HGET', KEYS[1], ARGV[1]) or ''
if kept ~= ARGV[2] then return 0 end
if ARGV[5] ~= '' then
  local lease = redis.call('HGET', KEYS[3], ARGV[1]) or ''
  if string.sub(lease, string.find(lease, '|', 1, true) or #lease + 1) ~= '|' .. ARGV[5] then
    return -1
  end
  redis.call('HDEL', KEYS[3], ARGV[1])
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[4])
return 1
"""

# KEYS data, status, lease; ARGV sending, now, until, owner, scheduled -> the id leased, or false
CLAIM = """
local now, all, chosen = tonumber(ARGV[2]), redis.call('HGETALL', KEYS[2]), false
for i = 1, #all, 2 do
  local lease = redis.call('HGET', KEYS[3], all[i])
  if not lease or tonumber(string.match(lease, '^[^|]*')) < now then
    if all[i + 1] == ARGV[1] then
      chosen = chosen or all[i]
    elseif all[i + 1] == ARGV[5] then
      local starts = cjson.decode(redis.call('HGET', KEYS[1], all[i]))['starts_at']
      if tonumber(starts) and tonumber(starts) <= now then
        chosen = all[i]
        break
      end
    end
  end
end
if chosen then redis.call('HSET', KEYS[3], chosen, ARGV[3] .. '|' .. ARGV[4]) end
return chosen
"""

# KEYS counted, results; ARGV the digest, the kind's digit, its counter -> 1 counted, 0 before
COUNT = """
local had = redis.call('HGET', KEYS[1], ARGV[1]) or ''
if string.find(had, ARGV[2], 1, true) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], had .. ARGV[2])
redis.call('HINCRBY', KEYS[2], ARGV[3], 1)
return 1
"""

# KEYS counted; ARGV the digest -> how many kinds it had counted (the marks deleted)
FORGET = """
local had = redis.call('HGET', KEYS[1], ARGV[1]) or ''
redis.call('HDEL', KEYS[1], ARGV[1])
return #had
"""


def _as_it_is(broadcast: Broadcast) -> Broadcast:
    return broadcast


class RedisBroadcasts:
    def __init__(self, client: Client, prefix: str = "theke"):
        if "{" in prefix or "}" in prefix:
            raise ValueError("a Redis key prefix cannot contain { or }")
        self._redis = client
        self.address = address_of(client)
        self._keys = [f"{prefix}:{{%broadcasts}}:{name}" for name in ("data", "status", "lease")]
        self._prefix = prefix
        self._swap, self._claim = client.register_script(SWAP), client.register_script(CLAIM)
        self._count, self._forget = client.register_script(COUNT), client.register_script(FORGET)

    @classmethod
    def from_url(
        cls, url: str, prefix: str = "theke", *, max_connections: int = 20, timeout: float = 5.0
    ) -> RedisBroadcasts:
        return cls(bounded_client(url, max_connections, timeout), prefix)

    async def _read(self, broadcast_id: str) -> str | None:
        return cast(str | None, await self._redis.hget(self._keys[0], broadcast_id))

    @guarded
    async def create(self, broadcast: Broadcast) -> Broadcast:
        b = check_broadcast(broadcast)
        if not await self._swap(keys=self._keys, args=[b.id, "", dumped(b), b.status, ""]):
            raise BroadcastError(f"a broadcast {b.id!r} exists already")
        return b

    @guarded
    async def get(self, broadcast_id: str) -> Broadcast | None:
        kept = await self._read(check_id(broadcast_id))
        return None if kept is None else load(kept)

    @guarded
    async def of_bot(self, bot: str, limit: int = MAX_LISTED) -> list[Broadcast]:
        check_listing(bot, limit)
        found = [
            broadcast
            async for _, kept in self._redis.hscan_iter(self._keys[0], count=PAGE)
            if (broadcast := load(kept)).bot == bot
        ]  # every broadcast of the deployment read: a business's are hundreds, not millions
        return newest_first({b.id: b for b in found}.values(), limit)

    @guarded
    async def change(
        self, broadcast_id: str, how: Callable[[Broadcast], Broadcast], owner: str = ""
    ) -> Broadcast | None:
        check_id(broadcast_id)
        for _ in range(TRIES):
            kept = await self._read(broadcast_id)
            if kept is None:
                raise BroadcastNotFound(f"no broadcast {broadcast_id!r}")
            changed = check_broadcast(how(load(kept)))
            args = [broadcast_id, kept, dumped(changed), changed.status, owner]
            written = int(await self._swap(keys=self._keys, args=args))
            if written:
                return changed if written == 1 else None
        raise StoreError(
            f"the broadcast {broadcast_id!r} changed {TRIES} times while it was changed; try again"
        )

    @guarded
    async def claim(self, owner: str, now: float, lease: float) -> Broadcast | None:
        args = [SENDING, repr(now), repr(now + lease), owner, SCHEDULED]
        found = await self._claim(keys=self._keys, args=args)
        if not found:
            return None
        broadcast_id = cast(str, found)
        kept = await self._read(broadcast_id)
        claimed = None if kept is None else load(kept)
        if claimed is not None and claimed.status != SENDING:
            claimed = await self.change(broadcast_id, begun(now))  # the lease stays this worker's
        if claimed is None or claimed.status == SENDING:
            return claimed
        await self.change(broadcast_id, _as_it_is, owner)  # changed meanwhile: given back
        return None

    def _results_keys(self, broadcast_id: str) -> list[str]:
        return [f"{self._prefix}:{{%broadcast:{broadcast_id}}}:{n}" for n in ("counted", "results")]

    @guarded
    async def count(self, broadcast_id: str, who: str, kind: str, reason: str = "") -> bool:
        counter = check_result(kind, reason, who)
        if not await self._redis.hexists(self._keys[0], check_id(broadcast_id)):
            return False
        digit = str(RESULT_KINDS.index(kind))
        args = [who, digit, counter]
        return bool(await self._count(keys=self._results_keys(broadcast_id), args=args))

    @guarded
    async def results(self, broadcast_id: str) -> Results:
        counters = await self._redis.hgetall(self._results_keys(check_id(broadcast_id))[1])
        return tallied({str(name): int(n) for name, n in counters.items()})

    @guarded
    async def forget_results(self, bot: str, conversation: str) -> int:
        forgotten = 0  # a broadcast HSCAN returns twice forgets nothing the second time
        async for found, kept in self._redis.hscan_iter(self._keys[0], count=PAGE):
            if load(kept).bot == bot:
                keys, who = self._results_keys(found)[:1], digest(found, conversation)
                forgotten += int(await self._forget(keys=keys, args=[who]))
        return forgotten

    async def close(self) -> None:
        await self._redis.aclose()
