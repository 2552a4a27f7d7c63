"""The payment provider protocol: one shape for the sandbox and for Stripe Checkout.

A provider knows payment requests ("checkouts"), not orders: Theke keeps the orders. Every
call is safe to repeat: `create` is idempotent on the order id, `cancel` of a request that is
already over returns how it ended (it may have been paid a moment ago), and webhooks are only
hints — the runtime re-reads the checkout before it changes anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from framework.errors import BadRequest, PaymentError
from framework.orders import Order

__all__ = [
    "Checkout",
    "Provider",
    "ProviderError",
    "RefundError",
    "UnknownCheckout",
    "WebhookError",
    "WebhookEvent",
    "order_status",
]


class ProviderError(PaymentError, ConnectionError):
    """The provider could not be reached or failed (timeout, 5xx): retry later, same request."""


class UnknownCheckout(ProviderError):
    """The provider does not know this payment request."""


class RefundError(PaymentError, ValueError):
    """A refund the payment does not allow (more than was paid, nothing paid)."""


class WebhookError(PaymentError, BadRequest):
    """A webhook that is not from the provider (bad or stale signature) or not understood."""


@dataclass(frozen=True, slots=True)
class Checkout:
    """A payment request as the provider sees it."""

    id: str
    status: str
    """"open", "processing" (completed, money not yet there), "paid", "failed" or "expired"."""
    url: str | None
    """Where the customer pays; only while open."""
    amount: int
    payment: str | None = None
    """The provider's id of the payment (for refunds)."""
    reference: str | None = None
    """The order id the request names (Stripe: client_reference_id, else metadata.order_id).
    Anyone who can create requests can name any order: it is a lookup, not a proof."""
    currency: str = ""
    """ISO code, upper case; `amount` is in its minor units."""


_ORDER_STATUS = {
    "open": "awaiting_payment",
    "processing": "awaiting_payment",
    "paid": "paid",
    "failed": "failed",
    "expired": "expired",
}


def order_status(checkout: Checkout) -> str:
    """The order status a checkout's state stands for."""
    return _ORDER_STATUS[checkout.status]


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    id: str
    type: str
    checkout: str | None
    """The checkout the event is about; None for events Theke does not act on."""


class Provider(Protocol):
    name: str
    in_chat: bool
    """True when the customer pays inside the chat (Telegram invoices), not on a page."""

    async def create(self, order: Order, return_url: str) -> Checkout:
        """A payment request for the order's total; the same order gives the same request."""
        ...

    async def read(self, checkout_id: str) -> Checkout: ...

    async def cancel(self, checkout_id: str) -> Checkout:
        """Expire an open request; a request that is over is returned as it ended."""
        ...

    async def refund(self, paid: Checkout, amount: int, key: str) -> None:
        """Give `amount` (minor units) of the request's payment back; the same `key` never
        refunds twice (a retry after a crash sends the same key)."""
        ...

    def webhook_event(self, body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        """Verify a webhook on its raw bytes and say what it is about; raises WebhookError."""
        ...

    async def close(self) -> None: ...
