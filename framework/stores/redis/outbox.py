"""The outbox in the session store's Redis, under the same key prefix.

Keys, all in the hash tag `{%events}`: one Redis Cluster slot, so every script below is legal
on a cluster (business events are few next to messages, as orders are), never a session's:

    <prefix>:{%events}:entry:<key>     hash: data (the entry's fixed JSON), state (pending,
                                       dead, delivered), since, attempts, error, done_at
    <prefix>:{%events}:stream:<stream> list: keys of the stream's pending entries, in order
    <prefix>:{%events}:due             zset: stream -> when its head may be handed out (the
                                       lease's end while leased); absent when it is empty
    <prefix>:{%events}:leases          hash: stream -> the token of its lease
    <prefix>:{%events}:dead            zset: key -> when it was given up

A delivered entry keeps only its state, expiring after KEEP_DONE. Redis failures become
StoreError, as in the other Redis stores.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, cast

from framework.stores.json_text import dump
from framework.stores.outbox import KEEP_DONE, Claimed, Entry
from framework.stores.redis.connection import Client, address_of, bounded_client, guarded

__all__ = ["RedisOutbox"]

# KEYS entry, stream, due  ARGV key, data, now, stream name -> 1 added, 0 known
ADD = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'data', ARGV[2], 'state', 'pending', 'since', ARGV[3],
  'attempts', 0, 'error', '', 'done_at', 0)
if redis.call('RPUSH', KEYS[2], ARGV[1]) == 1 then redis.call('ZADD', KEYS[3], ARGV[3], ARGV[4]) end
return 1
"""

# KEYS due, leases  ARGV now, lease end, limit, token -> the streams leased
CLAIM = """
local streams = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[3])
for _, stream in ipairs(streams) do
  redis.call('ZADD', KEYS[1], ARGV[2], stream)
  redis.call('HSET', KEYS[2], stream, ARGV[4])
end
return streams
"""

# KEYS due, leases, stream, entry, dead
# ARGV stream name, token, key, outcome (delivered, later, dead), now, due, error, keep
# -> 1 done, 0 the lease was lost
FINISH = """
if redis.call('HGET', KEYS[2], ARGV[1]) ~= ARGV[2] then return 0 end
if redis.call('LINDEX', KEYS[3], 0) ~= ARGV[3] then return 0 end
redis.call('HDEL', KEYS[2], ARGV[1])
if ARGV[4] == 'later' then
  redis.call('HINCRBY', KEYS[4], 'attempts', 1)
  redis.call('HSET', KEYS[4], 'error', ARGV[7])
  redis.call('ZADD', KEYS[1], ARGV[6], ARGV[1])
  return 1
end
redis.call('LPOP', KEYS[3])
if ARGV[4] == 'delivered' then
  redis.call('DEL', KEYS[4])
  redis.call('HSET', KEYS[4], 'state', 'delivered')
  redis.call('PEXPIRE', KEYS[4], ARGV[8])
else
  redis.call('HINCRBY', KEYS[4], 'attempts', 1)
  redis.call('HSET', KEYS[4], 'state', 'dead', 'error', ARGV[7], 'done_at', ARGV[5])
  redis.call('ZADD', KEYS[5], ARGV[5], ARGV[3])
end
if redis.call('LLEN', KEYS[3]) > 0 then
  redis.call('ZADD', KEYS[1], ARGV[5], ARGV[1])
else
  redis.call('ZREM', KEYS[1], ARGV[1])
end
return 1
"""

# KEYS entry, stream, due, dead  ARGV key, now, stream name -> 1 pending again, 0 not dead
REQUEUE = """
if redis.call('HGET', KEYS[1], 'state') ~= 'dead' then return 0 end
redis.call('HSET', KEYS[1], 'state', 'pending', 'since', ARGV[2], 'attempts', 0, 'error', '',
  'done_at', 0)
redis.call('ZREM', KEYS[4], ARGV[1])
if redis.call('RPUSH', KEYS[2], ARGV[1]) == 1 then redis.call('ZADD', KEYS[3], ARGV[2], ARGV[3]) end
return 1
"""


def _data(entry: Entry) -> str:
    fixed = entry.to_json()
    for mutable in ("since", "attempts", "error", "done_at"):
        del fixed[mutable]
    return dump(fixed)


