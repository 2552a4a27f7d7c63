"""Nothing of a contact remains after its conversation is erased, on every contact store:
memory, SQLite, Redis and the three-node Redis Cluster. A scan of every raw SQLite row and
every Redis key and value (on each node of the cluster) finds the conversation's key, its
contact's id and its tags nowhere; another customer's contact is untouched; the customer who
writes again is a new contact."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from framework.stores.contacts import ContactChange, ContactStore
from framework.stores.memory.contacts import MemoryContacts
from framework.stores.opening import StoreURL, open_contacts
from tests.privacy.test_erasure import holding, raw_texts
from tests.stores.contract import KINDS, delete_keys, store_url

NOW = 1_800_000_000.0
ADA, BOB = "shop:whatsapp:4917055501234", "shop:telegram:99887766"


@pytest.fixture(params=KINDS)
async def opened(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[tuple[ContactStore, str]]:
    kind, prefix = str(request.param), f"test-forget-{uuid.uuid4().hex[:20]}"
    url = store_url(kind, tmp_path, request.config, prefix)
    store = MemoryContacts() if kind == "memory" else await open_contacts(url)
    yield store, url
    await store.close()
    if kind.startswith("redis"):
        await delete_keys(StoreURL.parse(url).url, prefix)


def everything(store: ContactStore) -> str:
    """What a memory store holds, as text (its dicts)."""
    return repr(vars(store)) if isinstance(store, MemoryContacts) else ""


async def test_nothing_of_the_contact_remains_after_it_is_forgotten(
    opened: tuple[ContactStore, str],
) -> None:
    store, url = opened
    for key, tag in ((ADA, "fan_of_ada"), (BOB, "fan_of_bob")):
        change = ContactChange("whatsapp", "de", "Europe/Berlin", (tag, "vip"), ordered=True)
        await store.update("shop", key, change, NOW)
    ada = (await store.many("shop", [ADA]))[ADA]
    before = [*await raw_texts(url), everything(store)]
    assert holding(before, ada.id) and holding(before, "fan_of_ada")

    assert await store.forget("shop", ADA) == 1
    texts = [*await raw_texts(url), everything(store)]
    for trace in ("4917055501234", ada.id, "fan_of_ada"):
        assert holding(texts, trace) == [], trace
    assert holding(texts, "fan_of_bob") and holding(texts, "99887766")
    assert await store.many("shop", [ADA, BOB]) == {BOB: (await store.many("shop", [BOB]))[BOB]}
    assert [c.conversations for c in await store.page("shop")] == [(BOB,)]

    again = await store.update("shop", ADA, ContactChange(seen_on="whatsapp"), NOW + 60)
    assert again.id != ada.id and again.tags == () and again.last_order == 0.0
