"""One contract, every broadcast store: memory (the reference), sqlite (a real file), redis and
redis-cluster (real servers), each opened from its URL (`open_broadcasts`), each test under a
Redis key prefix of its own, deleted afterwards. Time is an argument: no test waits.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from pathlib import Path

import pytest

from framework.stores.broadcasts import (
    CANCELLED,
    DONE,
    DRAFT,
    PAUSED,
    SENDING,
    Broadcast,
    BroadcastError,
    BroadcastNotFound,
    BroadcastStore,
    advanced,
    moved,
)
from framework.stores.memory.broadcasts import MemoryBroadcasts
from framework.stores.opening import open_broadcasts
from tests.stores.contract import store_url, stores_of

NOW = 1_800_000_000.0
Opener = Callable[[], Awaitable[BroadcastStore]]


def draft(broadcast_id: str = "b1", **changes: object) -> Broadcast:
    made = Broadcast(broadcast_id, "salon", "marketing", "offer", {"p": "20 %"}, created_at=NOW)
    return replace(made, **changes)  # type: ignore[arg-type]


@pytest.fixture(params=["memory", "sqlite", "redis", "redis-cluster"])
async def opener(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Opener]:
    kind, prefix = str(request.param), f"test-broadcasts-{uuid.uuid4().hex[:24]}"
    url = store_url(kind, tmp_path, request.config, prefix)
    async with stores_of(kind, url, prefix, MemoryBroadcasts(), open_broadcasts) as open_one:
        yield open_one


async def test_created_kept_and_read_by_another_worker(opener: Opener) -> None:
    store, other = await opener(), await opener()
    made = await store.create(draft(values={"name": "Zoë 🌸"}, lang="de"))
    assert await other.get("b1") == made
    assert await other.get("nobody") is None
    with pytest.raises(BroadcastError, match="exists"):
        await other.create(draft())
    with pytest.raises(BroadcastNotFound):
        await other.get("no such id; DROP")


async def test_actions_move_the_status_by_the_rules(opener: Opener) -> None:
    store = await opener()
    await store.create(draft())
    with pytest.raises(BroadcastError, match="draft broadcast cannot pause"):
        await store.change("b1", moved("pause", NOW))
    sent = await store.change("b1", moved("send", NOW + 5))
    assert sent is not None and (sent.status, sent.started_at) == (SENDING, NOW + 5)
    assert await store.change("b1", moved("send", NOW + 9)) == sent  # a retried call
    paused = await store.change("b1", moved("pause", NOW + 6))
    assert paused is not None and paused.status == PAUSED
    resumed = await store.change("b1", moved("resume", NOW + 7))
    assert resumed is not None and (resumed.status, resumed.started_at) == (SENDING, NOW + 5)
    cancelled = await store.change("b1", moved("cancel", NOW + 8))
    assert cancelled is not None and cancelled.status == CANCELLED
    for action in ("send", "resume", "pause"):
        with pytest.raises(BroadcastError, match="cancelled broadcast cannot"):
            await store.change("b1", moved(action, NOW))
    with pytest.raises(BroadcastNotFound):
        await store.change("b2", moved("send", NOW))
    with pytest.raises(BroadcastError, match="action"):
        moved("explode", NOW)


async def test_one_worker_holds_a_sending_broadcast(opener: Opener) -> None:
    store, other = await opener(), await opener()
    await store.create(draft())
    await store.create(draft("b2", created_at=NOW + 1))
    assert await store.claim("w1", NOW, 30) is None  # drafts are not sent
    await store.change("b1", moved("send", NOW))
    claimed = await store.claim("w1", NOW, 30)
    assert claimed is not None and claimed.id == "b1"
    assert await other.claim("w2", NOW + 1, 30) is None
    assert await other.change("b1", advanced("x", 5, 0, False, NOW), owner="w2") is None
    page = await store.change("b1", advanced("salon:web:c", 3, 1, False, NOW), owner="w1")
    assert page is not None and (page.cursor, page.queued, page.skipped) == ("salon:web:c", 3, 1)
    assert await store.change("b1", advanced("y", 1, 0, False, NOW), owner="w1") is None  # gave
    again = await other.claim("w2", NOW + 2, 30)  # given back: free at once
    assert again is not None and again.cursor == "salon:web:c"
    assert await store.claim("w1", NOW + 33, 30) is not None  # w2's lease ran out
    assert await other.change("b1", advanced("z", 1, 0, True, NOW), owner="w2") is None
    done = await store.change("b1", advanced("salon:web:d", 1, 0, True, NOW + 40), owner="w1")
    assert done is not None and (done.status, done.queued, done.finished_at) == (DONE, 4, NOW + 40)
    assert await store.claim("w1", NOW + 100, 30) is None


async def test_a_pause_during_a_page_keeps_the_page_and_the_pause(opener: Opener) -> None:
    store = await opener()
    await store.create(draft())
    await store.change("b1", moved("send", NOW))
    assert await store.claim("w1", NOW, 30) is not None
    await store.change("b1", moved("pause", NOW + 1))
    page = await store.change("b1", advanced("salon:web:b", 2, 0, True, NOW), owner="w1")
    assert page is not None and (page.status, page.cursor, page.queued) == (
        PAUSED,
        "salon:web:b",
        2,
    )
    assert await store.claim("w1", NOW + 2, 30) is None
    await store.change("b1", moved("resume", NOW + 3))
    assert (await store.claim("w1", NOW + 3, 30)) == replace(page, status=SENDING)


async def test_of_many_claiming_at_once_one_gets_it(opener: Opener) -> None:
    stores = [await opener() for _ in range(4)]
    await stores[0].create(draft())
    await stores[0].change("b1", moved("send", NOW))
    claims = [store.claim(f"w{n}", NOW, 30) for n, store in enumerate(stores) for _ in range(5)]
    got = [found for found in await asyncio.gather(*claims) if found is not None]
    assert len(got) == 1


@pytest.mark.parametrize(
    "bad",
    [
        draft(purpose="everyone"),
        draft(purpose="notify:a b"),
        draft(bot="a{b}"),
        draft(text=""),
        draft(lang="deutsch!"),
        draft(values={f"v{n}": "x" for n in range(30)}),
        draft(values={"v": "x" * 501}),
        draft("id with spaces"),
        draft(status="sent"),
    ],
)
async def test_bad_broadcasts_are_refused(opener: Opener, bad: Broadcast) -> None:
    store = await opener()
    with pytest.raises(BroadcastError):
        await store.create(bad)
    assert await store.claim("w", NOW, 30) is None
    assert DRAFT == "draft"
