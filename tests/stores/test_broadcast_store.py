"""One contract, every broadcast store: memory (the reference), sqlite (a real file), redis and
redis-cluster (real servers), each opened from its URL (`open_broadcasts`), each test under a
Redis key prefix of its own, deleted afterwards. Time is an argument: no test waits.
"""

from __future__ import annotations

import asyncio
import sqlite3
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
    SCHEDULED,
    SENDING,
    Broadcast,
    BroadcastError,
    BroadcastNotFound,
    BroadcastStore,
    Results,
    advanced,
    dumped,
    load,
    moved,
    scheduled_for,
)
from framework.stores.memory.broadcasts import MemoryBroadcasts
from framework.stores.opening import open_broadcasts
from framework.stores.sqlite.broadcasts import SqliteBroadcasts
from tests.stores.contract import store_url, stores_of

NOW = 1_800_000_000.0
Opener = Callable[[], Awaitable[BroadcastStore]]


ADA, BEN, CEM = "a1" * 8, "b2" * 8, "c3" * 8
"""Conversations as the runtime names them to the store: digests."""


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
        draft(status=SCHEDULED),  # without its time
    ],
)
async def test_bad_broadcasts_are_refused(opener: Opener, bad: Broadcast) -> None:
    store = await opener()
    with pytest.raises(BroadcastError):
        await store.create(bad)
    assert await store.claim("w", NOW, 30) is None
    assert DRAFT == "draft"


async def test_results_count_each_conversation_once_per_kind(opener: Opener) -> None:
    store, other = await opener(), await opener()
    await store.create(draft())
    await store.create(draft("b2"))
    for who in (ADA, BEN, CEM):
        assert await store.count("b1", who, "sent")
    assert not await other.count("b1", ADA, "sent")  # a retried webhook, another worker
    assert await store.count("b1", ADA, "delivered") and await store.count("b1", ADA, "read")
    assert await store.count("b1", BEN, "failed", "131049")
    assert not await other.count("b1", BEN, "failed", "131026")  # failed is one kind
    assert await store.count("b1", CEM, "failed", "window_closed")
    assert await store.count("b1", ADA, "replies") and not await store.count("b1", ADA, "replies")
    assert await other.count("b1", CEM, "opt_outs")
    assert await store.count("b2", ADA, "sent")  # another broadcast counts apart
    expected = Results(3, 1, 1, {"131049": 1, "window_closed": 1}, 1, 1)
    assert await other.results("b1") == expected
    assert (await store.results("b2")).to_json() == {
        "sent": 1,
        "delivered": 0,
        "read": 0,
        "failed": {},
        "replies": 0,
        "opt_outs": 0,
        "held_for_quality_assessment": 0,
        "paused": 0,
    }


async def test_a_held_message_leaves_its_count_once_when_its_status_comes(opener: Opener) -> None:
    store, other = await opener(), await opener()
    await store.create(draft())
    assert await store.count("b1", ADA, "held_for_quality_assessment")
    assert await store.count("b1", BEN, "held_for_quality_assessment")
    assert await other.count("b1", CEM, "paused")
    assert not await other.count("b1", ADA, "held_for_quality_assessment")  # a retried turn
    assert (await store.results("b1")).held_for_quality_assessment == 2
    assert await store.count("b1", ADA, "released", "held_for_quality_assessment")
    assert not await other.count("b1", ADA, "released", "held_for_quality_assessment")
    assert await store.count("b1", ADA, "sent")
    assert await other.results("b1") == Results(sent=1, held_for_quality_assessment=1, paused=1)
    for kind, reason in [
        ("released", ""),
        ("released", "sent"),
        ("held_for_quality_assessment", "x"),
    ]:
        with pytest.raises(BroadcastError):
            await store.count("b1", BEN, kind, reason)


async def test_results_of_an_unknown_broadcast_count_nothing(opener: Opener) -> None:
    store = await opener()
    assert not await store.count("gone", ADA, "delivered")
    assert await store.results("gone") == Results()
    await store.create(draft("gone"))
    assert await store.results("gone") == Results()  # nothing was kept for it before
    with pytest.raises(BroadcastNotFound):
        await store.count("no such id; DROP", ADA, "sent")


@pytest.mark.parametrize(
    ("kind", "reason", "who"),
    [
        ("clicked", "", ADA),
        ("failed", "", ADA),
        ("sent", "131049", ADA),
        ("failed", "no spaces", ADA),
        ("failed", "x" * 41, ADA),
        ("sent", "", "+4915112345678"),
        ("sent", "", "shop:whatsapp:4915112345678"),
    ],
)
async def test_results_of_another_shape_are_refused(
    opener: Opener, kind: str, reason: str, who: str
) -> None:
    store = await opener()
    await store.create(draft())
    with pytest.raises(BroadcastError):
        await store.count("b1", who, kind, reason)
    assert await store.results("b1") == Results()


async def test_of_many_counting_at_once_one_counts(opener: Opener) -> None:
    stores = [await opener() for _ in range(4)]
    await stores[0].create(draft())
    counts = [store.count("b1", ADA, "read") for store in stores for _ in range(5)]
    assert sum(await asyncio.gather(*counts)) == 1
    assert (await stores[1].results("b1")).read == 1


