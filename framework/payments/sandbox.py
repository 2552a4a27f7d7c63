"""The offline payment provider: a checkout page served by Theke itself.

It behaves like a hosted checkout so that `theke run` shows a whole purchase without keys or a
network: the customer opens `/pay/<checkout id>`, sees the itemised bill and presses Pay or
Decline; the sandbox then sends a signed event through the same webhook path a real provider
uses, and the runtime re-reads the checkout before it believes it. Its checkouts are kept in
the order store as records of the pseudo-bot `SANDBOX`, with the same one-way status machine
(open = awaiting_payment), so every worker sees the same checkout.
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from framework.orders import Order, OrderError
from framework.payments.provider import (
    Checkout,
    ProviderError,
    RefundError,
    UnknownCheckout,
    WebhookError,
    WebhookEvent,
)
from framework.payments.signing import SignatureError, sign, verify
from framework.stores.order_store import OrderStore

__all__ = ["SANDBOX", "SIGNATURE_HEADER", "SandboxProvider"]

SANDBOX = "$sandbox"
SIGNATURE_HEADER = "Theke-Signature"
Emit = Callable[[bytes, Mapping[str, str]], Awaitable[None]]

_STATUS = {
    "awaiting_payment": "open",
    "paid": "paid",
    "failed": "failed",
    "expired": "expired",
    "cancelled": "expired",
    "refunded": "paid",
}
_EVENT = {
    "paid": "checkout.session.completed",
    "failed": "checkout.session.async_payment_failed",
    "expired": "checkout.session.expired",
    "cancelled": "checkout.session.expired",
}


class SandboxProvider:
    name = "sandbox"
    in_chat = False
    prefix = "cs_sandbox_"
    """Its checkouts' ids: the prefix and the order's random token (never its id, which can
    be computed from a sender and a message id)."""

    def __init__(
        self,
        orders: OrderStore,
        secret: str,
        base_url: str,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._orders, self._secret, self._clock = orders, secret, clock
        self.base_url = base_url.rstrip("/")
        self.emit: Emit | None = None
        """Where events go: the app points it at its webhook handler."""

    async def create(self, order: Order, return_url: str) -> Checkout:
        record = Order(
            id=f"{self.prefix}{order.token}",
            bot=SANDBOX,
            session=order.id,
            currency=order.currency,
            lines=order.lines,
            taxes=order.taxes,
            total=order.total,
            created_at=self._clock(),
            expires_at=order.expires_at,
            delivery={"return_url": return_url, "business": order.bot},
            provider=self.name,
        )
        return self._checkout(await self._orders.create(record))

    async def record(self, checkout_id: str) -> Order:
        """The checkout with its bill, as the page shows it; expired once its time is up."""
        record = await self._orders.get(checkout_id)
        if record is None or record.bot != SANDBOX:
            raise UnknownCheckout(f"no sandbox checkout {checkout_id!r}")
        if record.status == "awaiting_payment" and self._clock() >= record.expires_at:
            record = await self._move(record, "expired")
        return record

    async def read(self, checkout_id: str) -> Checkout:
        return self._checkout(await self.record(checkout_id))

    async def cancel(self, checkout_id: str) -> Checkout:
        record = await self.record(checkout_id)
        if record.status == "awaiting_payment":
            record = await self._move(record, "cancelled")
        return self._checkout(record)

    async def pay(self, checkout_id: str, approve: bool, payment: str | None = None) -> Order:
        """The customer pressed Pay (approve) or Decline on the page."""
        record = await self.record(checkout_id)
        if record.status != "awaiting_payment":
            raise OrderError("this payment request is over")
        return await self._move(record, "paid" if approve else "failed", payment=payment)

    async def refund(self, paid: Checkout, amount: int, key: str) -> None:
        record = await self.record(paid.id)
        if key in record.delivery.get("refunds", ()):
            return
        if record.status not in ("paid", "refunded"):
            raise RefundError(f"payment request {paid.id} was not paid")
        if not 0 < amount <= record.total - record.refunded:
            raise RefundError(f"{paid.id}: at most {record.total - record.refunded} is left")
        refunds = [*record.delivery.get("refunds", ()), key]
        delivery = {**record.delivery, "refunds": refunds}
        changed = record.changed(refunded=record.refunded + amount, delivery=delivery)
        if await self._orders.replace(changed) is None:
            raise ProviderError("the sandbox checkout changed meanwhile; try again")

    async def _move(self, record: Order, status: str, **changes: Any) -> Order:
        """One-way, compare-and-set; a concurrent change wins and is returned."""
        while True:
            moved = record.moved(status, self._clock(), self.name, announced=status, **changes)
            stored = await self._orders.replace(moved)
            if stored is not None:
                await self._send(_EVENT[status], stored)
                return stored
            fresh = await self._orders.get(record.id)
            if fresh is None or fresh.status != "awaiting_payment":
                return fresh or record
            record = fresh

    async def _send(self, kind: str, record: Order) -> None:
        if self.emit is None:
            return
        moment = int(self._clock())
        event = {
            "id": f"evt_sandbox_{record.id}_{record.version}",
            "type": kind,
            "created": moment,
            "data": {"object": {"id": record.id, "object": "checkout.session"}},
        }
        body = json.dumps(event).encode()
        await self.emit(body, {SIGNATURE_HEADER: sign(body, self._secret, moment)})

    def webhook_event(self, body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        header = headers.get(SIGNATURE_HEADER)
        if header is None:
            raise WebhookError(f"the {SIGNATURE_HEADER} header is missing")
        try:
            verify(body, header, self._secret, self._clock())
            event = json.loads(body)
            subject = event["data"]["object"]
            return WebhookEvent(str(event["id"]), str(event["type"]), str(subject["id"]))
        except SignatureError as error:
            raise WebhookError(f"webhook rejected: {error}") from None
        except (ValueError, KeyError, TypeError, RecursionError):
            raise WebhookError("webhook rejected: not a sandbox event") from None

    def _checkout(self, record: Order) -> Checkout:
        status = _STATUS[record.status]
        url = self.page(record.id) if status == "open" else None
        payment = (record.payment or f"pi_sandbox_{record.id}") if status == "paid" else None
        return Checkout(
            record.id, status, url, record.total, payment, record.session, record.currency
        )

    def page(self, checkout_id: str) -> str:
        """Where the customer pays."""
        return f"{self.base_url}/pay/{checkout_id}"

    async def close(self) -> None:
        return None
