"""Exactly once, proven: a payment resumes its conversation once, however its news arrives —
twice, out of order, before the conversation waits, after expiry, to two workers at once, or
cut short by a crash. Real stores (SQLite file, Redis server), the sandbox provider, the
runtime and the `till` test bot; the sandbox's events are captured so that each test decides
how they are delivered."""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest

from framework.flows import load_bot
from framework.orders import Order, new_token
from framework.payments.provider import Checkout, ProviderError, WebhookError
from framework.payments.sandbox import SIGNATURE_HEADER, SandboxProvider
from framework.payments.service import Payments
from framework.payments.signing import sign
from framework.runtime.turns import Runtime
from framework.stores.memory.orders import MemoryOrders
from framework.stores.memory.sessions import MemoryStore
from framework.stores.order_store import OrderStore
from framework.stores.records import InboxItem, SessionKey, StoreLimits, iso_time
from framework.stores.redis.orders import RedisOrders
from framework.stores.session_store import Store
from framework.stores.sqlite.orders import SqliteOrders
from tests.clocks import FRIDAY_EVENING, Clock

TILL = load_bot(Path(__file__).parent.parent / "runtime" / "bots" / "till")
KEY = SessionKey("till", "rest", "ada")
SECRET = "sandbox-secret-for-tests"
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
NOW = FRIDAY_EVENING