async def test_a_file_made_before_results_gets_their_table(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    store = await SqliteBroadcasts.open(path)
    await store.create(draft())
    await store.close()
    with sqlite3.connect(path) as db:  # the file as the first broadcasts left it
        db.executescript("DROP TABLE broadcast_results; DROP TABLE broadcast_results_schema")
    again = await SqliteBroadcasts.open(path)
    try:
        assert await again.count("b1", ADA, "sent")
        assert (await again.results("b1")).sent == 1
    finally:
        await again.close()


async def test_a_bots_broadcasts_are_listed_newest_first(opener: Opener) -> None:
    store, other = await opener(), await opener()
    for number, at in ((1, NOW), (2, NOW + 60), (3, NOW + 60), (4, NOW + 30)):
        await store.create(draft(f"b{number}", created_at=at))
    await store.create(draft("p1", bot="pizza", created_at=NOW + 99))
    sent = await store.change("b1", moved("send", NOW + 100))
    listed = await other.of_bot("salon")
    assert [b.id for b in listed] == ["b2", "b3", "b4", "b1"]  # the same time: by id
    assert listed[-1] == sent  # as it is now
    assert [b.id for b in await other.of_bot("salon", 2)] == ["b2", "b3"]
    assert [b.id for b in await other.of_bot("pizza")] == ["p1"]
    assert await other.of_bot("nobody") == []
    for bot, limit in (("salon", 0), ("salon", 201), ("sal on", 5), ("salon", True)):
        with pytest.raises(BroadcastError):
            await other.of_bot(bot, limit)


async def test_a_scheduled_broadcast_is_claimed_at_its_time_never_before(opener: Opener) -> None:
    store, other = await opener(), await opener()
    await store.create(draft())
    scheduled = await store.change("b1", scheduled_for(NOW + 100))
    assert scheduled is not None and (scheduled.status, scheduled.starts_at) == (
        SCHEDULED,
        NOW + 100,
    )
    assert scheduled.started_at == 0
    assert await store.claim("w1", NOW + 99.9, 30) is None
    assert await other.claim("w2", NOW, 30) is None
    claimed = await other.claim("w2", NOW + 100, 30)
    assert claimed is not None and claimed.id == "b1"
    assert (claimed.status, claimed.started_at, claimed.starts_at) == (
        SENDING,
        NOW + 100,
        NOW + 100,
    )
    assert await store.get("b1") == claimed  # started in the store, for every worker
    assert await store.claim("w1", NOW + 101, 30) is None  # w2 holds it
    page = await other.change("b1", advanced("salon:web:a", 1, 0, True, NOW + 101), owner="w2")
    assert page is not None and (page.status, page.queued) == (DONE, 1)


async def test_a_due_broadcast_starts_before_those_sending(opener: Opener) -> None:
    store = await opener()
    await store.create(draft("b1"))
    await store.create(draft("b2", created_at=NOW + 1))
    await store.change("b1", moved("send", NOW))
    await store.change("b2", scheduled_for(NOW + 10))
    first = await store.claim("w1", NOW + 5, 30)
    assert first is not None and first.id == "b1"  # b2's time has not come
    await store.change("b1", advanced("salon:web:a", 1, 0, False, NOW + 5), owner="w1")
    second = await store.claim("w1", NOW + 10, 30)
    assert second is not None and (second.id, second.status) == ("b2", SENDING)


async def test_a_scheduled_broadcast_is_moved_sent_now_or_cancelled(opener: Opener) -> None:
    store = await opener()
    for name in ("b1", "b2", "b3"):
        await store.create(draft(name))
        await store.change(name, scheduled_for(NOW + 100))
    moved_on = await store.change("b1", scheduled_for(NOW + 500))
    assert moved_on is not None and (moved_on.status, moved_on.starts_at) == (SCHEDULED, NOW + 500)
    now = await store.change("b2", moved("send", NOW + 1))
    assert now is not None and (now.status, now.started_at, now.starts_at) == (SENDING, NOW + 1, 0)
    cancelled = await store.change("b3", moved("cancel", NOW + 1))
    assert cancelled is not None and cancelled.status == CANCELLED
    with pytest.raises(BroadcastError, match="scheduled broadcast cannot pause"):
        await store.change("b1", moved("pause", NOW + 2))
    for name in ("b2", "b3"):
        with pytest.raises(BroadcastError, match="cannot be scheduled"):
            await store.change(name, scheduled_for(NOW + 900))
    claimed = await store.claim("w1", NOW + 200, 30)
    assert claimed is not None and claimed.id == "b2"  # b1 moved on, b3 cancelled
    await store.change("b2", advanced("salon:web:z", 1, 0, True, NOW + 200), owner="w1")
    assert await store.claim("w1", NOW + 499, 30) is None
    late = await store.claim("w1", NOW + 500, 30)
    assert late is not None and (late.id, late.status) == ("b1", SENDING)


async def test_of_many_claiming_a_due_broadcast_at_once_one_starts_it(opener: Opener) -> None:
    stores = [await opener() for _ in range(4)]
    await stores[0].create(draft())
    await stores[0].change("b1", scheduled_for(NOW + 60))
    claims = [
        store.claim(f"w{n}", NOW + 60, 30) for n, store in enumerate(stores) for _ in range(5)
    ]
    got = [found for found in await asyncio.gather(*claims) if found is not None]
    assert len(got) == 1 and got[0].status == SENDING
    assert await stores[3].get("b1") == got[0]


def test_a_broadcast_kept_before_scheduling_still_loads() -> None:
    kept = dumped(draft(status=SENDING, started_at=NOW)).replace(', "starts_at": 0.0', "")
    assert "starts_at" not in kept
    assert load(kept) == draft(status=SENDING, started_at=NOW)
