"""One contract, every reach store: memory (the reference), sqlite (a real file), redis and
redis-cluster (real servers), each opened from its URL (`open_reach`), each test under a Redis
key prefix of its own, deleted afterwards. Time is an argument: no test waits. A
conversation's export and erasure (`kept`, `forget`) are here too; tests/privacy/ checks on the
raw SQLite rows and Redis keys that nothing of it is left.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from framework.stores.memory.reach import MemoryReach
from framework.stores.opening import open_reach
from framework.stores.reach import KEPT, Kept, Marks, ReachError, ReachStore
from tests.stores.contract import KINDS, store_url, stores_of

NOW = 1_800_000_000.25
DAY = 86400.0
Opener = Callable[[], Awaitable[ReachStore]]
ADA, BEN, CEM, DORA = (f"salon:whatsapp:49170{n}" for n in range(4))


@pytest.fixture(params=KINDS)
async def opener(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Opener]:
    kind, prefix = str(request.param), f"test-reach-{uuid.uuid4().hex[:24]}"
    url = store_url(kind, tmp_path, request.config, prefix)
    async with stores_of(kind, url, prefix, MemoryReach(), open_reach) as open_one:
        yield open_one


async def test_marketing_sent_is_kept_by_broadcast_and_read_by_another_worker(
    opener: Opener,
) -> None:
    store, other = await opener(), await opener()
    assert await store.marks("salon", [ADA, BEN], NOW - 7 * DAY) == {}
    await store.marketed("salon", "b1", [ADA, BEN], NOW - 3 * DAY)
    await store.marketed("salon", "b2", [ADA], NOW - DAY)
    await other.marketed("salon", "b1", [ADA, "salon:web:zoë 🌸"], NOW)  # again: keeps the first
    found = await other.marks("salon", [ADA, BEN, CEM, "salon:web:zoë 🌸"], NOW - 7 * DAY)
    assert found == {
        ADA: Marks({"b1": NOW - 3 * DAY, "b2": NOW - DAY}),
        BEN: Marks({"b1": NOW - 3 * DAY}),
        "salon:web:zoë 🌸": Marks({"b1": NOW}),
    }
    assert (await store.marks("salon", [ADA], NOW - 2 * DAY))[ADA] == Marks({"b2": NOW - DAY})
    assert await store.marks("other", [ADA], 0.0) == {}  # per bot


async def test_old_marketing_is_dropped_when_the_conversation_is_written_again(
    opener: Opener,
) -> None:
    store = await opener()
    await store.marketed("salon", "b1", [ADA], NOW - KEPT - 1)
    await store.marketed("salon", "b2", [ADA], NOW)
    assert await store.marks("salon", [ADA], 0.0) == {ADA: Marks({"b2": NOW})}


async def test_a_hold_keeps_the_latest_end(opener: Opener) -> None:
    store, other = await opener(), await opener()
    await store.hold("salon", ADA, NOW + DAY)
    await other.hold("salon", ADA, NOW + 10)  # an older failure's report came late
    await store.marketed("salon", "b1", [BEN], NOW)
    found = await other.marks("salon", [ADA, BEN], NOW)
    assert found == {ADA: Marks({}, NOW + DAY), BEN: Marks({"b1": NOW})}
    await other.hold("salon", ADA, NOW + 2 * DAY)
    assert (await store.marks("salon", [ADA], NOW))[ADA].held_until == NOW + 2 * DAY


async def test_reach_takes_new_conversations_up_to_the_limit_in_order(opener: Opener) -> None:
    store, other = await opener(), await opener()
    since = NOW - DAY
    assert await store.reach("salon", "whatsapp", [ADA, BEN], since, NOW, 3) == 2
    assert await other.reach("salon", "whatsapp", [ADA, CEM, DORA, BEN], since, NOW, 3) == 2
    assert await other.reach("salon", "whatsapp", [BEN, ADA, CEM], since, NOW + 1, 3) == 3  # free
    assert await store.reach("salon", "telegram", [DORA], since, NOW, 3) == 1  # per channel
    assert await store.reach("other", "whatsapp", [DORA], since, NOW, 3) == 1  # per bot
    later = NOW + DAY + 0.5  # ADA, BEN and CEM were reached at NOW (and again at NOW + 1)
    assert await store.reach("salon", "whatsapp", [DORA], later - DAY, later, 3) == 0
    assert await store.reach("salon", "whatsapp", [DORA], later + 1 - DAY, later + 1, 3) == 1
    assert await store.reach("salon", "whatsapp", [CEM], NOW, NOW + 2, 0) == 0


async def test_two_workers_reaching_at_once_never_pass_the_limit(opener: Opener) -> None:
    stores = [await opener() for _ in range(4)]
    people = [[f"salon:whatsapp:{w}{n}" for n in range(5)] for w in range(4)]
    taken = await asyncio.gather(
        *(
            s.reach("salon", "whatsapp", p, NOW - DAY, NOW, 7)
            for s, p in zip(stores, people, strict=True)
        )
    )
    assert sum(taken) == 7
    assert (
        await stores[0].reach("salon", "whatsapp", ["salon:whatsapp:new"], NOW - DAY, NOW, 7) == 0
    )


async def test_kept_shows_all_of_a_conversation_and_forget_erases_it(opener: Opener) -> None:
    store, other = await opener(), await opener()
    assert await store.kept("salon", ADA) is None
    await store.marketed("salon", "b1", [ADA, BEN], NOW - 3 * DAY)
    await store.marketed("salon", "b2", [ADA], NOW - DAY)
    await store.hold("salon", ADA, NOW + DAY)
    await store.hold("other", ADA, NOW + DAY)  # another bot's
    await store.reach("salon", "whatsapp", [ADA, BEN], NOW - 4 * DAY, NOW - 3 * DAY, 5)
    await store.reach("salon", "telegram", [ADA], NOW - DAY, NOW, 5)
    sent, reached = {"b1": NOW - 3 * DAY, "b2": NOW - DAY}, {"whatsapp": NOW - 3 * DAY}
    ada = Kept(sent, NOW + DAY, {**reached, "telegram": NOW})
    assert await other.kept("salon", ADA) == ada  # a window's old entry not dropped yet too
    ben = Kept({"b1": NOW - 3 * DAY}, 0.0, {"whatsapp": NOW - 3 * DAY})
    assert await other.kept("salon", BEN) == ben

    assert await other.forget("salon", ADA) == 5  # two broadcasts, the hold, two channels
    assert await store.kept("salon", ADA) is None
    assert await store.marks("salon", [ADA, BEN], 0.0) == {BEN: Marks({"b1": NOW - 3 * DAY})}
    assert await store.kept("salon", BEN) == ben
    assert await store.kept("other", ADA) == Kept({}, NOW + DAY, {})
    assert await store.forget("salon", ADA) == 0
    assert await store.forget("salon", CEM) == 0


async def test_a_forgotten_conversation_counts_in_the_window_until_its_time_leaves_it(
    opener: Opener,
) -> None:
    store = await opener()
    assert await store.reach("salon", "whatsapp", [ADA, BEN, CEM], NOW - DAY, NOW, 3) == 3
    assert await store.forget("salon", ADA) == 1
    assert await store.reach("salon", "whatsapp", [DORA], NOW + 1 - DAY, NOW + 1, 3) == 0
    assert await store.reach("salon", "whatsapp", [ADA], NOW + 1 - DAY, NOW + 1, 3) == 0  # new
    later = NOW + DAY + 0.5
    assert await store.reach("salon", "whatsapp", [ADA, DORA], later - DAY, later, 3) == 2


async def test_forget_while_other_workers_reach_the_conversation_on_new_channels(
    opener: Opener,
) -> None:
    store = await opener()
    channels = ["whatsapp", "telegram", "web", "rest", "instagram"]
    workers = [await opener() for _ in channels]
    await store.reach("salon", "whatsapp", [ADA], NOW - DAY, NOW, 1)
    await asyncio.gather(
        store.forget("salon", ADA),
        *(
            w.reach("salon", c, [ADA], NOW - DAY, NOW, 1)
            for w, c in zip(workers, channels, strict=True)
        ),
    )
    kept = await store.kept("salon", ADA)
    assert kept is None or (not kept.sent and set(kept.reached) <= set(channels))
    for channel in channels:  # the window holds Ada or her stand-in: none lost, none added
        assert await store.reach("salon", channel, [DORA], NOW - DAY, NOW, 1) == 0


@pytest.mark.parametrize(
    "call",
    [
        lambda s: s.marks("Salon", [ADA], NOW),
        lambda s: s.marks("salon", [ADA, ADA], NOW),
        lambda s: s.marks("salon", ["x" * 1025], NOW),
        lambda s: s.marks("salon", [""], NOW),
        lambda s: s.marks("salon", ADA, NOW),
        lambda s: s.marketed("salon", "b 1; DROP", [ADA], NOW),
        lambda s: s.hold("salon", ADA, float("nan")),
        lambda s: s.reach("salon", "whats app", [ADA], NOW, NOW, 3),
        lambda s: s.reach("salon", "whatsapp", [ADA], NOW, NOW, -1),
        lambda s: s.reach("salon", "whatsapp", [ADA], NOW, NOW, True),
        lambda s: s.reach("salon", "whatsapp", [f"c{n}" for n in range(5001)], NOW, NOW, 3),
        lambda s: s.kept("Salon", ADA),
        lambda s: s.kept("salon", ""),
        lambda s: s.forget("salon", "x" * 1025),
        lambda s: s.forget("salon", [ADA]),
    ],
)
async def test_what_the_rules_refuse(opener: Opener, call: Callable[[ReachStore], Any]) -> None:
    with pytest.raises(ReachError):
        await call(await opener())
