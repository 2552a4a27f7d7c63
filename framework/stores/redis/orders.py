"""Orders in the session store's Redis, under the same key prefix.

Keys, all in the hash tag `{%orders}`: one Redis Cluster slot, so the scripts below are legal
on a cluster too (orders are few next to messages), and never a session's slot (a session
key's tag has its `%` escaped):

    <prefix>:{%orders}:order:<id>    hash: data (the order's JSON), version
    <prefix>:{%orders}:last:<bot>    the last number the bot gave (the first is 1001)
    <prefix>:{%orders}:bot:<bot>     zset: order id -> number; the list, and number -> id
    <prefix>:{%orders}:unsettled     zset: order id -> created_at, iff `is_unsettled`
    <prefix>:{%orders}:event:<id>    a payment event id seen, expiring after its ttl

Creating and replacing are Lua scripts, so each is atomic across workers: create looks for the
id, counts the bot's number up and writes the order with its indexes; replace compares the
version (and that the order keeps its bot and number), writes it and updates the unsettled
index. Python writes an order's JSON (Lua's cjson would turn big totals into doubles): for a
new order Lua only puts the number and version in front of the rest. Both go through round
trips (round_trips.py): the session store's when opened beside it, which the pay step's writes
then share with the turns' scripts. Redis failures become StoreError, as in the session store.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from typing import cast

from framework.orders import Order
from framework.stores.json_text import dump
from framework.stores.order_json import FIRST_NUMBER, is_unsettled, load
from framework.stores.redis.connection import Client, address_of, bounded_client, guarded
from framework.stores.redis.round_trips import RoundTrips

__all__ = ["RedisOrders"]

Args = list[str | int | float]
"""A script's arguments."""

PAGE = 100
"""Orders read at a time when a list skips those of other statuses."""

# KEYS order, last number, bot's orders, unsettled
# ARGV id, the order's JSON without number and version after its "{", created_at,
#      unsettled ('1' or ''), the number before the first -> the stored order's JSON
CREATE = """
local found = redis.call('HGET', KEYS[1], 'data')
if found then return found end
redis.call('SET', KEYS[2], ARGV[5], 'NX')
local number = string.format('%d', redis.call('INCR', KEYS[2]))
local data = '{"number":' .. number .. ',"version":1,' .. ARGV[2]
redis.call('HSET', KEYS[1], 'data', data, 'version', 1)
redis.call('ZADD', KEYS[3], number, ARGV[1])
if ARGV[4] == '1' then redis.call('ZADD', KEYS[4], ARGV[3], ARGV[1]) end
return data
"""

# KEYS order, bot's orders, unsettled
# ARGV id, version read, number, the new JSON, new version, created_at, unsettled ('1' or '')
# -> 1 (stored) or 0 (changed meanwhile, missing, or another bot's or number)
REPLACE = """
if redis.call('HGET', KEYS[1], 'version') ~= ARGV[2] then return 0 end
if tonumber(redis.call('ZSCORE', KEYS[2], ARGV[1])) ~= tonumber(ARGV[3]) then return 0 end
redis.call('HSET', KEYS[1], 'data', ARGV[4], 'version', ARGV[5])
if ARGV[7] == '1' then
  redis.call('ZADD', KEYS[3], ARGV[6], ARGV[1])
else
  redis.call('ZREM', KEYS[3], ARGV[1])
end
return 1
"""


SCRIPTS = {"ORDER_CREATE": CREATE, "ORDER_REPLACE": REPLACE}


def _flag(order: Order) -> str:
    return "1" if is_unsettled(order) else ""


def _rest(order: Order) -> str:
    """The order's JSON after its "{", without the number and version the store gives it."""
    data = order.to_json()
    del data["number"], data["version"]
    return dump(data)[1:]


