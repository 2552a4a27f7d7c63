"""The sending schedule in Redis (framework/stores/send_slots.py): one key per sender,
`<prefix>:{%slots:<sender>}` (its own hash tag: legal on a cluster), holding when the sender's
next free slot is, in microseconds of the Redis server's clock. TAKE reads the server's time
and takes the slot in one script, so workers on different machines share one clock and never
take the same slot. The key expires a second after its last slot: an idle sender keeps
nothing. Redis failures become StoreError, as in the other Redis stores.
"""

from __future__ import annotations

import re

from framework.stores.redis.connection import Client, address_of, bounded_client, guarded
from framework.stores.send_slots import Slot

__all__ = ["RedisSlots"]

# KEYS next slot; ARGV gap, most (microseconds). Returns {wait, taken}.
TAKE = """
local now = redis.call('TIME')
now = tonumber(now[1]) * 1000000 + tonumber(now[2])
local slot = math.max(now, tonumber(redis.call('GET', KEYS[1]) or '0'))
local wait = slot - now
if wait > tonumber(ARGV[2]) then return {wait, 0} end
local after = slot + tonumber(ARGV[1])
local keep = math.floor((after - now) / 1000) + 1000
redis.call('SET', KEYS[1], string.format('%d', after), 'PX', keep)
return {wait, 1}
"""

_SENDER = re.compile(r"[A-Za-z0-9_.:+-]{1,100}")
MICRO = 1_000_000
LONGEST = 3600.0
"""Seconds a caller may wait at most, whatever it asks (Redis' numbers are doubles)."""


class RedisSlots:
    def __init__(self, client: Client, prefix: str = "theke") -> None:
        if "{" in prefix or "}" in prefix:
            raise ValueError("a Redis key prefix cannot contain { or }")
        self._redis, self._prefix = client, prefix
        self.address = address_of(client)
        self._take = client.register_script(TAKE)

    @classmethod
    def from_url(cls, url: str, prefix: str = "theke", *, max_connections: int = 20) -> RedisSlots:
        return cls(bounded_client(url, max_connections, timeout=5.0), prefix)

    @guarded
    async def take(self, sender: str, gap: float, most: float) -> Slot:
        if not _SENDER.fullmatch(sender):
            raise ValueError(f"a sender's name: 1 to 100 letters, digits or _.:+- ({sender!r})")
        args = [round(gap * MICRO), round(min(most, LONGEST) * MICRO)]
        wait, taken = await self._take(keys=[f"{self._prefix}:{{%slots:{sender}}}"], args=args)
        return Slot(int(wait) / MICRO, taken=bool(taken))

    async def close(self) -> None:
        await self._redis.aclose()
