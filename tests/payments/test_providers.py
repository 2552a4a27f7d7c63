"""One contract for every payment provider: the offline sandbox and Stripe Checkout (the real
`stripe` library against the local emulator). A driver per provider plays the customer and the
clock; the assertions are the same for both."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Protocol

import pytest
import stripe
from aiohttp import web

from framework.orders import Order
from framework.payments.provider import Provider, ProviderError, WebhookError
from framework.payments.sandbox import SIGNATURE_HEADER, SandboxProvider
from framework.payments.signing import sign
from framework.payments.stripe_checkout import StripeProvider
from framework.stores.memory.orders import MemoryOrders
from tests.stripe_emulator.fixture import fast_forward, new_api_key
from tests.stripe_emulator.fixture import pay as emulator_pay

SECRET = "whsec_test_contract"


class Driver(Protocol):
    provider: Provider

    async def pay(self, checkout: str) -> None: ...

    async def fail(self, checkout: str) -> None: ...

    async def expire_by_time(self, checkout: str) -> None: ...

    def signed(self, event: dict[str, Any], age: float = 0) -> tuple[bytes, dict[str, str]]: ...


@dataclass
class SandboxDriver:
    provider: SandboxProvider
    clock: list[float]

    async def pay(self, checkout: str) -> None:
        await self.provider.pay(checkout, approve=True)

    async def fail(self, checkout: str) -> None:
        await self.provider.pay(checkout, approve=False)

    async def expire_by_time(self, checkout: str) -> None:
        self.clock[0] += 3 * 3600

    def signed(self, event: dict[str, Any], age: float = 0) -> tuple[bytes, dict[str, str]]:
        body = json.dumps(event).encode()
        return body, {SIGNATURE_HEADER: sign(body, SECRET, int(self.clock[0] - age))}


@dataclass
class StripeDriver:
    provider: StripeProvider
    base_url: str
    api_key: str

    async def pay(self, checkout: str) -> None:
        await emulator_pay(self.base_url, self.api_key, checkout, "succeed")

    async def fail(self, checkout: str) -> None:
        await emulator_pay(self.base_url, self.api_key, checkout, "async_fail")

    async def expire_by_time(self, checkout: str) -> None:
        await fast_forward(self.base_url, self.api_key, checkout, 3 * 3600)

    def signed(self, event: dict[str, Any], age: float = 0) -> tuple[bytes, dict[str, str]]:
        body = json.dumps(event)
        header = stripe.WebhookSignature.generate_signature_header(
            body, SECRET, timestamp=int(time.time() - age)
        )
        return body.encode(), {"Stripe-Signature": header}


@pytest.fixture(params=["sandbox", "stripe"])
async def driver(request: pytest.FixtureRequest) -> AsyncIterator[Driver]:
    if request.param == "sandbox":
        clock = [time.time()]
        sandbox = SandboxProvider(MemoryOrders(), SECRET, "http://shop.test", lambda: clock[0])
        yield SandboxDriver(sandbox, clock)
        return
    base_url = request.getfixturevalue("stripe_emulator")
    api_key = new_api_key()
    provider = StripeProvider(api_key, SECRET, api_base=base_url)
    yield StripeDriver(provider, base_url, api_key)
    await provider.close()


def an_order(number: int = 1001, total: int = 3000) -> Order:
    now = time.time()
    lines = (
        {"kind": "item", "name": "Salami (Groß)", "quantity": 2, "unit": 1250, "total": 2500},
        {
            "kind": "fee",
            "name": "Lieferung",
            "quantity": 1,
            "unit": total - 2500,
            "total": total - 2500,
        },
    )
    return Order(
        id=f"ord_contract_{number}_{time.time_ns()}",
        bot="pizza",
        session="pizza:web:ada",
        currency="EUR",
        lines=lines,
        total=total,
        created_at=now,
        expires_at=now + 1800,
        number=number,
    )


async def test_create_is_idempotent_and_open(driver: Driver) -> None:
    order = an_order()
    first = await driver.provider.create(order, "http://shop.test/paid/x")
    again = await driver.provider.create(order, "http://shop.test/paid/x")
    assert again.id == first.id
    assert (first.status, first.amount, first.reference) == ("open", 3000, order.id)
    assert first.url is not None and first.url.startswith("http")
    read = await driver.provider.read(first.id)
    assert (read.status, read.url) == ("open", first.url)


async def test_a_payment_is_read_back_as_paid(driver: Driver) -> None:
    checkout = await driver.provider.create(an_order(), "http://shop.test/paid/x")
    await driver.pay(checkout.id)
    read = await driver.provider.read(checkout.id)
    assert read.status == "paid"
    assert read.url is None
    assert read.payment is not None


async def test_a_failed_payment_is_read_back_as_failed(driver: Driver) -> None:
    checkout = await driver.provider.create(an_order(), "http://shop.test/paid/x")
    await driver.fail(checkout.id)
    assert (await driver.provider.read(checkout.id)).status == "failed"


async def test_cancel_expires_an_open_request_and_keeps_a_paid_one(driver: Driver) -> None:
    open_one = await driver.provider.create(an_order(1001), "http://shop.test/paid/x")
    assert (await driver.provider.cancel(open_one.id)).status == "expired"
    assert (await driver.provider.cancel(open_one.id)).status == "expired"
    paid = await driver.provider.create(an_order(1002), "http://shop.test/paid/x")
    await driver.pay(paid.id)
    assert (await driver.provider.cancel(paid.id)).status == "paid"


async def test_a_request_expires_by_itself(driver: Driver) -> None:
    checkout = await driver.provider.create(an_order(), "http://shop.test/paid/x")
    await driver.expire_by_time(checkout.id)
    read = await driver.provider.read(checkout.id)
    assert (read.status, read.url) == ("expired", None)


async def test_partial_and_full_refunds(driver: Driver) -> None:
    checkout = await driver.provider.create(an_order(), "http://shop.test/paid/x")
    await driver.pay(checkout.id)
    paid = await driver.provider.read(checkout.id)
    assert (paid.amount, paid.currency) == (3000, "EUR")
    await driver.provider.refund(paid, 500, "refund-1")
    await driver.provider.refund(paid, 2500, "refund-2")


async def test_a_refund_key_refunds_once() -> None:
    """The sandbox keeps refund keys as Stripe keeps idempotency keys (the emulator does not)."""
    sandbox = SandboxProvider(MemoryOrders(), SECRET, "http://shop.test")
    checkout = await sandbox.create(an_order(), "http://shop.test/paid/x")
    await sandbox.pay(checkout.id, approve=True)
    paid = await sandbox.read(checkout.id)
    for _ in range(2):
        await sandbox.refund(paid, 3000, "refund-all")
    assert (await sandbox.record(checkout.id)).refunded == 3000


async def test_webhooks_are_verified_on_the_raw_bytes(driver: Driver) -> None:
    event = {
        "id": "evt_contract_1",
        "object": "event",
        "type": "checkout.session.completed",
        "created": int(time.time()),
        "data": {"object": {"id": "cs_contract_1", "object": "checkout.session"}},
    }
    body, headers = driver.signed(event)
    parsed = driver.provider.webhook_event(body, headers)
    assert (parsed.id, parsed.type, parsed.checkout) == (
        "evt_contract_1",
        "checkout.session.completed",
        "cs_contract_1",
    )
    [(name, value)] = headers.items()
    rejected: list[tuple[bytes, dict[str, str]]] = [
        (body + b" ", headers),  # one byte more
        (body, {}),  # no signature
        (body, {name: value.replace("v1=", "v1=0")}),
        (body, {name: "t=abc,v1=def"}),
        driver.signed(event, age=600),  # stale: replayed after the tolerance
        driver.signed(event, age=-600),  # from the future: it would outlive the tolerance
        driver.signed({"not": "an event"}),
    ]
    for raw, forged in rejected:
        with pytest.raises(WebhookError):
            driver.provider.webhook_event(raw, forged)


async def test_stripe_that_answers_500_or_hangs_is_a_provider_error() -> None:
    async def broken(request: web.Request) -> web.Response:
        return web.json_response({"error": {"message": "boom", "type": "api_error"}}, status=500)

    released = asyncio.Event()  # set once the provider gave up: the server's cleanup waits
    # for its handlers, and a fixed sleep here made the test wait out each try's (11 s)

    async def hanging(request: web.Request) -> web.Response:
        await released.wait()
        return web.json_response({})

    for handler in (broken, hanging):
        released.clear()
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", handler)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        provider = StripeProvider(
            "sk_test_x", SECRET, api_base=f"http://127.0.0.1:{port}", timeout=0.3
        )
        try:
            with pytest.raises(ProviderError):
                await provider.create(an_order(), "http://shop.test/paid/x")
            with pytest.raises(ProviderError):
                await provider.read("cs_test_x")
        finally:
            released.set()
            await provider.close()
            await runner.cleanup()


async def test_stripe_sessions_outlive_stripes_30_minute_minimum(stripe_emulator: str) -> None:
    """An order that expires in exactly 30 minutes (the pay step's default) is still a valid
    Checkout Session when it reaches Stripe a moment later; the parameters stay the same on a
    retry, so the idempotency key still matches."""
    provider = StripeProvider(new_api_key(), SECRET, api_base=stripe_emulator)
    try:
        order = an_order().changed(created_at=time.time() - 5)
        order = order.changed(expires_at=order.created_at + 1800)
        first = await provider.create(order, "http://shop.test/paid/x")
        again = await provider.create(order, "http://shop.test/paid/x")
        assert again.id == first.id
        assert first.status == "open"
    finally:
        await provider.close()
