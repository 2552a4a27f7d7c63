"""Telegram's native invoices: the bill shown by Telegram, the money taken through the payment
provider connected to the bot in @BotFather.

The pay step works as everywhere else; for a Telegram bot configured with a `provider_token`
its request is an invoice instead of a link. Telegram then asks before charging
(`pre_checkout_query`): the order is re-validated — it exists, still awaits payment, has not
expired, and the amount and currency are the invoice's — and answered at once (Telegram
cancels after 10 seconds). The charge itself arrives as `successful_payment`, trusted because
Telegram's webhook is authenticated by its secret token, and applied exactly once however often
it is delivered (the order moves forward only; the charge id is kept). Like the sandbox, the
invoices are kept as checkout records in the order store.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from framework.channels.telegram import INVOICE_SCHEME, TelegramChannel
from framework.channels.telegram_in import Payment, PreCheckout
from framework.orders import OrderError
from framework.payments.provider import Checkout, ProviderError, RefundError, UnknownCheckout
from framework.payments.sandbox import SandboxProvider
from framework.payments.service import Payments
from framework.stores.order_store import OrderStore
from framework.stores.records import SessionKey

__all__ = ["TelegramCheckout", "TelegramInvoices", "connect_invoices"]


class TelegramInvoices(SandboxProvider):
    name = "telegram"
    prefix = "tg_"
    in_chat = True

    def __init__(self, orders: OrderStore, clock: Callable[[], float] = time.time) -> None:
        super().__init__(orders, "", "", clock)

    def page(self, checkout_id: str) -> str:
        """Not a page: the Telegram channel sends the invoice in its place."""
        return f"{INVOICE_SCHEME}{checkout_id}"

    async def refund(self, paid: Checkout, amount: int, key: str) -> None:
        raise RefundError(
            "a Telegram payment is refunded in the dashboard of the payment provider connected "
            "in @BotFather; mark it there, then cancel the order here"
        )


class TelegramCheckout:
    """What the Telegram channel asks about invoices."""

    def __init__(self, payments: Payments, invoices: TelegramInvoices) -> None:
        self.payments, self.invoices = payments, invoices

    async def invoice(self, checkout_id: str) -> dict[str, Any]:
        """The invoice of an open checkout: title, description, payload, currency, prices."""
        record = await self.invoices.record(checkout_id)
        order = await self.payments.orders.get(record.session)
        if order is None or record.status != "awaiting_payment":
            raise ProviderError(f"no open invoice {checkout_id!r}")
        prices = [(_label(line), int(line["total"])) for line in order.lines]
        prices += [
            (f"+ {tax['rate']} %", int(tax["amount"])) for tax in order.taxes if not tax["included"]
        ]
        return {
            "title": f"{order.label}",
            "description": ", ".join(_label(line) for line in order.lines),
            "payload": checkout_id,
            "currency": order.currency,
            "prices": prices,
        }

    async def check(self, query: PreCheckout) -> str | None:
        """None when Telegram may charge; otherwise why not (shown to the customer)."""
        try:
            record = await self.invoices.record(query.payload)
        except ProviderError:
            return "This order is unknown."
        order = await self.payments.orders.get(record.session)
        if order is None or record.status != "awaiting_payment":
            return "This order can no longer be paid."
        if order.status != "awaiting_payment":
            return "This order can no longer be paid."
        if (query.currency, query.total_amount) != (order.currency, order.total):
            return "The amount does not match the order."
        return None

    async def paid(self, bot: str, payment: Payment) -> bool:
        """The charge went through: the checkout, then the order, move to paid, once — when
        it is the order's invoice with its amount and currency; otherwise the payment is kept
        on the order as unmatched (see Payments.apply). False: it names no order at all."""
        try:
            record = await self.invoices.pay(payment.payload, True, payment=payment.charge_id)
        except OrderError:
            record = await self.invoices.record(payment.payload)  # a redelivered payment
        except UnknownCheckout:
            await self.payments.unknown_payment(bot, _charge(payment, None))
            return False
        order = await self.payments.orders.get(record.session)
        if order is None:
            await self.payments.unknown_payment(bot, _charge(payment, record.session))
            return False
        await self.payments.apply(order, _charge(payment, order.id))
        return True


def _charge(payment: Payment, order: str | None) -> Checkout:
    """A Telegram charge as a paid checkout, with the amount Telegram says it charged."""
    return Checkout(
        payment.payload,
        "paid",
        None,
        payment.total_amount,
        payment.charge_id,
        order,
        payment.currency.upper(),
    )


def _label(line: dict[str, Any]) -> str:
    quantity = int(line["quantity"])
    name = str(line["name"])
    return f"{quantity}× {name}" if quantity > 1 else name


def connect_invoices(
    payments: Payments, channel: TelegramChannel, orders: OrderStore, clock: Callable[[], float]
) -> None:
    """Telegram bots with a provider token pay with invoices; the others keep the links."""
    bots = {name for name, bot in channel.settings.bots.items() if bot.provider_token}
    if not bots:
        return
    invoices = TelegramInvoices(orders, clock)

    def route(session: str) -> str | None:
        key = SessionKey.parse(session)
        return invoices.name if key.channel == channel.name and key.bot in bots else None

    payments.add_provider(invoices, route)
    channel.invoices = TelegramCheckout(payments, invoices)
