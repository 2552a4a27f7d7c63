"""One contract, every order store: memory (the reference), sqlite (a temporary file), redis
and redis-cluster.

Redis is `REDIS_URL`, else the Makefile's redis://127.0.0.1:6379/15. Each test writes under a
key prefix of its own and deletes exactly those keys afterwards; without a server the Redis
tests fail (`make services` starts one), they are not skipped. The cluster is the run's own
three-node Redis Cluster (tests/runtime/cluster.py), thrown away with its keys at the end.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from framework.orders import Order
from framework.stores.memory.orders import MemoryOrders
from framework.stores.opening import open_orders
from framework.stores.order_store import OrderStore
from framework.stores.records import InboxItem
from framework.stores.redis.orders import PAGE, RedisOrders
from framework.stores.session_store import StoreError
from framework.stores.sqlite.orders import ORDER_SCHEMA_VERSION, SqliteOrders
from framework.stores.sqlite.schema import SCHEMA_VERSION
from framework.stores.sqlite.sessions import SqliteStore
from tests.runtime.cluster import cluster_url

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"
START = 1_800_000_000.0
HOSTILE = ('it\'s "quoted": {%orders}:*?[a]\\ Grüße 🍕 ' * 200)[:4000]

Opener = Callable[[], Awaitable[OrderStore]]
Later = Callable[[float], Awaitable[None]]


def order(order_id: str, bot: str = "pizza", minute: int = 0, **changes: Any) -> Order:
    created = START + 60 * minute
    line = {"kind": "item", "name": "Salami", "quantity": 2, "unit": 1250, "total": 2500}
    new = Order(
        id=order_id,
        bot=bot,
        session=f"{bot}:web:ada",
        currency="EUR",
        lines=(line,),
        total=2500,
        created_at=created,
        expires_at=created + 1800,
    )
    return new.changed(**changes)


async def move(store: OrderStore, order_id: str, status: str, **changes: Any) -> Order:
    """The stored order moved to `status`, as the webhook or the business would do it."""
    found = await store.get(order_id)
    assert found is not None
    moved = await store.replace(found.moved(status, START + 3600, "test", **changes))
    assert moved is not None and moved.version == found.version + 1
    return moved


def ids(orders: list[Order]) -> list[str]:
    return [found.id for found in orders]


async def redis_client() -> Redis:
    """A client of the test Redis; a test fails (is not skipped) when none answers."""
    client = Redis.from_url(REDIS_URL)
    try:
        await client.ping()
    except RedisConnectionError as error:
        await client.aclose()
        pytest.fail(f"no Redis at {REDIS_URL} ({error}): `make services` starts one")
    return client


async def delete_keys(client: Redis, prefix: str) -> None:
    """The keys a test wrote under its prefix, and only those."""
    keys = [key async for key in client.scan_iter(match=f"{prefix}:*", count=1000)]
    if keys:
        await client.delete(*keys)
    await client.aclose()


@pytest.fixture(params=["memory", "sqlite", "redis", "redis-cluster"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def opener(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[Opener]:
    """Opens stores on one set of orders, as the workers of one deployment do (memory lives in
    one process: there it is the same store); all are closed after the test."""
    memory = MemoryOrders()
    opened: list[OrderStore] = []
    client = await redis_client() if kind == "redis" else None
    url = cluster_url(request.config) if kind == "redis-cluster" else REDIS_URL
    prefix = f"test-orders-{uuid.uuid4().hex}"

    async def open_store() -> OrderStore:
        if kind == "memory":
            return memory
        if kind == "sqlite":
            store: OrderStore = await SqliteOrders.open(tmp_path / "state.db")
        else:
            store = RedisOrders.from_url(url, prefix)
        opened.append(store)
        return store

    yield open_store
    for store in opened:
        await store.close()
    if client is not None:
        await delete_keys(client, prefix)


@pytest.fixture
async def orders(opener: Opener) -> OrderStore:
    return await opener()


@pytest.fixture
def later(kind: str, monkeypatch: pytest.MonkeyPatch) -> Later:
    """Lets time pass: Redis expires keys by its own clock, so there it is waited for; the
    other stores read time.time(), which is moved on instead."""
    if kind.startswith("redis"):
        return asyncio.sleep
    clock = [time.time()]
    monkeypatch.setattr(time, "time", lambda: clock[0])

    async def move_on(seconds: float) -> None:
        clock[0] += seconds

    return move_on


async def test_numbers_start_at_1001_and_count_up_per_bot(orders: OrderStore) -> None:
    draft = order("a")
    first = await orders.create(draft)
    assert first == draft.changed(number=1001, version=1)
    assert (await orders.create(order("b"))).number == 1002
    assert (await orders.create(order("c", bot="bakery"))).number == 1001
    assert (await orders.create(order("d"))).number == 1003
    assert (await orders.create(order("e", bot="bakery"))).number == 1002


async def test_create_is_idempotent_on_the_id(opener: Opener) -> None:
    orders, other = await opener(), await opener()
    first = await orders.create(order("a"))
    assert await other.create(order("a", total=1)) == first  # kept unchanged
    racing = [store.create(order("b")) for store in (orders, other) * 5]
    assert {created.number for created in await asyncio.gather(*racing)} == {1002}
    paid = await move(orders, "a", "paid")
    assert await other.create(order("a")) == paid  # the stored order, whatever its version
    assert (await orders.create(order("c"))).number == 1003  # no number was used up


async def test_get_and_find(orders: OrderStore) -> None:
    created = await orders.create(order("a"))
    bakery = await orders.create(order("b", bot="bakery"))
    assert await orders.get("a") == created
    assert await orders.find("pizza", 1001) == created
    assert await orders.find("bakery", 1001) == bakery
    assert await orders.get("nothing") is None
    assert await orders.find("pizza", 1002) is None
    assert await orders.find("nobody", 1001) is None


async def test_list_is_newest_first_filtered_and_limited(orders: OrderStore) -> None:
    for n in range(5):
        await orders.create(order(f"o{n}", minute=-n))  # numbers, not times, order the list
    await orders.create(order("b", bot="bakery"))
    for paid in ("o1", "o3"):
        await move(orders, paid, "paid")
    assert ids(await orders.list("pizza")) == ["o4", "o3", "o2", "o1", "o0"]
    assert ids(await orders.list("pizza", limit=2)) == ["o4", "o3"]
    assert ids(await orders.list("pizza", frozenset({"paid"}))) == ["o3", "o1"]
    both = frozenset({"paid", "awaiting_payment"})
    assert ids(await orders.list("pizza", both, limit=3)) == ["o4", "o3", "o2"]
    assert await orders.list("pizza", frozenset()) == []
    assert ids(await orders.list("bakery")) == ["b"]
    assert await orders.list("nobody") == []


async def test_a_filtered_list_reads_past_many_other_orders(orders: OrderStore) -> None:
    count = PAGE * 2 + 10
    await asyncio.gather(*(orders.create(order(f"o{n:03}")) for n in range(count)))
    for found in await orders.list("pizza", limit=count):
        if found.number % 40 == 0:
            await move(orders, found.id, "paid")
    paid = await orders.list("pizza", frozenset({"paid"}))
    assert [found.number for found in paid] == [1200, 1160, 1120, 1080, 1040]
    assert len(await orders.list("pizza", limit=count + 5)) == count


@pytest.mark.parametrize("workers", [1, 2])
async def test_of_concurrent_replaces_of_one_version_exactly_one_wins(
    opener: Opener, workers: int
) -> None:
    stores = [await opener() for _ in range(workers)]
    created = await stores[0].create(order("a"))
    attempts = [
        stores[n % workers].replace(created.moved(status, START + 60, f"worker {n}"))
        for n, status in enumerate(["paid", "cancelled", "failed", "expired"] * 3)
    ]
    won = [stored for stored in await asyncio.gather(*attempts) if stored is not None]
    assert len(won) == 1 and won[0].version == 2
    assert await stores[-1].get("a") == won[0]
    assert await stores[0].replace(created.moved("paid", START + 60, "late")) is None
    again = await stores[-1].replace(won[0].changed(announced=won[0].status))
    assert again is not None and again.version == 3 and await stores[0].get("a") == again


async def test_a_replace_of_a_missing_or_misplaced_order_is_none(orders: OrderStore) -> None:
    assert await orders.replace(order("ghost", number=1001, version=1)) is None
    assert await orders.get("ghost") is None
    created = await orders.create(order("a"))
    await orders.create(order("b"))
    assert await orders.replace(created.changed(number=1002)) is None  # numbers never change
    assert await orders.replace(created.changed(bot="bakery")) is None
    assert await orders.get("a") == created
    assert await orders.find("pizza", 1002) == await orders.get("b")
    assert await orders.list("bakery") == []


async def test_unsettled_is_the_reconcilers_work_oldest_first(orders: OrderStore) -> None:
    await orders.create(order("waiting", minute=5))
    await orders.create(order("paid", minute=3, status="paid"))
    await orders.create(order("told", minute=1, status="paid", announced="paid"))
    await orders.create(order("failed", minute=2))
    await orders.create(order("accepted", minute=4))
    await move(orders, "failed", "failed", announced="failed")
    await move(orders, "accepted", "paid", announced="paid")
    await move(orders, "accepted", "accepted")  # the chat heard of the payment, not of this
    assert ids(await orders.unsettled()) == ["paid", "accepted", "waiting"]
    assert ids(await orders.unsettled(limit=2)) == ["paid", "accepted"]
    told = await orders.get("paid")
    assert told is not None and await orders.replace(told.changed(announced="paid")) is not None
    await move(orders, "waiting", "expired")  # not yet told either
    assert ids(await orders.unsettled()) == ["accepted", "waiting"]


async def test_an_event_is_seen_once_until_its_ttl_ran_out(
    orders: OrderStore, later: Later
) -> None:
    assert not await orders.seen("evt_1")
    assert await orders.first_seen("evt_1", 0.5)
    assert await orders.seen("evt_1") and not await orders.seen("evt_2")
    assert not await orders.first_seen("evt_1", 0.5)
    assert await orders.first_seen("evt_2", 0.5)
    assert await orders.first_seen(HOSTILE, 0.5)
    assert not await orders.first_seen(HOSTILE, 0.5) and await orders.seen(HOSTILE)
    await later(0.8)
    assert not await orders.seen("evt_1")
    assert await orders.first_seen("evt_1", 0.5)
    assert not await orders.first_seen("evt_1", 0.5)


async def test_an_order_round_trips_exactly(orders: OrderStore) -> None:
    big = 10**24 + 7  # beyond a double's exact integers
    full = Order(
        id="ord_Grüße",
        bot="café",
        session="café:whatsapp:+4915112345678",
        currency="EUR",
        lines=(
            {
                "kind": "item",
                "name": "Pizza „Grüße“ – 🍕",
                "quantity": 3,
                "unit": big,
                "total": big,
            },
            {"kind": "discount", "name": "Stammkunde", "quantity": 1, "unit": -7, "total": -7},
        ),
        total=big - 7,
        created_at=START + 0.123456789,
        expires_at=START + 1800.5,
        taxes=({"rate": "19", "included": True, "amount": big // 119 * 19},),
        customer={"name": "Zoë 山田", "note": None, "broken": "\ud83d", "extra": [1, 2.5, "x"]},
        delivery={"street": "Weserstraße", "number": "5a", "floor": 0},
        provider="stripe",
        checkout="cs_test_1",
        url="https://checkout.stripe.com/c/pay/cs_test_1#fid",
        history=({"status": "awaiting_payment", "at": START, "by": "bot"},),
    )
    created = await orders.create(full)
    assert created == full.changed(number=1001, version=1)
    assert await orders.get(full.id) == created
    assert Order.from_json(created.to_json()) == created
    paid = created.moved("paid", START + 5.5, "stripe", payment="pi_1", refunded=big // 3)
    stored = await orders.replace(paid)
    assert stored == paid.changed(version=2)
    assert await orders.get(full.id) == stored
    assert await orders.find("café", 1001) == stored


@pytest.mark.parametrize("workers", [1, 2])
async def test_fifty_concurrent_creates_get_fifty_consecutive_numbers(
    opener: Opener, workers: int
) -> None:
    stores = [await opener() for _ in range(workers)]
    creates = (stores[n % workers].create(order(f"o{n}")) for n in range(50))
    created = await asyncio.gather(*creates)
    assert sorted(found.number for found in created) == list(range(1001, 1051))
    listed = await stores[-1].list("pizza", limit=100)
    assert sorted(ids(listed)) == sorted(ids(created)) and len(listed) == 50


async def test_hostile_ids_and_bots_are_kept_as_they_are(orders: OrderStore) -> None:
    bot = "pi:zza {%orders} 'x'"
    created = await orders.create(order(HOSTILE, bot=bot))
    assert created.id == HOSTILE and len(HOSTILE) == 4000
    assert await orders.get(HOSTILE) == created
    assert await orders.find(bot, 1001) == created
    assert await orders.list(bot) == [created]
    assert await orders.get(HOSTILE[:-1]) is None
    assert await orders.find("pi:zza", 1001) is None
    moved = await move(orders, HOSTILE, "paid")
    assert await orders.unsettled() == [moved]
    assert (await orders.create(order("plain", bot=bot))).number == 1002


async def test_sqlite_orders_survive_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "state.db"  # parent folders are created
    store = await SqliteOrders.open(path)
    created = await store.create(order("a"))
    paid = await move(store, "a", "paid")
    assert await store.first_seen("evt_1", 60)
    await store.close()
    store = await SqliteOrders.open(path)
    try:
        assert await store.get("a") == paid != created
        assert (await store.create(order("b"))).number == 1002
        assert not await store.first_seen("evt_1", 60)
        assert ids(await store.unsettled()) == ["a", "b"]
    finally:
        await store.close()


@pytest.mark.parametrize("orders_first", [True, False])
async def test_sqlite_orders_share_the_file_with_the_session_store(
    tmp_path: Path, orders_first: bool
) -> None:
    path = tmp_path / "state.db"
    if orders_first:
        orders = await SqliteOrders.open(path)
        sessions = await SqliteStore.open(str(path))
    else:
        sessions = await SqliteStore.open(str(path))
        orders = await SqliteOrders.open(path)
    message = InboxItem.message("m1", "2026-11-27T18:00:00+00:00", "hi")
    assert await sessions.enqueue("pizza:web:ada", message)
    created = await orders.create(order("a"))
    await sessions.close()
    await orders.close()
    sessions, orders = await SqliteStore.open(str(path)), await SqliteOrders.open(path)
    try:
        assert await sessions.pending() == ["pizza:web:ada"]
        assert await orders.get("a") == created
    finally:
        await sessions.close()
        await orders.close()
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
        assert db.execute("SELECT * FROM order_schema").fetchall() == [(ORDER_SCHEMA_VERSION,)]


async def test_sqlite_purges_expired_events(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = [time.time()]
    monkeypatch.setattr(time, "time", lambda: clock[0])
    store = await SqliteOrders.open(tmp_path / "state.db")
    try:
        for n in range(5):
            assert await store.first_seen(f"evt_{n}", 10)
        clock[0] += 61
        assert await store.first_seen("evt_new", 10)
    finally:
        await store.close()
    with closing(sqlite3.connect(tmp_path / "state.db")) as db:
        assert db.execute("SELECT id FROM payment_events").fetchall() == [("evt_new",)]


async def test_sqlite_refuses_what_it_cannot_use_and_leaves_no_thread(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="cannot be opened"):
        await SqliteOrders.open(tmp_path)  # a folder
    path = tmp_path / "state.db"
    await (await SqliteOrders.open(path)).close()
    with closing(sqlite3.connect(path)) as db, db:
        db.execute("UPDATE order_schema SET version = ?", (ORDER_SCHEMA_VERSION + 1,))
    with pytest.raises(StoreError, match="upgrade Theke"):
        await SqliteOrders.open(path)
    assert not [t for t in threading.enumerate() if t.name.startswith("theke-orders")]


async def test_open_orders_opens_the_store_beside_the_session_store(tmp_path: Path) -> None:
    memory = await open_orders("memory://")
    relative = await open_orders("sqlite:///data/state.db", root=tmp_path)
    absolute = await open_orders(f"sqlite:///{tmp_path / 'other.db'}")
    redis = await open_orders(REDIS_URL)  # not used: it writes nothing under "theke"
    for store in (memory, relative, absolute, redis):
        await store.close()
    assert isinstance(memory, MemoryOrders) and isinstance(redis, RedisOrders)
    assert isinstance(relative, SqliteOrders) and isinstance(absolute, SqliteOrders)
    assert (tmp_path / "data" / "state.db").exists() and (tmp_path / "other.db").exists()
    with pytest.raises(StoreError, match="unknown store"):
        await open_orders("postgres://localhost/theke")
