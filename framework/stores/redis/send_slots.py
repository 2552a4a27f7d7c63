"""The sending schedule in Redis (framework/stores/send_slots.py): per sender, under its own
hash tag (legal on a cluster), `<prefix>:{%slots:<sender>}` holds when the sender's next free
slot is, `<prefix>:{%slots:<sender>}:begun` the sends its window counts (a sorted set: token ->
when its flight ends at the latest while it is in flight, when it finished once it did) and
`<prefix>:{%slots:<sender>}:held` until when the messenger holds the sender (no slot is taken
and no send begins before then), all in microseconds of the Redis server's clock;
`<prefix>:{%slots:<sender>}:pair:<digest>` when a recipient's allowance is whole again (a
digest of the recipient). TAKE, START, FINISH, PAIR and HOLD each read the server's time and
decide in one script, so workers on different machines share one clock, never take the same
slot, never begin more than the window holds together and never give one recipient more than
their allowance. The keys expire a second after they were last needed: an idle sender keeps
nothing. Redis failures become StoreError, as in the other Redis stores.
"""

from __future__ import annotations

import re

from framework.stores.redis.connection import Client, address_of, bounded_client, guarded
from framework.stores.send_slots import Slot, pair_key

__all__ = ["RedisSlots"]

# KEYS next slot, held until; ARGV gap, most (microseconds). Returns {wait, taken}.
TAKE = """
local now = redis.call('TIME')
now = tonumber(now[1]) * 1000000 + tonumber(now[2])
local held = tonumber(redis.call('GET', KEYS[2]) or '0')
local slot = math.max(now, held, tonumber(redis.call('GET', KEYS[1]) or '0'))
local wait = slot - now
if wait > tonumber(ARGV[2]) then return {wait, 0} end
local after = slot + tonumber(ARGV[1])
local keep = math.floor((after - now) / 1000) + 1000
redis.call('SET', KEYS[1], string.format('%d', after), 'PX', keep)
return {wait, 1}
"""

# KEYS begun, held until; ARGV window (microseconds), most, token, flight (microseconds).
# Returns 0 (begun) or the wait. A send in flight is kept until its flight ends at the latest
# (later than now): the first to leave is the oldest finished one, or one finishing now.
START = """
local now = redis.call('TIME')
now = tonumber(now[1]) * 1000000 + tonumber(now[2])
local window, flight = tonumber(ARGV[1]), tonumber(ARGV[4])
redis.call('ZREM', KEYS[1], ARGV[3])
local held = tonumber(redis.call('GET', KEYS[2]) or '0')
if held > now then return held - now end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return math.max(1, math.min(tonumber(oldest[2]), now) + window - now)
end
redis.call('ZADD', KEYS[1], now + flight, ARGV[3])
redis.call('PEXPIRE', KEYS[1], math.floor((flight + window) / 1000) + 1000)
return 0
"""

# KEYS begun; ARGV token. The send's request ended: counted from now, if still kept (XX: a key
# gone is not made again without an expiry). The expiry the latest START set outlasts a send
# finished within its flight by `window`.
FINISH = """
local now = redis.call('TIME')
now = tonumber(now[1]) * 1000000 + tonumber(now[2])
redis.call('ZADD', KEYS[1], 'XX', now, ARGV[1])
return 1
"""

# KEYS the pair's allowance whole again; ARGV burst, every, most (microseconds). Returns
# {wait, taken}.
PAIR = """
local now = redis.call('TIME')
now = tonumber(now[1]) * 1000000 + tonumber(now[2])
local every = tonumber(ARGV[2])
local full = math.max(now, tonumber(redis.call('GET', KEYS[1]) or '0'))
local wait = math.max(0, full - (tonumber(ARGV[1]) - 1) * every - now)
if wait > tonumber(ARGV[3]) then return {wait, 0} end
full = full + every
redis.call('SET', KEYS[1], string.format('%d', full), 'PX', math.floor((full - now) / 1000) + 1000)
return {wait, 1}
"""

