"""A contact's last order comes from the payments service, however the order was paid
(framework/payments/contact_orders.py): the conversation need never hear of it. Over every contact
store (memory, a SQLite file, a Redis server, the Redis cluster), with the real payments
service moving real orders."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from framework.orders import Order
from framework.payments.contact_orders import ContactOrders
from framework.payments.sandbox import SandboxProvider
from framework.payments.service import Payments
from framework.stores.contacts import ContactChange, ContactStore
from framework.stores.memory.contacts import MemoryContacts
from framework.stores.memory.orders import MemoryOrders
from framework.stores.opening import open_contacts
from framework.stores.records import InboxItem
from framework.stores.segments import Segment
from tests.clocks import FRIDAY_EVENING, Clock
from tests.stores.contract import KINDS, store_url, stores_of

ADA = "pizza:whatsapp:4917000"
DAY = 86_400.0


class Told:
    """The business's events: every order news passed on."""

    def __init__(self) -> None:
        self.published: list[str] = []

    async def publish(self, order: Order) -> None:
        self.published.append(order.status)

    async def refunded_part(self, order: Order, amount: int) -> None:
        self.published.append(f"part {amount}")


@pytest.fixture(params=KINDS)
async def contacts(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[ContactStore]:
    kind, prefix = str(request.param), f"test-ordered-{uuid.uuid4().hex[:24]}"
    url = store_url(kind, tmp_path, request.config, prefix)
    async with stores_of(kind, url, prefix, MemoryContacts(), open_contacts) as open_one:
        yield await open_one()


Shop = Callable[[str], Awaitable[Order]]


@pytest.fixture
def clock() -> Clock:
    return Clock(FRIDAY_EVENING)


@pytest.fixture
def told() -> Told:
    return Told()


@pytest.fixture
def payments(contacts: ContactStore, clock: Clock, told: Told) -> Payments:
    orders = MemoryOrders()

    async def nobody(session: str, item: InboxItem) -> None:
        """The conversation never hears of it: paid outside the chat."""

    sandbox = SandboxProvider(orders, "secret", "http://shop.test", clock)
    news = ContactOrders(contacts, told)
    return Payments(orders, sandbox, nobody, public_url="http://shop.test", clock=clock, news=news)


async def an_order(payments: Payments, clock: Clock, session: str = ADA) -> Order:
    draft = Order(
        id=f"ord_{uuid.uuid4().hex[:24]}",
        bot="pizza",
        session=session,
        currency="EUR",
        lines=({"kind": "item", "name": "Salami", "quantity": 1, "unit": 950, "total": 950},),
        total=950,
        created_at=clock(),
        expires_at=clock() + 1800,
    )
    return await payments.orders.create(draft)


async def last_order(contacts: ContactStore, session: str = ADA) -> float:
    found = (await contacts.many("pizza", [session])).get(session)
    return found.last_order if found else -1.0


async def test_an_order_paid_outside_the_chat_is_the_contacts_last_order(
    payments: Payments, contacts: ContactStore, clock: Clock, told: Told
) -> None:
    await contacts.update("pizza", ADA, ContactChange(seen_on="whatsapp", lang="de"), clock())
    order = await an_order(payments, clock)
    assert await last_order(contacts) == 0.0
    clock.now += 600
    paid = await payments.move(order, "paid", "stripe")
    assert await last_order(contacts) == FRIDAY_EVENING + 600  # when it was paid
    clock.now += 3600
    await payments.move(paid, "accepted", "business")
    assert await last_order(contacts) == FRIDAY_EVENING + 600  # a later status: not an order
    assert "paid" in told.published and told.published[-1] == "accepted"  # the events go on


async def test_a_customer_who_never_wrote_gets_a_contact_that_segments_find(
    payments: Payments, contacts: ContactStore, clock: Clock
) -> None:
    order = await an_order(payments, clock)  # a phone order, a booking's deposit
    await payments.move(order, "paid", "stripe")
    contact = (await contacts.many("pizza", [ADA]))[ADA]
    assert contact.last_order == FRIDAY_EVENING and contact.last_seen == 0.0
    ordered = Segment.parse({"ordered_within_days": 30})
    idle = Segment.parse({"no_order_days": 30})
    assert ordered.admits(ADA, contact, "de", FRIDAY_EVENING + 29 * DAY)
    assert not idle.admits(ADA, contact, "de", FRIDAY_EVENING + 29 * DAY)
    assert idle.admits(ADA, contact, "de", FRIDAY_EVENING + 31 * DAY)


async def test_news_told_twice_and_an_older_order_never_move_it_back(
    payments: Payments, contacts: ContactStore, clock: Clock
) -> None:
    first, second = await an_order(payments, clock), await an_order(payments, clock)
    clock.now += DAY
    second = await payments.move(second, "paid", "stripe")
    clock.now += DAY
    first = await payments.move(first, "paid", "stripe")
    assert await last_order(contacts) == FRIDAY_EVENING + 2 * DAY
    await payments.announce(second)  # the reconciler repeats an announcement
    assert await last_order(contacts) == FRIDAY_EVENING + 2 * DAY


async def test_orders_that_were_not_paid_and_erased_customers_set_nothing(
    payments: Payments, contacts: ContactStore, clock: Clock
) -> None:
    expired = await an_order(payments, clock)
    await payments.move(expired, "expired", "theke")
    assert await last_order(contacts) == -1.0  # no contact made for it
    erased = "pizza:whatsapp:erased-r0a1b2c3"
    kept = await an_order(payments, clock, erased)
    await payments.move(kept, "paid", "stripe")
    assert await last_order(contacts, erased) == -1.0
