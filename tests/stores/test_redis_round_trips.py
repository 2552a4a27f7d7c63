"""The order and contact stores opened beside the Redis session store share its round trips
(stores/redis/round_trips.py): what a turn writes to all three goes out together."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from framework.stores.contacts import ContactChange
from framework.stores.opening import StoreURL, open_contacts, open_orders, open_store
from framework.stores.records import InboxItem, StoreLimits
from framework.stores.redis.contacts import RedisContacts
from framework.stores.redis.orders import RedisOrders
from framework.stores.redis.round_trips import RoundTrips
from framework.stores.redis.sessions import RedisStore
from tests.payments.test_order_store import REDIS_URL, order
from tests.stores.contract import delete_keys, store_url

NOW = 1_800_000_000.0


@pytest.fixture(params=["redis", "redis-cluster"])
async def url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    prefix = f"test-{uuid.uuid4().hex[:8]}"
    found = store_url(str(request.param), tmp_path, request.config, prefix)
    yield found
    await delete_keys(StoreURL.parse(found).url, prefix)


def counting(trips: RoundTrips) -> list[int]:
    """How many calls each round trip of `trips` carries, from now on."""
    carried: list[int] = []
    round_trip = trips._round_trip

    async def counted(batch: Any) -> None:
        carried.append(sum(len(calls) for calls, _ in batch))
        await round_trip(batch)

    trips._round_trip = counted  # type: ignore[method-assign]
    return carried


async def test_orders_and_contacts_beside_the_sessions_share_their_round_trips(url: str) -> None:
    sessions = await open_store(url, StoreLimits())
    orders = await open_orders(url, beside=sessions)
    contacts = await open_contacts(url, beside=sessions)
    try:
        assert isinstance(sessions, RedisStore)
        assert isinstance(orders, RedisOrders) and isinstance(contacts, RedisContacts)
        carried = counting(sessions.round_trips)
        item = InboxItem("m1", "2026-11-27T18:00:00+00:00", "message", {"text": "hallo"})
        enqueued, created, contact = await asyncio.gather(
            sessions.enqueue("pizza:web:ada", item),
            orders.create(order("o1")),
            contacts.update("pizza", "pizza:web:ada", ContactChange(lang="de"), NOW),
        )
        assert enqueued and created.number == 1001 and contact.lang == "de"
        assert carried == [5]  # an enqueue's three scripts, a create and an update
        replaced = await orders.replace(created.moved("paid", NOW, "test"))
        assert replaced is not None and (await orders.get("o1")) == replaced
        assert await contacts.forget("pizza", "pizza:web:ada") == 1
        assert len(carried) == 3
    finally:
        await contacts.close()
        await orders.close()
    try:  # the session store's client is its own to close
        assert await sessions.pending() == ["pizza:web:ada"]
        assert await sessions.enqueue("pizza:web:ada", replace(item, id="m2"))
    finally:
        await sessions.close()


async def test_stores_beside_another_url_or_store_keep_their_own() -> None:
    sessions = await open_store("memory://", StoreLimits())
    apart = await open_store(REDIS_URL.rsplit("/", 1)[0] + "/3", StoreLimits())
    orders = await open_orders(REDIS_URL, beside=sessions)
    contacts = await open_contacts(REDIS_URL, beside=apart)
    try:
        assert isinstance(orders, RedisOrders) and isinstance(contacts, RedisContacts)
        assert isinstance(apart, RedisStore) and orders._trips is not contacts._trips
        assert apart.round_trips not in (orders._trips, contacts._trips)
    finally:
        for store in (orders, contacts, apart, sessions):
            await store.close()


async def test_one_name_names_one_script() -> None:
    store = RedisStore.from_url(REDIS_URL)
    try:
        store.round_trips.add({"ORDER_CREATE": "return 1"})
        with pytest.raises(ValueError, match="ORDER_CREATE"):
            store.round_trips.add({"ORDER_CREATE": "return 2"})
    finally:
        await store.close()
