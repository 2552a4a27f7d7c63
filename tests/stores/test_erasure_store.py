"""Erasing one conversation's person (issue 13) from the tickets and the bookings, on every
store: memory, sqlite, redis and redis-cluster. Tickets go with their history; bookings stay
(the studio's record) with the customer replaced by a pseudonym. Another conversation's are
untouched, and erasing again changes nothing."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from framework.stores.booking_erasure import ERASED
from framework.stores.bookings import CONFIRMED, BookingStore
from framework.stores.memory.bookings import MemoryBookings
from framework.stores.memory.tickets import MemoryTickets
from framework.stores.opening import open_bookings, open_tickets
from framework.stores.tickets import CUSTOMER, TicketStore
from tests.stores.contract import KINDS, store_url, stores_of
from tests.stores.test_booking_store import NOW, hold_of
from tests.stores.test_ticket_store import BOT, new

ADA, BOB = f"{BOT}:whatsapp:4917012345", f"{BOT}:whatsapp:bob"
SALON_ADA, SALON_BOB = "salon:whatsapp:4917012345", "salon:whatsapp:bob"


async def opened(
    request: pytest.FixtureRequest, folder: Path, memory: Any, opener: Any
) -> AsyncIterator[Any]:
    """One store of the test's kind; closed, and its Redis keys deleted, after the test."""
    kind, prefix = str(request.param), f"test-erase-{uuid.uuid4().hex[:24]}"
    url = store_url(kind, folder, request.config, prefix)
    async with stores_of(kind, url, prefix, memory, opener) as open_one:
        yield await open_one()


@pytest.fixture(params=KINDS)
async def tickets(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[TicketStore]:
    async for store in opened(request, tmp_path, MemoryTickets(), open_tickets):
        yield store


@pytest.fixture(params=KINDS)
async def bookings(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[BookingStore]:
    async for store in opened(request, tmp_path, MemoryBookings(), open_bookings):
        yield store


async def test_a_conversations_tickets_go_with_their_history(tickets: TicketStore) -> None:
    first = await tickets.create(new(key="k1"), NOW)
    await tickets.comment(BOT, first.number, CUSTOMER, "my address is Weserstraße 5", True, NOW)
    await tickets.create(new("WLAN", conversation=ADA), NOW + 1)
    kept = await tickets.create(new("Bob's", conversation=BOB, contact={"name": "Bob"}), NOW + 2)

    assert await tickets.erase_conversation(BOT, ADA) == 2
    assert await tickets.erase_conversation(BOT, ADA) == 0

    assert await tickets.list(BOT, conversation=ADA) == []
    assert await tickets.get(BOT, first.number) is None
    assert [t.number for t in await tickets.list(BOT)] == [kept.number]
    assert await tickets.get(BOT, kept.number) == kept
    again = await tickets.create(new(key="k1"), NOW + 3)  # its key went too: a new ticket
    assert again.number == kept.number + 1  # numbers are never given again


async def test_a_booking_stays_with_its_customer_pseudonymised(bookings: BookingStore) -> None:
    ada = await bookings.hold(hold_of(0, conversation=SALON_ADA, key="req-1"), NOW)
    ada = await bookings.confirm("salon", ada.number, "customer", NOW + 1, payment="#1001")
    await bookings.cancel("salon", ada.number, "customer", NOW + 2, note="Ada is ill")
    held = await bookings.hold(hold_of(3, conversation=SALON_ADA), NOW)
    bob = await bookings.hold(
        hold_of(5, conversation=SALON_BOB, customer={"id": "bob", "name": "Bob"}), NOW
    )

    for booking in (ada, held):
        forgotten = await bookings.forget_customer("salon", booking.number, "ref-ada", NOW + 3)
        assert (forgotten.conversation, forgotten.customer) == ("", {"ref": "ref-ada"})
        assert forgotten.history[-1].kind == ERASED
        assert all(event.note == "" for event in forgotten.history)
        assert forgotten.reminded == len(forgotten.remind_at)
        again = await bookings.forget_customer("salon", booking.number, "ref-ada", NOW + 4)
        assert again == forgotten == await bookings.get("salon", booking.number)

    kept = await bookings.get("salon", ada.number)
    assert kept is not None and (kept.status, kept.payment, kept.price_minor) == (
        "cancelled",
        "#1001",
        3500,
    )
    assert await bookings.list("salon", conversation=SALON_ADA) == []
    assert await bookings.get("salon", bob.number) == bob
    assert await bookings.claim_reminders(NOW + 10 * 86_400) == []  # bob's is only held


async def test_a_confirmed_bookings_reminders_stop(bookings: BookingStore) -> None:
    ada = await bookings.hold(hold_of(0, conversation=SALON_ADA), NOW)
    ada = await bookings.confirm("salon", ada.number, "bot", NOW + 1)
    assert ada.status == CONFIRMED
    await bookings.forget_customer("salon", ada.number, "", NOW + 2)
    assert await bookings.claim_reminders(NOW + 10 * 86_400) == []
    kept = await bookings.get("salon", ada.number)
    assert kept is not None and kept.status == CONFIRMED and kept.customer == {}
