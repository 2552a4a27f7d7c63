"""Payment requests and pages cannot be reached by computing their address.

The attack: a sandbox checkout id used to be "cs_sandbox_" + a hash of the conversation and
the message id, so a stranger who knew (or chose) a customer's sender and message id could
open that customer's checkout and press Decline. Now checkout ids carry 160 random bits, and
the page a provider returns the customer to names only the shop.
"""

from __future__ import annotations

import re

from aiohttp.test_utils import TestClient

from framework.payments.service import order_id
from framework.payments.web import PAYMENTS
from tests.payments.rest import say
from tests.payments.test_purchase import ORDER, SESSION, shop

__all__ = ["shop"]  # the sandbox pizza shop of the purchase tests


async def test_a_checkout_cannot_be_computed_from_the_sender_and_message_id(
    shop: TestClient,
) -> None:
    for text in ORDER:
        await say(shop, text)
    response = await shop.post(
        "/webhooks/rest/webhook", json={"sender": "ada", "message": "ja", "message_id": "m-7"}
    )
    [reply] = await response.json()
    [order] = await shop.app[PAYMENTS].orders.list("pizza")
    guessed = f"/pay/cs_sandbox_{order_id(SESSION, 'rest:m-7')}"
    assert order.id == order_id(SESSION, "rest:m-7")  # what the attacker can compute
    declined = await shop.post(guessed, data={"decision": "decline"}, allow_redirects=False)
    assert declined.status in (303, 404)
    assert (await shop.get(guessed)).status == 404
    [stored] = await shop.app[PAYMENTS].orders.list("pizza")
    assert stored.status == "awaiting_payment"

    real = re.sub(r"^https?://[^/]+", "", reply["custom"]["url"])
    token = real.removeprefix("/pay/cs_sandbox_")
    assert token == order.token and len(token) >= 27  # URL-safe base64 of 20 random bytes
    assert order.id not in real


async def test_the_return_page_reveals_nothing_about_an_order(shop: TestClient) -> None:
    for text in [*ORDER, "ja"]:
        await say(shop, text)
    [order] = await shop.app[PAYMENTS].orders.list("pizza")
    page = await shop.get("/paid/pizza")
    html = await page.text()
    assert page.status == 200
    for secret in (str(order.number), order.id, order.token, "30,00", "Salami", "Weserstraße"):
        assert secret not in html
    assert (await shop.get(f"/paid/{order.id}")).status == 404
