"""Money only for the right order: a payment changes an order only when it is the payment
request Theke created for it, for exactly its amount and currency.

The attack: anyone with access to the Stripe account (a leaked restricted key, a careless
integration) creates a 0.50 EUR Checkout Session whose `client_reference_id` or metadata names
a 30 EUR order and pays it; Theke used to mark the order paid and tell the customer "bezahlt".
Now such a payment, and a second payment for an order that is already paid, is kept on the
order as an unmatched payment for the business and refunded in full, and the order does not
move. The same rule holds for the sandbox and for Telegram invoices.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
import stripe
from aiohttp.test_utils import TestClient

from framework.channels.common import CONTEXT
from tests.payments.rest import say
from tests.payments.test_stripe_purchase import SESSION, api_key, chat_says, order, shop
from tests.stripe_emulator.fixture import open_stripe_client, pay

__all__ = ["shop"]  # the Stripe shop fixture, shared with the purchase tests

PAID = "Paid: order 1001, €26.00."
ADMIN_KEY = "admin-key-for-the-unmatched-payments"


async def foreign_session(client: stripe.StripeClient, amount: int, naming: dict[str, Any]) -> str:
    """A Checkout Session made outside Theke in the same account, naming an order."""
    params: dict[str, Any] = {
        "mode": "payment",
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": "eur",
                    "unit_amount": amount,
                    "product_data": {"name": "anything"},
                },
            }
        ],
        "success_url": "https://elsewhere.example/done",
        "expires_at": int(time.time()) + 3600,
        **naming,
    }
    session = await client.v1.checkout.sessions.create_async(params)  # type: ignore[arg-type]
    return str(session.id)


async def settled(shop: TestClient, checkout: str) -> dict[str, Any]:
    """The order's unmatched payment of `checkout`, once its refund has been decided."""
    for _ in range(400):
        found = await order(shop)
        entry = next((e for e in found.unmatched if e["checkout"] == checkout), None)
        if entry is not None and entry["refund"] != "pending":
            return entry
        await asyncio.sleep(0.025)
    raise AssertionError(f"no settled unmatched payment {checkout}: {found.unmatched}")


async def refunded(client: stripe.StripeClient, payment: str) -> list[int]:
    refunds = await client.v1.refunds.list_async()
    return [r.amount for r in refunds.data if r.payment_intent == payment]


async def test_a_checkout_session_that_is_not_the_orders_own_pays_nothing(
    shop: TestClient, stripe_emulator: str
) -> None:
    await say(shop, "buy")
    await say(shop, "2")
    own = await order(shop)
    assert (own.total, own.currency, own.status) == (2600, "EUR", "awaiting_payment")
    async with open_stripe_client(stripe_emulator, api_key()) as client:
        by_reference = await foreign_session(client, 50, {"client_reference_id": own.id})
        by_metadata = await foreign_session(client, 50, {"metadata": {"order_id": own.id}})
        for forged in (by_reference, by_metadata):
            await pay(stripe_emulator, api_key(), forged, "succeed")
            entry = await settled(shop, forged)
            assert (entry["amount"], entry["currency"], entry["refund"]) == (50, "EUR", "refunded")
            assert entry["reason"] == "not this order's payment request"
            assert await refunded(client, entry["payment"]) == [50]
        assert (await order(shop)).status == "awaiting_payment"
        log = await shop.app[CONTEXT].runtime.store.log(SESSION, 0, 200)
        assert not [entry for entry in log if entry["text"].startswith("Paid")]

        await pay(stripe_emulator, api_key(), str(own.checkout), "succeed")
        await chat_says(shop, PAID)
        paid = await order(shop)
        assert (paid.status, paid.refunded) == ("paid", 0)

        # the same order paid a second time, through another session for the full amount
        second = await foreign_session(client, 2600, {"client_reference_id": own.id})
        await pay(stripe_emulator, api_key(), second, "succeed")
        entry = await settled(shop, second)
        assert (entry["amount"], entry["refund"]) == (2600, "refunded")
        assert await refunded(client, entry["payment"]) == [2600]
    final = await order(shop)
    assert (final.status, final.refunded, len(final.unmatched)) == ("paid", 0, 3)
    texts = await chat_says(shop, PAID)
    assert texts.count(PAID) == 1


@pytest.fixture
def admin_shop(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> TestClient:
    """The Stripe shop with its admin API open (the key is read when the app is made)."""
    monkeypatch.setenv("THEKE_ADMIN_KEY", ADMIN_KEY)
    client: TestClient = request.getfixturevalue("shop")
    return client


async def test_the_business_sees_unmatched_payments(
    admin_shop: TestClient, stripe_emulator: str
) -> None:
    await say(admin_shop, "buy")
    await say(admin_shop, "1")
    own = await order(admin_shop)
    async with open_stripe_client(stripe_emulator, api_key()) as client:
        forged = await foreign_session(client, 50, {"client_reference_id": own.id})
    await pay(stripe_emulator, api_key(), forged, "succeed")
    await settled(admin_shop, forged)
    headers = {"Authorization": f"Bearer {ADMIN_KEY}"}
    response = await admin_shop.get("/admin/orders/till/1001", headers=headers)
    shown = await response.json()
    [entry] = shown["unmatched_payments"]
    assert (entry["amount"], entry["currency"], entry["refund"]) == ("0.50", "EUR", "refunded")
    assert (entry["checkout"], entry["provider"]) == (forged, "stripe")
    assert shown["status"] == "awaiting_payment"
