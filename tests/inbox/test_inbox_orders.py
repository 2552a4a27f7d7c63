"""The open conversation lists the orders it placed (number, total, the payment's state),
newest first, and no other conversation's: read only, shown as text."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from framework.orders import Order
from framework.payments.web import PAYMENTS
from tests.inbox.conftest import NOON, browsers, say

ADA = "shop:rest:ada"


def _order(order_id: str, session: str, total: int) -> Order:
    line = {"kind": "item", "name": "Salami", "quantity": 1, "unit": total, "total": total}
    return Order(
        id=order_id,
        bot="shop",
        session=session,
        currency="EUR",
        lines=(line,),
        total=total,
        created_at=NOON,
        expires_at=NOON + 1800,
    )


async def test_the_conversation_shows_its_orders_and_their_payment(shop: TestClient) -> None:
    await say(shop, "ada", "order")
    orders = shop.server.app[PAYMENTS].orders
    first = await orders.create(_order("o-1", ADA, 2500))
    await orders.replace(first.moved("paid", NOON + 60, "test"))
    await orders.create(_order("o-2", ADA, 1290))
    await orders.create(_order("o-3", "shop:rest:bo", 9900))  # another conversation's
    async with browsers(shop) as open_browser:
        anna = open_browser()
        await anna.sign_in("anna")
        page = await (await anna.session.get(anna.url(f"/inbox/c/shop/{ADA}"))).text()
        empty = await (await anna.session.get(anna.url("/inbox/c/shop/shop:rest:cy"))).text()
    assert '<h3 class="box__subtitle">Orders</h3>' in page
    assert (
        '<li><span class="orders__number">#1002</span> €12.90 · awaiting payment</li>'
        '<li><span class="orders__number">#1001</span> €25.00 · paid</li>'
    ) in page
    assert "#1003" not in page and "€99.00" not in page
    assert "No order yet." in empty
