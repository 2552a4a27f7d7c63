"""What only a Redis Cluster shows: sessions on several nodes, scripts that never cross a slot,
announcements that still come before and after what they announce when a round trip spans
nodes, a bounded pool, scripts a node lost, and the URLs that name a cluster.

The contract suites, the guarantee tests and the two-worker process tests run on the cluster
too (the "redis-cluster" backend); the cluster is tests/runtime/cluster.py's.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis, RedisCluster
from redis.exceptions import RedisClusterException

from framework.stores.opening import open_orders, open_store
from framework.stores.records import StoreLimits
from framework.stores.redis.connection import BoundedCluster
from framework.stores.redis.orders import RedisOrders
from framework.stores.redis.sessions import RedisStore
from framework.stores.session_store import StoreError
from tests.runtime.cluster import cluster_url
from tests.runtime.processes import free_port
from tests.runtime.test_redis_store import KEYS, drain, item, turn


@pytest.fixture
def url(request: pytest.FixtureRequest) -> str:
    return cluster_url(request.config)


@pytest.fixture
async def store(url: str) -> AsyncIterator[RedisStore]:
    opened = RedisStore.from_url(url, prefix=f"test-{uuid.uuid4().hex[:8]}")
    yield opened
    await opened.close()


def node_of(store: RedisStore, key: str) -> str:
    client = store._redis
    assert isinstance(client, RedisCluster)
    return client.get_node_from_key(key).name


async def test_sessions_spread_over_the_nodes_and_no_script_crosses_a_slot(
    store: RedisStore,
) -> None:
    sessions = [f"pizza:web:c{n}" for n in range(12)]
    now = time.time()
    for number, key in enumerate(sessions + KEYS):
        await turn(store, key, number, {"reminder": now - 1})
    assert sorted(await store.fire_timers(now)) == sorted(sessions + KEYS)
    assert sorted(await store.pending()) == sorted(sessions + KEYS)
    for key in sessions + KEYS:
        assert len(await drain(store, key)) == 1
    homes = {node_of(store, store.session_keys(key).state) for key in sessions}
    assert len(homes) == 3  # the test's sessions really are on every node
    k, other = store.session_keys(sessions[0]), store.session_keys(sessions[1])
    crossing = ("CLAIM", [k.lease, k.state, k.profile, other.inbox], ["token", 1000])
    with pytest.raises(RedisClusterException, match="same key slot"):
        await store.round_trips.run(crossing)  # what a key layout that crossed slots would meet


Ran = tuple[float, str, list[str], list[str]]
"""A script a node ran: the node's time, the script's sha, its keys and its arguments."""


async def monitor(port: int, seen: list[Ran], ready: asyncio.Event) -> None:
    """The scripts node `port` runs, until ECHO monitor-done."""
    async with Redis(port=port, decode_responses=True) as client, client.monitor() as watching:
        ready.set()
        async for command in watching.listen():
            words = command["command"].split(" ")
            if words[0].upper() == "ECHO" and words[1] == "monitor-done":
                return
            if words[0].upper() == "EVALSHA":
                keys = 3 + int(words[2])
                seen.append((command["time"], words[1], words[3:keys], words[keys:]))


async def test_announcements_reach_the_cluster_before_and_after_what_they_announce(
    store: RedisStore,
) -> None:
    """A round trip of many enqueues spans the nodes; each ENQUEUE still runs after an
    ANNOUNCE of its session and before another (a worker dying between leaves an
    index entry, never an unindexed item; a cleaner racing it cannot remove the entry). The
    nodes are processes on this machine: their clocks are one."""
    client = store._redis
    assert isinstance(client, RedisCluster)
    await client.initialize()
    ports = [int(node.port) for node in client.get_primaries()]
    seen: list[Ran] = []
    readiness = {port: asyncio.Event() for port in ports}
    watchers = [
        asyncio.create_task(monitor(port, seen, ready)) for port, ready in readiness.items()
    ]
    for ready in readiness.values():
        await ready.wait()
    sessions = [f"pizza:web:c{n}" for n in range(30)]
    await asyncio.gather(*(store.enqueue(key, item(1)) for key in sessions))
    for port in ports:
        async with Redis(port=port) as node:
            await node.echo("monitor-done")
    await asyncio.wait_for(asyncio.gather(*watchers), 10)
    names = {script.sha: name for name, script in store.round_trips._scripts.items()}
    inboxes = {store.session_keys(key).inbox: key for key in sessions}
    enqueued = {inboxes[keys[1]]: at for at, sha, keys, _ in seen if names[sha] == "ENQUEUE"}
    assert sorted(enqueued) == sorted(sessions)
    assert len({node_of(store, inbox) for inbox in inboxes}) == 3
    for key, at in enqueued.items():
        announced = [
            when for when, sha, _, args in seen if names[sha] == "ANNOUNCE" and key in args
        ]
        assert min(announced) < at < max(announced), key


async def test_a_burst_beyond_the_pool_waits_for_a_connection(url: str) -> None:
    store = RedisStore.from_url(url, max_connections=2, timeout=5.0)
    orders = RedisOrders.from_url(url, f"test-{uuid.uuid4().hex[:8]}", max_connections=2)
    try:
        logs = await asyncio.gather(*(store.log(f"pizza:web:c{n}", 0) for n in range(100)))
        assert logs == [[]] * 100
        assert await asyncio.gather(*(orders.get(f"o{n}") for n in range(100))) == [None] * 100
    finally:
        await store.close()
        await orders.close()
    busy = RedisStore.from_url(url, max_connections=1, timeout=0.2)
    client = busy._redis
    assert isinstance(client, BoundedCluster)
    started = asyncio.Event()

    async def hold() -> None:
        async with client.turn():
            started.set()
            await asyncio.sleep(1)

    holding = asyncio.create_task(hold())
    await started.wait()
    with pytest.raises(StoreError, match="stayed busy"):
        await busy.log("pizza:web:ada", 0)
    await holding
    await busy.close()


async def test_scripts_a_node_lost_are_loaded_again(store: RedisStore) -> None:
    await turn(store, "pizza:web:ada", 1, {})
    await store._redis.script_flush()  # every primary: as after a restart without persistence
    await turn(store, "pizza:web:ada", 2, {})
    await turn(store, "pizza:web:bob", 3, {})
    entries = await store.result("pizza:web:ada", "m2")
    assert entries is not None and [e["seq"] for e in entries] == [3, 4]


async def test_a_cluster_that_is_down_gives_a_store_error_quickly() -> None:
    port = free_port()
    started = time.monotonic()
    store = RedisStore.from_url(f"redis+cluster://127.0.0.1:{port}")
    orders = RedisOrders.from_url(f"redis+cluster://127.0.0.1:{port}")
    for operation in (store.enqueue("pizza:web:ada", item(1)), store.ping(), orders.get("o1")):
        with pytest.raises(StoreError, match="is it running"):
            await operation
    assert time.monotonic() - started < 2
    await store.close()
    await orders.close()


async def test_a_single_redis_named_as_a_cluster_is_refused_with_advice(redis_url: str) -> None:
    store = RedisStore.from_url(redis_url.replace("redis://", "redis+cluster://").rsplit("/", 1)[0])
    with pytest.raises(StoreError, match=r"cluster_state:ok.*redis://"):
        await store.ping()
    await store.close()


async def test_cluster_urls(url: str) -> None:
    seeds = "redis+cluster://127.0.0.1:7000,127.0.0.1:7001,[::1]:7002"
    assert RedisStore.from_url(seeds).address == "127.0.0.1:7000,127.0.0.1:7001,::1:7002"
    assert RedisStore.from_url("redis+cluster://127.0.0.1:7000/0").address == "127.0.0.1:7000"
    tls = RedisStore.from_url("rediss+cluster://:secret@127.0.0.1:7000")._redis
    assert isinstance(tls, RedisCluster)
    assert tls.connection_kwargs["password"] == "secret"
    assert tls.connection_kwargs["connection_class"].__name__ == "SSLConnection"
    for wrong in ("redis+cluster://127.0.0.1:7000/1", "redis+cluster://127.0.0.1:x"):
        with pytest.raises(StoreError, match="cluster"):
            RedisStore.from_url(wrong)
    opened, orders = await open_store(url, StoreLimits()), await open_orders(url)
    try:
        assert isinstance(opened, RedisStore) and isinstance(opened._redis, RedisCluster)
        assert isinstance(orders, RedisOrders) and isinstance(orders._redis, RedisCluster)
        await opened.ping()
    finally:
        await opened.close()
        await orders.close()
