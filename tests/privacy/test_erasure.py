"""Export and erasure of one customer across every store (issue 13), on SQLite and on Redis:
the customer's data everywhere, exported first, then erased; afterwards a scan of every raw
SQLite row and every Redis key and value finds the customer's id nowhere, another customer's
data is untouched, the orders are kept with their personal fields pseudonymised, the
daily-limit window still counts the erased customer and the broadcasts' results keep their
counts without her marks."""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from framework.logs import pseudonym
from framework.orders import Order
from framework.privacy.data import Stores, close_stores, erase, export, open_stores
from framework.runtime.broadcast_results import BroadcastResults
from framework.stores.broadcasts import Broadcast, Results, digest
from framework.stores.consents import GRANTED, MARKETING, Consent
from framework.stores.contacts import ContactChange
from framework.stores.opening import StoreURL
from framework.stores.records import Commit, InboxItem, SessionKey, StoreLimits
from framework.stores.redis.connection import bounded_client
from framework.stores.tickets import NewTicket
from tests.stores.contract import delete_keys, store_url
from tests.stores.test_booking_store import NOW, hold_of

DAY = 86400.0

BOT = "shop"
ADA_ID, BOB_ID = "4917055501234", "4917055509876"
ADA, BOB = f"{BOT}:whatsapp:{ADA_ID}", f"{BOT}:whatsapp:{BOB_ID}"


@pytest.fixture(params=["sqlite", "redis"])
async def stores(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Stores]:
    prefix = f"test-privacy-{uuid.uuid4().hex[:24]}"
    url = store_url(str(request.param), tmp_path, request.config, prefix)
    opened = await open_stores(url, StoreLimits())
    opened.sessions.url = url  # type: ignore[attr-defined]
    yield opened
    await close_stores(opened)
    if url.startswith("redis"):
        await delete_keys(StoreURL.parse(url).url, prefix)


async def customer(stores: Stores, key: str, customer_id: str, name: str) -> None:
    """The customer everywhere: a turn with a remembered address, a consent, a ticket, a
    booking, a handoff, an order, a marketing broadcast that reached them on WhatsApp and was
    refused with 131049 (a hold), two broadcasts' results counting them sent and delivered,
    and a contact with a tag, a time zone and a paid order."""
    item = InboxItem.message(f"wamid.{customer_id}", "2026-11-27T18:00:00+00:00", f"I am {name}")
    assert await stores.sessions.enqueue(key, item)
    claim = await stores.sessions.claim(key, "w", 10)
    assert claim is not None
    commit = Commit(
        item.id,
        {"flow": "order", "phone": customer_id},
        {"address": f"{name}straße 5", "phone": customer_id},
        [{"from": "customer", "text": f"{name}, {customer_id}"}],
        {"reminder": time.time() + 3600},
    )
    assert await stores.sessions.commit(claim, commit) is True
    await stores.sessions.keep_answer(key, "r1", f'{{"phone": "{customer_id}"}}')
    await stores.consents.record(
        Consent(BOT, key, MARKETING, GRANTED, "Angebote?", "whatsapp", "flow:x", NOW, "de")
    )
    contact = {"channel": "whatsapp", "phone": customer_id, "name": name}
    ticket = NewTicket(BOT, f"printer of {name}", contact=contact, conversation=key, key=key[-6:])
    await stores.tickets.create(ticket, NOW)
    start = 0 if name == "Ada" else 3
    await stores.bookings.hold(
        hold_of(start, bot=BOT, conversation=key, customer=contact, key=f"k{name}"), NOW
    )
    await stores.handoffs.request(BOT, key, f"{name} wants a person", "whatsapp", "de", NOW)
    order = Order(
        id=f"ord_{name[0].lower()}1",
        bot=BOT,
        session=key,
        currency="EUR",
        lines=({"kind": "item", "name": "Pizza", "quantity": 1, "unit": 900, "total": 900},),
        total=900,
        created_at=NOW,
        expires_at=NOW + 900,
        customer={"channel": "whatsapp", "id": customer_id, "ref": pseudonym(key), "lang": "de"},
        delivery={"address": f"{name}straße 5", "phone": customer_id, "name": name},
    )
    await stores.orders.create(order)
    assert stores.reach is not None
    await stores.reach.marketed(BOT, "b1", [key], NOW)
    assert await stores.reach.reach(BOT, "whatsapp", [key], NOW - DAY, NOW, 250) == 1
    await stores.reach.hold(BOT, key, NOW + DAY)
    tags = (f"fan_of_{name.lower()}", "vip")
    noted = (("home_town", f"{name}hausen"), ("diet", "vegan"))
    change = ContactChange("whatsapp", "de", "Europe/Berlin", tags, ordered=True, answers=noted)
    await stores.contacts.update(BOT, key, change, NOW)
    results = BroadcastResults(stores.broadcasts, None)  # counted as the runtime counts
    for broadcast_id in ("b1", "b2"):
        for kind in ("sent", "delivered"):
            await results.count(SessionKey.parse(key), broadcast_id, kind)


