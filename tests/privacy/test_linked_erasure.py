"""Export and erasure of a customer whose conversations are linked (issue 13), on every store
(memory, sqlite, redis, redis-cluster): asked for one conversation, they cover every
conversation of the contact — its session and log, its ledger entries, the contact — and a
scan of every raw SQLite row and Redis key and value then finds none of them; another
customer is untouched."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from framework.privacy.data import Stores, close_stores, erase, export, open_stores
from framework.stores.consents import GRANTED, MARKETING, Consent
from framework.stores.contacts import LINKED, ContactChange
from framework.stores.opening import StoreURL
from framework.stores.records import Commit, InboxItem, StoreLimits
from tests.privacy.test_erasure import BOB, BOB_ID, BOT, customer, holding, raw_texts
from tests.stores.contract import KINDS, delete_keys, store_url
from tests.stores.test_booking_store import NOW

ADA_WA_ID, ADA_TG_ID, ADA_WEB_ID = "4917055501234", "771234567", "ada-browser-3f9c"
ADA_WA = f"{BOT}:whatsapp:{ADA_WA_ID}"
ADA_TG, ADA_WEB = f"{BOT}:telegram:{ADA_TG_ID}", f"{BOT}:web:{ADA_WEB_ID}"


@pytest.fixture(params=KINDS)
async def stores(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Stores]:
    prefix = f"test-linked-{uuid.uuid4().hex[:24]}"
    url = store_url(str(request.param), tmp_path, request.config, prefix)
    opened = await open_stores(url, StoreLimits())
    opened.sessions.url = url  # type: ignore[attr-defined]
    yield opened
    await close_stores(opened)
    if url.startswith("redis"):
        await delete_keys(StoreURL.parse(url).url, prefix)


async def conversation(stores: Stores, key: str, customer_id: str, channel: str) -> None:
    """A turn the customer wrote (their id in the log and the session), a consent, the contact
    seen on the channel."""
    item = InboxItem.message(f"m.{customer_id}", "2026-11-27T18:00:00+00:00", f"hi {customer_id}")
    assert await stores.sessions.enqueue(key, item)
    claim = await stores.sessions.claim(key, "w", 10)
    assert claim is not None
    said = [{"from": "customer", "text": f"I am {customer_id}"}]
    commit = Commit(item.id, {"flow": "x", "id": customer_id}, {}, said)
    assert await stores.sessions.commit(claim, commit) is True
    entry = Consent(BOT, key, MARKETING, GRANTED, "Angebote?", channel, "flow:x", NOW, "de")
    await stores.consents.record(entry)
    await stores.contacts.update(BOT, key, ContactChange(channel, "de", add=("linked",)), NOW)


async def linked(stores: Stores, offering: str, taking: str, code: str) -> None:
    hashed = hashlib.sha256(code.encode()).hexdigest()
    await stores.contacts.offer(BOT, offering, hashed, NOW + 600, NOW)
    assert (await stores.contacts.link(BOT, taking, hashed, NOW + 1)).outcome == LINKED


async def test_one_conversations_export_and_erasure_cover_the_whole_contact(
    stores: Stores,
) -> None:
    await customer(stores, ADA_WA, ADA_WA_ID, "Ada")
    await customer(stores, BOB, BOB_ID, "Bob")
    await conversation(stores, ADA_TG, ADA_TG_ID, "telegram")
    await conversation(stores, ADA_WEB, ADA_WEB_ID, "web")
    await linked(stores, ADA_WA, ADA_TG, "K7M4QX")
    await linked(stores, ADA_WEB, ADA_TG, "AB2CD3")
    await stores.contacts.offer(BOT, ADA_WEB, hashlib.sha256(b"ZZ9ZZ9").hexdigest(), NOW + 600, NOW)
    bob = await export(stores, BOB)

    exported = await export(stores, ADA_TG)
    assert exported["session"]["id"] == ADA_TG_ID
    assert [other["conversation"] for other in exported["linked"]] == [ADA_WEB, ADA_WA]
    assert exported["linked"][1]["session"]["phone"] == ADA_WA_ID
    assert [len(other["consents"]) for other in exported["linked"]] == [1, 1]
    assert exported["contact"]["conversations"] == sorted([ADA_TG, ADA_WA, ADA_WEB])

    report = await erase(stores, ADA_TG, NOW + 60)
    assert (report["session"], report["consents_deleted"], report["contact_deleted"]) == (
        "deleted",
        1,
        1,  # erased last, it takes the contact with it
    )
    assert [(r["conversation"], r["session"], r["consents_deleted"]) for r in report["linked"]] == [
        (ADA_WEB, "deleted", 1),
        (ADA_WA, "deleted", 1),
    ]
    assert [r["contact_deleted"] for r in report["linked"]] == [0, 0]

    for key in (ADA_TG, ADA_WA, ADA_WEB):
        after = await export(stores, key)
        assert (after["session"], after["log"], after["consents"]) == (None, [], [])
        assert after["contact"] is None and after["linked"] == []
    assert await stores.contacts.many(BOT, [ADA_TG, ADA_WA, ADA_WEB]) == {}
    texts = await raw_texts(stores.sessions.url)  # type: ignore[attr-defined]
    for customer_id in (ADA_WA_ID, ADA_TG_ID, ADA_WEB_ID):
        assert holding(texts, customer_id) == []
    assert holding(texts, "'linked'") == holding(texts, '"linked"') == []  # the tag
    assert holding(texts, hashlib.sha256(b"ZZ9ZZ9").hexdigest()) == []  # a code offered
    assert await export(stores, BOB) == bob