class RedisOrders:
    def __init__(self, client: Client | RoundTrips, prefix: str = "theke"):
        """On `client`, or on the round trips of another store (and its client, which that
        store closes)."""
        if "{" in prefix or "}" in prefix:
            raise ValueError("a Redis key prefix cannot contain { or }")
        self._owns = not isinstance(client, RoundTrips)
        self._trips = client if isinstance(client, RoundTrips) else RoundTrips(client)
        self._trips.add(SCRIPTS)
        self._redis = self._trips.client
        self.address = address_of(self._redis)
        self._base = f"{prefix}:{{%orders}}"
        self._unsettled = f"{self._base}:unsettled"

    @classmethod
    def from_url(
        cls, url: str, prefix: str = "theke", *, max_connections: int = 50, timeout: float = 5.0
    ) -> RedisOrders:
        """On a bounded pool, as the session store's (see `bounded_client`)."""
        return cls(bounded_client(url, max_connections, timeout), prefix)

    def _key(self, kind: str, name: str) -> str:
        return f"{self._base}:{kind}:{name}"

    async def _load(self, order_ids: Iterable[str]) -> list[Order]:
        """The orders with these ids, in their order."""
        pipe = self._redis.pipeline(transaction=False)
        for order_id in order_ids:
            pipe.hget(self._key("order", order_id), "data")
        return [load(data) for data in await pipe.execute() if data is not None]

    @guarded
    async def create(self, order: Order) -> Order:
        keys = [self._key("order", order.id), self._key("last", order.bot)]
        keys += [self._key("bot", order.bot), self._unsettled]
        args: Args = [order.id, _rest(order), order.created_at, _flag(order), FIRST_NUMBER - 1]
        [data] = await self._trips.run(("ORDER_CREATE", keys, args))
        return load(data)

    @guarded
    async def get(self, order_id: str) -> Order | None:
        found = await self._load([order_id])
        return found[0] if found else None

    @guarded
    async def find(self, bot: str, number: int) -> Order | None:
        key = self._key("bot", bot)
        found = await self._redis.zrangebyscore(key, number, number, start=0, num=1)
        order_ids = cast(list[str], found)
        return await self.get(order_ids[0]) if order_ids else None

    @guarded
    async def list(
        self, bot: str, statuses: frozenset[str] | None = None, limit: int = 50
    ) -> list[Order]:
        """Read in pages down from the last number seen: orders created meanwhile cannot
        shift them."""
        key, below, page = self._key("bot", bot), "+inf", limit if statuses is None else PAGE
        found: list[Order] = []
        while len(found) < limit:
            page_rows = await self._redis.zrevrangebyscore(
                key, below, "-inf", start=0, num=page, withscores=True
            )
            rows = cast(list[tuple[str, float]], page_rows)
            orders = await self._load([order_id for order_id, _ in rows])
            found += [order for order in orders if statuses is None or order.status in statuses]
            if len(rows) < page:
                break
            below = f"({rows[-1][1]!r}"
        return found[:limit]

    @guarded
    async def replace(self, order: Order) -> Order | None:
        new = order.changed(version=order.version + 1)
        keys = [self._key("order", order.id), self._key("bot", order.bot), self._unsettled]
        args: Args = [order.id, order.version, order.number, dump(new.to_json()), new.version]
        args += [new.created_at, _flag(new)]
        [stored] = await self._trips.run(("ORDER_REPLACE", keys, args))
        return new if stored else None

    @guarded
    async def unsettled(self, limit: int = 100) -> builtins.list[Order]:
        found = await self._redis.zrangebyscore(self._unsettled, "-inf", "+inf", start=0, num=limit)
        return await self._load(cast(list[str], found))

    @guarded
    async def seen(self, event_id: str) -> bool:
        return bool(await self._redis.exists(self._key("event", event_id)))

    @guarded
    async def first_seen(self, event_id: str, ttl: float) -> bool:
        key = self._key("event", event_id)
        return bool(await self._redis.set(key, "1", nx=True, px=max(1, round(ttl * 1000))))

    async def close(self) -> None:
        if self._owns:
            await self._redis.aclose()
