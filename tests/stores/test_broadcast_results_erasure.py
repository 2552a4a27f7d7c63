"""Erasing a customer forgets their marks in the broadcasts' results (issue 13, GDPR art. 17),
on every broadcast store: memory, sqlite, redis and redis-cluster (where each broadcast's
results are in a slot of their own). Checked through the store (counting them again counts)
and, but for memory, by scanning every raw row or key and value for their digests."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from framework.stores.broadcasts import BroadcastStore, Results, digest
from framework.stores.memory.broadcasts import MemoryBroadcasts
from framework.stores.opening import open_broadcasts
from tests.privacy.test_erasure import holding, raw_texts
from tests.stores.contract import KINDS, store_url, stores_of
from tests.stores.test_broadcast_store import Opener, draft

ADA, BEN = "salon:whatsapp:4915112345678", "salon:whatsapp:4915187654321"
BROADCASTS = ("b1", "b2")


@pytest.fixture(params=KINDS)
async def where(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[tuple[Opener, str]]:
    """An opener of the kind's stores on one set of data, and the URL of that data."""
    kind, prefix = str(request.param), f"test-forget-{uuid.uuid4().hex[:24]}"
    url = store_url(kind, tmp_path, request.config, prefix)
    async with stores_of(kind, url, prefix, MemoryBroadcasts(), open_broadcasts) as open_one:
        yield open_one, url


async def counted(store: BroadcastStore, conversation: str, *kinds: str) -> list[bool]:
    """Each kind counted for the conversation in each broadcast, as the runtime names it."""
    return [
        await store.count(b, digest(b, conversation), kind) for b in BROADCASTS for kind in kinds
    ]


def found(texts: list[str], conversation: str) -> list[bool]:
    """Whether raw rows or keys hold the conversation's digest, broadcast by broadcast."""
    return [bool(holding(texts, digest(b, conversation))) for b in BROADCASTS]


async def test_forgetting_one_leaves_no_mark_of_it_and_the_counts(
    where: tuple[Opener, str],
) -> None:
    opener, url = where
    store, other = await opener(), await opener()
    for broadcast_id in BROADCASTS:
        await store.create(draft(broadcast_id))
    await store.create(draft("b3", bot="pizza"))
    assert await counted(store, ADA, "sent", "replies") == [True] * 4
    assert await counted(store, BEN, "sent", "replies") == [True] * 4
    assert await store.count("b1", digest("b1", BEN), "failed", "131049")
    expected = {b: await store.results(b) for b in BROADCASTS}
    assert expected["b1"] == Results(sent=2, failed={"131049": 1}, replies=2)
    scanned = [not url.startswith("memory")] * 2  # memory has no raw rows to scan
    before = await raw_texts(url)
    assert found(before, ADA) == found(before, BEN) == scanned  # the digests looked for

    assert await other.forget_results("pizza", ADA) == 0  # another bot's broadcasts only
    assert await other.forget_results("salon", ADA) == 4
    assert {b: await store.results(b) for b in BROADCASTS} == expected  # a count names no one
    after = await raw_texts(url)
    assert (found(after, ADA), found(after, BEN)) == ([False, False], scanned)
    assert await store.forget_results("salon", ADA) == 0  # twice: nothing more

    assert await counted(other, BEN, "sent", "replies") == [False] * 4  # still marked
    assert not await other.count("b1", digest("b1", BEN), "failed", "131026")
    assert await counted(other, ADA, "sent") == [True, True]  # no mark of her left
