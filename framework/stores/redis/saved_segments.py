"""The saved segments in the session store's Redis under the same key prefix: one hash per
bot, `<prefix>:{%segments:<bot>}` (its own hash tag: one Redis Cluster slot per bot, never a
session's), name -> the saved segment's JSON.

`save` reads the kept one, folds the new one in in Python (`replacing`, as every backend) and
writes it with SAVE, which writes only while the kept one is still as read and, for a new
name, while the bot keeps fewer than MAX_PER_BOT; two saves at once: the second reads the
first's and folds again. Redis failures become StoreError, as in the other Redis stores.
"""

from __future__ import annotations

import json
from typing import cast

from framework.stores.redis.connection import Client, address_of, bounded_client, guarded
from framework.stores.saved_segments import (
    MAX_LISTED,
    MAX_PER_BOT,
    SavedSegment,
    TooManySegments,
    check_bot,
    check_listing,
    check_name,
    replacing,
)
from framework.stores.session_store import StoreError

__all__ = ["TRIES", "RedisSavedSegments"]

TRIES = 50
"""Times a save is folded in again because the segment changed meanwhile."""

# KEYS the bot's hash; ARGV name, the kept JSON as read ('' none), the new JSON, the most a
# bot keeps. 1: written; 0: changed meanwhile; -1: a new name past the most.
SAVE = """
local kept = redis.call('HGET', KEYS[1], ARGV[1]) or ''
if kept ~= ARGV[2] then return 0 end
if kept == '' and redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[4]) then return -1 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1
"""


def _loaded(data: str | bytes) -> SavedSegment:
    return SavedSegment.from_json(json.loads(data))


class RedisSavedSegments:
    def __init__(self, client: Client, prefix: str = "theke") -> None:
        if "{" in prefix or "}" in prefix:
            raise ValueError("a Redis key prefix cannot contain { or }")
        self._redis, self._prefix = client, prefix
        self.address = address_of(client)
        self._save = client.register_script(SAVE)

    @classmethod
    def from_url(
        cls, url: str, prefix: str = "theke", *, max_connections: int = 10
    ) -> RedisSavedSegments:
        return cls(bounded_client(url, max_connections, timeout=5.0), prefix)

    def _key(self, bot: str) -> str:
        return f"{self._prefix}:{{%segments:{check_bot(bot)}}}"

    @guarded
    async def save(self, segment: SavedSegment) -> SavedSegment:
        key, name = self._key(segment.bot), check_name(segment.name)
        for _ in range(TRIES):
            kept = await self._redis.hget(key, name) or ""
            new = replacing(_loaded(kept) if kept else None, segment)
            args = [name, kept, json.dumps(new.to_json()), MAX_PER_BOT]
            written = int(await self._save(keys=[key], args=args))
            if written < 0:
                raise TooManySegments.of(segment.bot)
            if written:
                return new
        raise StoreError(f"the segment {name!r} changed {TRIES} times meanwhile; try again")

    @guarded
    async def get(self, bot: str, name: str) -> SavedSegment | None:
        kept = await self._redis.hget(self._key(bot), check_name(name))
        return _loaded(kept) if kept else None

    @guarded
    async def of_bot(self, bot: str, limit: int = MAX_LISTED) -> list[SavedSegment]:
        bot, limit = check_listing(bot, limit)
        kept = cast(dict[str, str], await self._redis.hgetall(self._key(bot)))
        return [_loaded(kept[name]) for name in sorted(kept)[:limit]]

    @guarded
    async def delete(self, bot: str, name: str) -> bool:
        return bool(await self._redis.hdel(self._key(bot), check_name(name)))

    async def close(self) -> None:
        await self._redis.aclose()
