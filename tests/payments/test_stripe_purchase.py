"""The same purchase with STRIPE_API_KEY and STRIPE_WEBHOOK_SECRET set: Stripe Checkout through
the real `stripe` library against the local emulator, whose webhooks (signed as Stripe signs
them) reach the server's webhook route. Real time throughout: the emulator checks expiry times
and signature ages against its own clock."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from framework.app import create_app
from framework.channels.common import CONTEXT
from framework.flows import load_bot
from framework.orders import Order
from framework.payments.stripe_checkout import StripeProvider
from framework.payments.web import PAYMENTS
from framework.stores.memory.orders import MemoryOrders
from framework.stores.memory.sessions import MemoryStore
from framework.stores.order_store import OrderStore
from framework.stores.session_store import Store
from framework.workspace import Workspace
from tests.payments.rest import say
from tests.stripe_emulator.fixture import new_api_key, pay, webhook_endpoint

TILL = Path(__file__).parent.parent / "runtime" / "bots" / "till"
SECRET = "whsec_theke_purchase"
SESSION = "till:rest:ada"


@pytest.fixture
async def shop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stripe_emulator: str
) -> AsyncIterator[TestClient]:
    monkeypatch.setenv("STRIPE_API_KEY", new_api_key())
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("STRIPE_API_BASE", stripe_emulator)
    store, orders = MemoryStore(), MemoryOrders()

    async def open_store() -> Store:
        return store

    async def open_orders() -> OrderStore:
        return orders

    workspace = Workspace(root=tmp_path, bots=(TILL,))
    app = create_app(workspace, {"till": load_bot(TILL)}, store=open_store, orders=open_orders)
    client = TestClient(TestServer(app))
    await client.start_server()
    hook = f"http://127.0.0.1:{client.port}/payments/webhook"
    async with webhook_endpoint(stripe_emulator, hook, SECRET):
        yield client
    await client.close()


async def order(client: TestClient) -> Order:
    [found] = await client.app[PAYMENTS].orders.list("till")
    return found


async def chat_says(client: TestClient, text: str) -> list[str]:
    """The conversation once it contains `text` (webhooks arrive about a second late)."""
    store = client.app[CONTEXT].runtime.store
    for _ in range(300):
        texts = [entry["text"] for entry in await store.log(SESSION, 0, 200)]
        if text in texts:
            return texts
        await asyncio.sleep(0.05)
    raise AssertionError(f"the chat never said {text!r}: {texts}")


def api_key() -> str:
    return os.environ["STRIPE_API_KEY"]


async def test_stripe_checkout_paid_through_its_webhook(
    shop: TestClient, stripe_emulator: str
) -> None:
    assert isinstance(shop.app[PAYMENTS].provider, StripeProvider)
    await say(shop, "buy")
    [reply] = await say(shop, "2")
    assert reply["text"] == "Your order #1001 comes to €26.00. Please pay with this link."
    checkout = (await order(shop)).checkout
    assert checkout is not None and checkout.startswith("cs_test_")
    assert reply["custom"]["url"].startswith("https://checkout.stripe.com/c/pay/cs_test_")

    await pay(stripe_emulator, api_key(), checkout, "succeed")
    texts = await chat_says(shop, "Paid: order 1001, €26.00.")
    assert texts.count("Paid: order 1001, €26.00.") == 1
    paid = await order(shop)
    assert (paid.status, paid.payment is not None) == ("paid", True)


async def test_did_my_payment_arrive_asks_stripe(shop: TestClient, stripe_emulator: str) -> None:
    await say(shop, "buy")
    await say(shop, "1")
    [pending, *_] = await say(shop, "did my payment arrive")
    assert (
        pending["text"]
        == "Your payment of €13.50 has not reached us yet. Here is your payment link:"
    )
    await pay(stripe_emulator, api_key(), str((await order(shop)).checkout), "succeed")
    replies = await say(shop, "i paid")  # the bot re-reads the session, it does not wait
    assert [r["text"] for r in replies] == ["Paid: order 1001, €13.50."]


async def test_cancelling_expires_the_checkout_session(
    shop: TestClient, stripe_emulator: str
) -> None:
    await say(shop, "buy")
    await say(shop, "1")
    [reply] = await say(shop, "cancel")
    assert reply["text"] == "Cancelled order 1001."
    cancelled = await order(shop)
    assert cancelled.status == "cancelled"
    read = await shop.app[PAYMENTS].provider.read(str(cancelled.checkout))
    assert read.status == "expired"


async def test_a_delayed_payment_that_fails(shop: TestClient, stripe_emulator: str) -> None:
    await say(shop, "buy")
    await say(shop, "1")
    await pay(stripe_emulator, api_key(), str((await order(shop)).checkout), "async_fail")
    await chat_says(
        shop,
        "Sorry, the payment didn't go through. Your order was not placed – "
        "just write if you'd like to try again.",
    )
    assert (await order(shop)).status == "failed"