async def raw_texts(url: str) -> list[str]:
    """Every row of every table of the store URL's SQLite file, or every key and value under
    its Redis prefix (on a cluster's every node), as text; nothing for memory."""
    where = StoreURL.parse(url)
    if where.kind == "memory":
        return []
    if where.kind == "sqlite":
        db = sqlite3.connect(str(where.path))
        try:
            tables = [
                name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")
            ]
            return [repr(row) for table in tables for row in db.execute(f"SELECT * FROM {table}")]
        finally:
            db.close()
    client = bounded_client(where.url)
    found: list[str] = []
    try:
        async for key in client.scan_iter(match=f"{where.prefix}:*", count=1000):
            kind = str(await client.type(key))
            reads = {
                "string": client.get,
                "hash": client.hgetall,
                "list": lambda k: client.lrange(k, 0, -1),
                "zset": lambda k: client.zrange(k, 0, -1),
                "set": client.smembers,
            }
            found.append(f"{key} {await reads[kind](key)!r}")
    finally:
        await client.aclose()
    return found


def holding(texts: list[str], text: str) -> list[str]:
    return [row for row in texts if text in row]


async def test_export_shows_it_all_and_erasure_leaves_nothing(stores: Stores) -> None:
    assert stores.broadcasts is not None
    for broadcast_id in ("b1", "b2"):
        await stores.broadcasts.create(Broadcast(broadcast_id, BOT, MARKETING, "offer"))
    await customer(stores, ADA, ADA_ID, "Ada")
    await customer(stores, BOB, BOB_ID, "Bob")
    bob = await export(stores, BOB)

    exported = await export(stores, ADA)
    assert exported["session"]["phone"] == ADA_ID
    assert [entry["text"] for entry in exported["log"]] == [f"Ada, {ADA_ID}"]
    assert [c["purpose"] for c in exported["consents"]] == [MARKETING]
    assert exported["tickets"][0]["contact"]["phone"] == ADA_ID
    assert exported["tickets"][0]["history"][0]["kind"] == "created"
    assert exported["bookings"][0]["customer"]["name"] == "Ada"
    assert exported["handoff"]["reason"] == "Ada wants a person"
    assert exported["orders"][0]["delivery"]["address"] == "Adastraße 5"
    reach = {"sent": {"b1": NOW}, "held_until": NOW + DAY, "reached": {"whatsapp": NOW}}
    assert exported["reach"] == reach
    assert exported["contact"]["tags"] == ["fan_of_ada", "vip"]
    assert exported["contact"]["answers"] == {"diet": "vegan", "home_town": "Adahausen"}
    assert exported["contact"]["conversations"] == [ADA]
    assert (exported["contact"]["last_order"], exported["contact"]["timezone"]) == (
        NOW,
        "Europe/Berlin",
    )
    assert ADA_ID not in repr(await export(stores, BOB))

    marks = [digest(broadcast_id, ADA) for broadcast_id in ("b1", "b2")]
    before = await raw_texts(stores.sessions.url)  # type: ignore[attr-defined]
    assert all(holding(before, mark) for mark in marks)  # the runtime's digests, as counted

    report = await erase(stores, ADA, NOW + 60)
    assert report == {
        "conversation": ADA,
        "ref": pseudonym(ADA),
        "handoff": "ended",
        "session": "deleted",
        "consents_deleted": 1,
        "contact_deleted": 1,
        "tickets_deleted": 1,
        "bookings_pseudonymised": 1,
        "orders_pseudonymised": 1,
        "reach_forgotten": 3,
        "broadcast_marks_forgotten": 4,
        "linked": [],
    }

    texts = await raw_texts(stores.sessions.url)  # type: ignore[attr-defined]
    assert holding(texts, ADA_ID) == []
    assert holding(texts, "Adastraße") == []
    assert holding(texts, "Ada ") == [] and holding(texts, '"Ada"') == []
    assert holding(texts, "fan_of_ada") == [] and holding(texts, "fan_of_bob")
    assert holding(texts, "Adahausen") == [] and holding(texts, "Bobhausen")
    assert [holding(texts, mark) for mark in marks] == [[], []]
    assert all(holding(texts, digest(broadcast_id, BOB)) for broadcast_id in ("b1", "b2"))
    assert await stores.broadcasts.results("b1") == Results(sent=2, delivered=2)  # no one named
    assert holding(texts, BOB_ID) and await export(stores, BOB) == bob  # untouched
    order = await stores.orders.get("ord_a1")
    assert order is not None
    assert (order.total, order.lines[0]["name"], order.delivery) == (900, "Pizza", {})
    assert order.customer == {"ref": pseudonym(ADA), "channel": "whatsapp", "lang": "de"}
    booking = (await stores.bookings.list(BOT, limit=10))[0]
    assert booking.customer == {"ref": pseudonym(ADA)} and booking.price_minor == 3500
    after = await export(stores, ADA)
    assert [after[name] for name in ("session", "log", "consents", "tickets", "bookings")] == [
        None,
        [],
        [],
        [],
        [],
    ]
    assert after["handoff"] is None and after["orders"] == [] and after["reach"] is None
    assert after["contact"] is None and bob["contact"]["tags"] == ["fan_of_bob", "vip"]
    assert stores.reach is not None  # Ada still counts in the window Meta counts her in
    assert await stores.reach.reach(BOT, "whatsapp", [f"{BOT}:whatsapp:1"], NOW - DAY, NOW, 2) == 0

    again = await erase(stores, ADA, NOW + 120)
    assert again["session"] == "none" and again["orders_pseudonymised"] == 0
    assert again["tickets_deleted"] == again["bookings_pseudonymised"] == 0
    assert again["reach_forgotten"] == again["broadcast_marks_forgotten"] == 0
    assert again["contact_deleted"] == 0
