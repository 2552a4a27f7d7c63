"""One contract, every outbox: memory (the reference), sqlite (a real file), redis (a real
server, `REDIS_URL` or the Makefile's redis://127.0.0.1:6379/15) and redis-cluster (the run's
three-node cluster). Time is an argument: no test waits."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from framework.stores.memory.outbox import MemoryOutbox
from framework.stores.outbox import KEEP_DONE, Claimed, Entry, Outbox
from framework.stores.redis.outbox import RedisOutbox
from framework.stores.sqlite.outbox import SqliteOutbox
from tests.payments.test_order_store import REDIS_URL, delete_keys, redis_client
from tests.runtime.cluster import cluster_url

NOW = 1_800_000_000.0
Opener = Callable[[], Awaitable[Outbox]]


def entry(number: int, stream: str = "s1") -> Entry:
    return Entry(
        key=f"evt_{number}-{stream}",
        stream=stream,
        url="http://127.0.0.1:9/hook",
        event=f"evt_{number}",
        type="order.paid",
        body=f'{{"id": "evt_{number}", "text": "Grüße 🍕 {{%events}}"}}',
        created_at=NOW,
    )


@pytest.fixture(params=["memory", "sqlite", "redis", "redis-cluster"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def opener(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[Opener]:
    """Opens outboxes on one set of entries, as the workers of a deployment do."""
    memory = MemoryOutbox()
    opened: list[Outbox] = []
    client = await redis_client() if kind == "redis" else None
    url = cluster_url(request.config) if kind == "redis-cluster" else REDIS_URL
    prefix = f"test-outbox-{uuid.uuid4().hex}"

    async def open_outbox() -> Outbox:
        if kind == "memory":
            return memory
        if kind == "sqlite":
            outbox: Outbox = await SqliteOutbox.open(tmp_path / "state.db")
        else:
            outbox = RedisOutbox.from_url(url, prefix)
        opened.append(outbox)
        return outbox

    yield open_outbox
    for outbox in opened:
        await outbox.close()
    if client is not None:
        await delete_keys(client, prefix)


@pytest.fixture
async def outbox(opener: Opener) -> Outbox:
    return await opener()


def keys(claimed: list[Claimed]) -> list[str]:
    return [c.entry.key for c in claimed]


async def test_an_added_entry_is_claimed_whole_and_once(outbox: Outbox) -> None:
    assert await outbox.add([entry(1)], NOW) == 1
    assert await outbox.add([entry(1)], NOW + 1) == 0
    [claimed] = await outbox.claim(NOW, 30, 10, "a")
    assert claimed.entry == entry(1).changed(since=NOW)
    assert await outbox.claim(NOW + 29, 30, 10, "b") == []  # leased


async def test_a_stream_hands_out_its_next_entry_only_after_the_head_is_done(
    outbox: Outbox,
) -> None:
    await outbox.add([entry(1), entry(2), entry(3, "s2")], NOW)
    first = await outbox.claim(NOW, 30, 10, "a")
    assert sorted(keys(first)) == ["evt_1-s1", "evt_3-s2"]
    head = next(c for c in first if c.entry.stream == "s1")
    assert await outbox.delivered(head, NOW + 1)
    assert keys(await outbox.claim(NOW + 1, 30, 10, "a")) == ["evt_2-s1"]


async def test_a_failed_head_holds_its_stream_until_it_is_due_again(outbox: Outbox) -> None:
    await outbox.add([entry(1), entry(2)], NOW)
    [head] = await outbox.claim(NOW, 30, 10, "a")
    assert await outbox.retry_later(head, NOW + 60, "HTTP 500")
    assert await outbox.claim(NOW + 59, 30, 10, "a") == []
    [again] = await outbox.claim(NOW + 60, 30, 10, "b")
    assert again.entry.key == "evt_1-s1"
    assert (again.entry.attempts, again.entry.error) == (1, "HTTP 500")


async def test_a_lease_that_ran_out_goes_to_another_worker_and_the_first_cannot_finish(
    outbox: Outbox,
) -> None:
    await outbox.add([entry(1)], NOW)
    [stale] = await outbox.claim(NOW, 30, 10, "a")
    [fresh] = await outbox.claim(NOW + 31, 30, 10, "b")
    assert not await outbox.delivered(stale, NOW + 32)
    assert not await outbox.give_up(stale, NOW + 32, "x")
    assert not await outbox.retry_later(stale, NOW + 99, "x")
    assert await outbox.delivered(fresh, NOW + 33)


async def test_concurrent_claims_hand_each_head_to_one_worker(opener: Opener) -> None:
    stores = [await opener() for _ in range(4)]
    await stores[0].add([entry(n, f"s{n}") for n in range(20)], NOW)
    found = await asyncio.gather(*(s.claim(NOW, 30, 20, f"w{i}") for i, s in enumerate(stores)))
    claimed = [key for batch in found for key in keys(batch)]
    assert sorted(claimed) == sorted(f"evt_{n}-s{n}" for n in range(20))


async def test_delivered_keys_are_remembered_so_emitting_again_adds_nothing(
    outbox: Outbox,
) -> None:
    await outbox.add([entry(1)], NOW)
    [head] = await outbox.claim(NOW, 30, 10, "a")
    assert await outbox.delivered(head, NOW + 1)
    assert await outbox.add([entry(1)], NOW + 2) == 0
    assert await outbox.claim(NOW + 3, 30, 10, "a") == []


async def test_given_up_entries_are_listed_unblock_their_stream_and_can_be_requeued(
    outbox: Outbox,
) -> None:
    await outbox.add([entry(1), entry(2)], NOW)
    [head] = await outbox.claim(NOW, 30, 10, "a")
    assert await outbox.give_up(head, NOW + 5, "HTTP 410 Gone")
    [dead] = await outbox.undeliverable()
    assert (dead.key, dead.error, dead.attempts, dead.done_at) == (
        "evt_1-s1",
        "HTTP 410 Gone",
        1,
        NOW + 5,
    )
    [following] = await outbox.claim(NOW + 5, 30, 10, "a")
    assert following.entry.key == "evt_2-s1"
    assert await outbox.add([entry(1)], NOW + 6) == 0  # kept, not added twice
    assert await outbox.requeue(["evt_1-s1", "evt_1-s1", "nope"], NOW + 7) == 1
    assert await outbox.undeliverable() == []
    assert await outbox.delivered(following, NOW + 8)
    [again] = await outbox.claim(NOW + 8, 30, 10, "a")
    assert again.entry == entry(1).changed(since=NOW + 7)


async def test_undeliverable_lists_the_latest_first(outbox: Outbox) -> None:
    await outbox.add([entry(n, f"s{n}") for n in range(3)], NOW)
    for offset, claimed in enumerate(sorted(await outbox.claim(NOW, 30, 10, "a"), key=keys_of)):
        await outbox.give_up(claimed, NOW + offset, "no")
    assert [e.key for e in await outbox.undeliverable(2)] == ["evt_2-s2", "evt_1-s1"]


def keys_of(claimed: Claimed) -> str:
    return claimed.entry.key


async def test_entries_survive_reopening(kind: str, opener: Opener) -> None:
    if kind == "memory":
        return  # memory lives in one process: nothing to reopen
    first = await opener()
    await first.add([entry(1), entry(2)], NOW)
    await first.close()
    second = await opener()
    [head] = await second.claim(NOW, 30, 10, "a")
    assert head.entry.key == "evt_1-s1"


async def test_a_delivered_key_is_forgotten_after_keep_done(kind: str, outbox: Outbox) -> None:
    if kind.startswith("redis"):
        return  # Redis expires by its own clock (PEXPIRE KEEP_DONE); not waited for here
    await outbox.add([entry(1)], NOW)
    [head] = await outbox.claim(NOW, 30, 10, "a")
    await outbox.delivered(head, NOW)
    assert await outbox.add([entry(1)], NOW + KEEP_DONE + 1) == 1