def _entry(fields: dict[str, str]) -> Entry:
    fixed = Entry.from_json(json.loads(fields["data"]))
    return fixed.changed(
        since=float(fields["since"]),
        attempts=int(fields["attempts"]),
        error=fields["error"],
        done_at=float(fields["done_at"]),
    )


class RedisOutbox:
    def __init__(self, client: Client, prefix: str = "theke"):
        if "{" in prefix or "}" in prefix:
            raise ValueError("a Redis key prefix cannot contain { or }")
        self._redis = client
        self.address = address_of(client)
        self._base = f"{prefix}:{{%events}}"
        self._due, self._leases, self._dead = (
            f"{self._base}:{n}" for n in ("due", "leases", "dead")
        )
        self._add = client.register_script(ADD)
        self._claim = client.register_script(CLAIM)
        self._finish = client.register_script(FINISH)
        self._requeue = client.register_script(REQUEUE)

    @classmethod
    def from_url(
        cls, url: str, prefix: str = "theke", *, max_connections: int = 20, timeout: float = 5.0
    ) -> RedisOutbox:
        return cls(bounded_client(url, max_connections, timeout), prefix)

    def _entry_key(self, key: str) -> str:
        return f"{self._base}:entry:{key}"

    def _stream_key(self, stream: str) -> str:
        return f"{self._base}:stream:{stream}"

    async def _read(self, keys: Sequence[str]) -> list[Entry]:
        pipe = self._redis.pipeline(transaction=False)
        for key in keys:
            pipe.hgetall(self._entry_key(key))
        rows = cast(list[dict[str, str]], await pipe.execute())
        return [_entry(row) for row in rows if row.get("data")]

    @guarded
    async def add(self, entries: Sequence[Entry], now: float) -> int:
        added = 0
        for entry in entries:
            keys = [self._entry_key(entry.key), self._stream_key(entry.stream), self._due]
            added += int(
                await self._add(keys=keys, args=[entry.key, _data(entry), now, entry.stream])
            )
        return added

    @guarded
    async def claim(self, now: float, lease: float, limit: int, token: str) -> list[Claimed]:
        found = await self._claim(
            keys=[self._due, self._leases], args=[now, now + lease, limit, token]
        )
        streams = cast(list[str], found)
        pipe = self._redis.pipeline(transaction=False)
        for stream in streams:
            pipe.lindex(self._stream_key(stream), 0)
        heads = cast(list[str | None], await pipe.execute())
        entries = await self._read([head for head in heads if head is not None])
        return [Claimed(entry, token) for entry in entries]

    async def _done(self, claimed: Claimed, outcome: str, now: float, *more: Any) -> bool:
        entry = claimed.entry
        keys = [self._due, self._leases, self._stream_key(entry.stream)]
        keys += [self._entry_key(entry.key), self._dead]
        args = [entry.stream, claimed.token, entry.key, outcome, now, *more]
        return bool(await self._finish(keys=keys, args=args))

    @guarded
    async def delivered(self, claimed: Claimed, now: float) -> bool:
        return await self._done(claimed, "delivered", now, now, "", round(KEEP_DONE * 1000))

    @guarded
    async def retry_later(self, claimed: Claimed, due: float, error: str) -> bool:
        return await self._done(claimed, "later", due, due, error, 0)

    @guarded
    async def give_up(self, claimed: Claimed, now: float, error: str) -> bool:
        return await self._done(claimed, "dead", now, now, error, 0)

    @guarded
    async def undeliverable(self, limit: int = 50) -> list[Entry]:
        keys = await self._redis.zrevrange(self._dead, 0, max(0, limit - 1))
        return await self._read(cast(list[str], keys))

    @guarded
    async def requeue(self, keys: Sequence[str], now: float) -> int:
        again = 0
        for key in dict.fromkeys(keys):
            found = await self._read([key])
            if not found:
                continue
            entry = found[0]
            redis_keys = [self._entry_key(key), self._stream_key(entry.stream), self._due]
            args: list[str | float] = [key, now, entry.stream]
            again += int(await self._requeue(keys=[*redis_keys, self._dead], args=args))
        return again

    async def close(self) -> None:
        await self._redis.aclose()
