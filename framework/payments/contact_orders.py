"""A contact's last order, kept from the order store: whenever the payments service tells its
news of an order (framework/payments/service.py `OrderNews`, after every change and again
until the customer was told), a paid order sets its conversation's contact's `last_order` to
the moment it was paid — however it was paid: in the chat, through a payment link after the
conversation went quiet, a booking's deposit, a webhook the reconciler found late.

`ordered_within_days` and `no_order_days` of a broadcast's segment read `last_order`
(framework/stores/segments.py). The contact's times only move forward, so news told twice
changes nothing the second time; news of an order the customer was already told is paid (a
later status: accepted, delivered) writes nothing.
"""

from __future__ import annotations

from framework.orders import PAID, Order
from framework.payments.service import OrderNews
from framework.stores.contacts import ContactChange, ContactStore

__all__ = ["ContactOrders", "paid_at"]

ERASED = "erased-"
"""How an erased customer's kept orders name their conversation (privacy/data.py): nobody's
contact, and none is made for it."""


def paid_at(order: Order) -> float | None:
    """When the order was paid (its history's paid step), None while it was not."""
    return next((step["at"] for step in order.history if step["status"] == PAID), None)


class ContactOrders:
    """The order news the payments service tells: kept in the contacts, then passed on (the
    business's events)."""

    def __init__(self, contacts: ContactStore, news: OrderNews) -> None:
        self._contacts, self._news = contacts, news

    async def publish(self, order: Order) -> None:
        paid = paid_at(order)
        customer = order.session.split(":", 2)[-1]
        if paid is not None and order.announced is None and not customer.startswith(ERASED):
            await self._contacts.update(order.bot, order.session, ContactChange(ordered=True), paid)
        await self._news.publish(order)

    async def refunded_part(self, order: Order, amount: int) -> None:
        await self._news.refunded_part(order, amount)
