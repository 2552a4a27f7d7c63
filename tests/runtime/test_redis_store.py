"""What only the Redis store has to show: cluster slots, racing workers, a Redis going away.

The contract suite (test_store_contract.py) covers the behaviour every store shares. Tests on
`store` or `any_redis_url` run on one Redis and again on a Redis Cluster; what only a cluster
shows is in test_redis_cluster.py.
"""

from __future__ import annotations

import asyncio
import json
import random
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from redis.asyncio import Redis
from redis.cluster import key_slot
from redis.exceptions import ResponseError

from framework.stores.records import Claim, Commit, InboxItem, StoreLimits, timer_item_id
from framework.stores.redis.sessions import RedisStore
from framework.stores.session_store import StoreError
from tests.runtime.conftest import redis_url_for
from tests.runtime.processes import free_port

KEYS = ["pizza:web:ada", "pizza:whatsapp:+4915112345678", "a:b:{c}", "a:b:}", "a:b:%7D", "x:y:ü"]


def start_redis(port: int) -> subprocess.Popen[bytes]:
    server = shutil.which("redis-server")
    if server is None:
        pytest.fail("redis-server is not installed: `make services` installs it")
    command = [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly"]
    process = subprocess.Popen([*command, "no"], stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.02)
    process.kill()
    raise RuntimeError("redis-server did not start")


def stop_redis(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    process.wait(timeout=10)


@contextmanager
def throwaway_redis() -> Iterator[int]:
    port = free_port()
    process = start_redis(port)
    try:
        yield port
    finally:
        stop_redis(process)


def unescape(monitored: str) -> str:
    """MONITOR shows bytes outside ASCII as \\xNN."""
    return monitored.encode().decode("unicode_escape").encode("latin-1").decode()


def new_store(url: str, limits: StoreLimits | None = None, prefix: str = "") -> RedisStore:
    return RedisStore.from_url(url, limits, prefix=prefix or f"test-{uuid.uuid4().hex[:8]}")


@pytest.fixture(params=["redis", "redis-cluster"])
def any_redis_url(request: pytest.FixtureRequest) -> str:
    """One Redis, then a Redis Cluster."""
    return redis_url_for(str(request.param), request)


@pytest.fixture
async def store(any_redis_url: str) -> AsyncIterator[RedisStore]:
    opened = new_store(any_redis_url)
    yield opened
    await opened.close()


def item(number: int, text: str = "hi") -> InboxItem:
    return InboxItem.message(f"m{number}", "2026-11-27T18:00:00+00:00", text)


async def turn(store: RedisStore, key: str, number: int, timers: dict[str, float | None]) -> None:
    """Message m<number> arrives and the session's oldest item is processed (a later one is
    left waiting)."""
    await store.enqueue(key, item(number))
    claim = await store.claim(key, "w", 10)
    assert claim is not None
    entries = [{"from": "customer", "text": "hi"}, {"from": "bot", "text": "ok"}]
    commit = Commit(claim.item.id, {"n": number}, {"address": "Weserstraße 5"}, entries, timers)
    following = await store.commit(claim, commit)
    assert following is not False
    if isinstance(following, Claim):
        await store.release(following)


async def drain(
    store: RedisStore, key: str, timers: dict[str, float | None] | None = None
) -> list[str]:
    """Process every waiting item of a session, messages setting `timers`; the ids, in order."""
    ids = []
    claim = await store.claim(key, "drain", 10)
    while claim is not None:
        ids.append(claim.item.id)
        sets = {} if claim.item.timer or timers is None else timers
        outcome = await store.commit(claim, Commit(claim.item.id, {}, claim.profile, [], sets))
        assert outcome is not False
        claim = outcome if isinstance(outcome, Claim) else None
    return ids


def test_all_keys_of_a_session_share_one_cluster_slot() -> None:
    store = RedisStore(Redis(), prefix="theke")
    names: set[str] = set()
    for key in KEYS:
        keys = store.session_keys(key)
        assert len({key_slot(name.encode()) for name in keys}) == 1, key
        assert not names & set(keys)  # no session shares a key name with another
        names |= set(keys)
    assert len({key_slot(name.encode()) for name in store.index_keys}) == 1
    assert not names & set(store.index_keys)
    with pytest.raises(ValueError):
        RedisStore(Redis(), prefix="the{ke}")


async def test_no_script_touches_keys_of_two_sessions(redis_url: str) -> None:
    store = new_store(redis_url)  # one server to MONITOR; a cluster client checks it itself
    sessions = {key: set(store.session_keys(key)) for key in KEYS}
    index = set(store.index_keys)
    scripts: list[list[str]] = []
    monitor_client = Redis.from_url(redis_url, decode_responses=True)
    async with monitor_client.monitor() as monitor:

        async def watch() -> None:
            async for command in monitor.listen():
                words = command["command"].split(" ")
                if words[0].upper() == "ECHO" and words[1] == "monitor-done":
                    return
                if words[0].upper() in ("EVALSHA", "EVAL"):
                    scripts.append([unescape(k) for k in words[3 : 3 + int(words[2])]])

        watching = asyncio.create_task(watch())
        now = time.time()
        for number, key in enumerate(KEYS):
            await store.keep_answer(key, f"r{number}", "{}")
            await turn(store, key, number, {"reminder": now - 1, "later": now + 60})
            assert await store.kept_answer(key, f"r{number}") == "{}"
        await store.enqueue(KEYS[0], item(99))
        assert sorted(await store.fire_timers(now)) == sorted(KEYS)
        assert sorted(await store.pending()) == sorted(KEYS)
        for key in KEYS:
            await drain(store, key)
            assert await store.result(key, "m99") is not None or key != KEYS[0]
        assert await store.pending() == []
        await store._redis.echo("monitor-done")
        await asyncio.wait_for(watching, 10)
    await monitor_client.aclose()
    await store.close()
    ours = [keys for keys in scripts if keys and keys[0].startswith(store.index_keys[0][:13])]
    assert len(ours) > 30
    for keys in ours:
        assert len({key_slot(name.encode()) for name in keys}) == 1, keys
        owners = [key for key, names in sessions.items() if set(keys) <= names]
        assert len(owners) == 1 or set(keys) <= index, keys


async def test_two_workers_racing_fire_timers_give_each_timer_one_item(any_redis_url: str) -> None:
    prefix = f"test-{uuid.uuid4().hex[:8]}"
    a, b = new_store(any_redis_url, prefix=prefix), new_store(any_redis_url, prefix=prefix)
    now = time.time()
    keys = [f"pizza:web:customer-{n}" for n in range(20)]
    expected: set[str] = set()
    for number, key in enumerate(keys):
        timers: dict[str, float | None] = {f"t{j}": now - 50 + number + j / 7 for j in range(5)}
        await turn(a, key, number, timers)
        expected |= {timer_item_id(name, due) for name, due in timers.items() if due is not None}
    fired: list[str] = []
    while True:
        rounds = await asyncio.gather(*(w.fire_timers(now, limit=7) for w in (a, b) * 4))
        if not any(rounds):
            break
        fired += [key for got in rounds for key in got]
    assert len(fired) == 100
    ids = [found for key in keys for found in await drain(b, key)]
    assert len(ids) == 100 and set(ids) == expected
    await a.close()
    await b.close()


async def test_timers_set_while_other_workers_fire_are_never_lost(any_redis_url: str) -> None:
    prefix = f"test-{uuid.uuid4().hex[:8]}"
    setter = new_store(any_redis_url, prefix=prefix)
    firers = [new_store(any_redis_url, prefix=prefix) for _ in range(2)]
    keys = [f"pizza:web:c{n}" for n in range(5)]
    start, stop = time.time(), asyncio.Event()
    handled: dict[str, list[str]] = {key: [] for key in keys}

    async def fire(store: RedisStore) -> None:
        while not stop.is_set():
            await store.fire_timers(start + 1000)

    async def handle(key: str, due: float) -> None:
        handled[key] += await drain(setter, key, {"t": due})

    async def set_timers() -> None:
        for round_ in range(60):
            for key in keys:
                await setter.enqueue(key, item(round_))
                await handle(key, start + round_)
        stop.set()

    await asyncio.gather(set_timers(), *(fire(store) for store in firers))
    while await firers[0].fire_timers(start + 1000):
        pass
    for key in keys:
        await handle(key, 0)
        timers = [found for found in handled[key] if found.startswith("timer:")]
        assert len(timers) == len(set(timers))  # none fired twice
        assert timers[-1] == timer_item_id("t", start + 59)  # the last one was not lost
    assert await setter._redis.zcard(setter.index_keys[2]) == 0  # and the index is clean
    for store in (setter, *firers):
        await store.close()


async def test_timer_ids_are_formatted_like_python(store: RedisStore) -> None:
    now = time.time()
    randomly = random.Random(7)
    dues = [now - randomly.random() * 1000 for _ in range(40)]
    dues += [1764266400.0005, 1764266400.1235, 1764266400.9995, 1764266400.0, now - 0.0005]
    timers: dict[str, float | None] = {f"t{n}": due for n, due in enumerate(dues)}
    await turn(store, "pizza:web:ada", 1, timers)
    while await store.fire_timers(now, limit=100):
        pass
    ids = set(await drain(store, "pizza:web:ada"))
    assert ids == {timer_item_id(name, due) for name, due in timers.items() if due is not None}


async def test_odd_session_keys_work_and_come_back_unchanged(store: RedisStore) -> None:
    now = time.time()
    for number, key in enumerate(KEYS):
        await turn(store, key, number, {"reminder": now - 1})
        await store.enqueue(key, item(100 + number))
    assert sorted(await store.pending()) == sorted(KEYS)
    assert sorted(await store.fire_timers(now)) == sorted(KEYS)
    for number, key in enumerate(KEYS):
        assert await drain(store, key) == [f"m{100 + number}", timer_item_id("reminder", now - 1)]
        assert [e["seq"] for e in await store.log(key, after=0)] == [1, 2]


async def test_stale_pending_entries_are_removed(store: RedisStore) -> None:
    for number in range(30):
        await turn(store, f"pizza:web:c{number}", number, {})
    pending_key = store.index_keys[0]
    assert await store._redis.zcard(pending_key) == 30  # announced, then processed
    assert await store.pending() == []
    assert await store._redis.zcard(pending_key) == 0


async def test_one_process_enqueues_in_call_order(store: RedisStore) -> None:
    await asyncio.gather(*(store.enqueue("pizza:web:ada", item(n)) for n in range(50)))
    assert await drain(store, "pizza:web:ada") == [f"m{n}" for n in range(50)]


async def test_calls_made_together_share_a_round_trip_and_fail_alone(store: RedisStore) -> None:
    await store.enqueue("pizza:web:bob", item(1))
    round_trips = 0
    trips = store.round_trips
    round_trip = trips._round_trip

    async def counted(batch: Any) -> None:
        nonlocal round_trips
        round_trips += 1
        await round_trip(batch)

    trips._round_trip = counted  # type: ignore[method-assign]
    k = store.session_keys("pizza:web:bob")
    wrong = ("CLAIM", [k.lease, k.state, k.profile, k.inbox], ["token", "not a duration"])
    first, failed, second = await asyncio.gather(
        store.enqueue("pizza:web:ada", item(1)),
        trips.run(wrong),
        store.enqueue("pizza:web:ada", item(2)),
        return_exceptions=True,
    )
    assert round_trips == 1
    assert first is True and second is True and isinstance(failed, ResponseError)
    assert await drain(store, "pizza:web:ada") == ["m1", "m2"]
    assert await drain(store, "pizza:web:bob") == ["m1"]  # the failed claim took no lease
    assert sorted(await store.pending()) == []


async def test_a_redis_that_is_down_gives_a_store_error_quickly() -> None:
    port = free_port()
    store = new_store(f"redis://127.0.0.1:{port}/0")
    started = time.monotonic()
    with pytest.raises(StoreError) as error:
        await store.enqueue("pizza:web:ada", item(1, text="Weserstraße 5"))
    assert time.monotonic() - started < 2
    message = str(error.value)
    assert f"127.0.0.1:{port}" in message and "is it running?" in message
    assert "Weserstraße" not in message and "ada" not in message
    for operation in (store.ping(), store.claim("pizza:web:ada", "w", 10), store.pending()):
        with pytest.raises(StoreError):
            await operation
    assert time.monotonic() - started < 2
    await store.close()


async def test_a_restarted_redis_is_used_again() -> None:
    port = free_port()
    process = start_redis(port)
    store = new_store(f"redis://127.0.0.1:{port}/0")
    try:
        await turn(store, "pizza:web:ada", 1, {})
        stop_redis(process)
        with pytest.raises(StoreError):
            await store.ping()
        with pytest.raises(StoreError):
            await store.enqueue("pizza:web:ada", item(2))
        process = start_redis(port)  # empty: no persistence, and no scripts loaded
        await store.ping()
        await turn(store, "pizza:web:ada", 3, {})
        entries = await store.result("pizza:web:ada", "m3")
        assert entries is not None and [e["seq"] for e in entries] == [1, 2]
    finally:
        await store.close()
        stop_redis(process)


async def test_each_key_lives_as_long_as_its_limit_says(any_redis_url: str) -> None:
    limits = StoreLimits(session_ttl=1000, profile_ttl=5000, result_ttl=300, history_ttl=100)
    store, key = new_store(any_redis_url, limits), "pizza:web:ada"
    await store.keep_answer(key, "r-1", "{}")  # an action's answer, kept before the commit
    await turn(store, key, 1, {"reminder": time.time() + 60})
    k = store.session_keys(key)
    ttls = {part: await store._redis.pttl(name) / 1000 for part, name in k._asdict().items()}
    assert ttls.pop("lease") == ttls.pop("inbox") == -0.002  # released, emptied: gone
    expected = {"state": 1000, "timers": 1000, "profile": 5000, "seen": 300, "results": 300}
    expected |= {"answers": 300, "log": 100}
    assert {part: round(ttl) for part, ttl in ttls.items()} == expected
    first, last, until = (await store._redis.hget(k.results, "m1")).split(":")
    assert (first, last) == ("1", "2") and abs(int(until) / 1000 - time.time() - 300) < 2
    await store.close()
    short = new_store(any_redis_url, StoreLimits(session_ttl=10, result_ttl=20, history_ttl=30))
    await short.keep_answer(key, "r-1", "{}")
    await turn(short, key, 1, {})
    k = short.session_keys(key)
    for name in (k.log, k.results, k.seen, k.answers):  # nothing outlives the state's numbering
        assert 9 < await short._redis.pttl(name) / 1000 <= 10
    await short.close()


async def test_idle_sessions_stay_small(store: RedisStore) -> None:
    """The full measurement (100,000 real pizza orders) is benchmarks/redis_memory.py."""
    profile = {"address": "Weserstraße 5, 12047 Berlin"}
    cart = [{"item": "salami", "size": "large", "n": n} for n in range(5)]
    state = {"bot": "pizza", "cart": cart, "profile": profile}
    for customer in range(50):
        key = f"pizza:web:c{customer}"
        for number in range(5):
            await store.enqueue(key, item(number))
            claim = await store.claim(key, "w", 10)
            assert claim is not None
            entries = [{"from": "customer", "text": "hi"}, {"from": "bot", "text": "Gern!"}]
            assert await store.commit(claim, Commit(f"m{number}", state, profile, entries))
    state_value = await store._redis.get(store.session_keys("pizza:web:c0").state)
    assert state_value == f"10|+{json.dumps(state_without(state), separators=(',', ':'))}"
    sizes: dict[str, float] = {}
    for customer in range(50):
        for part, name in store.session_keys(f"pizza:web:c{customer}")._asdict().items():
            usage = await store._redis.memory_usage(name, samples=0) or 0
            sizes[part] = sizes.get(part, 0) + usage / 50
    assert sizes["results"] < 350  # five sequence ranges, not five copies of the replies
    idle = sum(size for part, size in sizes.items() if part not in ("log", "results", "seen"))
    assert idle < 600  # after a day: the state and the profile


def state_without(state: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in state.items() if name != "profile"}


def pause_before(store: RedisStore, script: str, arrived: asyncio.Event, go: asyncio.Event) -> None:
    """Make `store` stop before running `script` (split from whatever it is pipelined with)
    until `go`: the interleavings of two workers that pipelining makes rare, made certain."""
    trips = store.round_trips
    run = trips.run

    async def paused(*calls: Any) -> list[Any]:
        names = [call[0] for call in calls]
        if script not in names:
            return await run(*calls)
        cut = names.index(script)
        before = await run(*calls[:cut]) if cut else []
        arrived.set()
        await go.wait()
        return [*before, *await run(*calls[cut:])]

    trips.run = paused  # type: ignore[method-assign]


async def test_a_timer_committed_while_its_session_fires_is_not_lost(any_redis_url: str) -> None:
    """The commit announces its timer; the firer reads the index and fires the session's due
    timers (not yet the new one); the commit writes the timer; only then does the firer settle
    the index: the commit's second announcement keeps the new timer indexed."""
    prefix = f"test-{uuid.uuid4().hex[:8]}"
    worker, firer = new_store(any_redis_url, prefix=prefix), new_store(any_redis_url, prefix=prefix)
    now, key = time.time(), "pizza:web:ada"
    await turn(worker, key, 1, {"old": now - 10})
    announced, commit_now, fired, settle_now = (asyncio.Event() for _ in range(4))
    pause_before(worker, "COMMIT", announced, commit_now)
    pause_before(firer, "SETTLE_TIMERS", fired, settle_now)
    committing = asyncio.create_task(turn(worker, key, 2, {"new": now - 5}))
    await announced.wait()
    firing = asyncio.create_task(firer.fire_timers(now))
    await fired.wait()
    commit_now.set()
    await committing
    settle_now.set()
    assert await firing == [key]
    assert await worker.fire_timers(now) == [key]  # "new" was not lost
    assert await drain(worker, key) == [
        timer_item_id("old", now - 10),
        timer_item_id("new", now - 5),
    ]
    await worker.close()
    await firer.close()


async def test_an_item_enqueued_while_pending_cleans_up_is_not_lost(any_redis_url: str) -> None:
    """The enqueue announces its session; the cleaner finds the inbox empty; the item arrives;
    only then does the cleaner remove the entry it thinks stale: it must not."""
    prefix = f"test-{uuid.uuid4().hex[:8]}"
    worker, cleaner = (
        new_store(any_redis_url, prefix=prefix),
        new_store(any_redis_url, prefix=prefix),
    )
    key = "pizza:web:ada"
    announced, enqueue_now, settling, settle_now = (asyncio.Event() for _ in range(4))
    pause_before(worker, "ENQUEUE", announced, enqueue_now)
    pause_before(cleaner, "SETTLE_PENDING", settling, settle_now)
    enqueuing = asyncio.create_task(worker.enqueue(key, item(1)))
    await announced.wait()
    cleaning = asyncio.create_task(cleaner.pending())
    await settling.wait()
    enqueue_now.set()
    assert await enqueuing
    settle_now.set()
    await cleaning
    assert await worker.pending() == [key]  # still found
    await worker.close()
    await cleaner.close()