# KEYS held until; ARGV seconds held (microseconds). A later hold kept stays.
HOLD = """
local now = redis.call('TIME')
now = tonumber(now[1]) * 1000000 + tonumber(now[2])
local held = now + tonumber(ARGV[1])
if held > tonumber(redis.call('GET', KEYS[1]) or '0') then
  redis.call('SET', KEYS[1], string.format('%d', held), 'PX', math.floor(ARGV[1] / 1000) + 1000)
end
return 1
"""

# KEYS held until. Returns the microseconds until it ends (0: not held).
HELD = """
local now = redis.call('TIME')
now = tonumber(now[1]) * 1000000 + tonumber(now[2])
return math.max(0, tonumber(redis.call('GET', KEYS[1]) or '0') - now)
"""

_SENDER = re.compile(r"[A-Za-z0-9_.:+-]{1,100}")
_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")
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
        self._start, self._finish = client.register_script(START), client.register_script(FINISH)
        self._hold, self._held = client.register_script(HOLD), client.register_script(HELD)
        self._pair = client.register_script(PAIR)

    @classmethod
    def from_url(cls, url: str, prefix: str = "theke", *, max_connections: int = 20) -> RedisSlots:
        return cls(bounded_client(url, max_connections, timeout=5.0), prefix)

    @guarded
    async def take(self, sender: str, gap: float, most: float) -> Slot:
        args = [round(gap * MICRO), round(min(most, LONGEST) * MICRO)]
        keys = [self._key(sender), self._held_key(sender)]
        wait, taken = await self._take(keys=keys, args=args)
        return Slot(int(wait) / MICRO, taken=bool(taken))

    @guarded
    async def start(
        self, sender: str, window: float, most: int, token: str, flight: float
    ) -> float:
        _check(token)
        if not 0 < window <= LONGEST or not 0 < flight <= LONGEST:
            raise ValueError("a window and a flight of up to an hour each")
        if isinstance(most, bool) or most < 1:
            raise ValueError("at least one send in a window")
        args: list[int | str] = [round(window * MICRO), most, token, round(flight * MICRO)]
        wait = await self._start(keys=[self._begun_key(sender), self._held_key(sender)], args=args)
        return int(wait) / MICRO

    @guarded
    async def finish(self, sender: str, token: str) -> None:
        _check(token)
        await self._finish(keys=[self._begun_key(sender)], args=[token])

    @guarded
    async def pair(
        self, sender: str, recipient: str, burst: int, every: float, most: float
    ) -> Slot:
        if isinstance(burst, bool) or not 0 < burst <= 1000 or not 0 < every <= LONGEST:
            raise ValueError("an allowance of 1 to 1000 at once, one more within an hour")
        args = [burst, round(every * MICRO), round(min(most, LONGEST) * MICRO)]
        key = f"{self._key(sender)}:pair:{pair_key(recipient)}"
        wait, taken = await self._pair(keys=[key], args=args)
        return Slot(int(wait) / MICRO, taken=bool(taken))

    @guarded
    async def hold(self, sender: str, seconds: float) -> None:
        held = round(min(max(seconds, 0.0), LONGEST) * MICRO)
        await self._hold(keys=[self._held_key(sender)], args=[held])

    @guarded
    async def held(self, sender: str) -> float:
        return int(await self._held(keys=[self._held_key(sender)])) / MICRO

    def _key(self, sender: str) -> str:
        if not _SENDER.fullmatch(sender):
            raise ValueError(f"a sender's name: 1 to 100 letters, digits or _.:+- ({sender!r})")
        return f"{self._prefix}:{{%slots:{sender}}}"

    def _begun_key(self, sender: str) -> str:
        return f"{self._key(sender)}:begun"

    def _held_key(self, sender: str) -> str:
        return f"{self._key(sender)}:held"

    async def close(self) -> None:
        await self._redis.aclose()


def _check(token: str) -> None:
    if not _TOKEN.fullmatch(token):
        raise ValueError(f"a send's token: 1 to 64 letters, digits, _ or - ({token!r})")