@dataclass
class Worker:
    """One worker's runtime and payments; sandbox events wait in `events` until delivered."""

    store: Store
    orders: OrderStore
    clock: Clock
    fault: Callable[[str], None] = lambda stage: None
    events: list[tuple[bytes, dict[str, str]]] = field(default_factory=list)
    drains: list[asyncio.Future[int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.runtime = Runtime(self.store, {"till": TILL}, clock=self.clock)
        self.sandbox = SandboxProvider(self.orders, SECRET, "http://shop.test", self.clock)
        self.sandbox.emit = self._capture
        self.payments = Payments(
            self.orders,
            self.sandbox,
            self._notify,
            public_url="http://shop.test",
            clock=self.clock,
            fault=lambda stage: self.fault(stage),
        )
        self.runtime.payments = self.payments

    async def _capture(self, body: bytes, headers: Mapping[str, str]) -> None:
        self.events.append((body, dict(headers)))

    async def _notify(self, session: str, item: InboxItem) -> None:
        """As the server does: queue the news, run it in the background (the session may be
        in the middle of a turn on this very worker)."""
        await self.store.enqueue(session, item)
        self.drains.append(asyncio.ensure_future(self.runtime.drain(session)))

    async def say(self, text: str) -> list[str]:
        item = InboxItem.message(uuid.uuid4().hex, iso_time(self.clock()), text)
        entries = await self.runtime.submit(KEY, item)
        return [entry["text"] for entry in entries if entry["from"] == "bot"]

    async def deliver(self, index: int = -1) -> str:
        body, headers = self.events[index]
        return await self.payments.webhook(body, headers)

    async def texts(self) -> list[str]:
        """The conversation once everything queued for it has run."""
        await asyncio.gather(*self.drains)
        await self.runtime.drain(str(KEY))
        return [entry["text"] for entry in await self.store.log(str(KEY), 0, 200)]

    async def order(self) -> Order:
        [order] = await self.orders.list("till")
        return order

    async def checkout(self) -> str:
        order = await self.order()
        assert order.checkout is not None
        return order.checkout

    async def buy(self) -> list[str]:
        await self.say("buy")
        return await self.say("2")


Opener = Callable[[], Awaitable[tuple[Store, OrderStore]]]


@pytest.fixture(params=["memory", "sqlite", "redis"])
async def stores(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Opener]:
    """Opens a worker's stores; every opened pair shares one deployment's data."""
    kind, prefix = request.param, f"test-pay-{uuid.uuid4().hex[:10]}"
    memory = (MemoryStore(StoreLimits()), MemoryOrders())
    opened: list[Any] = []

    async def open_pair() -> tuple[Store, OrderStore]:
        if kind == "memory":
            return memory
        if kind == "sqlite":
            from framework.stores.sqlite.sessions import SqliteStore

            path = tmp_path / "state.db"
            pair: tuple[Store, OrderStore] = (
                await SqliteStore.open(str(path), StoreLimits()),
                await SqliteOrders.open(path),
            )
        else:
            from framework.stores.redis.sessions import RedisStore

            pair = (
                RedisStore.from_url(REDIS_URL, StoreLimits(), prefix=prefix),
                RedisOrders.from_url(REDIS_URL, prefix),
            )
        opened.extend(pair)
        return pair

    yield open_pair
    for each in opened:
        await each.close()
    if kind == "redis":
        import redis.asyncio as redis

        client = redis.Redis.from_url(REDIS_URL)
        keys = [key async for key in client.scan_iter(match=f"{prefix}:*", count=1000)]
        if keys:
            await client.delete(*keys)
        await client.aclose()


@pytest.fixture
async def worker(stores: Opener) -> Worker:
    store, orders = await stores()
    return Worker(store, orders, Clock())


def signed_event(
    kind: str, checkout: str, event_id: str, at: float = NOW
) -> tuple[bytes, dict[str, str]]:
    """A sandbox event as the sandbox signs it (valid signature, any content)."""
    event = {
        "id": event_id,
        "type": kind,
        "data": {"object": {"id": checkout, "object": "checkout.session"}},
    }
    body = json.dumps(event).encode()
    return body, {SIGNATURE_HEADER: sign(body, SECRET, int(at))}


def delay_the_payment(worker: Worker) -> list[int]:
    """A delayed payment method: the checkout reads as completed with the money on its way
    ("processing") once, then as paid. Refunds are recorded, not sent: the returned list."""
    states = iter(["processing", "paid", "paid"])
    read = worker.sandbox.read
    refunds: list[int] = []

    async def delayed(checkout_id: str) -> Checkout:
        current = await read(checkout_id)
        status = next(states, "paid")
        return replace(current, status=status, url=None, payment="pi_late")

    async def refund(paid: Checkout, amount: int, key: str) -> None:
        refunds.append(amount)

    worker.sandbox.cancel = delayed  # type: ignore[method-assign]
    worker.sandbox.read = delayed  # type: ignore[method-assign]
    worker.sandbox.refund = refund  # type: ignore[method-assign]
    return refunds


def paid_lines(texts: list[str]) -> list[str]:
    return [text for text in texts if text.startswith("Paid: order 1001")]


async def test_the_link_and_a_paid_webhook(worker: Worker) -> None:
    replies = await worker.buy()
    assert replies == ["Your order #1001 comes to €26.00. Please pay with this link."]
    await worker.sandbox.pay(await worker.checkout(), approve=True)
    assert await worker.deliver() == "applied"
    assert paid_lines(await worker.texts()) == ["Paid: order 1001, €26.00."]
    order = await worker.order()
    assert (order.status, order.announced) == ("paid", "paid")


async def test_a_webhook_delivered_twice_resumes_once(worker: Worker) -> None:
    await worker.buy()
    await worker.sandbox.pay(await worker.checkout(), approve=True)
    assert await worker.deliver() == "applied"
    assert await worker.deliver() == "duplicate"
    assert len(paid_lines(await worker.texts())) == 1
    assert [step["status"] for step in (await worker.order()).history] == ["paid"]


async def test_events_out_of_order_only_move_forward(worker: Worker) -> None:
    await worker.buy()
    checkout = await worker.checkout()
    await worker.sandbox.pay(checkout, approve=True)
    body, headers = signed_event("checkout.session.expired", checkout, "evt_late_expired")
    assert await worker.payments.webhook(body, headers) == "applied"  # re-read: it is paid
    assert await worker.deliver() == "applied"
    order = await worker.order()
    assert order.status == "paid"
    assert len(paid_lines(await worker.texts())) == 1


async def test_a_webhook_while_the_payment_request_is_being_created(worker: Worker) -> None:
    """The money arrives before Theke has kept the id of the order's payment request: the
    webhook changes nothing and asks to be sent again (it cannot yet tell the order's own
    request from a stranger's); sent again after the turn, it pays the order, and the
    conversation hears it exactly once."""
    created = asyncio.Event()
    proceed = asyncio.Event()
    create = worker.sandbox.create

    async def slow_create(order: Order, return_url: str) -> Checkout:
        checkout = await create(order, return_url)
        created.set()
        await proceed.wait()
        return checkout

    worker.sandbox.create = slow_create  # type: ignore[method-assign]
    await worker.say("buy")
    turn = asyncio.create_task(worker.say("2"))
    await created.wait()
    [record] = await worker.orders.list("$sandbox")
    await worker.sandbox.pay(record.id, approve=True)
    with pytest.raises(ProviderError):
        await worker.deliver()
    assert (await worker.order()).status == "awaiting_payment"
    proceed.set()
    assert await turn == ["Your order #1001 comes to €26.00. Please pay with this link."]
    assert await worker.deliver() == "applied"
    order = await worker.order()
    assert (order.status, order.unmatched, order.refunded) == ("paid", (), 0)
    assert len(paid_lines(await worker.texts())) == 1


async def test_a_webhook_after_expiry_changes_nothing(worker: Worker) -> None:
    await worker.buy()
    checkout = await worker.checkout()
    worker.clock.now += 31 * 60
    await worker.runtime.tick()
    texts = await worker.texts()
    assert texts[-1].startswith("The payment link has expired")
    with pytest.raises(Exception, match="over"):
        await worker.sandbox.pay(checkout, approve=True)
    late = signed_event("checkout.session.completed", checkout, "evt_x", at=worker.clock())
    await worker.payments.webhook(*late)  # validly signed: still it changes nothing
    assert (await worker.order()).status == "expired"
    assert await worker.texts() == texts


async def test_a_forged_or_stale_signature_is_rejected_and_changes_nothing(worker: Worker) -> None:
    await worker.buy()
    await worker.sandbox.pay(await worker.checkout(), approve=True)
    body, _signed = worker.events[-1]
    stale = {SIGNATURE_HEADER: sign(body, SECRET, int(worker.clock()) - 3600)}
    forged = {SIGNATURE_HEADER: sign(body, "not-the-secret", int(worker.clock()))}
    for wrong in (stale, forged, {}):
        with pytest.raises(WebhookError):
            await worker.payments.webhook(body, wrong)
    assert (await worker.order()).status == "awaiting_payment"
    assert paid_lines(await worker.texts()) == []
    assert await worker.deliver() == "applied"  # the real event is not marked seen by forgeries


async def test_a_webhook_for_an_unknown_request_is_refused(worker: Worker) -> None:
    body, headers = signed_event("checkout.session.completed", "cs_sandbox_nope", "evt_y")
    with pytest.raises(WebhookError, match="unknown payment request"):
        await worker.payments.webhook(body, headers)


async def test_a_crash_between_applying_and_telling_is_finished_by_the_reconciler(
    worker: Worker,
) -> None:
    await worker.buy()
    await worker.sandbox.pay(await worker.checkout(), approve=True)

    class Crash(Exception):
        pass

    def crash(stage: str) -> None:
        if stage == "payment_applied":
            raise Crash

    worker.fault = crash
    with pytest.raises(Crash):
        await worker.deliver()
    worker.fault = lambda stage: None
    assert (await worker.order()).status == "paid"
    assert paid_lines(await worker.texts()) == []  # the crash cut the news short
    assert await worker.payments.reconcile() == 1
    assert len(paid_lines(await worker.texts())) == 1
    assert await worker.payments.reconcile() == 0
    assert await worker.deliver() == "applied"  # the provider's retry: nothing more happens
    assert len(paid_lines(await worker.texts())) == 1


async def test_cancelling_asks_the_provider_first(worker: Worker) -> None:
    await worker.buy()
    assert await worker.say("cancel") == ["Cancelled order 1001."]
    order = await worker.order()
    assert order.status == "cancelled"
    record = await worker.sandbox.record(await worker.checkout())
    assert record.status == "cancelled"  # expired at the provider: it cannot be paid any more


async def test_a_payment_that_lands_after_cancelling_is_refunded(worker: Worker) -> None:
    """A delayed payment method: the checkout was completed (money on its way) when the
    customer cancelled; the money arrives later and goes straight back."""
    await worker.buy()
    checkout = await worker.checkout()
    refunds = delay_the_payment(worker)
    assert await worker.say("cancel") == ["Cancelled order 1001."]
    await worker.sandbox.pay(checkout, approve=True)
    await worker.deliver()
    order = await worker.order()
    assert (order.status, order.refunded, refunds) == ("refunded", 2600, [2600])
    assert (await worker.texts())[-1] == "We have refunded €26.00 for your order #1001."


async def test_a_provider_that_is_down_loses_nothing(worker: Worker) -> None:
    create = worker.sandbox.create

    async def down(order: Order, return_url: str) -> Checkout:
        raise ProviderError("timed out")

    worker.sandbox.create = down  # type: ignore[method-assign]
    await worker.say("buy")
    assert (await worker.say("2"))[0].startswith("Payment is unavailable right now.")
    worker.sandbox.create = create  # type: ignore[method-assign]
    replies = await worker.say("new link")
    assert replies == ["Here is your payment link for €26.00:"]
    [order] = await worker.orders.list("till")  # the same order, not a second one
    assert order.checkout is not None


async def test_two_workers_receive_the_same_webhook_at_once(stores: Opener) -> None:
    clock = Clock()
    first = Worker(*await stores(), clock)
    second = Worker(*await stores(), clock)
    await first.buy()
    await first.sandbox.pay(await first.checkout(), approve=True)
    body, headers = first.events[-1]
    outcomes = await asyncio.gather(
        *(each.payments.webhook(body, headers) for each in [first, second] * 3)
    )
    assert "applied" in outcomes
    await second.texts()
    assert len(paid_lines(await first.texts())) == 1
    assert [step["status"] for step in (await first.order()).history] == ["paid"]


async def test_abandoned_checkouts_expire_and_leave_the_reconcilers_list(worker: Worker) -> None:
    await worker.buy()
    assert len(await worker.orders.unsettled()) == 2  # the order and its sandbox checkout
    worker.clock.now += 31 * 60
    await worker.payments.reconcile()
    assert await worker.orders.unsettled() == []
    assert (await worker.order()).status == "expired"


async def test_a_delayed_payment_that_lands_after_expiry_is_refunded(worker: Worker) -> None:
    """At its time the request is ended at the provider (not only read): a delayed method still
    completes a moment later; the order stays expired and the money goes back."""
    await worker.buy()
    checkout = await worker.checkout()
    refunds = delay_the_payment(worker)
    worker.clock.now += 31 * 60
    await worker.runtime.tick()
    assert (await worker.order()).status == "expired"
    late = signed_event("checkout.session.completed", checkout, "evt_late", at=worker.clock())
    await worker.payments.webhook(*late)
    order = await worker.order()
    assert (order.status, order.refunded, refunds) == ("refunded", 2600, [2600])
    assert (await worker.texts())[-1] == "We have refunded €26.00 for your order #1001."


async def test_a_second_payment_request_naming_the_order_pays_nothing(worker: Worker) -> None:
    """The rule of the Stripe attack (tests/security/test_foreign_payments.py) in the sandbox:
    only the order's own request, for its amount, pays it; any other is refunded and kept."""
    await worker.buy()
    own = await worker.order()
    stranger = own.changed(token=new_token(), total=50)  # another request naming the order
    other = await worker.sandbox.create(stranger, "http://shop.test/paid/till")
    await worker.sandbox.pay(other.id, approve=True)
    assert await worker.deliver() == "applied"
    order = await worker.order()
    assert order.status == "awaiting_payment"
    [entry] = order.unmatched
    assert (entry["checkout"], entry["amount"], entry["refund"]) == (other.id, 50, "refunded")
    assert (await worker.sandbox.record(other.id)).refunded == 50
    await worker.sandbox.pay(await worker.checkout(), approve=True)
    assert await worker.deliver() == "applied"
    assert paid_lines(await worker.texts()) == ["Paid: order 1001, €26.00."]
    assert (await worker.order()).status == "paid"
