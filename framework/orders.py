"""Orders: what a customer bought, what they owe or paid, and where it is in its life.

An order is plain JSON-able data kept in an order store (see `order_store.py`). Its status only
moves along `TRANSITIONS`: a payment that arrived is never turned back into "awaiting payment",
a late "expired" after "paid" changes nothing. Every change is written with compare-and-set on
`version`, so two workers applying the same webhook cannot both win.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field, fields, replace
from typing import Any

__all__ = [
    "ANNOUNCED",
    "FINAL_PAYMENT",
    "TRANSITIONS",
    "Order",
    "OrderError",
    "can_move",
    "new_token",
]

from framework.errors import PaymentError


class OrderError(PaymentError, ValueError):
    """An order change that its status does not allow, or an order that does not exist."""


AWAITING, PAID, ACCEPTED, OUT, DELIVERED = (
    "awaiting_payment",
    "paid",
    "accepted",
    "out_for_delivery",
    "delivered",
)
FAILED, EXPIRED, CANCELLED, REFUNDED = "failed", "expired", "cancelled", "refunded"

TRANSITIONS: dict[str, frozenset[str]] = {
    AWAITING: frozenset({PAID, FAILED, EXPIRED, CANCELLED}),
    PAID: frozenset({ACCEPTED, OUT, DELIVERED, CANCELLED, REFUNDED}),
    ACCEPTED: frozenset({OUT, DELIVERED, CANCELLED, REFUNDED}),
    OUT: frozenset({DELIVERED, REFUNDED}),
    DELIVERED: frozenset({REFUNDED}),
    FAILED: frozenset(),
    EXPIRED: frozenset({REFUNDED}),
    CANCELLED: frozenset({REFUNDED}),
    REFUNDED: frozenset(),
}
"""Where each status may go. A payment request's final states (paid, failed, expired,
cancelled) are never left backwards; refunds are the only way back for money (also for a
delayed payment that lands on an order that had already expired or been cancelled)."""

FINAL_PAYMENT = frozenset({PAID, FAILED, EXPIRED, CANCELLED})
"""The outcomes of a payment request the waiting conversation is told about."""

ANNOUNCED = frozenset({PAID, FAILED, EXPIRED, CANCELLED, ACCEPTED, OUT, DELIVERED, REFUNDED})
"""Statuses the customer hears about in their chat."""


def can_move(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def new_token() -> str:
    """160 random bits, URL-safe: what stands for an order wherever a stranger could see it."""
    return secrets.token_urlsafe(20)


@dataclass(frozen=True, slots=True)
class Order:
    """One order of one business (bot), linked to the conversation that placed it.

    Money is integer minor units of `currency`. `lines` are what the bill shows, each
    `{"kind": "item"|"fee"|"discount", "name", "quantity", "unit", "total"}` with `total`
    negative for discounts; `total` is their sum. `taxes` are `{"rate", "included", "amount"}`
    per rate. `number` is the human-friendly number (per bot, from 1001), assigned when the
    order store first keeps the order. `announced` is the last status the customer's chat was
    told about; the reconciler tells the chat about any status it has not heard yet.

    `token` is random and kept with the order's first write (the store's create is idempotent on
    `id`): payment request ids and URLs are made from it, never from `id`, which is derived
    from the conversation and could be computed by anyone who knows a sender and message id.
    """

    id: str
    bot: str
    session: str
    currency: str
    lines: tuple[dict[str, Any], ...]
    total: int
    created_at: float
    expires_at: float
    status: str = AWAITING
    number: int = 0
    taxes: tuple[dict[str, Any], ...] = ()
    customer: dict[str, Any] = field(default_factory=dict)
    delivery: dict[str, Any] = field(default_factory=dict)
    provider: str = "sandbox"
    checkout: str | None = None
    """The provider's id of the payment request (a Stripe Checkout Session id)."""
    url: str | None = None
    payment: str | None = None
    """The provider's id of the payment itself (a Stripe PaymentIntent), once there is one."""
    refunded: int = 0
    announced: str | None = None
    history: tuple[dict[str, Any], ...] = ()
    """`{"status", "at", "by"}` for every status change, oldest first."""
    unmatched: tuple[dict[str, Any], ...] = ()
    """Payments that named this order but were not its payment request (another checkout, a
    second payment, a different amount or currency): never applied, refunded in full.
    `{"provider", "checkout", "payment", "amount", "currency", "reason", "at", "refund"}` with
    `refund` "pending", "refunded" or why it must be done by hand."""
    token: str = field(default_factory=new_token)
    updated_at: float = 0.0
    version: int = 0

    def moved(self, status: str, at: float, by: str, **changes: Any) -> Order:
        """This order in `status`; raises OrderError when the status machine forbids it."""
        if not can_move(self.status, status):
            raise OrderError(f"order {self.label} is {self.status}: it cannot become {status}")
        entry = {"status": status, "at": at, "by": by}
        return replace(
            self, status=status, history=(*self.history, entry), updated_at=at, **changes
        )

    def changed(self, **changes: Any) -> Order:
        return replace(self, **changes)

    @property
    def label(self) -> str:
        return f"#{self.number}" if self.number else self.id

    @property
    def paid(self) -> int:
        """What the customer paid and still has not been refunded (minor units)."""
        was_paid = any(entry["status"] == PAID for entry in self.history)
        return self.total - self.refunded if was_paid else 0

    def to_json(self) -> dict[str, Any]:
        """The order as JSON-able data, for a store to write: its sequences as lists, whose
        dicts are the order's own (not copies: `dataclasses.asdict` deep-copied every one,
        ~60 µs an order, written three times in the pizza order's pay step)."""
        data = {name: getattr(self, name) for name in _FIELDS}
        for name in _SEQUENCES:
            data[name] = list(data[name])
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Order:
        values = dict(data)
        for name in _SEQUENCES:
            values[name] = tuple(values.get(name, ()))
        return cls(**values)


_SEQUENCES = ("lines", "taxes", "history", "unmatched")
"""Order fields kept as tuples in memory and as lists in JSON."""
_FIELDS = tuple(each.name for each in fields(Order))
