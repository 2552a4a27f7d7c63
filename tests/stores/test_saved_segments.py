"""One contract, every saved segment store: memory (the reference), sqlite (a real file), redis
and redis-cluster (real servers), each opened from its URL (`open_saved_segments`, as the app
opens it), each test under a Redis key prefix of its own, deleted afterwards. Time is an
argument: no test waits."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from framework.stores.memory.saved_segments import MemorySavedSegments
from framework.stores.opening import open_saved_segments
from framework.stores.saved_segments import (
    MAX_DESCRIPTION,
    MAX_PER_BOT,
    SavedSegment,
    SavedSegmentError,
    SavedSegments,
    TooManySegments,
    saved,
)
from tests.stores.contract import KINDS, store_url, stores_of

NOW = 1_800_000_000.5
VEGGIES = {"tags": {"any": ["vegetarian", "vegan"]}, "no_order_days": 30}
Opener = Callable[[], Awaitable[SavedSegments]]


@pytest.fixture(params=KINDS)
async def opener(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Opener]:
    kind, prefix = str(request.param), f"test-segments-{uuid.uuid4().hex[:24]}"
    url = store_url(kind, tmp_path, request.config, prefix)
    async with stores_of(kind, url, prefix, MemorySavedSegments(), open_saved_segments) as one:
        yield one


async def test_a_segment_saved_is_read_by_another_worker_and_listed_by_name(
    opener: Opener,
) -> None:
    store, other = await opener(), await opener()
    assert await store.get("pizza", "veggies") is None
    kept = await store.save(saved("pizza", "veggies", VEGGIES, " Meat-free eaters ", NOW))
    assert kept == SavedSegment("pizza", "veggies", VEGGIES, "Meat-free eaters", NOW, NOW)
    await store.save(saved("pizza", "all-of-them", {}, "", NOW + 1))
    await store.save(saved("salon", "veggies", {"channels": ["web"]}, "", NOW))
    assert await other.get("pizza", "veggies") == kept
    assert kept.segment.any_tags == ("vegetarian", "vegan")
    listed = await other.of_bot("pizza")
    assert [s.name for s in listed] == ["all-of-them", "veggies"]
    assert [s.name for s in await other.of_bot("pizza", 1)] == ["all-of-them"]
    assert await other.of_bot("airline") == []


async def test_saving_again_replaces_and_keeps_when_it_was_made(opener: Opener) -> None:
    store = await opener()
    await store.save(saved("pizza", "veggies", VEGGIES, "first", NOW))
    again = await store.save(saved("pizza", "veggies", {"languages": ["de"]}, "", NOW + 60))
    assert again == SavedSegment("pizza", "veggies", {"languages": ["de"]}, "", NOW, NOW + 60)
    assert await (await opener()).get("pizza", "veggies") == again
    assert len(await store.of_bot("pizza")) == 1


async def test_delete_forgets_one_segment_of_one_bot(opener: Opener) -> None:
    store = await opener()
    await store.save(saved("pizza", "veggies", VEGGIES, "", NOW))
    await store.save(saved("salon", "veggies", VEGGIES, "", NOW))
    assert await store.delete("pizza", "veggies") is True
    assert await store.delete("pizza", "veggies") is False
    assert await (await opener()).get("pizza", "veggies") is None
    assert (await store.get("salon", "veggies")) is not None


async def test_a_bot_keeps_at_most_so_many_and_a_replacement_is_never_refused(
    opener: Opener,
) -> None:
    store = await opener()
    for n in range(MAX_PER_BOT):
        await store.save(saved("pizza", f"s{n:03d}", {}, "", NOW))
    with pytest.raises(TooManySegments, match="delete one first"):
        await store.save(saved("pizza", "one-more", {}, "", NOW))
    assert await store.get("pizza", "one-more") is None
    replaced = await store.save(saved("pizza", "s007", VEGGIES, "again", NOW + 1))
    assert replaced.definition == VEGGIES
    assert len(await store.of_bot("pizza")) == MAX_PER_BOT
    await store.save(saved("salon", "one-more", {}, "", NOW))  # another bot has room


async def test_two_workers_saving_at_once_keep_one_whole_segment(opener: Opener) -> None:
    stores = [await opener() for _ in range(2)]
    versions = [
        saved("pizza", "veggies", {"seen_within_days": n}, f"v{n}", NOW + n) for n in range(1, 11)
    ]
    await asyncio.gather(*(stores[i % 2].save(one) for i, one in enumerate(versions)))
    found = await stores[0].get("pizza", "veggies")
    assert found is not None
    winner = next(v for v in versions if v.updated_at == found.updated_at)
    assert (found.definition, found.description) == (winner.definition, winner.description)
    assert found.created_at in {v.created_at for v in versions}  # the first one kept's
    assert [s.name for s in await stores[1].of_bot("pizza")] == ["veggies"]


@pytest.mark.parametrize(
    ("bot", "name", "definition", "description", "said"),
    [
        ("pizza", "Veggies", {}, "", "is not a segment's name"),
        ("pizza", "", {}, "", "is not a segment's name"),
        ("pizza", "x" * 41, {}, "", "is not a segment's name"),
        ("Pizza}", "veggies", {}, "", "is not a bot name"),
        ("pizza", "veggies", {"tags": {"all": ["Not A Tag"]}}, "", "definition: tags.all"),
        ("pizza", "veggies", "vegetarian", "", "definition: a segment is an object"),
        ("pizza", "veggies", {"everyone": True}, "", "definition: a segment has no 'everyone'"),
        ("pizza", "veggies", {}, "d" * (MAX_DESCRIPTION + 1), "more than the 200"),
        ("pizza", "veggies", {}, 7, "description must be text"),
    ],
)
async def test_a_bad_segment_is_refused_with_the_reason_and_nothing_is_kept(
    opener: Opener, bot: str, name: str, definition: object, description: object, said: str
) -> None:
    store = await opener()
    with pytest.raises(SavedSegmentError, match=said):
        await store.save(saved(bot, name, definition, description, NOW))
    assert await store.of_bot("pizza") == []


@pytest.mark.parametrize(("bot", "name"), [("pizza", "No Name"), ("pi}zza", "veggies")])
async def test_reading_or_deleting_by_a_name_of_another_shape_is_refused(
    opener: Opener, bot: str, name: str
) -> None:
    store = await opener()
    with pytest.raises(SavedSegmentError):
        await store.get(bot, name)
    with pytest.raises(SavedSegmentError):
        await store.delete(bot, name)
    with pytest.raises(SavedSegmentError, match="1 to 200"):
        await store.of_bot("pizza", 0)
